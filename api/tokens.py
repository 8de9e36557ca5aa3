"""Issuing, revoking and checking API tokens (the admin and `manage.py
issue_api_token` call these)."""

import datetime
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import Action, record

from .models import ApiToken, key_hash

KEY_START = "cw_"
# How often a token's "last used" is written: not on every call.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


@transaction.atomic
def issue_token(*, by, name: str, scope: str, office, expires_at) -> tuple[ApiToken, str]:
    """A new token and its key. The key is returned here once and never stored."""
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if ApiToken.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A token for this system already exists.")})
    prefix = secrets.token_hex(6)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    account = get_user_model().objects.create(
        username=f"api-{prefix}",
        full_name=f"API: {name}"[:50],
        office=office,
        # Never signs in: inactive in the database (no backend lets it in, no reminder
        # or list of active staff finds it); the token's calls act with it in memory.
        is_active=False,
        is_staff=False,
    )
    account.set_unusable_password()
    account.save(update_fields=["password"])
    token = ApiToken.objects.create(
        name=name,
        scope=scope,
        office=office,
        expires_at=expires_at,
        prefix=prefix,
        hashed_key=key_hash(key),
        account=account,
        created_by=by,
    )
    record(
        Action.API_TOKEN_ISSUED,
        by=by,
        obj=token,
        office=office,
        details={"name": name, "scope": scope, "expires": expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, by) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(Action.API_TOKEN_REVOKED, by=by, obj=token, office=token.office_id)
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The usable token whose key this is; None for any other text."""
    if not key.startswith(KEY_START) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_START) :].split("_", 1)[0]
    token = (
        ApiToken.objects.usable().select_related("account", "office").filter(prefix=prefix).first()
    )
    if token is None or not hmac.compare_digest(token.hashed_key, key_hash(key)):
        return None
    return token


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
