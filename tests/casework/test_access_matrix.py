"""The access matrix, generated from the URL configuration (issue 16).

Every URL pattern with an object in it (a case number, a worker, a payment, a
document, an admin object, ...) is requested by every role with an object out of
that role's scope — a caseworker and a supervisor of another office, an auditor
(for an open case), an administrator without a role, and an anonymous visitor —
by GET and by POST. Each must answer 404 or 403 (405 where the view takes only the
other method), or send an anonymous visitor (and, for the admin, anyone who is not
staff) to log in; and nothing may change: not the audit log, not the object.

A pattern the test cannot build an object for must be listed in NOT_BUILT with the
reason, so that a new URL without coverage fails `test_every_url_with_an_object_is_covered`.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cases import services
from cases.models import Case, Document, Note, Payment, State, Worker
from casework.models import AuditEntry, District, Office, ServiceTally, User
from members import services as member_services
from members.models import Member, MembershipApplication, MembershipEvent
from public import services as public_services
from public.models import OnlineRequest
from reminders.models import Clock, Reminder, Threshold
from reports.models import ExportJob, RetentionPeriod
from tests import factories
from tests.cases.test_access import attach_pdf
from tests.factories import wage_dispute

pytestmark = pytest.mark.django_db

SESSION_ACTIONS = ("login", "logout", "login_failed")
ROLES = ["other_caseworker", "other_supervisor", "auditor", "admin_user", "anonymous"]


# --- the URL configuration ---------------------------------------------------------------------


def patterns(resolvers=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, names with their namespaces."""
    for p in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(p, URLResolver):
            inner = ":".join(filter(None, [namespace, p.namespace or ""]))
            yield from patterns(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ":".join(filter(None, [namespace, p.name or ""]))


def with_object(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\(\?P<", route))


ADMIN_OBJECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<(?:path:)?(?:object_)?id>/")

# Patterns (by name, or by route where they have none) with something in them that is
# not an object out of someone's scope.
NOT_BUILT = {
    "admin:app_list": (
        "an app's index in the admin names no object; test_privilege checks what a "
        "role-less administrator sees there"
    ),
    "admin/(?P<url>.*)$": "the admin's catch-all: any other address under /admin/ is a 404",
    **{
        name: (
            "a public page (a station's or a drive's, from its QR code): open to everyone "
            "by design, without a login (tests/public/test_pages.py)"
        )
        for name in (
            "public:station",
            "public:station_help",
            "public:station_join",
            "public:event",
            "public:event_count",
        )
    },
    **{
        name: (
            "the API: no session reaches it, only a token of the right scope and office "
            "(tests/api/: every scope against every endpoint, other offices' cases 404)"
        )
        for name in ("api:case", "api:finished_case")
    },
    "reports:figures_table": (
        "a table of the figures page, by name and format: no object, and its figures are "
        "those of the user's own scope (tests/reports/test_figures.py)"
    ),
}


def not_built(route: str, name: str) -> bool:
    return route in NOT_BUILT or name in NOT_BUILT


# Admin models that hold case content: a role-less administrator must get 403 there.
# The others are the administrator's own work (accounts, offices, reference data,
# sign-in lockouts, background jobs): no role's scope to be outside of. Every role
# without staff status is sent to the admin's login page for all of them.
ADMIN_CASE_CONTENT = {
    "cases.case",
    "cases.wagedispute",
    "cases.payment",
    "cases.worker",
    "cases.counterparty",
    "casework.auditentry",
}
ADMIN_OWN = {
    "casework.user": "accounts are the administrator's to manage",
    "auth.group": "roles are the administrator's to manage",
    "casework.office": "offices are reference data the administrator edits",
    "casework.district": "districts are reference data the administrator edits",
    "casework.holidayschedule": "the holiday calendar is reference data",
    "casework.minimumwage": "minimum wages are reference data",
    "reminders.officelimits": "an office's deadline limits are reference data",
    "reports.retentionperiod": "retention periods are reference data",
    "casework.station": "service stations are reference data the administrator edits",
    "casework.servicetally": "stations' daily counts (read-only there): no person in them",
    "axes.accessattempt": "unlocking sign-ins is the administrator's job",
    "axes.accesslog": "sign-in records are the administrator's to read",
    "axes.accessfailurelog": "failed sign-ins are the administrator's to read",
    "django_tasks_database.dbtaskresult": "background jobs are the administrator's to watch",
    "api.apitoken": "issuing and revoking other systems' tokens is the administrator's job",
}


# --- a world with objects in one office -----------------------------------------------------


@pytest.fixture
def world(office, caseworker, supervisor, document_storage, city, settings, tmp_path):
    """An open wage dispute of `office` (assigned, with a payment, a note and a
    document) naming a worker registered there, an export job of another auditor,
    and a row of every admin model. Everything is outside the scope of the roles."""
    worker = factories.WorkerFactory(office=office, created_by=caseworker, phone="13500001111")
    case = wage_dispute(office, by=caseworker, workers=[worker], state=State.AGREEMENT)
    payment = services.record_payment(
        case=case,
        by=caseworker,
        worker=worker,
        paid_on=datetime.date(2026, 5, 8),
        amount=800,
        method=Payment.Method.BANK,
    )
    document = attach_pdf(case, caseworker)
    services.add_note(case=case, by=caseworker, body="回访")
    someone_else = factories.auditor(username="other.auditor")
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(
        format="zip", requested_by=someone_else, status=ExportJob.Status.DONE
    )
    job.file.save("bundle.zip", ContentFile(b"PK"))
    RetentionPeriod.objects.create(kind="WD", years=10)
    District.objects.get_or_create(name="曾都区")
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.9", failures_since_start=1)
    reminder = Reminder.objects.create(
        clock=Clock.choices[0][0],
        case=case,
        threshold=Threshold.choices[0][0],
        due_on=datetime.date(2026, 5, 20),
        recipient=caseworker,
    )
    station = factories.StationFactory(office=office)
    ServiceTally.objects.create(
        station=station, day=timezone.localdate(), service="rest", count=3, recorded_by=caseworker
    )
    application = member_services.submit_application(
        office=office,
        source="online",
        name="王芳",
        mobile="13600001111",
        id_number=factories.id_number(4242),
        occupation="rider",
        consent_purposes=True,
    )
    drive = member_services.create_event(
        by=caseworker, office=office, name="骑手入会日", date=timezone.localdate(), place="广场"
    )
    online = public_services.submit_request(
        office=office,
        station=station,
        kind="wage",
        name="王小明",
        mobile="13500001111",
        occupation="rider",
        employer="美团",
        description="拖欠配送费",
        amount_owed=None,
        consent_contact=False,
    )
    return {
        "online": online,
        "application": application,
        "drive": drive,
        "case": case,
        "worker": worker,
        "payment": payment,
        "document": document,
        "job": job,
        "reminder": reminder,
        "caseworker": caseworker,
        "station": station,
    }


def admin_object(app: str, model: str, w) -> str:
    """The pk of a row of an admin model (the world's own where it has one)."""
    ct = ContentType.objects.get(app_label=app, model=model)
    own = {"cases.case": w["case"], "cases.wagedispute": w["case"], "cases.worker": w["worker"]}
    obj = own.get(f"{app}.{model}") or ct.model_class()._default_manager.order_by("pk").first()
    if obj is None:
        # Only for the administrator's own models, which nobody else may open at all.
        assert f"{app}.{model}" not in ADMIN_CASE_CONTENT, f"the world has no {app}.{model}"
        return "1"
    return str(obj.pk)


# What each object URL is asked with: its path, and the POST a scoped user would send.
CASE = lambda w: w["case"].number  # noqa: E731
BUILT = {
    "cases:case": (lambda w: f"/cases/{CASE(w)}/", {}),
    "cases:take": (lambda w: f"/cases/{CASE(w)}/take/", {}),
    "cases:assign": (
        lambda w: f"/cases/{CASE(w)}/assign/",
        lambda w: {"assignee": w["caseworker"].pk, "note": "接手"},
    ),
    "cases:transition": (
        lambda w: f"/cases/{CASE(w)}/do/mark_performed/",
        lambda w: {"expected_state": State.AGREEMENT, "note": "已履行"},
    ),
    "cases:record": (lambda w: f"/cases/{CASE(w)}/record/note/", {"body": "越权的备注"}),
    "cases:void_payment": (
        lambda w: f"/cases/{CASE(w)}/payments/{w['payment'].pk}/void/",
        {"reason": "重复录入"},
    ),
    "cases:document": (lambda w: f"/cases/{CASE(w)}/documents/{w['document'].pk}/", {}),
    "cases:print": (lambda w: f"/cases/{CASE(w)}/print/case-file/", {}),
    "cases:worker": (lambda w: f"/workers/{w['worker'].pk}/", {}),
    "cases:worker_edit": (
        lambda w: f"/workers/{w['worker'].pk}/edit/",
        {"name": "改名", "occupation": "rider", "residence": "urban", "phone": "13500002222"},
    ),
    "cases:worker_reveal": (lambda w: f"/workers/{w['worker'].pk}/reveal/", {}),
    "assistance:aid_from_dispute": (
        lambda w: f"/cases/{CASE(w)}/aid-for/{w['worker'].pk}/",
        {"circumstances": "家庭困难"},
    ),
    "audit:hold": (lambda w: f"/audit/cases/{CASE(w)}/hold/", {"hold": "on"}),
    # The caseworker's own notification: nobody else opens (and marks read) it.
    "reminders:open": (lambda w: f"/notifications/{w['reminder'].pk}/", {}),
    # Another office's station: its day's tally is neither shown nor recorded.
    "station_tally": (
        lambda w: f"/stations/{w['station'].pk}/tally/?day={timezone.localdate().isoformat()}",
        lambda w: {"day": timezone.localdate().isoformat(), "rest": "99"},
    ),
    "audit:subject_access": (lambda w: f"/workers/{w['worker'].pk}/personal-data.json", {}),
    # Another office's application to join, and its membership drive.
    "members:application": (lambda w: f"/members/applications/{w['application'].pk}/", {}),
    "members:approve": (lambda w: f"/members/applications/{w['application'].pk}/approve/", {}),
    "members:merge": (
        lambda w: f"/members/applications/{w['application'].pk}/merge/",
        lambda w: {"worker": w["worker"].pk},
    ),
    "members:decline": (
        lambda w: f"/members/applications/{w['application'].pk}/decline/",
        {"reason": "越权"},
    ),
    "members:event": (lambda w: f"/members/events/{w['drive'].pk}/", {}),
    "members:roster": (lambda w: f"/members/events/{w['drive'].pk}/roster/", {}),
    "members:roster_confirm": (lambda w: f"/members/events/{w['drive'].pk}/roster/confirm/", {}),
    # Another office's online request: not shown, not opened, not declined.
    "public:request": (lambda w: f"/online-requests/{w['online'].pk}/", {}),
    "public:register": (
        lambda w: f"/online-requests/{w['online'].pk}/register/",
        {"name": "王小明", "phone": "13500003333", "occupation": "rider", "consent": "on"},
    ),
    "public:open": (
        lambda w: f"/online-requests/{w['online'].pk}/open/?worker={w['worker'].pk}",
        {"channel": "online", "circumstances": "越权"},
    ),
    "public:decline": (lambda w: f"/online-requests/{w['online'].pk}/decline/", {"reason": "越权"}),
    # Another office's station's and drive's QR code and posters (public/poster_urls.py).
    "posters:station_qr": (lambda w: f"/stations/{w['station'].pk}/qr.svg", {}),
    "posters:station_poster_a4": (lambda w: f"/stations/{w['station'].pk}/poster-a4.pdf", {}),
    "posters:station_poster_a5": (lambda w: f"/stations/{w['station'].pk}/poster-a5.pdf", {}),
    "posters:event_qr": (lambda w: f"/members/events/{w['drive'].pk}/qr.svg", {}),
    "posters:event_poster_a4": (lambda w: f"/members/events/{w['drive'].pk}/poster-a4.pdf", {}),
    "posters:event_poster_a5": (lambda w: f"/members/events/{w['drive'].pk}/poster-a5.pdf", {}),
    "admin:view_on_site": (
        lambda w: f"/admin/r/{ContentType.objects.get_for_model(Case).pk}/{w['case'].pk}/",
        {},
    ),
}
# Objects named in the query string rather than the path: asked for all the same.
QUERY_OBJECTS = {
    # Joining at the desk, for another office's worker.
    "members:join": (lambda w: f"/members/join/?worker={w['worker'].pk}", {}),
    "audit:export_download": (
        lambda w: f"/audit/exports/case-files.zip?job={w['job'].pk}",
        {},
    ),
}


def admin_route(route: str, w) -> tuple[str, str] | None:
    """(path, model label) of an admin object pattern, or None for other routes."""
    match = ADMIN_OBJECT.match(route)
    if not match:
        return None
    app, model = match["app"], match["model"]
    pk = admin_object(app, model, w)
    path = "/" + re.sub(r"<[^>]+>", pk, route)
    return path, f"{app}.{model}"


def snapshot(w) -> tuple:
    """Everything a request out of scope could change."""
    case = w["case"]
    return (
        AuditEntry.objects.exclude(action__in=SESSION_ACTIONS).count(),
        list(
            Case.objects.filter(pk=case.pk).values_list(
                "state", "assignee_id", "audit_hold", "finished_at", "updated_at"
            )
        ),
        list(Worker.objects.values_list("pk", "name", "phone", "id_hash", "office_id")),
        Note.objects.count(),
        list(Payment.objects.values_list("pk", "voided_at")),
        Document.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        Group.objects.count(),
        Office.objects.count(),
        District.objects.count(),
        list(RetentionPeriod.objects.values_list("pk", "years")),
        AccessAttempt.objects.count(),
        ExportJob.objects.filter(file="").count(),
        list(Reminder.objects.values_list("pk", "read_at")),
        list(ServiceTally.objects.values_list("pk", "count")),
        list(MembershipApplication.objects.values_list("pk", "state")),
        Member.objects.count(),
        MembershipEvent.objects.count(),
        list(OnlineRequest.objects.values_list("pk", "state", "case_id")),
    )


def requests_for(w) -> list[tuple[str, str, str, dict]]:
    """(name, model label or "", path, POST data) for every object URL."""
    asked = []
    for route, name in patterns():
        if not with_object(route) or not_built(route, name):
            continue
        admin = admin_route(route, w)
        if admin:
            asked.append((name or route, admin[1], admin[0], {}))
            continue
        path, data = BUILT[name]
        asked.append((name, "", path(w), data(w) if callable(data) else data))
    for name, (path, data) in QUERY_OBJECTS.items():
        asked.append((name, "", path(w), data))
    return asked


def refused(response, *, anonymous: bool, staff: bool, admin_path: bool) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 302:
        location = response["Location"]
        if anonymous:
            return location.startswith(("/login/", "/admin/login/"))
        return admin_path and not staff and location.startswith("/admin/login/")
    return False


def test_every_url_with_an_object_is_covered():
    uncovered = [
        (route, name)
        for route, name in patterns()
        if with_object(route)
        and not not_built(route, name)
        and name not in BUILT
        and not ADMIN_OBJECT.match(route)
    ]
    assert uncovered == [], "add these to BUILT (or NOT_BUILT, with the reason)"
    admin_models = {
        f"{m['app']}.{m['model']}" for r, _n in patterns() if (m := ADMIN_OBJECT.match(r))
    }
    assert admin_models <= ADMIN_CASE_CONTENT | set(ADMIN_OWN), (
        "say which side each admin model is on"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_object_url_refuses_a_role_out_of_its_scope_and_changes_nothing(
    request, login_as, world, role
):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = login_as(user)
    staff = bool(user and user.is_staff)
    failures = []

    asked = requests_for(world)
    for name, model, path, data in asked:
        if role == "admin_user" and model in ADMIN_OWN:
            continue  # the administrator's own work (ADMIN_OWN says why)
        for method in ("get", "post"):
            before = snapshot(world)
            # The admin answers a bare object address with a redirect to its change page.
            follow = staff and path.startswith("/admin/")
            if method == "get":
                response = client.get(path, follow=follow)
            else:
                response = client.post(path, data, follow=follow)
            ok = refused(
                response, anonymous=user is None, staff=staff, admin_path=path.startswith("/admin/")
            )
            if not ok:
                failures.append((method, name, path, response.status_code))
            if snapshot(world) != before:
                failures.append((method, name, path, "changed something"))

    assert failures == []
    assert len(asked) > 60  # the app's object URLs and the admin's


def test_the_scoped_caseworker_does_reach_the_objects(login_as, world):
    """The matrix is not vacuous: the world's objects open for the one who holds them."""
    client = login_as(world["caseworker"])

    for name in ("cases:case", "cases:print", "cases:worker", "audit:subject_access"):
        path, _data = BUILT[name]
        assert client.get(path(world)).status_code == 200, name
