"""Bad input is refused where it was typed, and nothing is saved.

A caseworker types amounts that could be misread into the payment form, a .pdf
that is not a PDF into the document form, and an ID number with a wrong check
character and an empty name into the worker form. Each is refused with a
message in the field's own block (also read out with the field), what was typed
is kept, and the database is unchanged. Then "3,000.00" and full-width "３０００"
are each recorded as ¥3,000.00.

In Chinese, in headless Chromium; screenshots go to test-artifacts/bad-input-*.png.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from cases.models import Document, Payment, State, Worker
from tests import factories
from tests.browser.conftest import login
from tests.browser.helpers import (
    exactly,
    expect_message,
    expect_refused,
    id_number_born,
    money_totals,
    only_label,
    open_action,
    said,
    screenshot,
    totals_pattern,
    with_wrong_check_character,
    yuan,
    zh,
)

pytestmark = pytest.mark.browser

# What is typed, and what the field says about it.
BAD_AMOUNTS = [
    ("-5", "The amount must be greater than zero."),
    ("0", "The amount must be greater than zero."),
    ("1e9", "Write the amount out in full, such as 1000000, not in exponent form."),
    ("12.345", "Amounts have at most two decimal places (fen)."),
    ("abc", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
    ("20000000", "The amount may not exceed ¥10,000,000.00."),
    ("", "Enter an amount."),
]
GOOD_AMOUNTS = ["3,000.00", "３０００"]


def submit_refused(page: Page, form: Locator, button: str) -> None:
    """Press the form's button and check the page comes back refusing it, for one field."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name=exactly(button)).click()
    assert posted.value.status == 400, f"expected the form to be refused, got {posted.value}"
    # The summary of errors above the form lists the one field the test got wrong.
    summary = page.get_by_role("alert").filter(has_text=said("Please correct the following:"))
    expect(summary.get_by_role("listitem")).to_have_count(1)


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    page, artifacts_dir, office, caseworker, document_storage
):
    dispute = factories.wage_dispute(
        office, by=caseworker, claimed=Decimal("9000.00"), state=State.AGREEMENT
    )
    today = timezone.localdate()

    login(page, caseworker.username, factories.PASSWORD)
    page.get_by_role("link", name=dispute.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.number)

    # --- amounts that could be misread ----------------------------------------------------
    for typed, message in BAD_AMOUNTS:
        payment = open_action(page, "Record a payment")
        payment.get_by_label(only_label("date received")).fill(f"{today:%Y-%m-%d}")
        payment.get_by_label(only_label("payment method")).select_option(label=zh("bank transfer"))
        payment.get_by_label(only_label("amount")).fill(typed)
        submit_refused(page, payment, "Record a payment")

        payment = open_action(page, "Record a payment")
        amount = payment.get_by_label(only_label("amount"))
        expect_refused(amount, message)
        expect(amount).to_have_value(typed)  # what was typed is kept
        expect(payment.get_by_role("alert")).to_contain_text(said(message))  # the summary
        assert not Payment.objects.exists(), f"{typed!r} was saved as a payment"
        if typed == "1e9":
            screenshot(page, artifacts_dir, "bad-input-01-amount")
    expect(money_totals(page)).to_contain_text(totals_pattern(9000, 9000, 0, 9000))

    # --- a .pdf that is not a PDF -------------------------------------------------------------
    document = open_action(page, "Add a document")
    document.get_by_label(only_label("document type")).select_option(label=zh("evidence"))
    document.get_by_label(only_label("title")).fill("工资条（2026年3月）")
    document.get_by_label(only_label("file")).set_input_files(
        {
            "name": "工资条.pdf",
            "mimeType": "application/pdf",
            "buffer": "这是一张工资条的文字说明，不是PDF文件。".encode(),
        }
    )
    submit_refused(page, document, "Add a document")
    document = open_action(page, "Add a document")
    expect_refused(
        document.get_by_label(only_label("file")),
        "This file is not a PDF, JPEG or PNG (its content was checked, not its name).",
    )
    expect(document.get_by_label(only_label("title"))).to_have_value("工资条（2026年3月）")
    screenshot(page, artifacts_dir, "bad-input-02-document")
    assert not Document.objects.exists()
    assert not any(document_storage.rglob("*.*")), "the refused file was stored"

    # --- amounts typed the ways people type them: accepted as ¥3,000.00 ----------------------
    for n, typed in enumerate(GOOD_AMOUNTS, start=1):
        payment = open_action(page, "Record a payment")
        payment.get_by_label(only_label("date received")).fill(f"{today:%Y-%m-%d}")
        payment.get_by_label(only_label("payment method")).select_option(label=zh("bank transfer"))
        payment.get_by_label(only_label("amount")).fill(typed)
        payment.get_by_label(only_label("reference")).fill(f"银行流水 2026112{n}")
        payment.get_by_role("button", name=exactly("Record a payment")).click()
        expect(money_totals(page)).to_contain_text(
            totals_pattern(9000, 9000, 3000 * n, 9000 - 3000 * n)
        )
        expect_message(page, "Payment recorded.")
    payments = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=exactly("Date received"))
    )
    expect(payments.get_by_role("row").filter(has_text=yuan(3000))).to_have_count(2)
    assert [p.amount for p in Payment.objects.order_by("pk")] == [Decimal("3000.00")] * 2

    # --- the worker form: a wrong check character, then an empty name ------------------------
    workers_before = Worker.objects.count()
    page.get_by_role("navigation", name=exactly("Main")).get_by_role(
        "link", name=exactly("Workers")
    ).click()
    page.get_by_role("link", name=exactly("Register a new worker")).click()
    form = page.get_by_role("main")
    good_id = id_number_born(datetime.date(1994, 7, 23), 58)
    bad_id = with_wrong_check_character(good_id)
    form.get_by_label(only_label("name")).fill("欧阳明")
    form.get_by_label(only_label("national ID number")).fill(bad_id)
    form.get_by_label(only_label("occupation group")).select_option(label=zh("food-delivery rider"))
    form.get_by_label(
        only_label("The worker consents to the union storing and using this information")
    ).check()
    submit_refused(page, form, "Save")
    id_field = form.get_by_label(only_label("national ID number"))
    expect_refused(
        id_field,
        "Enter a valid 18-character national ID number; the last character is a checksum.",
    )
    expect(id_field).to_have_value(bad_id)
    expect(form.get_by_label(only_label("name"))).to_have_value("欧阳明")
    screenshot(page, artifacts_dir, "bad-input-03-id-number")
    assert Worker.objects.count() == workers_before

    id_field.fill(good_id)
    form.get_by_label(only_label("name")).fill("")
    submit_refused(page, form, "Save")
    expect_refused(form.get_by_label(only_label("name")), "This field is required.")
    expect(form.get_by_label(only_label("national ID number"))).to_have_value(good_id)
    assert Worker.objects.count() == workers_before

    # Corrected, the same form is saved: it was refused for those fields alone.
    form.get_by_label(only_label("name")).fill("欧阳明")
    form.get_by_role("button", name=exactly("Save")).click()
    expect_message(page, "%(name)s is registered.", name="欧阳明")
    expect(page.get_by_role("heading", level=1)).to_contain_text("欧阳明")
    assert Worker.objects.count() == workers_before + 1
    assert Worker.objects.with_id_number(good_id).get().name == "欧阳明"
    assert not Worker.objects.with_id_number(bad_id).exists()
    expect(page).to_have_url(re.compile(r"/workers/\d+/$"))
