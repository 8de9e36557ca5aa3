"""The page where a station's day is tallied: /stations/<pk>/tally/?day=…"""

import datetime

import pytest
from django.utils import timezone

from casework.models import AuditEntry, ServiceTally
from tests import factories

SERVICES = ["rest", "charging", "water", "hot_meals", "toilet", "first_aid", "consultation"]


@pytest.fixture
def station(office):
    return factories.StationFactory(office=office, name="南关骑手驿站")


def url(station, day: datetime.date) -> str:
    return f"/stations/{station.pk}/tally/?day={day.isoformat()}"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def tally_data(**counts) -> dict:
    return {service: counts.get(service, "") for service in SERVICES}


def stored(station, day) -> dict:
    return dict(
        ServiceTally.objects.filter(station=station, day=day).values_list("service", "count")
    )


# --- who may open it -------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(login_as, station):
    response = login_as(None).get(url(station, days_ago(0)))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_auditor_may_not_record_tallies(login_as, station, auditor):
    response = login_as(auditor).get(url(station, days_ago(0)))

    assert response.status_code == 403


def test_a_caseworker_of_another_county_gets_404(login_as, station, other_caseworker):
    client = login_as(other_caseworker)

    assert client.get(url(station, days_ago(0))).status_code == 404
    response = client.post(url(station, days_ago(0)), tally_data(rest="5"))
    assert response.status_code == 404
    assert not ServiceTally.objects.exists()


def test_a_supervisor_of_another_county_gets_404(login_as, station, other_supervisor):
    assert login_as(other_supervisor).get(url(station, days_ago(0))).status_code == 404


def test_the_caseworker_of_the_office_sees_one_row_per_service(login_as, station, caseworker):
    response = login_as(caseworker).get(url(station, days_ago(0)))

    page = response.content.decode()
    assert response.status_code == 200
    assert "南关骑手驿站" in page
    for label in ["Rest", "Charging", "Drinking water", "Hot meals", "Toilet", "First aid"]:
        assert f">{label}</label>" in page
    assert page.count('class="count"') == 7


def test_a_city_supervisor_records_for_a_station_of_a_county_under_the_city(
    login_as, station, city_supervisor
):
    response = login_as(city_supervisor).post(url(station, days_ago(0)), tally_data(water="9"))

    assert response.status_code == 302
    assert stored(station, days_ago(0)) == {"water": 9}


# --- recording -------------------------------------------------------------------------


def test_a_saved_tally_is_stored_and_logged_with_counts_before_and_after(
    login_as, station, caseworker
):
    day = days_ago(1)
    client = login_as(caseworker)

    response = client.post(url(station, day), tally_data(rest="12", charging="30", water="0"))

    assert response.status_code == 302
    assert response["Location"] == url(station, day)
    assert stored(station, day) == {"rest": 12, "charging": 30, "water": 0}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TALLY_RECORDED)
    assert (entry.actor, entry.office_id, entry.object_type, entry.object_id) == (
        caseworker,
        station.office_id,
        "station",
        str(station.pk),
    )
    assert entry.details["day"] == day.isoformat()
    assert entry.details["before"]["rest"] is None
    assert entry.details["after"] == {
        "rest": 12,
        "charging": 30,
        "water": 0,
        "hot_meals": None,
        "toilet": None,
        "first_aid": None,
        "consultation": None,
    }
    assert "Tally of" in client.get(response["Location"]).content.decode()


def test_a_correction_replaces_the_counts_and_logs_what_they_were(login_as, station, caseworker):
    day = days_ago(3)
    client = login_as(caseworker)
    client.post(url(station, day), tally_data(rest="12", charging="30"))

    client.post(url(station, day), tally_data(rest="15"))

    assert stored(station, day) == {"rest": 15}
    last = AuditEntry.objects.filter(action=AuditEntry.Action.TALLY_RECORDED).order_by("-pk")[0]
    assert (last.details["before"]["rest"], last.details["after"]["rest"]) == (12, 15)
    assert (last.details["before"]["charging"], last.details["after"]["charging"]) == (30, None)


def test_saving_the_same_counts_again_changes_and_logs_nothing(login_as, station, caseworker):
    day = days_ago(0)
    client = login_as(caseworker)
    client.post(url(station, day), tally_data(rest="4"))

    response = client.post(url(station, day), tally_data(rest="4"), follow=True)

    assert "Nothing changed" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TALLY_RECORDED).count() == 1


@pytest.mark.parametrize("value", ["-1", "3.5", "十二", "100001"])
def test_a_count_that_is_not_a_whole_number_is_refused_next_to_its_row(
    login_as, station, caseworker, value
):
    response = login_as(caseworker).post(url(station, days_ago(0)), tally_data(rest=value))

    page = response.content.decode()
    assert response.status_code == 400
    assert '<tr class="has-error">' in page
    assert 'id="id_rest_error"' in page
    assert not ServiceTally.objects.exists()


# --- the seven-day window --------------------------------------------------------------


def test_a_tally_is_editable_on_the_seventh_day_after_its_day(login_as, station, caseworker):
    response = login_as(caseworker).post(url(station, days_ago(7)), tally_data(toilet="20"))

    assert response.status_code == 302
    assert stored(station, days_ago(7)) == {"toilet": 20}


def test_after_seven_days_the_tally_is_read_only_with_a_clear_message(
    login_as, station, caseworker
):
    day = days_ago(8)
    ServiceTally.objects.create(station=station, day=day, service="rest", count=11)
    client = login_as(caseworker)

    page = client.get(url(station, day)).content.decode()
    response = client.post(url(station, day), tally_data(rest="99"))

    assert "can no longer be changed" in page
    assert 'class="count"' not in page and ">11<" in page
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()
    assert stored(station, day) == {"rest": 11}
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TALLY_RECORDED).exists()


def test_a_day_that_has_not_come_is_refused(login_as, station, caseworker):
    tomorrow = days_ago(-1)

    response = login_as(caseworker).post(url(station, tomorrow), tally_data(rest="3"))

    assert response.status_code == 400
    assert "not before" in response.content.decode()
    assert not ServiceTally.objects.exists()


def test_the_recent_days_list_offers_correction_within_the_window_and_viewing_after(
    login_as, station, caseworker
):
    ServiceTally.objects.create(station=station, day=days_ago(2), service="rest", count=5)
    ServiceTally.objects.create(station=station, day=days_ago(2), service="water", count=7)

    page = login_as(caseworker).get(url(station, days_ago(0))).content.decode()

    assert '<td data-label="Person-visits" class="num">12</td>' in page
    assert f'<a href="?day={days_ago(2).isoformat()}">Correct</a>' in page
    assert f'<a href="?day={days_ago(9).isoformat()}">View</a>' in page


# --- the figures' query --------------------------------------------------------------


def test_person_visits_sum_the_counts_of_the_offices_stations_in_the_period(
    office, other_office, station
):
    other = factories.StationFactory(office=other_office)
    start, end = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    for day, count in [(start, 3), (end, 4), (start - datetime.timedelta(1), 100)]:
        ServiceTally.objects.create(station=station, day=day, service="rest", count=count)
    ServiceTally.objects.create(station=station, day=end, service="water", count=5)
    ServiceTally.objects.create(station=other, day=start, service="rest", count=1000)

    visits = ServiceTally.objects.for_offices([office.pk]).in_period(start, end).person_visits()

    assert visits == 3 + 4 + 5
    assert ServiceTally.objects.for_stations([other]).in_period(end, end).person_visits() == 0
