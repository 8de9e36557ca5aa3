"""Read-only means read-only: an auditor requests every URL of the application, with
every method, and no case, worker, payment, approval, document or setting changes.

The URLs are not listed by hand: every pattern of the URLconf is resolved and its
parameters are filled with real objects (each case's own transitions, records,
payments, documents and workers; each admin model's own rows). A pattern with a
parameter this test cannot fill fails the test, so a new URL cannot slip past it.
The audit log, sessions and export jobs may grow; nothing else may change, and no
request may crash.
"""

import datetime
import itertools
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from cases import services
from cases.models import Case, Document, Kind, State
from cases.views import COMMON_RECORDS, PAGES
from casework import reference
from casework.models import HolidaySchedule, ServiceTally
from members import services as members_services
from members.models import Source
from public import services as public_services
from reminders.models import Clock, Reminder, Threshold
from tests import factories

pytestmark = pytest.mark.django_db

# What may grow: the record of what was looked at, logins, and export jobs.
MAY_GROW = {
    "casework.auditentry",
    "casework.auditchainhead",  # moves on with every audit entry
    "sessions.session",
    "reports.exportjob",
    "django_tasks_database.dbtaskresult",
    "cases.storedcasefile",  # a finished case's case file, kept on its first print
    # The auditor's own recovery codes, which they may renew: their account's
    # security, not data they audit.
    "otp_static.staticdevice",
    "otp_static.statictoken",
    # The figures' working-day numbers: derived from the holiday calendar, filled on
    # the first read of the figures (reports.periods.ensure_working_days).
    "reports.workingday",
    # The public pages' counters: every post to a public form counts against its
    # address (the auditor's posts too), which is what the limit is for.
    "public.publiccounter",
}
METHODS = ["get", "post", "put", "patch", "delete"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>(?P<body>[^)]*)\)")


def routes(resolver=None, prefix=""):
    """Every URL pattern of the URLconf, as its full route text."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def parameters(route: str) -> dict[str, str]:
    """name -> the regex group's body ('' for a path converter)."""
    return {m["name"] or m["group"]: m["body"] or "" for m in PARAMETER.finditer(route)}


def fill(route: str, values: dict) -> str:
    def value(match):
        return str(values[match["name"] or match["group"]])

    return "/" + PARAMETER.sub(value, route).replace("^", "").replace("$", "")


def attach(case, by, title):
    upload = SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
    return services.add_document(
        case=case,
        by=by,
        upload=upload,
        content_type="application/pdf",
        doc_type=Document.Type.EVIDENCE,
        title=title,
    )


@pytest.fixture
def world(cases, office, caseworker, admin_user, document_storage):
    """Every kind of row an auditor could try to change: the `cases` fixture's
    finished and open cases, documents on an open and a finished case, settings,
    a 低保 line and a holiday schedule."""
    attach(cases["open_dispute"], caseworker, "工资条")
    withdrawn = factories.wage_dispute(office, by=caseworker, state=State.ACCEPTED)
    attach(withdrawn, caseworker, "撤回申请书")
    withdrawn = factories.walk_to(withdrawn, State.WITHDRAWN, caseworker, via=State.ACCEPTED)
    reference.change_setting(key=reference.Key.UNION_NAME, value="随州市总工会", by=admin_user)
    HolidaySchedule.objects.create(year=2027, holidays="2027-01-01", entered_by=admin_user)
    # A station whose tally of today is still editable (by its office's staff).
    station = factories.StationFactory(office=office)
    ServiceTally.objects.create(station=station, day=timezone.localdate(), service="rest", count=3)
    # A caseworker's notification: opening it would mark it read.
    reminder = Reminder.objects.create(
        clock=Clock.values[0],
        case=cases["open_dispute"],
        threshold=Threshold.values[0],
        due_on=timezone.localdate(),
        recipient=caseworker,
    )
    # An application to join waiting for review, and a membership drive.
    application = members_services.submit_application(
        office=office,
        source=Source.ONLINE,
        name="李娜",
        mobile="13912345670",
        id_number=factories.id_number(777),
        occupation="rider",
        employer="美团",
        consent_purposes=True,
    )
    event = members_services.create_event(
        by=caseworker, office=office, name="骑手入会日", date=timezone.localdate(), place="驿站"
    )
    # An online request waiting in the office's queue, from the station's QR code.
    online = public_services.submit_request(
        office=office,
        station=station,
        kind="wage",
        name="王小明",
        mobile="13912345678",
        occupation="rider",
        employer="美团",
        description="拖欠配送费",
        amount_owed=None,
        consent_contact=False,
    )
    numbered = ("dispute", "aid", "card", "declined", "open_dispute", "open_aid")
    return {
        "cases": [cases[k] for k in numbered] + [withdrawn],
        "stations": [station.pk],
        "notifications": [reminder.pk],
        "applications": [application.pk],
        "events": [event.pk],
        "event_ids": [event.public_id],
        "online_requests": [online.pk],
        "storage": document_storage,
    }


def printable_documents() -> list[str]:
    try:
        return list(import_module("cases.documents").PRINTABLES)
    except (ImportError, AttributeError):
        return ["case-file"]


def case_values(case: Case, route: str, name: str) -> list:
    """Values for a case URL's other parameter, taken from the case itself."""
    specific = case.specific()
    if name == "name":
        return sorted({t.name for t in specific.get_all_state_transitions()})
    if name == "action":
        return [*COMMON_RECORDS, *PAGES[case.kind].records]
    if name == "pk" and "/payments/" in route:
        return (
            list(specific.payments.values_list("pk", flat=True))
            if case.kind == Kind.WAGE_DISPUTE
            else []
        )
    if name == "pk":
        return list(case.documents.values_list("pk", flat=True))
    if name == "worker":
        return list(case.workers.values_list("pk", flat=True))
    if name == "document":
        return printable_documents()
    raise AssertionError(f"{route}: no values for <{name}>; add them to this test")


def admin_values(route: str, name: str, body: str) -> list:
    model_route = re.match(r"admin/(\w+)/(\w+)/", route)
    if name == "app_label":
        return body.split("|")
    if name == "url":
        return ["nothing-here/"]
    if name in ("object_id", "id") and model_route:
        model = apps.get_model(*model_route.groups())
        return list(model._base_manager.order_by("pk").values_list("pk", flat=True)[:2]) or [1]
    if name == "content_type_id":
        return [ContentType.objects.get_for_model(Case).pk]
    if name == "object_id":
        return [Case.objects.order_by("pk").values_list("pk", flat=True).first()]
    raise AssertionError(f"{route}: no values for <{name}>; add them to this test")


def every_url(world) -> list[str]:
    urls = []
    workers = sorted({w.pk for case in world["cases"] for w in case.workers.all()})
    for route in routes():
        params = parameters(route)
        combos: list[dict] = []
        if not params:
            combos = [{}]
        elif "number" in params:
            others = [p for p in params if p != "number"]
            for case in world["cases"]:
                choices = [case_values(case, route, p) for p in others]
                combos += [
                    {"number": case.number, **dict(zip(others, chosen, strict=True))}
                    for chosen in itertools.product(*choices)
                ]
        elif route.startswith("workers/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in workers]
        elif route.startswith("workers/") and set(params) == {"pk", "format"}:
            combos = [{"pk": pk, "format": f} for pk in workers for f in ("pdf", "json")]
        elif route.startswith("figures/") and set(params) == {"table", "format"}:
            combos = [
                {"table": table, "format": format}
                for table in ("headline", "months", "offenders")
                for format in ("csv", "xlsx")
            ]
        elif route.startswith("stations/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["stations"]]
        elif route.startswith("notifications/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["notifications"]]
        elif route.startswith("members/applications/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["applications"]]
        elif route.startswith("members/events/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["events"]]
        elif route.startswith("p/station/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["stations"]]
        elif route.startswith("p/event/") and set(params) == {"public_id"}:
            combos = [{"public_id": public_id} for public_id in world["event_ids"]]
        elif route.startswith("online-requests/") and set(params) == {"pk"}:
            combos = [{"pk": pk} for pk in world["online_requests"]]
        elif route.startswith("admin/"):
            choices = [admin_values(route, p, body) for p, body in params.items()]
            combos = [
                dict(zip(params, chosen, strict=True)) for chosen in itertools.product(*choices)
            ]
        else:
            raise AssertionError(f"{route}: no values for {sorted(params)}; add them to this test")
        urls += [fill(route, combo) for combo in combos]
    return urls


def snapshot(storage) -> dict:
    """Every row of every table that must not change, and the document files."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in MAY_GROW:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        if label == "casework.user":
            for row in rows:
                row.pop("last_login")  # a login's own mark, not a change to the account
        state[label] = rows
    state["document files"] = (
        sorted(
            str(p.relative_to(storage))
            for p in storage.rglob("*")
            if p.is_file() and p.relative_to(storage).parts[0] != "case-files"
        )
        if storage.exists()
        else []
    )
    return state


def payload(case: Case | None, worker_pk: int, staff_pk: int) -> dict:
    """Form fields every write of the application reads: were a check missing, this
    is what would get through."""
    today = datetime.date(2026, 5, 8).isoformat()
    return {
        "expected_state": case.state if case else "",
        "reason": "审计测试",
        "note": "审计测试",
        "body": "审计测试",
        "outcome_note": "审计测试",
        "comment": "同意",
        "amount": "100",
        "paid_on": today,
        "on": today,
        "signed_on": today,
        "method": "bank",
        "means": "银行转账",
        "receipt": "R-1",
        "reference": "R-1",
        "worker": worker_pk,
        "assignee": staff_pk,
        "back_to": "intake",
        "forum": "arbitration",
        "body_name": "仲裁委员会",
        "card_number": "HGK-999999",
        "notes": "已核验",
        "aid_type": "cash",
        "category": "deep",
        "channel": "call",
        "with_whom": "申请人",
        "occurred_at": f"{today} 10:00",
        "summary": "审计测试",
        "doc_type": "evidence",
        "title": "审计测试",
        "upload": SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf"),
        "name": "审计测试",
        "type": "platform",
        "role": "platform",
        "matters": "审计测试",
        "key": "union_name",
        "value": "审计改名",
        "residence": "urban",
        "occupation": "rider",
        "username": "sun.li",
        "password": factories.PASSWORD,
        "language": "en",
        "post": "yes",
        "rest": "99",  # a station's tally
        "water": "99",
    }


@pytest.mark.parametrize("method", METHODS)
def test_an_auditor_changes_nothing_with_any_method_on_any_url(
    client, auditor, caseworker, world, method
):
    urls = every_url(world)
    assert len(urls) > 150
    numbers = {case.number: case for case in world["cases"]}
    worker_pk = world["cases"][0].workers.first().pk
    before = snapshot(world["storage"])
    answered = {}

    for url in urls:
        factories.sign_in(client, auditor)  # again: some URLs log out
        resolve(url.split("?")[0])  # the URL is one of the application's
        case = next((numbers[n] for n in numbers if f"/{n}/" in url), None)
        data = payload(case, worker_pk, caseworker.pk)
        if method == "get":
            response = client.get(url)
        elif method == "post":
            response = client.post(url, data)
        else:  # the same form, as the body of a PUT, PATCH or DELETE
            body = encode_multipart(BOUNDARY, data)
            response = client.generic(method.upper(), url, body, content_type=MULTIPART_CONTENT)
        if response.streaming:
            b"".join(response.streaming_content)
        answered[url] = response.status_code

    after = snapshot(world["storage"])
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, (
        f"{method.upper()} changed {changed}; URLs answered 2xx: "
        f"{[u for u, s in answered.items() if 200 <= s < 300]}"
    )
    assert all(status < 500 for status in answered.values())
