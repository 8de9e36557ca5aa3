"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log.

The application never changes an entry (AuditEntry.save and .delete refuse),
but revoking privileges would not bind the superuser the application may
connect as; a trigger does. TRUNCATE is left alone: the test suite's flush
between transactional tests uses it, and it needs the table owner's rights.

Other databases (SQLite in development and tests) get nothing here.
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION casework_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'casework_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER casework_auditentry_append_only
BEFORE UPDATE OR DELETE ON casework_auditentry
FOR EACH ROW EXECUTE FUNCTION casework_auditentry_refuse_change();
"""

REMOVE = """
DROP TRIGGER IF EXISTS casework_auditentry_append_only ON casework_auditentry;
DROP FUNCTION IF EXISTS casework_auditentry_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0006_export_jobs_and_audit_actions")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
