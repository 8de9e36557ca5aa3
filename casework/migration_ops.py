"""Index operations for big tables: CREATE/DROP INDEX CONCURRENTLY on PostgreSQL, so
that cases can still be written while an index builds during a rolling deploy
(docs/deploy.md), and the plain operation elsewhere (SQLite has no such thing).

A migration using them says `atomic = False`: PostgreSQL builds an index
concurrently only outside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _Online:
    """The concurrent operation on PostgreSQL, the plain one elsewhere."""

    concurrent: type
    plain: type

    def _operation(self, schema_editor) -> type:
        return self.concurrent if schema_editor.connection.vendor == "postgresql" else self.plain

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = self._operation(schema_editor)
        operation.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexOnline(_Online, AddIndexConcurrently):
    concurrent, plain = AddIndexConcurrently, AddIndex


class RemoveIndexOnline(_Online, RemoveIndexConcurrently):
    concurrent, plain = RemoveIndexConcurrently, RemoveIndex
