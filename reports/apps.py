from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from casework import task_reaper
        from casework.signals import calendar_changed

        from . import exports, subject_access  # noqa: F401  (subject_access adds its section to the worker's page)
        from .periods import forget_working_days
        from .summary import forget as forget_summary

        # A ZIP whose worker kept dying is failed on the export page, with a "try again".
        task_reaper.on_given_up(exports.build_export_job.module_path, exports.job_given_up)

        # The figures' table of working-day numbers follows the official schedules.
        calendar_changed.connect(forget_working_days, dispatch_uid="reports.working_days")
        # …and so do the precomputed histograms: rebuilt by the next refresh.
        calendar_changed.connect(forget_summary, dispatch_uid="reports.figures_summary")
