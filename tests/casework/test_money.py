"""Amounts as people type them (PRODUCT.md, "Protecting people")."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from casework.money import MAX_AMOUNT, AmountField, format_yuan, parse_amount


@pytest.fixture(autouse=True)
def english():
    # The site defaults to zh-hans; these tests read the English source messages.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3000", "3000.00"),
        ("3000.5", "3000.50"),
        ("3000.50", "3000.50"),
        ("3,000", "3000.00"),
        ("3,000.00", "3000.00"),
        ("1,234,567.89", "1234567.89"),
        ("¥3,000", "3000.00"),
        ("¥ 3000", "3000.00"),
        ("  3000  ", "3000.00"),
        ("\u30003000\u3000", "3000.00"),  # ideographic spaces around
        ("３０００", "3000.00"),
        ("３，０００．５０", "3000.50"),
        ("￥３０００", "3000.00"),
        ("￥3,000.50", "3000.50"),
        ("0.01", "0.01"),
        ("03000", "3000.00"),
        ("10000000", "10000000.00"),
        ("10,000,000.00", "10000000.00"),
    ],
)
def test_it_accepts_amounts_as_people_type_them(text, expected):
    amount = parse_amount(text)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # always two places


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("¥", "required"),
        ("abc", "invalid"),
        ("3000元", "invalid"),
        ("3 000", "invalid"),
        ("+3000", "invalid"),
        ("3000.", "invalid"),
        (".50", "invalid"),
        ("3.000.00", "invalid"),
        ("3,,000", "invalid"),
        ("NaN", "invalid"),
        ("nan", "invalid"),
        ("Infinity", "invalid"),
        ("inf", "invalid"),
        ("٣٠٠٠", "invalid"),  # Arabic-Indic digits, which Decimal() would take
        ("1e9", "exponent"),
        ("1E3", "exponent"),
        ("1.5e-3", "exponent"),
        ("１ｅ９", "exponent"),
        ("30,00", "thousands_separator"),
        ("3000,000", "thousands_separator"),
        ("3,000,00", "thousands_separator"),
        ("12.345", "max_decimal_places"),
        ("12.340", "max_decimal_places"),
        ("-5", "not_positive"),
        ("-0", "not_positive"),
        ("－５", "not_positive"),
        ("¥-5", "not_positive"),
        ("\u22125", "not_positive"),
        ("0", "not_positive"),
        ("0.00", "not_positive"),
        ("20000000", "max_value"),
        ("10000000.01", "max_value"),
        ("9" * 60, "max_value"),
    ],
)
def test_it_refuses_amounts_that_could_be_misread(text, code):
    with pytest.raises(ValidationError) as refused:
        parse_amount(text)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
        ("1e9", "Write the amount out in full, such as 1000000, not in exponent form."),
        ("30,00", "Commas may only separate thousands, such as 3,000 or 1,200,000.50."),
        ("12.345", "Amounts have at most two decimal places (fen)."),
        ("-5", "The amount must be greater than zero."),
        ("0", "The amount must be greater than zero."),
        ("20000000", "The amount may not exceed ¥10,000,000.00."),
    ],
)
def test_each_refusal_says_why(text, message):
    with pytest.raises(ValidationError) as refused:
        parse_amount(text)
    assert refused.value.messages == [message]


def test_the_maximum_is_ten_million_yuan():
    assert MAX_AMOUNT == Decimal("10000000.00")
    assert parse_amount("10000000") == MAX_AMOUNT


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("197000"), "¥197,000.00"),
        (Decimal("3000.5"), "¥3,000.50"),
        (Decimal("0.01"), "¥0.01"),
        (Decimal("0"), "¥0.00"),
        (Decimal("-0.00"), "¥0.00"),
        (Decimal("-5"), "-¥5.00"),
        (Decimal("-1234.5"), "-¥1,234.50"),
        (Decimal("10000000.00"), "¥10,000,000.00"),
        (2500, "¥2,500.00"),
        ("3000.50", "¥3,000.50"),
        (None, "—"),
    ],
)
def test_format_yuan_shows_amounts_with_separators_and_two_places(value, shown):
    assert format_yuan(value) == shown


def test_format_yuan_refuses_floats():
    with pytest.raises(TypeError):
        format_yuan(3000.5)


def test_the_yuan_filter_formats_amounts_in_templates():
    template = Template("{% load money %}{{ amount|yuan }}|{{ missing|yuan }}|{{ none|yuan }}")
    shown = template.render(Context({"amount": Decimal("197000"), "none": None}))
    assert shown == "¥197,000.00||—"


class AidForm(forms.Form):
    amount = AmountField()
    optional = AmountField(required=False)


def test_amount_field_cleans_to_a_decimal():
    form = AidForm(data={"amount": "３，０００．５０", "optional": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": Decimal("3000.50"), "optional": None}


def test_amount_field_shows_the_reason_for_a_refusal():
    form = AidForm(data={"amount": "1e9"})
    assert not form.is_valid()
    assert form.errors["amount"] == [
        "Write the amount out in full, such as 1000000, not in exponent form."
    ]


def test_amount_field_asks_for_an_amount_when_left_empty():
    form = AidForm(data={"amount": " "})
    assert not form.is_valid()
    assert form.errors["amount"] == ["Enter an amount."]


def test_amount_field_renders_a_decimal_keypad_text_box_with_help():
    form = AidForm()
    html = str(form["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'autocomplete="off"' in html
    assert form.fields["amount"].help_text == (
        "Yuan, up to two decimals; 3000, 3,000.50 and full-width digits are accepted."
    )


def test_amount_field_shows_a_stored_amount_as_a_plain_number():
    form = AidForm(initial={"amount": Decimal("3000")})
    assert 'value="3000.00"' in str(form["amount"])


def test_amount_field_keeps_what_the_user_typed_when_refusing_it():
    form = AidForm(data={"amount": "30,00"})
    assert 'value="30,00"' in str(form["amount"])


def test_amount_field_sees_no_change_when_the_same_amount_is_retyped():
    form = AidForm(initial={"amount": Decimal("3000.00")}, data={"amount": "3,000"})
    assert "amount" not in form.changed_data
