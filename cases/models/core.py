"""The case core that every kind shares: one indexed table for queues and files."""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from casework.models import Office, Station

from .states import FINISHED_STATES, Kind, Outcome, State, state_family
from .workers import Worker

REOPEN_WINDOW_DAYS = 90

# Each kind's own model, filled in as the kinds load: the wage dispute by
# `cases.models`, hardship aid and medical cards by the assistance app.
KIND_MODELS: dict[str, type[models.Model]] = {}


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Channel(models.TextChoices):
    """Where a case came in (the figures count cases by it)."""

    STATION = "station", _("service station")
    HOTLINE = "hotline", _("hotline 12351")
    DESK = "desk", _("office desk")
    ONLINE = "online", _("online")
    REFERRAL = "referral", _("referral")


def intake_channel_errors(channel: str, station: Station | None, office: Office) -> dict:
    """What is wrong with where a new case says it came in, by field (empty: nothing).

    A case that came in at a station names it, and the station is one of the
    case's office or of an office under it. A case that came in online may name
    the station whose QR code the worker scanned.
    """
    if channel == Channel.STATION and station is None:
        return {"station": _("Choose the station where the case came in.")}
    if station is None:
        return {}
    if channel not in (Channel.STATION, Channel.ONLINE):
        return {"station": _("Name a station only for a case that came in at one.")}
    if station.office_id not in office.subtree_ids():
        return {
            "station": _(
                "%(station)s belongs to %(station_office)s, not to %(office)s or an office "
                "under it."
            )
            % {"station": station.name, "station_office": station.office, "office": office}
        }
    return {}


QUEUE_FILTERS = ["office_id", "assignee_id", "state"]


# How many matching cases a search lists by id before it falls back to a filter.
SEARCH_CANDIDATES = 2000


def sort_indexes(prefix: str, condition: Q | None = None) -> list[models.Index]:
    filters = [models.F(name) for name in QUEUE_FILTERS]
    return [
        models.Index(
            *[models.F(name) for name in keys],
            *filters,
            name=f"{prefix}_{label}",
            condition=condition,
        )
        for label, keys in [
            ("opened", ["opened_at", "id"]),
            ("due", ["due_on", "id"]),
            # The number is unique; the id makes the page's keys an index-only walk.
            ("number_id", ["number", "id"]),
        ]
    ] + [
        models.Index(
            models.F("finished_at").desc(),
            models.F("id").desc(),
            *filters,
            name=f"{prefix}_finished",
            condition=condition,
        )
    ]


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state__in=FINISHED_STATES)

    def finished(self):
        return self.filter(state__in=FINISHED_STATES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_within(self, days: int, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days))

    def intake_queue(self, office_id: int):
        """New and returned cases of an office that nobody has taken."""
        return self.open().filter(office_id=office_id, assignee__isnull=True)

    def visible_to(self, user):
        """The cases a user may see at all; anything else answers 404."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        # An administrator without a role sees no case: least privilege (issue 16).
        query = Q(pk__in=[])
        if user.is_supervisor:
            query |= Q(office_id__in=user.supervised_office_ids)
        if user.is_caseworker:
            intake = Q(office_id=user.office_id, assignee__isnull=True) & ~Q(
                state__in=FINISHED_STATES
            )
            query |= Q(assignee=user) | intake
        if user.is_auditor:
            query |= Q(state__in=FINISHED_STATES)
        return self.filter(query)

    def search(self, text: str):
        """Cases whose number, worker (name, phone, ID number) or counterparty (name,
        credit code) matches the text.

        The matching cases are looked up first, each way through its own index, as one
        UNION of case ids (one query, run here). Up to SEARCH_CANDIDATES of them, the
        search is a list of ids, which the page then sorts and pages: at 1M cases the
        same test as an OR over three subqueries made PostgreSQL walk every visible
        case in the page's order (1-2 s for an auditor). A text that matches more
        (a common surname) keeps the OR: its matches are frequent enough that the walk
        finds a page of them soon."""
        text = text.strip()
        if not text:
            return self
        # The wage models are defined on top of this module: found by name, not imported.
        Counterparty = apps.get_model("cases", "Counterparty")
        DisputeCounterparty = apps.get_model("cases", "DisputeCounterparty")
        by_number = Case.objects.filter(number__icontains=text).values_list("pk")
        by_worker = CaseWorker.objects.filter(worker__in=Worker.objects.search(text)).values_list(
            "case_id"
        )
        by_counterparty = DisputeCounterparty.objects.filter(
            counterparty__in=Counterparty.objects.filter(
                Q(name__icontains=text) | Q(credit_code__icontains=text)
            )
        ).values_list("dispute_id")
        # No part, nor the union (by Case's Meta.ordering), may have an ORDER BY.
        parts = [part.order_by() for part in (by_number, by_worker, by_counterparty)]
        found = parts[0].union(*parts[1:]).order_by()
        found = found[: SEARCH_CANDIDATES + 1]
        ids = [pk for (pk,) in found]
        if len(ids) <= SEARCH_CANDIDATES:
            return self.filter(pk__in=ids)
        return self.filter(Q(pk__in=by_number) | Q(pk__in=by_worker) | Q(pk__in=by_counterparty))

    def for_list(self):
        return self.select_related("office", "assignee").prefetch_related(
            models.Prefetch("case_workers", queryset=CaseWorker.objects.select_related("worker"))
        )


class Case(FSMModelMixin, models.Model):
    """What every kind of case shares. Each kind extends it (multi-table
    inheritance) with its own fields and declares its own transitions on
    `state`, which nothing may assign directly."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices, editable=False)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    state = FSMField(_("state"), default=State.INTAKE, choices=State.choices, protected=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome details"), blank=True)
    # The nearest legal deadline of an open case, kept here so that every queue
    # can show and filter it from this one table.
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    workers = models.ManyToManyField(Worker, through="CaseWorker", related_name="cases")
    # The worker who applied (the first named, for a collective wage dispute):
    # lets the database hold "one open application per worker" for a kind.
    applicant = models.ForeignKey(
        Worker,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
    )
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    # Where the case came in; blank for cases opened before it was recorded.
    channel = models.CharField(
        _("came in by"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        default="",
        db_default="",  # so that the benchmarks' bulk fillers need not name it
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Retention (PIPL Art. 19, 47): an auditor's hold keeps a finished case from being
    # anonymised; anonymised_at is when its personal data was replaced.
    audit_hold = models.BooleanField(_("audit hold"), default=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "applicant"],
                condition=Q(kind__in=["HA", "MC"]) & ~Q(state__in=FINISHED_STATES),
                name="one_open_application_per_worker",
                violation_error_message=_(
                    "This worker already has an open application of this kind."
                ),
            ),
            # A station is named only for a case that came in at one (older cases
            # that came in at a station may not name it), or online through its QR code.
            models.CheckConstraint(
                condition=Q(station__isnull=True)
                | Q(channel__in=[Channel.STATION, Channel.ONLINE]),
                name="case_station_only_for_station_or_online",
                violation_error_message=_("Name a station only for a case that came in at one."),
            ),
        ]
        indexes = [
            models.Index(fields=["office", "state"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["due_on"]),
            models.Index(fields=["kind", "finished_at"]),
            # The cases changed since the figures' last refresh (reports.summary), and
            # the figures' open cases past a clock by kind, from the index alone.
            models.Index(fields=["updated_at"], name="case_updated_at"),
            models.Index(
                fields=["due_on", "kind", "id"],
                condition=~Q(state__in=FINISHED_STATES),
                name="case_open_due_kind",
            ),
            # The figures (reports.figures) count cases opened and finished in a
            # period by kind and office: read from these indexes alone.
            # (Key columns rather than INCLUDE, which SQLite does not know.)
            models.Index(
                fields=["opened_at", "kind", "office", "station"], name="case_figures_opened"
            ),
            models.Index(
                fields=["finished_at", "kind", "office", "state", "opened_at"],
                name="case_figures_finished",
            ),
            # One index per queue sort (cases.filters.SORTS), both directions, carrying
            # the columns the queues filter on, so that a page's keys come from the
            # index alone however deep the page: over all cases (the "all" view), over
            # the open ones (the open views, a tenth of the rows) and over the
            # finished ones (the finished view: in an index over all cases the open
            # cases, the newest and the unfinished, would come first in its sorts and
            # be walked past on every page).
            *sort_indexes("case_all"),
            *sort_indexes("case_open", ~Q(state__in=FINISHED_STATES)),
            *sort_indexes("case_done", Q(state__in=FINISHED_STATES)),
            # The approval queue (assistance.views.approvals): the cases waiting for a
            # supervisor's decision, oldest first, by office.
            models.Index(
                fields=["state_changed_at", "id", "office", "kind"],
                condition=Q(kind=Kind.HARDSHIP_AID, state=State.RECOMMENDED)
                | Q(kind=Kind.MEDICAL_CARD, state=State.VERIFIED),
                name="case_awaiting_approval",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:case", args=[self.number])

    @property
    def channel_label(self) -> str:
        """Where the case came in, in words ("not recorded" for older cases)."""
        if not self.channel:
            return str(_("not recorded"))
        label = self.get_channel_display()
        if self.channel in (Channel.STATION, Channel.ONLINE) and self.station_id:
            return f"{label} · {self.station.name}"
        return label

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def state_family(self) -> str:
        if not self.is_finished and self.due_on and self.due_on < timezone.localdate():
            return "overdue"
        return state_family(self.state)

    @property
    def days_left(self) -> int | None:
        if self.due_on is None or self.is_finished:
            return None
        return (self.due_on - timezone.localdate()).days

    @property
    def overdue_days(self) -> int:
        days = self.days_left
        return -days if days is not None and days < 0 else 0

    def specific(self, *related: str):
        """This case as its own kind (a WageDispute, …), read with the foreign keys
        named in `related` (when it has to be read)."""
        model = KIND_MODELS[self.kind]
        if isinstance(self, model):
            return self
        # (select_related() without names would follow every foreign key.)
        cases = model.objects.select_related(*related) if related else model.objects
        return cases.get(pk=self.pk)

    def worker_links(self) -> list["CaseWorker"]:
        """The workers named on the case, each link with its worker, in the order named."""
        return list(related_rows(self, "case_workers", "worker"))

    def can_reopen(self) -> bool:
        return bool(
            self.finished_at
            and timezone.now() - self.finished_at <= datetime.timedelta(days=REOPEN_WINDOW_DAYS)
        )

    can_reopen.message = _("A case can be reopened only within 90 days of finishing.")

    def mark_finished(self, outcome: str, note: str = "") -> None:
        self.finished_at = timezone.now()
        self.outcome = outcome
        self.outcome_note = note

    def mark_reopened(self) -> None:
        self.finished_at = None
        self.outcome = ""
        self.outcome_note = ""


def is_prefetched(instance: models.Model, name: str) -> bool:
    """Whether `instance`'s relation `name` was read already (`prefetch_related`)."""
    return name in getattr(instance, "_prefetched_objects_cache", {})


def related_rows(instance: models.Model, name: str, *select_related: str) -> models.QuerySet:
    """The rows of `instance`'s reverse relation `name`: the prefetched ones when a page
    read them already (the case page reads each relation once for all its sections,
    cases.views.render_case), else a query that follows `select_related`."""
    manager = getattr(instance, name)
    if is_prefetched(instance, name):
        return manager.all()
    return manager.select_related(*select_related)


class CaseWorker(models.Model):
    """A worker named on a case. For wage disputes each carries their own claim."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_workers")
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="case_links"
    )
    amount_claimed = models.DecimalField(
        _("amount claimed"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_agreed = models.DecimalField(
        _("amount agreed"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "worker"], name="unique_case_worker")
        ]

    def __str__(self):
        return f"{self.case} · {self.worker}"


class CaseCounter(models.Model):
    """The last number given per kind and year; locked while a case is opened,
    so numbers are gapless (a rolled-back opening rolls back its number)."""

    kind = models.CharField(max_length=2, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="unique_counter_kind_year")
        ]

    def __str__(self):
        return f"{self.kind}-{self.year}: {self.last}"


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.case} · {self.created_at:%Y-%m-%d}"


class Contact(models.Model):
    class Channel(models.TextChoices):
        CALL = "call", _("phone call")
        VISIT = "visit", _("visit")
        MESSAGE = "message", _("message")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("contact by"), max_length=10, choices=Channel.choices)
    with_whom = models.CharField(_("with whom"), max_length=100)
    occurred_at = models.DateTimeField(_("time of contact"))
    summary = models.TextField(_("what was said"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"{self.case} · {self.get_channel_display()} · {self.with_whom}"


def document_path(instance, filename: str) -> str:
    # The stored name carries no part of the uploaded name.
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[instance.content_type]
    return f"cases/{instance.case_id}/{instance.sha256[:16]}-{timezone.now():%Y%m%d%H%M%S}.{ext}"


class Document(models.Model):
    class Type(models.TextChoices):
        EVIDENCE = "evidence", _("evidence")
        AGREEMENT = "agreement", _("signed agreement")
        RECEIPT = "receipt", _("receipt")
        CONSENT = "consent", _("consent form")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=20, choices=Type.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title


def supervises(case: Case, user) -> bool:
    """A supervisor acts on the cases of their office and the offices under it."""
    return user.is_supervisor and case.office_id in user.supervised_office_ids


def caseworker_step(case: Case, user) -> bool:
    """A caseworker's step: the assigned caseworker, or a supervisor of the office."""
    return (user.is_caseworker and case.assignee_id == user.pk) or supervises(case, user)


def supervisor_step(case: Case, user) -> bool:
    return supervises(case, user)


# Steps every kind has, declared once: each kind calls these with its own open states.


def withdraw_transition(open_states):
    @transition(
        field="state",
        source=list(open_states),
        target=State.WITHDRAWN,
        permission=caseworker_step,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self, *, reason: str):
        self.mark_finished(Outcome.WITHDRAWN, reason)

    return withdraw


def reopen_transition(open_states):
    @transition(
        field="state",
        source=FINISHED_STATES,
        target=RETURN_VALUE(*open_states),
        conditions=[Case.can_reopen],
        permission=supervisor_step,
        custom={"label": _("Reopen")},
    )
    def reopen(self, *, back_to: str) -> str:
        self.mark_reopened()
        return back_to

    return reopen
