"""Office limits, reminders (the in-app notifications, each with its e-mail's state) and
the morning digests.

A reminder is one row per (clock, case, threshold, due date, recipient): the unique
constraint is what makes a second run of the job, or two at once, send nothing twice,
and a clock that moves (a new due date) makes new rows, so its reminders fire again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Office

KEEP_DAYS = 90  # notifications are kept this long, then purged by the daily job
MAX_EMAIL_ATTEMPTS = 6


@dataclass(frozen=True)
class Limits:
    take_within_hours: int = 24
    approve_within_days: int = 3
    escalate_after_days: int = 3


DEFAULT_LIMITS = Limits()


class OfficeLimits(models.Model):
    """An office's own limits; an office without a row takes its parent's, and the
    city federation without one takes the defaults (24 hours, 3 working days, 3 days)."""

    office = models.OneToOneField(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="limits"
    )
    take_within_hours = models.PositiveSmallIntegerField(
        _("hours to take a new case"),
        default=DEFAULT_LIMITS.take_within_hours,
        help_text=_("A new case nobody has taken after this many hours is reported."),
    )
    approve_within_days = models.PositiveSmallIntegerField(
        _("working days for an approval"),
        default=DEFAULT_LIMITS.approve_within_days,
        help_text=_("An aid or card application waiting longer for approval is reported."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("days overdue before the supervisors are told"),
        default=DEFAULT_LIMITS.escalate_after_days,
    )

    class Meta:
        verbose_name = _("office limits")
        verbose_name_plural = _("office limits")
        ordering = ["office__name"]

    def __str__(self):
        return str(self.office)

    def as_limits(self) -> Limits:
        return Limits(self.take_within_hours, self.approve_within_days, self.escalate_after_days)


def limits_by_office() -> dict[int, Limits]:
    """Every office's limits in force (two small queries: offices are few)."""
    own = {row.office_id: row.as_limits() for row in OfficeLimits.objects.all()}
    parents = dict(Office.objects.values_list("pk", "parent_id"))
    found: dict[int, Limits] = {}

    def of(pk):
        seen = set()
        while pk is not None and pk not in seen:
            if pk in own:
                return own[pk]
            seen.add(pk)
            pk = parents.get(pk)
        return DEFAULT_LIMITS

    for pk in parents:
        found[pk] = of(pk)
    return found


class Clock(models.TextChoices):
    MEDIATION = "mediation", _("mediation period ends")
    LIMITATION = "limitation", _("limitation period ends")
    PERFORMANCE = "performance", _("agreed performance date")
    ARBITRATION_ACCEPTANCE = "arb_acceptance", _("arbitration: decision on acceptance")
    ARBITRATION_AWARD = "arb_award", _("arbitration: award")
    CARD_RENEWAL = "card_renewal", _("medical card runs out")
    APPROVAL = "approval", _("waiting for approval")
    INTAKE = "intake", _("nobody has taken the case")


class Threshold(models.TextChoices):
    UPCOMING = "upcoming", _("coming up")
    NEXT_DAY = "next_day", _("runs out by the next working day")
    OVERDUE = "overdue", _("overdue")
    ESCALATED = "escalated", _("overdue: told to the supervisors")


# These are e-mailed at once; the others wait for the morning digest.
IMMEDIATE = {Threshold.NEXT_DAY, Threshold.ESCALATED}


class ReminderQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_pending(self):
        return self.filter(
            email_wanted=True, email_sent_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS
        )


class Reminder(models.Model):
    """One reminder of one clock at one threshold to one person: their notification."""

    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="reminders"
    )
    threshold = models.CharField(_("threshold"), max_length=20, choices=Threshold.choices)
    due_on = models.DateField(_("due"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The e-mail, sent after the row is committed (reminders.tasks); retried until sent.
    email_wanted = models.BooleanField(default=False)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "case", "threshold", "due_on", "recipient"],
                name="one_reminder_per_clock_threshold_date_and_person",
            )
        ]
        indexes = [
            # The header's count: one index-only COUNT per page.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="reminder_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="reminder_list"),
            models.Index(fields=["created_at"], name="reminder_created"),
            models.Index(
                fields=["id"],
                condition=Q(email_wanted=True, email_sent_at__isnull=True),
                name="reminder_email_pending",
            ),
        ]

    def __str__(self):
        return f"{self.get_clock_display()} · {self.case_id} · {self.due_on}"


class Digest(models.Model):
    """The morning e-mail of what is due, once a day per person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day")
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="digest_pending")
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.day}"
