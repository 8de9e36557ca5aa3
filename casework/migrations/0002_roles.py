"""Create the three staff roles as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    from django.apps import apps as global_apps

    from casework.roles import ensure_roles

    for app_label in ("cases", "casework"):
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("cases", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
