"""Union membership (会员): drives, applications to join, and the members themselves.

A member is a worker (`cases.Worker`, one person, one file): `Member` is tied
one-to-one to the worker and holds the membership number, gapless per office and
year. The worker's own `is_member`, `membership_number` and `joined_on` are kept
in step by the services, so the pages and rules that already read them (a medical
card is for members) need not know this app.

An application (入会申请) comes from the public page, a caseworker's desk or a
roster import and waits in the office's review queue; its states are a django-fsm
machine, every step taken through `members.services`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from cases.models import Occupation
from casework import identity
from casework.models import District, Office, Station

# The version of the consent text a person agreed to; bump it when the words change,
# so each application keeps which text it was given.
CONSENT_TEXT_VERSION = "2026-12-v1"


def staff_offices(user) -> set[int]:
    """Offices whose membership a user handles: a caseworker's own office, a
    supervisor's office and those under it. Others (auditors, administrators) none."""
    if not user.is_authenticated or not user.is_active:
        return set()
    offices = set(user.supervised_office_ids)
    if user.is_caseworker and user.office_id is not None:
        offices.add(user.office_id)
    return offices


def reviews(application, user) -> bool:
    """Who may decide an application: a caseworker or supervisor of its office."""
    return application.office_id in staff_offices(user)


class Source(models.TextChoices):
    STATION = "station", _("QR code at a service station")
    EVENT = "event", _("membership drive")
    ONLINE = "online", _("online")
    DESK = "desk", _("at the desk")
    ROSTER = "roster", _("roster import")


class MembershipEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(office_id__in=staff_offices(user))


class MembershipEvent(models.Model):
    """A membership drive (入会活动): 463 riders scan its QR code and join on the spot."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("event name"), max_length=100)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    station = models.ForeignKey(
        Station,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the event's public page and QR code use: stable, unguessable, no pk leaked.
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership drive")
        verbose_name_plural = _("membership drives")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})"


class MembershipCounter(models.Model):
    """The last membership number issued per office and year (locked to issue the next)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="unique_membership_counter")
        ]

    def __str__(self):
        return f"{self.office_id}/{self.year}: {self.last}"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    TRANSFERRED = "transferred", _("transferred out")
    LEFT = "left", _("left the union")


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(office_id__in=staff_offices(user))


class Member(FSMModelMixin, models.Model):
    worker = models.OneToOneField(
        "cases.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="membership",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("membership number"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    joined_on = models.DateField(_("date joined"))
    source = models.CharField(_("joined through"), max_length=20, choices=Source.choices)
    station = models.ForeignKey(
        Station,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        MembershipEvent,
        verbose_name=_("membership drive"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    status = FSMField(
        _("membership status"),
        max_length=20,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
        protected=True,
    )
    status_changed_on = models.DateField(_("status since"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-joined_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "sequence"], name="unique_membership_sequence"
            )
        ]
        indexes = [models.Index(fields=["office", "joined_on"])]

    def __str__(self):
        return self.number

    @transition(field="status", source=MemberStatus.ACTIVE, target=MemberStatus.TRANSFERRED)
    def transfer(self):
        pass

    @transition(field="status", source=MemberStatus.ACTIVE, target=MemberStatus.LEFT)
    def leave(self):
        pass


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    APPROVED = "approved", _("approved")
    MERGED = "merged", _("merged with a registered worker")
    DECLINED = "declined", _("declined")


class MembershipApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(office_id__in=staff_offices(user))

    def pending(self):
        return self.filter(state=ApplicationState.PENDING)


class MembershipApplication(FSMModelMixin, models.Model):
    """An application to join the union (入会申请), waiting for a caseworker's review."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    # Pinyin of the name without tones, for finding the same person spelled otherwise.
    name_pinyin = models.CharField(max_length=200, editable=False, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, db_index=True)
    # As on the worker: encrypted, a keyed hash for exact search, and masked for display.
    id_encrypted = models.TextField(editable=False, blank=True)
    id_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False, blank=True)
    occupation = models.CharField(_("occupation group"), max_length=20, choices=Occupation.choices)
    employer = models.CharField(_("platform or employer"), max_length=100, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    consent_purposes = models.BooleanField(_("consent to the purposes of membership"))
    consent_contact = models.BooleanField(_("consent to contact about services"), default=False)
    consent_text_version = models.CharField(_("consent text version"), max_length=20)
    consent_at = models.DateTimeField(_("consent given at"))
    source = models.CharField(_("joined through"), max_length=20, choices=Source.choices)
    station = models.ForeignKey(
        Station,
        verbose_name=_("service station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        MembershipEvent,
        verbose_name=_("membership drive"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Set by the public page, which makes the code; desk and roster applications have none.
    tracking_code = models.CharField(
        _("tracking code"), max_length=20, unique=True, null=True, blank=True
    )
    state = FSMField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.PENDING,
        protected=True,
    )
    submitted_at = models.DateTimeField(_("received"), db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    worker = models.ForeignKey(
        "cases.Worker",
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="membership_applications",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )

    objects = MembershipApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_purposes=True), name="membership_needs_consent"
            )
        ]
        indexes = [models.Index(fields=["office", "state", "submitted_at"])]

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"

    def set_id_number(self, id_number: str) -> None:
        number = identity.normalize_id_number(id_number)
        self.id_encrypted = identity.encrypt(number)
        self.id_hash = identity.keyed_hash(number)
        self.id_masked = identity.mask_id_number(number)

    def id_number(self) -> str:
        return identity.decrypt(self.id_encrypted) if self.id_encrypted else ""

    @property
    def mobile_masked(self) -> str:
        return identity.mask_phone(self.mobile) if self.mobile else ""

    @property
    def is_pending(self) -> bool:
        return self.state == ApplicationState.PENDING

    @transition(
        field="state",
        source=ApplicationState.PENDING,
        target=ApplicationState.APPROVED,
        permission=reviews,
    )
    def approve(self, *, by, at, worker, member):
        self.decided_by, self.decided_at = by, at
        self.worker, self.member = worker, member

    @transition(
        field="state",
        source=ApplicationState.PENDING,
        target=ApplicationState.MERGED,
        permission=reviews,
    )
    def merge(self, *, by, at, worker, member):
        self.decided_by, self.decided_at = by, at
        self.worker, self.member = worker, member

    @transition(
        field="state",
        source=ApplicationState.PENDING,
        target=ApplicationState.DECLINED,
        permission=reviews,
    )
    def decline(self, *, by, at, reason):
        self.decided_by, self.decided_at = by, at
        self.decline_reason = reason
