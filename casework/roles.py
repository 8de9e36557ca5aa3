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
