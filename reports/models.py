"""What the reports app keeps: the export jobs built in the background, and the
retention periods."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Kind, Outcome


class ExportJob(models.Model):
    """An export built in the background rather than streamed to the browser:
    the bundle of case-file PDFs (a ZIP with a manifest) for a selection of
    finished cases. The page shows `done` of `total` while it runs and a
    download link once it is `done`.

    `reports.exports` starts, advances and finishes jobs and writes their audit
    entries (started with the filters and count, finished with the SHA-256);
    the task that builds the file is registered with Django's tasks framework
    and run by `manage.py db_worker`.

    A build that fails for a passing reason (the database, the disk) is queued
    again after a pause, up to EXPORT_MAX_ATTEMPTS `attempts`; then, or at once
    for any other failure, the job is `failed` with a `reason` the auditor is
    shown (and `error`, the exception's text, for the administrator) and can be
    tried again from the export page.
    """

    class Reason(models.TextChoices):
        DISK_FULL = "disk_full", _("The disk is full: the ZIP could not be written.")
        STORAGE = "storage", _("The export folder cannot be written to.")
        DATABASE = "database", _("The database stopped answering while the ZIP was built.")
        WORKER_LOST = "worker_lost", _("The task worker stopped each time it built the ZIP.")
        ERROR = "error", _("The ZIP could not be built.")

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
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    # Builds begun: the latest may publish the file, an earlier one still running may not.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

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


class RetentionPeriod(models.Model):
    """How many years after finishing a case is kept before the retention run
    anonymises it (PIPL Art. 19, 47), for a kind of case and, when `outcome` is
    set, only for cases that ended so. Reference data the administrator edits in
    the admin, each change in the audit log; where no row applies, the defaults
    of `reports.retention` hold (wage disputes 10 years, aid and cards 5).

    It lives here rather than in casework/ because its choices are the kinds and
    outcomes of cases/, which the base layer may not import.
    """

    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        blank=True,
        help_text=_("Leave empty for every outcome of this kind without a period of its own."),
    )
    years = models.PositiveSmallIntegerField(
        _("years kept after finishing"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["kind", "outcome"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "outcome"], name="one_retention_period")
        ]

    def __str__(self):
        what = self.get_kind_display()
        if self.outcome:
            what = f"{what} · {self.get_outcome_display()}"
        return f"{what}: {self.years}"


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
