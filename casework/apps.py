from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (login auditing)

        # After the permissions of `cases` exist, which auth creates on its own post_migrate.
        post_migrate.connect(_ensure_roles, sender=apps.get_app_config("cases"))


def _ensure_roles(sender, **kwargs):
    from .roles import ensure_roles

    ensure_roles()
