"""The case services other than transitions: taking and assigning, payments,
clocks, case numbers and workers' ID numbers."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cases import services
from cases.models import LimitationEvent, Payment, Relationship, State, WageDispute, Worker
from casework.identity import keyed_hash, mask_id_number
from casework.models import AuditEntry
from tests import factories
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

CHINA = ZoneInfo("Asia/Shanghai")


def reload(dispute) -> WageDispute:
    return WageDispute.objects.get(pk=dispute.pk)


def entries(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters)


# --- taking and assigning -------------------------------------------------------------


def test_taking_a_case_assigns_it_without_changing_its_state(office, caseworker):
    dispute = wage_dispute(office)

    services.take_case(case=dispute, by=caseworker)

    dispute = reload(dispute)
    assert dispute.assignee == caseworker
    assert dispute.state == State.INTAKE
    assert entries("assigned", case_id=dispute.pk, actor=caseworker).exists()
    assert not entries("transition", case_id=dispute.pk).exists()


def test_a_case_already_taken_cannot_be_taken_by_a_second_caseworker(
    office, caseworker, caseworker2
):
    dispute = wage_dispute(office)
    services.take_case(case=dispute, by=caseworker)

    with pytest.raises(ValidationError):
        services.take_case(case=dispute, by=caseworker2)

    assert reload(dispute).assignee == caseworker


def test_a_caseworker_cannot_take_a_case_of_another_office(office, other_caseworker):
    dispute = wage_dispute(office)

    with pytest.raises(PermissionDenied):
        services.take_case(case=dispute, by=other_caseworker)

    assert reload(dispute).assignee is None


def test_a_supervisor_of_the_city_can_take_a_case_of_an_office_below(office, city_supervisor):
    dispute = wage_dispute(office)
    services.take_case(case=dispute, by=city_supervisor)
    assert reload(dispute).assignee == city_supervisor


@pytest.mark.parametrize("boss", ["supervisor", "city_supervisor"])
def test_a_supervisor_can_assign_a_case_to_a_caseworker_of_their_offices(
    request, office, caseworker, caseworker2, boss
):
    boss = request.getfixturevalue(boss)
    dispute = wage_dispute(office, by=caseworker, state=State.ACCEPTED)

    services.assign_case(case=dispute, to=caseworker2, by=boss, note="张伟休假")

    assert reload(dispute).assignee == caseworker2
    entry = entries("assigned", case_id=dispute.pk).first()
    assert entry.actor == boss
    assert entry.note == "张伟休假"
    assert entry.details == {"from": str(caseworker), "to": str(caseworker2)}


@pytest.mark.parametrize("who", ["caseworker", "caseworker2", "other_supervisor", "auditor"])
def test_only_a_supervisor_of_the_office_can_assign_a_case(request, office, caseworker2, who):
    dispute = wage_dispute(office)

    with pytest.raises(PermissionDenied):
        services.assign_case(case=dispute, to=caseworker2, by=request.getfixturevalue(who))

    assert reload(dispute).assignee is None


@pytest.mark.parametrize("to", ["other_caseworker", "auditor", "admin_user"])
def test_a_case_cannot_be_assigned_to_someone_outside_the_supervised_offices_or_roles(
    request, office, supervisor, to
):
    dispute = wage_dispute(office)

    with pytest.raises(ValidationError):
        services.assign_case(case=dispute, to=request.getfixturevalue(to), by=supervisor)

    assert reload(dispute).assignee is None


# --- payments ----------------------------------------------------------------------------


@pytest.fixture
def two_workers(office, caseworker):
    return [factories.WorkerFactory(office=office, created_by=caseworker) for _ in range(2)]


@pytest.fixture
def agreement(office, caseworker, two_workers):
    """A collective agreement: each of two workers is agreed ¥3,000."""
    return wage_dispute(office, by=caseworker, workers=two_workers, state=State.AGREEMENT)


def pay(dispute, by, worker, amount, **fields):
    fields = {"paid_on": datetime.date(2026, 5, 8), "method": Payment.Method.BANK, **fields}
    return services.record_payment(
        case=dispute, by=by, worker=worker, amount=Decimal(amount), **fields
    )


def test_a_payment_is_recorded_with_who_entered_it(agreement, caseworker, two_workers):
    payment = pay(agreement, caseworker, two_workers[0], "1500.50", reference="WX20260508")

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.dispute_id, payment.worker, payment.amount) == (
        agreement.pk,
        two_workers[0],
        Decimal("1500.50"),
    )
    assert payment.entered_by == caseworker
    assert payment.reference == "WX20260508"
    entry = entries("payment", case_id=agreement.pk).get()
    assert entry.details == {"amount": "1500.50", "worker": two_workers[0].pk}


def test_a_voided_payment_stays_on_record_with_its_reason(agreement, caseworker, two_workers):
    payment = pay(agreement, caseworker, two_workers[0], "1000")

    services.void_payment(payment=payment, by=caseworker, reason="重复录入")

    payment = Payment.objects.get(pk=payment.pk)
    assert payment.is_void
    assert payment.voided_by == caseworker
    assert payment.void_reason == "重复录入"
    entry = entries("payment_voided", case_id=agreement.pk).get()
    assert entry.note == "重复录入"
    assert entry.object_id == str(payment.pk)


def test_a_payment_cannot_be_voided_twice(agreement, caseworker, supervisor, two_workers):
    payment = pay(agreement, caseworker, two_workers[0], "1000")
    services.void_payment(payment=payment, by=caseworker, reason="重复录入")

    with pytest.raises(ValidationError):
        services.void_payment(payment=payment, by=supervisor, reason="再次作废")

    payment = Payment.objects.get(pk=payment.pk)
    assert (payment.voided_by, payment.void_reason) == (caseworker, "重复录入")
    assert entries("payment_voided", case_id=agreement.pk).count() == 1


def test_recovered_is_the_sum_of_valid_payments_per_worker_and_per_case(
    agreement, caseworker, two_workers
):
    first, second = two_workers
    pay(agreement, caseworker, first, "1000")
    mistaken = pay(agreement, caseworker, first, "500")
    pay(agreement, caseworker, second, "800.25")
    services.void_payment(payment=mistaken, by=caseworker, reason="金额录错")

    dispute = reload(agreement)
    recovered = {cw.worker: paid for cw, _agreed, paid in dispute.claims()}
    assert recovered == {first: Decimal("1000.00"), second: Decimal("800.25")}
    assert dispute.totals() == {
        "claimed": Decimal("6000.00"),
        "agreed": Decimal("6000.00"),
        "recovered": Decimal("1800.25"),
        "outstanding": Decimal("4199.75"),
    }


@pytest.mark.parametrize(
    "state", [State.INTAKE, State.ACCEPTED, State.INVESTIGATING, State.PERFORMED, State.CLOSED]
)
def test_a_payment_is_refused_outside_mediation_agreement_and_referral(
    office, caseworker, worker, state
):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=state)
    before = Payment.objects.count()

    with pytest.raises(TransitionNotAllowed):
        pay(dispute, caseworker, worker, "100")

    assert Payment.objects.count() == before


@pytest.mark.parametrize("state", [State.MEDIATING, State.REFERRED])
def test_a_payment_can_be_recorded_while_mediating_or_after_a_referral(
    office, caseworker, worker, state
):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=state)
    pay(dispute, caseworker, worker, "100")
    assert reload(dispute).totals()["recovered"] == Decimal("100.00")


def test_a_payment_voided_after_performance_sends_the_case_back_to_awaiting_payment(
    office, caseworker, worker
):
    dispute = wage_dispute(office, by=caseworker, workers=[worker], state=State.PERFORMED)
    payment = dispute.payments.get()

    services.void_payment(payment=payment, by=caseworker, reason="银行退票")

    assert Payment.objects.get(pk=payment.pk).is_void
    assert reload(dispute).state == State.AGREEMENT
    entry = AuditEntry.objects.filter(case=dispute, action="transition").first()
    assert (entry.source_state, entry.target_state) == (State.PERFORMED, State.AGREEMENT)
    assert entry.note == "银行退票"


def test_a_payment_for_a_worker_not_on_the_case_is_refused(agreement, caseworker, office):
    stranger = factories.WorkerFactory(office=office, created_by=caseworker)

    with pytest.raises(ValidationError):
        pay(agreement, caseworker, stranger, "100")

    assert not Payment.objects.filter(worker=stranger).exists()


def test_a_caseworker_not_on_the_case_cannot_record_a_payment(agreement, caseworker2, two_workers):
    with pytest.raises(PermissionDenied):
        pay(agreement, caseworker2, two_workers[0], "100")
    assert not Payment.objects.exists()


# --- clocks --------------------------------------------------------------------------------


def received(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=CHINA)


def test_the_mediation_deadline_is_15_days_after_the_application(office):
    dispute = wage_dispute(office, received_at=received(2026, 3, 2))
    assert dispute.mediation_deadline == datetime.date(2026, 3, 17)
    assert dispute.mediation_deadline_provisional is False


@pytest.mark.parametrize(
    "received_at",
    [
        received(2026, 9, 16),
        # 01:00 on the 16th in China is still the 15th in UTC: the local date counts.
        datetime.datetime(2026, 9, 15, 17, tzinfo=datetime.UTC),
    ],
    ids=["china-time", "utc-evening"],
)
def test_a_mediation_deadline_falling_in_the_national_day_holiday_moves_past_it(
    office, received_at
):
    # 16 September + 15 days is 1 October; the holiday runs to 7 October 2026.
    dispute = wage_dispute(office, received_at=received_at)
    assert dispute.mediation_deadline == datetime.date(2026, 10, 8)


def test_a_labour_limitation_period_runs_one_year_from_the_application_that_interrupted_it(
    office,
):
    # Left work on 20 February, applied on 2 March: the application restarts the year.
    dispute = wage_dispute(
        office, received_at=received(2026, 3, 2), period_to=datetime.date(2026, 2, 20)
    )
    assert dispute.limitation_date == datetime.date(2027, 3, 2)
    assert dispute.limitation_provisional is True  # 2027's holidays are not yet known


@pytest.mark.parametrize("relationship", [Relationship.LABOUR, Relationship.NOT_FULLY])
def test_a_worker_still_employed_has_no_limitation_date_until_they_leave(
    office, caseworker, relationship
):
    dispute = wage_dispute(
        office,
        by=caseworker,
        received_at=received(2026, 3, 2),
        relationship=relationship,
        period_to=None,
    )
    assert dispute.limitation_date is None

    # Employment ends after the application: the year runs from the last day worked.
    dispute = walk_to(dispute, State.ACCEPTED, caseworker)
    services.update_dispute(case=dispute, by=caseworker, period_to=datetime.date(2026, 3, 10))
    assert reload(dispute).limitation_date == datetime.date(2027, 3, 10)


def test_a_civil_limitation_period_is_three_years(office):
    dispute = wage_dispute(
        office,
        received_at=received(2026, 3, 2),
        relationship=Relationship.CIVIL,
        period_to=None,
        unpaid_to=datetime.date(2026, 1, 31),
    )
    assert dispute.limitation_date == datetime.date(2029, 3, 2)


def test_a_recorded_interruption_restarts_the_limitation_period(office, caseworker):
    dispute = wage_dispute(
        office,
        by=caseworker,
        received_at=received(2026, 3, 2),
        period_to=datetime.date(2026, 2, 20),
        state=State.ACCEPTED,
    )

    services.record_limitation_event(
        case=dispute,
        by=caseworker,
        type=LimitationEvent.Type.AGREED_TO_PAY,
        occurred_on=datetime.date(2026, 4, 15),
        note="站点书面承诺付款",
    )

    dispute = reload(dispute)
    assert dispute.limitation_date == datetime.date(2027, 4, 15)
    assert entries("limitation_event", case_id=dispute.pk).count() == 1


def test_opening_a_dispute_records_the_application_as_an_interruption(office):
    dispute = wage_dispute(office, received_at=received(2026, 3, 2))
    assert list(dispute.limitation_events.values_list("type", "occurred_on")) == [
        ("mediation_application", datetime.date(2026, 3, 2))
    ]


def test_correcting_the_time_of_receipt_moves_the_interruption_and_the_deadlines(
    office, caseworker
):
    dispute = wage_dispute(
        office,
        by=caseworker,
        received_at=received(2026, 3, 2),
        period_to=datetime.date(2026, 2, 20),
        state=State.ACCEPTED,
    )

    services.update_dispute(case=dispute, by=caseworker, received_at=received(2026, 3, 5))

    dispute = reload(dispute)
    assert list(dispute.limitation_events.values_list("type", "occurred_on")) == [
        ("mediation_application", datetime.date(2026, 3, 5))
    ]
    assert dispute.mediation_deadline == datetime.date(2026, 3, 20)
    assert dispute.limitation_date == datetime.date(2027, 3, 5)
    assert entries("case_edited", case_id=dispute.pk).get().details["fields"] == ["received_at"]


# --- case numbers ----------------------------------------------------------------------------


@pytest.fixture
def now_is(monkeypatch):
    """`now_is(datetime)`: the services' clock reads that moment."""

    def set_now(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return set_now


def test_case_numbers_are_sequential_within_a_year(office):
    numbers = [wage_dispute(office).number for _ in range(3)]
    year = timezone.localdate().year
    assert numbers == [f"WD-{year}-000001", f"WD-{year}-000002", f"WD-{year}-000003"]


def test_case_numbers_start_again_each_year(office, now_is):
    now_is(datetime.datetime(2026, 6, 1, 2, tzinfo=datetime.UTC))
    assert [wage_dispute(office).number for _ in range(2)] == ["WD-2026-000001", "WD-2026-000002"]

    now_is(datetime.datetime(2027, 1, 5, 2, tzinfo=datetime.UTC))
    assert wage_dispute(office).number == "WD-2027-000001"


def test_the_case_number_year_is_the_year_in_china(office, now_is):
    # 17:00 UTC on New Year's Eve is 01:00 on 1 January 2027 in China.
    now_is(datetime.datetime(2026, 12, 31, 17, tzinfo=datetime.UTC))
    assert wage_dispute(office).number == "WD-2027-000001"


def test_a_failed_opening_gives_its_number_back(office, caseworker, worker):
    with pytest.raises(IntegrityError):
        # The same worker twice breaks a constraint after the number was drawn.
        wage_dispute(office, by=caseworker, workers=[worker, worker])

    year = timezone.localdate().year
    assert wage_dispute(office, by=caseworker).number == f"WD-{year}-000001"


# --- workers' ID numbers -----------------------------------------------------------------------

ID_NUMBER = factories.id_number(4242, region="421321")  # 随县: never a factory worker


def register(by, office, id_number=ID_NUMBER, **fields):
    fields = {"name": "周杰", "occupation": "rider", "phone": "13912345678", **fields}
    return services.register_worker(by=by, office=office, id_number=id_number, **fields)


def test_a_registered_id_number_is_stored_encrypted_hashed_and_masked(office, caseworker):
    worker = Worker.objects.get(pk=register(caseworker, office).pk)

    assert ID_NUMBER not in worker.id_encrypted
    assert worker.id_number() == ID_NUMBER
    assert worker.id_hash == keyed_hash(ID_NUMBER)
    assert worker.id_masked == mask_id_number(ID_NUMBER) == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert Worker.objects.with_id_number(ID_NUMBER).get() == worker
    assert entries("worker_created", object_id=str(worker.pk), actor=caseworker).exists()


def test_the_same_id_number_cannot_be_registered_twice(office, other_office, caseworker):
    register(caseworker, office)
    # Typed differently and at another office, it is still the same person.
    spaced = f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:].lower()}"

    with pytest.raises(ValidationError) as refused:
        register(caseworker, other_office, id_number=spaced, name="周杰伦")

    assert "id_number" in refused.value.message_dict

    assert Worker.objects.with_id_number(ID_NUMBER).count() == 1


def test_a_supervisor_can_reveal_an_id_number_and_it_is_logged(office, caseworker, supervisor):
    worker = register(caseworker, office)
    dispute = wage_dispute(office, by=caseworker, workers=[worker])

    assert services.reveal_id_number(worker=worker, by=supervisor, case=dispute) == ID_NUMBER

    entry = entries("id_revealed").get()
    assert (entry.actor, entry.case_id, entry.object_id) == (supervisor, dispute.pk, str(worker.pk))
    logged = " ".join(
        [entry.note, entry.actor_name, entry.object_id, str(entry.details), str(entry.ip)]
    )
    assert ID_NUMBER not in logged
    assert ID_NUMBER[6:14] not in logged  # not even the birth date


@pytest.mark.parametrize("who", ["caseworker", "auditor"])
def test_only_roles_with_the_permission_can_reveal_an_id_number(request, office, caseworker, who):
    worker = register(caseworker, office)

    with pytest.raises(PermissionDenied):
        services.reveal_id_number(worker=worker, by=request.getfixturevalue(who))

    assert not entries("id_revealed").exists()


# --- opening cases -------------------------------------------------------------------------


def test_a_caseworker_cannot_open_a_case_in_another_offices_queue(other_office, caseworker):
    with pytest.raises(PermissionDenied):
        wage_dispute(other_office, by=caseworker)
    assert not WageDispute.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "admin_user"])
def test_auditors_and_administrators_cannot_open_a_case(request, office, worker, who):
    with pytest.raises(PermissionDenied):
        wage_dispute(office, by=request.getfixturevalue(who), workers=[worker])
    assert not WageDispute.objects.exists()
