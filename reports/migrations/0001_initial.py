"""The export jobs, taken over from casework with their table and rows.

`casework.0008` drops the model from casework's state; here it enters this
app's state on the same table (`casework_exportjob`), so no row is copied.
The content type follows, so permissions given on export jobs keep working,
and so do export tasks already queued under the module's old path.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OLD_TASK = "casework.exports.build_export_job"
NEW_TASK = "reports.exports.build_export_job"


def move(apps, old: tuple[str, str], new: tuple[str, str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new[0], model="exportjob").exists():
        ContentType.objects.filter(app_label=old[0], model="exportjob").update(app_label=new[0])
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old[1]).update(task_path=new[1])


def take_over(apps, schema_editor):
    move(apps, ("casework", OLD_TASK), ("reports", NEW_TASK))


def give_back(apps, schema_editor):
    move(apps, ("reports", NEW_TASK), ("casework", OLD_TASK))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("casework", "0008_export_jobs_move_to_reports"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='ExportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('format', models.CharField(choices=[('zip', 'case files (ZIP of PDFs)')], max_length=10, verbose_name='format')),
                ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'being built'), ('done', 'ready'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='status')),
                ('filters', models.JSONField(default=dict, verbose_name='filters')),
                ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='cases')),
                ('done', models.PositiveIntegerField(default=0, verbose_name='cases done')),
                ('file', models.FileField(blank=True, upload_to='exports/')),
                ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size')),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'export job',
                'verbose_name_plural': 'export jobs',
                'db_table': 'casework_exportjob',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
            ],
        ),
        migrations.RunPython(take_over, give_back),
    ]
