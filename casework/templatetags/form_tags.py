"""A form's fields, labels, help and errors written in Python, with the markup that
templates/includes/form.html and field.html wrote as template loops.

Through the template each field cost about 0.2 ms: an open wage dispute's page renders
some 54 fields in 15 forms, 12.7 of its 53 ms. The widgets themselves are already
written in Python (casework/form_renderer.py). tests/casework/test_form_tags.py keeps
the old templates and checks that both give the same markup, to the byte.
"""

from django import template
from django.template.defaultfilters import capfirst
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


def _label(field) -> str:
    """`{{ field.label|capfirst }}`."""
    return conditional_escape(capfirst(field.label))


@register.simple_tag
def form_field(field) -> str:
    """One field: its label (a check box's after it), widget, help text and errors."""
    errors = field.errors
    checkbox = getattr(field.field.widget, "input_type", None) == "checkbox"
    label = _label(field)
    for_id = conditional_escape(field.id_for_label)
    widget = conditional_escape(field)
    if checkbox:
        required = ' <span class="req" aria-hidden="true">*</span>' if field.field.required else ""
        body = f'\n    {widget} <label for="{for_id}">{label}{required}</label>\n  '
    else:
        required = (
            '<span class="req" aria-hidden="true">*</span>'
            f'<span class="sr">{conditional_escape(gettext("(required)"))}</span>'
            if field.field.required
            else ""
        )
        required = f" {required}" if required else ""
        body = f'\n    <label for="{for_id}">{label}{required}</label>\n    {widget}\n  '
    auto_id = conditional_escape(field.auto_id)
    help_text = (
        f'<p class="help" id="{auto_id}_helptext">{conditional_escape(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    error = (
        f'<p class="error" id="{auto_id}_error">'
        f"{' '.join(conditional_escape(e) for e in errors)}</p>"
        if errors
        else ""
    )
    classes = ("field", " has-error" if errors else "", " checkbox" if checkbox else "")
    # Every value above is escaped.
    return mark_safe(
        f'<div class="{"".join(classes)}">\n  {body}\n  {help_text}\n  {error}\n</div>\n'
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
                (field.id_for_label, mark_safe(_label(field)), separator, error)
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
    hidden = "".join(conditional_escape(field) for field in form.hidden_fields())
    visible = "".join(form_field(field) for field in form.visible_fields())
    return mark_safe(f'{summary}\n{hidden}\n<div class="form-grid">{visible}</div>\n')
