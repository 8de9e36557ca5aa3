"""Legal periods counted on China's working-day calendar (DOMAIN.md, "Counting a period").

A period counted in days starts the day after the triggering event; a period
counted in years ends on the corresponding date (Civil Code Art. 201-202,
verify). If the last day is a statutory holiday or rest day the period ends on
the first working day after (Civil Code Art. 203 and the Civil Procedure Law
article on periods, verify).

Which days are working days comes, per year, from the first source that knows
the year:

1. a schedule an administrator entered (``HolidaySchedule``), because the State
   Council publishes each year's schedule around November and libraries lag;
2. the ``chinese_calendar`` library;
3. weekends alone (Saturday and Sunday rest). This is a guess, so any date
   computed from it is marked provisional.

Nothing here imports Django at import time, so the arithmetic can be tested and
used without configured settings; only ``entered_schedules`` touches the DB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar

# year -> (holidays on weekdays, make-up working days on weekends)
Schedule = tuple[set[date], set[date]]
Schedules = Mapping[int, Schedule]


@dataclass(frozen=True)
class Deadline:
    date: date
    provisional: bool  # True when any year consulted was unknown (weekends-only guess)


def entered_schedules(years: Iterable[int]) -> dict[int, Schedule]:
    """Return the administrator-entered schedules for ``years``, keyed by year."""
    # Imported here so this module stays importable without Django set up.
    from casework.models import HolidaySchedule

    return {
        row.year: (row.holiday_dates(), row.workday_dates())
        for row in HolidaySchedule.objects.filter(year__in=set(years))
    }


def _lookup(schedules: Schedules | None) -> Callable[[int], Schedule | None]:
    """Return a year -> schedule function; without ``schedules``, query the DB once per year."""
    if schedules is not None:
        return schedules.get
    cache: dict[int, Schedule | None] = {}

    def get(year: int) -> Schedule | None:
        # A period rarely steps into a second year, so fetch lazily rather than
        # guessing up front which years will be consulted.
        if year not in cache:
            cache[year] = entered_schedules([year]).get(year)
        return cache[year]

    return get


def _status(day: date, get: Callable[[int], Schedule | None]) -> tuple[bool, bool]:
    entered = get(day.year)
    if entered is not None:
        holidays, workdays = entered
        # Same rule as the library: a listed make-up day works even on a weekend.
        return day in workdays or (day.weekday() < 5 and day not in holidays), True
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # the library has no data for this year
        return day.weekday() < 5, False


def is_workday(day: date, schedules: Schedules | None = None) -> tuple[bool, bool]:
    """Return ``(is_workday, known)``; ``known`` is False for a weekends-only guess."""
    return _status(day, _lookup(schedules))


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a non-leap year: the month has no such day
        return start.replace(year=start.year + years, day=28)


def period_end(
    start: date, *, days: int = 0, years: int = 0, schedules: Schedules | None = None
) -> Deadline:
    """Return the last day of a period triggered on ``start``.

    ``start + days`` is the last day because counting begins the day after the
    event (a 15-day period from 1 March ends on 16 March). Years are added first,
    then days. ``schedules`` maps a year to ``(holidays, workdays)``; when None,
    the administrator-entered schedules are queried.
    """
    if days < 0 or years < 0:
        raise ValueError("a period cannot be negative")
    get = _lookup(schedules)
    day = _add_years(start, years) + timedelta(days=days)
    provisional = False
    while True:
        working, known = _status(day, get)
        provisional = provisional or not known
        if working:
            return Deadline(day, provisional)
        day += timedelta(days=1)


def days_left(deadline: date, today: date) -> int:
    """Days from ``today`` to ``deadline``: 0 on the last day, negative once it has passed."""
    return (deadline - today).days


def add_working_days(start: date, days: int, schedules: Schedules | None = None) -> Deadline:
    """The ``days``-th working day after ``start`` (an office's limit "3 working days")."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    get = _lookup(schedules)
    day, provisional, counted = start, False, 0
    while counted < days:
        day += timedelta(days=1)
        working, known = _status(day, get)
        provisional = provisional or not known
        counted += working
    return Deadline(day, provisional)


def next_working_day(day: date, schedules: Schedules | None = None) -> date:
    """The first working day after ``day``."""
    return add_working_days(day, 1, schedules).date


def start_of_day(day: date):
    """Midnight, China time (TIME_ZONE), at the start of a day: an aware datetime.

    Times are compared with it (`>= start_of_day(first)`, `< start_of_day(last + 1)`)
    rather than by their date, which no index serves."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
