"""``{% load figures %}`` then ``{{ cell|figure }}``: a figure as the page shows it."""

from decimal import Decimal

from django import template

from casework.money import format_yuan

register = template.Library()


def show(value, type_: str) -> str:
    if value is None:
        return "—"
    if type_ == "money":
        return format_yuan(value)
    if type_ == "days":
        return f"{Decimal(value):.1f}"
    if type_ == "change":
        share = Decimal(value) * 100
        return f"{'+' if share > 0 else ''}{share:.1f}%"
    if type_ == "count":
        return f"{int(value):,}"
    return str(value)


@register.filter
def figure(cell) -> str:
    """A table cell (`figure_tables.Cell`) as text: ¥197,000.00, 1,234, 12.5, +8.0%, —."""
    return show(cell.value, cell.type)


@register.filter
def figure_as(value, type_: str) -> str:
    return show(value, type_)
