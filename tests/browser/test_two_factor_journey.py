"""A new supervisor's first sign-in: they set up an authenticator app by typing the key
the page shows, keep their recovery codes, and reach the queue; at the next sign-in
a wrong code is refused and the right one lets them in. The pages pass axe-core and
fit a phone."""

import re
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login
from tests.browser.helpers import exactly, fits_width, log_out, only_label, said, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
WRONG = (
    "That code is not right. Enter the code the app shows now; if it keeps being "
    "refused, check that the phone's clock is set automatically."
)
USERNAME = re.compile("用户名|username", re.IGNORECASE)
PASSWORD = re.compile("密码|password", re.IGNORECASE)


def no_serious_violations(page, name, artifacts_dir):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {[(v['id'], v['help']) for v in serious]}"


def test_a_new_supervisor_sets_up_two_factor_and_signs_in_with_a_code(page, office, artifacts_dir):
    boss = factories.supervisor(office, username="new.boss", full_name="钱明", two_factor=False)

    # The password first; then only enrolment opens.
    page.goto("/login/")
    page.get_by_label(USERNAME).fill(boss.username)
    page.get_by_label(PASSWORD).fill(factories.PASSWORD)
    page.get_by_role("button", name=exactly("Log in")).click()
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Set up two-factor sign-in"))
    qr = page.get_by_role("img", name=exactly("QR code for your authenticator app"))
    expect(qr).to_be_visible()
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    no_serious_violations(page, "enrolment", artifacts_dir)
    screenshot(page, artifacts_dir, "two-factor-enrol-desktop")
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    screenshot(page, artifacts_dir, "two-factor-enrol-phone")

    # The key as a person would type it into the app; the app's code.
    secret = page.locator(".secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_role("textbox", name=only_label("Code from the app")).fill(f"{totp(key):06d}")
    page.get_by_role("button", name=exactly("Turn on two-factor sign-in")).click()

    expect(page.get_by_text(said("Two-factor sign-in is on."))).to_be_visible()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name=exactly("I have kept them: continue")).click()
    expect(page).to_have_url(re.compile(r"/cases/"))

    # The next sign-in asks for a code; a wrong one is refused.
    log_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label(USERNAME).fill(boss.username)
    page.get_by_label(PASSWORD).fill(factories.PASSWORD)
    page.get_by_role("button", name=exactly("Log in")).click()
    expect(page).to_have_url(re.compile(r"/login/code/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Enter your sign-in code"))
    no_serious_violations(page, "code", artifacts_dir)
    screenshot(page, artifacts_dir, "two-factor-code-desktop")
    wrong = "000000" if factories.totp_code(boss) != "000000" else "111111"
    page.get_by_role("textbox", name=only_label("Code")).fill(wrong)
    page.get_by_role("button", name=exactly("Continue")).click()
    expect(page.locator(".field.has-error")).to_contain_text(said(WRONG))
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    screenshot(page, artifacts_dir, "two-factor-code-phone")

    # A recovery code lets them in (the wrong code's wait is on the app, not on these).
    page.get_by_role("textbox", name=only_label("Code")).fill(codes[0])
    page.get_by_role("button", name=exactly("Continue")).click()
    expect(page).to_have_url(re.compile(r"/cases/"))


def test_the_sign_in_helper_enters_the_code_for_an_auditor(page, auditor):
    login(page, auditor.username, factories.PASSWORD)

    expect(page).to_have_url(re.compile(r"/cases/"))
