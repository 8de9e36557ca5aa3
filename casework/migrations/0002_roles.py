"""Create the three staff roles as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: later changes to the roles get migrations of their own.
ROLE_PERMISSIONS = {
    "caseworker": [
        ("cases", "view_case"),
        ("cases", "view_worker"),
        ("cases", "view_counterparty"),
    ],
    "supervisor": [
        ("cases", "view_case"),
        ("cases", "view_worker"),
        ("cases", "view_counterparty"),
        ("cases", "reveal_id_number"),
    ],
    "auditor": [
        ("cases", "view_case"),
        ("cases", "view_worker"),
        ("cases", "view_counterparty"),
        ("casework", "view_auditentry"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    from django.apps import apps as global_apps

    for app_label in ("cases", "casework"):
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in perms
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("cases", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
