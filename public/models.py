"""Online requests (网上求助) and the counters of the public pages' limits.

An online request is what a worker sends from a station's or a drive's page: a wage
problem, hardship or a medical card, in a few plain answers. It takes no case number:
a caseworker of its office opens it as a case through the desk's own intake (the
case gets its gapless number then) or declines it with a reason. States are a
django-fsm machine, every step taken through `public.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import Occupation
from casework import identity
from casework.models import Office, Station
from members.models import staff_offices

from . import codes

# The version of the consent text a person agreed to on the help form.
CONSENT_TEXT_VERSION = "2026-12-help-v1"


def handles(request, user) -> bool:
    """Who may decide an online request: a caseworker or supervisor of its office."""
    return request.office_id in staff_offices(user)


class RequestKind(models.TextChoices):
    WAGE = "wage", _("unpaid wages")
    HARDSHIP = "hardship", _("hardship")
    CARD = "card", _("medical card")


class RequestState(models.TextChoices):
    RECEIVED = "received", _("received")
    OPENED = "opened", _("opened as a case")
    DECLINED = "declined", _("declined")


class OnlineRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(office_id__in=staff_offices(user))

    def waiting(self):
        return self.filter(state=RequestState.RECEIVED)


class OnlineRequest(FSMModelMixin, models.Model):
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        "members.MembershipEvent",
        verbose_name=_("membership drive"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("what help"), max_length=20, choices=RequestKind.choices)
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=20, db_index=True)
    occupation = models.CharField(_("occupation group"), max_length=20, choices=Occupation.choices)
    employer = models.CharField(_("platform or employer"), max_length=100, blank=True)
    description = models.TextField(_("what happened"), max_length=2000)
    amount_owed = models.DecimalField(
        _("amount owed"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    consent_text_version = models.CharField(_("consent text version"), max_length=30)
    consent_contact = models.BooleanField(_("consent to contact about services"), default=False)
    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    state = FSMField(
        _("state"),
        max_length=20,
        choices=RequestState.choices,
        default=RequestState.RECEIVED,
        protected=True,
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_request",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = OnlineRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("online request")
        verbose_name_plural = _("online requests")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["office", "state", "received_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=RequestState.OPENED) | Q(case__isnull=False),
                name="online_request_opened_has_case",
            )
        ]

    def __str__(self):
        return f"{self.display_code} · {self.get_kind_display()}"

    @property
    def display_code(self) -> str:
        return codes.display(self.tracking_code)

    @property
    def mobile_masked(self) -> str:
        return identity.mask_phone(self.mobile) if self.mobile else ""

    @property
    def is_waiting(self) -> bool:
        return self.state == RequestState.RECEIVED

    @transition(
        field="state",
        source=RequestState.RECEIVED,
        target=RequestState.OPENED,
        permission=handles,
    )
    def open(self, *, by, at, case):
        self.decided_by, self.decided_at, self.case = by, at, case

    @transition(
        field="state",
        source=RequestState.RECEIVED,
        target=RequestState.DECLINED,
        permission=handles,
    )
    def decline(self, *, by, at, reason):
        self.decided_by, self.decided_at, self.decline_reason = by, at, reason


class PublicCounter(models.Model):
    """How often a key (an address, a mobile's hash, a tracking code) was counted in
    a window (the hour, the day, the cool-off period) — the public pages' limits.
    Incremented with one UPDATE in the database, so several app servers share it."""

    key = models.CharField(max_length=100)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="unique_public_counter")
        ]
        indexes = [models.Index(fields=["window"])]

    def __str__(self):
        return f"{self.key} @ {self.window:%Y-%m-%d %H:%M}: {self.count}"
