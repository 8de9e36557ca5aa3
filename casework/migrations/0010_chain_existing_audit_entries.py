"""Chain the audit entries written before the chain existed, oldest first.

On PostgreSQL the append-only trigger (0007) refuses the UPDATE this needs,
so the migration disables that one trigger, fills the three chain columns and
enables it again, all inside the migration's transaction: ALTER TABLE holds
an ACCESS EXCLUSIVE lock until commit, so no other session ever sees the
table without its trigger, and if anything fails the rollback leaves the
trigger as it was. (Computing the columns before installing the trigger is
not open to a database where 0007 has already run; dropping and recreating
the trigger would also work, but disabling it needs only the table owner's
rights, which migrate has.)

The hash is the application's own (casework.audit_chain, a fixed format):
verification must compute exactly what this wrote.
"""

from django.db import migrations

from casework import audit_chain

TRIGGER = "casework_auditentry_append_only"
BATCH = 1000


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("casework", "AuditEntry")
    AuditChainHead = apps.get_model("casework", "AuditChainHead")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE casework_auditentry DISABLE TRIGGER {TRIGGER}")
    head = audit_chain.locked_head(AuditChainHead)
    batch = []
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("pk").iterator(BATCH):
        audit_chain.chain(entry, head)
        batch.append(entry)
        if len(batch) == BATCH:
            AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "entry_hash"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "entry_hash"])
    head.save()
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE casework_auditentry ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0009_audit_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False)]
