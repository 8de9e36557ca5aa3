"""Wage disputes (欠薪/劳动报酬争议): intake to closure, with money recovered to the fen."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from casework.money import format_yuan
from casework.periods import Deadline, period_end
from casework.transitions import condition

from .core import (
    Case,
    CaseWorker,
    caseworker_step,
    is_prefetched,
    reopen_transition,
    supervisor_step,
    withdraw_transition,
)
from .states import FINISHED_STATES, Outcome, State
from .workers import Worker

MEDIATION_DAYS = 15  # LDMAL Art. 14
OPEN_STATES = [
    State.INTAKE,
    State.ACCEPTED,
    State.INVESTIGATING,
    State.MEDIATING,
    State.AGREEMENT,
    State.PERFORMED,
    State.MEDIATION_FAILED,
    State.REFERRED,
]
BEFORE_AGREEMENT = (State.INTAKE, State.ACCEPTED, State.INVESTIGATING, State.MEDIATING)
PAYMENT_STATES = (State.MEDIATING, State.AGREEMENT, State.REFERRED)
VOID_STATES = (*PAYMENT_STATES, State.PERFORMED)
# What `update_dispute` may change: the application's particulars at any open
# state, the agreement terms only before the agreement is recorded.
# (In the order the intake form shows them.)
PARTICULAR_FIELDS = (
    "received_at",
    "channel",
    "station",
    "matters",
    "reasons",
    "relationship",
    "period_from",
    "period_to",
    "unpaid_from",
    "unpaid_to",
    "priority",
)
AGREEMENT_FIELDS = ("agreement_result", "performance_deadline", "performance_method")


class Counterparty(models.Model):
    """A platform, station or franchisee, dispatch firm or employer."""

    class Type(models.TextChoices):
        PLATFORM = "platform", _("platform")
        STATION = "station", _("station or franchisee")
        DISPATCH = "dispatch", _("labour dispatch firm")
        EMPLOYER = "employer", _("employer")
        HOUSEHOLD = "household", _("household")

    name = models.CharField(_("counterparty name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("counterparty")
        verbose_name_plural = _("counterparties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="unique_counterparty_credit_code",
            )
        ]

    def __str__(self):
        return self.name


class Relationship(models.TextChoices):
    """人社部发〔2021〕56号 (DOMAIN.md R11)."""

    LABOUR = "labour", _("labour relationship")
    NOT_FULLY = "not_fully", _("not fully a labour relationship")
    CIVIL = "civil", _("civil cooperation")


class Forum(models.TextChoices):
    ARBITRATION = "arbitration", _("labour arbitration")
    COURT = "court", _("court (lawsuit or payment order)")


def _outstanding_message(dispute: "WageDispute") -> list[str]:
    return [
        _("%(name)s has received %(paid)s of %(agreed)s agreed.")
        % {"name": cw.worker.name, "paid": format_yuan(paid), "agreed": format_yuan(agreed)}
        for cw, agreed, paid in dispute.claims()
        if paid < agreed
    ]


class WageDispute(Case):
    matters = models.TextField(_("matters in dispute"))
    reasons = models.TextField(_("facts and reasons"))
    received_at = models.DateTimeField(_("application received"))
    relationship = models.CharField(
        _("relationship type"), max_length=20, choices=Relationship.choices
    )
    period_from = models.DateField(_("worked from"), null=True, blank=True)
    period_to = models.DateField(
        _("worked until"), null=True, blank=True, help_text=_("Leave empty if still working.")
    )
    unpaid_from = models.DateField(_("unpaid from"), null=True, blank=True)
    unpaid_to = models.DateField(_("unpaid until"), null=True, blank=True)
    counterparties = models.ManyToManyField(
        Counterparty, through="DisputeCounterparty", related_name="disputes"
    )

    # Clocks (DOMAIN.md R2, R5), recomputed by `refresh_clocks`.
    mediation_deadline = models.DateField(_("mediation period ends"), null=True, blank=True)
    mediation_deadline_provisional = models.BooleanField(default=False)
    limitation_date = models.DateField(_("limitation period ends"), null=True, blank=True)
    limitation_provisional = models.BooleanField(default=False)

    # The mediation agreement (R3): parties and claims come from the workers
    # and counterparties; the rest is typed while mediating.
    agreement_result = models.TextField(_("agreed result"), blank=True)
    performance_deadline = models.DateField(_("perform by"), null=True, blank=True)
    performance_method = models.CharField(_("method of performance"), max_length=200, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)

    referral_forum = models.CharField(
        _("referred to"), max_length=20, choices=Forum.choices, blank=True
    )
    referral_body = models.CharField(
        _("arbitration commission or court"), max_length=100, blank=True
    )
    referral_date = models.DateField(_("referral date"), null=True, blank=True)

    class Meta:
        verbose_name = _("wage dispute")
        verbose_name_plural = _("wage disputes")

    # --- money -------------------------------------------------------------

    def claims(self) -> list[tuple[CaseWorker, Decimal, Decimal]]:
        """Each worker's claim link, amount agreed and amount recovered."""
        paid = self.paid_by_worker()
        return [
            (cw, cw.amount_agreed or Decimal("0"), paid.get(cw.worker_id, Decimal("0")))
            for cw in self.worker_links()
        ]

    def paid_by_worker(self) -> dict[int, Decimal]:
        """What each worker who received anything has received (voided payments aside)."""
        if is_prefetched(self, "payments"):
            # The case page has read every payment already: add them up here.
            paid: dict[int, Decimal] = {}
            for payment in self.payments.all():
                if not payment.is_void:
                    worker = payment.worker_id
                    paid[worker] = paid.get(worker, Decimal("0")) + payment.amount
            return paid
        return dict(
            self.payments.valid()
            .values("worker_id")
            .annotate(total=Sum("amount"))
            .values_list("worker_id", "total")
        )

    def totals(self, claims=None) -> dict[str, Decimal]:
        """Sums over the workers; pass `claims()` if already read, to spare its queries."""
        claimed = agreed = recovered = outstanding = Decimal("0")
        for cw, amount_agreed, paid in self.claims() if claims is None else claims:
            claimed += cw.amount_claimed or 0
            agreed += amount_agreed
            recovered += paid
            # Per worker: one worker's overpayment does not pay another's claim.
            outstanding += max(amount_agreed - paid, Decimal("0"))
        return {
            "claimed": claimed,
            "agreed": agreed,
            "recovered": recovered,
            "outstanding": outstanding,
        }

    # --- conditions ----------------------------------------------------------

    def agreement_missing(self) -> list[str]:
        """What the mediation agreement still lacks (R3): empty when complete."""
        missing = []
        # exists() answers from the rows when the page has read them (prefetched).
        if not self.counterparty_links.exists():
            missing.append(_("the other party (a counterparty)"))
        links = self.worker_links()
        if any(cw.amount_claimed is None for cw in links):
            missing.append(_("the amount claimed for every worker"))
        if any(cw.amount_agreed is None for cw in links):
            missing.append(_("the amount agreed for every worker"))
        if not self.agreement_result.strip():
            missing.append(_("the agreed result"))
        if self.performance_deadline is None:
            missing.append(_("the deadline of performance"))
        if not self.performance_method.strip():
            missing.append(_("the method of performance"))
        return missing

    @condition(_("Record the counterparty (the other side) before mediation."))
    def has_counterparty(self) -> bool:
        return self.counterparty_links.exists()

    @condition(
        lambda self: [
            _("The agreement lacks %(item)s.") % {"item": m} for m in self.agreement_missing()
        ]
    )
    def agreement_complete(self) -> bool:
        return not self.agreement_missing()

    @condition(_outstanding_message)
    def fully_paid(self) -> bool:
        return all(paid >= agreed for _cw, agreed, paid in self.claims())

    # --- transitions (fields only; services do the rest) ----------------------

    @transition(
        field="state",
        source=State.INTAKE,
        target=State.ACCEPTED,
        permission=caseworker_step,
        custom={"label": _("Accept")},
    )
    def accept(self):
        pass

    @transition(
        field="state",
        source=State.INTAKE,
        target=State.DECLINED,
        permission=caseworker_step,
        custom={"label": _("Decline")},
    )
    def decline(self, *, reason: str):
        self.mark_finished(Outcome.DECLINED, reason)

    @transition(
        field="state",
        source=State.ACCEPTED,
        target=State.INVESTIGATING,
        permission=caseworker_step,
        custom={"label": _("Start investigating")},
    )
    def investigate(self):
        pass

    @transition(
        field="state",
        source=[State.ACCEPTED, State.INVESTIGATING],
        target=State.MEDIATING,
        conditions=[has_counterparty],
        permission=caseworker_step,
        custom={"label": _("Start mediation")},
    )
    def start_mediation(self):
        pass

    @transition(
        field="state",
        source=State.MEDIATING,
        target=State.AGREEMENT,
        conditions=[agreement_complete],
        permission=caseworker_step,
        custom={"label": _("Record agreement")},
    )
    def record_agreement(self, *, signed_on):
        self.agreement_signed_on = signed_on

    @transition(
        field="state",
        source=State.MEDIATING,
        target=State.MEDIATION_FAILED,
        permission=caseworker_step,
        custom={"label": _("Mediation failed")},
    )
    def mark_failed(self):
        pass

    @transition(
        field="state",
        source=State.AGREEMENT,
        target=State.PERFORMED,
        conditions=[fully_paid],
        permission=caseworker_step,
        custom={"label": _("Mark performed")},
    )
    def mark_performed(self):
        pass

    @transition(
        field="state",
        source=State.PERFORMED,
        target=State.AGREEMENT,
        permission=caseworker_step,
        custom={"label": _("Payment reversed"), "automatic": True},
    )
    def payment_reversed(self):
        """A payment voided after performance: the agreement awaits payment again."""

    @transition(
        field="state",
        source=[State.MEDIATION_FAILED, State.AGREEMENT],
        target=State.REFERRED,
        permission=caseworker_step,
        custom={"label": _("Refer to arbitration or court")},
    )
    def refer(self, *, forum: str, body: str, on):
        self.referral_forum, self.referral_body, self.referral_date = forum, body, on

    @transition(
        field="state",
        source=[State.PERFORMED, State.REFERRED],
        target=State.CLOSED,
        permission=caseworker_step,
        custom={"label": _("Close")},
    )
    def close(self, *, outcome_note: str = ""):
        outcome = Outcome.PERFORMED if self.state == State.PERFORMED else Outcome.REFERRAL
        self.mark_finished(outcome, outcome_note)

    @condition(_("Everything agreed has been paid: mark the agreement performed instead."))
    def has_shortfall(self) -> bool:
        return not self.fully_paid()

    @transition(
        field="state",
        source=State.AGREEMENT,
        target=State.CLOSED,
        conditions=[has_shortfall],
        permission=supervisor_step,
        custom={"label": _("Close with a shortfall")},
    )
    def close_with_shortfall(self, *, reason: str):
        self.mark_finished(Outcome.SHORTFALL, reason)

    withdraw = withdraw_transition(OPEN_STATES)
    reopen = reopen_transition(OPEN_STATES)

    # --- clocks ----------------------------------------------------------------

    def limitation_start(self):
        """When the limitation period (R5) starts running, or None while it is not.

        For a labour relationship (and, conservatively, one not fully so) unpaid
        wages during employment run from the end of employment; civil claims run
        from the last unpaid day, or failing that from the application.
        """
        if self.relationship == Relationship.CIVIL:
            return self.unpaid_to or timezone.localdate(self.received_at)
        return self.period_to

    def refresh_clocks(self, schedules=None) -> None:
        """Recompute the mediation and limitation dates and the case's due date."""
        received = timezone.localdate(self.received_at)
        mediation = period_end(received, days=MEDIATION_DAYS, schedules=schedules)
        self.mediation_deadline = mediation.date
        self.mediation_deadline_provisional = mediation.provisional

        limitation = None
        start = self.limitation_start()
        if start is not None:
            interrupted = self.limitation_events.aggregate(last=Max("occurred_on"))["last"]
            base = max(start, interrupted) if interrupted else start
            years = 3 if self.relationship == Relationship.CIVIL else 1
            limitation = period_end(base, years=years, schedules=schedules)
        self.limitation_date = limitation.date if limitation else None
        self.limitation_provisional = limitation.provisional if limitation else False

        clocks: list[Deadline] = []
        if self.state in BEFORE_AGREEMENT:
            clocks.append(mediation)
        if self.state == State.AGREEMENT and self.performance_deadline:
            # A missed performance date leads to referral (R4).
            clocks.append(Deadline(self.performance_deadline, False))
        if limitation and self.state not in (*FINISHED_STATES, State.PERFORMED):
            clocks.append(limitation)
        due = min(clocks, key=lambda d: d.date) if clocks else None
        self.due_on = due.date if due else None
        self.due_provisional = due.provisional if due else False

    @property
    def performance_overdue(self) -> bool:
        return bool(
            self.state == State.AGREEMENT
            and self.performance_deadline
            and timezone.localdate() > self.performance_deadline
            and not self.fully_paid()
        )

    @property
    def mediation_expired(self) -> bool:
        return bool(
            self.state == State.MEDIATING
            and self.mediation_deadline
            and timezone.localdate() > self.mediation_deadline
        )

    @property
    def limitation_days_left(self) -> int | None:
        if self.limitation_date is None or self.is_finished:
            return None
        return (self.limitation_date - timezone.localdate()).days


class DisputeCounterparty(models.Model):
    """One link of the counterparty chain (platform → station → dispatch firm)."""

    dispute = models.ForeignKey(
        WageDispute, on_delete=models.CASCADE, related_name="counterparty_links"
    )
    counterparty = models.ForeignKey(
        Counterparty, verbose_name=_("counterparty"), on_delete=models.PROTECT
    )
    role = models.CharField(
        _("role in the chain"), max_length=20, choices=Counterparty.Type.choices
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "counterparty"], name="unique_dispute_counterparty"
            )
        ]

    def __str__(self):
        return f"{self.dispute} · {self.counterparty}"


class PaymentQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(voided_at__isnull=True)


class Payment(models.Model):
    """Money a worker actually received. Never edited or deleted: a mistaken
    entry is voided with a reason and stays on the record."""

    class Method(models.TextChoices):
        BANK = "bank", _("bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")

    dispute = models.ForeignKey(WageDispute, on_delete=models.PROTECT, related_name="payments")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT)
    paid_on = models.DateField(_("date received"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]
        indexes = [
            # The figures' payments received in a period (reports.figures).
            models.Index(
                fields=["paid_on", "dispute", "worker", "amount"],
                condition=Q(voided_at__isnull=True),
                name="payment_figures_paid_on",
            )
        ]

    def __str__(self):
        return f"{self.dispute} · {self.worker} · {self.amount}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class MediationSession(models.Model):
    dispute = models.ForeignKey(WageDispute, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    attendees = models.TextField(_("who attended"))
    result = models.TextField(_("result of the session"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.dispute} · {self.held_on}"


class LimitationEvent(models.Model):
    """Something that interrupts the limitation period and restarts it (R5)."""

    class Type(models.TextChoices):
        MEDIATION_APPLICATION = "mediation_application", _("application to a mediation body")
        CLAIM = "claim", _("claim made against the other side")
        AUTHORITY = "authority", _("request to the authorities")
        AGREED_TO_PAY = "agreed_to_pay", _("the other side agreed to pay")

    dispute = models.ForeignKey(
        WageDispute, on_delete=models.PROTECT, related_name="limitation_events"
    )
    type = models.CharField(_("interruption"), max_length=30, choices=Type.choices)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.dispute} · {self.get_type_display()} · {self.occurred_on}"
