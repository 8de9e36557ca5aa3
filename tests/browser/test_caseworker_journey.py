"""A caseworker takes one rider's wage dispute from the intake queue and closes it.

Driven in headless Chromium against the live server, once in Chinese (the
default language) and once in English, chosen with the top bar's language
button before logging in. Buttons, links and fields are found the way a user
finds them: by role and visible name. Names are looked up in the project's
catalogue under zh-hans and the English source is accepted too, so the test
holds while the Chinese catalogue is being written and after it is compiled;
text the test must match exactly (a select's option, a dialog's question, what
a PDF says) is taken in the language of the run.

Screenshots of the key steps go to test-artifacts/journey-<language>-*.png.
"""

import datetime
import functools
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Payment, State, WageDispute
from tests import factories
from tests.browser.conftest import login
from tests.browser.helpers import (
    answer_confirmations,
    choose_language,
    exactly,
    expect_message,
    expect_state,
    fits_width,
    in_language,
    label,
    money_totals,
    open_action,
    pdf_text,
    said,
    screenshot,
    squeezed,
    take_step,
    totals_pattern,
    yuan,
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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_caseworker_takes_a_riders_wage_dispute_and_closes_it(
    page, artifacts_dir, language, office, caseworker, caseworker2, rider, platform_on_file
):
    say = functools.partial(in_language, language)

    def shot(name: str) -> None:
        screenshot(page, artifacts_dir, f"journey-{language}-{name}")

    # A colleague recorded the application at the service station; nobody has taken it.
    dispute = factories.wage_dispute(
        office, by=caseworker2, workers=[rider], claimed=Decimal("9000.00"), counterparty=False
    )
    other = factories.wage_dispute(office, by=caseworker2)
    today = timezone.localdate()
    asked = answer_confirmations(page)

    choose_language(page, language)
    login(page, caseworker.username, factories.PASSWORD)

    # The interface is in the language chosen before logging in.
    main_nav = page.get_by_role("navigation", name=exactly("Main"))
    expect(main_nav.get_by_role("link", name=say("Case queue"), exact=True)).to_be_visible()

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
    expect(row).to_contain_text(say("Unassigned"))
    expect(page.get_by_role("link", name=other.number)).to_be_visible()
    shot("01-queue")

    row.get_by_role("link", name=dispute.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.number)
    expect(page).to_have_title(re.compile(re.escape(dispute.number)))

    # Take it.
    page.get_by_role("button", name=exactly("Take this case")).click()
    expect_message(page, "You have taken %(number)s.", number=dispute.number)
    expect(page.get_by_role("button", name=exactly("Take this case"))).to_have_count(0)
    expect(page.get_by_role("definition").filter(has_text=caseworker.full_name)).to_be_visible()
    shot("02-taken")

    take_step(page, "Accept", to_state="accepted")

    # Mediation needs the other side: the page says so before the counterparty is added.
    start = open_action(page, "Start mediation")
    expect(start).to_contain_text(say("Record the counterparty (the other side) before mediation."))
    counterparty = open_action(page, "Add a counterparty")
    counterparty.get_by_label(label("role in the chain")).select_option(label=say("platform"))
    counterparty.get_by_label(label("a counterparty already on file")).fill(
        platform_on_file.credit_code
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

    # Until the terms are written, the page says what the agreement lacks instead of a link.
    print_draft = page.get_by_role(
        "link", name=exactly("Print the mediation agreement (draft for signing)")
    )
    expect(print_draft).to_have_count(0)
    expect(who_and_what).to_contain_text(say("The mediation agreement can be printed once it has:"))

    agreed_result = (
        "湖北快跑网络科技有限公司于协议签订后十五日内分三期支付欧阳晓燕拖欠的配送费9000元。"
    )
    terms = open_action(page, "Agreement terms")
    terms.get_by_label(label("agreed result")).fill(agreed_result)
    terms.get_by_label(label("perform by")).fill(f"{today + datetime.timedelta(days=15):%Y-%m-%d}")
    terms.get_by_label(label("method of performance")).fill("分三次转账至申请人本人账户")
    terms.get_by_role("button", name=exactly("Save the agreement terms")).click()
    expect_message(page, "Agreement terms saved.")

    # The draft agreement, printed for the parties to read before they sign.
    with page.expect_download() as draft_download:
        print_draft.click()
    draft = draft_download.value
    assert draft.suggested_filename == f"{dispute.number}-mediation-agreement.pdf"
    text = pdf_text(draft)
    assert dispute.number in text
    assert rider.name in text
    assert squeezed(say("Draft for signing")) in text
    if language == "zh-hans":
        assert "草稿" in text
    assert squeezed(agreed_result) in text

    agreement = open_action(page, "Record agreement")
    agreement.get_by_label(label("agreement signed on")).fill(f"{today:%Y-%m-%d}")
    agreement.get_by_role("button", name=exactly("Record agreement")).click()
    expect_state(page, "agreement reached")
    shot("03-agreement")

    # Three instalments, typed the ways people type amounts; then a fourth entered by mistake.
    instalments = [
        ("3000", "bank transfer", "银行流水 20260401"),
        ("3,000.00", "WeChat Pay", "微信转账单号 4200001234"),
        ("¥3000", "Alipay", ""),
        ("3000", "bank transfer", "银行流水 20260403"),
    ]
    for n, (typed, method, reference) in enumerate(instalments, start=1):
        payment = open_action(page, "Record a payment")
        payment.get_by_label(label("date received")).fill(
            f"{today - datetime.timedelta(days=max(3 - n, 0)):%Y-%m-%d}"
        )
        payment.get_by_label(label("amount")).fill(typed)
        payment.get_by_label(label("payment method")).select_option(label=say(method))
        payment.get_by_label(label("reference")).fill(reference)
        if n == 2:
            shot("04-payment-form")
        payment.get_by_role("button", name=exactly("Record a payment")).click()
        # The totals change with every payment, so this also waits for the new page.
        expect(money_totals(page)).to_contain_text(
            totals_pattern(9000, 9000, 3000 * n, max(9000 - 3000 * n, 0))
        )
        expect_message(page, "Payment recorded.")
    payments = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=exactly("Date received"))
    )
    expect(payments.get_by_role("row").filter(has_text=yuan(3000))).to_have_count(4)

    # The fourth transfer bounced: void it, saying why, from its own row.
    void_reason = "录入错误：该笔转账已被银行退回，未实际到账"
    mistaken = payments.get_by_role("row").filter(has_text=instalments[3][2])
    # The disclosure reads "Void"; screen readers also hear whose payment it is.
    mistaken.locator("summary").filter(has_text=said("Void")).click()
    mistaken.get_by_label(label("Why is this payment voided?")).fill(void_reason)
    shot("05-void-form")
    mistaken.get_by_role("button", name=exactly("Void payment")).click()
    expect_message(page, "Payment voided; it no longer counts as recovered.")
    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 9000, 0))
    # The row stays, its amount struck through, marked voided, with the reason.
    expect(mistaken).to_contain_text(say("voided"))
    expect(mistaken).to_contain_text(void_reason)
    struck = mistaken.get_by_role("deletion")
    expect(struck).to_have_text(yuan(3000))
    expect(struck).to_have_css("text-decoration-line", "line-through")
    expect(mistaken.locator("summary")).to_have_count(0)
    expect(payments.get_by_role("row").filter(has_text=yuan(3000))).to_have_count(4)
    assert asked == [
        say("Void this payment? It stays on the record but no longer counts as recovered.")
    ]
    shot("06-paid")

    take_step(page, "Mark performed", to_state="performed")

    # Closing finishes the case: the browser asks once, naming what will happen.
    take_step(page, "Close", to_state="closed")
    assert asked[1:] == [say("%(label)s: this finishes the case. Continue?", label=say("Close"))]

    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 9000, 0))
    expect(page.get_by_role("heading", name=exactly("What you can do now"))).to_have_count(0)
    expect(
        page.get_by_role("definition").filter(has_text=say("agreement performed"))
    ).to_be_visible()
    shot("07-closed")

    # The case file, for the archive: the money recovered and the voided payment, with why.
    case_file = page.get_by_role("region", name=exactly("Print")).get_by_role(
        "link", name=exactly("Case file")
    )
    with page.expect_download() as file_download:
        case_file.click()
    filed = file_download.value
    assert filed.suggested_filename == f"{dispute.number}-case-file.pdf"
    text = pdf_text(filed)
    assert dispute.number in text
    assert rider.name in text
    assert yuan(9000) in text or "9,000.00" in text
    assert squeezed(void_reason) in text

    # The worker's file lists the case, closed, and what was recovered for them.
    page.get_by_role("link", name=rider.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(rider.name)
    case_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=dispute.number))
    expect(case_row).to_contain_text(re.compile(re.escape(say("closed")), re.IGNORECASE))
    expect(page.get_by_role("definition").filter(has_text=yuan(9000))).to_be_visible()
    shot("08-worker")

    # And the database agrees with what the pages said.
    closed = WageDispute.objects.get(pk=dispute.pk)
    assert closed.state == State.CLOSED
    assert closed.assignee == caseworker
    assert closed.agreement_signed_on == today
    paid = Payment.objects.filter(dispute=closed).order_by("pk")
    assert [p.amount for p in paid] == [Decimal("3000.00")] * 4
    assert [p.is_void for p in paid] == [False, False, False, True]
    assert paid[3].void_reason == void_reason and paid[3].voided_by == caseworker


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
