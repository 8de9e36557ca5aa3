"""Identity numbers and contact details: validate, mask, encrypt, find by keyed hash.

PRODUCT.md, "Protecting people": national ID numbers are validated (GB 11643
checksum), stored encrypted, found by exact match through a keyed hash, and
shown masked. This module holds the pure pieces; models and views decide when
to use them and log who saw a full number.

Encryption uses Fernet keys from ``settings.FIELD_ENCRYPTION_KEYS``, newest
first. Every key decrypts; only the first encrypts, so a key is rotated by
putting a new one in front, re-encrypting stored values with ``rotate()``, and
then dropping the old key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

MESSAGES = {
    "id_number": _(
        "Enter a valid 18-character national ID number; the last character is a checksum."
    ),
    "credit_code": _(
        "Enter a valid 18-character unified social credit code; the last character is a checksum."
    ),
    "phone": _(
        "Enter a mobile number (11 digits starting with 1) or a landline number with its "
        "area code, such as 0722-3456789."
    ),
}

# Full-width ASCII (U+FF01-FF5E) as typed with a Chinese IME, to half-width.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WHITESPACE = re.compile(r"\s+")

_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Beijing (010) and 02x cities have 3-digit area codes; all others have 4.
_LANDLINE = re.compile(r"(?P<area>0(?:[12][0-9]|[3-9][0-9]{2}))(?P<local>[2-9][0-9]{6,7})")
_COUNTRY_CODE = re.compile(r"\+?86(?=1[3-9][0-9]{9}$)")


def _half_width(text: str) -> str:
    return _WHITESPACE.sub("", text.translate(_FULL_WIDTH))


# National ID numbers (GB 11643) -------------------------------------------------


def normalize_id_number(text: str) -> str:
    """Strip spaces, turn full-width characters half-width and upper-case the X."""
    return _half_width(text).upper()


def validate_id_number(text: str) -> str:
    """Return the normalized ID number, or raise ValidationError.

    Checks the format, the GB 11643 check character and that the birth date is
    a real date, not in the future. The place code is deliberately not checked
    against python-stdnum's table: that table ties county codes to birth years
    and refuses genuine numbers (e.g. 420381, Danjiangkou, for a 1990 birth).
    """
    number = normalize_id_number(text)
    if not _ID_NUMBER.fullmatch(number):
        raise ValidationError(MESSAGES["id_number"], code="invalid")
    if ric.calc_check_digit(number) != number[-1]:
        raise ValidationError(MESSAGES["id_number"], code="checksum")
    try:
        born = ric.get_birth_date(number)
    except StdnumValidationError:
        raise ValidationError(MESSAGES["id_number"], code="invalid") from None
    if not date(1900, 1, 1) <= born <= timezone.localdate():
        raise ValidationError(MESSAGES["id_number"], code="invalid")
    return number


def birth_date_from_id(number: str) -> date:
    """Return the birth date written in a valid ID number (ValidationError otherwise)."""
    return ric.get_birth_date(validate_id_number(number))


def mask_id_number(number: str) -> str:
    """``420381199001011232`` → ``420381********1232``: place code and last four only."""
    number = normalize_id_number(number)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# Unified social credit codes (GB 32100) ------------------------------------------


def validate_credit_code(text: str) -> str:
    """Return the normalized unified social credit code, or raise ValidationError."""
    try:
        return uscc.validate(_half_width(text).upper())
    except StdnumValidationError:
        raise ValidationError(MESSAGES["credit_code"], code="invalid") from None


# Telephone numbers -----------------------------------------------------------------


def validate_phone(text: str) -> str:
    """Return ``13812345678`` for a mobile or ``0722-3456789`` for a landline.

    Spaces, dashes and brackets (``(0722) 3456789``) are ignored, and a +86 / 86
    prefix before a mobile number is dropped. Anything else raises ValidationError.
    """
    digits = re.sub(r"[-()]", "", _half_width(text))
    digits = _COUNTRY_CODE.sub("", digits, count=1)
    if _MOBILE.fullmatch(digits):
        return digits
    if landline := _LANDLINE.fullmatch(digits):
        return f"{landline['area']}-{landline['local']}"
    raise ValidationError(MESSAGES["phone"], code="invalid")


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; ``0722-3456789`` → ``0722-***6789``."""
    if _MOBILE.fullmatch(phone):
        return phone[:3] + "****" + phone[-4:]
    area, dash, local = phone.rpartition("-")
    if dash and len(local) > 4:
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


# Encryption and keyed hashes ---------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if isinstance(keys, str):  # one key, or a comma-separated list, set directly
        keys = keys.split(",")
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return _multi_fernet(keys)


def encrypt(text: str) -> str:
    """Encrypt with the newest key; the token is URL-safe ASCII."""
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token made with any configured key.

    Raises ``cryptography.fernet.InvalidToken`` when no key fits or the token
    was altered.
    """
    return _fernet().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key (InvalidToken if no key reads it)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def keyed_hash(text: str) -> str:
    """Hex HMAC-SHA256 of the normalized value, keyed with ``settings.ID_HASH_KEY``.

    Lets an exact ID number be looked up without storing it in clear. The value
    is normalized like an ID number (no spaces, half-width, upper case), so
    ``420381 1990...x`` and ``4203811990...X`` hash alike.
    """
    key = settings.ID_HASH_KEY
    if not key:
        raise ImproperlyConfigured("ID_HASH_KEY is empty.")
    message = normalize_id_number(text).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
