"""A form's fields, labels, help and errors written in Python, with the markup that
templates/includes/form.html and field.html wrote as template loops.

Through the template each field cost about 0.2 ms: an open wage dispute's page renders
some 54 fields in 15 forms, 12.7 of its 53 ms. The widgets themselves are already
written in Python (casework/form_renderer.py). tests/casework/test_form_tags.py keeps
the old templates and checks that both give the same markup, to the byte.
"""

from django import template
from django.template.defaultfilters import capfirst
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext

register = template.Library()


def _required(checkbox: bool) -> str:
    """The asterisk after a required field's label (and, but for a check box, the
    words "(required)" for a screen reader)."""
    star = format_html('<span class="req" aria-hidden="true">{}</span>', "*")
    if checkbox:
        return format_html(" {}", star)
    return format_html(' {}<span class="sr">{}</span>', star, gettext("(required)"))


@register.simple_tag
def form_field(field) -> str:
    """One field: its label (a check box's after it), widget, help text and errors."""
    errors = field.errors
    checkbox = getattr(field.field.widget, "input_type", None) == "checkbox"
    label = capfirst(field.label)
    required = _required(checkbox) if field.field.required else ""
    if checkbox:
        body = format_html(
            '\n    {} <label for="{}">{}{}</label>\n  ', field, field.id_for_label, label, required
        )
    else:
        body = format_html(
            '\n    <label for="{}">{}{}</label>\n    {}\n  ',
            field.id_for_label,
            label,
            required,
            field,
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text
        )
    error = ""
    if errors:
        error = format_html(
            '<p class="error" id="{}_error">{}</p>',
            field.auto_id,
            format_html_join(" ", "{}", ((e,) for e in errors)),
        )
    return format_html(
        '<div class="field{}{}">\n  {}\n  {}\n  {}\n</div>\n',
        " has-error" if errors else "",
        " checkbox" if checkbox else "",
        body,
        help_text,
        error,
    )


@register.simple_tag
def form_body(form) -> str:
    """A form's error summary (each field's errors linked to it), its hidden fields and
    its visible fields in a grid."""
    summary = ""
    if form.errors:
        separator = pgettext("label separator", ":")
        non_field = format_html_join(
            "", '<li class="error">{}</li>', ((e,) for e in form.non_field_errors())
        )
        per_field = format_html_join(
            "",
            '<li><a href="#{}">{}</a>{} {}</li>',
            (
                (field.id_for_label, capfirst(field.label), separator, error)
                for field in form.visible_fields()
                for error in field.errors
            ),
        )
        summary = format_html(
            '<div class="error-summary" role="alert">\n  <p>{}</p>\n  <ul>\n  {}\n  {}\n'
            "  </ul>\n</div>",
            gettext("Please correct the following:"),
            non_field,
            per_field,
        )
    return format_html(
        '{}\n{}\n<div class="form-grid">{}</div>\n',
        summary,
        format_html_join("", "{}", ((field,) for field in form.hidden_fields())),
        format_html_join("", "{}", ((form_field(field),) for field in form.visible_fields())),
    )
