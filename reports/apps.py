from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from casework.models import HolidaySchedule

        from .periods import forget_working_days

        # The figures' table of working-day numbers follows the official schedules.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_working_days, sender=HolidaySchedule, dispatch_uid=f"figures_{signal}"
            )
