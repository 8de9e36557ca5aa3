"""The public pages' limits, counted in the database (`PublicCounter`).

A count is one INSERT … ON CONFLICT DO NOTHING and one UPDATE … SET count = count + 1,
both atomic in SQLite and PostgreSQL, so two app servers counting the same address
never lose a hit. Each count runs in its own short transaction (on autocommit), never
inside the submission's: a refused or failed submission still counts, and a counter
never holds a row lock while a form is stored.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework import identity

from .models import PublicCounter


def _window(seconds: int, now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    start = int(now.timestamp()) // seconds * seconds
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)


def hit(key: str, seconds: int) -> int:
    """Count one more for `key` in the current window of `seconds`; the new count."""
    window = _window(seconds)
    with transaction.atomic():
        PublicCounter.objects.bulk_create(
            [PublicCounter(key=key, window=window, count=0)], ignore_conflicts=True
        )
        PublicCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
        return PublicCounter.objects.filter(key=key, window=window).values_list("count", flat=True)[
            0
        ]


def count(key: str, seconds: int) -> int:
    return (
        PublicCounter.objects.filter(key=key, window=_window(seconds))
        .values_list("count", flat=True)
        .first()
        or 0
    )


HOUR, DAY = 3600, 86400


def _mobile_key(mobile: str) -> str:
    # The counter keeps no mobile in clear.
    return "mobile:" + identity.keyed_hash(mobile)[:40]


def post_from(ip: str | None) -> bool:
    """Count a public form's post from this address; False when over the hour's limit."""
    return hit(f"ip:{ip or '-'}", HOUR) <= settings.PUBLIC_LIMIT_PER_IP


def submission_for(mobile: str) -> bool:
    """Count a valid submission for this mobile (just before it is stored); False when
    over the day's limit. Counted first, so two at once cannot both slip under it."""
    return hit(_mobile_key(mobile), DAY) <= settings.PUBLIC_LIMIT_PER_MOBILE


def _cooloff() -> int:
    return settings.PUBLIC_STATUS_COOLOFF_MINUTES * 60


def status_locked(ip: str | None, code: str | None) -> bool:
    """Too many wrong status answers from this address, or for this code, lately."""
    limit = settings.PUBLIC_STATUS_FAILURE_LIMIT
    if count(f"status-ip:{ip or '-'}", _cooloff()) >= limit:
        return True
    return bool(code) and count(f"status-code:{code}", _cooloff()) >= limit


def status_failed(ip: str | None, code: str | None) -> None:
    hit(f"status-ip:{ip or '-'}", _cooloff())
    if code:
        hit(f"status-code:{code}", _cooloff())
