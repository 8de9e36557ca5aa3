"""Fixtures for the reminders: the official 2026 holiday schedule, and the job run as if
on a given day (the job takes `today` and `now`, so no clock is patched)."""

import datetime

import pytest
from django.utils import timezone

from casework.models import HolidaySchedule
from reminders import jobs
from tests.assistance import steps

# The State Council's schedule for 2026 (国办发明电〔2025〕7号): holidays that fall on
# weekdays, and the make-up working Saturdays and Sundays (调休). Entered as an
# administrator would, so the tests do not depend on the holiday library's data.
HOLIDAYS_2026 = """
2026-01-01
2026-01-02
2026-02-16
2026-02-17
2026-02-18
2026-02-19
2026-02-20
2026-02-23
2026-04-06
2026-05-01
2026-05-04
2026-05-05
2026-06-19
2026-09-25
2026-10-01
2026-10-02
2026-10-05
2026-10-06
2026-10-07
"""
WORKDAYS_2026 = """
2026-01-04
2026-02-14
2026-02-28
2026-05-09
2026-09-20
2026-10-10
"""


@pytest.fixture
def schedule_2026(db):
    return HolidaySchedule.objects.create(
        year=2026, holidays=HOLIDAYS_2026.strip(), workdays=WORKDAYS_2026.strip()
    )


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def run_on(day: datetime.date, **kwargs) -> dict:
    """One run of the job as if it were noon on `day`."""
    return jobs.run(today=day, now=noon(day), **kwargs)


def days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def member(office, caseworker):
    """A union member of the office (may hold a medical card)."""
    return steps.member_worker(office, caseworker)
