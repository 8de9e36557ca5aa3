"""Create the three staff roles as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "caseworker": [
        ("cases", "view_case"),
        ("cases", "add_case"),
        ("cases", "change_case"),
        ("cases", "view_worker"),
        ("cases", "add_worker"),
        ("cases", "change_worker"),
        ("cases", "view_payment"),
        ("cases", "add_payment"),
        ("cases", "view_counterparty"),
        ("cases", "add_counterparty"),
    ],
    "supervisor": [
        ("cases", "view_case"),
        ("cases", "add_case"),
        ("cases", "change_case"),
        ("cases", "view_worker"),
        ("cases", "add_worker"),
        ("cases", "change_worker"),
        ("cases", "reveal_id_number"),
        ("cases", "view_payment"),
        ("cases", "add_payment"),
        ("cases", "view_counterparty"),
        ("cases", "add_counterparty"),
    ],
    "auditor": [
        ("cases", "view_case"),
        ("cases", "view_worker"),
        ("cases", "view_payment"),
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
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("cases", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
