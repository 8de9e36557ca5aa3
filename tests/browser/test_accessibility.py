"""axe-core on the pages people work in all day: no serious or critical violations.

axe-core comes inside the axe-playwright-python package and is injected into the
page from disk: nothing is fetched from the network. Each page is checked as the
person who uses it sees it, in Chinese, with data in it (an empty table checks
little). To check another page, add a line to PAGES: a name, the fixture of the
user who opens it, and its URL, where {dispute}, {aid}, {card} and {worker} are
filled in from the `scene` below.

On failure the serious and critical violations are printed, and axe's full
answer is saved as test-artifacts/axe-<page>.json.
"""

import json
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Payment, State
from reports.models import ExportJob
from tests import factories
from tests.assistance import steps
from tests.browser.conftest import login
from tests.browser.helpers import dibao_lines

pytestmark = pytest.mark.browser

# (name, fixture of the user who opens the page, URL)
PAGES = [
    ("queue", "caseworker", "/cases/"),
    ("intake-queue", "caseworker", "/cases/?view=intake"),
    ("wage-dispute-page", "caseworker", "/cases/{dispute}/"),
    ("aid-application-page", "supervisor", "/cases/{aid}/"),
    ("card-application-page", "caseworker", "/cases/{card}/"),
    ("approval-queue", "supervisor", "/assistance/approvals/"),
    ("worker-page", "caseworker", "/workers/{worker}/"),
    ("new-card-application", "caseworker", "/assistance/cards/new/?worker={member}"),
    # This year's finished cases, counted, with a ZIP of their case files ready.
    ("export-page", "auditor", "/audit/exports/"),
    ("audit-log", "auditor", "/audit/log/"),
]

BLOCKING = ("serious", "critical")
AXE = Axe()


@pytest.fixture
def scene(office, caseworker, caseworker2, supervisor, auditor) -> dict:
    """A caseworker's day: a wage dispute with payments, an aid application and a
    card application waiting for approval, and a new application in the intake queue;
    and for the auditor, a dispute closed this year and a ZIP of case files ready."""
    dibao_lines()
    rider = factories.WorkerFactory(office=office, created_by=caseworker, name="欧阳晓燕")
    dispute = factories.wage_dispute(
        office,
        by=caseworker,
        workers=[rider],
        claimed=Decimal("9000.00"),
        state=State.AGREEMENT,
    )
    for amount, method in (("3000.00", Payment.Method.BANK), ("2500.00", Payment.Method.WECHAT)):
        services.record_payment(
            case=dispute,
            by=caseworker,
            worker=rider,
            paid_on=timezone.localdate(),
            amount=Decimal(amount),
            method=method,
            reference="转账 4200001234",
        )
    aid = steps.aid_at(
        State.RECOMMENDED, office=office, by=caseworker, worker=rider, amount=Decimal("6000.00")
    )
    member = steps.member_worker(office, caseworker, name="周建华")
    card = steps.card_at(
        State.VERIFIED,
        office=office,
        by=caseworker,
        worker=member,
        approver=supervisor,
        family=[{"name": "刘春梅", "relation": "spouse", "id_number": factories.id_number(4321)}],
    )
    factories.wage_dispute(office, by=caseworker2)  # waiting in the intake queue
    factories.wage_dispute(office, by=caseworker, state=State.CLOSED)  # finished this year
    today = timezone.localdate()
    ExportJob.objects.create(  # as the task leaves a job it has built (no file needed here)
        format=ExportJob.Format.ZIP,
        status=ExportJob.Status.DONE,
        filters={"finished_from": f"{today:%Y}-01-01", "finished_to": today.isoformat()},
        requested_by=auditor,
        total=1,
        done=1,
        size=48_000,
        sha256="0" * 64,
        finished_at=timezone.now(),
    )
    return {
        "dispute": dispute.number,
        "aid": aid.number,
        "card": card.number,
        "worker": rider.pk,
        "member": member.pk,
    }


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"\n[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("who", "url"), [pytest.param(who, url, id=name) for name, who, url in PAGES]
)
def test_no_serious_accessibility_violations(request, page, artifacts_dir, scene, who, url):
    user = request.getfixturevalue(who)
    login(page, user.username, factories.PASSWORD)
    response = page.goto(url.format(**scene))
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    results = AXE.run(page)
    assert results.response["passes"], "axe checked nothing: was it injected?"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        name = request.node.callspec.id
        path = artifacts_dir / f"axe-{name}.json"
        path.write_text(
            json.dumps(results.response["violations"], ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        print(f"\naxe's violations on {page.url} saved to {path}")
    assert not blocking, f"axe found on {page.url}:{describe(blocking)}"
