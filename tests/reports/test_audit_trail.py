"""The audit log is append-only: the application cannot change or delete an entry,
PostgreSQL refuses to, and no entry holds a full ID number."""

import pytest
from django.db import DatabaseError, connection, transaction

from cases import services
from casework.audit import Action, record
from casework.models import AuditEntry, mask_id_numbers
from tests import factories

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger is PostgreSQL's; SQLite has only the application's refusal",
)


@pytest.fixture
def entry(caseworker):
    return record(Action.NOTE, by=caseworker, note="已电话联系申请人")


def test_the_application_cannot_update_entries_in_bulk(entry):
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(note="改写历史")

    assert AuditEntry.objects.get(pk=entry.pk).note == "已电话联系申请人"


def test_the_application_cannot_delete_entries_in_bulk(entry):
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@on_postgresql
def test_postgresql_refuses_to_update_an_entry(entry):
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casework_auditentry SET note = %s WHERE id = %s", ["改写历史", entry.pk]
            )

    assert AuditEntry.objects.get(pk=entry.pk).note == "已电话联系申请人"


@on_postgresql
def test_postgresql_refuses_to_delete_an_entry(entry):
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM casework_auditentry WHERE id = %s", [entry.pk])

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@on_postgresql
def test_postgresql_still_takes_new_entries(entry, caseworker):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'casework_auditentry'::regclass "
            "AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [("casework_auditentry_append_only",)]

    record(Action.NOTE, by=caseworker, note="第二条")

    assert AuditEntry.objects.count() == 2


def test_deactivating_a_user_and_closing_an_office_change_no_entry(cases, caseworker, office):
    before = list(AuditEntry.objects.order_by("pk").values())

    caseworker.is_active = False
    caseworker.save()
    office.is_active = False
    office.save()

    # On PostgreSQL the trigger would have refused any update these made.
    assert list(AuditEntry.objects.order_by("pk").values()) == before


# --- no full ID numbers ----------------------------------------------------------------------


def test_an_id_number_typed_into_free_text_is_masked():
    number = factories.id_number(42)

    assert mask_id_numbers(f"申请人身份证{number}，电话略") == (
        f"申请人身份证{number[:6]}********{number[-4:]}，电话略"
    )
    assert mask_id_numbers({"a": [number.lower()], "b": 3}) == {
        "a": [f"{number[:6]}********{number[-4:]}".lower()],
        "b": 3,
    }
    # Longer runs of digits (a bank account, a reference) are left alone.
    assert mask_id_numbers("6222" + number) == "6222" + number


def test_no_entry_holds_a_full_id_number(client, login_as, office, caseworker, supervisor, auditor):
    number = factories.id_number(4321)
    worker = services.register_worker(
        by=caseworker, office=office, id_number=number, name="钱多多", occupation="rider"
    )
    services.reveal_id_number(worker=worker, by=supervisor)
    dispute = factories.wage_dispute(office, by=caseworker, workers=[worker])
    services.take_case(case=dispute, by=caseworker)
    services.update_dispute(case=dispute, by=caseworker, reasons=f"申请人身份证号{number}")
    services.run_transition(
        case=dispute, name="decline", by=caseworker, reason="重复申请", note=f"核对身份证{number}"
    )
    client.post("/login/", {"username": number, "password": "x"})  # typed into the wrong box
    b"".join(login_as(auditor).get("/audit/log.csv").streaming_content)

    entries = list(AuditEntry.objects.values())
    assert len(entries) > 8
    for row in entries:
        assert number not in str(row), row
    masked = f"{number[:6]}********{number[-4:]}"
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, details__username=masked).exists()
