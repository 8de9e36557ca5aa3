"""Two-factor sign-in: an authenticator app (TOTP) and one-time recovery codes.

Built on django-otp's TOTP and static devices. A user has at most one confirmed
authenticator and one set of recovery codes. Supervisors, auditors and
administrators must have them (`roles.requires_two_factor`); a caseworker may
turn them on. After the password, such a user's session owes a code until one
is accepted (TwoFactorMiddleware): the session then carries the device that
passed, under django-otp's own session key.

Wrong codes are refused and logged; django-otp throttles each device (after n
wrong codes in a row the next try waits 2^(n-1) seconds).
"""

from base64 import b32decode, b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .audit import Action, record
from .user_sessions import end_sessions

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"
# Set at sign-in for a user who has a device although their role does not ask for one.
OWES_CODE_KEY = "two_factor_owed"


# --- what a user has --------------------------------------------------------------------


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_on(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- the session ------------------------------------------------------------------------


def signed_in(request, user) -> None:
    """On every password sign-in: any earlier code no longer counts; a caseworker who
    turned two-factor on owes a code too (their role alone would not say so)."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(OWES_CODE_KEY, None)
    if not roles.requires_two_factor(user) and is_on(user):
        request.session[OWES_CODE_KEY] = True


def is_verified(request) -> bool:
    return DEVICE_ID_SESSION_KEY in request.session


def owes_code(request) -> bool:
    """A signed-in user who must enter a code (or enrol) before any other page."""
    if is_verified(request):
        return False
    return bool(request.session.get(OWES_CODE_KEY)) or roles.requires_two_factor(request.user)


def _verified(request, device) -> None:
    # A new session key for the stronger sign-in, as at the password step.
    request.session.cycle_key()
    request.session.pop(OWES_CODE_KEY, None)
    otp_login(request, device)


# --- enrolment --------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator shown on the enrolment page: the same secret on
    every visit until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an authenticator app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The otpauth:// link as an inline SVG QR code, drawn on the server."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, title=title, svgclass="qr", lineclass=None, omitsize=True
    )
    # An image to assistive technology, named by its <title>; sized by the stylesheet.
    return svg.replace("<svg ", '<svg role="img" ', 1)


@dataclass(frozen=True)
class Enrolment:
    codes: list[str]  # the new recovery codes, to show once; empty when refused
    wait_seconds: int = 0  # when refused because of earlier wrong codes


@transaction.atomic
def enrol(request, code: str) -> Enrolment:
    """Confirm the pending authenticator with its first code: the session is verified
    and a set of recovery codes made. A wrong code is logged and refused."""
    user = request.user
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False, name=AUTHENTICATOR)
        .first()
    )
    wait = _wait_seconds(device)
    if device is None or wait or not device.verify_token(_digits(code)):
        details = _why(device) | {"enrolment": True}
        record(Action.TWO_FACTOR_FAILED, by=user, office=user.office_id, details=details)
        return Enrolment(codes=[], wait_seconds=wait)
    # One authenticator and one set of codes: any older ones go.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _verified(request, device)
    record(Action.TWO_FACTOR_ENROLLED, by=user, office=user.office_id)
    # As on a password change: a session signed in before is not trusted now.
    end_sessions(user, by=user, keep=request.session.session_key, reason="two_factor_enrolled")
    return Enrolment(codes=codes)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def renew_recovery_codes(user) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working. Logged."""
    codes = _new_recovery_codes(user)
    record(Action.RECOVERY_CODES_RENEWED, by=user, office=user.office_id)
    return codes


# --- the code after the password --------------------------------------------------------


@dataclass(frozen=True)
class Check:
    passed: bool
    wait_seconds: int = 0  # when refused because of earlier wrong codes
    recovery_code: bool = False
    recovery_codes_left: int = 0


@transaction.atomic
def check_code(request, code: str) -> Check:
    """Accept a code from the authenticator, or else a recovery code (used up).

    A wrong code is logged; while a device is throttled nothing is tried on it and
    the answer says how long to wait.
    """
    user = request.user
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        token, is_recovery = digits, False
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        token, is_recovery = _recovery(code), True
    wait = _wait_seconds(device)
    if device is None or wait or not device.verify_token(token):
        details = _why(device) | {"recovery_code": is_recovery}
        record(Action.TWO_FACTOR_FAILED, by=user, office=user.office_id, details=details)
        return Check(passed=False, wait_seconds=wait)
    left = device.token_set.count() if is_recovery else 0
    _verified(request, device)
    details = {"recovery_code": is_recovery} | ({"left": left} if is_recovery else {})
    record(Action.TWO_FACTOR_PASSED, by=user, office=user.office_id, details=details)
    return Check(passed=True, recovery_code=is_recovery, recovery_codes_left=left)


def _digits(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def _recovery(code: str) -> str:
    return _digits(code).lower()


def _wait_seconds(device) -> int:
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))


def _why(device) -> dict:
    if device is None:
        return {"device": None}
    return {"device": device.name, "failures": device.throttling_failure_count}


@transaction.atomic
def turn_off(request) -> bool:
    """A caseworker turns two-factor sign-in off again (a role that needs it cannot).
    The authenticator and recovery codes are deleted. Logged."""
    user = request.user
    if roles.requires_two_factor(user) or not is_on(user):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(OWES_CODE_KEY, None)
    record(Action.TWO_FACTOR_OFF, by=user, office=user.office_id)
    return True


# --- administrators ---------------------------------------------------------------------


@transaction.atomic
def reset(user, *, by) -> None:
    """A lost phone: the user's authenticator and recovery codes are deleted and their
    sessions ended. A role that needs two-factor enrols again at the next sign-in."""
    had = [
        *TOTPDevice.objects.filter(user=user, confirmed=True).values_list("name", flat=True),
        *StaticDevice.objects.filter(user=user).values_list("name", flat=True),
    ]
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(
        Action.TWO_FACTOR_RESET,
        by=by,
        obj=user,
        office=user.office_id,
        details={"username": user.username, "devices": had},
    )
    end_sessions(user, by=by, reason="two_factor_reset")


# --- the demo ---------------------------------------------------------------------------


def demo_key() -> str:
    """DEMO_TOTP_SECRET (base32) as django-otp's hex key."""
    secret = "".join(settings.DEMO_TOTP_SECRET.split()).upper()
    return b32decode(secret + "=" * (-len(secret) % 8)).hex()


def enrol_with_key(user, key: str) -> TOTPDevice:
    """A confirmed authenticator with a known key (the demo accounts, tests)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key, confirmed=True)
