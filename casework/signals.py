"""Logins, logouts and failed logins go to the audit log; and the signals the base
sends for the apps above it to act on, without importing them."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from . import two_factor
from .audit import Action, record
from .middleware import start_idle_clock
from .user_sessions import end_sessions


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_idle_clock(request)
        two_factor.signed_in(request, user)
    record(Action.LOGIN, by=user, office=user.office_id)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, by=user, office=user.office_id)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # No actor: the person who failed is not known to be the account's holder.
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).exists()
    record(Action.LOGIN_FAILED, details={"username": username, "known_account": known})


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:150]
    known = get_user_model().objects.filter(username=username).exists()
    record(
        Action.LOCKED_OUT,
        details={"username": username, "known_account": known, "ip_address": ip_address},
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _password_changed(sender, instance, created, **kwargs):
    # set_password() leaves the new password on `_password` until save() has run.
    if not created and getattr(instance, "_password", None) is not None:
        # No actor here: whoever changed it is named by the change's own entry.
        end_sessions(instance, by=None, reason="password_changed")


# Sent after a holiday schedule is entered or corrected, inside the transaction
# that saved it (keyword argument `schedule`): every working-day clock may move.
# The apps above the base connect to it (cases refreshes its open clocks).
calendar_changed = Signal()
