"""A rider at a station asks for help from his phone, gets a tracking code and checks
its stage; a caseworker opens the request as a case; the stage follows."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Channel, WageDispute
from public import codes
from public.models import OnlineRequest, RequestState
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def check_status(tab, code: str, last_four: str) -> None:
    tab.goto("/p/status/")
    tab.get_by_label(re.compile("^查询码")).fill(code.lower().replace("-", " "))
    tab.get_by_label(re.compile("^手机号后四位")).fill(last_four)
    tab.get_by_role("button", name="查询").click()


def test_a_rider_asks_for_help_at_a_station_and_a_caseworker_opens_it(
    page,
    settings,
    artifacts_dir,
):
    settings.PUBLIC_FORM_MIN_SECONDS = 0
    city = factories.CityFederationFactory(name="随州市总工会")
    office = factories.OfficeFactory(name="曾都区总工会", parent=city, phone="0722-3221234")
    station = factories.StationFactory(office=office, name="南关骑手驿站")
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")

    # The rider scans the station's QR code on his phone.
    page.set_viewport_size(PHONE)
    page.goto(f"/p/station/{station.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("南关骑手驿站")
    expect(page.locator("nav.mainnav")).to_have_count(0)
    page.get_by_role("link", name=re.compile("^求助")).click()
    page.get_by_label("欠薪").check()
    page.get_by_label(re.compile("^您的姓名")).fill("王小明")
    page.get_by_label(re.compile("^手机号")).fill("139 1234 5678")
    page.get_by_label(re.compile("^平台或用人单位")).fill("美团 南关站")
    page.get_by_label(re.compile("^发生了什么")).fill("站点拖欠我三个月配送费。")
    page.get_by_label(re.compile("^被拖欠的工资")).fill("3,200")
    page.get_by_label(re.compile("^我同意工会")).check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts_dir / "public-help-phone.png"), full_page=True)
    page.get_by_role("button", name="提交求助").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的求助已收到")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", code)
    online = OnlineRequest.objects.get()
    assert online.display_code == code and online.station == station
    page.screenshot(path=str(artifacts_dir / "public-done-phone.png"), full_page=True)

    # He checks the stage: received, the office's phone, and nothing about him.
    check_status(page, code, "5678")
    expect(page.locator("#stage")).to_have_text("已收到")
    expect(page.locator("#office-phone")).to_have_text("0722-3221234")
    main = page.get_by_role("main").inner_text()
    assert "王小明" not in main and "3,200" not in main and "美团" not in main
    page.screenshot(path=str(artifacts_dir / "public-status-phone.png"), full_page=True)

    # A caseworker opens it as a case through the desk's intake.
    staff = page.context.browser.new_context(
        base_url=page.url.split("/p/")[0], locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    desk = staff.new_page()
    caseworker.set_password(factories.PASSWORD)
    caseworker.save()
    login(desk, "zhang.wei", factories.PASSWORD)
    desk.goto("/online-requests/")
    expect(desk.locator("nav.mainnav")).to_contain_text("网上求助 1")
    desk.get_by_role("link", name=code).click()
    expect(desk.get_by_role("main")).to_contain_text("站点拖欠我三个月配送费。")
    desk.screenshot(path=str(artifacts_dir / "public-request-desk.png"), full_page=True)
    desk.get_by_role("link", name="登记为新劳动者").click()
    expect(desk.locator('[name="name"]')).to_have_value("王小明")
    desk.locator('[name="id_number"]').fill(factories.id_number(901))
    desk.locator('[name="residence"]').select_option("urban")
    desk.locator('[name="consent"]').check()
    desk.get_by_role("button", name="登记", exact=True).click()
    expect(desk.locator('[name="channel"]')).to_have_value(Channel.ONLINE)
    expect(desk.locator('[name="station"]')).to_have_value(str(station.pk))
    desk.locator('[name="relationship"]').select_option(index=1)
    desk.screenshot(path=str(artifacts_dir / "public-open-desk.png"), full_page=True)
    desk.get_by_role("button", name="转为案件").click()

    dispute = WageDispute.objects.get()
    expect(desk.locator(".messages")).to_contain_text(dispute.number)
    assert (dispute.channel, dispute.station_id) == (Channel.ONLINE, station.pk)
    online.refresh_from_db()
    assert online.state == RequestState.OPENED and online.case_id == dispute.pk
    assert dispute.opened_at <= timezone.now()
    staff.close()

    # The rider's status page now says it is being handled.
    check_status(page, code, "5678")
    expect(page.locator("#stage")).to_have_text("办理中")


def test_a_driver_joins_at_a_drive_on_his_phone_and_the_count_goes_up(
    page,
    settings,
    artifacts_dir,
):
    from members import services as members_services
    from members.models import MembershipApplication

    settings.PUBLIC_FORM_MIN_SECONDS = 0
    city = factories.CityFederationFactory(name="随州市总工会")
    office = factories.OfficeFactory(name="曾都区总工会", parent=city, phone="0722-3221234")
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    drive = members_services.create_event(
        by=caseworker,
        office=office,
        name="货车司机集中入会日",
        date=timezone.localdate(),
        place="物流园",
    )

    page.set_viewport_size(PHONE)
    page.goto(f"/p/event/{drive.public_id}/")
    expect(page.locator("#signups")).to_have_text("0")
    page.get_by_label(re.compile("^姓名")).fill("李师傅")
    page.get_by_label(re.compile("^手机号")).fill("13712345678")
    page.get_by_label(re.compile("^身份证号")).fill(factories.id_number(909))
    page.get_by_label(re.compile("^职业群体")).select_option("truck_driver")
    page.get_by_label(re.compile("^我同意")).check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts_dir / "public-event-phone.png"), full_page=True)
    page.get_by_role("button", name="提交入会申请").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的入会申请已收到")
    application = MembershipApplication.objects.get()
    assert application.event == drive
    expect(page.locator("#tracking-code")).to_have_text(codes.display(application.tracking_code))
    page.goto(f"/p/event/{drive.public_id}/")
    expect(page.locator("#signups")).to_have_text("1")
