"""Form widgets rendered in Python, with the markup of Django's own templates.

Django renders every widget through a template (input.html with attrs.html; select.html
with one select_option.html per option), about 0.6 ms a field: an open wage dispute's
page, with its record forms of some 80 fields, spent about 45 ms of its 65 there. The
plain inputs, text areas, select boxes and the two multi-widget templates (Django's,
and casework/widgets/date_range.html, the queue's "from – until") are written here
instead; any other widget (radio buttons, check-box lists, a custom template) still
goes through its template.
tests/casework/test_fast_rendering.py checks that both give the same markup.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, strip_spaces_between_tags

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
}
OPTION = f"{WIDGETS}select_option.html"
MULTI = f"{WIDGETS}multiwidget.html"
RANGE = "casework/widgets/date_range.html"


def _text(value) -> str:
    """`{{ value|stringformat:'s' }}` under autoescaping."""
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None  # an option of its own template: let it render
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        html = None
        if template_name in INPUTS:
            html = _input(widget)
        elif template_name == f"{WIDGETS}textarea.html":
            html = _textarea(widget)
        elif template_name == f"{WIDGETS}select.html":
            html = _select(widget)
        elif template_name in (MULTI, RANGE):
            parts = [
                self.render(sub["template_name"], {"widget": sub}, request)
                for sub in widget["subwidgets"]
            ]
            if template_name == MULTI:
                # {% spaceless %} around the parts.
                html = strip_spaces_between_tags("".join(parts).strip()) + "\n"
            else:
                first, *rest = parts
                html = (
                    f'<span class="date-range">{first}<span aria-hidden="true">–</span>'
                    f"{''.join(rest)}</span>"
                )
        if html is None:
            return super().render(template_name, context, request)
        # Every value above is escaped; the widget marks what a renderer gives safe.
        return html
