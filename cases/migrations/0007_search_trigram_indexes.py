"""Trigram indexes for the queue search on PostgreSQL; nothing on other databases.

The search (CaseQuerySet.search, WorkerQuerySet.search) is `icontains`, which
Django writes as UPPER(column::text) LIKE UPPER('%…%') on PostgreSQL: a GIN
index with pg_trgm's gin_trgm_ops over that same expression serves it. SQLite
keeps scanning; its results are the same.
"""

from django.db import migrations

INDEXES = [
    ("case_number_trgm", "cases_case", 'UPPER("number"::text)'),
    ("worker_name_trgm", "cases_worker", 'UPPER("name"::text)'),
    ("worker_phone_trgm", "cases_worker", '"phone"'),
    ("counterparty_name_trgm", "cases_counterparty", 'UPPER("name"::text)'),
    ("counterparty_code_trgm", "cases_counterparty", 'UPPER("credit_code"::text)'),
]


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_queue_sort_indexes")]

    operations = [
        PostgresOnlySQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        *[
            PostgresOnlySQL(
                f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)",
                reverse_sql=f"DROP INDEX {name}",
            )
            for name, table, expression in INDEXES
        ],
    ]
