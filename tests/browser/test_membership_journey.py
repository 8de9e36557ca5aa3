"""A caseworker reviews an application to join beside the worker it may be, merges
it, and watches a drive's count; on a desktop and at phone width."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Worker
from members import services
from members.models import Source
from tests import factories

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_merges_a_duplicate_and_sees_the_number(page, artifacts_dir):
    city = factories.CityFederationFactory(name="随州市总工会")
    office = factories.OfficeFactory(name="曾都区总工会", parent=city)
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    caseworker.set_password("pw-for-tests")
    caseworker.save()
    worker = factories.WorkerFactory(office=office, name="章伟", phone="13912345678", id_number="")
    drive = services.create_event(
        by=caseworker,
        office=office,
        name="骑手集中入会日",
        date=timezone.localdate(),
        place="文化广场",
    )
    application = services.submit_application(
        office=office,
        source=Source.EVENT,
        event=drive,
        name="张伟",
        mobile="13912345678",
        id_number=factories.id_number(801),
        occupation="rider",
        employer="美团",
        consent_purposes=True,
        tracking_code="K7M2-P9QX",
    )
    login(page, "zhang.wei", "pw-for-tests")
    page.goto("/members/applications/")
    expect(
        page.get_by_role("navigation", name="主导航").or_(page.locator("nav.mainnav"))
    ).to_contain_text("入会申请")
    page.screenshot(path=str(artifacts_dir / "members-queue.png"), full_page=True)
    page.get_by_role("main").get_by_role("link", name="张伟").click()
    expect(page.get_by_role("main")).to_contain_text("可能已登记")
    expect(page.get_by_role("main")).to_contain_text("章伟")
    page.screenshot(path=str(artifacts_dir / "members-application.png"), full_page=True)
    page.get_by_role("button", name=re.compile("与 章伟 合并")).click()
    expect(page.locator(".messages")).to_contain_text("会员证号")
    worker.refresh_from_db()
    assert worker.is_member and Worker.objects.count() == 1
    page.goto(f"/workers/{worker.pk}/")
    expect(page.get_by_role("main")).to_contain_text(worker.membership_number)
    page.screenshot(path=str(artifacts_dir / "members-worker.png"), full_page=True)
    page.goto(f"/members/events/{drive.pk}/")
    expect(page.get_by_role("main")).to_contain_text("骑手集中入会日")
    page.screenshot(path=str(artifacts_dir / "members-event.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/members/events/{drive.pk}/roster/")
    page.screenshot(path=str(artifacts_dir / "members-roster-phone.png"), full_page=True)
    assert application.pk
