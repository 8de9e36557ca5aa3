"""Medical card (惠工卡) applications: the workflow, who may apply, the family
members covered, one valid card at a time, renewals and their dates.

Driven through `assistance.services` and `cases.services.run_transition`;
each test checks what the database holds afterwards.
"""

import calendar
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_fsm import TransitionNotAllowed
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from assistance import services
from assistance.models import CardApplication, FamilyMember
from assistance.services import add_months, card_term
from cases.models import CaseCounter, Kind, Outcome, State
from cases.services import run_transition, take_case
from casework import identity, reference
from casework.models import AuditEntry
from casework.transitions import ConditionsNotMet
from tests import factories
from tests.assistance.steps import next_card_number, reload_card, set_card_dates

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def id_for(born: datetime.date, sequence: int = 123, region: str = "421302") -> str:
    """A valid ID number of someone born on `born`."""
    first_17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first_17 + ric.calc_check_digit(first_17 + "0")


def transitions(case) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.TRANSITION)
    return list(entries.order_by("at", "pk").values_list("source_state", "target_state"))


def last_transition(case) -> AuditEntry:
    return AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.TRANSITION).first()


def one_year_from(day: datetime.date) -> datetime.date:
    return add_months(day, 12) - DAY


SPOUSE = {"name": "王秀英", "relation": "spouse", "id_number": id_for(datetime.date(1990, 3, 7))}


# --- opening ------------------------------------------------------------------------------


def test_a_member_applies_and_the_application_lands_in_the_intake_queue(office, caseworker, member):
    application = services.open_card_application(by=caseworker, office=office, worker=member)

    stored = reload_card(application)
    assert stored.number == f"MC-{timezone.localdate().year}-000001"
    assert (stored.kind, stored.state, stored.assignee) == (Kind.MEDICAL_CARD, "submitted", None)
    assert (stored.applicant, stored.renewal_of) == (member, None)
    entry = AuditEntry.objects.get(case_id=stored.pk)
    assert (entry.action, entry.actor, entry.target_state) == (
        "case_opened",
        caseworker,
        "submitted",
    )


def test_only_union_members_can_apply(office, caseworker, worker):
    assert not worker.is_member

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.open_card_application(by=caseworker, office=office, worker=worker, family=[SPOUSE])

    assert refused.value.code == "not_member"
    assert worker.name in " ".join(refused.value.messages)
    assert not CardApplication.objects.exists()
    assert not FamilyMember.objects.exists()


def test_a_caseworker_of_another_office_cannot_open_an_application_here(
    office, other_caseworker, member
):
    with pytest.raises(PermissionDenied):
        services.open_card_application(by=other_caseworker, office=office, worker=member)

    assert not CardApplication.objects.exists()


def test_a_second_open_card_application_is_refused_with_a_link_to_the_open_one(
    card_at, office, caseworker, member
):
    first = card_at(State.VERIFIED)

    with pytest.raises(ValidationError) as refused:
        services.open_card_application(by=caseworker, office=office, worker=member)

    assert refused.value.code == "open_application"
    assert f'<a href="/cases/{first.number}/">{first.number}</a>' in refused.value.messages[0]
    assert CardApplication.objects.count() == 1


# --- every transition, allowed ------------------------------------------------------------

ALLOWED = [
    # source, transition, arguments, who, target, outcome
    (State.SUBMITTED, "verify", {"notes": "会员证已核验"}, "caseworker", State.VERIFIED, ""),
    (State.SUBMITTED, "verify", {"notes": "会员证已核验"}, "supervisor", State.VERIFIED, ""),
    (State.VERIFIED, "approve", {}, "supervisor", State.APPROVED, ""),
    (State.VERIFIED, "approve", {}, "city_supervisor", State.APPROVED, ""),
    (State.SUBMITTED, "reject", {"reason": "非工会会员"}, "supervisor", State.REJECTED, "rejected"),
    (State.VERIFIED, "reject", {"reason": "资料不符"}, "supervisor", State.REJECTED, "rejected"),
    (State.CARD_ISSUED, "close", {}, "caseworker", State.CLOSED, Outcome.CARD_ISSUED),
    (State.SUBMITTED, "withdraw", {"reason": "撤回"}, "caseworker", State.WITHDRAWN, "withdrawn"),
    (State.VERIFIED, "withdraw", {"reason": "撤回"}, "caseworker", State.WITHDRAWN, "withdrawn"),
    (State.APPROVED, "withdraw", {"reason": "撤回"}, "supervisor", State.WITHDRAWN, "withdrawn"),
]


@pytest.mark.parametrize(("source", "name", "kwargs", "who", "target", "outcome"), ALLOWED)
def test_each_step_moves_the_application_and_is_logged(
    request, card_at, source, name, kwargs, who, target, outcome
):
    application = card_at(source)
    by = request.getfixturevalue(who)

    run_transition(case=application, name=name, by=by, note="已办理", **kwargs)

    stored = reload_card(application)
    assert (stored.state, stored.outcome) == (target, outcome)
    assert (stored.finished_at is not None) == (target in ("closed", "rejected", "withdrawn"))
    if name == "verify":
        assert stored.verification_notes == "会员证已核验"
    entry = last_transition(stored)
    assert (entry.source_state, entry.target_state, entry.actor) == (source, target, by)
    assert (entry.note, entry.details) == ("已办理", {"transition": name})


def test_issuing_the_card_records_its_number_and_a_term_from_today(card_at, caseworker):
    application = card_at(State.APPROVED)

    services.issue_card(case=application, by=caseworker, card_number="HGK-421300-900001")

    stored = reload_card(application)
    today = timezone.localdate()
    assert stored.state == State.CARD_ISSUED
    assert stored.card_number == "HGK-421300-900001"
    assert (stored.valid_from, stored.valid_to) == (today, one_year_from(today))
    assert transitions(stored)[-1] == ("approved", "card_issued")
    assert services.current_card(stored.applicant) == stored


@pytest.mark.parametrize(
    ("finished", "via", "back_to"),
    [
        (State.REJECTED, State.SUBMITTED, State.SUBMITTED),
        (State.REJECTED, State.VERIFIED, State.VERIFIED),
        (State.WITHDRAWN, State.APPROVED, State.APPROVED),
        (State.CLOSED, None, State.CARD_ISSUED),
    ],
)
def test_a_supervisor_reopens_a_finished_application_within_90_days(
    card_at, supervisor, finished, via, back_to
):
    application = card_at(finished, via=via)

    run_transition(case=application, name="reopen", by=supervisor, note="申请人补交材料")

    stored = reload_card(application)
    assert stored.state == back_to
    assert (stored.finished_at, stored.outcome) == (None, "")
    assert last_transition(stored).source_state == finished


def test_a_card_application_cannot_be_reopened_after_90_days(card_at, supervisor):
    application = card_at(State.REJECTED)
    CardApplication.objects.filter(pk=application.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=91)
    )

    with pytest.raises(ConditionsNotMet):
        run_transition(case=application, name="reopen", by=supervisor, note="复核")

    assert reload_card(application).state == State.REJECTED


# --- refused by state and by role ---------------------------------------------------------

WRONG_STATE = [
    # state, transition, arguments, who
    (State.VERIFIED, "verify", {"notes": "x"}, "caseworker"),
    (State.SUBMITTED, "approve", {}, "supervisor"),
    (State.APPROVED, "approve", {}, "supervisor"),
    (State.APPROVED, "reject", {"reason": "x"}, "supervisor"),
    (State.CARD_ISSUED, "reject", {"reason": "x"}, "supervisor"),
    (State.VERIFIED, "close", {}, "caseworker"),
    (State.APPROVED, "close", {}, "caseworker"),
    (State.CARD_ISSUED, "withdraw", {"reason": "x"}, "caseworker"),
    (State.CLOSED, "withdraw", {"reason": "x"}, "caseworker"),
    (State.SUBMITTED, "reopen", {}, "supervisor"),
    (State.CARD_ISSUED, "reopen", {}, "supervisor"),
]


@pytest.mark.parametrize(("state", "name", "kwargs", "who"), WRONG_STATE)
def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(
    request, card_at, state, name, kwargs, who
):
    application = card_at(state)
    before = transitions(application)

    with pytest.raises(TransitionNotAllowed):
        run_transition(case=application, name=name, by=request.getfixturevalue(who), **kwargs)

    assert reload_card(application).state == state
    assert transitions(application) == before


@pytest.mark.parametrize("state", [State.SUBMITTED, State.VERIFIED, State.CARD_ISSUED])
def test_a_card_is_issued_only_once_the_application_is_approved(card_at, caseworker, state):
    application = card_at(state)
    number_before = application.card_number

    with pytest.raises(TransitionNotAllowed):
        services.issue_card(case=application, by=caseworker, card_number=next_card_number())

    stored = reload_card(application)
    assert (stored.state, stored.card_number) == (state, number_before)


WRONG_ROLE = [
    # state, transition, arguments, who
    (State.SUBMITTED, "verify", {"notes": "x"}, "caseworker2"),  # not the assignee
    (State.SUBMITTED, "verify", {"notes": "x"}, "auditor"),
    (State.SUBMITTED, "verify", {"notes": "x"}, "other_supervisor"),
    (State.SUBMITTED, "verify", {"notes": "x"}, "admin_user"),
    (State.VERIFIED, "approve", {}, "caseworker"),
    (State.VERIFIED, "approve", {}, "other_supervisor"),
    (State.VERIFIED, "approve", {}, "auditor"),
    (State.VERIFIED, "approve", {}, "admin_user"),
    (State.SUBMITTED, "reject", {"reason": "x"}, "caseworker"),
    (State.VERIFIED, "reject", {"reason": "x"}, "other_caseworker"),
    (State.CARD_ISSUED, "close", {}, "caseworker2"),
    (State.APPROVED, "withdraw", {"reason": "x"}, "auditor"),
    (State.CLOSED, "reopen", {}, "caseworker"),
    (State.REJECTED, "reopen", {}, "other_supervisor"),
    (State.WITHDRAWN, "reopen", {}, "auditor"),
]


@pytest.mark.parametrize(("state", "name", "kwargs", "who"), WRONG_ROLE)
def test_a_step_the_role_does_not_allow_is_refused_and_changes_nothing(
    request, card_at, state, name, kwargs, who
):
    application = card_at(state)
    before = transitions(application)

    with pytest.raises(PermissionDenied):
        run_transition(case=application, name=name, by=request.getfixturevalue(who), **kwargs)

    assert reload_card(application).state == state
    assert transitions(application) == before


@pytest.mark.parametrize("who", ["caseworker2", "auditor", "admin_user"])
def test_only_the_assignee_or_a_supervisor_records_the_card_issue(request, card_at, who):
    application = card_at(State.APPROVED)

    with pytest.raises(PermissionDenied):
        services.issue_card(
            case=application, by=request.getfixturevalue(who), card_number=next_card_number()
        )

    stored = reload_card(application)
    assert (stored.state, stored.card_number) == (State.APPROVED, "")


@pytest.mark.parametrize("name", ["reject", "withdraw"])
def test_rejecting_or_withdrawing_needs_a_reason(card_at, supervisor, name):
    application = card_at(State.VERIFIED)

    with pytest.raises(ValidationError):
        run_transition(case=application, name=name, by=supervisor, reason="")

    assert reload_card(application).state == State.VERIFIED


# --- family members -----------------------------------------------------------------------


def test_a_family_members_id_is_stored_encrypted_hashed_and_masked(office, caseworker, member):
    application = services.open_card_application(
        by=caseworker, office=office, worker=member, family=[SPOUSE]
    )

    (spouse,) = FamilyMember.objects.filter(application=application)
    number = SPOUSE["id_number"]
    assert (spouse.name, spouse.relation) == ("王秀英", "spouse")
    assert spouse.id_encrypted != number
    assert number not in spouse.id_encrypted
    assert identity.decrypt(spouse.id_encrypted) == spouse.id_number() == number
    assert spouse.id_hash == identity.keyed_hash(number)
    assert spouse.id_masked == number[:6] + "********" + number[-4:]
    assert spouse.birth_date == datetime.date(1990, 3, 7)
    assert spouse.consent_recorded_by == caseworker
    assert (spouse.guardian_name, spouse.guardian_consent_at) == ("", None)
    # The number in clear is in no column of the row.
    row = FamilyMember.objects.filter(pk=spouse.pk).values().get()
    assert not any(number in str(value) for value in row.values())


def test_an_id_typed_in_full_width_with_a_small_x_is_stored_normalised(office, caseworker, member):
    number = next(
        n for n in (id_for(datetime.date(1988, 8, 8), s) for s in range(1000)) if n[-1] == "X"
    )
    typed = number[:-1].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) + "x"

    application = services.open_card_application(
        by=caseworker,
        office=office,
        worker=member,
        family=[{"name": "刘建国", "relation": "parent", "id_number": typed}],
    )

    (parent,) = application.family_members.all()
    assert parent.id_number() == number
    assert parent.id_hash == identity.keyed_hash(number)


def with_wrong_check_character(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


@pytest.mark.parametrize(
    "bad_id",
    [
        "42130219900307123",
        with_wrong_check_character(id_for(datetime.date(1990, 3, 7))),
        id_for(datetime.date(2099, 1, 1)),
    ],
    ids=["too short", "wrong check character", "born in the future"],
)
def test_an_invalid_id_is_refused_and_nothing_is_stored(office, caseworker, member, bad_id):
    family = [{"name": "王秀英", "relation": "spouse", "id_number": bad_id}]

    with pytest.raises(ValidationError):
        services.open_card_application(by=caseworker, office=office, worker=member, family=family)

    assert not CardApplication.objects.exists()
    assert not FamilyMember.objects.exists()


def test_a_child_under_14_needs_a_guardians_consent(office, caseworker, member):
    today = timezone.localdate()
    child = {"name": "刘小明", "relation": "child", "id_number": id_for(today - 5 * 365 * DAY)}

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.open_card_application(
            by=caseworker, office=office, worker=member, family=[SPOUSE, child]
        )

    assert refused.value.code == "guardian"
    assert "刘小明 is under 14" in refused.value.messages[0]
    assert not CardApplication.objects.exists()
    assert not FamilyMember.objects.exists()
    # The refused application gave its number back.
    assert not CaseCounter.objects.filter(kind=Kind.MEDICAL_CARD, last__gt=0).exists()


def test_a_guardians_consent_is_recorded_for_a_child_under_14(office, caseworker, member):
    today = timezone.localdate()
    child = {
        "name": "刘小明",
        "relation": "child",
        "id_number": id_for(today - 5 * 365 * DAY),
        "guardian_name": "王秀英",
    }

    application = services.open_card_application(
        by=caseworker, office=office, worker=member, family=[child]
    )

    (stored,) = application.family_members.all()
    assert stored.guardian_name == "王秀英"
    assert stored.guardian_consent_at is not None
    assert stored.consent_recorded_by == caseworker


@pytest.mark.parametrize(("days_after_14th_birthday", "needs_guardian"), [(0, False), (-1, True)])
def test_a_child_needs_a_guardian_until_the_14th_birthday(
    office, caseworker, member, days_after_14th_birthday, needs_guardian
):
    born = add_months(timezone.localdate(), -14 * 12) - days_after_14th_birthday * DAY
    child = {"name": "刘小明", "relation": "child", "id_number": id_for(born)}

    if needs_guardian:
        with pytest.raises(ValidationError) as refused:
            services.open_card_application(
                by=caseworker, office=office, worker=member, family=[child]
            )
        assert refused.value.code == "guardian"
        return
    application = services.open_card_application(
        by=caseworker, office=office, worker=member, family=[child]
    )
    assert application.family_members.get().guardian_name == ""


def test_a_family_member_is_listed_once_per_application(card_at, caseworker):
    application = card_at(State.SUBMITTED, family=[SPOUSE])

    with pytest.raises(ValidationError) as refused:
        services.add_family_member(case=application, by=caseworker, **SPOUSE)

    assert refused.value.code == "twice"
    assert application.family_members.count() == 1


def test_a_family_member_is_added_while_verifying_and_logged(card_at, caseworker):
    application = card_at(State.VERIFIED)

    member = services.add_family_member(
        case=application,
        by=caseworker,
        name="刘建国",
        relation="parent",
        id_number=id_for(datetime.date(1960, 1, 2)),
    )

    assert list(application.family_members.all()) == [member]
    entry = AuditEntry.objects.filter(case_id=application.pk, action="case_edited").get()
    assert (entry.object_type, entry.object_id) == ("familymember", str(member.pk))


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (State.APPROVED, "caseworker"),
        (State.CARD_ISSUED, "caseworker"),
        (State.SUBMITTED, "caseworker2"),
        (State.SUBMITTED, "auditor"),
    ],
)
def test_family_members_are_added_only_before_approval_by_the_assignee_or_a_supervisor(
    request, card_at, state, who
):
    application = card_at(state)

    with pytest.raises((TransitionNotAllowed, PermissionDenied)):
        services.add_family_member(case=application, by=request.getfixturevalue(who), **SPOUSE)

    assert not application.family_members.exists()


# --- one valid card at a time, renewals ---------------------------------------------------


def test_a_worker_holding_a_card_valid_beyond_30_days_cannot_apply(
    card_at, office, caseworker, member
):
    today = timezone.localdate()
    card = card_at(State.CLOSED)
    set_card_dates(card, today - 300 * DAY, today + 31 * DAY)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.open_card_application(by=caseworker, office=office, worker=member)

    assert refused.value.code == "valid_card"
    assert (today + 31 * DAY).isoformat() in refused.value.messages[0]
    assert CardApplication.objects.filter(applicant=member).count() == 1


def test_a_renewal_in_the_last_30_days_starts_the_day_after_the_card_ends(
    card_at, office, caseworker, member
):
    today = timezone.localdate()
    card = set_card_dates(card_at(State.CLOSED), today - 335 * DAY, today + 30 * DAY)

    renewal = card_at(State.CARD_ISSUED)

    assert renewal.renewal_of == card
    assert renewal.valid_from == card.valid_to + DAY == today + 31 * DAY
    assert renewal.valid_to == add_months(renewal.valid_from, 12) - DAY
    # Until the renewal starts, the current card is still the one in force.
    assert services.current_card(member) == card
    assert services.current_card(member, renewal.valid_from) == renewal


def test_a_renewal_on_the_cards_last_day_starts_tomorrow(card_at, member):
    today = timezone.localdate()
    card = set_card_dates(card_at(State.CLOSED), today - 364 * DAY, today)

    renewal = card_at(State.CARD_ISSUED)

    assert (renewal.renewal_of, renewal.valid_from) == (card, today + DAY)


def test_after_a_card_expired_a_new_card_is_no_renewal_and_starts_today(card_at, member):
    today = timezone.localdate()
    set_card_dates(card_at(State.CLOSED), today - 400 * DAY, today - DAY)

    again = card_at(State.CARD_ISSUED)

    assert again.renewal_of is None
    assert (again.valid_from, again.valid_to) == (today, one_year_from(today))


@pytest.mark.parametrize("months", [6, 24])
def test_the_card_term_comes_from_reference_data(card_at, admin_user, months):
    reference.change_setting(key=reference.Key.CARD_TERM_MONTHS, value=months, by=admin_user)
    today = timezone.localdate()

    card = card_at(State.CARD_ISSUED)

    assert card.valid_from == today
    assert card.valid_to == add_months(today, months) - DAY


def test_a_renewal_takes_the_term_in_force_when_it_is_issued(card_at, admin_user):
    today = timezone.localdate()
    card = set_card_dates(card_at(State.CLOSED), today - 335 * DAY, today + 10 * DAY)
    reference.change_setting(key=reference.Key.CARD_TERM_MONTHS, value=24, by=admin_user)

    renewal = card_at(State.CARD_ISSUED)

    assert renewal.valid_from == card.valid_to + DAY
    assert renewal.valid_to == add_months(renewal.valid_from, 24) - DAY


@pytest.mark.parametrize(
    ("ends", "months", "valid_from", "valid_to"),
    [
        # The renewed card ends the day before a month's end: the new one starts on the 31st.
        ("2027-01-30", 12, "2027-01-31", "2028-01-30"),
        ("2027-01-30", 1, "2027-01-31", "2027-02-27"),
        ("2027-12-31", 12, "2028-01-01", "2028-12-31"),
        ("2028-02-28", 12, "2028-02-29", "2029-02-27"),
    ],
)
def test_the_renewal_term_is_valid_from_plus_the_term_less_one_day(
    admin_user, ends, months, valid_from, valid_to
):
    reference.change_setting(key=reference.Key.CARD_TERM_MONTHS, value=months, by=admin_user)
    renewed = CardApplication(valid_to=datetime.date.fromisoformat(ends))
    application = CardApplication(renewal_of=renewed)
    applied_on = datetime.date.fromisoformat(ends) - 10 * DAY

    assert card_term(application, applied_on) == (
        datetime.date.fromisoformat(valid_from),
        datetime.date.fromisoformat(valid_to),
    )


def test_a_renewal_is_possible_while_the_current_cards_application_is_still_open(
    card_at, office, caseworker, member
):
    today = timezone.localdate()
    card = set_card_dates(card_at(State.CARD_ISSUED), today - 340 * DAY, today + 20 * DAY)

    renewal = services.open_card_application(by=caseworker, office=office, worker=member)

    assert renewal.renewal_of == card


def test_a_card_overlapping_another_card_of_the_worker_is_not_issued(card_at, caseworker, member):
    today = timezone.localdate()
    earlier = set_card_dates(card_at(State.CLOSED), today - 400 * DAY, today - DAY)
    application = card_at(State.APPROVED)
    assert application.renewal_of is None
    # A correction to the earlier card's dates, after this application was opened.
    set_card_dates(earlier, today - 10 * DAY, today + 100 * DAY)

    with pytest.raises(ValidationError) as refused:
        services.issue_card(case=application, by=caseworker, card_number=next_card_number())

    assert refused.value.code == "overlap"
    assert reload_card(application).state == State.APPROVED


@pytest.mark.parametrize(("days_left", "soon"), [(-1, False), (0, True), (30, True), (31, False)])
def test_a_card_expires_soon_in_its_last_30_days(card_at, days_left, soon):
    today = timezone.localdate()
    card = set_card_dates(card_at(State.CLOSED), today - 300 * DAY, today + days_left * DAY)

    assert card.expires_soon is soon


def test_card_numbers_are_unique(card_at, office, caseworker):
    card_at(State.CARD_ISSUED, card_number="HGK-421300-000777")
    other = card_at(State.APPROVED, worker=factories.WorkerFactory(office=office, is_member=True))

    with pytest.raises(ValidationError) as refused:
        services.issue_card(case=other, by=caseworker, card_number="HGK-421300-000777")

    assert refused.value.code == "card_number"
    stored = reload_card(other)
    assert (stored.state, stored.card_number) == (State.APPROVED, "")


def test_the_database_refuses_a_duplicate_card_number_too(card_at, office):
    card_at(State.CARD_ISSUED, card_number="HGK-421300-000778")
    other = card_at(State.APPROVED, worker=factories.WorkerFactory(office=office, is_member=True))

    with pytest.raises(IntegrityError), transaction.atomic():
        CardApplication.objects.filter(pk=other.pk).update(card_number="HGK-421300-000778")

    assert reload_card(other).card_number == ""


def test_applications_without_a_card_number_do_not_collide(card_at, office):
    card_at(State.APPROVED)
    card_at(State.APPROVED, worker=factories.WorkerFactory(office=office, is_member=True))

    assert CardApplication.objects.filter(card_number="").count() == 2


def test_a_supervisor_may_take_and_walk_a_card_application_herself(office, supervisor, member):
    application = services.open_card_application(by=supervisor, office=office, worker=member)
    take_case(case=application, by=supervisor)
    run_transition(case=application, name="verify", by=supervisor, notes="已核验")
    run_transition(case=application, name="approve", by=supervisor)
    services.issue_card(case=application, by=supervisor, card_number=next_card_number())

    assert reload_card(application).state == State.CARD_ISSUED


# --- add_months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2027-01-15", -1, "2026-12-15"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2028-02-29", 48, "2032-02-29"),
        ("2026-01-31", 25, "2028-02-29"),
        ("2026-08-31", 0, "2026-08-31"),
        ("2026-05-31", -12, "2025-05-31"),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(datetime.date.fromisoformat(day), months) == (
        datetime.date.fromisoformat(expected)
    )


@given(
    day=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2090, 12, 31)),
    months=st.integers(min_value=-240, max_value=240),
)
def test_add_months_lands_in_the_right_month_on_the_nearest_day(day, months):
    result = add_months(day, months)

    assert result.year * 12 + result.month == day.year * 12 + day.month + months
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)
