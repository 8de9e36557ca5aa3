"""The API's request bodies are the pages' own forms: these serializers only
describe them in the OpenAPI schema (the forms validate), built from the forms'
fields so that the two cannot drift apart."""

from django import forms
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from casework.money import AmountField


def _field(form_field: forms.Field) -> serializers.Field:
    common = {"required": form_field.required, "help_text": form_field.help_text or None}
    if form_field.label:
        common["label"] = form_field.label
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(form_field, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.MultipleChoiceField):
        return serializers.ListField(
            child=serializers.ChoiceField(choices=form_field.choices), **common
        )
    if isinstance(form_field, forms.ChoiceField):
        choices = [(value, label) for value, label in form_field.choices if value != ""]
        return serializers.ChoiceField(
            choices=choices, allow_blank=not form_field.required, **common
        )
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(allow_null=not form_field.required, **common)
    if isinstance(form_field, AmountField):
        return serializers.DecimalField(
            max_digits=12, decimal_places=2, allow_null=not form_field.required, **common
        )
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=form_field.min_value, max_value=form_field.max_value, **common
        )
    return serializers.CharField(
        max_length=form_field.max_length,
        allow_blank=not form_field.required,
        trim_whitespace=False,
        **common,
    )


def from_form(name: str, form_class, *, exclude=(), **extra) -> type[serializers.Serializer]:
    """A serializer describing `form_class`'s declared fields (and `extra` ones)."""
    fields = {
        field_name: _field(form_field)
        for field_name, form_field in form_class.base_fields.items()
        if field_name not in exclude
    }
    return type(name, (serializers.Serializer,), {**fields, **extra})


def form_data(payload: dict, form_class, *, skip=()) -> tuple[dict, dict]:
    """A JSON object as `form_class`'s data, and errors for values no form field
    takes (an object where one value belongs; true or false but for a yes/no)."""
    data, errors = {}, {}
    for name, value in payload.items():
        if name in skip or value is None:
            continue
        field = form_class.base_fields.get(name)
        if isinstance(value, bool) and not isinstance(field, forms.BooleanField | None):
            errors[name] = [str(NOT_A_VALUE)]
        elif isinstance(value, bool | str):
            data[name] = value
        elif isinstance(value, int | float):
            data[name] = str(value)
        elif isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            data[name] = [str(v) for v in value]
        else:
            errors[name] = [str(NOT_A_VALUE)]
    return data, errors


NOT_A_VALUE = gettext_lazy("Send one value of this field's type here.")
