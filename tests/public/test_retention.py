"""Online requests at the end of retention: the answers go with the anonymised case,
or a year after a decline; the daily retention run does both."""

import datetime

import pytest
from django.utils import timezone

from casework.models import AuditEntry
from public import retention, services
from public.models import OnlineRequest
from reports import retention as case_retention
from tests import factories
from tests.public.test_staff_pages import a_request

pytestmark = pytest.mark.django_db


def test_a_declined_request_keeps_its_answers_a_year(office, caseworker, settings):
    settings.PUBLIC_DECLINED_KEEP_DAYS = 365
    online = a_request(office)
    services.decline_request(online=online, by=caseworker, reason="重复")

    assert retention.apply() == 0
    later = timezone.now() + datetime.timedelta(days=366)
    assert retention.apply(later) == 1

    online.refresh_from_db()
    assert (online.name, online.mobile, online.description) == ("[已匿名]", "", "[已匿名]")
    assert online.amount_owed is None
    assert services.stage_of(online.tracking_code, "5678") is None  # nothing to match
    assert AuditEntry.objects.filter(action="anonymised", object_id=str(online.pk)).exists()
    assert retention.apply(later) == 0  # once


def test_a_waiting_request_is_kept(office):
    a_request(office)

    assert retention.apply(timezone.now() + datetime.timedelta(days=4000)) == 0


def test_an_opened_request_follows_its_case(office, caseworker, worker):
    online = a_request(office)
    case = services.open_request(
        online=online,
        by=caseworker,
        open_case=lambda: factories.wage_dispute(office, by=caseworker, workers=[worker]),
    )
    assert retention.apply() == 0

    type(case).objects.filter(pk=case.pk).update(anonymised_at=timezone.now())

    assert retention.apply() == 1
    assert OnlineRequest.objects.get().name == "[已匿名]"


def test_the_daily_retention_run_includes_online_requests(office, caseworker, settings):
    settings.PUBLIC_DECLINED_KEEP_DAYS = 0
    online = a_request(office)
    services.decline_request(online=online, by=caseworker, reason="重复")
    OnlineRequest.objects.filter(pk=online.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=1)
    )

    assert case_retention.apply()["online_requests"] == 1


def test_the_office_phone_is_edited_in_the_admin(admin_client, office):
    page = admin_client.get(f"/admin/casework/office/{office.pk}/change/").content.decode()

    assert 'name="phone"' in page


def test_a_persons_copy_of_their_data_holds_the_online_request_of_their_case(
    login_as, caseworker, office, worker
):
    import json

    online = a_request(office)
    case = services.open_request(
        online=online,
        by=caseworker,
        open_case=lambda: factories.wage_dispute(office, by=caseworker, workers=[worker]),
    )

    response = login_as(caseworker).get(f"/workers/{worker.pk}/personal-data.json")

    record = next(c for c in json.loads(response.content)["cases"] if c["number"] == case.number)
    [request] = record["records"]["online_request"]
    assert request["description"] == "站点拖欠我三个月配送费。"
    assert request["tracking_code"] == online.tracking_code
    pdf = login_as(caseworker).get(f"/workers/{worker.pk}/personal-data.pdf")
    assert pdf.status_code == 200
