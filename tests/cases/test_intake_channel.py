"""Where a case came in: asked on every intake form, shown on the case, filtered in the queue."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from assistance.models import AidApplication, CardApplication
from cases import services
from cases.models import Case, Channel, WageDispute
from tests import factories
from tests.assistance import steps
from tests.cases.test_forms import intake_data
from tests.cases.test_queue import QUEUE_QUERY_BUDGET, count_text, numbers

pytestmark = pytest.mark.django_db

STATION_REQUIRED = "Choose the station where the case came in."
NOT_A_STATION_CASE = "Name a station only for a case that came in at one."


@pytest.fixture
def station(office):
    return factories.StationFactory(office=office, name="南关骑手驿站")


@pytest.fixture
def other_station(other_office):
    return factories.StationFactory(office=other_office, name="广水高铁站驿站")


def post_dispute(client, office, worker, **fields):
    return client.post(f"/cases/new/?worker={worker.pk}", intake_data(office, worker, **fields))


# --- the wage dispute intake form --------------------------------------------------------


def test_the_wage_dispute_intake_needs_the_channel(
    login_as, caseworker, office, worker, shown_field
):
    response = post_dispute(login_as(caseworker), office, worker, channel="")

    assert response.status_code == 400
    assert shown_field(response, "channel")[0] == ["Choose where the case came in."]
    assert not Case.objects.exists()


def test_a_case_that_came_in_at_a_station_names_it(
    login_as, caseworker, office, worker, shown_field
):
    response = post_dispute(login_as(caseworker), office, worker, channel="station", station="")

    assert response.status_code == 400
    assert shown_field(response, "station")[0] == [STATION_REQUIRED]
    assert not Case.objects.exists()


def test_a_station_is_refused_for_a_case_that_came_in_by_the_hotline(
    login_as, caseworker, office, worker, station, shown_field
):
    response = post_dispute(
        login_as(caseworker), office, worker, channel="hotline", station=station.pk
    )

    assert response.status_code == 400
    assert shown_field(response, "station")[0] == [NOT_A_STATION_CASE]


def test_a_station_of_another_county_is_refused_next_to_the_field_with_both_offices_named(
    login_as, city_supervisor, office, other_office, worker, other_station, shown_field
):
    # The city supervisor may choose every county's stations, but not for this county's case.
    response = post_dispute(
        login_as(city_supervisor), office, worker, channel="station", station=other_station.pk
    )

    assert response.status_code == 400
    assert shown_field(response, "station")[0] == [
        f"广水高铁站驿站 belongs to {other_office.name}, not to {office.name} or an office "
        "under it."
    ]
    assert not Case.objects.exists()


def test_a_caseworker_is_not_offered_another_countys_stations(
    login_as, caseworker, office, worker, station, other_station, shown_field
):
    client = login_as(caseworker)

    page = client.get(f"/cases/new/?worker={worker.pk}").content.decode()
    response = post_dispute(client, office, worker, channel="station", station=other_station.pk)

    assert "南关骑手驿站" in page and "广水高铁站驿站" not in page
    assert shown_field(response, "station")[0][0].startswith("Select a valid choice.")


def test_a_dispute_that_came_in_at_a_station_keeps_it(
    login_as, caseworker, office, worker, station
):
    response = post_dispute(
        login_as(caseworker), office, worker, channel="station", station=station.pk
    )

    dispute = WageDispute.objects.get()
    assert response.status_code == 302
    assert (dispute.channel, dispute.station) == (Channel.STATION, station)


def test_a_county_station_may_take_a_city_case(login_as, city_supervisor, city, worker, station):
    """The case's office or an office under it: a city case may have come in at a county's
    station."""
    response = post_dispute(
        login_as(city_supervisor), city, worker, channel="station", station=station.pk
    )

    assert response.status_code == 302
    assert Case.objects.get().station == station


# --- the aid and card intake forms -------------------------------------------------------


def test_the_aid_intake_needs_the_channel_and_checks_the_station(
    login_as, caseworker, office, worker, station, shown_field
):
    client = login_as(caseworker)
    url = f"/assistance/aid/new/?worker={worker.pk}"
    data = {"office": office.pk, "circumstances": "配偶重病住院"}

    without = client.post(url, data)
    no_station = client.post(url, {**data, "channel": "station"})
    done = client.post(url, {**data, "channel": "station", "station": station.pk})

    assert shown_field(without, "channel")[0] == ["Choose where the case came in."]
    assert shown_field(no_station, "station")[0] == [STATION_REQUIRED]
    assert done.status_code == 302
    application = AidApplication.objects.get()
    assert (application.channel, application.station) == (Channel.STATION, station)


def test_the_card_intake_needs_the_channel(login_as, caseworker, office, shown_field):
    member = steps.member_worker(office, caseworker)
    client = login_as(caseworker)
    url = f"/assistance/cards/new/?worker={member.pk}"
    data = {
        "office": office.pk,
        "family-TOTAL_FORMS": "0",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "10",
    }

    without = client.post(url, data)
    done = client.post(url, {**data, "channel": "hotline"})

    assert shown_field(without, "channel")[0] == ["Choose where the case came in."]
    assert done.status_code == 302
    assert CardApplication.objects.get().channel == Channel.HOTLINE


def test_the_services_refuse_a_station_of_another_county(office, caseworker, worker, other_station):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        factories.wage_dispute(
            office, by=caseworker, workers=[worker], channel="station", station=other_station
        )

    assert list(refused.value.error_dict) == ["station"]
    assert not Case.objects.exists()


def test_the_database_refuses_a_station_on_a_case_that_did_not_come_in_at_one(
    office, caseworker, station
):
    dispute = factories.wage_dispute(office, by=caseworker)

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=dispute.pk).update(channel="hotline", station=station)


# --- shown on the case ---------------------------------------------------------------------


def test_an_older_case_shows_the_channel_as_not_recorded(login_as, office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker)
    Case.objects.filter(pk=dispute.pk).update(channel="")
    services.take_case(case=dispute, by=caseworker)

    page = login_as(caseworker).get(dispute.get_absolute_url()).content.decode()

    assert '<dt>Came in by</dt><dd><span class="muted">not recorded</span></dd>' in page


def test_the_case_page_names_the_station(login_as, office, caseworker, station):
    dispute = factories.wage_dispute(office, by=caseworker, channel="station", station=station)

    page = login_as(caseworker).get(dispute.get_absolute_url()).content.decode()

    assert "<dt>Came in by</dt><dd>Service station · 南关骑手驿站</dd>" in page


def test_an_older_station_case_may_keep_its_unnamed_station_when_corrected(office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker)
    Case.objects.filter(pk=dispute.pk).update(channel="station")
    dispute = services.take_case(case=dispute, by=caseworker)

    services.update_dispute(case=dispute, by=caseworker, matters="追索拖欠的配送费", station=None)

    assert Case.objects.get(pk=dispute.pk).channel == "station"


# --- the queue's filters ---------------------------------------------------------------------


@pytest.fixture
def came_in(office, supervisor, station):
    """Three open cases of the office: at the station, by the hotline, not recorded."""
    at_station = factories.wage_dispute(office, by=supervisor, channel="station", station=station)
    hotline = factories.wage_dispute(office, by=supervisor, channel="hotline")
    older = factories.wage_dispute(office, by=supervisor)
    Case.objects.filter(pk=older.pk).update(channel="")
    return at_station, hotline, older


def test_the_queue_filters_by_channel_and_station_as_the_figures_link_it(
    login_as, supervisor, came_in, station
):
    at_station, hotline, older = came_in
    client = login_as(supervisor)

    assert numbers(client.get("/cases/?view=office&channel=station")) == [at_station.number]
    assert numbers(client.get(f"/cases/?view=office&channel=station&station={station.pk}")) == [
        at_station.number
    ]
    assert numbers(client.get("/cases/?view=office&channel=hotline")) == [hotline.number]
    assert numbers(client.get("/cases/?view=office&channel=none")) == [older.number]


def test_the_station_choice_appears_once_the_queue_shows_station_cases(
    login_as, supervisor, came_in
):
    client = login_as(supervisor)

    assert 'name="station"' not in client.get("/cases/?view=office").content.decode()
    assert "南关骑手驿站" in client.get("/cases/?view=office&channel=station").content.decode()


def test_a_station_the_user_may_not_see_matches_no_case(
    login_as, supervisor, came_in, other_station
):
    response = login_as(supervisor).get(
        f"/cases/?view=office&channel=station&station={other_station.pk}"
    )

    assert count_text(response) == "0 cases"
    assert "广水高铁站驿站" not in response.content.decode()


def test_the_station_filtered_queue_costs_one_query_more_than_the_budget_at_most(
    login_as, supervisor, came_in, station, django_assert_max_num_queries
):
    client = login_as(supervisor)
    client.get("/cases/")

    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET):
        client.get("/cases/?view=office&channel=hotline")
    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET + 1):  # the station choices
        client.get(f"/cases/?view=office&channel=station&station={station.pk}")


# --- correcting the application ------------------------------------------------------------


def particulars(dispute, **fields) -> dict:
    received = dispute.received_at.astimezone(timezone.get_current_timezone())
    return {
        "expected_state": dispute.state,
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "matters": dispute.matters,
        "reasons": dispute.reasons,
        "relationship": dispute.relationship,
        "priority": dispute.priority,
        **fields,
    }


def test_correcting_an_older_case_may_leave_its_channel_unrecorded(login_as, office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    Case.objects.filter(pk=dispute.pk).update(channel="")

    response = login_as(caseworker).post(
        f"/cases/{dispute.number}/record/particulars/", particulars(dispute, matters="拖欠工资")
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=dispute.pk).channel == ""


def test_a_recorded_channel_cannot_be_emptied_and_a_wrong_station_is_refused(
    login_as, office, caseworker, other_station, shown_field
):
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    client = login_as(caseworker)
    url = f"/cases/{dispute.number}/record/particulars/"

    emptied = client.post(url, particulars(dispute, channel=""))
    wrong = client.post(url, particulars(dispute, channel="station", station=other_station.pk))

    assert shown_field(emptied, "channel")[0] == ["Choose where the case came in."]
    assert shown_field(wrong, "station")[0][0].startswith("Select a valid choice.")
    assert Case.objects.get(pk=dispute.pk).channel == Channel.HOTLINE
