"""The staff's online-request queue: who sees what, opening a request as a case
through the desk's own intake, registering the person, declining."""

from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import AidApplication, CardApplication
from cases.models import Case, Channel, WageDispute, Worker
from public import services
from public.models import OnlineRequest, RequestKind, RequestState
from tests import factories

pytestmark = pytest.mark.django_db


def a_request(office, station=None, **changes) -> OnlineRequest:
    fields = {
        "kind": RequestKind.WAGE,
        "name": "王小明",
        "mobile": "13912345678",
        "occupation": "rider",
        "employer": "美团 南关站",
        "description": "站点拖欠我三个月配送费。",
        "amount_owed": Decimal("3200.00"),
        "consent_contact": False,
        **changes,
    }
    return services.submit_request(office=office, station=station, **fields)


@pytest.fixture
def online(office, station):
    return a_request(office, station)


def text(response) -> str:
    return response.content.decode()


# --- who may see and act ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "queue", "page"),
    [
        (None, 302, 302),
        ("caseworker", 200, 200),
        ("supervisor", 200, 200),
        ("city_supervisor", 200, 200),
        ("other_caseworker", 200, 404),
        ("other_supervisor", 200, 404),
        ("auditor", 403, 403),
        ("admin_user", 403, 403),
    ],
)
def test_who_sees_the_queue_and_a_request(request, login_as, online, who, queue, page):
    client = login_as(request.getfixturevalue(who) if who else None)

    assert client.get("/online-requests/").status_code == queue
    assert client.get(f"/online-requests/{online.pk}/").status_code == page
    assert client.get(f"/online-requests/{online.pk}/register/").status_code == page


@pytest.mark.parametrize("who", ["other_caseworker", "auditor"])
def test_others_cannot_decline_or_open(request, login_as, online, worker, who):
    client = login_as(request.getfixturevalue(who))

    declined = client.post(f"/online-requests/{online.pk}/decline/", {"reason": "x"})
    opened = client.post(f"/online-requests/{online.pk}/open/?worker={worker.pk}", {})

    assert declined.status_code in (403, 404)
    assert opened.status_code in (403, 404)
    online.refresh_from_db()
    assert online.state == RequestState.RECEIVED


def test_the_queue_lists_waiting_requests_with_the_count_in_the_navigation(
    login_as, caseworker, online, office, other_office
):
    a_request(other_office, mobile="13912345679")

    page = text(login_as(caseworker).get("/online-requests/"))

    assert online.display_code in page
    assert "1 request" in page
    assert '<span class="count-badge">1</span></a>' in page
    assert "138****" not in page and "139****5678" in page


def test_the_queue_costs_the_same_for_many_requests(
    login_as, caseworker, office, station, django_assert_max_num_queries
):
    client = login_as(caseworker)
    a_request(office, station)
    with django_assert_max_num_queries(12) as few:
        client.get("/online-requests/")
    for n in range(20):
        a_request(office, station, mobile=f"139000000{n:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/online-requests/")


def test_the_request_page_shows_the_answers_and_a_worker_with_the_mobile(
    login_as, caseworker, office, online
):
    known = factories.WorkerFactory(office=office, phone=online.mobile, name="王小明")

    page = text(login_as(caseworker).get(f"/online-requests/{online.pk}/"))

    assert "站点拖欠我三个月配送费。" in page
    assert "¥3,200.00" in page
    assert f"/online-requests/{online.pk}/open/?worker={known.pk}" in page


# --- opening as a case -----------------------------------------------------------------------


def wage_intake(office, worker, station, **changes) -> dict:
    return {
        "office": office.pk,
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "online",
        "station": station.pk if station else "",
        "matters": "拖欠配送费",
        "reasons": "站点拖欠我三个月配送费。",
        "relationship": "not_fully",
        "priority": "normal",
        f"claim_{worker.pk}": "3,200",
        **changes,
    }


def test_the_open_form_is_the_desks_intake_prefilled(login_as, caseworker, online, worker):
    response = login_as(caseworker).get(f"/online-requests/{online.pk}/open/?worker={worker.pk}")

    form = response.context["form"]
    assert form.__class__.__name__ == "IntakeForm"
    assert form.initial["channel"] == Channel.ONLINE
    assert form.initial["station"] == online.station
    assert form.initial["reasons"] == online.description
    assert form.fields[f"claim_{worker.pk}"].initial == Decimal("3200.00")


def test_opening_a_wage_request_makes_a_dispute_online_at_the_station(
    login_as, caseworker, office, station, online, worker
):
    response = login_as(caseworker).post(
        f"/online-requests/{online.pk}/open/?worker={worker.pk}",
        wage_intake(office, worker, station),
    )

    dispute = WageDispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == dispute.get_absolute_url()
    assert dispute.channel == Channel.ONLINE
    assert dispute.station == station
    assert dispute.applicant == worker
    assert dispute.case_workers.get().amount_claimed == Decimal("3200.00")
    online.refresh_from_db()
    assert online.state == RequestState.OPENED
    assert online.case_id == dispute.pk


def test_the_intake_refuses_bad_input_beside_the_field_and_the_request_waits(
    login_as, caseworker, office, station, online, worker, shown_field
):
    response = login_as(caseworker).post(
        f"/online-requests/{online.pk}/open/?worker={worker.pk}",
        wage_intake(office, worker, station, relationship=""),
    )

    assert response.status_code == 400
    assert shown_field(response, "relationship")[0]
    assert not Case.objects.exists()
    online.refresh_from_db()
    assert online.is_waiting


def test_a_caseworker_who_comes_second_is_told_and_opens_nothing(
    client, login_as, caseworker, caseworker2, office, station, online, worker
):
    url = f"/online-requests/{online.pk}/open/?worker={worker.pk}"
    login_as(caseworker).post(url, wage_intake(office, worker, station))

    second = login_as(caseworker2).post(url, wage_intake(office, worker, station), follow=True)

    assert "already decided by someone else" in text(second)
    assert Case.objects.count() == 1


def test_a_caseworker_whose_form_was_shown_before_is_told_too(
    login_as, caseworker, caseworker2, office, station, online, worker, monkeypatch
):
    # Both saw a waiting request; the other wins between the page check and the lock.
    services.open_request(
        online=online,
        by=caseworker,
        open_case=lambda: factories.wage_dispute(office, by=caseworker, workers=[worker]),
    )
    monkeypatch.setattr(OnlineRequest, "is_waiting", property(lambda self: True))

    response = login_as(caseworker2).post(
        f"/online-requests/{online.pk}/open/?worker={worker.pk}",
        wage_intake(office, worker, station),
        follow=True,
    )

    assert "already decided by someone else" in text(response)
    assert Case.objects.count() == 1


def test_a_hardship_request_opens_through_the_aid_intake(
    login_as, caseworker, office, station, worker
):
    online = a_request(office, station, kind=RequestKind.HARDSHIP, amount_owed=None)
    client = login_as(caseworker)
    url = f"/online-requests/{online.pk}/open/?worker={worker.pk}"
    assert client.get(url).context["form"].initial["circumstances"] == online.description

    client.post(
        url,
        {
            "office": office.pk,
            "channel": "online",
            "station": station.pk,
            "circumstances": online.description,
        },
    )

    aid = AidApplication.objects.get()
    assert (aid.channel, aid.station, aid.applicant) == (Channel.ONLINE, station, worker)
    online.refresh_from_db()
    assert online.case_id == aid.pk


def test_a_card_request_for_a_non_member_is_refused_by_the_card_intake(
    login_as, caseworker, office, station, worker
):
    online = a_request(office, station, kind=RequestKind.CARD, amount_owed=None)

    response = login_as(caseworker).post(
        f"/online-requests/{online.pk}/open/?worker={worker.pk}",
        {
            "office": office.pk,
            "channel": "online",
            "station": station.pk,
            "family-TOTAL_FORMS": "0",
            "family-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert "Only union members can apply for a medical card" in text(response)
    assert not CardApplication.objects.exists()
    online.refresh_from_db()
    assert online.is_waiting


def test_registering_the_person_uses_the_worker_form_prefilled(
    login_as, caseworker, office, online
):
    client = login_as(caseworker)
    form = client.get(f"/online-requests/{online.pk}/register/").context["form"]
    assert form.initial["name"] == "王小明"
    assert form.initial["phone"] == "13912345678"

    response = client.post(
        f"/online-requests/{online.pk}/register/",
        {
            "name": "王小明",
            "phone": "13912345678",
            "id_number": factories.id_number(801),
            "occupation": "rider",
            "employer": "美团",
            "residence": "urban",
            "consent": "on",
            "consent_scope": "同意",
        },
    )

    worker = Worker.objects.get(phone="13912345678")
    assert worker.office == office
    assert response["Location"] == f"/online-requests/{online.pk}/open/?worker={worker.pk}"


def test_a_worker_of_nobody_known_cannot_be_named(login_as, caseworker, online, other_office):
    stranger = factories.WorkerFactory(office=other_office)

    response = login_as(caseworker).get(f"/online-requests/{online.pk}/open/?worker={stranger.pk}")

    assert response.status_code == 404


# --- declining ----------------------------------------------------------------------------


def test_declining_with_a_reason(login_as, caseworker, online):
    response = login_as(caseworker).post(
        f"/online-requests/{online.pk}/decline/", {"reason": "重复提交"}, follow=True
    )

    online.refresh_from_db()
    assert online.state == RequestState.DECLINED
    assert online.decline_reason == "重复提交"
    assert online.decided_by == caseworker
    assert "The request is declined." in text(response)


def test_declining_without_a_reason_is_refused(login_as, caseworker, online):
    response = login_as(caseworker).post(
        f"/online-requests/{online.pk}/decline/", {"reason": ""}, follow=True
    )

    assert "Give the reason for declining." in text(response)
    online.refresh_from_db()
    assert online.is_waiting


def test_declining_what_was_opened_is_refused_with_a_message(
    login_as, caseworker, caseworker2, office, online, worker
):
    services.open_request(
        online=online,
        by=caseworker,
        open_case=lambda: factories.wage_dispute(office, by=caseworker, workers=[worker]),
    )

    response = login_as(caseworker2).post(
        f"/online-requests/{online.pk}/decline/", {"reason": "x"}, follow=True
    )

    assert "already decided by someone else: opened as a case" in text(response)
    online.refresh_from_db()
    assert online.state == RequestState.OPENED
