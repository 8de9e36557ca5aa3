"""Each reminder fires on the right day, and once: the job is run for every day of a
clock's life, as if on that day, and the day each threshold's row first appears is
compared with a table worked out by hand on the 2026 calendar (conftest)."""

import datetime

import pytest
from django.utils import timezone

from assistance.models import CardApplication
from cases.models import Case, WageDispute
from reminders.models import OfficeLimits, Reminder, Threshold
from tests import factories
from tests.assistance import steps
from tests.reminders.conftest import days, noon, run_on

D = datetime.date

# received, the mediation period's end (15 days, R2), then the day each reminder first
# appears: coming up (3 days before), runs out by the next working day, overdue, and
# escalated to the supervisors (overdue by more than the default 3 days). None: never
# (the next-working-day reminder came first).
MEDIATION = [
    # 16 Sep + 15 = 1 Oct, National Day: the period ends Thu 8 Oct. On Wed 30 Sep the
    # next working day is already 8 Oct.
    (D(2026, 9, 16), D(2026, 10, 8), None, D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 12)),
    # 25 Sep + 15 = Sat 10 Oct, a make-up working day: the period ends that Saturday,
    # which is the next working day on Fri 9 Oct.
    (D(2026, 9, 25), D(2026, 10, 10), D(2026, 10, 7), D(2026, 10, 9), D(2026, 10, 11),
     D(2026, 10, 14)),
    # An ordinary weekend: Sat 14 Mar moves to Mon 16 Mar; on Fri 13 Mar it is next.
    (D(2026, 2, 27), D(2026, 3, 16), None, D(2026, 3, 13), D(2026, 3, 17), D(2026, 3, 20)),
    # Spring Festival: 16 Feb to 23 Feb rest, so 24 Feb; the make-up Saturday 14 Feb is
    # a working day whose next working day is 24 Feb.
    (D(2026, 2, 1), D(2026, 2, 24), None, D(2026, 2, 14), D(2026, 2, 25), D(2026, 2, 28)),
    # New Year: 1-3 Jan rest, Sun 4 Jan works; from Wed 31 Dec 2025 it is next.
    (D(2025, 12, 17), D(2026, 1, 4), None, D(2025, 12, 31), D(2026, 1, 5), D(2026, 1, 8)),
    # Nothing on the way: Tue 17 Mar, coming up on Sat 14 Mar, next on Mon 16 Mar.
    (D(2026, 3, 2), D(2026, 3, 17), D(2026, 3, 14), D(2026, 3, 16), D(2026, 3, 18),
     D(2026, 3, 21)),
]  # fmt: skip


def run_every_day(first: D, last: D) -> dict[tuple[int, str], D]:
    """Run the job each day; return (case id, threshold) -> the day its row appeared."""
    fired: dict[tuple[int, str], D] = {}
    for day in days(first, last):
        run_on(day)
        for case_id, threshold in Reminder.objects.values_list("case_id", "threshold"):
            fired.setdefault((case_id, threshold), day)
    return fired


@pytest.mark.parametrize("received,ends,upcoming,next_day,overdue,escalated", MEDIATION)
def test_each_mediation_reminder_fires_on_its_day_and_once(
    schedule_2026, office, caseworker, supervisor, received, ends, upcoming, next_day, overdue,
    escalated,
):  # fmt: skip
    dispute = factories.wage_dispute(
        office,
        by=caseworker,
        state="accepted",
        received_at=noon(received),
        period_to=received - datetime.timedelta(days=10),
    )
    assert WageDispute.objects.get(pk=dispute.pk).mediation_deadline == ends

    fired = run_every_day(received, ends + datetime.timedelta(days=6))

    expected = {
        Threshold.UPCOMING: upcoming,
        Threshold.NEXT_DAY: next_day,
        Threshold.OVERDUE: overdue,
        Threshold.ESCALATED: escalated,
    }
    assert {t: fired.get((dispute.pk, t)) for t in expected} == expected
    rows = Reminder.objects.filter(case=dispute)
    assert rows.count() == sum(1 for day in expected.values() if day)  # each once
    assert set(rows.exclude(threshold=Threshold.ESCALATED).values_list("recipient", flat=True)) == {
        caseworker.pk
    }
    assert list(rows.filter(threshold=Threshold.ESCALATED).values_list("recipient", flat=True)) == [
        supervisor.pk
    ]


def test_an_approval_wait_counts_the_office_limit_in_working_days(
    schedule_2026, office, caseworker, supervisor, member
):
    """Verified on Wed 30 Sep; 3 working days: 8 Oct, 9 Oct and the make-up Saturday
    10 Oct. Late on Sunday 11 Oct, not a day before; the supervisors are told."""
    card = steps.card_at(
        "verified", office=office, by=caseworker, worker=member, approver=supervisor
    )
    Case.objects.filter(pk=card.pk).update(state_changed_at=noon(D(2026, 9, 30)))

    fired = run_every_day(D(2026, 9, 30), D(2026, 10, 14))

    assert fired == {(card.pk, Threshold.OVERDUE): D(2026, 10, 11)}
    reminder = Reminder.objects.get(case=card)
    assert (reminder.recipient, reminder.due_on) == (supervisor, D(2026, 10, 10))


def test_a_new_case_nobody_takes_is_reported_after_the_offices_hours(
    schedule_2026, office, caseworker, supervisor
):
    OfficeLimits.objects.create(office=office, take_within_hours=48)
    dispute = factories.wage_dispute(office, by=caseworker)
    opened = noon(D(2026, 3, 2))
    Case.objects.filter(pk=dispute.pk).update(opened_at=opened)

    from reminders import jobs

    jobs.run(today=D(2026, 3, 4), now=opened + datetime.timedelta(hours=47))
    assert not Reminder.objects.filter(case=dispute, clock="intake").exists()
    jobs.run(today=D(2026, 3, 4), now=opened + datetime.timedelta(hours=49))
    jobs.run(today=D(2026, 3, 4), now=opened + datetime.timedelta(hours=60))

    reminder = Reminder.objects.get(case=dispute, clock="intake")
    assert (reminder.recipient, reminder.threshold) == (supervisor, Threshold.OVERDUE)


def test_a_limitation_period_reminds_once_under_30_days_and_again_when_it_runs_out(
    schedule_2026, office, caseworker
):
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    ends = D(2026, 6, 30)
    WageDispute.objects.filter(pk=dispute.pk).update(
        limitation_date=ends, mediation_deadline=None, state_changed_at=timezone.now()
    )

    run_on(D(2026, 5, 31))  # 30 days left: not yet
    assert not Reminder.objects.filter(case=dispute).exists()
    for day in days(D(2026, 6, 1), D(2026, 6, 3)):  # 29 days left
        run_on(day)
    assert list(Reminder.objects.filter(case=dispute).values_list("clock", "threshold")) == [
        ("limitation", Threshold.UPCOMING)
    ]
    run_on(D(2026, 6, 29))  # Monday; Tuesday 30 June is the next working day
    run_on(D(2026, 7, 1))
    assert sorted(Reminder.objects.filter(case=dispute).values_list("threshold", flat=True)) == [
        Threshold.NEXT_DAY,
        Threshold.OVERDUE,
        Threshold.UPCOMING,
    ]


def test_a_card_in_its_last_30_days_reminds_its_caseworker_until_a_renewal_is_applied_for(
    schedule_2026, office, caseworker, supervisor, member
):
    card = steps.card_at(
        "card_issued", office=office, by=caseworker, worker=member, approver=supervisor
    )
    steps.set_card_dates(card, D(2025, 7, 1), D(2026, 6, 30))

    run_on(D(2026, 5, 30))  # 31 days left
    assert not Reminder.objects.filter(case=card).exists()
    run_on(D(2026, 5, 31))
    reminder = Reminder.objects.get(case=card)
    assert (reminder.clock, reminder.threshold, reminder.recipient) == (
        "card_renewal",
        Threshold.UPCOMING,
        caseworker,
    )
    assert CardApplication.objects.get(pk=card.pk).valid_to == reminder.due_on
