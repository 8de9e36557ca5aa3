"""Sessions: ended after SESSION_IDLE_TIMEOUT without activity, besides the absolute age."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from casework.audit import Action
from casework.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """`clock.move(minutes)`: every later timezone.now() is that much later."""

    class Clock:
        offset = datetime.timedelta()

        def move(self, minutes):
            self.offset += datetime.timedelta(minutes=minutes)

    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


def test_a_session_idle_for_longer_than_the_timeout_is_ended(login_as, caseworker, clock):
    client = login_as(caseworker)
    assert client.get("/cases/").status_code == 200

    clock.move(31)
    response = client.get("/cases/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/cases/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert AuditEntry.objects.filter(action=Action.SESSION_EXPIRED, actor=caseworker).exists()
    # Signing in again works, and the new session starts its own clock.
    client.force_login(caseworker)
    assert client.get("/cases/").status_code == 200


def test_activity_within_the_timeout_keeps_the_session(login_as, caseworker, clock):
    client = login_as(caseworker)
    client.get("/cases/")
    for _ in range(4):
        clock.move(20)  # 80 minutes in all, never 30 idle
        assert client.get("/cases/").status_code == 200
    assert not AuditEntry.objects.filter(action=Action.SESSION_EXPIRED).exists()


def test_the_timeout_comes_from_the_settings(login_as, caseworker, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client = login_as(caseworker)
    client.get("/cases/")
    clock.move(6)
    assert client.get("/cases/").status_code == 302


# --- sign out everywhere, and on a password change ---------------------------------------


def signed_in_client(user):
    client = factories.sign_in(Client(), user)
    client.cookies["django_language"] = "en"
    return client


def signed_in(client):
    # The account page: every signed-in user may open it, an administrator without a role too.
    return client.get("/account/").status_code == 200


def test_the_header_links_to_my_account_page(login_as, caseworker):
    page = login_as(caseworker).get("/cases/").content.decode()
    assert 'href="/account/"' in page
    page = login_as(caseworker).get("/account/").content.decode()
    assert "You are signed in in 1 place" in page
    assert "Sign out everywhere" in page


def test_sign_out_everywhere_ends_all_the_users_sessions_and_is_logged(caseworker, caseworker2):
    here, laptop, phone = (signed_in_client(caseworker) for _ in range(3))
    colleague = signed_in_client(caseworker2)
    assert "signed in in 3 places" in here.get("/account/").content.decode()

    response = here.post("/account/", follow=True)

    assert "Signed out here and in 2 other places." in response.content.decode()
    assert not signed_in(here) and not signed_in(laptop) and not signed_in(phone)
    assert signed_in(colleague)  # another user's sessions are left alone
    entry = AuditEntry.objects.get(action=Action.SESSIONS_ENDED)
    assert entry.actor == caseworker
    assert entry.details == {"reason": "sign_out_everywhere", "sessions": 2}


def test_a_password_change_ends_the_users_other_sessions(caseworker, admin_user):
    laptop, phone = signed_in_client(caseworker), signed_in_client(caseworker)
    admin = signed_in_client(admin_user)

    response = admin.post(
        f"/admin/casework/user/{caseworker.pk}/password/",
        {"password1": "A-new-long-passw0rd!", "password2": "A-new-long-passw0rd!"},
    )

    assert response.status_code == 302
    assert not Session.objects.filter(
        session_key__in=[laptop.session.session_key, phone.session.session_key]
    ).exists()
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(admin)
    entry = AuditEntry.objects.get(action=Action.SESSIONS_ENDED)
    assert entry.details == {"reason": "password_changed", "sessions": 2}


def test_changing_ones_own_password_keeps_the_current_session(admin_user):
    here, elsewhere = signed_in_client(admin_user), signed_in_client(admin_user)
    here.post(
        f"/admin/casework/user/{admin_user.pk}/password/",
        {"password1": "A-new-long-passw0rd!", "password2": "A-new-long-passw0rd!"},
    )
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
