"""The hardship aid and medical card pages, through the client.

Who may open each new page (anonymous → the login page; the wrong role → 403,
or 404 for a case or worker the user may not see at all; the right role → 200
with the content); bad input on every new form, shown next to its field, with
nothing saved; four eyes on the page; the one-click aid application from a wage
dispute that recovered nothing; and the worker's page, which shows disputes,
aid and cards together. Text is read in English (see `login_as`).
"""

import datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone
from stdnum.cn import ric

from assistance.models import AidApplication, Approval, CardApplication, FamilyMember
from assistance.services import add_months
from cases.models import Case, Outcome, State
from cases.services import run_transition
from casework import reference
from casework.models import AuditEntry, DibaoLine, Setting
from tests import factories
from tests.assistance import steps
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

SESSION_ACTIONS = ("login", "logout", "login_failed")
CIRCUMSTANCES = "配偶重病住院，家庭收入锐减，申请临时困难帮扶。"  # what steps.open_aid writes


def id_for(born: datetime.date, sequence: int = 123, region: str = "421303") -> str:
    """A valid national ID number of someone born on `born`."""
    first_17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first_17 + ric.calc_check_digit(first_17 + "0")


def with_wrong_checksum(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def born_years_ago(years: float) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=round(365.25 * years))


def database_state():
    """Everything a stray POST could change."""
    return (
        list(
            Case.objects.order_by("pk").values_list(
                "pk", "state", "assignee_id", "finished_at", "outcome_note"
            )
        ),
        list(AidApplication.objects.order_by("pk").values_list("pk", "approval_round")),
        AuditEntry.objects.exclude(action__in=SESSION_ACTIONS).count(),
        Approval.objects.count(),
        FamilyMember.objects.count(),
        Setting.objects.count(),
        DibaoLine.objects.count(),
    )


def page_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def no_role_user(office):
    """An account an administrator created but gave no role yet."""
    return factories.UserFactory(username="new.hire", full_name="新同事", office=office)


@pytest.fixture
def world(office, caseworker, worker, member, aid_at, card_at, supervisor):
    """Open and finished applications of both kinds, all handled by `caseworker`,
    and a wage dispute closed with nothing recovered.

    `worker` has an aid application in assessment (and one withdrawn before it);
    `member` has a card application submitted (and another member's was rejected).
    """
    aid_finished = aid_at("withdrawn")
    aid_open = aid_at("assessment")
    other_member = steps.member_worker(office, caseworker)
    card_finished = card_at("rejected", worker=other_member)
    card_open = card_at("submitted")
    dispute = walk_to(
        wage_dispute(office, by=caseworker, workers=[worker]),
        State.CLOSED,
        caseworker,
        via=State.REFERRED,
    )
    return {
        "aid_open": aid_open,
        "aid_finished": aid_finished,
        "card_open": card_open,
        "card_finished": card_finished,
        "dispute": dispute,
        "worker": worker,
        "member": member,
    }


# --- every new page: anonymous, wrong role, right role ------------------------------------

# name: (method, path from the world, POST data)
ROUTES = {
    "new aid application": ("get", lambda w: f"/assistance/aid/new/?worker={w['worker'].pk}", None),
    "new card application": (
        "get",
        lambda w: f"/assistance/cards/new/?worker={w['member'].pk}",
        None,
    ),
    "approval queue": ("get", lambda w: "/assistance/approvals/", None),
    "aid from a dispute": (
        "post",
        lambda w: f"/cases/{w['dispute'].number}/aid-for/{w['worker'].pk}/",
        {},
    ),
    "reference data": ("get", lambda w: "/settings/", None),
    "open aid application": ("get", lambda w: f"/cases/{w['aid_open'].number}/", None),
    "finished aid application": ("get", lambda w: f"/cases/{w['aid_finished'].number}/", None),
    "open card application": ("get", lambda w: f"/cases/{w['card_open'].number}/", None),
    "finished card application": (
        "get",
        lambda w: f"/cases/{w['card_finished'].number}/",
        None,
    ),
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

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(ROUTES[name][1](world))}"
    assert database_state() == before


PAGES = [
    # route, who, status, text the user sees
    ("new aid application", "caseworker", 200, "New hardship aid application"),
    ("new aid application", "supervisor", 200, "New hardship aid application"),
    ("new aid application", "city_supervisor", 200, "New hardship aid application"),
    ("new aid application", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("new aid application", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("new aid application", "no_role_user", 403, "Only caseworkers and supervisors can do this."),
    ("new aid application", "other_caseworker", 404, "Not found"),  # not their office's worker
    ("new aid application", "other_supervisor", 404, "Not found"),
    ("new card application", "caseworker", 200, "Family members to cover"),
    ("new card application", "supervisor", 200, "Family members to cover"),
    ("new card application", "auditor", 403, "Only caseworkers and supervisors can do this."),
    ("new card application", "admin_user", 403, "Only caseworkers and supervisors can do this."),
    ("new card application", "no_role_user", 403, "Only caseworkers and supervisors can do this."),
    ("new card application", "other_caseworker", 404, "Not found"),
    ("approval queue", "supervisor", 200, "Approval queue"),
    ("approval queue", "city_supervisor", 200, "Approval queue"),
    ("approval queue", "other_supervisor", 200, "Nothing is waiting for approval."),
    ("approval queue", "caseworker", 403, "The approval queue is for supervisors."),
    ("approval queue", "auditor", 403, "The approval queue is for supervisors."),
    ("approval queue", "admin_user", 403, "The approval queue is for supervisors."),
    ("approval queue", "no_role_user", 403, "The approval queue is for supervisors."),
    ("reference data", "admin_user", 200, "Minimum living allowance lines"),
    ("reference data", "caseworker", 403, "Only administrators change reference data."),
    ("reference data", "supervisor", 403, "Only administrators change reference data."),
    ("reference data", "city_supervisor", 403, "Only administrators change reference data."),
    ("reference data", "auditor", 403, "Only administrators change reference data."),
]


@pytest.mark.parametrize(("name", "who", "status", "text"), PAGES)
def test_each_new_page_answers_each_role_as_its_role_allows(
    request, login_as, world, name, who, status, text
):
    client = login_as(request.getfixturevalue(who))

    response = request_route(client, name, world)

    assert response.status_code == status
    page = page_of(response)
    assert text in page
    if status == 403:
        assert "Not allowed" in page
    if name == "new aid application" and status == 200:
        assert world["worker"].name in page and world["worker"].id_masked in page
    if name == "new card application" and status == 200:
        assert world["member"].name in page and world["member"].membership_number in page


CASE_PAGES = [
    # case, who, status
    ("aid_open", "caseworker", 200),  # the assignee
    ("aid_open", "supervisor", 200),
    ("aid_open", "city_supervisor", 200),
    ("aid_open", "admin_user", 404),  # least privilege: no case content
    ("aid_open", "caseworker2", 404),  # same office, someone else's case
    ("aid_open", "other_caseworker", 404),  # another office, guessing the number
    ("aid_open", "other_supervisor", 404),
    ("aid_open", "auditor", 404),  # open applications are not the auditor's to read
    ("aid_open", "no_role_user", 404),
    ("aid_finished", "auditor", 200),
    ("aid_finished", "caseworker", 200),
    ("aid_finished", "supervisor", 200),
    ("aid_finished", "caseworker2", 404),
    ("aid_finished", "other_caseworker", 404),
    ("card_open", "caseworker", 200),
    ("card_open", "supervisor", 200),
    ("card_open", "caseworker2", 404),
    ("card_open", "other_caseworker", 404),
    ("card_open", "other_supervisor", 404),
    ("card_open", "auditor", 404),
    ("card_finished", "auditor", 200),
    ("card_finished", "caseworker", 200),
    ("card_finished", "other_caseworker", 404),
    ("card_finished", "other_supervisor", 404),
]


@pytest.mark.parametrize(("case", "who", "status"), CASE_PAGES)
def test_an_application_page_is_shown_only_to_those_who_may_see_it(
    request, login_as, world, case, who, status
):
    application = world[case]

    response = login_as(request.getfixturevalue(who)).get(f"/cases/{application.number}/")

    assert response.status_code == status
    page = page_of(response)
    number = f'<span class="case-number">{application.number}</span>'
    if status == 200:
        assert number in page
        assert application.applicant.name in page
        if case.startswith("aid"):
            assert "Circumstances and what is asked for" in page and CIRCUMSTANCES in page
        else:
            assert "Family members covered" in page
    else:
        assert "Not found" in page
        assert number not in page and application.applicant.name not in page


def action_urls(number: str) -> list[str]:
    return [
        f"/cases/{number}/do/",
        f"/cases/{number}/record/",
        f"/cases/{number}/assign/",
        f"/cases/{number}/take/",
    ]


@pytest.mark.parametrize("case", ["aid_finished", "card_finished"])
def test_an_auditor_reads_a_finished_application_without_any_action(login_as, world, auditor, case):
    number = world[case].number

    page = page_of(login_as(auditor).get(f"/cases/{number}/"))

    assert "What you can do now" not in page
    for url in action_urls(number):
        assert url not in page
    assert world[case].outcome_note in page  # the reason it finished is there to read


@pytest.mark.parametrize("case", ["aid_open", "card_open"])
def test_the_assignee_sees_the_steps_and_records_of_their_application(
    login_as, world, caseworker, case
):
    number = world[case].number

    page = page_of(login_as(caseworker).get(f"/cases/{number}/"))

    assert f"/cases/{number}/do/withdraw/" in page
    record = "assessment" if case == "aid_open" else "family"
    assert f"/cases/{number}/record/{record}/" in page
    assert f"/cases/{number}/assign/" not in page  # reassigning is a supervisor's


# (description, path from the world, data)
STEPS = {
    "record the assessment": (
        lambda w: f"/cases/{w['aid_open'].number}/record/assessment/",
        lambda w: {
            "expected_state": "assessment",
            "visited_on": str(timezone.localdate()),
            "visitors": "张伟",
            "findings": "家访属实",
            "household_size": "3",
            "annual_income": "24000",
            "annual_rigid_spending": "6000",
            "one_off_costs": "0",
        },
    ),
    "withdraw the open aid": (
        lambda w: f"/cases/{w['aid_open'].number}/do/withdraw/",
        lambda w: {"expected_state": "assessment", "note": "申请人撤回"},
    ),
    "reopen the finished aid": (
        lambda w: f"/cases/{w['aid_finished'].number}/do/reopen/",
        lambda w: {"expected_state": "withdrawn", "note": "申请人要求恢复"},
    ),
    "verify the open card": (
        lambda w: f"/cases/{w['card_open'].number}/do/verify/",
        lambda w: {"expected_state": "submitted", "notes": "会员证已核验"},
    ),
    "add a family member": (
        lambda w: f"/cases/{w['card_open'].number}/record/family/",
        lambda w: {
            "name": "王秀英",
            "relation": "spouse",
            "id_number": id_for(datetime.date(1990, 3, 7)),
        },
    ),
    "reopen the finished card": (
        lambda w: f"/cases/{w['card_finished'].number}/do/reopen/",
        lambda w: {"expected_state": "rejected", "note": "补齐材料"},
    ),
    "note on the finished aid": (
        lambda w: f"/cases/{w['aid_finished'].number}/record/note/",
        lambda w: {"body": "回访"},
    ),
}


def post_step(client, step, world):
    path, data = STEPS[step]
    return client.post(path(world), data(world))


UNSEEN = [
    ("record the assessment", "caseworker2"),
    ("record the assessment", "other_caseworker"),
    ("record the assessment", "auditor"),
    ("withdraw the open aid", "other_supervisor"),
    ("withdraw the open aid", "auditor"),
    ("reopen the finished aid", "other_supervisor"),
    ("verify the open card", "caseworker2"),
    ("verify the open card", "auditor"),
    ("add a family member", "other_caseworker"),
    ("reopen the finished card", "caseworker2"),
]


@pytest.mark.parametrize(("step", "who"), UNSEEN)
def test_a_post_about_an_application_the_user_may_not_see_is_not_found(
    request, login_as, world, step, who
):
    client = login_as(request.getfixturevalue(who))
    before = database_state()

    response = post_step(client, step, world)

    assert response.status_code == 404
    assert "Not found" in page_of(response)
    assert database_state() == before


SEEN_NOT_ALLOWED = [
    ("reopen the finished aid", "auditor"),  # an auditor can change nothing
    ("reopen the finished card", "auditor"),
    ("note on the finished aid", "auditor"),
    ("reopen the finished aid", "caseworker"),  # a supervisor's step
]


@pytest.mark.parametrize(("step", "who"), SEEN_NOT_ALLOWED)
def test_a_post_from_someone_who_may_see_but_not_act_is_refused(
    request, login_as, world, step, who
):
    client = login_as(request.getfixturevalue(who))
    before = database_state()

    response = post_step(client, step, world)

    assert response.status_code == 403
    assert "Not allowed" in page_of(response)
    assert database_state() == before


def test_the_assignee_records_the_assessment_and_the_category_is_computed(
    login_as, world, caseworker
):
    response = post_step(login_as(caseworker), "record the assessment", world)

    assert response.status_code == 302
    application = AidApplication.objects.get(pk=world["aid_open"].pk)
    assert (application.household_size, application.annual_income) == (3, Decimal("24000.00"))
    assert application.computed_category == "deep"  # 500 a person a month, under 720
    assert application.dibao_line == Decimal("720.00")


def test_a_supervisor_reopens_a_finished_card_application(login_as, world, supervisor):
    response = post_step(login_as(supervisor), "reopen the finished card", world)

    assert response.status_code == 302
    card = CardApplication.objects.get(pk=world["card_finished"].pk)
    assert (card.state, card.finished_at) == (State.SUBMITTED, None)


def test_the_reference_data_page_refuses_a_change_from_a_supervisor(login_as, supervisor):
    before = database_state()

    response = login_as(supervisor).post(
        "/settings/", {"key": "approval_threshold", "value": "100"}
    )

    assert response.status_code == 403
    assert database_state() == before
    assert reference.current(reference.Key.APPROVAL_THRESHOLD) == Decimal("5000.00")


def test_an_administrator_changes_a_setting_and_it_is_kept_in_the_history(login_as, admin_user):
    response = login_as(admin_user).post("/settings/", {"key": "aid_cap", "value": "12,000"})

    assert response.status_code == 302
    assert reference.current(reference.Key.AID_CAP) == Decimal("12000.00")
    row = Setting.objects.filter(key="aid_cap").order_by("-changed_at", "-pk").first()
    assert row.changed_by == admin_user
    page = page_of(login_as(admin_user).get("/settings/"))
    assert "¥12,000.00" in page


# --- bad input, on every new form ----------------------------------------------------------


@pytest.fixture
def assessed(aid_at, caseworker):
    """`worker`'s application in assessment, with the home visit recorded (category deep)."""
    return steps.assess(aid_at("assessment"), caseworker)


ASSESSMENT = {
    "visitors": "张伟、李娜",
    "findings": "家中三口人，配偶患病需长期服药。",
    "household_size": "3",
    "annual_income": "24000",
    "annual_rigid_spending": "6000",
    "one_off_costs": "0",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("annual_income", "abc", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
        ("annual_rigid_spending", "-5", "may not be negative"),
        ("one_off_costs", "1e9", "not in exponent form"),
        ("annual_income", "12.345", "at most two decimal places"),
        ("household_size", "0", "greater than or equal to 1"),
        ("household_size", "", "This field is required."),
    ],
)
def test_a_bad_assessment_is_refused_next_to_its_field_and_nothing_is_saved(
    login_as, aid_at, caseworker, shown_field, field, value, message
):
    application = aid_at("assessment")
    before = database_state()
    data = {
        **ASSESSMENT,
        "expected_state": "assessment",
        "visited_on": str(timezone.localdate()),
        field: value,
    }

    response = login_as(caseworker).post(f"/cases/{application.number}/record/assessment/", data)

    assert response.status_code == 400
    errors, _html = shown_field(response, field)
    assert message in " ".join(errors)
    assert database_state() == before
    assert AidApplication.objects.get(pk=application.pk).annual_income is None


def test_a_home_visit_in_the_future_is_refused(login_as, aid_at, caseworker, shown_field):
    application = aid_at("assessment")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {**ASSESSMENT, "expected_state": "assessment", "visited_on": str(tomorrow)}

    response = login_as(caseworker).post(f"/cases/{application.number}/record/assessment/", data)

    assert response.status_code == 400
    assert shown_field(response, "visited_on")[0] == ["The date cannot be in the future."]
    assert AidApplication.objects.get(pk=application.pk).visited_on is None


RECOMMENDATION = {
    "expected_state": "assessment",
    "aid_type": "cash",
    "amount": "3000",
    "category": "deep",
    "reason": "家庭人均收入低于低保线。",
    "difference_reason": "",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "12.345", "Amounts have at most two decimal places (fen)."),
        ("amount", "abc", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
        ("amount", "-5", "The amount must be greater than zero."),
        ("amount", "0", "The amount must be greater than zero."),
        ("amount", "1e9", "not in exponent form"),
        ("reason", "", "This field is required."),
    ],
)
def test_a_bad_recommendation_is_refused_next_to_its_field(
    login_as, assessed, caseworker, shown_field, field, value, message
):
    before = database_state()

    response = login_as(caseworker).post(
        f"/cases/{assessed.number}/do/recommend/", {**RECOMMENDATION, field: value}
    )

    assert response.status_code == 400
    errors, _html = shown_field(response, field)
    assert message in " ".join(errors)
    assert database_state() == before
    application = AidApplication.objects.get(pk=assessed.pk)
    assert (application.state, application.recommended_amount) == (State.ASSESSMENT, None)


def test_a_category_other_than_the_computed_one_needs_a_reason_next_to_it(
    login_as, assessed, caseworker, shown_field
):
    client = login_as(caseworker)
    before = database_state()
    data = {**RECOMMENDATION, "category": "relative"}

    response = client.post(f"/cases/{assessed.number}/do/recommend/", data)

    assert response.status_code == 400
    errors, _html = shown_field(response, "difference_reason")
    assert errors == ["The recommended category differs from the computed one: write why."]
    assert database_state() == before

    data["difference_reason"] = "申请人下月起失业，去年收入不能反映现状。"
    response = client.post(f"/cases/{assessed.number}/do/recommend/", data)

    assert response.status_code == 302
    application = AidApplication.objects.get(pk=assessed.pk)
    assert application.state == State.RECOMMENDED
    assert (application.recommended_category, application.computed_category) == (
        "relative",
        "deep",
    )
    assert application.category_difference_reason == data["difference_reason"]
    assert application.recommended_by == caseworker


def test_approving_over_the_cap_needs_a_reason_next_to_its_field(
    login_as, aid_at, admin_user, supervisor, shown_field
):
    reference.change_setting(key=reference.Key.AID_CAP, value=Decimal("2000.00"), by=admin_user)
    application = aid_at("recommended", amount=Decimal("3000.00"))
    client = login_as(supervisor)
    before = database_state()
    data = {"expected_state": "recommended", "note": "同意", "cap_override_reason": ""}

    response = client.post(f"/cases/{application.number}/do/approve/", data)

    assert response.status_code == 400
    errors, _html = shown_field(response, "cap_override_reason")
    assert len(errors) == 1 and "over the cap of ¥2,000.00" in errors[0]
    assert database_state() == before

    data["cap_override_reason"] = "申请人家中突发火灾，经集体研究同意突破年度上限。"
    response = client.post(f"/cases/{application.number}/do/approve/", data)

    assert response.status_code == 302
    application = AidApplication.objects.get(pk=application.pk)
    assert (application.state, application.approved_amount) == (
        State.APPROVED,
        Decimal("3000.00"),
    )
    assert application.cap_override_reason == data["cap_override_reason"]
    approval = application.approvals.get()
    assert (approval.approver, approval.cap) == (supervisor, Decimal("2000.00"))
    assert approval.cap_override_reason == data["cap_override_reason"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("3000.01", "The amount disbursed may not exceed the ¥3,000.00 approved."),
        ("12.345", "Amounts have at most two decimal places (fen)."),
        ("-5", "The amount must be greater than zero."),
    ],
)
def test_a_disbursement_above_what_was_approved_is_refused_next_to_the_amount(
    login_as, aid_at, caseworker, shown_field, amount, message
):
    application = aid_at("approved", amount=Decimal("3000.00"))
    before = database_state()
    data = {
        "expected_state": "approved",
        "amount": amount,
        "on": str(timezone.localdate()),
        "method": "银行转账",
        "receipt": "HZ-0001",
    }

    response = login_as(caseworker).post(f"/cases/{application.number}/do/disburse/", data)

    assert response.status_code == 400
    assert shown_field(response, "amount")[0] == [message]
    assert database_state() == before
    application = AidApplication.objects.get(pk=application.pk)
    assert (application.state, application.disbursed_amount) == (State.APPROVED, None)


def family_data(rows: list[dict], office) -> dict:
    data = {
        "office": office.pk,
        "channel": "desk",
        "family-TOTAL_FORMS": "3",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "10",
    }
    for i, row in enumerate(rows):
        data.update({f"family-{i}-{key}": value for key, value in row.items()})
    return data


def test_a_family_member_with_a_wrong_id_checksum_is_refused_next_to_the_number(
    login_as, office, caseworker, member, shown_field
):
    number = with_wrong_checksum(id_for(datetime.date(1990, 3, 7)))
    data = family_data([{"name": "王秀英", "relation": "spouse", "id_number": number}], office)

    response = login_as(caseworker).post(f"/assistance/cards/new/?worker={member.pk}", data)

    assert response.status_code == 400
    errors, _html = shown_field(response, "family-0-id_number")
    assert errors == [
        "Enter a valid 18-character national ID number; the last character is a checksum."
    ]
    assert not CardApplication.objects.exists() and not FamilyMember.objects.exists()


def test_a_family_member_listed_twice_is_refused_next_to_the_later_number(
    login_as, office, caseworker, member, shown_field
):
    number = id_for(datetime.date(1990, 3, 7))
    rows = [
        {"name": "王秀英", "relation": "spouse", "id_number": number},
        {"name": "王秀英", "relation": "spouse", "id_number": number.lower()},
    ]

    response = login_as(caseworker).post(
        f"/assistance/cards/new/?worker={member.pk}", family_data(rows, office)
    )

    assert response.status_code == 400
    assert shown_field(response, "family-1-id_number")[0] == [
        "This person is already listed above."
    ]
    assert shown_field(response, "family-0-id_number")[0] == []
    assert not CardApplication.objects.exists() and not FamilyMember.objects.exists()


def test_a_child_under_14_needs_a_guardian_and_is_then_covered_with_consent(
    login_as, office, caseworker, member, shown_field
):
    child = {"name": "王小明", "relation": "child", "id_number": id_for(born_years_ago(13.9))}
    client = login_as(caseworker)

    response = client.post(
        f"/assistance/cards/new/?worker={member.pk}", family_data([child], office)
    )

    assert response.status_code == 400
    errors, _html = shown_field(response, "family-0-guardian_name")
    assert errors == ["This person is under 14: record the guardian who consents."]
    assert not CardApplication.objects.exists()

    child["guardian_name"] = "王大明（父亲）"
    response = client.post(
        f"/assistance/cards/new/?worker={member.pk}", family_data([child], office)
    )

    card = CardApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{card.number}/"
    covered = card.family_members.get()
    assert (covered.name, covered.guardian_name) == ("王小明", "王大明（父亲）")
    assert covered.guardian_consent_at is not None
    assert covered.consent_recorded_by == caseworker
    assert covered.id_masked.endswith(child["id_number"][-4:])


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {"id_number": with_wrong_checksum(id_for(datetime.date(1990, 3, 7)))},
            "id_number",
            "Enter a valid 18-character national ID number; the last character is a checksum.",
        ),
        (
            {"id_number": id_for(born_years_ago(10)), "relation": "child"},
            "guardian_name",
            "This person is under 14: record the guardian who consents.",
        ),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_bad_family_member_on_the_case_page_is_refused_next_to_its_field(
    login_as, card_at, caseworker, shown_field, row, field, message
):
    card = card_at("submitted")
    before = database_state()
    data = {"name": "王秀英", "relation": "spouse", "guardian_name": "", **row}

    response = login_as(caseworker).post(f"/cases/{card.number}/record/family/", data)

    assert response.status_code == 400
    assert shown_field(response, field)[0] == [message]
    assert database_state() == before


def test_the_assignee_adds_a_child_with_the_guardians_consent_on_the_case_page(
    login_as, card_at, caseworker
):
    card = card_at("verified")
    data = {
        "name": "王小红",
        "relation": "child",
        "id_number": id_for(born_years_ago(6), sequence=124),
        "guardian_name": "王大明",
    }

    response = login_as(caseworker).post(f"/cases/{card.number}/record/family/", data)

    assert response.status_code == 302
    covered = FamilyMember.objects.get(application=card)
    assert (covered.name, covered.guardian_name, covered.consent_recorded_by) == (
        "王小红",
        "王大明",
        caseworker,
    )
    assert covered.guardian_consent_at is not None


def test_a_worker_who_is_not_a_member_cannot_apply_for_a_card(login_as, office, caseworker, worker):
    client = login_as(caseworker)

    shown = page_of(client.get(f"/assistance/cards/new/?worker={worker.pk}"))
    response = client.post(f"/assistance/cards/new/?worker={worker.pk}", family_data([], office))

    assert "not a union member: only members can apply" in shown
    assert response.status_code == 400
    assert (
        f"Only union members can apply for a medical card; {worker.name} is not a member."
        in page_of(response)
    )
    assert not CardApplication.objects.exists()


def test_a_second_open_aid_application_is_refused_with_a_link_to_the_open_one(
    login_as, office, aid_at, caseworker, worker
):
    open_one = aid_at("assessment")
    before = database_state()

    response = login_as(caseworker).post(
        f"/assistance/aid/new/?worker={worker.pk}",
        {"office": office.pk, "channel": "desk", "circumstances": "又一次申请"},
    )

    assert response.status_code == 400
    page = page_of(response)
    assert f"{worker.name} already has an open application of this kind:" in page
    assert f'<a href="/cases/{open_one.number}/">{open_one.number}</a>' in page
    assert database_state() == before
    assert AidApplication.objects.filter(applicant=worker).count() == 1


def test_a_second_open_card_application_is_refused_with_a_link_to_the_open_one(
    login_as, office, card_at, caseworker, member
):
    open_one = card_at("verified")

    response = login_as(caseworker).post(
        f"/assistance/cards/new/?worker={member.pk}", family_data([], office)
    )

    assert response.status_code == 400
    page = page_of(response)
    assert f"{member.name} already has an open application of this kind:" in page
    assert f'<a href="/cases/{open_one.number}/">{open_one.number}</a>' in page
    assert CardApplication.objects.filter(applicant=member).count() == 1


def test_an_aid_application_needs_its_circumstances(login_as, office, caseworker, worker):
    response = login_as(caseworker).post(
        f"/assistance/aid/new/?worker={worker.pk}",
        {"office": office.pk, "channel": "desk", "circumstances": ""},
    )

    assert response.status_code == 400
    assert not AidApplication.objects.exists()


def test_an_aid_application_cannot_be_opened_for_an_office_one_does_not_work_in(
    login_as, office, other_office, caseworker, worker
):
    response = login_as(caseworker).post(
        f"/assistance/aid/new/?worker={worker.pk}",
        {"office": other_office.pk, "channel": "desk", "circumstances": "生活困难"},
    )

    assert response.status_code == 400
    assert not AidApplication.objects.exists()


def test_the_caseworker_opens_an_aid_application_into_the_intake_queue(
    login_as, office, caseworker, worker
):
    response = login_as(caseworker).post(
        f"/assistance/aid/new/?worker={worker.pk}",
        {"office": office.pk, "channel": "desk", "circumstances": "配偶重病住院"},
    )

    application = AidApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{application.number}/"
    assert (application.applicant, application.office, application.state) == (
        worker,
        office,
        State.APPLICATION,
    )
    assert application.assignee is None and application.circumstances == "配偶重病住院"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "approval_threshold", "value": "abc"}, "value", "plain number"),
        ({"key": "aid_cap", "value": "-5"}, "value", "greater than zero"),
        ({"key": "aid_cap", "value": "1e9"}, "value", "exponent form"),
        ({"key": "card_term_months", "value": "0"}, "value", "from 1 to 60"),
        ({"residence": "urban", "amount": "12.345"}, "amount", "at most two decimal places"),
        ({"residence": "urban", "amount": "0"}, "amount", "greater than zero"),
    ],
)
def test_bad_reference_data_is_refused_next_to_its_field(
    login_as, admin_user, shown_field, data, field, message
):
    before = database_state()

    response = login_as(admin_user).post("/settings/", data)

    assert response.status_code == 400
    errors, _html = shown_field(response, field)
    assert message in " ".join(errors)
    assert database_state() == before


# --- four eyes, on the page -----------------------------------------------------------------


@pytest.fixture
def own_recommendation(aid_at, supervisor):
    """An application the supervisor handles herself and has recommended."""
    return aid_at("recommended", by=supervisor)


def test_the_supervisor_who_recommended_sees_no_approve_button(
    login_as, own_recommendation, supervisor
):
    number = own_recommendation.number

    page = page_of(login_as(supervisor).get(f"/cases/{number}/"))

    assert own_recommendation.recommended_by == supervisor == own_recommendation.assignee
    assert f"/cases/{number}/do/approve/" not in page
    assert "You recommended this aid, so another supervisor must approve it." in page
    # She may still do the other supervisor's steps.
    assert f"/cases/{number}/do/return_for_revision/" in page


def test_another_supervisor_of_the_office_sees_the_approve_button(
    login_as, own_recommendation, supervisor2
):
    number = own_recommendation.number

    page = page_of(login_as(supervisor2).get(f"/cases/{number}/"))

    assert f"/cases/{number}/do/approve/" in page
    assert "You recommended this aid" not in page


def test_a_forged_approval_by_the_recommender_is_refused_and_changes_nothing(
    login_as, own_recommendation, supervisor
):
    before = database_state()

    response = login_as(supervisor).post(
        f"/cases/{own_recommendation.number}/do/approve/",
        {"expected_state": "recommended", "note": "同意"},
    )

    assert response.status_code == 403
    assert "Not allowed" in page_of(response)
    assert database_state() == before
    application = AidApplication.objects.get(pk=own_recommendation.pk)
    assert (application.state, application.approved_amount) == (State.RECOMMENDED, None)
    assert not application.approvals.exists()


def test_the_caseworker_who_recommended_cannot_approve_either(login_as, aid_at, caseworker):
    application = aid_at("recommended")
    before = database_state()

    response = login_as(caseworker).post(
        f"/cases/{application.number}/do/approve/", {"expected_state": "recommended"}
    )

    assert response.status_code == 403
    assert database_state() == before


def test_another_supervisor_approves_it_from_the_page(login_as, own_recommendation, supervisor2):
    response = login_as(supervisor2).post(
        f"/cases/{own_recommendation.number}/do/approve/",
        {"expected_state": "recommended", "note": "同意"},
    )

    assert response.status_code == 302
    application = AidApplication.objects.get(pk=own_recommendation.pk)
    assert application.state == State.APPROVED
    assert [(a.approver, a.comment) for a in application.approvals.all()] == [(supervisor2, "同意")]


def test_above_the_threshold_the_first_approver_cannot_give_the_second_approval(
    login_as, aid_at, supervisor, supervisor2
):
    application = aid_at("recommended", amount=Decimal("6000.00"))
    client = login_as(supervisor)
    client.post(
        f"/cases/{application.number}/do/approve/",
        {"expected_state": "recommended", "note": "同意"},
    )
    assert AidApplication.objects.get(pk=application.pk).state == State.RECOMMENDED
    page = page_of(client.get(f"/cases/{application.number}/"))
    assert "1 of 2" in page
    before = database_state()

    response = client.post(
        f"/cases/{application.number}/do/approve/",
        {"expected_state": "recommended", "note": "再次同意"},
    )

    assert response.status_code == 403
    assert database_state() == before
    response = login_as(supervisor2).post(
        f"/cases/{application.number}/do/approve/",
        {"expected_state": "recommended", "note": "复核同意"},
    )
    assert response.status_code == 302
    application = AidApplication.objects.get(pk=application.pk)
    assert application.state == State.APPROVED
    assert [a.approver for a in application.approvals.all()] == [supervisor, supervisor2]


def test_the_first_approver_is_not_offered_the_second_approval(login_as, aid_at, supervisor):
    application = aid_at("recommended", amount=Decimal("6000.00"))
    client = login_as(supervisor)
    client.post(
        f"/cases/{application.number}/do/approve/",
        {"expected_state": "recommended", "note": "同意"},
    )

    page = page_of(client.get(f"/cases/{application.number}/"))

    assert AidApplication.objects.get(pk=application.pk).approvals.count() == 1
    assert f"/cases/{application.number}/do/approve/" not in page


# --- one click from a wage dispute that recovered nothing ------------------------------------


def aid_for(dispute, worker) -> str:
    return f"/cases/{dispute.number}/aid-for/{worker.pk}/"


def test_a_dispute_closed_with_nothing_recovered_offers_aid_and_links_it_both_ways(
    login_as, world, caseworker, supervisor
):
    dispute, worker = world["dispute"], world["worker"]
    client = login_as(caseworker)
    # The worker's other application (in assessment) must finish first: one open at a time.
    run_transition(case=world["aid_open"], name="withdraw", by=caseworker, reason="申请人撤回")

    page = page_of(client.get(f"/cases/{dispute.number}/"))
    assert "Nothing was recovered for this case." in page
    assert f'action="{aid_for(dispute, worker)}"' in page

    response = client.post(aid_for(dispute, worker))

    application = AidApplication.objects.get(source_case=dispute)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{application.number}/"
    assert (application.applicant, application.office) == (worker, dispute.office)
    assert (application.state, application.assignee) == (State.APPLICATION, None)
    assert dispute.number in application.circumstances
    assert AuditEntry.objects.filter(case_id=application.pk, action="case_opened").exists()

    page = page_of(client.get(f"/cases/{dispute.number}/"))
    assert f'href="/cases/{application.number}/"' in page
    assert aid_for(dispute, worker) not in page  # offered once
    page = page_of(login_as(supervisor).get(f"/cases/{application.number}/"))
    assert f'href="/cases/{dispute.number}/"' in page


def test_one_click_aid_for_a_worker_with_an_open_application_says_which(
    login_as, world, caseworker
):
    dispute, worker = world["dispute"], world["worker"]
    before = database_state()

    response = login_as(caseworker).post(aid_for(dispute, worker), follow=True)

    assert response.redirect_chain == [(f"/cases/{dispute.number}/", 302)]
    assert "already has an open application of this kind" in page_of(response)
    assert database_state() == before


def test_one_click_aid_refused_links_the_open_application(login_as, world, caseworker):
    dispute, worker = world["dispute"], world["worker"]

    response = login_as(caseworker).post(aid_for(dispute, worker), follow=True)

    number = world["aid_open"].number
    assert f'<a href="/cases/{number}/">{number}</a>' in page_of(response)


def test_a_dispute_that_recovered_money_offers_no_aid(login_as, office, caseworker, worker):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=State.CLOSED)
    assert dispute.totals()["recovered"] > 0

    page = page_of(login_as(caseworker).get(f"/cases/{dispute.number}/"))

    assert "/aid-for/" not in page
    assert "Nothing was recovered for this case." not in page


def test_a_forged_one_click_aid_for_a_dispute_that_recovered_money_is_refused(
    login_as, office, caseworker, worker
):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=State.CLOSED)
    before = database_state()

    response = login_as(caseworker).post(aid_for(dispute, worker))

    assert response.status_code == 403
    assert database_state() == before
    assert not AidApplication.objects.exists()


def test_an_open_dispute_offers_no_aid_and_a_forged_post_is_refused(
    login_as, office, caseworker, worker
):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=State.ACCEPTED)
    before = database_state()

    response = login_as(caseworker).post(aid_for(dispute, worker))

    assert response.status_code == 403
    assert (
        "One-click aid is offered from a finished wage dispute that recovered nothing."
        in page_of(response)
    )
    assert database_state() == before


ONE_CLICK = [
    # who, status
    ("caseworker2", 404),  # not their case, and it is finished
    ("other_caseworker", 404),
    ("other_supervisor", 404),
    ("auditor", 403),  # may read the finished dispute, may open nothing
    ("admin_user", 404),  # an administrator without a role does not see the dispute
]


@pytest.mark.parametrize(("who", "status"), ONE_CLICK)
def test_one_click_aid_is_refused_to_the_wrong_people_and_changes_nothing(
    request, login_as, world, who, status
):
    before = database_state()

    response = request_route(login_as(request.getfixturevalue(who)), "aid from a dispute", world)

    assert response.status_code == status
    assert database_state() == before
    assert not AidApplication.objects.filter(source_case=world["dispute"]).exists()


def test_a_supervisor_of_the_office_may_use_one_click_aid(login_as, office, caseworker, supervisor):
    person = factories.WorkerFactory(office=office, created_by=caseworker)
    dispute = walk_to(
        wage_dispute(office, by=caseworker, workers=[person]),
        State.CLOSED,
        caseworker,
        via=State.REFERRED,
    )

    response = login_as(supervisor).post(aid_for(dispute, person))

    assert response.status_code == 302
    application = AidApplication.objects.get(source_case=dispute)
    assert (application.applicant, application.created_by) == (person, supervisor)
    assert Case.objects.get(pk=dispute.pk).outcome == Outcome.REFERRAL


# --- one person, one file ------------------------------------------------------------------


@pytest.fixture
def full_file(office, caseworker, member, aid_at, card_at):
    """`member` with a closed wage dispute (¥3,000 recovered), aid of ¥2,500 paid out
    and a card that ends in 20 days."""
    dispute = wage_dispute(office, by=caseworker, workers=[member], state=State.CLOSED)
    aid = aid_at("disbursed", worker=member, amount=Decimal("2500.00"))
    card = card_at("card_issued")
    today = timezone.localdate()
    card = steps.set_card_dates(
        card, valid_from=add_months(today, -11) - datetime.timedelta(days=10),
        valid_to=today + datetime.timedelta(days=20),
    )  # fmt: skip
    return {"dispute": dispute, "aid": aid, "card": card}


def test_the_workers_page_shows_disputes_aid_and_cards_with_their_totals(
    login_as, full_file, member, caseworker
):
    page = page_of(login_as(caseworker).get(f"/workers/{member.pk}/"))

    for case in full_file.values():
        assert f'href="/cases/{case.number}/"' in page
    assert "Recovered in all" in page and "¥3,000.00" in page
    assert "Aid received in the last 12 months" in page and "¥2,500.00" in page
    card = full_file["card"]
    assert "Current medical card" in page and card.card_number in page
    assert f"valid until {card.valid_to:%Y-%m-%d}" in page


def test_aid_and_a_card_handled_by_someone_else_show_no_amount_nor_card_number(
    login_as, full_file, member, caseworker2
):
    # caseworker2 of the same office handles none of these cases: of them the page
    # shows number, kind, state and assignee only.
    page = page_of(login_as(caseworker2).get(f"/workers/{member.pk}/"))

    card = full_file["card"]
    assert full_file["aid"].number in page and card.number in page
    assert "Aid received in the last 12 months" in page and "¥0.00" in page
    assert "¥2,500.00" not in page
    assert card.card_number not in page and f"{card.valid_to:%Y-%m-%d}" not in page
    assert f"held, on case {card.number}" in page


def test_a_card_expiring_within_30_days_offers_a_renewal(login_as, full_file, member, caseworker):
    page = page_of(login_as(caseworker).get(f"/workers/{member.pk}/"))

    assert "expires within 30 days" in page
    assert f'href="/assistance/cards/new/?worker={member.pk}">Renew the medical card' in page


def test_a_card_valid_for_longer_offers_no_renewal_nor_a_new_card(
    login_as, card_at, member, caseworker
):
    card = card_at("card_issued")

    page = page_of(login_as(caseworker).get(f"/workers/{member.pk}/"))

    assert card.card_number in page
    assert "expires within 30 days" not in page
    assert "/assistance/cards/new/" not in page
    assert f"/assistance/aid/new/?worker={member.pk}" in page  # aid can still be applied for


def test_the_renewal_page_says_the_new_card_starts_after_the_old_one(
    login_as, full_file, member, caseworker
):
    card = full_file["card"]

    page = page_of(login_as(caseworker).get(f"/assistance/cards/new/?worker={member.pk}"))

    assert f"Renewal of card {card.card_number}, valid until {card.valid_to:%Y-%m-%d}" in page


def test_a_worker_without_aid_or_card_shows_nothing_received(login_as, worker, caseworker):
    page = page_of(login_as(caseworker).get(f"/workers/{worker.pk}/"))

    assert "Aid received in the last 12 months" in page and "¥0.00" in page
    assert "Apply for hardship aid" in page
    assert "Apply for a medical card" not in page  # not a union member


def test_an_auditor_reading_the_file_gets_no_apply_buttons(login_as, world, auditor):
    worker = world["worker"]  # has a finished dispute and a withdrawn aid application

    page = page_of(login_as(auditor).get(f"/workers/{worker.pk}/"))

    assert world["aid_finished"].number in page
    assert world["aid_open"].number not in page  # open: not the auditor's to see
    assert "/assistance/aid/new/" not in page and "/assistance/cards/new/" not in page
