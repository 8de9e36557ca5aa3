"""``{% load money %}`` then ``{{ aid.amount|yuan }}`` → ``¥3,000.00``."""

from decimal import InvalidOperation

from django import template

from casework.money import format_yuan

register = template.Library()


@register.filter(is_safe=True)
def yuan(value):
    """Show an amount as ``¥197,000.00``; None as ``—``; anything unreadable as empty."""
    try:
        return format_yuan(value)
    except (TypeError, ValueError, InvalidOperation):
        # Template filters fail quietly, like floatformat; the tests catch the cause.
        return ""
