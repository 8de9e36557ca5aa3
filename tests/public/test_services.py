"""The public side's services: requests stored with a code and audited, joining
through membership's own service, opening and declining, the status stages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as case_services
from cases.models import Case, Channel, State
from casework.models import AuditEntry
from members import services as members_services
from members.models import MembershipApplication, Source
from public import codes, services
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


def opener(office, worker, by, station=None):
    def open_case():
        return case_services.open_wage_dispute(
            by=by,
            office=office,
            claims=[(worker, Decimal("3200"))],
            received_at=_now(),
            channel=Channel.ONLINE,
            station=station,
            matters="拖欠配送费",
            reasons="站点拖欠",
            relationship="not_fully",
        )

    return open_case


def _now():
    from django.utils import timezone

    return timezone.now()


def test_a_request_is_stored_with_a_valid_code_no_case_number_and_an_audit_entry(office, station):
    online = a_request(office, station)

    assert online.state == RequestState.RECEIVED
    assert online.case is None
    assert codes.parse(online.tracking_code) == online.tracking_code
    assert not Case.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ONLINE_REQUEST)
    assert entry.object_id == str(online.pk)
    assert entry.office_id == office.pk
    assert entry.actor is None


def test_a_station_of_another_office_is_refused(office, other_office):
    elsewhere = factories.StationFactory(office=other_office)

    with pytest.raises(ValidationError):
        a_request(office, elsewhere)
    assert not OnlineRequest.objects.exists()


def test_a_taken_code_is_drawn_again(office, monkeypatch):
    first = a_request(office)
    drawn = iter([first.tracking_code, first.tracking_code, "0000000" + "00"])
    fresh = codes.new_code()
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn, fresh))

    second = a_request(office)

    assert second.tracking_code != first.tracking_code


def test_joining_goes_through_membership_with_a_code_of_its_own(office, station):
    application = services.submit_join(
        office=office,
        source=Source.STATION,
        station=station,
        name="李娜",
        mobile="13900000501",
        id_number=factories.id_number(501),
        occupation="rider",
        employer="美团",
        consent_purposes=True,
        consent_contact=False,
    )

    assert application.source == Source.STATION
    assert application.station == station
    assert codes.parse(application.tracking_code) == application.tracking_code
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MEMBERSHIP_APPLIED).count() == 1


def test_a_join_whose_code_is_taken_is_tried_again(office, monkeypatch):
    calls = []
    real = members_services.submit_application

    def taken_once(**fields):
        calls.append(fields["tracking_code"])
        if len(calls) == 1:
            raise members_services.TrackingCodeTaken(fields["tracking_code"])
        return real(**fields)

    monkeypatch.setattr(members_services, "submit_application", taken_once)
    application = services.submit_join(
        office=office,
        source=Source.EVENT,
        name="李娜",
        mobile="13900000502",
        id_number=factories.id_number(502),
        occupation="rider",
        consent_purposes=True,
    )

    assert len(calls) == 2
    assert application.tracking_code == calls[1]


def test_opening_a_request_makes_a_case_online_at_its_station_and_audits(
    office, station, caseworker, worker
):
    online = a_request(office, station)

    case = services.open_request(
        online=online, by=caseworker, open_case=opener(office, worker, caseworker, station)
    )

    online.refresh_from_db()
    assert online.state == RequestState.OPENED
    assert online.case.pk == case.pk
    assert online.decided_by == caseworker
    assert case.channel == Channel.ONLINE
    assert case.station == station
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ONLINE_REQUEST_OPENED)
    assert entry.case_id == case.pk


def test_a_request_opened_already_is_not_opened_twice(office, caseworker, caseworker2, worker):
    online = a_request(office)
    first = opener(office, worker, caseworker)
    services.open_request(online=online, by=caseworker, open_case=first)

    with pytest.raises(services.AlreadyDecided):
        services.open_request(
            online=online, by=caseworker2, open_case=opener(office, worker, caseworker2)
        )
    assert Case.objects.count() == 1


def test_a_failed_intake_leaves_the_request_waiting(office, caseworker, worker):
    online = a_request(office)

    def refuse():
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        services.open_request(online=online, by=caseworker, open_case=refuse)
    online.refresh_from_db()
    assert online.state == RequestState.RECEIVED


def test_staff_of_another_office_may_not_open_or_decline(office, other_caseworker, worker):
    online = a_request(office)

    with pytest.raises(PermissionDenied):
        services.open_request(
            online=online, by=other_caseworker, open_case=opener(office, worker, other_caseworker)
        )
    with pytest.raises(PermissionDenied):
        services.decline_request(online=online, by=other_caseworker, reason="不是本辖区")
    assert not Case.objects.exists()


def test_declining_needs_a_reason_and_is_audited(office, caseworker):
    online = a_request(office)

    with pytest.raises(ValidationError):
        services.decline_request(online=online, by=caseworker, reason="  ")
    services.decline_request(online=online, by=caseworker, reason="重复提交")

    online.refresh_from_db()
    assert online.state == RequestState.DECLINED
    assert online.decline_reason == "重复提交"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ONLINE_REQUEST_DECLINED)
    assert entry.note == "重复提交"
    with pytest.raises(services.AlreadyDecided):
        services.decline_request(online=online, by=caseworker, reason="再次")


def test_the_stage_follows_the_request_and_its_case(office, caseworker, worker):
    online = a_request(office)
    code = online.tracking_code

    assert services.stage_of(code, "5678").stage == "received"
    assert services.stage_of(code, "5678").office == office
    assert services.stage_of(code, "1234") is None

    case = services.open_request(
        online=online, by=caseworker, open_case=opener(office, worker, caseworker)
    )
    assert services.stage_of(code, "5678").stage == "handling"

    factories.walk_to(case.specific(), State.DECLINED, caseworker)
    assert services.stage_of(code, "5678").stage == "finished"


def test_a_declined_request_is_finished(office, caseworker):
    online = a_request(office)
    services.decline_request(online=online, by=caseworker, reason="重复")

    assert services.stage_of(online.tracking_code, "5678").stage == "finished"


def test_an_application_to_join_has_a_stage_too(office, caseworker):
    application = services.submit_join(
        office=office,
        source=Source.STATION,
        name="李娜",
        mobile="13900000503",
        id_number=factories.id_number(503),
        occupation="rider",
        consent_purposes=True,
    )
    code = application.tracking_code

    assert services.stage_of(code, "0503").stage == "received"
    members_services.decline_application(application=application, by=caseworker, reason="重复")
    assert services.stage_of(code, "0503").stage == "finished"
    assert services.stage_of(code, "0000") is None
    assert MembershipApplication.objects.count() == 1
