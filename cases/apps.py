from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from casework.signals import calendar_changed

        calendar_changed.connect(refresh_clocks_after_commit, dispatch_uid="cases.refresh_clocks")


def refresh_clocks_after_commit(sender, **kwargs):
    """A new or corrected holiday schedule moves the working-day clocks of open cases:
    recompute them after the commit, one case at a time (no long lock over every case)."""
    from cases.services import refresh_open_clocks

    transaction.on_commit(refresh_open_clocks)
