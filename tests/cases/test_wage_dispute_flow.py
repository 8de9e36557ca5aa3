"""The wage dispute state machine, driven through `cases.services.run_transition`.

Each test checks what the database holds afterwards: the state, the finished
date and outcome, and the transition's audit entry.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_fsm import TransitionNotAllowed

from cases import services
from cases.models import Case, Outcome, Payment, State, WageDispute
from cases.models.wage import OPEN_STATES
from cases.services import CaseChanged, record_payment, run_transition, set_amounts, update_dispute
from casework.models import AuditEntry
from casework.transitions import ConditionsNotMet
from tests.factories import fill_agreement_terms, pay_in_full, wage_dispute, walk_to

pytestmark = pytest.mark.django_db

REFERRAL = {
    "forum": "arbitration",
    "body": "随州市劳动人事争议仲裁委员会",
    "on": datetime.date(2026, 5, 6),
}


@pytest.fixture
def dispute_at(office, caseworker):
    """`dispute_at("mediating")`: a dispute taken by `caseworker` and walked to that state."""

    def make(state, via=None, **kwargs):
        dispute = wage_dispute(office, by=caseworker, **kwargs)
        return walk_to(dispute, state, caseworker, via=via)

    return make


def reload(dispute) -> WageDispute:
    # The state field is protected, so refresh_from_db() cannot set it: read a new row.
    return WageDispute.objects.get(pk=dispute.pk)


def last_transition(dispute) -> AuditEntry:
    return AuditEntry.objects.filter(case_id=dispute.pk, action="transition").first()


def transition_count(dispute) -> int:
    return AuditEntry.objects.filter(case_id=dispute.pk, action="transition").count()


def assert_recorded(dispute, *, source, target, by, note=""):
    entry = last_transition(dispute)
    assert (entry.source_state, entry.target_state) == (source, target)
    assert entry.actor_id == by.pk
    assert entry.actor_name == f"{by.full_name} ({by.username})"
    assert entry.note == note
    assert entry.office_id == dispute.office_id


# --- every transition, allowed -----------------------------------------------------

# Data a step needs beyond reaching its source state.
PREPARE = {"record_agreement": fill_agreement_terms, "mark_performed": pay_in_full}

ALLOWED = [
    # source, transition, arguments, target, outcome
    (State.INTAKE, "accept", {}, State.ACCEPTED, ""),
    (State.INTAKE, "decline", {"reason": "不属于劳动报酬争议"}, State.DECLINED, Outcome.DECLINED),
    (State.ACCEPTED, "investigate", {}, State.INVESTIGATING, ""),
    (State.ACCEPTED, "start_mediation", {}, State.MEDIATING, ""),
    (State.INVESTIGATING, "start_mediation", {}, State.MEDIATING, ""),
    (
        State.MEDIATING,
        "record_agreement",
        {"signed_on": datetime.date(2026, 4, 20)},
        State.AGREEMENT,
        "",
    ),
    (State.MEDIATING, "mark_failed", {}, State.MEDIATION_FAILED, ""),
    (State.AGREEMENT, "mark_performed", {}, State.PERFORMED, ""),
    (State.AGREEMENT, "refer", REFERRAL, State.REFERRED, ""),
    (State.MEDIATION_FAILED, "refer", REFERRAL, State.REFERRED, ""),
    (State.PERFORMED, "close", {"outcome_note": "已足额支付"}, State.CLOSED, Outcome.PERFORMED),
    (State.REFERRED, "close", {"outcome_note": "仲裁裁决已执行"}, State.CLOSED, Outcome.REFERRAL),
]


@pytest.mark.parametrize(
    ("source", "name", "kwargs", "target", "outcome"),
    ALLOWED,
    ids=[f"{name}-from-{source}" for source, name, *_ in ALLOWED],
)
def test_the_assigned_caseworker_can_take_each_of_their_steps(
    dispute_at, caseworker, source, name, kwargs, target, outcome
):
    dispute = dispute_at(source)
    if name in PREPARE:
        PREPARE[name](dispute, caseworker)

    run_transition(case=dispute, name=name, by=caseworker, note="依程序办理", **kwargs)

    dispute = reload(dispute)
    assert dispute.state == target
    assert dispute.outcome == outcome
    assert (dispute.finished_at is not None) == (target in (State.CLOSED, State.DECLINED))
    if outcome:
        assert dispute.outcome_note == next(iter(kwargs.values()))
    assert_recorded(dispute, source=source, target=target, by=caseworker, note="依程序办理")
    assert last_transition(dispute).details == {"transition": name}


def test_recording_an_agreement_keeps_its_signing_date(dispute_at, caseworker):
    dispute = fill_agreement_terms(dispute_at(State.MEDIATING), caseworker)
    run_transition(
        case=dispute, name="record_agreement", by=caseworker, signed_on=datetime.date(2026, 4, 20)
    )
    assert reload(dispute).agreement_signed_on == datetime.date(2026, 4, 20)


def test_a_referral_keeps_the_forum_the_body_and_the_date(dispute_at, caseworker):
    dispute = dispute_at(State.MEDIATION_FAILED)
    run_transition(case=dispute, name="refer", by=caseworker, **REFERRAL)
    dispute = reload(dispute)
    assert (dispute.referral_forum, dispute.referral_body, dispute.referral_date) == (
        "arbitration",
        "随州市劳动人事争议仲裁委员会",
        datetime.date(2026, 5, 6),
    )


def test_a_finished_case_has_no_due_date(dispute_at):
    dispute = dispute_at(State.MEDIATING)
    assert dispute.due_on is not None
    assert dispute_at(State.CLOSED).due_on is None


# --- refused in the wrong state --------------------------------------------------------

WRONG_STATE = [
    (State.ACCEPTED, "accept"),
    (State.ACCEPTED, "decline"),
    (State.INTAKE, "investigate"),
    (State.INTAKE, "start_mediation"),
    (State.MEDIATING, "start_mediation"),
    (State.INVESTIGATING, "record_agreement"),
    (State.INVESTIGATING, "mark_failed"),
    (State.MEDIATING, "mark_performed"),
    (State.MEDIATING, "refer"),
    (State.AGREEMENT, "close"),
    (State.MEDIATING, "close"),
    (State.PERFORMED, "close_with_shortfall"),
    (State.REFERRED, "close_with_shortfall"),
    (State.CLOSED, "withdraw"),
    (State.DECLINED, "accept"),
    (State.MEDIATING, "reopen"),
]
ARGUMENTS = {
    "decline": {"reason": "—"},
    "record_agreement": {"signed_on": datetime.date(2026, 4, 20)},
    "refer": REFERRAL,
    "close_with_shortfall": {"reason": "—"},
    "withdraw": {"reason": "—"},
}


@pytest.mark.parametrize(
    ("state", "name"), WRONG_STATE, ids=[f"{n}-from-{s}" for s, n in WRONG_STATE]
)
def test_a_step_is_refused_from_a_state_it_does_not_leave(dispute_at, supervisor, state, name):
    # A supervisor of the office may take every step, so only the state is wrong.
    dispute = dispute_at(state)
    before = transition_count(dispute)

    with pytest.raises(TransitionNotAllowed):
        run_transition(case=dispute, name=name, by=supervisor, **ARGUMENTS.get(name, {}))

    assert reload(dispute).state == state
    assert transition_count(dispute) == before


# --- refused to the wrong person ---------------------------------------------------------

OUTSIDERS = [
    "caseworker2",  # same office, not assigned
    "other_caseworker",
    "auditor",
    "admin_user",  # a superuser in no group
    "other_supervisor",
]
CASEWORKER_STEPS = [
    (State.INTAKE, "accept", {}),
    (State.MEDIATING, "mark_failed", {}),
    (State.REFERRED, "close", {}),
    (State.AGREEMENT, "withdraw", {"reason": "—"}),
]


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize(
    ("state", "name", "kwargs"), CASEWORKER_STEPS, ids=[n for _s, n, _k in CASEWORKER_STEPS]
)
def test_only_the_assignee_or_a_supervisor_of_the_office_can_take_a_caseworker_step(
    request, dispute_at, outsider, state, name, kwargs
):
    dispute = dispute_at(state)
    before = transition_count(dispute)

    with pytest.raises(PermissionDenied):
        run_transition(case=dispute, name=name, by=request.getfixturevalue(outsider), **kwargs)

    assert reload(dispute).state == state
    assert transition_count(dispute) == before


@pytest.mark.parametrize("outsider", [*OUTSIDERS, "caseworker"])
@pytest.mark.parametrize(
    ("state", "name", "kwargs"),
    [
        (State.AGREEMENT, "close_with_shortfall", {"reason": "—"}),
        (State.CLOSED, "reopen", {}),
    ],
    ids=["close_with_shortfall", "reopen"],
)
def test_only_a_supervisor_of_the_office_can_take_a_supervisor_step(
    request, dispute_at, outsider, state, name, kwargs
):
    dispute = dispute_at(state)

    with pytest.raises(PermissionDenied):
        run_transition(case=dispute, name=name, by=request.getfixturevalue(outsider), **kwargs)

    assert reload(dispute).state == state


@pytest.mark.parametrize("boss", ["supervisor", "city_supervisor"])
def test_a_supervisor_of_the_office_or_of_an_office_above_it_can_take_any_step(
    request, office, caseworker, boss
):
    boss = request.getfixturevalue(boss)
    dispute = wage_dispute(office, by=caseworker)  # unassigned

    run_transition(case=dispute, name="accept", by=boss)
    dispute = walk_to(reload(dispute), State.AGREEMENT, boss)
    run_transition(case=dispute, name="close_with_shortfall", by=boss, reason="对方已注销")

    dispute = reload(dispute)
    assert dispute.state == State.CLOSED
    assert dispute.assignee is None
    assert_recorded(dispute, source=State.AGREEMENT, target=State.CLOSED, by=boss)


# --- refused while a condition is unmet ------------------------------------------------------


def test_mediation_cannot_start_before_a_counterparty_is_recorded(dispute_at, caseworker):
    dispute = dispute_at(State.ACCEPTED, counterparty=False)

    with translation.override("en"), pytest.raises(ConditionsNotMet) as refused:
        run_transition(case=dispute, name="start_mediation", by=caseworker)

    assert refused.value.messages == ["Record the counterparty (the other side) before mediation."]
    assert reload(dispute).state == State.ACCEPTED


def _drop_counterparty(dispute, by):
    dispute.counterparty_links.all().delete()  # no service removes one; R3 still guards it


def _amounts(claimed, agreed):
    def change(dispute, by):
        amounts = {cw.pk: (claimed, agreed) for cw in dispute.case_workers.all()}
        set_amounts(case=dispute, by=by, amounts=amounts)

    return change


def _field(**fields):
    def change(dispute, by):
        update_dispute(case=dispute, by=by, **fields)

    return change


@pytest.mark.parametrize(
    ("remove", "item"),
    [
        (_drop_counterparty, "the other party (a counterparty)"),
        (_amounts(None, Decimal("3000")), "the amount claimed for every worker"),
        (_amounts(Decimal("3000"), None), "the amount agreed for every worker"),
        (_field(agreement_result="  "), "the agreed result"),
        (_field(performance_deadline=None), "the deadline of performance"),
        (_field(performance_method=""), "the method of performance"),
    ],
    ids=["counterparty", "claimed", "agreed", "result", "deadline", "method"],
)
def test_an_agreement_lacking_any_item_the_law_requires_is_refused(
    dispute_at, caseworker, remove, item
):
    dispute = fill_agreement_terms(dispute_at(State.MEDIATING), caseworker)
    remove(dispute, caseworker)

    with translation.override("en"), pytest.raises(ConditionsNotMet) as refused:
        run_transition(
            case=dispute, name="record_agreement", by=caseworker, signed_on=timezone.localdate()
        )

    assert refused.value.messages == [f"The agreement lacks {item}."]
    assert reload(dispute).state == State.MEDIATING


@pytest.fixture
def underpaid(dispute_at, caseworker):
    """An agreement for ¥3,000 of which the worker has received ¥1,000."""
    dispute = dispute_at(State.AGREEMENT)
    record_payment(
        case=dispute,
        by=caseworker,
        worker=dispute.workers.get(),
        paid_on=timezone.localdate(),
        amount=Decimal("1000.00"),
        method=Payment.Method.WECHAT,
    )
    return dispute


def test_an_agreement_is_not_performed_while_a_worker_is_owed_money(underpaid, caseworker):
    name = underpaid.workers.get().name

    with translation.override("en"), pytest.raises(ConditionsNotMet) as refused:
        run_transition(case=underpaid, name="mark_performed", by=caseworker)

    assert refused.value.messages == [f"{name} has received ¥1,000.00 of ¥3,000.00 agreed."]
    assert reload(underpaid).state == State.AGREEMENT


def test_a_supervisor_can_close_an_underpaid_agreement_with_a_shortfall_and_a_reason(
    underpaid, supervisor
):
    run_transition(
        case=underpaid, name="close_with_shortfall", by=supervisor, reason="站点负责人失联"
    )

    dispute = reload(underpaid)
    assert dispute.state == State.CLOSED
    assert dispute.outcome == Outcome.SHORTFALL
    assert dispute.outcome_note == "站点负责人失联"
    assert dispute.finished_at is not None
    assert dispute.totals()["outstanding"] == Decimal("2000.00")
    assert_recorded(dispute, source=State.AGREEMENT, target=State.CLOSED, by=supervisor)


def test_a_caseworker_cannot_close_an_underpaid_agreement_with_a_shortfall(underpaid, caseworker):
    with pytest.raises(PermissionDenied):
        run_transition(case=underpaid, name="close_with_shortfall", by=caseworker, reason="—")
    assert reload(underpaid).state == State.AGREEMENT


# --- withdrawal and reopening -------------------------------------------------------------------


@pytest.mark.parametrize("state", OPEN_STATES)
def test_the_worker_can_withdraw_from_every_open_state(dispute_at, caseworker, state):
    dispute = dispute_at(state)

    run_transition(case=dispute, name="withdraw", by=caseworker, reason="已与站点自行和解")

    dispute = reload(dispute)
    assert dispute.state == State.WITHDRAWN
    assert dispute.outcome == Outcome.WITHDRAWN
    assert dispute.outcome_note == "已与站点自行和解"
    assert dispute.finished_at is not None
    assert dispute.due_on is None
    assert_recorded(dispute, source=state, target=State.WITHDRAWN, by=caseworker)


@pytest.mark.parametrize(
    ("finished", "via", "back_to"),
    [
        (State.CLOSED, None, State.PERFORMED),
        (State.CLOSED, State.REFERRED, State.REFERRED),
        (State.DECLINED, None, State.INTAKE),
        (State.WITHDRAWN, State.MEDIATING, State.MEDIATING),
        (State.WITHDRAWN, State.AGREEMENT, State.AGREEMENT),
    ],
    ids=[
        "closed-after-performance",
        "closed-after-referral",
        "declined",
        "withdrawn-from-mediating",
        "withdrawn-from-agreement",
    ],
)
def test_a_supervisor_can_reopen_a_finished_case_to_the_state_before_it_finished(
    dispute_at, supervisor, finished, via, back_to
):
    dispute = dispute_at(finished, via=via)

    run_transition(case=dispute, name="reopen", by=supervisor, note="当事人反映款项被退回")

    dispute = reload(dispute)
    assert dispute.state == back_to
    assert dispute.finished_at is None
    assert dispute.outcome == dispute.outcome_note == ""
    assert_recorded(
        dispute, source=finished, target=back_to, by=supervisor, note="当事人反映款项被退回"
    )


def test_a_closed_with_shortfall_case_reopens_to_its_agreement(underpaid, supervisor):
    run_transition(case=underpaid, name="close_with_shortfall", by=supervisor, reason="—")
    run_transition(case=underpaid, name="reopen", by=supervisor, note="复核")
    assert reload(underpaid).state == State.AGREEMENT


@pytest.mark.parametrize(("days_ago", "allowed"), [(89, True), (91, False)])
def test_a_case_can_be_reopened_only_within_90_days_of_finishing(
    dispute_at, supervisor, days_ago, allowed
):
    dispute = dispute_at(State.CLOSED)
    WageDispute.objects.filter(pk=dispute.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=days_ago)
    )

    if allowed:
        run_transition(case=dispute, name="reopen", by=supervisor, note="复核")
        assert reload(dispute).state == State.PERFORMED
    else:
        with translation.override("en"), pytest.raises(ConditionsNotMet) as refused:
            run_transition(case=dispute, name="reopen", by=supervisor, note="复核")
        assert refused.value.messages == [
            "A case can be reopened only within 90 days of finishing."
        ]
        assert reload(dispute).state == State.CLOSED


# --- a case that changed under the user ---------------------------------------------------------


def test_a_step_taken_on_a_stale_page_raises_case_changed_and_changes_nothing(
    dispute_at, caseworker
):
    dispute = dispute_at(State.ACCEPTED)
    before = transition_count(dispute)

    with pytest.raises(CaseChanged) as changed:
        run_transition(
            case=dispute, name="accept", by=caseworker, expected_state=State.INTAKE, note="—"
        )

    assert changed.value.case.state == State.ACCEPTED
    assert reload(dispute).state == State.ACCEPTED
    assert transition_count(dispute) == before


def test_a_step_taken_on_a_current_page_goes_through(dispute_at, caseworker):
    dispute = dispute_at(State.ACCEPTED)
    run_transition(case=dispute, name="investigate", by=caseworker, expected_state=State.ACCEPTED)
    assert reload(dispute).state == State.INVESTIGATING


@pytest.mark.parametrize("name", ["decline", "withdraw"])
def test_a_step_that_needs_a_reason_is_refused_without_one(office, caseworker, worker, name):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=State.INTAKE)
    services.take_case(case=dispute, by=caseworker)

    with pytest.raises(ValidationError):
        run_transition(case=dispute, name=name, by=caseworker, reason="  ")

    assert Case.objects.get(pk=dispute.pk).state == State.INTAKE
