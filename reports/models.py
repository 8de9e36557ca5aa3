"""What the reports app keeps: the export jobs built in the background, and the
retention periods."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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


# --- the precomputed figures (reports.summary; `manage.py refresh_figures`) ------------------
#
# Plain integer columns rather than foreign keys: the rows are rebuilt from the case
# tables by bulk INSERT … SELECT and read only by the figures, so the database need
# not check them (a case is never deleted while the summary counts it, and a full
# refresh rebuilds every row).


class FigureState(models.Model):
    """The one row that says how fresh the precomputed figures are.

    `as_of`: the moment the latest refresh began (every change committed before it
    is counted); `refreshed_at`: when it ended; `full_at`: the last full rebuild.
    `needs_full`: the working-day numbers changed (a holiday schedule), so the next
    refresh rebuilds everything and the page counts live until then.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    as_of = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    full_at = models.DateTimeField(null=True)
    needs_full = models.BooleanField(default=True)
    cases_refreshed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("figures' summary state")
        verbose_name_plural = _("figures' summary state")

    def __str__(self):
        return f"figures as of {self.as_of}"


class FigureCase(models.Model):
    """One row per case: the local dates each figure counts it on, and its amounts."""

    case_id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=2)
    office_id = models.BigIntegerField()
    station_id = models.BigIntegerField(null=True)
    opened_on = models.DateField()
    finished_on = models.DateField(null=True)  # finished (a finishing state) that day
    working_days = models.IntegerField(null=True)  # from intake to finish, never below 0
    approved_on = models.DateField(null=True)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    disbursed_on = models.DateField(null=True)
    disbursed_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    card_from = models.DateField(null=True)  # an issued card's first day
    card_to = models.DateField(null=True)  # its last, when it can be in force at all

    class Meta:
        indexes = [models.Index(fields=["office_id"], name="figure_case_office")]

    def __str__(self):
        return f"{self.case_id}"


class FigureDay(models.Model):
    """The additive figures, summed per local day, office, kind, station and
    occupation group. `station_id` 0: every station (and none); `occupation` "": every
    group. A case counts once in each row that describes it: once with 0 and "",
    once with its station, once with each occupation group among its workers.
    `working_days` is set on the rows of cases finished (their histogram).

    Several rows may share a key: a refresh adds rows that take away what changed
    cases counted before and rows that add what they count now; the page sums.
    A full refresh rebuilds the table with one row per key and measure.
    """

    day = models.DateField()
    office_id = models.BigIntegerField()
    kind = models.CharField(max_length=2)
    station_id = models.BigIntegerField(default=0)
    occupation = models.CharField(max_length=20, default="", blank=True)
    working_days = models.IntegerField(null=True)
    opened = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    aid_approved = models.IntegerField(default=0)
    aid_approved_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    aid_disbursed = models.IntegerField(default=0)
    aid_disbursed_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    cards_issued = models.IntegerField(default=0)
    cards_start = models.IntegerField(default=0)  # cards that can be in force, by first day
    cards_ended = models.IntegerField(default=0)  # the same, by last day

    class Meta:
        indexes = [
            # Read from the index alone on PostgreSQL (SQLite ignores `include`).
            models.Index(
                fields=["station_id", "occupation", "day", "kind", "office_id"],
                include=[
                    "working_days",
                    "opened",
                    "finished",
                    "aid_approved",
                    "aid_approved_amount",
                    "aid_disbursed",
                    "aid_disbursed_amount",
                    "cards_issued",
                ],
                name="figure_day_grain",
            ),
            models.Index(
                fields=["station_id", "occupation", "kind", "day", "office_id"],
                include=["cards_start", "cards_ended"],
                condition=~Q(cards_start=0) | ~Q(cards_ended=0),
                name="figure_day_cards",
            ),
        ]

    def __str__(self):
        return f"{self.day} · {self.office_id} · {self.kind}"


class FigureWorker(models.Model):
    """One row per worker named on a case: the distinct counts of workers (helped:
    their case finished in the period; by occupation group: opened in it)."""

    case_id = models.BigIntegerField()
    worker_id = models.BigIntegerField()
    occupation = models.CharField(max_length=20)
    office_id = models.BigIntegerField()
    kind = models.CharField(max_length=2)
    station_id = models.BigIntegerField(null=True)
    opened_on = models.DateField()
    finished_on = models.DateField(null=True)
    # The same worker's case before this one, by the day opened and by the day
    # finished (a tie: by row): a worker counts once in a period, on the first of
    # their rows in it, the one whose previous day is before the period (or none).
    prev_opened_on = models.DateField(null=True)
    prev_finished_on = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["case_id"], name="figure_worker_case"),
            models.Index(fields=["worker_id"], name="figure_worker_worker"),
            models.Index(
                fields=[
                    "finished_on",
                    "office_id",
                    "kind",
                    "station_id",
                    "occupation",
                    "worker_id",
                ],
                include=["prev_finished_on"],
                condition=Q(finished_on__isnull=False),
                name="figure_worker_finished",
            ),
            models.Index(
                fields=[
                    "opened_on",
                    "office_id",
                    "kind",
                    "station_id",
                    "occupation",
                    "case_id",
                    "worker_id",
                ],
                include=["prev_opened_on"],
                name="figure_worker_opened",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} · {self.worker_id}"


class FigurePayment(models.Model):
    """One row per payment received and not voided: workers paid and the amount."""

    payment_id = models.BigIntegerField(primary_key=True)
    case_id = models.BigIntegerField()
    worker_id = models.BigIntegerField()
    occupation = models.CharField(max_length=20)
    office_id = models.BigIntegerField()
    station_id = models.BigIntegerField(null=True)
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    prev_paid_on = models.DateField(null=True)  # the worker's payment before (FigureWorker)

    class Meta:
        indexes = [
            models.Index(fields=["case_id"], name="figure_payment_case"),
            models.Index(fields=["worker_id"], name="figure_payment_worker"),
            models.Index(
                fields=["paid_on", "office_id", "station_id", "occupation", "worker_id", "amount"],
                include=["prev_paid_on"],
                name="figure_payment_paid",
            ),
        ]

    def __str__(self):
        return f"{self.payment_id}"


class FigureDispute(models.Model):
    """One row per counterparty of a wage dispute: the repeat offenders' ranking."""

    link_id = models.BigIntegerField(primary_key=True)
    case_id = models.BigIntegerField()
    counterparty = models.ForeignKey(
        "cases.Counterparty",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # figure_dispute_counterparty
        related_name="+",
    )
    office_id = models.BigIntegerField()
    station_id = models.BigIntegerField(null=True)
    opened_at = models.DateTimeField()
    finished_at = models.DateTimeField()  # summary.NEVER while not finished
    is_finished = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["case_id"], name="figure_dispute_case"),
            models.Index(
                fields=["finished_at", "opened_at"],
                include=["office_id", "station_id", "counterparty", "is_finished"],
                name="figure_dispute_active",
            ),
            models.Index(
                fields=["counterparty", "finished_at", "opened_at"],
                include=["office_id", "station_id", "case_id"],
                name="figure_dispute_counterparty",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} · {self.counterparty_id}"
