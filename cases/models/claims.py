"""What a wage dispute claims, item by item, and the evidence asked of the employer.

R7 (DOMAIN.md; LDMAL Art. 47): an award item for wages, work-injury medical
costs, compensation or damages of at most 12 × the local monthly minimum wage
is final for the employer; the arbitration rules apply the test to each item.
Each `ClaimItem` is judged when it is saved and keeps the result with the
minimum-wage row it used, so a later rate never rewrites an earlier flag.

R8 (LDMAL Art. 6): evidence that the employer holds must be produced by the
employer. `EvidenceItem` is one line of the checklist of what to demand.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import reference
from casework.models import MinimumWage

from .wage import Relationship, WageDispute
from .workers import Occupation, Worker

FINAL_AWARD_MONTHS = 12  # LDMAL Art. 47


class ClaimType(models.TextChoices):
    WAGES = "wages", _("wages (labour remuneration)")
    INJURY_MEDICAL = "injury_medical", _("work-injury medical costs")
    COMPENSATION = "compensation", _("economic compensation")
    DAMAGES = "damages", _("damages")
    OTHER = "other", _("other claim")


# The kinds of claim Art. 47(1) names; an "other" claim is not tested.
FINAL_AWARD_TYPES = frozenset(
    {ClaimType.WAGES, ClaimType.INJURY_MEDICAL, ClaimType.COMPENSATION, ClaimType.DAMAGES}
)


class FinalAward(models.TextChoices):
    """What the R7 test said about one item, as stored when it was judged."""

    FINAL = "final", _("final award for the employer")
    NOT_FINAL = "not_final", _("not final (above 12 × the minimum wage)")
    UNKNOWN = "unknown", _("unknown: no minimum wage configured")
    NOT_APPLICABLE = "not_applicable", _("not tested (not a kind of claim Art. 47 names)")


class ClaimItem(models.Model):
    """One claimed item of one worker of a wage dispute."""

    dispute = models.ForeignKey(WageDispute, on_delete=models.CASCADE, related_name="claim_items")
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT)
    type = models.CharField(_("kind of claim"), max_length=20, choices=ClaimType.choices)
    amount = models.DecimalField(_("amount claimed"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)

    # The R7 test as made when the item was last saved (never recomputed by a rate change).
    final_award = models.CharField(
        _("final award for the employer"), max_length=20, choices=FinalAward.choices
    )
    minimum_wage = models.ForeignKey(
        MinimumWage,
        verbose_name=_("minimum wage used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_award_limit = models.DecimalField(
        _("12 × the minimum wage"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    judged_on = models.DateField(_("minimum wage in force on"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claim item")
        verbose_name_plural = _("claim items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_item_amount_positive")
        ]

    def __str__(self):
        return f"{self.dispute} · {self.worker} · {self.get_type_display()} · {self.amount}"

    @property
    def is_final(self) -> bool:
        return self.final_award == FinalAward.FINAL

    def judge(self, district, day: datetime.date) -> None:
        """Run the R7 test against the rate in force in `district` on `day`; fields only."""
        self.judged_on = day
        self.minimum_wage = None
        self.final_award_limit = None
        if self.type not in FINAL_AWARD_TYPES:
            self.final_award = FinalAward.NOT_APPLICABLE
            return
        row = reference.minimum_wage_on(district, day)
        if row is None:
            self.final_award = FinalAward.UNKNOWN
            return
        self.minimum_wage = row
        # Exact decimals, compared to the fen without rounding.
        self.final_award_limit = row.monthly_amount * FINAL_AWARD_MONTHS
        self.final_award = (
            FinalAward.FINAL if self.amount <= self.final_award_limit else FinalAward.NOT_FINAL
        )


def judging_day(dispute: WageDispute) -> datetime.date:
    """The day whose minimum wage judges a dispute's items: the application's date.

    The claims are those of the application, and its date is known when an item
    is entered and does not move as the case goes on (verify locally whether the
    arbitration commission uses the rate at the award instead).
    """
    return timezone.localdate(dispute.received_at)


class EvidenceKind(models.TextChoices):
    ATTENDANCE = "attendance", _("attendance records")
    PAY_SLIPS = "pay_slips", _("pay slips and wage payment records")
    CONTRACT = "contract", _("labour contract or service agreement")
    PLATFORM_INCOME = "platform_income", _("platform order and income records")
    SOCIAL_INSURANCE = "social_insurance", _("social insurance records")
    DISPATCH = "dispatch", _("labour dispatch agreement")
    TERMINATION = "termination", _("notice of termination")
    RULES = "rules", _("workplace rules and pay rules")
    OTHER = "other", _("other evidence")


class EvidenceStatus(models.TextChoices):
    TO_REQUEST = "to_request", _("to request")
    REQUESTED = "requested", _("requested")
    RECEIVED = "received", _("received")
    REFUSED = "refused", _("refused")


# Occupations that work through a platform's app, whose orders and pay it records.
PLATFORM_OCCUPATIONS = frozenset(
    {Occupation.RIDER, Occupation.RIDE_HAILING_DRIVER, Occupation.COURIER}
)


def default_evidence(occupations, relationship: str) -> list[str]:
    """The checklist a new dispute starts with; the caseworker adds or removes lines.

    Every dispute: pay records and attendance. A labour relationship (R11): the
    labour contract and social insurance records. Not fully a labour relationship
    or civil cooperation: the agreement the worker signed. Riders, ride-hailing
    drivers and couriers: the platform's order and income records.
    """
    kinds = [EvidenceKind.PAY_SLIPS, EvidenceKind.ATTENDANCE, EvidenceKind.CONTRACT]
    if relationship == Relationship.LABOUR:
        kinds.append(EvidenceKind.SOCIAL_INSURANCE)
    if PLATFORM_OCCUPATIONS & set(occupations):
        kinds.append(EvidenceKind.PLATFORM_INCOME)
    return [str(kind) for kind in kinds]


class EvidenceItem(models.Model):
    """One thing the employer holds and is asked to produce (R8)."""

    dispute = models.ForeignKey(
        WageDispute, on_delete=models.CASCADE, related_name="evidence_items"
    )
    kind = models.CharField(_("evidence"), max_length=20, choices=EvidenceKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.TO_REQUEST,
    )
    status_on = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence checklist")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "kind"], name="unique_dispute_evidence")
        ]

    def __str__(self):
        return f"{self.dispute} · {self.get_kind_display()} · {self.get_status_display()}"


def claimed_by_worker(dispute: WageDispute) -> dict[int, Decimal]:
    """Each worker's sum of claim items, for the workers who have any."""
    return dict(
        dispute.claim_items.values("worker_id")
        .annotate(total=models.Sum("amount"))
        .values_list("worker_id", "total")
    )
