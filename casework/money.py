"""Amounts of money in yuan: typed by people, stored as Decimal, shown as ¥1,234.50.

People type amounts the way they see them on a pay slip or a judgment:
``3000``, ``3,000.50``, ``¥3,000``, or with a Chinese input method in
full-width characters (``３，０００．５０``, ``￥``). All of these are accepted.
Anything that could be misread is refused with a message saying why, rather
than silently rounded or reinterpreted: exponent form, more than two decimals
(fen), commas that are not thousands separators, zero, negative amounts and
amounts over ``MAX_AMOUNT``.

Floats never appear: text goes straight to ``Decimal``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_AMOUNT = Decimal("10000000.00")
CENT = Decimal("0.01")

MESSAGES = {
    "required": _("Enter an amount."),
    "invalid": _("Enter the amount as a plain number, such as 3000 or 3,000.50."),
    "exponent": _("Write the amount out in full, such as 1000000, not in exponent form."),
    "thousands_separator": _("Commas may only separate thousands, such as 3,000 or 1,200,000.50."),
    "max_decimal_places": _("Amounts have at most two decimal places (fen)."),
    "not_positive": _("The amount must be greater than zero."),
    "negative": _("The amount may not be negative."),
    "max_value": _("The amount may not exceed ¥10,000,000.00."),
}

# Full-width forms an IME produces, mapped to what Decimal understands.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},  # ０-９
        "，": ",",
        "．": ".",
        "￥": "¥",
        "－": "-",
        "＋": "+",
        "Ｅ": "E",
        "ｅ": "e",
        "\u2212": "-",  # minus sign, as pasted from documents
    }
)

# [0-9] rather than \d: \d and Decimal() both accept Arabic-Indic and other digits.
_AMOUNT = re.compile(r"(?P<whole>[0-9]+(?:,[0-9]+)*)(?:\.(?P<fraction>[0-9]+))?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_EXPONENT = re.compile(r"[0-9.,]+[eE][+-]?[0-9]+")


def _refuse(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    """Return ``text`` as a Decimal with two places, or raise ValidationError.

    Zero is refused unless ``allow_zero`` (a household's income may be nil;
    money paid or approved never is).

    The error's ``code`` is one of the keys of ``MESSAGES`` (except ``required``
    when called from ``AmountField``, which handles empty input itself).
    """
    text = text.translate(_FULL_WIDTH).strip()
    if text.startswith("¥"):
        text = text[1:].lstrip()
    if not text:
        raise _refuse("required")
    if text.startswith("-"):
        # "-5" and "-0" alike: a sign is never right, and saying "greater than
        # zero" tells the user what to type instead.
        raise _refuse("negative" if allow_zero else "not_positive")
    if _EXPONENT.fullmatch(text):
        raise _refuse("exponent")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _refuse("invalid")
    whole, fraction = match["whole"], match["fraction"] or ""
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise _refuse("thousands_separator")
    if len(fraction) > 2:
        raise _refuse("max_decimal_places")
    # Built exactly with two places; no quantize, which fails past 28 digits.
    amount = Decimal(f"{whole.replace(',', '')}.{fraction:0<2}")
    if amount == 0 and not allow_zero:
        raise _refuse("not_positive")
    if amount > MAX_AMOUNT:
        raise _refuse("max_value")
    return amount


def format_yuan(value: Decimal | int | str | None) -> str:
    """Show an amount as ``¥197,000.00`` (``-¥5.00`` when negative, ``—`` for None)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        raise TypeError("format_yuan takes Decimal, int or str, never float.")
    amount = Decimal(value) if not isinstance(value, Decimal) else value
    if not amount.is_finite():
        raise ValueError(f"Cannot show {value!r} as an amount.")
    amount = amount.quantize(CENT)
    sign = "-" if amount < 0 else ""  # Decimal("-0.00") < 0 is False, so no "-¥0.00"
    return f"{sign}¥{abs(amount):,.2f}"


def plain_amount(value: Decimal) -> str:
    """Show an amount the way a user types it back in: ``3000.00``, no separators."""
    return f"{value.quantize(CENT):f}"


class AmountField(forms.Field):
    """A form field for an amount in yuan; cleans to a two-place Decimal."""

    widget = forms.TextInput
    default_error_messages = {"required": MESSAGES["required"]}

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault(
            "help_text",
            _("Yuan, up to two decimals; 3000, 3,000.50 and full-width digits are accepted."),
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A numeric keypad on phones, but a text box: type="number" would refuse
        # "3,000" and full-width digits before we could explain why.
        attrs.setdefault("inputmode", "decimal")
        attrs.setdefault("autocomplete", "off")
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            value = f"{value:f}"  # not str(): str(Decimal("1E+3")) is "1E+3"
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        elif not isinstance(value, str):
            raise _refuse("invalid")
        if not value.strip():
            return None
        return parse_amount(value, allow_zero=self.allow_zero)

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return plain_amount(value)
        return value
