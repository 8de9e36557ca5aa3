"""Headless Chromium against pytest-django's live server.

One browser per test session, a fresh context (cookies, viewport) per test.
Debian's /usr/bin/chromium is used as is: no `playwright install`. When a test
fails, a full-page screenshot and the page's HTML go to test-artifacts/ at the
repository root, and their paths are printed.

The live server makes these tests transactional: the database is flushed after
each one, and the role groups come back through the post_migrate hook.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package `chromium`)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(request, browser, live_server, artifacts_dir):
    """A page in a fresh browser context, its relative URLs resolved against the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=DESKTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        stem = artifacts_dir / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            print(f"\nFailure artifacts:\n  {stem}.png\n  {stem}.html\n  (at {page.url})")
        except Exception as error:  # the page may be gone; the test's own error matters more
            print(f"\nCould not save failure artifacts: {error}")
    context.close()


def login(page, username: str, password: str) -> None:
    """Log in through the form, finding the fields by their labels (Chinese or English).

    Supervisors, auditors and administrators are then asked for a code: it is taken
    from their authenticator (the factories enrol them with a known key), as their
    phone would show it, and typed in.
    """
    from casework.models import User
    from tests import factories

    page.goto("/login/")
    page.get_by_label(re.compile("用户名|username", re.IGNORECASE)).fill(username)
    page.get_by_label(re.compile("密码|password", re.IGNORECASE)).fill(password)
    page.get_by_role("button", name=re.compile("^(登录|Log in)$")).click()
    # Away from the password form: to the code page, or (no code needed) further.
    page.wait_for_url(lambda url: "/login/code/" in url or "/login/" not in url)
    if "/login/code/" in page.url:
        code = factories.totp_code(User.objects.get(username=username))
        page.get_by_label(re.compile("^(验证码|Code)", re.IGNORECASE)).fill(code)
        page.get_by_role("button", name=re.compile("^(继续|Continue)$")).click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
