from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.tasks.signals import task_finished, task_started

        from . import signals, task_reaper  # noqa: F401  (signals: login auditing)

        # Which task this worker runs, so that its progress counts as a heartbeat.
        task_started.connect(task_reaper.task_started)
        task_finished.connect(task_reaper.task_finished)

        # After the permissions of `cases` exist, which auth creates on its own post_migrate.
        post_migrate.connect(_ensure_roles, sender=apps.get_app_config("cases"))


def _ensure_roles(sender, **kwargs):
    from .roles import ensure_roles

    ensure_roles()
