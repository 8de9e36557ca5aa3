"""Index operations for big tables: CREATE/DROP INDEX CONCURRENTLY on PostgreSQL, so
that cases can still be written while an index builds during a rolling deploy
(docs/deploy.md), and the plain operation elsewhere (SQLite has no such thing).

A migration using them says `atomic = False`: PostgreSQL builds an index
concurrently only outside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


def _concurrently(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = AddIndexConcurrently if _concurrently(schema_editor) else AddIndex
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = AddIndexConcurrently if _concurrently(schema_editor) else AddIndex
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexOnline(RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = RemoveIndexConcurrently if _concurrently(schema_editor) else RemoveIndex
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = RemoveIndexConcurrently if _concurrently(schema_editor) else RemoveIndex
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)
