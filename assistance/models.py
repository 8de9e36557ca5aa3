"""Hardship aid (困难帮扶) and medical card (惠工卡) applications.

Both extend the shared case core (`cases.Case`) and declare their own
transitions; the services in `assistance.services` do the rest.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, transition

from cases.models import Case, Outcome, State, caseworker_step, supervisor_step
from cases.models.core import reopen_transition, withdraw_transition
from casework import identity, reference
from casework.transitions import condition

# --- hardship aid ----------------------------------------------------------------------


class AidType(models.TextChoices):
    CASH = "cash", _("cash")
    MEDICAL = "medical", _("medical")
    EDUCATION = "education", _("education")
    IN_KIND = "in_kind", _("in kind")


class Category(models.TextChoices):
    DEEP = "deep", _("deep hardship")
    RELATIVE = "relative", _("relative hardship")
    ACCIDENT = "accident", _("accident hardship")
    NONE = "none", _("not in hardship")


def hardship_category(
    *,
    annual_income: Decimal,
    annual_rigid_spending: Decimal,
    one_off_costs: Decimal,
    household_size: int,
    dibao_line: Decimal,
) -> Category:
    """The category by DOMAIN.md: the first that matches, in order, strictly.

    (income − rigid spending) ÷ 12 ÷ household size is compared with the line
    by multiplying the line out instead, so nothing is ever rounded.
    """
    spare = annual_income - annual_rigid_spending
    yearly_line = dibao_line * 12 * household_size
    if spare < yearly_line:
        return Category.DEEP
    if spare < 2 * yearly_line:
        return Category.RELATIVE
    if one_off_costs * 5 > annual_income * 4:  # one-off costs > 80% of income
        return Category.ACCIDENT
    return Category.NONE


AID_OPEN_STATES = [
    State.APPLICATION,
    State.ASSESSMENT,
    State.RECOMMENDED,
    State.APPROVED,
    State.DISBURSED,
]
# Aid that counts towards the 12-month cap: approved or paid out, not rejected.
AID_COUNTED_STATES = [State.APPROVED, State.DISBURSED, State.CLOSED]


def not_the_recommender(case, user) -> bool:
    """Four eyes: whoever recommended may not approve, whatever their roles; and
    a second approval comes from another supervisor than the first."""
    return (
        supervisor_step(case, user)
        and user.pk != case.recommended_by_id
        and not case.current_approvals().filter(approver=user).exists()
    )


class AidApplication(Case):
    circumstances = models.TextField(_("circumstances and what is asked for"))
    source_case = models.ForeignKey(
        Case,
        verbose_name=_("from wage dispute"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_applications",
    )

    # Assessment: the home visit and the household (sensitive: PIPL Art. 28).
    visited_on = models.DateField(_("home visit on"), null=True, blank=True)
    visitors = models.CharField(_("visited by"), max_length=200, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    annual_income = models.DecimalField(
        _("annual household income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    annual_rigid_spending = models.DecimalField(
        _("annual rigid spending"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    one_off_costs = models.DecimalField(
        _("one-off costs (illness, accident, disaster)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    computed_category = models.CharField(
        _("computed category"), max_length=10, choices=Category.choices, blank=True
    )
    # In force when assessed: later changes to the settings do not rewrite history.
    dibao_line = models.DecimalField(
        _("minimum living allowance line applied"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    threshold = models.DecimalField(
        _("second-approval threshold applied"), max_digits=12, decimal_places=2, null=True
    )
    cap = models.DecimalField(_("12-month cap applied"), max_digits=12, decimal_places=2, null=True)

    # The caseworker's recommendation.
    aid_type = models.CharField(_("aid type"), max_length=10, choices=AidType.choices, blank=True)
    recommended_amount = models.DecimalField(
        _("amount recommended"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recommended_category = models.CharField(
        _("category recommended"), max_length=10, choices=Category.choices, blank=True
    )
    recommendation_reason = models.TextField(_("reason for the recommendation"), blank=True)
    category_difference_reason = models.TextField(
        _("why the category differs from the computed one"), blank=True
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recommended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Approvals are counted per round; returning for revision starts a new round.
    approval_round = models.PositiveSmallIntegerField(default=1)
    approved_amount = models.DecimalField(
        _("amount approved"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    cap_override_reason = models.TextField(_("reason for exceeding the 12-month cap"), blank=True)

    disbursed_amount = models.DecimalField(
        _("amount disbursed"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursement_method = models.CharField(_("disbursement method"), max_length=100, blank=True)
    receipt_reference = models.CharField(_("receipt reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("hardship aid application")
        verbose_name_plural = _("hardship aid applications")

    # --- rules ---------------------------------------------------------------------

    def assessment_missing(self) -> list[str]:
        fields = ["visited_on", "visitors", "findings", "household_size", "annual_income"]
        fields += ["annual_rigid_spending", "one_off_costs"]
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in fields
            if getattr(self, name) in (None, "")
        ] + ([] if self.dibao_line is not None else [str(_("a minimum living allowance line"))])

    @condition(
        lambda self: [
            _("The assessment lacks %(item)s.") % {"item": item}
            for item in self.assessment_missing()
        ]
    )
    def assessment_complete(self) -> bool:
        return not self.assessment_missing()

    def threshold_in_force(self) -> Decimal:
        """The second-approval threshold that decides this application: while it awaits
        approval, the one in force now (the approval applies it); after, the one applied."""
        if self.state == State.RECOMMENDED:
            return reference.current(reference.Key.APPROVAL_THRESHOLD)
        return self.threshold

    def approvals_needed(self) -> int:
        if not self.recommended_amount:
            return 1
        return 2 if self.recommended_amount > self.threshold_in_force() else 1

    def current_approvals(self):
        return self.approvals.filter(round=self.approval_round)

    def aid_in_12_months(self, before: datetime.datetime | None = None) -> Decimal:
        """Aid approved to this worker in the 12 months before `before`, other applications."""
        before = before or timezone.now()
        others = (
            AidApplication.objects.filter(
                applicant_id=self.applicant_id,
                state__in=AID_COUNTED_STATES,
                approved_at__gt=before - datetime.timedelta(days=365),
                approved_at__lte=before,
            )
            .exclude(pk=self.pk)
            .aggregate(total=models.Sum("approved_amount"))["total"]
        )
        return others or Decimal("0")

    # --- transitions -------------------------------------------------------------------

    @transition(
        field="state",
        source=State.APPLICATION,
        target=State.ASSESSMENT,
        permission=caseworker_step,
        custom={"label": _("Start assessment")},
    )
    def start_assessment(self):
        pass

    @transition(
        field="state",
        source=State.ASSESSMENT,
        target=State.RECOMMENDED,
        conditions=[assessment_complete],
        permission=caseworker_step,
        custom={"label": _("Submit for approval")},
    )
    def recommend(self, *, recommender, aid_type, amount, category, reason, difference_reason=""):
        self.aid_type, self.recommended_amount = aid_type, amount
        self.recommended_category, self.recommendation_reason = category, reason
        self.category_difference_reason = difference_reason
        self.recommended_by = recommender

    @transition(
        field="state",
        source=State.RECOMMENDED,
        target=RETURN_VALUE(State.RECOMMENDED, State.APPROVED),
        permission=not_the_recommender,
        custom={"label": _("Approve"), "service": True},
    )
    def approve(self, *, complete: bool) -> str:
        """Record one approval (the service adds its row); approved once all are in."""
        if not complete:
            return State.RECOMMENDED
        self.approved_amount = self.recommended_amount
        self.approved_at = timezone.now()
        return State.APPROVED

    @transition(
        field="state",
        source=State.RECOMMENDED,
        target=State.REJECTED,
        permission=supervisor_step,
        custom={"label": _("Reject")},
    )
    def reject(self, *, reason: str):
        self.mark_finished(Outcome.REJECTED, reason)

    @transition(
        field="state",
        source=State.RECOMMENDED,
        target=State.ASSESSMENT,
        permission=supervisor_step,
        custom={"label": _("Return for revision")},
    )
    def return_for_revision(self, *, reason: str):
        self.approval_round += 1

    @transition(
        field="state",
        source=State.APPROVED,
        target=State.DISBURSED,
        permission=caseworker_step,
        custom={"label": _("Record disbursement")},
    )
    def disburse(self, *, amount, on, means, receipt):
        # ("means", not "method": django-fsm passes the transition as `method`.)
        self.disbursed_amount, self.disbursed_on = amount, on
        self.disbursement_method, self.receipt_reference = means, receipt

    @transition(
        field="state",
        source=State.DISBURSED,
        target=State.CLOSED,
        permission=caseworker_step,
        custom={"label": _("Close")},
    )
    def close(self, *, outcome_note: str = ""):
        self.mark_finished(Outcome.DISBURSED, outcome_note)

    withdraw = withdraw_transition(
        [State.APPLICATION, State.ASSESSMENT, State.RECOMMENDED, State.APPROVED]
    )
    reopen = reopen_transition(AID_OPEN_STATES)

    def mark_reopened(self) -> None:
        super().mark_reopened()
        # A new round: approvals given before the application finished decide nothing now.
        self.approval_round += 1


class Approval(models.Model):
    """One supervisor's approval of an aid application (who, when, comment),
    with the rules in force at that moment."""

    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="approvals"
    )
    round = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    threshold = models.DecimalField(_("threshold in force"), max_digits=12, decimal_places=2)
    cap = models.DecimalField(_("cap in force"), max_digits=12, decimal_places=2)
    aid_in_12_months = models.DecimalField(
        _("other aid in the 12 months before"), max_digits=12, decimal_places=2
    )
    cap_override_reason = models.TextField(_("reason for exceeding the cap"), blank=True)

    class Meta:
        ordering = ["approved_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "approver"],
                name="one_approval_per_person_and_round",
            )
        ]

    def __str__(self):
        return f"{self.application} · {self.approver} · {self.approved_at:%Y-%m-%d}"


# --- medical cards ----------------------------------------------------------------------

CARD_OPEN_STATES = [State.SUBMITTED, State.VERIFIED, State.APPROVED, State.CARD_ISSUED]
RENEWAL_WINDOW_DAYS = 30


class CardQuerySet(models.QuerySet):
    def issued(self):
        return self.filter(state__in=[State.CARD_ISSUED, State.CLOSED]).exclude(card_number="")

    def valid_on(self, day: datetime.date):
        return self.issued().filter(valid_from__lte=day, valid_to__gte=day)


class CardApplication(Case):
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    verification_notes = models.TextField(_("documents checked"), blank=True)
    card_number = models.CharField(_("card number"), max_length=30, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("medical card application")
        verbose_name_plural = _("medical card applications")
        constraints = [
            models.UniqueConstraint(
                fields=["card_number"], condition=~Q(card_number=""), name="unique_card_number"
            )
        ]

    @property
    def expires_soon(self) -> bool:
        today = timezone.localdate()
        return bool(
            self.valid_to
            and today <= self.valid_to <= today + datetime.timedelta(RENEWAL_WINDOW_DAYS)
        )

    @transition(
        field="state",
        source=State.SUBMITTED,
        target=State.VERIFIED,
        permission=caseworker_step,
        custom={"label": _("Verify documents")},
    )
    def verify(self, *, notes: str):
        self.verification_notes = notes

    @transition(
        field="state",
        source=State.VERIFIED,
        target=State.APPROVED,
        permission=supervisor_step,
        custom={"label": _("Approve")},
    )
    def approve(self):
        pass

    @transition(
        field="state",
        source=[State.SUBMITTED, State.VERIFIED],
        target=State.REJECTED,
        permission=supervisor_step,
        custom={"label": _("Reject")},
    )
    def reject(self, *, reason: str):
        self.mark_finished(Outcome.REJECTED, reason)

    @transition(
        field="state",
        source=State.APPROVED,
        target=State.CARD_ISSUED,
        permission=caseworker_step,
        custom={"label": _("Record the card issued")},
    )
    def issue_card(self, *, card_number: str, valid_from, valid_to):
        self.card_number, self.valid_from, self.valid_to = card_number, valid_from, valid_to

    @transition(
        field="state",
        source=State.CARD_ISSUED,
        target=State.CLOSED,
        permission=caseworker_step,
        custom={"label": _("Close")},
    )
    def close(self, *, outcome_note: str = ""):
        self.mark_finished(Outcome.CARD_ISSUED, outcome_note)

    withdraw = withdraw_transition([State.SUBMITTED, State.VERIFIED, State.APPROVED])
    reopen = reopen_transition(CARD_OPEN_STATES)


class FamilyMember(models.Model):
    """A family member the card covers. Their ID is kept like a worker's."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        OTHER = "other", _("other")

    application = models.ForeignKey(
        CardApplication, on_delete=models.PROTECT, related_name="family_members"
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    id_encrypted = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    birth_date = models.DateField(_("date of birth"))
    guardian_name = models.CharField(_("guardian giving consent"), max_length=50, blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian's consent recorded at"), null=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "id_hash"], name="family_member_once_per_application"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"

    def set_id_number(self, id_number: str) -> None:
        number = identity.normalize_id_number(id_number)
        self.id_encrypted = identity.encrypt(number)
        self.id_hash = identity.keyed_hash(number)
        self.id_masked = identity.mask_id_number(number)
        self.birth_date = identity.birth_date_from_id(number)

    def id_number(self) -> str:
        return identity.decrypt(self.id_encrypted)

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
