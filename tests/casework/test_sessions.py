"""Sessions: ended after SESSION_IDLE_TIMEOUT without activity, besides the absolute age."""

import datetime

import pytest
from django.utils import timezone

from casework.audit import Action
from casework.models import AuditEntry

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
