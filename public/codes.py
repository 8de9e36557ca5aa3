"""Tracking codes: what a worker gets after sending a public form, and reads out on
the phone to the union.

Eight characters of Crockford's base32 (no I, L, O or U: nothing to confuse when
read aloud) from `secrets` — 32^8, about 10^12 codes, so a code cannot be guessed —
and a check character (ISO 7064 MOD 37,36, `stdnum.iso7064.mod_37_36`) that catches
every single mistyped character and all but about 1 in 700 swaps of two
neighbours. Shown as
``XXXX-XXXX-C``, stored as the nine characters. Pure: importable without Django.
"""

import secrets

from stdnum.iso7064 import mod_37_36

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 8
LENGTH = BODY_LENGTH + 1
# What people type for what they see (Crockford): O is 0, I and L are 1.
_READS_AS = {"O": "0", "I": "1", "L": "1"}


def new_code() -> str:
    """A fresh code (stored form, nine characters). The check character is drawn
    again until it is in the alphabet too, so a whole code reads without I, L, O, U."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        check = mod_37_36.calc_check_digit(body)
        if check in ALPHABET:
            return body + check


def parse(text: str) -> str | None:
    """The stored form of what a person typed, or None when it is no valid code:
    case, spaces and dashes do not matter, O reads as 0, I and L as 1."""
    typed = "".join(str(text or "").split()).replace("-", "").replace("_", "").upper()
    typed = "".join(_READS_AS.get(c, c) for c in typed)
    if len(typed) != LENGTH or any(c not in ALPHABET for c in typed):
        return None
    return typed if mod_37_36.is_valid(typed) else None


def display(code: str) -> str:
    """``XXXX-XXXX-C`` for a stored code."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}" if code and len(code) == LENGTH else code or ""
