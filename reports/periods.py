"""Reporting periods (this month, last quarter, the last 12 months, …) and working days.

A reporting period is a span of local (China time) dates, both ends included.
Periods that have not ended yet stop at today: "this month" on 6 December is
1–6 December, compared with 1–6 December of the year before.

Working days between two dates are read from a table of day numbers
(`WorkingDay`: the count of working days up to and including each date, on the
calendar of `casework.periods`), so a database can count them for every case
at once: working days from intake to finish = number(finish) − number(intake).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.periods import start_of_day

THIS_MONTH = "this_month"
LAST_MONTH = "last_month"
THIS_QUARTER = "this_quarter"
THIS_YEAR = "this_year"
LAST_12_MONTHS = "last_12_months"
CUSTOM = "custom"

CHOICES = [
    (THIS_MONTH, _("this month")),
    (LAST_MONTH, _("last month")),
    (THIS_QUARTER, _("this quarter")),
    (THIS_YEAR, _("this year")),
    (LAST_12_MONTHS, _("last 12 months")),
    (CUSTOM, _("custom")),
]
# How far back "the previous period" of each kind lies, in months (custom: its length).
STEP_MONTHS = {THIS_MONTH: 1, LAST_MONTH: 1, THIS_QUARTER: 3, THIS_YEAR: 12, LAST_12_MONTHS: 12}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier if negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def month_end(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    choice: str = CUSTOM

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("a period ends after it starts")

    @property
    def start_at(self) -> datetime.datetime:
        """Local midnight at the start of the first day."""
        return start_of_day(self.start)

    @property
    def end_before(self) -> datetime.datetime:
        """Local midnight after the last day (the end is excluded)."""
        return start_of_day(self.end + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, months: int) -> Period:
        """The same span `months` later. A span that ends on a month's last day still
        ends on the last day of its month (February's 28th or 29th)."""
        end = add_months(self.end, months)
        if self.end == month_end(self.end):
            end = month_end(end)
        return Period(add_months(self.start, months), end, CUSTOM)

    def same_last_year(self) -> Period:
        return self.shifted(-12)

    def previous(self) -> Period:
        """The period before: the month, quarter or year before; a custom span's
        own length before it."""
        months = STEP_MONTHS.get(self.choice)
        if months is None:
            length = datetime.timedelta(days=self.days)
            return Period(self.start - length, self.end - length, CUSTOM)
        return self.shifted(-months)

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = add_months(day, 1)
        return months

    def includes(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def period_for(
    choice: str,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Period:
    """The period a choice names on `today` (custom: `start` to `end`)."""
    if choice == THIS_MONTH:
        return Period(today.replace(day=1), today, choice)
    if choice == LAST_MONTH:
        first = add_months(today.replace(day=1), -1)
        return Period(first, month_end(first), choice)
    if choice == THIS_QUARTER:
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return Period(first, today, choice)
    if choice == THIS_YEAR:
        return Period(today.replace(month=1, day=1), today, choice)
    if choice == LAST_12_MONTHS:
        return Period(add_months(today, -12) + datetime.timedelta(days=1), today, choice)
    if start is None or end is None:
        raise ValueError("a custom period needs its dates")
    return Period(start, end, CUSTOM)


# --- working days ---------------------------------------------------------------------------

# The table covers these dates; a case opened earlier counts from the first one.
CALENDAR_START = datetime.date(1990, 1, 1)
CALENDAR_AHEAD_DAYS = 400


def ensure_working_days(today: datetime.date | None = None) -> None:
    """Fill the table of day numbers if it is empty or ends before today.

    One query when the table is current. The numbers follow the official
    schedules an administrator entered (`HolidaySchedule`), then the holiday
    library, then weekends alone; entering or changing a schedule empties the
    table (`reports.apps`), and the next page fills it again (about 14,000 rows).
    """
    from casework import periods

    from .models import WorkingDay

    today = today or timezone.localdate()
    last = WorkingDay.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None and last >= today:
        return
    end = today + datetime.timedelta(days=CALENDAR_AHEAD_DAYS)
    schedules = periods.entered_schedules(range(CALENDAR_START.year, end.year + 1))
    rows, number, day = [], 0, CALENDAR_START
    while day <= end:
        if periods.is_workday(day, schedules)[0]:
            number += 1
        rows.append(WorkingDay(day=day, number=number))
        day += datetime.timedelta(days=1)
    with transaction.atomic():
        WorkingDay.objects.all().delete()
        # Two pages filling it at once write the same rows: the second's are ignored.
        WorkingDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def forget_working_days(**kwargs) -> None:
    """A schedule changed: the day numbers are worked out again when next needed."""
    from .models import WorkingDay

    WorkingDay.objects.all().delete()
