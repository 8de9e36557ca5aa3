"""The stations page (/stations/): the stations of the user's offices, this month's visits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import ServiceTally
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(office, other_office):
    mine = factories.StationFactory(office=office, name="南关骑手驿站")
    theirs = factories.StationFactory(office=other_office, name="广水高铁站驿站")
    return mine, theirs


def nav_has_stations(page: str) -> bool:
    return '<a href="/stations/"' in page


def test_an_anonymous_visitor_is_sent_to_log_in(login_as):
    response = login_as(None).get("/stations/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_auditor_gets_403_and_no_link_in_the_navigation(login_as, auditor):
    client = login_as(auditor)

    assert client.get("/stations/").status_code == 403
    assert not nav_has_stations(client.get("/cases/").content.decode())


def test_a_caseworker_sees_the_stations_of_their_office_only(login_as, caseworker, stations):
    client = login_as(caseworker)

    page = client.get("/stations/").content.decode()

    assert "南关骑手驿站" in page and "广水高铁站驿站" not in page
    assert nav_has_stations(client.get("/cases/").content.decode())


def test_a_city_supervisor_sees_every_countys_stations(login_as, city_supervisor, stations):
    page = login_as(city_supervisor).get("/stations/").content.decode()

    assert "南关骑手驿站" in page and "广水高铁站驿站" in page


def test_each_station_shows_this_months_person_visits_and_whether_today_is_recorded(
    login_as, caseworker, stations
):
    mine, _theirs = stations
    today = timezone.localdate()
    ServiceTally.objects.create(station=mine, day=today, service="rest", count=7)
    ServiceTally.objects.create(station=mine, day=today, service="water", count=5)
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    ServiceTally.objects.create(station=mine, day=last_month, service="rest", count=900)

    page = login_as(caseworker).get("/stations/").content.decode()

    assert '<td data-label="Person-visits this month" class="num">12</td>' in page
    assert '<td data-label="Today">recorded</td>' in page


def test_an_office_without_stations_is_told_who_adds_them(login_as, caseworker):
    page = login_as(caseworker).get("/stations/").content.decode()

    assert "Your offices have no service stations yet." in page


def test_the_page_costs_the_same_queries_for_one_station_or_ten(login_as, city_supervisor, office):
    client = login_as(city_supervisor)
    factories.StationFactory(office=office)
    client.get("/stations/")
    with CaptureQueriesContext(connection) as one:
        client.get("/stations/")
    for _ in range(9):
        factories.StationFactory(office=office)
    with CaptureQueriesContext(connection) as ten:
        response = client.get("/stations/")

    assert response.content.decode().count('href="/stations/') >= 10
    assert len(ten) == len(one)
