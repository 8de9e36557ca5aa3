"""Legal period arithmetic on China's holiday calendar (DOMAIN.md, "Counting a period").

Expected dates for 2026 follow chinese_calendar 1.11.0: National Day rest runs
1-7 October 2026 and Saturday 10 October is a make-up working day.
"""

from datetime import date

import pytest

from casework.periods import Deadline, days_left, is_workday, period_end

# Tests that pass `schedules={}` use no admin-entered schedule and stay off the DB.
NONE_ENTERED: dict = {}


def test_a_15_day_period_ending_in_the_national_day_holiday_ends_on_the_first_working_day_after():
    # 16 Sep + 15 = 1 Oct, a holiday; 2-7 Oct are holidays too; 8 Oct (Thu) works.
    assert period_end(date(2026, 9, 16), days=15, schedules=NONE_ENTERED) == Deadline(
        date(2026, 10, 8), provisional=False
    )


def test_a_period_ending_on_a_make_up_working_saturday_ends_on_that_saturday():
    assert period_end(date(2026, 9, 25), days=15, schedules=NONE_ENTERED) == Deadline(
        date(2026, 10, 10), provisional=False
    )


def test_a_period_ending_on_an_ordinary_saturday_moves_to_monday():
    assert period_end(date(2026, 2, 27), days=15, schedules=NONE_ENTERED) == Deadline(
        date(2026, 3, 16), provisional=False
    )


def test_a_period_ending_on_a_working_day_ends_that_day():
    assert period_end(date(2026, 3, 1), days=15, schedules=NONE_ENTERED).date == date(2026, 3, 16)


def test_a_year_the_library_does_not_know_counts_weekends_only_and_is_provisional():
    # Sat 15 Mar 2031 -> Mon 17 Mar.
    assert period_end(date(2031, 2, 28), days=15, schedules=NONE_ENTERED) == Deadline(
        date(2031, 3, 17), provisional=True
    )
    # 1 Oct 2031 is a Wednesday: without a schedule it is guessed to be a working day.
    assert period_end(date(2031, 9, 16), days=15, schedules=NONE_ENTERED) == Deadline(
        date(2031, 10, 1), provisional=True
    )


def test_an_entered_schedule_makes_an_unknown_year_known():
    national_day = {date(2031, 10, d) for d in range(1, 8)}
    schedules = {2031: (national_day, {date(2031, 10, 11)})}
    assert period_end(date(2031, 9, 16), days=15, schedules=schedules) == Deadline(
        date(2031, 10, 8), provisional=False
    )
    assert is_workday(date(2031, 10, 11), schedules) == (True, True)  # a make-up Saturday


def test_an_entered_schedule_overrides_the_library():
    # The administrator's 2026 schedule has no make-up day on Saturday 10 October.
    schedules = {2026: ({date(2026, 10, d) for d in range(1, 8)}, set())}
    assert period_end(date(2026, 9, 25), days=15, schedules=schedules) == Deadline(
        date(2026, 10, 12), provisional=False
    )


def test_stepping_over_into_an_unknown_year_makes_the_deadline_provisional():
    # An entered holiday on Thu 31 Dec 2026 pushes the end into 2027, which nobody knows yet.
    schedules = {2026: ({date(2026, 12, 31)}, set())}
    assert period_end(date(2026, 12, 16), days=15, schedules=schedules) == Deadline(
        date(2027, 1, 1), provisional=True
    )


def test_a_one_year_period_ends_on_the_same_date_a_year_later():
    assert period_end(date(2025, 3, 10), years=1, schedules=NONE_ENTERED) == Deadline(
        date(2026, 3, 10), provisional=False
    )


def test_a_one_year_period_ending_on_new_years_day_ends_on_the_make_up_sunday():
    # 1-3 Jan 2026 are rest days; Sunday 4 Jan is a make-up working day.
    assert period_end(date(2025, 1, 1), years=1, schedules=NONE_ENTERED).date == date(2026, 1, 4)


def test_a_one_year_period_from_29_february_ends_on_28_february():
    assert period_end(date(2024, 2, 29), years=1, schedules=NONE_ENTERED).date == date(2025, 2, 28)


def test_a_four_year_period_from_29_february_ends_on_29_february():
    # 29 Feb 2028 is a Tuesday, and 2028 is not yet known: a provisional guess.
    assert period_end(date(2024, 2, 29), years=4, schedules=NONE_ENTERED) == Deadline(
        date(2028, 2, 29), provisional=True
    )


def test_a_negative_period_is_refused():
    with pytest.raises(ValueError):
        period_end(date(2026, 1, 1), days=-1, schedules=NONE_ENTERED)


def test_is_workday_reports_whether_the_year_is_known():
    assert is_workday(date(2026, 10, 1), NONE_ENTERED) == (False, True)
    assert is_workday(date(2026, 10, 10), NONE_ENTERED) == (True, True)
    assert is_workday(date(2031, 10, 1), NONE_ENTERED) == (True, False)
    assert is_workday(date(2031, 10, 4), NONE_ENTERED) == (False, False)


def test_days_left_is_zero_on_the_last_day_and_negative_after():
    assert days_left(date(2026, 10, 8), date(2026, 9, 30)) == 8
    assert days_left(date(2026, 10, 8), date(2026, 10, 8)) == 0
    assert days_left(date(2026, 10, 8), date(2026, 10, 9)) == -1


# The DB tests below use pytest-django's `db` fixture rather than the django_db
# marker so the pure tests above still run with `-p no:django` under --strict-markers.
def test_an_admin_entered_schedule_in_the_database_is_used(db):
    from casework.models import HolidaySchedule

    HolidaySchedule.objects.create(
        year=2031,
        holidays="\n".join(f"2031-10-0{d}" for d in range(1, 8)),
        workdays="2031-10-11",
    )
    assert period_end(date(2031, 9, 16), days=15) == Deadline(date(2031, 10, 8), False)
    assert is_workday(date(2031, 10, 11)) == (True, True)


def test_without_an_entered_schedule_the_library_is_used(db):
    assert period_end(date(2026, 9, 16), days=15) == Deadline(date(2026, 10, 8), False)
    assert period_end(date(2031, 2, 28), days=15) == Deadline(date(2031, 3, 17), True)


def test_an_administrator_enters_a_years_schedule_in_the_admin(admin_client, db):
    """A year the library does not know: provisional until the administrator enters it."""
    from casework.models import HolidaySchedule

    HolidaySchedule.objects.all().delete()
    response = admin_client.post(
        "/admin/casework/holidayschedule/add/",
        {"year": 2031, "holidays": "2031-10-01\n2031-10-02\n2031-10-03", "workdays": ""},
    )

    assert response.status_code == 302
    schedule = HolidaySchedule.objects.get(year=2031)
    assert schedule.holiday_dates() == {date(2031, 10, 1), date(2031, 10, 2), date(2031, 10, 3)}
    assert period_end(date(2031, 9, 16), days=15) == Deadline(date(2031, 10, 6), False)


def test_a_schedule_with_a_date_of_another_year_is_refused(admin_client, db):
    response = admin_client.post(
        "/admin/casework/holidayschedule/add/",
        {"year": 2031, "holidays": "2030-10-01", "workdays": ""},
    )

    from casework.models import HolidaySchedule

    assert response.status_code == 200
    assert "Every date must fall in the schedule" in response.content.decode() or (
        "必须" in response.content.decode()
    )
    assert not HolidaySchedule.objects.filter(year=2031).exists()
