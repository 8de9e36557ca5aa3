from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from casework.signals import calendar_changed

        from .periods import forget_working_days

        # The figures' table of working-day numbers follows the official schedules.
        calendar_changed.connect(forget_working_days, dispatch_uid="reports.working_days")
