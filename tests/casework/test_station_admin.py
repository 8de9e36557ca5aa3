"""Administrators manage stations in the admin; tallies are only read there."""

import datetime

import pytest

from casework.models import AuditEntry, ServiceTally, Station
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(office, other_office):
    return [
        factories.StationFactory(office=office, name="南关骑手驿站", type=Station.Type.OUTDOOR),
        factories.StationFactory(
            office=other_office, name="广水职工母婴室", type=Station.Type.NURSING, address="广水市"
        ),
    ]


def test_the_admin_lists_stations_filtered_by_office_and_type_and_searched_by_name(
    login_as, admin_user, office, stations
):
    client = login_as(admin_user)

    everything = client.get("/admin/casework/station/").content.decode()
    by_office = client.get(f"/admin/casework/station/?office__id__exact={office.pk}")
    by_type = client.get("/admin/casework/station/?type__exact=nursing")
    searched = client.get("/admin/casework/station/?q=母婴")

    assert "南关骑手驿站" in everything and "广水职工母婴室" in everything
    assert "By station type" in everything and "By office" in everything
    assert "广水职工母婴室" not in by_office.content.decode()
    assert "南关骑手驿站" not in by_type.content.decode()
    assert "南关骑手驿站" not in searched.content.decode()
    assert "广水职工母婴室" in searched.content.decode()


def test_a_station_added_in_the_admin_is_logged(login_as, admin_user, office):
    response = login_as(admin_user).post(
        "/admin/casework/station/add/",
        {
            "office": office.pk,
            "name": "烈山大道户外爱心驿站",
            "type": "outdoor",
            "address": "随州市曾都区烈山大道16号",
            "opened_on": "2026-05-01",
            "is_active": "on",
        },
    )

    station = Station.objects.get(name="烈山大道户外爱心驿站")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTING_CHANGED)
    assert entry.details["key"] == "station"
    assert entry.details["changes"]["name"] == {"from": None, "to": station.name}


def test_a_second_station_of_the_same_name_in_an_office_is_refused(
    login_as, admin_user, office, stations
):
    response = login_as(admin_user).post(
        "/admin/casework/station/add/",
        {
            "office": office.pk,
            "name": "南关骑手驿站",
            "type": "union",
            "address": "随州市",
            "opened_on": "2026-05-01",
        },
    )

    assert response.status_code == 200
    assert "This office already has a station of this name." in response.content.decode()
    assert Station.objects.filter(name="南关骑手驿站").count() == 1


def test_tallies_are_listed_but_not_added_or_changed_in_the_admin(login_as, admin_user, stations):
    tally = ServiceTally.objects.create(
        station=stations[0], day=datetime.date(2026, 11, 2), service="water", count=31
    )
    client = login_as(admin_user)

    listing = client.get("/admin/casework/servicetally/?service__exact=water")

    assert listing.status_code == 200
    assert "南关骑手驿站" in listing.content.decode()
    assert client.get("/admin/casework/servicetally/add/").status_code == 403
    client.post(f"/admin/casework/servicetally/{tally.pk}/change/", {"count": "1"})
    assert ServiceTally.objects.get(pk=tally.pk).count == 31
