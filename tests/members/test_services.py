"""Applications to join, their review, numbers and merges, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django_fsm import TransitionNotAllowed

from cases.models import Worker
from casework.models import AuditEntry
from members import services
from members.models import ApplicationState, Member, MembershipApplication, Source
from tests import factories


def person(**fields):
    return {
        "name": "张伟",
        "mobile": "13912345678",
        "id_number": factories.id_number(501),
        "occupation": "rider",
        "employer": "美团",
        "consent_purposes": True,
        **fields,
    }


def apply(office, **fields):
    return services.submit_application(office=office, source=Source.ONLINE, **person(**fields))


def test_an_application_is_stored_encrypted_and_audited(office):
    application = apply(office, tracking_code="K7M2-P9QX")
    assert application.state == ApplicationState.PENDING
    assert application.id_number() == factories.id_number(501)
    assert application.id_masked.startswith("421303") and "*" in application.id_masked
    assert factories.id_number(501) not in application.id_encrypted
    assert application.name_pinyin == "zhangwei"
    assert application.consent_text_version and application.consent_at
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBERSHIP_APPLIED)
    assert entry.object_id == str(application.pk) and entry.actor is None


def test_an_application_without_consent_is_refused(office):
    with pytest.raises(ValidationError) as error:
        apply(office, consent_purposes=False)
    assert "consent_purposes" in error.value.message_dict
    assert not MembershipApplication.objects.exists()


def test_a_wrong_id_checksum_and_a_bad_mobile_are_refused(office):
    bad = factories.id_number(501)[:-1] + ("0" if factories.id_number(501)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        apply(office, id_number=bad, mobile="12345")
    assert {"id_number", "mobile"} <= set(error.value.message_dict)


def test_a_taken_tracking_code_is_told_apart(office):
    apply(office, tracking_code="AAAA-BBBB")
    with pytest.raises(services.TrackingCodeTaken):
        apply(office, tracking_code="AAAA-BBBB", id_number=factories.id_number(502))
    assert MembershipApplication.objects.count() == 1


def test_approving_registers_the_worker_and_issues_the_first_number(office, caseworker):
    application = apply(office)
    member = services.approve_application(application=application, by=caseworker)
    year = timezone.localdate().year
    assert member.number == f"{office.pk:03d}-{year}-000001"
    worker = member.worker
    assert (worker.name, worker.phone, worker.is_member) == ("张伟", "13912345678", True)
    assert worker.membership_number == member.number and worker.joined_on == member.joined_on
    assert worker.id_number() == factories.id_number(501)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert (application.member, application.worker, application.decided_by) == (
        member,
        worker,
        caseworker,
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"membership_approved", "member_joined", "worker_created"} <= actions


def test_numbers_run_on_per_office_and_year(office, other_office, caseworker, other_caseworker):
    first = services.approve_application(application=apply(office), by=caseworker)
    second = services.approve_application(
        application=apply(office, id_number=factories.id_number(502), name="李娜"),
        by=caseworker,
    )
    elsewhere = services.approve_application(
        application=apply(other_office, id_number=factories.id_number(503), name="王芳"),
        by=other_caseworker,
    )
    assert [first.sequence, second.sequence, elsewhere.sequence] == [1, 2, 1]


def test_approving_finds_the_registered_worker_by_id_number(office, caseworker):
    worker = factories.WorkerFactory(office=office, id_number=factories.id_number(501))
    member = services.approve_application(application=apply(office), by=caseworker)
    assert member.worker == worker
    assert Worker.objects.count() == 1


def test_the_same_person_twice_is_not_made_a_member_twice(office, caseworker):
    first, second = apply(office), apply(office, name="章伟")
    services.approve_application(application=first, by=caseworker)
    with translation.override("en"), pytest.raises(ValidationError, match="already a union"):
        services.approve_application(application=second, by=caseworker)
    member = services.merge_application(
        application=second, worker=Worker.objects.get(), by=caseworker
    )
    assert Member.objects.count() == 1 and member.sequence == 1
    second.refresh_from_db()
    assert second.state == ApplicationState.MERGED and second.member == member


def test_merging_with_a_worker_without_id_fills_in_the_file(office, caseworker):
    worker = factories.WorkerFactory(office=office, name="张伟", phone="", id_number="")
    member = services.merge_application(application=apply(office), worker=worker, by=caseworker)
    worker.refresh_from_db()
    assert member.worker == worker and worker.is_member
    assert worker.id_number() == factories.id_number(501) and worker.phone == "13912345678"


def test_merging_moves_the_cases_of_a_second_record_and_logs_it(office, caseworker):
    keep = factories.WorkerFactory(office=office, name="张伟", id_number="")
    duplicate = factories.WorkerFactory(
        office=office, name="章伟", id_number=factories.id_number(501)
    )
    dispute = factories.wage_dispute(office, by=caseworker, workers=[duplicate])
    services.merge_application(application=apply(office), worker=keep, by=caseworker)
    assert not Worker.objects.filter(pk=duplicate.pk).exists()
    assert list(dispute.workers.all()) == [keep]
    dispute.refresh_from_db()
    assert dispute.applicant == keep
    keep.refresh_from_db()
    assert keep.id_number() == factories.id_number(501) and keep.is_member
    entry = AuditEntry.objects.get(action=AuditEntry.Action.WORKERS_MERGED)
    assert entry.details["worker"] == duplicate.pk and entry.details["name"] == "章伟"


def test_a_worker_with_another_id_number_cannot_take_the_application(office, caseworker):
    other = factories.WorkerFactory(office=office, id_number=factories.id_number(777))
    with translation.override("en"), pytest.raises(ValidationError, match="two people"):
        services.merge_application(application=apply(office), worker=other, by=caseworker)


def test_declining_needs_a_reason_and_is_final(office, caseworker):
    application = apply(office)
    with pytest.raises(ValidationError):
        services.decline_application(application=application, by=caseworker, reason="  ")
    services.decline_application(application=application, by=caseworker, reason="不在本市工作")
    application.refresh_from_db()
    assert application.state == ApplicationState.DECLINED
    assert application.decline_reason == "不在本市工作" and application.decided_by == caseworker
    with pytest.raises(TransitionNotAllowed):
        services.approve_application(application=application, by=caseworker)
    assert AuditEntry.objects.filter(action="membership_declined", note="不在本市工作").exists()


def test_another_office_may_not_decide(office, other_caseworker, auditor):
    application = apply(office)
    for user in (other_caseworker, auditor):
        with pytest.raises(PermissionDenied):
            services.approve_application(application=application, by=user)
    assert MembershipApplication.objects.get().state == ApplicationState.PENDING


def test_a_supervisor_of_the_city_may_decide(office, city_supervisor):
    member = services.approve_application(application=apply(office), by=city_supervisor)
    assert member.office == office


def test_joining_at_the_desk_issues_a_number_at_once(office, caseworker):
    member = services.join_at_desk(by=caseworker, office=office, **person())
    assert member.source == Source.DESK and member.worker.is_member
    application = MembershipApplication.objects.get()
    assert application.state == ApplicationState.APPROVED and application.submitted_by == caseworker


def test_a_registered_worker_joins_at_the_desk(office, caseworker):
    worker = factories.WorkerFactory(office=office)
    member = services.join_at_desk(by=caseworker, office=office, worker=worker)
    assert member.worker == worker
    with pytest.raises(ValidationError):
        services.join_at_desk(by=caseworker, office=office, worker=worker)


def test_an_event_of_another_office_is_refused(office, other_office, other_caseworker):
    event = services.create_event(
        by=other_caseworker,
        office=other_office,
        name="骑手入会日",
        date=datetime.date(2026, 5, 1),
        place="广场",
    )
    with pytest.raises(ValidationError):
        services.submit_application(office=office, source=Source.EVENT, event=event, **person())


def test_a_member_who_leaves_is_no_longer_a_member(office, caseworker):
    member = services.join_at_desk(by=caseworker, office=office, **person())
    services.change_member_status(member=member, by=caseworker, status="left")
    member.refresh_from_db()
    assert member.status == "left" and not member.worker.is_member
    assert member.worker.membership_number == member.number  # the number stays on file


def test_new_members_are_counted_per_period_and_office(office, other_office, caseworker):
    from members.figures import new_members

    today = timezone.localdate()
    services.join_at_desk(by=caseworker, office=office, **person())
    assert new_members({office.pk}, today, today) == 1
    assert new_members({other_office.pk}, today, today) == 0
    assert new_members(None, today - datetime.timedelta(days=30), today) == 1
    assert (
        new_members(None, today + datetime.timedelta(days=1), today.replace(year=today.year + 1))
        == 0
    )


def test_the_figures_page_shows_new_members(client, office, caseworker):
    services.join_at_desk(by=caseworker, office=office, **person())
    client.force_login(caseworker)
    page = client.get("/figures/").content.decode()
    assert "新入会会员" in page
    assert page.split('id="new-members"')[1].split("</li>")[0].count(">1<") == 1
