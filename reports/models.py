"""What the reports app keeps: the export jobs built in the background."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """An export built in the background rather than streamed to the browser:
    the bundle of case-file PDFs (a ZIP with a manifest) for a selection of
    finished cases. The page shows `done` of `total` while it runs and a
    download link once it is `done`.

    `reports.exports` starts, advances and finishes jobs and writes their audit
    entries (started with the filters and count, finished with the SHA-256);
    the task that builds the file is registered with Django's tasks framework
    and run by `manage.py db_worker`.
    """

    class Format(models.TextChoices):
        ZIP = "zip", _("case files (ZIP of PDFs)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The selection as `exports.Selection.as_dict()` wrote it: what the task builds.
    filters = models.JSONField(_("filters"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("cases"), default=0)
    done = models.PositiveIntegerField(_("cases done"), default=0)
    # Kept with the case documents, outside the web root; served only through
    # a view that checks the auditor's rights and logs the download.
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        # The table it had when it lived in casework: moved without copying a row.
        db_table = "casework_exportjob"
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.get_format_display()} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class WorkingDay(models.Model):
    """Each date with the number of working days up to and including it
    (`reports.periods.ensure_working_days` fills it from the holiday calendar), so
    that the figures count working days from intake to finish in the database."""

    day = models.DateField(primary_key=True)
    number = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("working day number")
        verbose_name_plural = _("working day numbers")

    def __str__(self):
        return f"{self.day}: {self.number}"
