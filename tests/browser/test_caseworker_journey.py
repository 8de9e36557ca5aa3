"""A caseworker takes one rider's wage dispute from the intake queue and closes it.

Driven in headless Chromium against the live server, in Chinese (the default
language). Buttons, links and fields are found the way a user finds them: by
role and visible name. Names are looked up in the project's catalogue under
zh-hans and the English source is accepted too, so the test holds while the
Chinese catalogue is being written and after it is compiled.

Screenshots of the key steps go to test-artifacts/journey-*.png.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, expect

from cases import services
from cases.models import Payment, State, WageDispute
from tests import factories
from tests.browser.conftest import login
from tests.browser.helpers import (
    exactly,
    expect_message,
    expect_state,
    fits_width,
    label,
    money_totals,
    open_action,
    screenshot,
    take_step,
    totals_pattern,
    yuan,
    zh,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}


# --- the journey ------------------------------------------------------------------------


@pytest.fixture
def rider(office, caseworker2):
    return factories.WorkerFactory(
        office=office, created_by=caseworker2, name="欧阳晓燕", employer="随州速达配送站"
    )


@pytest.fixture
def platform_on_file(db):
    return factories.CounterpartyFactory(name="湖北快跑网络科技有限公司")


def test_a_caseworker_takes_a_riders_wage_dispute_and_closes_it(
    page, artifacts_dir, office, caseworker, caseworker2, rider, platform_on_file
):
    # A colleague recorded the application at the service station; nobody has taken it.
    dispute = factories.wage_dispute(
        office, by=caseworker2, workers=[rider], claimed=Decimal("9000.00"), counterparty=False
    )
    other = factories.wage_dispute(office, by=caseworker2)
    today = timezone.localdate()

    login(page, caseworker.username, factories.PASSWORD)

    # The queue opens on "My cases", empty; the intake queue holds both applications.
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("My cases"))
    intake_tab = page.get_by_role("navigation", name=exactly("Queues")).get_by_role(
        "link", name=exactly("Intake queue")
    )
    intake_tab.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Intake queue"))
    expect(intake_tab).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row").filter(has_text=dispute.number)
    expect(row).to_contain_text(rider.name)
    expect(row).to_contain_text(zh("Unassigned"))
    expect(page.get_by_role("link", name=other.number)).to_be_visible()
    screenshot(page, artifacts_dir, "journey-01-queue")

    row.get_by_role("link", name=dispute.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.number)
    expect(page).to_have_title(re.compile(re.escape(dispute.number)))

    # Take it.
    page.get_by_role("button", name=exactly("Take this case")).click()
    expect_message(page, "You have taken %(number)s.", number=dispute.number)
    expect(page.get_by_role("button", name=exactly("Take this case"))).to_have_count(0)
    expect(page.get_by_role("definition").filter(has_text=caseworker.full_name)).to_be_visible()
    screenshot(page, artifacts_dir, "journey-02-taken")

    take_step(page, "Accept", to_state="accepted")

    # Mediation needs the other side: the page says so before the counterparty is added.
    start = open_action(page, "Start mediation")
    expect(start).to_contain_text(zh("Record the counterparty (the other side) before mediation."))
    counterparty = open_action(page, "Add a counterparty")
    counterparty.get_by_label(label("role in the chain")).select_option(label=zh("platform"))
    counterparty.get_by_label(label("a counterparty already on file")).select_option(
        label=platform_on_file.name
    )
    counterparty.get_by_role("button", name=exactly("Add a counterparty")).click()
    expect_message(page, "Counterparty added.")
    who_and_what = page.get_by_role("region", name=exactly("Who and what"))
    expect(
        who_and_what.get_by_role("listitem").filter(has_text=platform_on_file.name)
    ).to_be_visible()

    take_step(page, "Start mediation", to_state="mediating")

    # The amount agreed, then the terms of the agreement.
    amounts = open_action(page, "Amounts claimed and agreed")
    claimed = amounts.get_by_label(label("%(name)s: amount claimed", name=rider.name))
    expect(claimed).to_have_value(re.compile(r"^9,?000(\.00)?$"))
    amounts.get_by_label(label("%(name)s: amount agreed", name=rider.name)).fill("9000")
    amounts.get_by_role("button", name=exactly("Save the amounts")).click()
    expect_message(page, "Amounts saved.")
    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 0, 9000))

    terms = open_action(page, "Agreement terms")
    terms.get_by_label(label("agreed result")).fill(
        "湖北快跑网络科技有限公司于协议签订后十五日内分三期支付欧阳晓燕拖欠的配送费9000元。"
    )
    terms.get_by_label(label("perform by")).fill(f"{today + datetime.timedelta(days=15):%Y-%m-%d}")
    terms.get_by_label(label("method of performance")).fill("分三次转账至申请人本人账户")
    terms.get_by_role("button", name=exactly("Save the agreement terms")).click()
    expect_message(page, "Agreement terms saved.")

    agreement = open_action(page, "Record agreement")
    agreement.get_by_label(label("agreement signed on")).fill(f"{today:%Y-%m-%d}")
    agreement.get_by_role("button", name=exactly("Record agreement")).click()
    expect_state(page, "agreement reached")
    screenshot(page, artifacts_dir, "journey-03-agreement")

    # Three instalments, typed the ways people type amounts.
    instalments = [
        ("3000", "bank transfer", "银行流水 20260401"),
        ("3,000.00", "WeChat Pay", "微信转账单号 4200001234"),
        ("¥3000", "Alipay", ""),
    ]
    for n, (typed, method, reference) in enumerate(instalments, start=1):
        payment = open_action(page, "Record a payment")
        payment.get_by_label(label("date received")).fill(
            f"{today - datetime.timedelta(days=3 - n):%Y-%m-%d}"
        )
        payment.get_by_label(label("amount")).fill(typed)
        payment.get_by_label(label("payment method")).select_option(label=zh(method))
        payment.get_by_label(label("reference")).fill(reference)
        if n == 2:
            screenshot(page, artifacts_dir, "journey-04-payment-form")
        payment.get_by_role("button", name=exactly("Record a payment")).click()
        # The totals change with every payment, so this also waits for the new page.
        expect(money_totals(page)).to_contain_text(
            totals_pattern(9000, 9000, 3000 * n, 9000 - 3000 * n)
        )
        expect_message(page, "Payment recorded.")
    payments = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=exactly("Date received"))
    )
    expect(payments.get_by_role("row").filter(has_text=yuan(3000))).to_have_count(3)
    screenshot(page, artifacts_dir, "journey-05-paid")

    take_step(page, "Mark performed", to_state="performed")

    # Closing finishes the case: the browser asks once, naming what will happen.
    asked: list[str] = []

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    take_step(page, "Close", to_state="closed")
    assert asked == [zh("%(label)s: this finishes the case. Continue?", label=zh("Close"))]

    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 9000, 0))
    expect(page.get_by_role("heading", name=exactly("What you can do now"))).to_have_count(0)
    expect(
        page.get_by_role("definition").filter(has_text=zh("agreement performed"))
    ).to_be_visible()
    screenshot(page, artifacts_dir, "journey-06-closed")

    # The worker's file lists the case, closed, and what was recovered for them.
    page.get_by_role("link", name=rider.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(rider.name)
    case_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=dispute.number))
    expect(case_row).to_contain_text(zh("closed"))
    expect(page.get_by_role("definition").filter(has_text=yuan(9000))).to_be_visible()
    screenshot(page, artifacts_dir, "journey-07-worker")

    # And the database agrees with what the pages said.
    closed = WageDispute.objects.get(pk=dispute.pk)
    assert closed.state == State.CLOSED
    assert closed.assignee == caseworker
    assert closed.agreement_signed_on == today
    assert [p.amount for p in Payment.objects.filter(dispute=closed)] == [Decimal("3000.00")] * 3


# --- on a phone ------------------------------------------------------------------------------


def test_the_queue_and_the_case_page_fit_a_360_px_screen(page, artifacts_dir, office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state=State.AGREEMENT)
    services.record_payment(
        case=dispute,
        by=caseworker,
        worker=dispute.workers.get(),
        paid_on=timezone.localdate(),
        amount=Decimal("1000.00"),
        method=Payment.Method.WECHAT,
        reference="微信转账单号 4200009876",
    )
    page.set_viewport_size(PHONE)

    login(page, caseworker.username, factories.PASSWORD)
    expect(page.get_by_role("link", name=dispute.number)).to_be_visible()
    screenshot(page, artifacts_dir, "phone-01-queue")
    assert fits_width(page), "the queue scrolls sideways at 360 px"

    page.get_by_role("link", name=dispute.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.number)
    screenshot(page, artifacts_dir, "phone-02-case")
    assert fits_width(page), "the case page scrolls sideways at 360 px"
