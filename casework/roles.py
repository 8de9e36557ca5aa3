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
# the case querysets and transitions; these model permissions serve the admin
# and the checks made per permission (revealing an ID). The roles migration
# (casework/0002) created the groups with a frozen copy of this.
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


def ensure_roles(apps=None) -> None:
    """Create any missing role group with its permissions.

    Runs after every migrate (post_migrate), so a database a test flushed gets
    its roles back; a group that exists is left as an administrator set it.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        if created:
            group.permissions.add(
                *[
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                    for app, codename in perms
                ]
            )


# Roles that approve money, read every office's log or manage accounts: their
# accounts sign in with a second factor. Caseworkers may turn it on for themselves.
TWO_FACTOR_ROLES = {SUPERVISOR, AUDITOR}


def requires_two_factor(user) -> bool:
    return user.is_superuser or bool(TWO_FACTOR_ROLES & user.role_names)
