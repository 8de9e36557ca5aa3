"""The audit log's hash chain: every entry chained, and tampering named by the verifier."""

import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from casework import audit_chain
from casework.audit import Action, record
from casework.models import AuditChainHead, AuditEntry

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads racing for the chain head's row lock need PostgreSQL; SQLite "
    "serialises every write transaction anyway",
)


@contextmanager
def trigger_disabled():
    """What a database superuser could do: switch the append-only trigger off."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks that ALTER TABLE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE casework_auditentry DISABLE TRIGGER casework_auditentry_append_only"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE casework_auditentry ENABLE TRIGGER casework_auditentry_append_only"
            )


def raw(sql: str, params: list) -> None:
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def entries(caseworker):
    return [
        record(Action.NOTE, by=caseworker, note=f"第{n}次电话联系申请人", details={"n": n})
        for n in range(1, 6)
    ]


def verify_command() -> str:
    with translation.override("en"):
        call_command("verify_audit_chain", stdout=(out := _Out()))
    return out.text


class _Out:
    text = ""

    def write(self, s):
        self.text += s


def broken_message() -> str:
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", stdout=_Out())
    assert error.value.returncode == 1
    return str(error.value)


@pytest.mark.django_db
def test_each_entry_carries_the_hash_of_the_one_before(entries):
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == audit_chain.GENESIS
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert all(e.entry_hash == audit_chain.entry_hash(e) for e in stored)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.entry_hash) == (5, stored[-1].entry_hash)


@pytest.mark.django_db
def test_an_untouched_chain_verifies(entries):
    assert audit_chain.verify().ok
    assert "The audit chain verifies: 5 entries" in verify_command()


@pytest.mark.django_db
def test_an_entry_changed_directly_in_the_database_is_named_by_the_command(entries):
    raw("UPDATE casework_auditentry SET note = %s WHERE id = %s", ["改写历史", entries[2].pk])

    message = broken_message()

    assert f"broken at entry {entries[2].pk} (position 3)" in message
    assert "does not match its hash" in message
    assert "2 entries before it verify" in message


@pytest.mark.django_db
def test_an_entry_rehashed_after_a_change_breaks_the_link_to_the_next(entries):
    """Recomputing the changed entry's own hash moves the break to the entry after it."""
    target = AuditEntry.objects.get(pk=entries[1].pk)
    target.actor_name = "别人 (someone)"
    raw(
        "UPDATE casework_auditentry SET actor_name = %s, entry_hash = %s WHERE id = %s",
        [target.actor_name, audit_chain.entry_hash(target), target.pk],
    )

    result = audit_chain.verify()

    assert (result.broken_id, result.problem) == (entries[2].pk, audit_chain.LINK_BROKEN)


@pytest.mark.django_db
def test_a_removed_entry_is_noticed_at_the_one_after_it(entries):
    raw("DELETE FROM casework_auditentry WHERE id = %s", [entries[3].pk])

    result = audit_chain.verify()

    assert (result.broken_id, result.broken_seq, result.problem) == (
        entries[4].pk,
        5,
        audit_chain.GAP,
    )


@pytest.mark.django_db
def test_entries_cut_from_the_end_are_noticed_through_the_head(entries):
    raw("DELETE FROM casework_auditentry WHERE seq >= %s", [4])

    result = audit_chain.verify()

    assert (result.checked, result.broken_seq, result.problem) == (3, 4, audit_chain.TAIL_CUT)


@pytest.mark.django_db
def test_an_entry_inserted_outside_the_chain_is_noticed(entries):
    AuditEntry.objects.create(action=Action.NOTE, note="悄悄补上的记录")

    result = audit_chain.verify()

    assert result.problem == audit_chain.UNCHAINED


@pytest.mark.django_db
def test_an_auditor_sees_the_chain_verified(login_as, auditor, entries):
    response = login_as(auditor).get("/audit/chain/")

    # The five notes and the auditor's login.
    assert "The chain verifies: 6 entries checked." in response.text
    assert AuditChainHead.objects.get().entry_hash in response.text


@pytest.mark.django_db
def test_an_auditor_is_shown_the_first_broken_entry(login_as, auditor, entries):
    raw("UPDATE casework_auditentry SET note = %s WHERE id = %s", ["改写历史", entries[0].pk])

    response = login_as(auditor).get("/audit/chain/")

    assert f"The chain is broken at entry {entries[0].pk} (position 1)" in response.text


@pytest.mark.django_db
def test_a_caseworker_may_not_open_the_chain_page(login_as, caseworker):
    response = login_as(caseworker).get("/audit/chain/")

    assert response.status_code == 403
    assert "Only auditors and administrators verify the audit log." in response.text


@pytest.mark.django_db
def test_the_chain_page_is_in_the_navigation_of_auditors_only(login_as, auditor, caseworker):
    link = '<a href="/audit/chain/">Audit chain</a>'

    assert link in login_as(auditor).get("/audit/log/").text
    assert "/audit/chain/" not in login_as(caseworker).get("/cases/").text


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Each writer holds its transaction open after appending: the other must wait."""
    barrier = threading.Barrier(4)
    errors = []

    def write(n):
        try:
            barrier.wait()
            with transaction.atomic():
                for i in range(5):
                    record(Action.NOTE, note=f"writer {n} entry {i}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 21))
    assert audit_chain.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_entries_written_before_the_chain():
    executor = MigrationExecutor(connection)
    executor.migrate([("casework", "0009_audit_chain")])
    old = executor.loader.project_state([("casework", "0009_audit_chain")]).apps
    OldEntry = old.get_model("casework", "AuditEntry")
    for n in range(3):
        OldEntry.objects.create(action="note", note=f"旧记录 {n}", details={"n": n})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(AuditEntry.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3]
    assert audit_chain.verify().ok
    # The trigger is back on: the database still refuses a change.
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE casework_auditentry SET note = 'x'")


@pytest.mark.django_db
def test_an_exports_audit_entry_names_the_chain_head_it_found(caseworker, auditor):
    from reports import exports

    before = record(Action.NOTE, by=caseworker, note="导出前的记录")

    started = exports.start(by=auditor, what="cases", format="csv", filters={}, count={})

    assert started.entry.details["audit_chain_head"] == {
        "seq": before.seq,
        "hash": before.entry_hash,
    }
