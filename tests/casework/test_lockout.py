"""Sign-in lockout (django-axes): per account and per address, the same page whether
or not the account exists, every lockout and every unlock in the audit log."""

import re

import pytest
from axes.models import AccessAttempt

from casework.audit import Action
from casework.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

LOCKED = "Signing in is locked for 30 minutes"


def sign_in(client, username, password=factories.PASSWORD, ip="10.0.0.1"):
    client.cookies["django_language"] = "en"
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def page(response):
    """The lockout page's own text (the rest carries a per-response CSRF token)."""
    html = response.content.decode()
    return re.search(r'<section class="card narrow">.*?</section>', html, re.S)[0]


def fail(client, username, times=10, ip="10.0.0.1"):
    for _ in range(times):
        sign_in(client, username, password="wrong-password", ip=ip)


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_password(client, caseworker):
    fail(client, "zhang.wei", times=8)
    assert sign_in(client, "zhang.wei", password="wrong-password").status_code == 200  # ninth

    response = sign_in(client, "zhang.wei", password="wrong-password")  # the tenth
    assert response.status_code == 429

    # From another address too: the account itself is locked.
    response = sign_in(client, "zhang.wei", ip="10.0.0.2")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "ask an administrator" in response.content.decode()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action=Action.LOCKED_OUT).latest("at")
    assert entry.details["username"] == "zhang.wei"
    assert "wrong-password" not in str(entry.details)


def test_an_unknown_username_gets_the_same_lockout_page(client, caseworker):
    fail(client, "zhang.wei", ip="10.0.0.1")
    known = sign_in(client, "zhang.wei", ip="10.0.0.3")
    fail(client, "no.such.person", ip="10.0.0.4")
    unknown = sign_in(client, "no.such.person", ip="10.0.0.5")

    assert known.status_code == unknown.status_code == 429
    assert LOCKED in unknown.content.decode()
    assert "no.such.person" not in unknown.content.decode()
    assert page(known) == page(unknown)
    assert AuditEntry.objects.filter(
        action=Action.LOCKED_OUT, details__username="no.such.person"
    ).exists()


def test_ten_failures_from_one_address_lock_that_address(client, caseworker):
    for n in range(10):
        sign_in(client, f"guess{n}", password="wrong-password", ip="10.0.0.9")

    assert sign_in(client, "zhang.wei", ip="10.0.0.9").status_code == 429
    assert sign_in(client, "zhang.wei", ip="10.0.0.10").status_code == 302


def test_a_successful_sign_in_resets_the_count(client, caseworker):
    fail(client, "zhang.wei", times=9)
    assert sign_in(client, "zhang.wei").status_code == 302
    client.post("/logout/")
    fail(client, "zhang.wei", times=9)
    assert sign_in(client, "zhang.wei").status_code == 302


def test_an_administrator_unlocks_and_the_unlock_is_logged(client, caseworker, admin_user):
    fail(client, "zhang.wei")
    assert sign_in(client, "zhang.wei", ip="10.0.0.2").status_code == 429

    factories.sign_in(client, admin_user)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": attempts},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    entries = AuditEntry.objects.filter(action=Action.UNLOCKED)
    assert len(entries) == len(attempts)  # one per attempt record unlocked
    assert {e.actor for e in entries} == {admin_user}
    assert {e.details["username"] for e in entries} == {"zhang.wei"}

    client.logout()
    assert sign_in(client, "zhang.wei").status_code == 302


def test_the_lockout_page_is_in_chinese_by_default(client, caseworker):
    fail(client, "zhang.wei")
    del client.cookies["django_language"]
    response = client.post(
        "/login/", {"username": "zhang.wei", "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert "登录已锁定 30 分钟" in response.content.decode()
