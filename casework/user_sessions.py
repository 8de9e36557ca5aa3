"""Ending a user's sessions: "sign out everywhere", and on a password change."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .audit import Action, record


def session_keys(user) -> list[str]:
    """The keys of the user's unexpired sessions (each session decoded: they are few)."""
    user_id = str(user.pk)
    return [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]


@transaction.atomic
def end_sessions(user, *, by, keep: str | None = None, reason: str) -> int:
    """Delete every session of `user` but `keep`; logged. Returns how many ended."""
    keys = [key for key in session_keys(user) if key != keep]
    Session.objects.filter(session_key__in=keys).delete()
    record(
        Action.SESSIONS_ENDED,
        by=by,
        obj=user,
        office=user.office_id,
        details={"reason": reason, "sessions": len(keys)},
    )
    return len(keys)
