"""The hardship aid workflow, driven through `cases.services.run_transition` and
the aid services (`open_aid_application`, `save_assessment`, `recommend_aid`,
`approve_aid`, `disburse_aid`).

Each test checks what the database holds afterwards: the state, the stored
rules, the approval rows and the audit entries.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_fsm import TransitionNotAllowed

from assistance import services
from assistance.models import AidApplication, Approval, Category
from cases.models import Case, CaseCounter, Kind, Outcome, State
from cases.services import CaseChanged, run_transition, take_case
from casework import reference
from casework.models import AuditEntry, DibaoLine
from casework.transitions import ConditionsNotMet
from tests import factories
from tests.assistance.steps import ASSESSMENT, assess, disburse, open_aid, recommend, reload_aid

pytestmark = pytest.mark.django_db

Key = reference.Key


def transitions(case) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.TRANSITION)
    return list(entries.order_by("at", "pk").values_list("source_state", "target_state"))


def last_transition(case) -> AuditEntry:
    return AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.TRANSITION).first()


def approvals(case) -> list[Approval]:
    return list(Approval.objects.filter(application_id=case.pk).order_by("pk"))


def message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- opening -----------------------------------------------------------------------------


def test_an_application_lands_unassigned_in_the_intake_queue_with_a_number(
    office, caseworker, worker
):
    application = open_aid(office, by=caseworker, worker=worker)

    stored = reload_aid(application)
    year = timezone.localdate().year
    assert stored.number == f"HA-{year}-000001"
    assert (stored.kind, stored.state, stored.assignee) == (Kind.HARDSHIP_AID, "application", None)
    assert stored.applicant == worker
    assert list(stored.workers.all()) == [worker]
    assert Case.objects.intake_queue(office.pk).filter(pk=stored.pk).exists()
    entry = AuditEntry.objects.get(case_id=stored.pk)
    assert (entry.action, entry.actor, entry.target_state) == (
        "case_opened",
        caseworker,
        "application",
    )


def test_a_caseworker_of_another_office_cannot_open_an_application_here(
    office, other_caseworker, worker
):
    with pytest.raises(PermissionDenied):
        open_aid(office, by=other_caseworker, worker=worker)

    assert not AidApplication.objects.exists()


# --- every simple transition, allowed --------------------------------------------------

ALLOWED = [
    # source, transition, arguments, who, target, outcome
    (State.APPLICATION, "start_assessment", {}, "caseworker", State.ASSESSMENT, ""),
    (State.APPLICATION, "start_assessment", {}, "supervisor", State.ASSESSMENT, ""),
    (
        State.RECOMMENDED,
        "reject",
        {"reason": "家庭收入高于帮扶标准"},
        "supervisor",
        State.REJECTED,
        Outcome.REJECTED,
    ),
    (
        State.RECOMMENDED,
        "reject",
        {"reason": "家庭收入高于帮扶标准"},
        "city_supervisor",
        State.REJECTED,
        Outcome.REJECTED,
    ),
    (
        State.RECOMMENDED,
        "return_for_revision",
        {"reason": "请补充住院费用票据"},
        "supervisor",
        State.ASSESSMENT,
        "",
    ),
    (State.DISBURSED, "close", {"outcome_note": "已发放"}, "caseworker", State.CLOSED, "disbursed"),
    (State.DISBURSED, "close", {}, "supervisor", State.CLOSED, Outcome.DISBURSED),
    (State.APPLICATION, "withdraw", {"reason": "撤回"}, "caseworker", State.WITHDRAWN, "withdrawn"),
]


@pytest.mark.parametrize(("source", "name", "kwargs", "who", "target", "outcome"), ALLOWED)
def test_each_step_moves_the_application_and_is_logged(
    request, aid_at, source, name, kwargs, who, target, outcome
):
    application = aid_at(source)
    by = request.getfixturevalue(who)

    run_transition(case=application, name=name, by=by, note="已核实", **kwargs)

    stored = reload_aid(application)
    assert stored.state == target
    assert stored.outcome == outcome
    assert (stored.finished_at is not None) == (
        target in (State.CLOSED, State.REJECTED, "withdrawn")
    )
    entry = last_transition(stored)
    assert (entry.source_state, entry.target_state, entry.actor) == (source, target, by)
    assert entry.note == "已核实"
    assert entry.details == {"transition": name}


def test_recommending_stores_the_proposal_and_who_made_it(aid_at, caseworker):
    application = aid_at(State.ASSESSMENT)
    assess(application, caseworker)

    recommend(application, caseworker, Decimal("3000.00"), aid_type="medical")

    stored = reload_aid(application)
    assert stored.state == State.RECOMMENDED
    assert (stored.aid_type, stored.recommended_amount) == ("medical", Decimal("3000.00"))
    assert stored.recommended_category == stored.computed_category == Category.DEEP
    assert stored.recommendation_reason.startswith("家庭人均收入")
    assert stored.recommended_by == caseworker
    assert transitions(stored)[-1] == ("assessment", "recommended")


def test_a_recommendation_that_differs_from_the_computed_category_needs_a_written_reason(
    aid_at, caseworker
):
    application = aid_at(State.ASSESSMENT)
    assess(application, caseworker)

    with pytest.raises(ValidationError) as refused:
        recommend(application, caseworker, category=Category.RELATIVE)

    assert refused.value.code == "difference_reason"
    assert reload_aid(application).state == State.ASSESSMENT
    recommend(
        application,
        caseworker,
        category=Category.RELATIVE,
        difference_reason="子女教育支出未计入刚性支出",
    )
    stored = reload_aid(application)
    assert (stored.state, stored.recommended_category) == ("recommended", "relative")
    assert stored.computed_category == Category.DEEP
    assert stored.category_difference_reason == "子女教育支出未计入刚性支出"


def test_the_category_rule_reads_the_assessment_as_saved_not_as_the_page_showed_it(
    aid_at, caseworker
):
    # The caseworker's page read the computed category "deep"; a colleague's assessment,
    # saved since, computed "relative". Recommending "deep" without a reason is refused.
    application = aid_at(State.ASSESSMENT)
    assess(application, caseworker)
    seen = reload_aid(application)
    AidApplication.objects.filter(pk=application.pk).update(computed_category=Category.RELATIVE)

    with pytest.raises(ValidationError) as refused:
        services.recommend_aid(
            case=seen,
            by=caseworker,
            amount=Decimal("3000.00"),
            aid_type="cash",
            category=Category.DEEP,
            reason="家庭人均收入低于低保线。",
        )

    assert refused.value.code == "difference_reason"
    assert reload_aid(application).state == State.ASSESSMENT


def test_recommending_before_the_assessment_is_complete_names_what_is_missing(aid_at, caseworker):
    application = aid_at(State.ASSESSMENT)

    with translation.override("en"), pytest.raises(ConditionsNotMet) as refused:
        recommend(application, caseworker, category="", difference_reason="尚未核查")

    assert "The assessment lacks home visit on." in refused.value.messages
    assert "The assessment lacks a minimum living allowance line." in refused.value.messages
    stored = reload_aid(application)
    assert (stored.state, stored.recommended_amount, stored.recommended_by) == (
        "assessment",
        None,
        None,
    )
    assert transitions(stored)[-1] == ("application", "assessment")


def test_recommending_before_any_assessment_is_told_what_the_assessment_lacks(aid_at, caseworker):
    application = aid_at(State.ASSESSMENT)

    with pytest.raises(ConditionsNotMet):
        recommend(application, caseworker, category=Category.DEEP)


def test_the_assessment_stores_the_household_the_category_and_the_rules_in_force(
    aid_at, caseworker
):
    application = aid_at(State.ASSESSMENT)

    assess(application, caseworker)

    stored = reload_aid(application)
    for name, value in ASSESSMENT.items():
        assert getattr(stored, name) == value
    assert stored.dibao_line == Decimal("720.00")
    assert (stored.threshold, stored.cap) == (Decimal("5000.00"), Decimal("10000.00"))
    assert stored.computed_category == Category.DEEP
    assert stored.state == State.ASSESSMENT
    entry = AuditEntry.objects.get(case_id=stored.pk, action="case_edited")
    assert entry.details["category"] == "deep"
    assert entry.actor == caseworker


def test_the_assessment_uses_the_line_of_the_workers_district_and_residence(
    office, caseworker, dibao
):
    district = factories.DistrictFactory(name="随县")
    DibaoLine.objects.create(district=district, residence="rural", monthly_amount=Decimal("500"))
    worker = factories.WorkerFactory(
        office=office, created_by=caseworker, district=district, residence="rural"
    )
    application = open_aid(office, by=caseworker, worker=worker)
    take_case(case=application, by=caseworker)
    run_transition(case=application, name="start_assessment", by=caseworker)

    # 500 a person a month: deep under 720 (city-wide urban), relative under the county's 500.
    assess(application, caseworker, annual_income=Decimal("24000"), annual_rigid_spending=0)
    assert reload_aid(application).dibao_line == Decimal("500.00")
    assert reload_aid(application).computed_category == Category.RELATIVE


def test_without_any_line_the_assessment_is_refused_and_nothing_is_stored(aid_at, caseworker):
    application = aid_at(State.ASSESSMENT)
    DibaoLine.objects.all().delete()

    with pytest.raises(ValidationError):
        assess(application, caseworker)

    stored = reload_aid(application)
    assert (stored.visitors, stored.dibao_line, stored.computed_category) == ("", None, "")


def test_the_assessment_is_recorded_only_while_the_application_is_assessed(aid_at, caseworker):
    application = aid_at(State.APPLICATION)

    with pytest.raises(TransitionNotAllowed):
        assess(application, caseworker)

    assert reload_aid(application).visitors == ""


def test_only_the_assignee_or_a_supervisor_records_the_assessment(
    aid_at, caseworker2, auditor, supervisor
):
    application = aid_at(State.ASSESSMENT)

    for outsider in (caseworker2, auditor):
        # (The service answers TransitionNotAllowed today; PermissionDenied would be truer.)
        with pytest.raises((PermissionDenied, TransitionNotAllowed)):
            assess(application, outsider)
    assert reload_aid(application).visitors == ""
    assess(application, supervisor)
    assert reload_aid(application).visitors == ASSESSMENT["visitors"]


def test_approving_below_the_threshold_takes_one_approval_with_its_record(
    aid_at, supervisor, caseworker
):
    application = aid_at(State.RECOMMENDED, amount=Decimal("3000.00"))

    services.approve_aid(case=application, by=supervisor, comment="情况属实，同意")

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert stored.approved_amount == Decimal("3000.00")
    assert stored.approved_at is not None
    (approval,) = approvals(stored)
    assert (approval.approver, approval.comment, approval.round) == (
        supervisor,
        "情况属实，同意",
        1,
    )
    assert approval.amount == Decimal("3000.00")
    assert approval.approved_at is not None
    assert (approval.threshold, approval.cap, approval.aid_in_12_months) == (
        Decimal("5000.00"),
        Decimal("10000.00"),
        Decimal("0.00"),
    )
    entry = last_transition(stored)
    assert (entry.source_state, entry.target_state, entry.actor) == (
        "recommended",
        "approved",
        supervisor,
    )
    # The comment is kept once, on the approval entry, not repeated on the transition.
    approval_entry = AuditEntry.objects.get(case=stored, action="approval")
    assert approval_entry.note == "情况属实，同意"
    assert entry.note == ""


def test_disbursing_records_amount_date_method_and_receipt(aid_at, caseworker):
    application = aid_at(State.APPROVED, amount=Decimal("3000.00"))

    services.disburse_aid(
        case=application,
        by=caseworker,
        amount=Decimal("2800.00"),
        on=datetime.date(2026, 5, 8),
        means="银行转账",
        receipt="HZ-2026-0042",
        note="扣除已垫付药费",
    )

    stored = reload_aid(application)
    assert stored.state == State.DISBURSED
    assert (stored.disbursed_amount, stored.disbursed_on) == (
        Decimal("2800.00"),
        datetime.date(2026, 5, 8),
    )
    assert (stored.disbursement_method, stored.receipt_reference) == ("银行转账", "HZ-2026-0042")
    assert transitions(stored)[-1] == ("approved", "disbursed")


def test_disbursing_exactly_the_approved_amount_is_allowed(aid_at, caseworker):
    application = aid_at(State.APPROVED, amount=Decimal("3000.00"))

    disburse(application, caseworker, Decimal("3000.00"))

    assert reload_aid(application).disbursed_amount == Decimal("3000.00")


def test_disbursing_more_than_approved_is_refused(aid_at, caseworker):
    application = aid_at(State.APPROVED, amount=Decimal("3000.00"))

    with pytest.raises(ValidationError) as refused:
        disburse(application, caseworker, Decimal("3000.01"))

    assert refused.value.code == "over_approved"
    stored = reload_aid(application)
    assert (stored.state, stored.disbursed_amount) == ("approved", None)
    assert transitions(stored)[-1] == ("recommended", "approved")


def test_a_full_walk_leaves_every_step_in_the_audit_log(
    aid_at, caseworker, supervisor, supervisor2
):
    application = aid_at(
        State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2]
    )

    assert transitions(application) == [
        ("application", "assessment"),
        ("assessment", "recommended"),
        ("recommended", "approved"),
        ("approved", "disbursed"),
        ("disbursed", "closed"),
    ]
    entries = AuditEntry.objects.filter(case_id=application.pk).order_by("at", "pk")
    assert list(entries.values_list("action", "actor__username")) == [
        ("case_opened", "zhang.wei"),
        ("assigned", "zhang.wei"),
        ("transition", "zhang.wei"),
        ("case_edited", "zhang.wei"),
        ("transition", "zhang.wei"),
        ("approval", "liu.yang"),
        ("approval", "zhou.jie"),
        ("transition", "zhou.jie"),
        ("transition", "zhang.wei"),
        ("transition", "zhang.wei"),
    ]
    first, second = entries.filter(action="approval")
    assert first.details == {"amount": "6000.00", "needed": 2, "complete": False}
    assert second.details == {"amount": "6000.00", "needed": 2, "complete": True}
    assert all(entry.office_id == application.office_id for entry in entries)


# --- refused by state -------------------------------------------------------------------

WRONG_STATE = [
    # state, transition, arguments, who
    (State.ASSESSMENT, "start_assessment", {}, "caseworker"),
    (State.APPLICATION, "return_for_revision", {"reason": "x"}, "supervisor"),
    (State.ASSESSMENT, "reject", {"reason": "x"}, "supervisor"),
    (State.APPROVED, "reject", {"reason": "x"}, "supervisor"),
    (State.APPROVED, "return_for_revision", {"reason": "x"}, "supervisor"),
    (State.APPROVED, "close", {}, "caseworker"),
    (State.RECOMMENDED, "close", {}, "caseworker"),
    (State.DISBURSED, "withdraw", {"reason": "x"}, "caseworker"),
    (State.APPLICATION, "reopen", {}, "supervisor"),
    (State.APPROVED, "reopen", {}, "supervisor"),
    (State.CLOSED, "withdraw", {"reason": "x"}, "caseworker"),
    (State.REJECTED, "close", {}, "supervisor"),
]


@pytest.mark.parametrize(("state", "name", "kwargs", "who"), WRONG_STATE)
def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(
    request, aid_at, state, name, kwargs, who
):
    application = aid_at(state)
    before = transitions(application)

    with pytest.raises(TransitionNotAllowed):
        run_transition(case=application, name=name, by=request.getfixturevalue(who), **kwargs)

    assert reload_aid(application).state == state
    assert transitions(application) == before


@pytest.mark.parametrize("state", [State.APPLICATION, State.ASSESSMENT, State.APPROVED])
def test_approving_outside_recommended_is_refused(aid_at, supervisor, state):
    application = aid_at(state)

    with pytest.raises(TransitionNotAllowed):
        services.approve_aid(case=application, by=supervisor)

    assert reload_aid(application).state == state
    assert Approval.objects.filter(application_id=application.pk).count() == (
        1 if state == State.APPROVED else 0
    )


def test_recommending_outside_assessment_is_refused(aid_at, caseworker):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(TransitionNotAllowed):
        recommend(application, caseworker, Decimal("100.00"))

    assert reload_aid(application).recommended_amount == Decimal("3000.00")


def test_disbursing_before_approval_is_refused(aid_at, caseworker):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(TransitionNotAllowed):
        disburse(application, caseworker, Decimal("100.00"))

    assert reload_aid(application).disbursed_amount is None


def test_a_step_from_a_page_drawn_in_another_state_is_told_the_case_changed(aid_at, supervisor):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(CaseChanged):
        services.approve_aid(case=application, by=supervisor, expected_state=State.ASSESSMENT)

    assert approvals(application) == []


# --- refused by role --------------------------------------------------------------------

WRONG_ROLE = [
    # state, transition, arguments, who
    (State.APPLICATION, "start_assessment", {}, "caseworker2"),  # not the assignee
    (State.APPLICATION, "start_assessment", {}, "other_supervisor"),
    (State.APPLICATION, "start_assessment", {}, "auditor"),
    (State.APPLICATION, "start_assessment", {}, "admin_user"),
    (State.RECOMMENDED, "reject", {"reason": "x"}, "caseworker"),
    (State.RECOMMENDED, "reject", {"reason": "x"}, "other_supervisor"),
    (State.RECOMMENDED, "return_for_revision", {"reason": "x"}, "caseworker"),
    (State.RECOMMENDED, "return_for_revision", {"reason": "x"}, "auditor"),
    (State.DISBURSED, "close", {}, "caseworker2"),
    (State.DISBURSED, "close", {}, "auditor"),
    (State.ASSESSMENT, "withdraw", {"reason": "x"}, "caseworker2"),
    (State.ASSESSMENT, "withdraw", {"reason": "x"}, "admin_user"),
    (State.WITHDRAWN, "reopen", {}, "caseworker"),
    (State.REJECTED, "reopen", {}, "auditor"),
    (State.CLOSED, "reopen", {}, "other_supervisor"),
]


@pytest.mark.parametrize(("state", "name", "kwargs", "who"), WRONG_ROLE)
def test_a_step_the_role_does_not_allow_is_refused_and_changes_nothing(
    request, aid_at, state, name, kwargs, who
):
    application = aid_at(state)
    before = transitions(application)

    with pytest.raises(PermissionDenied):
        run_transition(case=application, name=name, by=request.getfixturevalue(who), **kwargs)

    assert reload_aid(application).state == state
    assert transitions(application) == before


@pytest.mark.parametrize("who", ["caseworker", "caseworker2", "other_supervisor", "auditor"])
def test_only_a_supervisor_of_the_office_may_approve(request, aid_at, who):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(PermissionDenied):
        services.approve_aid(case=application, by=request.getfixturevalue(who))

    assert reload_aid(application).state == State.RECOMMENDED
    assert approvals(application) == []


def test_an_administrator_takes_no_step_not_even_an_approval(aid_at, admin_user):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(PermissionDenied):
        services.approve_aid(case=application, by=admin_user)

    assert approvals(application) == []


@pytest.mark.parametrize("who", ["caseworker2", "auditor", "supervisor"])
def test_only_the_assignee_or_a_supervisor_may_recommend(request, aid_at, caseworker, who):
    application = aid_at(State.ASSESSMENT)
    assess(application, caseworker)
    by = request.getfixturevalue(who)

    if who == "supervisor":
        recommend(application, by)
        assert reload_aid(application).recommended_by == by
        return
    with pytest.raises(PermissionDenied):
        recommend(application, by)
    assert reload_aid(application).state == State.ASSESSMENT


@pytest.mark.parametrize("who", ["caseworker2", "auditor"])
def test_only_the_assignee_or_a_supervisor_may_record_a_disbursement(request, aid_at, who):
    application = aid_at(State.APPROVED)

    with pytest.raises(PermissionDenied):
        disburse(application, request.getfixturevalue(who))

    assert reload_aid(application).state == State.APPROVED


@pytest.mark.parametrize("name", ["reject", "return_for_revision", "withdraw"])
def test_a_step_that_keeps_a_reason_needs_one(aid_at, supervisor, name):
    application = aid_at(State.RECOMMENDED)

    with pytest.raises(ValidationError):
        run_transition(case=application, name=name, by=supervisor, reason="  ")

    assert reload_aid(application).state == State.RECOMMENDED


# --- four eyes --------------------------------------------------------------------------


def test_a_supervisor_who_recommended_her_own_case_cannot_approve_it(
    office, supervisor, supervisor2, worker, dibao
):
    application = open_aid(office, by=supervisor, worker=worker)
    take_case(case=application, by=supervisor)
    run_transition(case=application, name="start_assessment", by=supervisor)
    assess(application, supervisor)
    recommend(application, supervisor)

    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.approve_aid(case=application, by=supervisor)

    assert str(refused.value) == (
        "You recommended this aid, so another supervisor must approve it."
    )
    assert reload_aid(application).state == State.RECOMMENDED
    assert approvals(application) == []
    assert not AuditEntry.objects.filter(case_id=application.pk, action="approval").exists()

    services.approve_aid(case=application, by=supervisor2)

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert [a.approver for a in approvals(stored)] == [supervisor2]


def test_a_city_supervisor_may_approve_what_a_district_supervisor_recommended(
    office, supervisor, city_supervisor, worker, dibao
):
    application = open_aid(office, by=supervisor, worker=worker)
    run_transition(case=application, name="start_assessment", by=supervisor)
    assess(application, supervisor)
    recommend(application, supervisor)

    services.approve_aid(case=application, by=city_supervisor)

    assert reload_aid(application).state == State.APPROVED


def test_the_recommender_of_a_new_round_may_not_approve_it_either(aid_at, supervisor, supervisor2):
    application = aid_at(State.RECOMMENDED)
    run_transition(case=application, name="return_for_revision", by=supervisor2, reason="补充")
    recommend(application, supervisor)  # the supervisor now recommends it herself

    with pytest.raises(PermissionDenied):
        services.approve_aid(case=application, by=supervisor)

    services.approve_aid(case=application, by=supervisor2)
    assert reload_aid(application).state == State.APPROVED


# --- the threshold's second approval ----------------------------------------------------


def test_at_the_threshold_one_approval_is_enough(aid_at, supervisor):
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    services.approve_aid(case=application, by=supervisor)

    assert reload_aid(application).state == State.APPROVED


def test_above_the_threshold_the_application_stays_recommended_until_a_second_supervisor_approves(
    aid_at, supervisor, supervisor2
):
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.01"))

    services.approve_aid(case=application, by=supervisor, comment="同意，请再审")

    stored = reload_aid(application)
    assert stored.state == State.RECOMMENDED
    assert (stored.approved_amount, stored.approved_at) == (None, None)
    assert [(a.approver, a.comment) for a in approvals(stored)] == [(supervisor, "同意，请再审")]
    assert transitions(stored)[-1] == ("assessment", "recommended")
    assert AuditEntry.objects.filter(case_id=stored.pk, action="approval").count() == 1

    services.approve_aid(case=application, by=supervisor2, comment="同意")

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert stored.approved_amount == Decimal("5000.01")
    assert [(a.approver, a.comment) for a in approvals(stored)] == [
        (supervisor, "同意，请再审"),
        (supervisor2, "同意"),
    ]
    first, second = approvals(stored)
    assert first.approved_at <= second.approved_at
    assert transitions(stored)[-1] == ("recommended", "approved")


@pytest.mark.parametrize(("amount", "needed"), [(Decimal("5000.00"), 1), (Decimal("5000.01"), 2)])
def test_the_application_says_how_many_approvals_it_needs(aid_at, amount, needed):
    assert aid_at(State.RECOMMENDED, amount=amount).approvals_needed() == needed


def test_the_same_supervisor_cannot_give_both_approvals(aid_at, supervisor):
    application = aid_at(State.RECOMMENDED, amount=Decimal("6000.00"))
    services.approve_aid(case=application, by=supervisor)

    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.approve_aid(case=application, by=supervisor)

    assert "already approved" in str(refused.value)
    assert reload_aid(application).state == State.RECOMMENDED
    assert len(approvals(application)) == 1


def test_the_recommender_cannot_be_the_second_approver(
    office, supervisor, supervisor2, worker, dibao
):
    application = open_aid(office, by=supervisor, worker=worker)
    run_transition(case=application, name="start_assessment", by=supervisor)
    assess(application, supervisor)
    recommend(application, supervisor, Decimal("6000.00"))
    services.approve_aid(case=application, by=supervisor2)

    with pytest.raises(PermissionDenied):
        services.approve_aid(case=application, by=supervisor)

    assert reload_aid(application).state == State.RECOMMENDED
    assert [a.approver for a in approvals(application)] == [supervisor2]


def test_a_threshold_raised_before_approval_means_one_approval_is_enough(
    aid_at, supervisor, admin_user
):
    application = aid_at(State.RECOMMENDED, amount=Decimal("6000.00"))
    reference.change_setting(key=Key.APPROVAL_THRESHOLD, value=Decimal("8000.00"), by=admin_user)

    services.approve_aid(case=application, by=supervisor)

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert stored.threshold == Decimal("8000.00")
    assert approvals(stored)[0].threshold == Decimal("8000.00")


def test_while_awaiting_approval_the_application_counts_approvals_by_the_threshold_now(
    aid_at, admin_user
):
    # Assessed under 5,000: two approvals. The threshold rises to 8,000 before anyone
    # approves; the approval will apply 8,000, so the application says one, as the page does.
    application = aid_at(State.RECOMMENDED, amount=Decimal("6000.00"))
    assert application.approvals_needed() == 2

    reference.change_setting(key=Key.APPROVAL_THRESHOLD, value=Decimal("8000.00"), by=admin_user)

    assert application.threshold == Decimal("5000.00")
    assert application.threshold_in_force() == Decimal("8000.00")
    assert application.approvals_needed() == 1


# --- the 12-month cap -------------------------------------------------------------------


def test_aid_over_the_cap_is_refused_without_an_override(
    aid_at, supervisor, supervisor2, caseworker
):
    aid_at(State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2])
    application = aid_at(State.RECOMMENDED, amount=Decimal("4000.01"))

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.approve_aid(case=application, by=supervisor)

    assert refused.value.code == "cap"
    assert "¥10,000.01" in message(refused.value)
    stored = reload_aid(application)
    assert stored.state == State.RECOMMENDED
    assert approvals(stored) == []
    assert not AuditEntry.objects.filter(case_id=stored.pk, action="approval").exists()


def test_aid_exactly_at_the_cap_needs_no_override(aid_at, supervisor, supervisor2):
    aid_at(State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2])
    application = aid_at(State.RECOMMENDED, amount=Decimal("4000.00"))

    services.approve_aid(case=application, by=supervisor)

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert approvals(stored)[0].aid_in_12_months == Decimal("6000.00")


def test_a_supervisor_overrides_the_cap_with_a_written_reason(aid_at, supervisor, supervisor2):
    aid_at(State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2])
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    services.approve_aid(
        case=application, by=supervisor, cap_override_reason="患者需二次手术，家庭无力负担"
    )

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert stored.cap_override_reason == "患者需二次手术，家庭无力负担"
    (approval,) = approvals(stored)
    assert approval.cap_override_reason == "患者需二次手术，家庭无力负担"
    assert (approval.aid_in_12_months, approval.cap) == (Decimal("6000.00"), Decimal("10000.00"))


def test_a_blank_override_reason_is_no_override(aid_at, supervisor, supervisor2):
    aid_at(State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2])
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    with pytest.raises(ValidationError) as refused:
        services.approve_aid(case=application, by=supervisor, cap_override_reason="   ")

    assert refused.value.code == "cap"
    assert reload_aid(application).state == State.RECOMMENDED


def test_rejected_aid_does_not_count_towards_the_cap(aid_at, supervisor):
    rejected = aid_at(State.REJECTED, amount=Decimal("9000.00"))
    assert rejected.outcome == Outcome.REJECTED
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    services.approve_aid(case=application, by=supervisor)

    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert approvals(stored)[0].aid_in_12_months == Decimal("0")


def test_aid_withdrawn_after_approval_does_not_count_towards_the_cap(aid_at, supervisor):
    aid_at(State.WITHDRAWN, via=State.APPROVED, amount=Decimal("5000.00"))
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.01"))

    services.approve_aid(case=application, by=supervisor)

    assert approvals(application)[0].aid_in_12_months == Decimal("0")


def test_aid_approved_more_than_12_months_before_does_not_count(aid_at, supervisor, supervisor2):
    earlier = aid_at(State.CLOSED, amount=Decimal("6000.00"), approvers=[supervisor, supervisor2])
    AidApplication.objects.filter(pk=earlier.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=366)
    )
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    services.approve_aid(case=application, by=supervisor)

    assert reload_aid(application).state == State.APPROVED
    assert approvals(application)[0].aid_in_12_months == Decimal("0")


def test_the_cap_counts_the_amount_approved_not_the_amount_disbursed(
    aid_at, office, caseworker, worker, supervisor, dibao
):
    earlier = aid_at(State.APPROVED, amount=Decimal("5000.00"))
    disburse(earlier, caseworker, Decimal("1000.00"))
    run_transition(case=earlier, name="close", by=caseworker)
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.01"))

    with pytest.raises(ValidationError) as refused:
        services.approve_aid(case=application, by=supervisor)

    assert refused.value.code == "cap"


def test_aid_to_another_worker_does_not_count(aid_at, office, caseworker, supervisor, supervisor2):
    other = factories.WorkerFactory(office=office, created_by=caseworker)
    aid_at(
        State.CLOSED, worker=other, amount=Decimal("9000.00"), approvers=[supervisor, supervisor2]
    )
    application = aid_at(State.RECOMMENDED, amount=Decimal("5000.00"))

    services.approve_aid(case=application, by=supervisor)

    assert reload_aid(application).state == State.APPROVED


def test_the_second_approval_also_checks_the_cap(aid_at, supervisor, supervisor2, admin_user):
    application = aid_at(State.RECOMMENDED, amount=Decimal("8000.00"))
    services.approve_aid(case=application, by=supervisor)
    reference.change_setting(key=Key.AID_CAP, value=Decimal("7000.00"), by=admin_user)

    with pytest.raises(ValidationError) as refused:
        services.approve_aid(case=application, by=supervisor2)

    assert refused.value.code == "cap"
    assert reload_aid(application).state == State.RECOMMENDED
    services.approve_aid(case=application, by=supervisor2, cap_override_reason="上限调整前已初审")
    assert reload_aid(application).state == State.APPROVED


# --- return for revision ----------------------------------------------------------------


def test_returning_for_revision_goes_back_to_assessment_and_starts_a_new_round(
    aid_at, caseworker, supervisor, supervisor2
):
    application = aid_at(State.RECOMMENDED, amount=Decimal("6000.00"))
    services.approve_aid(case=application, by=supervisor)

    run_transition(
        case=application, name="return_for_revision", by=supervisor2, reason="请核实家庭收入"
    )

    stored = reload_aid(application)
    assert (stored.state, stored.approval_round) == (State.ASSESSMENT, 2)
    assert stored.current_approvals().count() == 0
    assert last_transition(stored).target_state == "assessment"
    # The earlier approval stays on record, but counts no more.
    recommend(application, caseworker, Decimal("6000.00"))
    services.approve_aid(case=application, by=supervisor)
    assert reload_aid(application).state == State.RECOMMENDED
    services.approve_aid(case=application, by=supervisor2)
    stored = reload_aid(application)
    assert stored.state == State.APPROVED
    assert [(a.round, a.approver) for a in approvals(stored)] == [
        (1, supervisor),
        (2, supervisor),
        (2, supervisor2),
    ]


def test_a_revised_assessment_recomputes_the_category(aid_at, caseworker, supervisor):
    application = aid_at(State.RECOMMENDED)
    run_transition(case=application, name="return_for_revision", by=supervisor, reason="复核")

    assess(application, caseworker, annual_income=Decimal("100000.00"))

    assert reload_aid(application).computed_category == Category.NONE


# --- settings changed after assessment --------------------------------------------------


def test_settings_changed_after_assessment_do_not_change_a_stored_application(
    aid_at, caseworker, supervisor, admin_user
):
    application = aid_at(State.ASSESSMENT)
    assess(application, caseworker)

    reference.change_setting(key=Key.APPROVAL_THRESHOLD, value=Decimal("8000.00"), by=admin_user)
    reference.change_setting(key=Key.AID_CAP, value=Decimal("20000.00"), by=admin_user)
    # A line this low would make the household "not in hardship".
    reference.change_dibao_line(
        district=None, residence="urban", amount=Decimal("100.00"), by=admin_user
    )

    stored = reload_aid(application)
    assert stored.dibao_line == Decimal("720.00")
    assert (stored.threshold, stored.cap) == (Decimal("5000.00"), Decimal("10000.00"))
    assert stored.computed_category == Category.DEEP

    # At approval, the values in force then are stored on the approval and the application.
    recommend(application, caseworker, Decimal("6000.00"))
    services.approve_aid(case=application, by=supervisor)

    stored = reload_aid(application)
    assert stored.state == State.APPROVED  # 6000 is not above the new threshold
    assert (stored.threshold, stored.cap) == (Decimal("8000.00"), Decimal("20000.00"))
    assert stored.dibao_line == Decimal("720.00")
    assert stored.computed_category == Category.DEEP
    (approval,) = approvals(stored)
    assert (approval.threshold, approval.cap) == (Decimal("8000.00"), Decimal("20000.00"))


def test_settings_changed_after_approval_do_not_change_the_approval(aid_at, supervisor, admin_user):
    application = aid_at(State.APPROVED, approvers=[supervisor])

    reference.change_setting(key=Key.APPROVAL_THRESHOLD, value=Decimal("1000.00"), by=admin_user)
    reference.change_setting(key=Key.AID_CAP, value=Decimal("2000.00"), by=admin_user)

    stored = reload_aid(application)
    assert (stored.state, stored.approved_amount) == (State.APPROVED, Decimal("3000.00"))
    assert (stored.threshold, stored.cap) == (Decimal("5000.00"), Decimal("10000.00"))
    (approval,) = approvals(stored)
    assert (approval.threshold, approval.cap) == (Decimal("5000.00"), Decimal("10000.00"))


# --- withdraw and reopen ----------------------------------------------------------------

OPEN_STATES = [State.APPLICATION, State.ASSESSMENT, State.RECOMMENDED, State.APPROVED]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_an_application_can_be_withdrawn_from_every_open_state_before_payment(
    aid_at, caseworker, state
):
    application = aid_at(state)

    run_transition(case=application, name="withdraw", by=caseworker, reason="申请人已找到工作")

    stored = reload_aid(application)
    assert (stored.state, stored.outcome) == (State.WITHDRAWN, Outcome.WITHDRAWN)
    assert stored.outcome_note == "申请人已找到工作"
    assert stored.finished_at is not None
    assert last_transition(stored).source_state == state


@pytest.mark.parametrize(
    ("finished", "via", "back_to"),
    [
        (State.WITHDRAWN, State.APPLICATION, State.APPLICATION),
        (State.WITHDRAWN, State.RECOMMENDED, State.RECOMMENDED),
        (State.WITHDRAWN, State.APPROVED, State.APPROVED),
        (State.REJECTED, None, State.RECOMMENDED),
        (State.CLOSED, None, State.DISBURSED),
    ],
)
def test_a_supervisor_reopens_a_finished_application_to_where_it_was(
    aid_at, supervisor, finished, via, back_to
):
    application = aid_at(finished, via=via)

    run_transition(case=application, name="reopen", by=supervisor, note="申请人补交材料")

    stored = reload_aid(application)
    assert stored.state == back_to
    assert (stored.finished_at, stored.outcome, stored.outcome_note) == (None, "", "")
    entry = last_transition(stored)
    assert (entry.source_state, entry.target_state, entry.actor) == (finished, back_to, supervisor)


def test_approvals_given_before_a_rejection_do_not_count_after_reopening(
    aid_at, supervisor, supervisor2, office
):
    application = aid_at(State.RECOMMENDED, amount=Decimal("6000.00"))  # two approvals
    services.approve_aid(case=application, by=supervisor)
    run_transition(case=application, name="reject", by=supervisor2, reason="材料不全")
    run_transition(case=application, name="reopen", by=supervisor2, note="申请人补交材料")

    third = factories.supervisor(office)
    services.approve_aid(case=reload_aid(application), by=third)

    stored = reload_aid(application)
    assert stored.state == State.RECOMMENDED
    assert [a.approver for a in stored.current_approvals()] == [third]
    assert stored.approvals.count() == 2


@pytest.mark.parametrize(("days", "allowed"), [(89, True), (90, True), (91, False)])
def test_an_application_can_be_reopened_only_within_90_days(aid_at, supervisor, days, allowed):
    application = aid_at(State.WITHDRAWN)
    # Ten minutes' margin: "within 90 days" is measured to the moment.
    finished = timezone.now() - datetime.timedelta(days=days) + datetime.timedelta(minutes=10)
    Case.objects.filter(pk=application.pk).update(finished_at=finished)

    if allowed:
        run_transition(case=application, name="reopen", by=supervisor, note="补充材料")
        assert reload_aid(application).state == State.APPLICATION
        return
    with pytest.raises(ConditionsNotMet):
        run_transition(case=application, name="reopen", by=supervisor, note="补充材料")
    assert reload_aid(application).state == State.WITHDRAWN


def test_reopening_while_another_application_is_open_is_refused_with_a_link_to_it(
    aid_at, supervisor, office, caseworker, worker
):
    finished = aid_at(State.WITHDRAWN)
    open_one = open_aid(office, by=caseworker, worker=worker)

    with pytest.raises(ValidationError) as refused:
        with transaction.atomic():
            run_transition(case=finished, name="reopen", by=supervisor, note="补充材料")

    assert open_one.number in message(refused.value)
    assert reload_aid(finished).state == State.WITHDRAWN


# --- one open application per worker ----------------------------------------------------


def test_a_second_open_application_is_refused_with_a_link_to_the_open_one(
    aid_at, office, caseworker, worker
):
    first = aid_at(State.RECOMMENDED)
    counter = CaseCounter.objects.get(kind=Kind.HARDSHIP_AID).last

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_aid(office, by=caseworker, worker=worker)

    assert refused.value.code == "open_application"
    text = message(refused.value)
    assert f'<a href="/cases/{first.number}/">{first.number}</a>' in text
    assert "already has an open application of this kind" in text
    assert AidApplication.objects.filter(applicant=worker).count() == 1
    # The refused attempt used no number.
    assert CaseCounter.objects.get(kind=Kind.HARDSHIP_AID).last == counter


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.REJECTED, State.CLOSED])
def test_after_an_application_finishes_the_worker_may_apply_again(
    aid_at, office, caseworker, worker, state
):
    aid_at(state)

    again = open_aid(office, by=caseworker, worker=worker)

    assert reload_aid(again).state == State.APPLICATION
    assert AidApplication.objects.filter(applicant=worker).count() == 2


def test_an_open_wage_dispute_or_card_application_does_not_block_an_aid_application(
    office, caseworker, worker
):
    factories.wage_dispute(office, by=caseworker, workers=[worker])
    worker.is_member = True
    worker.save()
    services.open_card_application(by=caseworker, office=office, worker=worker)

    open_aid(office, by=caseworker, worker=worker)

    assert AidApplication.objects.filter(applicant=worker).count() == 1


def test_the_database_refuses_a_second_open_application_too(office, caseworker, worker):
    first = open_aid(office, by=caseworker, worker=worker)

    with pytest.raises(IntegrityError), transaction.atomic():
        AidApplication.objects.create(
            number="HA-2026-999999",
            kind=Kind.HARDSHIP_AID,
            office=office,
            state=State.ASSESSMENT,
            applicant=worker,
            created_by=caseworker,
            circumstances="直接写入数据库",
        )

    assert list(AidApplication.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_database_allows_a_finished_application_beside_an_open_one(office, caseworker, worker):
    open_aid(office, by=caseworker, worker=worker)

    AidApplication.objects.create(
        number="HA-2025-999999",
        kind=Kind.HARDSHIP_AID,
        office=office,
        state=State.WITHDRAWN,
        applicant=worker,
        created_by=caseworker,
        circumstances="早先撤回的申请",
    )

    assert AidApplication.objects.filter(applicant=worker).count() == 2


def test_the_link_in_the_refusal_points_at_a_page_that_exists(
    aid_at, office, caseworker, worker, login_as
):
    first = aid_at(State.APPLICATION)
    with pytest.raises(ValidationError) as refused:
        open_aid(office, by=caseworker, worker=worker)
    (href,) = re.findall(r'href="([^"]+)"', message(refused.value))

    response = login_as(caseworker).get(href)

    assert response.status_code == 200
    assert first.number in response.content.decode()


# --- on the worker's file ------------------------------------------------------------------


def test_aid_received_counts_what_was_paid_out_in_the_last_12_months(aid_at, worker, caseworker):
    application = aid_at(State.APPROVED, amount=Decimal("3000.00"))
    disburse(application, caseworker, Decimal("2500.00"))
    today = timezone.localdate()

    assert services.aid_received(worker, today) == Decimal("2500.00")
    assert services.aid_received(worker, services.add_months(today, 12)) == Decimal("0")
