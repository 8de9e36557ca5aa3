"""API tokens: how another system (the 12351 hotline, the province's membership
registry, a statistics portal) is let in. An administrator issues one to a named
system, with a scope and an office; the secret is shown once and stored hashed."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from casework import roles
from casework.models import Office


class Scope(models.TextChoices):
    INTAKE = "intake", _("intake: wage-dispute applications, online requests, a case's stage")
    FINISHED = "finished", _("finished cases, as the auditors' export")
    FIGURES = "figures", _("the figures page")
    MEMBERSHIP = "membership", _("membership applications")


# The role a token acts in, within its office (for the offices under it too, where
# the role reaches them): the same checks as for a person in that role.
SCOPE_ROLES = {
    Scope.INTAKE: roles.CASEWORKER,
    Scope.FINISHED: roles.AUDITOR,
    Scope.FIGURES: roles.SUPERVISOR,
    Scope.MEMBERSHIP: roles.SUPERVISOR,
}


def key_hash(key: str) -> str:
    """SHA-256 of the whole key: the secret part is 256 random bits, no salt needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    name = models.CharField(
        _("system"),
        max_length=100,
        unique=True,
        help_text=_("Who calls with it, e.g. 12351 hotline, Zengdu district."),
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The token reaches this office and the offices under it."),
    )
    expires_at = models.DateTimeField(_("expires"))
    # The first characters of the key, to find its row; the rest only as a hash.
    prefix = models.CharField(_("key begins"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    # The staff account the token acts as: audit entries and records name it. It has
    # no password, no group and no sign-in of its own (it is stored inactive).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_token",
        editable=False,
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @cached_property
    def acting_user(self):
        """The token's account in the role of its scope, at its office."""
        user = self.account
        user.office = self.office
        user.is_active = True  # in memory only: the account itself never signs in
        user.__dict__["role_names"] = {SCOPE_ROLES[self.scope]}
        return user

    def office_ids(self) -> set[int]:
        return self.office.subtree_ids()
