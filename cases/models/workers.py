"""Workers: the people the union helps. One person, one file."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework import identity
from casework.models import District, Office

from .states import FINISHED_STATES


class Occupation(models.TextChoices):
    RIDER = "rider", _("food-delivery rider")
    COURIER = "courier", _("courier")
    TRUCK_DRIVER = "truck_driver", _("truck driver")
    RIDE_HAILING_DRIVER = "ride_hailing", _("ride-hailing driver")
    DOMESTIC_WORKER = "domestic", _("domestic worker")
    CARE_WORKER = "care", _("care worker")
    OTHER = "other", _("other")


class Residence(models.TextChoices):
    URBAN = "urban", _("urban")
    RURAL = "rural", _("rural")


class WorkerQuerySet(models.QuerySet):
    def with_id_number(self, id_number: str):
        return self.filter(id_hash=identity.keyed_hash(identity.normalize_id_number(id_number)))

    def known_to(self, user):
        """Workers whose file the user may open: registered in, or with a case in,
        the user's offices (auditors: anyone with a finished case)."""
        if not user.is_active:
            return self.none()
        # An administrator without a role opens no worker's file.
        offices = user.supervised_office_ids or {user.office_id}
        query = models.Q(pk__in=[])
        if user.is_caseworker or user.is_supervisor:
            query |= models.Q(office_id__in=offices) | models.Q(cases__office_id__in=offices)
        if user.is_auditor:
            query |= models.Q(cases__state__in=FINISHED_STATES)
        return self.filter(pk__in=self.filter(query).values("pk"))

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self.none()
        query = models.Q(name__icontains=text)
        digits = text.replace(" ", "").replace("-", "")
        if digits.isdigit() and len(digits) >= 4:
            query |= models.Q(phone__contains=digits)
        try:
            query |= models.Q(phone=identity.validate_phone(text))  # a full landline number
        except ValidationError:
            pass
        if len(digits) == 18:
            query |= models.Q(id_hash=identity.keyed_hash(identity.normalize_id_number(digits)))
        return self.filter(query)


class Worker(models.Model):
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    # The ID number is never stored in clear: encrypted for reading back, a keyed
    # hash for exact search, and the masked form for display.
    id_encrypted = models.TextField(editable=False, blank=True)
    id_hash = models.CharField(max_length=64, editable=False, blank=True)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False, blank=True)
    occupation = models.CharField(_("occupation group"), max_length=20, choices=Occupation.choices)
    employer = models.CharField(_("platform or employer"), max_length=100, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    residence = models.CharField(
        _("residence"), max_length=10, choices=Residence.choices, default=Residence.URBAN
    )
    is_member = models.BooleanField(_("union member"), default=False)
    membership_number = models.CharField(_("membership number"), max_length=30, blank=True)
    joined_on = models.DateField(_("date joined"), null=True, blank=True)
    consent_scope = models.TextField(_("consent given"), blank=True)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("registered at"), on_delete=models.PROTECT, related_name="workers"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=~models.Q(id_hash=""), name="unique_worker_id"
            )
        ]
        indexes = [models.Index(fields=["name", "id"])]
        permissions = [("reveal_id_number", _("Can see a worker's full ID number"))]

    def __str__(self):
        return self.name

    def set_id_number(self, id_number: str) -> None:
        """Store a validated ID number encrypted, hashed and masked; '' clears it."""
        if not id_number:
            self.id_encrypted = self.id_hash = self.id_masked = ""
            return
        number = identity.normalize_id_number(id_number)
        self.id_encrypted = identity.encrypt(number)
        self.id_hash = identity.keyed_hash(number)
        self.id_masked = identity.mask_id_number(number)

    def id_number(self) -> str:
        return identity.decrypt(self.id_encrypted) if self.id_encrypted else ""

    @property
    def phone_masked(self) -> str:
        return identity.mask_phone(self.phone) if self.phone else ""
