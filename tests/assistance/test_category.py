"""The hardship category (DOMAIN.md, "Hardship aid"), on the edges of each band.

deep:      (income − rigid spending) ÷ 12 ÷ household size  <  the 低保 line
relative:  the same figure                                   <  2 × the line
accident:  one-off costs                                      >  80% of income
The first that matches, in that order; otherwise not in hardship. Exact
decimals, strict comparisons, nothing rounded.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistance.models import Category, hardship_category

LINE = Decimal("720.00")


def category(income, rigid="0", one_off="0", size=1, line=LINE) -> Category:
    return hardship_category(
        annual_income=Decimal(income),
        annual_rigid_spending=Decimal(rigid),
        one_off_costs=Decimal(one_off),
        household_size=size,
        dibao_line=Decimal(line),
    )


def reference_category(income, rigid, one_off, size, line) -> Category:
    """DOMAIN.md read literally, with exact rational division instead of multiplying out."""
    per_person_month = Fraction(income - rigid) / 12 / size
    if per_person_month < Fraction(line):
        return Category.DEEP
    if per_person_month < 2 * Fraction(line):
        return Category.RELATIVE
    if Fraction(one_off) > Fraction(4, 5) * Fraction(income):
        return Category.ACCIDENT
    return Category.NONE


# Deeper first: the order in which DOMAIN.md tries them.
DEPTH = {Category.DEEP: 3, Category.RELATIVE: 2, Category.ACCIDENT: 1, Category.NONE: 0}


# --- the edges, one household member, a line of 720 a month (8640 a year) ---------------


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("0", Category.DEEP),
        ("8639.99", Category.DEEP),
        ("8640.00", Category.RELATIVE),  # exactly at the line is not deep
        ("8640.01", Category.RELATIVE),
        ("17279.99", Category.RELATIVE),
        ("17280.00", Category.NONE),  # exactly 2 × the line is not relative
        ("17280.01", Category.NONE),
    ],
)
def test_deep_and_relative_are_strictly_below_the_line_and_twice_the_line(income, expected):
    assert category(income) == expected


@pytest.mark.parametrize(
    ("one_off", "expected"),
    [
        ("0", Category.NONE),
        ("15999.99", Category.NONE),
        ("16000.00", Category.NONE),  # exactly 80% of 20000 is not accident
        ("16000.01", Category.ACCIDENT),
        ("100000.00", Category.ACCIDENT),
    ],
)
def test_accident_needs_one_off_costs_strictly_above_80_percent_of_income(one_off, expected):
    assert category("20000.00", one_off=one_off) == expected


def test_rigid_spending_is_taken_off_the_income_first():
    # 30000 − 21360.01 = 8639.99: just under the line.
    assert category("30000.00", rigid="21360.01") == Category.DEEP
    assert category("30000.00", rigid="21360.00") == Category.RELATIVE


def test_spending_above_income_is_deep_hardship():
    assert category("10000.00", rigid="12000.00") == Category.DEEP


def test_the_figure_is_per_person_of_the_household():
    # 3 people: the line is 720 × 12 × 3 = 25920 a year.
    assert category("25919.99", size=3) == Category.DEEP
    assert category("25920.00", size=3) == Category.RELATIVE
    assert category("51839.99", size=3) == Category.RELATIVE
    assert category("51840.00", size=3) == Category.NONE


def test_a_line_in_fen_is_compared_without_rounding():
    # 733.33 × 12 × 3 = 26399.88; 26399.87 ÷ 36 = 733.3297… is below the line.
    assert category("26399.87", size=3, line="733.33") == Category.DEEP
    assert category("26399.88", size=3, line="733.33") == Category.RELATIVE


def test_one_fen_per_person_a_month_below_the_line_is_still_deep():
    # Per person a month 719.99 in a household of 7: a difference rounding to 2 places would keep.
    assert category(str(Decimal("719.99") * 12 * 7), size=7) == Category.DEEP
    # And a figure below the line by a fraction of a fen, too: 60479.99 ÷ 84 = 719.9998…
    assert category("60479.99", size=7) == Category.DEEP


def test_deep_comes_before_accident():
    assert category("8000.00", one_off="100000.00") == Category.DEEP


def test_relative_comes_before_accident():
    assert category("10000.00", one_off="100000.00") == Category.RELATIVE


def test_no_income_and_no_costs_is_deep_hardship_not_a_division_by_zero():
    assert category("0", one_off="0") == Category.DEEP


# --- properties -----------------------------------------------------------------------------


def amounts(max_value="2000000"):
    return st.decimals(
        min_value=Decimal("0"),
        max_value=Decimal(max_value),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )


lines = st.decimals(min_value=Decimal("100"), max_value=Decimal("3000"), places=2, allow_nan=False)
sizes = st.integers(min_value=1, max_value=12)


@settings(max_examples=500)
@given(income=amounts(), rigid=amounts(), one_off=amounts(), size=sizes, line=lines)
@example(
    income=Decimal("26399.87"),
    rigid=Decimal("0"),
    one_off=Decimal("0"),
    size=3,
    line=Decimal("733.33"),
)
@example(  # exactly at the line
    income=Decimal("26399.88"),
    rigid=Decimal("0"),
    one_off=Decimal("0"),
    size=3,
    line=Decimal("733.33"),
)
@example(  # exactly twice the line, after rigid spending
    income=Decimal("18280.00"),
    rigid=Decimal("1000.00"),
    one_off=Decimal("0"),
    size=1,
    line=Decimal("720.00"),
)
@example(  # exactly 80%
    income=Decimal("20000.00"),
    rigid=Decimal("0"),
    one_off=Decimal("16000.00"),
    size=1,
    line=Decimal("720.00"),
)
def test_the_category_is_domain_md_read_literally(income, rigid, one_off, size, line):
    assert hardship_category(
        annual_income=income,
        annual_rigid_spending=rigid,
        one_off_costs=one_off,
        household_size=size,
        dibao_line=line,
    ) == reference_category(income, rigid, one_off, size, line)


@given(rigid=amounts("100000"), size=sizes, line=lines, times=st.sampled_from([1, 2]))
def test_exactly_at_the_line_or_twice_the_line_is_never_the_deeper_band(rigid, size, line, times):
    income = rigid + times * line * 12 * size
    result = category(income, rigid=rigid, size=size, line=line)
    assert result == (Category.RELATIVE if times == 1 else Category.NONE)
    one_fen_less = category(income - Decimal("0.01"), rigid=rigid, size=size, line=line)
    assert one_fen_less == (Category.DEEP if times == 1 else Category.RELATIVE)


# Incomes in whole multiples of 5 fen, so that 80% of them is an amount in fen.
incomes_of_5_fen = st.integers(min_value=48_000, max_value=20_000_000).map(
    lambda n: Decimal(n * 5) / 100
)


@given(income=incomes_of_5_fen)
def test_exactly_80_percent_is_never_an_accident(income):
    # A line of 100 for one person: 2400 a year or more is not in hardship by income.
    one_off = income * 4 / 5
    assert category(income, line="100") == Category.NONE

    assert category(income, one_off=one_off, line="100") == Category.NONE
    assert category(income, one_off=one_off + Decimal("0.01"), line="100") == Category.ACCIDENT


@given(
    income=amounts(),
    more=amounts("100000"),
    rigid=amounts(),
    one_off=amounts(),
    size=sizes,
    line=lines,
)
def test_more_income_never_makes_hardship_deeper(income, more, rigid, one_off, size, line):
    before = category(income, rigid=rigid, one_off=one_off, size=size, line=line)
    after = category(income + more, rigid=rigid, one_off=one_off, size=size, line=line)
    assert DEPTH[after] <= DEPTH[before]


@given(
    income=amounts(),
    rigid=amounts(),
    more=amounts("100000"),
    one_off=amounts(),
    size=sizes,
    line=lines,
)
def test_more_rigid_spending_never_makes_hardship_lighter(income, rigid, more, one_off, size, line):
    before = category(income, rigid=rigid, one_off=one_off, size=size, line=line)
    after = category(income, rigid=rigid + more, one_off=one_off, size=size, line=line)
    assert DEPTH[after] >= DEPTH[before]


@given(income=amounts(), rigid=amounts(), one_off=amounts(), size=sizes, line=lines)
def test_a_larger_household_or_a_higher_line_never_makes_hardship_lighter(
    income, rigid, one_off, size, line
):
    base = category(income, rigid=rigid, one_off=one_off, size=size, line=line)
    larger = category(income, rigid=rigid, one_off=one_off, size=size + 1, line=line)
    higher = category(income, rigid=rigid, one_off=one_off, size=size, line=line + 1)
    assert DEPTH[larger] >= DEPTH[base]
    assert DEPTH[higher] >= DEPTH[base]


@given(income=amounts(), rigid=amounts(), one_off=amounts(), more=amounts("100000"))
def test_larger_one_off_costs_never_make_hardship_lighter(income, rigid, one_off, more):
    before = category(income, rigid=rigid, one_off=one_off)
    after = category(income, rigid=rigid, one_off=one_off + more)
    assert DEPTH[after] >= DEPTH[before]
