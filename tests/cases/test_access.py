"""Who may open which page: anonymous, wrong role, right role, for every URL.

Anonymous users are sent to the login page. A user who may not see a case at all
(another office, another caseworker's case, an auditor on an open case) gets 404,
as if the number did not exist; a user who may see a case but not act on it gets
403, and nothing changes. Text is read in English (see `login_as`).
"""

import datetime
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Case, Document, Note, Payment, State, Worker
from casework.models import AuditEntry
from tests import factories
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SESSION_ACTIONS = ("login", "logout", "login_failed")


def attach_pdf(case, by, title="工资条截图"):
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
def no_role_user(office):
    """An account an administrator created but gave no role yet."""
    return factories.UserFactory(username="new.hire", full_name="新同事", office=office)


@pytest.fixture
def world(office, caseworker, worker, document_storage):
    """An intake case, an open case with a payment and a document, and a finished one.

    The open and finished cases are assigned to `caseworker`; the intake case is in
    the office's intake queue. `worker` is on the open case only.
    """
    intake = wage_dispute(office, by=caseworker)
    open_case = wage_dispute(office, by=caseworker, workers=[worker], state=State.AGREEMENT)
    payment = services.record_payment(
        case=open_case,
        by=caseworker,
        worker=worker,
        paid_on=datetime.date(2026, 5, 8),
        amount=1000,
        method=Payment.Method.BANK,
    )
    document = attach_pdf(open_case, caseworker)
    finished = walk_to(wage_dispute(office, by=caseworker), State.ACCEPTED, caseworker)
    finished_document = attach_pdf(finished, caseworker, title="撤回申请书")
    finished = walk_to(finished, State.WITHDRAWN, caseworker, via=State.ACCEPTED)
    return {
        "intake": intake,
        "open": open_case,
        "finished": finished,
        "payment": payment,
        "document": document,
        "finished_document": finished_document,
        "worker": worker,
    }


def database_state():
    """Everything a stray POST could change."""
    return (
        list(Case.objects.order_by("pk").values_list("pk", "state", "assignee_id", "finished_at")),
        AuditEntry.objects.exclude(action__in=SESSION_ACTIONS).count(),
        Note.objects.count(),
        Payment.objects.filter(voided_at__isnull=False).count(),
        Document.objects.count(),
        Worker.objects.count(),
    )


# --- every URL ------------------------------------------------------------------------

# name: (method, path from the world, POST data from the world)
ROUTES = {
    "queue": ("get", lambda w: "/cases/", None),
    "new dispute": ("get", lambda w: "/cases/new/", None),
    "case page": ("get", lambda w: f"/cases/{w['open'].number}/", None),
    "take": ("post", lambda w: f"/cases/{w['intake'].number}/take/", {}),
    "assign": ("post", lambda w: f"/cases/{w['open'].number}/assign/", {"assignee": ""}),
    "transition": (
        "post",
        lambda w: f"/cases/{w['intake'].number}/do/accept/",
        {"expected_state": "intake"},
    ),
    "record": ("post", lambda w: f"/cases/{w['open'].number}/record/note/", {"body": "回访"}),
    "void payment": (
        "post",
        lambda w: f"/cases/{w['open'].number}/payments/{w['payment'].pk}/void/",
        {"reason": "重复录入"},
    ),
    "document download": (
        "get",
        lambda w: f"/cases/{w['open'].number}/documents/{w['document'].pk}/",
        None,
    ),
    "workers": ("get", lambda w: "/workers/", None),
    "new worker": ("get", lambda w: "/workers/new/", None),
    "worker page": ("get", lambda w: f"/workers/{w['worker'].pk}/", None),
    "worker edit": ("get", lambda w: f"/workers/{w['worker'].pk}/edit/", None),
    "reveal ID": ("post", lambda w: f"/workers/{w['worker'].pk}/reveal/", {}),
    "administration": ("get", lambda w: "/admin/", None),
}


def request_route(client, name, world):
    method, path, data = ROUTES[name]
    if method == "get":
        return client.get(path(world))
    return client.post(path(world), data)


@pytest.mark.parametrize("name", ROUTES)
def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_changes(login_as, world, name):
    client = login_as(None)
    before = database_state()

    response = request_route(client, name, world)

    path = ROUTES[name][1](world)
    # The administration has a login page of its own.
    login = "/admin/login/" if name == "administration" else "/login/"
    assert response.status_code == 302
    assert response["Location"] == f"{login}?next={quote(path)}"
    assert database_state() == before


def test_the_login_page_itself_needs_no_login(login_as):
    response = login_as(None).get("/login/?next=/cases/")

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_health_check_needs_no_login(login_as):
    response = login_as(None).get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok\n")


# --- pages without a case: wrong role 403, right role 200 --------------------------------

PAGES = [
    # route, who, status, text the user sees
    ("queue", "caseworker", 200, "Intake queue"),
    ("queue", "supervisor", 200, "Office cases"),
    ("queue", "auditor", 200, "Finished cases"),
    ("queue", "admin_user", 403, "Your account has no role yet; ask an administrator."),
    ("queue", "no_role_user", 403, "Your account has no role yet; ask an administrator."),
    ("new dispute", "caseworker", 200, 'name="matters"'),
    ("new dispute", "supervisor", 200, 'name="matters"'),
    ("new dispute", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("new dispute", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("new dispute", "no_role_user", 403, "Only caseworkers and supervisors can do this."),
    ("workers", "caseworker", 200, "Search by name, phone number or the full 18-character ID"),
    ("workers", "supervisor", 200, "Search by name, phone number or the full 18-character ID"),
    ("workers", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("workers", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("new worker", "caseworker", 200, "Register a new worker"),
    ("new worker", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("new worker", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("worker page", "caseworker", 200, "Recovered in all"),
    ("worker page", "supervisor", 200, "Show full number (logged)"),
    ("worker page", "admin_user", 404, "Not found"),  # no case content for administrators
    ("worker page", "auditor", 404, "Not found"),  # no finished case of theirs to read
    ("worker page", "no_role_user", 404, "Not found"),
    ("worker edit", "caseworker", 200, 'name="occupation"'),
    ("worker edit", "supervisor", 200, 'name="occupation"'),
    ("worker edit", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("worker edit", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("administration", "admin_user", 200, "Site administration"),
]


@pytest.mark.parametrize(("name", "who", "status", "text"), PAGES)
def test_each_page_answers_each_role_as_its_role_allows(
    request, login_as, world, name, who, status, text
):
    client = login_as(request.getfixturevalue(who))

    response = request_route(client, name, world)

    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    if status == 403:
        assert "Not allowed" in page


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "auditor", "no_role_user"])
def test_the_administration_is_only_for_administrators(request, login_as, world, who):
    client = login_as(request.getfixturevalue(who))

    response = client.get("/admin/")

    # Django's admin sends staff without admin rights to its own login page.
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    page = client.get(response["Location"]).content.decode()
    assert "Site administration" not in page
    assert "not authorized to access this page" in page


# --- the case page: 404 for whoever may not see the case, read-only for auditors ----------

CASE_PAGES = [
    # case, who, status
    ("open", "caseworker", 200),  # the assignee
    ("open", "supervisor", 200),
    ("open", "city_supervisor", 200),  # a supervisor of the office above
    ("open", "admin_user", 404),  # least privilege: administrators read no case
    ("open", "caseworker2", 404),  # same office, someone else's case
    ("open", "other_caseworker", 404),  # another office, guessing the number
    ("open", "other_supervisor", 404),
    ("open", "auditor", 404),  # open cases are not the auditor's to read
    ("open", "no_role_user", 404),
    ("intake", "caseworker2", 200),  # unassigned, in their office's intake queue
    ("intake", "supervisor", 200),
    ("intake", "other_caseworker", 404),
    ("intake", "other_supervisor", 404),
    ("intake", "auditor", 404),
    ("finished", "auditor", 200),
    ("finished", "caseworker", 200),  # their own, finished
    ("finished", "supervisor", 200),
    ("finished", "caseworker2", 404),
    ("finished", "other_caseworker", 404),
    ("finished", "other_supervisor", 404),
]


@pytest.mark.parametrize(("case", "who", "status"), CASE_PAGES)
def test_a_case_page_is_shown_only_to_those_who_may_see_the_case(
    request, login_as, world, case, who, status
):
    client = login_as(request.getfixturevalue(who))
    number = world[case].number

    response = client.get(f"/cases/{number}/")

    assert response.status_code == status
    page = response.content.decode()
    if status == 200:
        assert f'<span class="case-number">{number}</span>' in page
        assert world[case].matters in page
    else:
        assert "Not found" in page
        assert f'<span class="case-number">{number}</span>' not in page
        assert world[case].matters not in page


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "auditor", "other_caseworker"])
def test_a_case_number_that_does_not_exist_is_not_found(request, login_as, world, who):
    client = login_as(request.getfixturevalue(who))

    response = client.get("/cases/WD-2026-999999/")

    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def action_urls(number: str) -> list[str]:
    return [
        f"/cases/{number}/do/",
        f"/cases/{number}/record/",
        f"/cases/{number}/assign/",
        f"/cases/{number}/take/",
        f"/cases/{number}/payments/",
    ]


def test_an_auditor_reads_a_finished_case_without_any_action(login_as, world, auditor):
    number = world["finished"].number

    page = login_as(auditor).get(f"/cases/{number}/").content.decode()

    assert "What you can do now" not in page
    for url in action_urls(number):
        assert url not in page
    # The documents on file are there to read.
    assert f"/cases/{number}/documents/{world['finished_document'].pk}/" in page


def test_a_supervisor_sees_the_reopen_step_on_the_same_finished_case(login_as, world, supervisor):
    number = world["finished"].number

    page = login_as(supervisor).get(f"/cases/{number}/").content.decode()

    assert f'action="/cases/{number}/do/reopen/#do-reopen"' in page
    # A finished case is reopened before anyone is assigned to it.
    assert f'action="/cases/{number}/assign/#rec-assign"' not in page


def test_a_supervisor_assigning_a_finished_case_is_told_to_reopen_it_first(
    login_as, world, supervisor, caseworker2
):
    client = login_as(supervisor)
    number = world["finished"].number
    before = database_state()

    response = client.post(f"/cases/{number}/assign/", {"assignee": caseworker2.pk}, follow=True)

    assert database_state() == before
    assert response.redirect_chain == [(f"/cases/{number}/", 302)]
    assert "This case is finished; reopen it first." in [
        str(m) for m in response.context["messages"]
    ]


def test_the_assignee_sees_the_steps_of_their_open_case(login_as, world, caseworker):
    number = world["open"].number

    page = login_as(caseworker).get(f"/cases/{number}/").content.decode()

    assert f'action="/cases/{number}/do/refer/#do-refer"' in page
    assert f'action="/cases/{number}/do/withdraw/#do-withdraw"' in page
    assert f'action="/cases/{number}/record/payment/#rec-payment"' in page
    assert f'action="/cases/{number}/payments/{world["payment"].pk}/void/"' in page
    # Reassigning is a supervisor's work.
    assert f'action="/cases/{number}/assign/#rec-assign"' not in page


def test_a_caseworker_sees_the_take_button_on_an_intake_case_and_no_steps(
    login_as, world, caseworker2
):
    number = world["intake"].number

    page = login_as(caseworker2).get(f"/cases/{number}/").content.decode()

    assert f'action="/cases/{number}/take/"' in page
    assert f"/cases/{number}/do/" not in page
    assert f"/cases/{number}/record/" not in page


def test_an_administrator_with_a_role_sees_an_open_case_as_that_role(login_as, world, office):
    from tests import factories

    boss = factories.supervisor(office, username="root.boss", is_superuser=True, is_staff=True)
    number = world["open"].number

    page = login_as(boss).get(f"/cases/{number}/").content.decode()

    assert f"/cases/{number}/" in page


# --- documents: served through the case's own check ------------------------------------------

DOCUMENTS = [
    # document, who, status
    ("document", "caseworker", 200),
    ("document", "supervisor", 200),
    ("document", "city_supervisor", 200),
    ("document", "caseworker2", 404),
    ("document", "other_caseworker", 404),
    ("document", "other_supervisor", 404),
    ("document", "auditor", 404),
    ("finished_document", "auditor", 200),
    ("finished_document", "other_caseworker", 404),
]


@pytest.mark.parametrize(("document", "who", "status"), DOCUMENTS)
def test_a_document_is_served_only_to_those_who_may_see_its_case(
    request, login_as, world, document, who, status
):
    user = request.getfixturevalue(who)
    client = login_as(user)
    doc = world[document]
    before = AuditEntry.objects.filter(action="document_downloaded").count()

    response = client.get(f"/cases/{doc.case.number}/documents/{doc.pk}/")

    assert response.status_code == status
    downloads = AuditEntry.objects.filter(action="document_downloaded")
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert downloads.filter(actor=user, object_id=str(doc.pk)).count() == 1
    else:
        assert "Not found" in response.content.decode()
        assert downloads.count() == before


def test_a_document_of_another_case_is_not_served_under_this_case_number(
    login_as, world, caseworker
):
    # Both cases are the caseworker's; the document belongs to the finished one.
    doc = world["finished_document"]

    response = login_as(caseworker).get(f"/cases/{world['open'].number}/documents/{doc.pk}/")

    assert response.status_code == 404


# --- POSTs: 404 for those who may not see, 403 for those who may see but not act -------------

# (description, path from the world, data)
STEPS = {
    "accept the intake case": (
        lambda w: f"/cases/{w['intake'].number}/do/accept/",
        {"expected_state": "intake"},
    ),
    "withdraw the open case": (
        lambda w: f"/cases/{w['open'].number}/do/withdraw/",
        {"expected_state": "agreement", "note": "申请人撤回"},
    ),
    "reopen the finished case": (
        lambda w: f"/cases/{w['finished'].number}/do/reopen/",
        {"expected_state": "withdrawn", "note": "申请人要求恢复处理"},
    ),
    "note on the intake case": (
        lambda w: f"/cases/{w['intake'].number}/record/note/",
        {"body": "电话回访"},
    ),
    "note on the open case": (
        lambda w: f"/cases/{w['open'].number}/record/note/",
        {"body": "电话回访"},
    ),
    "note on the finished case": (
        lambda w: f"/cases/{w['finished'].number}/record/note/",
        {"body": "电话回访"},
    ),
    "payment on the open case": (
        lambda w: f"/cases/{w['open'].number}/record/payment/",
        lambda w: {
            "worker": w["worker"].pk,
            "paid_on": "2026-05-09",
            "amount": "500",
            "method": "bank",
        },
    ),
    "take the intake case": (lambda w: f"/cases/{w['intake'].number}/take/", {}),
    "take the finished case": (lambda w: f"/cases/{w['finished'].number}/take/", {}),
    "assign the open case": (
        lambda w: f"/cases/{w['open'].number}/assign/",
        {"assignee": ""},
    ),
    "assign the intake case": (
        lambda w: f"/cases/{w['intake'].number}/assign/",
        {"assignee": ""},
    ),
    "assign the finished case": (
        lambda w: f"/cases/{w['finished'].number}/assign/",
        {"assignee": ""},
    ),
    "void the payment": (
        lambda w: f"/cases/{w['open'].number}/payments/{w['payment'].pk}/void/",
        {"reason": "重复录入"},
    ),
    "reveal the worker's ID": (lambda w: f"/workers/{w['worker'].pk}/reveal/", {}),
}


def post_step(client, step, world):
    path, data = STEPS[step]
    data = data(world) if callable(data) else data
    return client.post(path(world), data)


UNSEEN = [
    ("accept the intake case", "other_caseworker"),
    ("accept the intake case", "other_supervisor"),
    ("accept the intake case", "auditor"),
    ("withdraw the open case", "caseworker2"),
    ("withdraw the open case", "other_caseworker"),
    ("withdraw the open case", "other_supervisor"),
    ("withdraw the open case", "auditor"),
    ("reopen the finished case", "caseworker2"),
    ("reopen the finished case", "other_supervisor"),
    ("note on the open case", "caseworker2"),
    ("note on the open case", "other_caseworker"),
    ("note on the open case", "auditor"),
    ("payment on the open case", "caseworker2"),
    ("take the intake case", "other_caseworker"),
    ("take the intake case", "auditor"),
    ("assign the open case", "other_supervisor"),
    ("assign the open case", "caseworker2"),
    ("void the payment", "caseworker2"),
    ("void the payment", "other_caseworker"),
    ("void the payment", "auditor"),
    ("reveal the worker's ID", "auditor"),  # the worker has no finished case
]


@pytest.mark.parametrize(("step", "who"), UNSEEN)
def test_a_post_about_a_case_the_user_may_not_see_is_not_found_and_changes_nothing(
    request, login_as, world, step, who
):
    client = login_as(request.getfixturevalue(who))
    before = database_state()

    response = post_step(client, step, world)

    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert database_state() == before


SEEN_NOT_ALLOWED = [
    ("accept the intake case", "caseworker2"),  # of the office, but nobody's assignee yet
    ("note on the intake case", "caseworker2"),
    ("reopen the finished case", "auditor"),
    ("note on the finished case", "auditor"),
    ("assign the finished case", "auditor"),
    ("assign the open case", "caseworker"),  # the assignee cannot reassign
    ("assign the intake case", "caseworker2"),
    ("reveal the worker's ID", "caseworker"),
    ("reveal the worker's ID", "caseworker2"),
]


@pytest.mark.parametrize(("step", "who"), SEEN_NOT_ALLOWED)
def test_a_post_from_someone_who_may_see_but_not_act_is_refused_and_changes_nothing(
    request, login_as, world, step, who
):
    client = login_as(request.getfixturevalue(who))
    before = database_state()

    response = post_step(client, step, world)

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert database_state() == before


def test_an_auditor_trying_to_take_a_finished_case_is_refused(login_as, world, auditor):
    client = login_as(auditor)
    before = database_state()

    response = post_step(client, "take the finished case", world)

    assert database_state() == before
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("case", "name", "state"),
    [("finished", "reopen", "withdrawn"), ("open", "close_with_shortfall", "agreement")],
)
def test_the_assignee_asking_for_a_supervisors_step_is_refused_for_their_role(
    login_as, world, caseworker, case, name, state
):
    client = login_as(caseworker)
    before = database_state()

    response = client.post(
        f"/cases/{world[case].number}/do/{name}/",
        {"expected_state": state, "note": "申请人要求"},
    )

    assert database_state() == before
    assert response.status_code == 403


def test_the_assignee_asking_for_a_step_the_state_does_not_allow_is_told_so(
    login_as, world, caseworker
):
    client = login_as(caseworker)
    number = world["open"].number
    before = database_state()

    response = client.post(
        f"/cases/{number}/do/accept/", {"expected_state": "agreement"}, follow=True
    )

    assert response.redirect_chain == [(f"/cases/{number}/", 302)]
    assert "This step is not possible in the case&#x27;s current state." in (
        response.content.decode()
    )
    assert database_state() == before


def test_a_step_is_refused_to_a_caseworker_of_the_office_even_with_the_case_page_open(
    login_as, world, caseworker2
):
    # The intake case is visible to caseworker2, who has not taken it.
    client = login_as(caseworker2)
    intake = world["intake"]
    before = AuditEntry.objects.filter(case_id=intake.pk, action="transition").count()

    response = client.post(
        f"/cases/{intake.number}/do/decline/",
        {"expected_state": "intake", "note": "不属于受理范围"},
    )

    assert response.status_code == 403
    assert (
        "Only the assigned caseworker or a supervisor may change this case."
        in response.content.decode()
    )
    assert Case.objects.get(pk=intake.pk).state == State.INTAKE
    assert AuditEntry.objects.filter(case_id=intake.pk, action="transition").count() == before


# --- POSTs by the right role do what they say ---------------------------------------------------


def test_a_caseworker_of_the_office_takes_an_intake_case(login_as, world, caseworker2):
    intake = world["intake"]

    response = post_step(login_as(caseworker2), "take the intake case", world)

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{intake.number}/"
    case = Case.objects.get(pk=intake.pk)
    assert (case.assignee, case.state) == (caseworker2, State.INTAKE)


def test_the_assignee_withdraws_their_case(login_as, world, caseworker):
    response = post_step(login_as(caseworker), "withdraw the open case", world)

    assert response["Location"] == f"/cases/{world['open'].number}/"
    case = Case.objects.get(pk=world["open"].pk)
    assert (case.state, case.outcome_note) == (State.WITHDRAWN, "申请人撤回")


def test_the_assignee_adds_a_note(login_as, world, caseworker):
    response = post_step(login_as(caseworker), "note on the open case", world)

    assert response.status_code == 302
    note = Note.objects.get(case_id=world["open"].pk)
    assert (note.body, note.author) == ("电话回访", caseworker)


def test_the_assignee_voids_a_payment(login_as, world, caseworker):
    post_step(login_as(caseworker), "void the payment", world)

    payment = Payment.objects.get(pk=world["payment"].pk)
    assert (payment.voided_by, payment.void_reason) == (caseworker, "重复录入")


@pytest.mark.parametrize("boss", ["supervisor", "city_supervisor"])
def test_a_supervisor_of_the_office_reassigns_a_case(request, login_as, world, boss, caseworker2):
    client = login_as(request.getfixturevalue(boss))

    response = client.post(
        f"/cases/{world['open'].number}/assign/", {"assignee": caseworker2.pk, "note": "休假"}
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=world["open"].pk).assignee == caseworker2


def test_a_supervisor_reopens_a_finished_case(login_as, world, supervisor):
    response = post_step(login_as(supervisor), "reopen the finished case", world)

    assert response.status_code == 302
    case = Case.objects.get(pk=world["finished"].pk)
    assert (case.state, case.finished_at) == (State.ACCEPTED, None)


def test_a_supervisor_sees_the_full_id_number_on_request(login_as, world, supervisor):
    worker = world["worker"]

    response = post_step(login_as(supervisor), "reveal the worker's ID", world)

    assert response.status_code == 200
    assert worker.id_number() in response.content.decode()


def test_an_auditor_may_read_the_file_of_a_worker_with_a_finished_case(
    login_as, world, auditor, caseworker
):
    finished_worker = world["finished"].workers.get()
    client = login_as(auditor)

    shown = client.get(f"/workers/{finished_worker.pk}/")
    hidden = client.get(f"/workers/{world['worker'].pk}/")

    assert shown.status_code == 200
    assert finished_worker.name in shown.content.decode()
    assert hidden.status_code == 404
    assert world["worker"].name not in hidden.content.decode()


def test_a_step_the_system_takes_by_itself_cannot_be_asked_for_by_url(login_as, office, caseworker):
    performed = wage_dispute(office, by=caseworker, state=State.PERFORMED)
    before = database_state()

    response = login_as(caseworker).post(
        f"/cases/{performed.number}/do/payment_reversed/", {"expected_state": "performed"}
    )

    assert database_state() == before
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["save", "delete", "specific", "nonexistent"])
def test_a_url_naming_something_that_is_not_a_step_is_not_found(login_as, world, caseworker, name):
    before = database_state()

    response = login_as(caseworker).post(
        f"/cases/{world['open'].number}/do/{name}/", {"expected_state": "agreement"}
    )

    assert response.status_code == 404
    assert database_state() == before
