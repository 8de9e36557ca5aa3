"""Hardship aid and medical card applications, opened and walked only through
the services, so that their numbers, stored rules and audit entries are the
real ones (the `walk_to` of wage disputes, for the two assistance kinds)."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from assistance import services
from assistance.models import AidApplication, CardApplication
from cases.models import Case, State, Worker
from cases.services import run_transition, take_case
from casework import reference
from casework.models import Office, User
from tests import factories

# (24000 − 6000) ÷ 12 ÷ 3 = 500 a person a month: deep hardship under a line of 720.
ASSESSMENT = {
    "visited_on": datetime.date(2026, 4, 2),
    "visitors": "张伟、李娜",
    "findings": "家中三口人，配偶患病需长期服药，住房为租住的单间。",
    "household_size": 3,
    "annual_income": Decimal("24000.00"),
    "annual_rigid_spending": Decimal("6000.00"),
    "one_off_costs": Decimal("0.00"),
}

_card_numbers = itertools.count(1)


def next_card_number() -> str:
    return f"HGK-421300-{next(_card_numbers):06d}"


def reload_aid(case: Case) -> AidApplication:
    # The state field is protected, so refresh_from_db() cannot set it: read a new row.
    return AidApplication.objects.get(pk=case.pk)


def reload_card(case: Case) -> CardApplication:
    return CardApplication.objects.get(pk=case.pk)


# --- hardship aid -------------------------------------------------------------------------

AID_ROAD = [
    State.APPLICATION,
    State.ASSESSMENT,
    State.RECOMMENDED,
    State.APPROVED,
    State.DISBURSED,
    State.CLOSED,
]


def open_aid(office: Office, *, by: User, worker: Worker | None = None) -> AidApplication:
    worker = worker or factories.WorkerFactory(office=office, created_by=by)
    return services.open_aid_application(
        by=by,
        office=office,
        worker=worker,
        circumstances="配偶重病住院，家庭收入锐减，申请临时困难帮扶。",
    )


def assess(case: AidApplication, by: User, **fields) -> AidApplication:
    return services.save_assessment(case=case, by=by, **{**ASSESSMENT, **fields})


def recommend(
    case: AidApplication, by: User, amount: Decimal = Decimal("3000.00"), **fields
) -> AidApplication:
    case = reload_aid(case)
    fields = {
        "aid_type": "cash",
        "category": case.computed_category,
        "reason": "家庭人均收入低于低保线，建议给予一次性现金帮扶。",
        **fields,
    }
    return services.recommend_aid(case=case, by=by, amount=amount, **fields)


def approvals_for(office: Office, amount: Decimal) -> list[User]:
    """New supervisors of the office, as many as the amount needs."""
    needed = 2 if amount > reference.current(reference.Key.APPROVAL_THRESHOLD) else 1
    return [factories.supervisor(office) for _ in range(needed)]


def disburse(case: AidApplication, by: User, amount: Decimal | None = None) -> AidApplication:
    case = reload_aid(case)
    return services.disburse_aid(
        case=case,
        by=by,
        amount=case.approved_amount if amount is None else amount,
        on=timezone.localdate(),
        means="银行转账",
        receipt="HZ-2026-0001",
    )


def aid_at(
    state: str,
    *,
    office: Office,
    by: User,
    worker: Worker | None = None,
    amount: Decimal = Decimal("3000.00"),
    approvers: list[User] | None = None,
    via: str | None = None,
    **assessment,
) -> AidApplication:
    """An aid application taken by `by` and walked to `state` along
    application → assessment → recommended → approved → disbursed → closed.

    `rejected` is reached from recommended; `withdrawn` from `via` (default:
    application). `approvers` approve in turn (default: new supervisors of the
    office, two when the amount is above the threshold); the first rejects.
    """
    case = open_aid(office, by=by, worker=worker)
    take_case(case=case, by=by)
    target = {State.REJECTED: State.RECOMMENDED, State.WITHDRAWN: via or State.APPLICATION}.get(
        state, state
    )
    if approvers is None and target in (State.APPROVED, State.DISBURSED, State.CLOSED):
        approvers = approvals_for(office, amount)
    if approvers is None and state == State.REJECTED:
        approvers = [factories.supervisor(office)]
    for step in AID_ROAD[1 : AID_ROAD.index(target) + 1]:
        if step == State.ASSESSMENT:
            run_transition(case=case, name="start_assessment", by=by)
        elif step == State.RECOMMENDED:
            assess(case, by, **assessment)
            recommend(case, by, amount)
        elif step == State.APPROVED:
            for approver in approvers:
                services.approve_aid(case=case, by=approver, comment="同意")
        elif step == State.DISBURSED:
            disburse(case, by)
        elif step == State.CLOSED:
            run_transition(case=case, name="close", by=by, outcome_note="帮扶款已发放")
    if state == State.REJECTED:
        run_transition(case=case, name="reject", by=approvers[0], reason="家庭收入高于帮扶标准")
    elif state == State.WITHDRAWN:
        run_transition(case=case, name="withdraw", by=by, reason="申请人自行撤回")
    return reload_aid(case)


# --- medical cards ------------------------------------------------------------------------

CARD_ROAD = [State.SUBMITTED, State.VERIFIED, State.APPROVED, State.CARD_ISSUED, State.CLOSED]


def member_worker(office: Office, by: User, **fields) -> Worker:
    return factories.WorkerFactory(
        office=office, created_by=by, is_member=True, membership_number="HY-0001", **fields
    )


def card_at(
    state: str,
    *,
    office: Office,
    by: User,
    worker: Worker | None = None,
    approver: User | None = None,
    family: list[dict] = (),
    via: str | None = None,
    card_number: str | None = None,
) -> CardApplication:
    """A card application taken by `by` and walked to `state` along
    submitted → verified → approved → card issued → closed; `rejected` and
    `withdrawn` are reached from `via` (default: submitted)."""
    worker = worker or member_worker(office, by)
    case = services.open_card_application(by=by, office=office, worker=worker, family=family)
    take_case(case=case, by=by)
    target = {State.REJECTED: via or State.SUBMITTED, State.WITHDRAWN: via or State.SUBMITTED}.get(
        state, state
    )
    approver = approver or factories.supervisor(office)
    for step in CARD_ROAD[1 : CARD_ROAD.index(target) + 1]:
        if step == State.VERIFIED:
            run_transition(case=case, name="verify", by=by, notes="身份证、工会会员证已核验")
        elif step == State.APPROVED:
            run_transition(case=case, name="approve", by=approver)
        elif step == State.CARD_ISSUED:
            services.issue_card(case=case, by=by, card_number=card_number or next_card_number())
        elif step == State.CLOSED:
            run_transition(case=case, name="close", by=by, outcome_note="卡已领取")
    if state == State.REJECTED:
        run_transition(case=case, name="reject", by=approver, reason="资料不全")
    elif state == State.WITHDRAWN:
        run_transition(case=case, name="withdraw", by=by, reason="申请人自行撤回")
    return reload_card(case)


def set_card_dates(card: CardApplication, valid_from: datetime.date, valid_to: datetime.date):
    """Move an issued card's term (as if issued earlier); the state is untouched."""
    CardApplication.objects.filter(pk=card.pk).update(valid_from=valid_from, valid_to=valid_to)
    return reload_card(card)
