"""The audit log: append-only rows, and logins, failed logins and logouts recorded."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from casework.audit import Action, record
from casework.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(caseworker):
    return record(Action.NOTE, by=caseworker, note="已电话联系申请人")


def test_an_audit_entry_cannot_be_changed_through_the_orm(entry):
    entry.note = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).note == "已电话联系申请人"


def test_an_audit_entry_cannot_be_deleted_through_the_orm(entry):
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_entry_keeps_the_actors_name_as_it_was(entry, caseworker):
    caseworker.full_name = "张伟（已调离）"
    caseworker.save()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "张伟 (zhang.wei)"


# --- logins ------------------------------------------------------------------------------


def login(client, username, password=factories.PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_a_login_through_the_login_page_is_recorded_with_the_address(client, caseworker):
    response = login(client, "zhang.wei")

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.actor == caseworker
    assert entry.actor_name == "张伟 (zhang.wei)"
    assert entry.office_id == caseworker.office_id
    assert entry.ip == "127.0.0.1"


def test_a_failed_login_records_the_name_tried_without_the_password(client, caseworker):
    response = login(client, "zhang.wei", password="guessed-password")

    assert response.status_code == 200  # the form again, with its error
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    # Not attributed to the account: whoever typed it is not known to be its holder.
    assert entry.actor is None
    assert entry.details == {"username": "zhang.wei", "known_account": True}
    assert "guessed-password" not in f"{entry.note} {entry.details}"
    assert not AuditEntry.objects.filter(action=Action.LOGIN).exists()


def test_a_failed_login_for_an_unknown_name_is_recorded_with_the_name_tried(db):
    assert authenticate(RequestFactory().post("/login/"), username="nobody", password="x") is None

    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.actor_name == ""
    assert entry.details == {"username": "nobody", "known_account": False}


def test_a_login_by_a_deactivated_account_fails_and_is_recorded(client, caseworker):
    caseworker.is_active = False
    caseworker.save()

    # Through the form: the lockout backend needs the request (client.login has none).
    client.post("/login/", {"username": "zhang.wei", "password": factories.PASSWORD})

    assert AuditEntry.objects.filter(
        action=Action.LOGIN_FAILED, details__username="zhang.wei"
    ).exists()
    assert not AuditEntry.objects.filter(action=Action.LOGIN).exists()


def test_a_logout_is_recorded(client, supervisor):
    client.force_login(supervisor)
    client.post("/logout/")

    entry = AuditEntry.objects.get(action=Action.LOGOUT)
    assert entry.actor == supervisor
    assert entry.office_id == supervisor.office_id
