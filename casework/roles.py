"""The three staff roles are groups; administrators are superusers."""

from django.utils.translation import gettext_lazy as _

CASEWORKER = "caseworker"
SUPERVISOR = "supervisor"
AUDITOR = "auditor"

LABELS = {
    CASEWORKER: _("Caseworker"),
    SUPERVISOR: _("Supervisor"),
    AUDITOR: _("Auditor"),
}


def label_for(user) -> str:
    if user.is_superuser:
        return str(_("Administrator"))
    names = [str(LABELS[r]) for r in (SUPERVISOR, CASEWORKER, AUDITOR) if r in user.role_names]
    return " / ".join(names)


# What each role's group holds. Access to cases is decided by role and office in
# the case querysets and transitions; these model permissions are for the admin
# and for the few checks that are per permission (revealing an ID).
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


def ensure_roles(apps=None) -> None:
    """Create the role groups with their permissions; safe to run again.

    Run by the roles migration and after every migrate (post_migrate), so a
    database flushed by a test gets its roles back.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in perms
        ]
        group.permissions.add(*wanted)
