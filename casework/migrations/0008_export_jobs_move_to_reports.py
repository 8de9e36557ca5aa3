"""The export jobs now belong to the reports app (`reports.ExportJob`).

Only Django's idea of which app owns the model changes here: the table
`casework_exportjob` and its rows stay as they are, and `reports.0001_initial`
takes the same table over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_audit_entries_refuse_update_and_delete"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
            database_operations=[],
        ),
    ]
