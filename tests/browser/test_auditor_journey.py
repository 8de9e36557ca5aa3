"""An auditor checks the year's finished cases, and who did what on one of them.

She filters the cases finished this year, sees how many match, downloads the
CSV and reads the rows it holds; she has the case files gathered into a ZIP,
waits for it and checks its manifest against the PDFs inside; she browses the
audit log of the rider's wage dispute that a caseworker took, mediated, was
paid on (voiding a mistaken payment) and closed, and sees each step with the
name of whoever took it; on that case's page she finds no button that would
change it, and a request forged with her own session is refused.

The cases are made beforehand through the services (as journey 1 leaves its
case behind), so their numbers, clocks and audit entries are the real ones.
The ZIP is built by a background task: here Django's ImmediateBackend runs it
within the request that queues it (the live server's thread reads the same
settings), and the test still waits for the Download link as a user would.

In Chinese, in headless Chromium; screenshots go to test-artifacts/auditor-*.png.
"""

import csv
import datetime
import hashlib
import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Kind, Outcome, Payment, State, WageDispute
from casework.models import AuditEntry
from reports import exports
from reports.models import ExportJob
from tests import factories
from tests.browser.conftest import login
from tests.browser.helpers import (
    action_offered,
    choice,
    csrf_token,
    csv_rows,
    exactly,
    expect_message,
    money_totals,
    only_label,
    pdf_text_of,
    said,
    said_count,
    screenshot,
    squeezed,
    totals_pattern,
    zh,
)

pytestmark = pytest.mark.browser

# The steps a wage dispute takes from intake to closed, each by its caseworker.
ROAD = [
    (State.INTAKE, State.ACCEPTED),
    (State.ACCEPTED, State.INVESTIGATING),
    (State.INVESTIGATING, State.MEDIATING),
    (State.MEDIATING, State.AGREEMENT),
    (State.AGREEMENT, State.PERFORMED),
    (State.PERFORMED, State.CLOSED),
]
VOID_REASON = "录入错误：该笔转账已被银行退回，未实际到账"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ZIP_READY_WITHIN = 60  # seconds
# Forms whose target would change a case: transitions, records, assignment, taking, voiding.
CHANGING_FORMS = ", ".join(
    f"form[action*='{part}']" for part in ("/do/", "/record/", "/assign/", "/take/", "/void/")
)


def shown(label) -> re.Pattern:
    """A choice's label as a page shows it, capitalised or not (Chinese, or the source)."""
    return re.compile(f"{re.escape(choice(label))}|{re.escape(choice(label, 'en'))}", re.I)


def who(user) -> re.Pattern:
    """How the audit log names a member of staff: full name and login name."""
    return re.compile(f"^{re.escape(user.full_name)} \\({re.escape(user.username)}\\)$")


@pytest.fixture
def rider(office, caseworker2):
    return factories.WorkerFactory(office=office, created_by=caseworker2, name="欧阳晓燕")


@pytest.fixture
def closed_dispute(office, caseworker, caseworker2, rider) -> WageDispute:
    """Journey 1's case: recorded by a colleague, taken and closed by the caseworker,
    paid ¥9,000 in three instalments, with a mistaken fourth payment voided."""
    dispute = factories.wage_dispute(
        office, by=caseworker2, workers=[rider], claimed=Decimal("9000.00")
    )
    dispute = factories.walk_to(dispute, State.AGREEMENT, caseworker)
    today = timezone.localdate()
    paid = [
        services.record_payment(
            case=dispute,
            by=caseworker,
            worker=rider,
            paid_on=today - datetime.timedelta(days=n),
            amount=Decimal("3000.00"),
            method=method,
            reference=f"转账 42000012{n}",
        )
        for n, method in enumerate(
            [Payment.Method.BANK, Payment.Method.WECHAT, Payment.Method.ALIPAY, Payment.Method.BANK]
        )
    ]
    services.void_payment(payment=paid[-1], by=caseworker, reason=VOID_REASON)
    return factories.walk_to(WageDispute.objects.get(pk=dispute.pk), State.CLOSED, caseworker)


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run at once, in the request that enqueues them."""
    settings.TASKS = IMMEDIATE_TASKS


def test_an_auditor_exports_the_years_finished_cases_and_reads_a_cases_log(
    page,
    artifacts_dir,
    immediate_tasks,
    document_storage,
    office,
    caseworker,
    caseworker2,
    auditor,
    rider,
    closed_dispute,
):
    def shot(name: str) -> None:
        screenshot(page, artifacts_dir, f"auditor-{name}")

    today = timezone.localdate()
    # Another case finished this year: declined at intake by the colleague.
    applicant = factories.WorkerFactory(office=office, created_by=caseworker2, name="黄秀英")
    declined = factories.wage_dispute(
        office, by=caseworker2, workers=[applicant], state=State.DECLINED
    )
    # Neither a case finished last year nor an open one is exported.
    last_year = factories.wage_dispute(office, by=caseworker, state=State.CLOSED)
    Case.objects.filter(pk=last_year.pk).update(
        finished_at=datetime.datetime(today.year - 1, 6, 30, 2, tzinfo=datetime.UTC)
    )
    still_open = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)

    login(page, auditor.username, factories.PASSWORD)

    # --- the export page: this year's finished cases ----------------------------------------
    main_nav = page.get_by_role("navigation", name=exactly("Main"))
    main_nav.get_by_role("link", name=exactly("Export finished cases")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Export finished cases"))
    page.get_by_label(only_label("finished from")).fill(f"{today.replace(month=1, day=1):%Y-%m-%d}")
    page.get_by_label(only_label("finished until")).fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name=exactly("Count matching cases")).click()
    matching = page.get_by_role("region", name=exactly("Matching"))
    expect(matching.get_by_role("status")).to_have_text(
        said_count(
            "%(counter)s finished case matches (%(rows)s rows: one per worker).",
            "%(counter)s finished cases match (%(rows)s rows: one per worker).",
            2,
            rows=2,
        )
    )
    shot("01-export")

    with page.expect_download() as csv_download:
        matching.get_by_role("link", name=exactly("Download CSV")).click()
    download = csv_download.value
    period = f"{today.replace(month=1, day=1).isoformat()}-{today.isoformat()}"
    assert download.suggested_filename == f"finished-cases-{period}.csv"
    header, *lines = csv_rows(download)
    assert header == [choice(column.title) for column in exports.COLUMNS]
    rows = {line[0]: dict(zip(exports.NAMES, line, strict=True)) for line in lines}
    assert sorted(rows) == sorted([closed_dispute.number, declined.number])
    assert last_year.number not in rows and still_open.number not in rows

    paid = rows[closed_dispute.number]
    assert paid["worker_name"] == rider.name
    assert paid["caseworker"] == caseworker.full_name
    assert paid["case_kind"] == choice(Kind.WAGE_DISPUTE.label)
    assert paid["outcome"] == choice(Outcome.PERFORMED.label)
    assert paid["finished"] == today.isoformat()
    # Recovered counts the three valid instalments, not the voided fourth.
    assert (paid["claimed"], paid["agreed"], paid["recovered"]) == ("9000.00",) * 3
    assert paid["id_masked"] == rider.id_masked

    refused = rows[declined.number]
    assert refused["worker_name"] == applicant.name
    assert refused["caseworker"] == caseworker2.full_name
    assert refused["outcome"] == choice(Outcome.DECLINED.label)
    assert (refused["claimed"], refused["recovered"]) == ("3000.00", "0.00")

    # --- the case files, gathered into a ZIP in the background -----------------------------
    matching.get_by_role("button", name=exactly("Build the case files (ZIP)")).click()
    expect_message(
        page, "The case files are being gathered into a ZIP. This page shows when it is ready."
    )
    jobs = page.get_by_role("region", name=exactly("Case files (ZIP)"))
    ready = jobs.get_by_role("link", name=exactly("Download"))
    deadline = time.monotonic() + ZIP_READY_WITHIN
    while True:  # the page reloads itself while the job runs; so does a user waiting
        try:
            expect(ready).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            assert time.monotonic() < deadline, f"no ZIP ready within {ZIP_READY_WITHIN} s"
            page.reload()
    job_row = jobs.get_by_role("row").filter(has=page.get_by_role("link", name=exactly("Download")))
    expect(job_row).to_contain_text(shown(ExportJob.Status.DONE.label))
    expect(job_row).to_contain_text(
        said_count("%(done)s of %(counter)s case", "%(done)s of %(counter)s cases", 2, done=2)
    )
    shot("02-zip-ready")

    with page.expect_download() as zip_download:
        ready.click()
    bundle = zip_download.value
    assert bundle.suggested_filename == f"case-files-{today.isoformat()}.zip"
    with zipfile.ZipFile(Path(bundle.path())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest_text = members.pop("manifest.csv").decode("utf-8")
    assert manifest_text.startswith("\ufeff"), "the manifest starts with a byte-order mark"
    manifest_header, *manifest = csv.reader(io.StringIO(manifest_text[1:]))
    assert manifest_header == ["case_number", "file", "sha256", "bytes"]
    # The case files of the cases the CSV holds, in the order they finished; nothing else.
    assert [line[0] for line in manifest] == [closed_dispute.number, declined.number]
    assert sorted(members) == sorted(line[1] for line in manifest)
    for number, name, sha256, size in manifest:
        pdf = members[name]
        assert pdf.startswith(b"%PDF-"), name
        assert hashlib.sha256(pdf).hexdigest() == sha256, name
        assert len(pdf) == int(size), name
        assert number in pdf_text_of(pdf)
    rider_file = pdf_text_of(members[manifest[0][1]])
    assert rider.name in rider_file and squeezed(VOID_REASON) in rider_file

    # --- the audit log of the rider's case: who did what ----------------------------------
    main_nav.get_by_role("link", name=exactly("Audit log")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Audit log"))
    # Her own exports are on the record, with her name: the CSV and the ZIP, and its download.
    entries = page.get_by_role("row")
    hers = entries.filter(has=page.get_by_role("cell", name=who(auditor)))
    expect(hers.filter(has_text=shown(AuditEntry.Action.EXPORT_FINISHED.label))).to_have_count(2)
    expect(hers.filter(has_text=shown(AuditEntry.Action.DOCUMENT_DOWNLOADED.label))).to_have_count(
        1
    )

    case_number = page.get_by_label(only_label("case number"))
    if not case_number.is_visible():  # the filters fold away on narrow screens
        page.locator("summary").filter(has_text=said("Filters")).click()
    case_number.fill(closed_dispute.number)
    page.get_by_role("button", name=exactly("Filter")).click()
    expect(page.get_by_role("link", name=closed_dispute.number).first).to_be_visible()
    shot("03-log")

    # Every entry is about this case; nothing of the others.
    rows_shown = entries.filter(has=page.get_by_role("cell"))
    expect(rows_shown.filter(has_text=closed_dispute.number)).to_have_count(rows_shown.count())
    expect(page.get_by_text(declined.number)).to_have_count(0)

    def by(user):
        return rows_shown.filter(has=page.get_by_role("cell", name=who(user)))

    expect(
        by(caseworker2).filter(has_text=shown(AuditEntry.Action.CASE_OPENED.label))
    ).to_have_count(1)
    expect(by(caseworker).filter(has_text=shown(AuditEntry.Action.ASSIGNED.label))).to_have_count(1)
    for source, target in ROAD:
        step = f"{choice(State(source).label)} → {choice(State(target).label)}"
        expect(by(caseworker).filter(has_text=step)).to_have_count(1)
    expect(by(caseworker).filter(has_text=shown(AuditEntry.Action.PAYMENT.label))).to_have_count(4)
    voided = by(caseworker).filter(has_text=shown(AuditEntry.Action.PAYMENT_VOIDED.label))
    expect(voided).to_have_count(1)
    expect(voided).to_contain_text(VOID_REASON)  # the case is finished: its content is shown

    # --- the case's page: nothing on it would change the case --------------------------------
    rows_shown.first.get_by_role("link", name=closed_dispute.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(closed_dispute.number)
    expect(page.get_by_role("heading", level=1)).to_contain_text(shown(State.CLOSED.label))
    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 9000, 0))
    shot("04-case")
    expect(page.locator("form")).not_to_have_count(0)  # the top bar's forms: the check can see
    expect(page.locator(CHANGING_FORMS)).to_have_count(0)
    expect(page.get_by_role("heading", name=exactly("What you can do now"))).to_have_count(0)
    for title in ("Take this case", "Reopen", "Record a payment", "Void payment"):
        expect(action_offered(page, title)).to_have_count(0)
    expect(page.locator("summary").filter(has_text=said("Void"))).to_have_count(0)

    # A request forged with her own session and CSRF token is refused, and changes nothing.
    forged = page.request.post(
        f"/cases/{closed_dispute.number}/do/reopen/",
        form={
            "csrfmiddlewaretoken": csrf_token(page),
            "expected_state": State.CLOSED,
            "note": "复查",
        },
        max_redirects=0,
    )
    assert forged.status == 403, forged.text()[:500]
    assert zh("Only the assigned caseworker or a supervisor may change this case.") in forged.text()
    assert WageDispute.objects.get(pk=closed_dispute.pk).state == State.CLOSED
