"""The pieces every list of cases repeats on each row — the state badge, the deadline,
the workers' names — as tags written in Python.

They were template includes; at 50 rows a page the template engine's cost per node
made them a third of a queue page's render. The markup is the same (UI.md: one badge
colour family per state family, the deadline with its days left).
"""

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext

from casework.templatetags.labels import label

register = template.Library()

SHOWN_WORKERS = 3


@register.simple_tag
def state_badge(case) -> str:
    family = case.state_family
    text = capfirst(label(case, "state"))
    if family == "overdue":
        text = format_html("{} · {}", text, gettext("overdue"))
    return format_html('<span class="badge badge-{}">{}</span>', family, text)


@register.simple_tag
def due(case) -> str:
    days = case.days_left
    if days is None:
        return format_html('<span class="muted">{}</span>', "—")
    if days < 0:
        n = case.overdue_days
        text = ngettext("overdue by %(days)s day", "overdue by %(days)s days", n) % {"days": n}
        badge = format_html('<span class="due due-overdue">{}</span>', text)
    else:
        text = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
        badge = format_html('<span class="due{}">{}</span>', " due-soon" if days <= 3 else "", text)
    html = format_html('{} <span class="date">{}</span>', badge, case.due_on.isoformat())
    if case.due_provisional:
        html = format_html(
            '{} <abbr class="provisional" title="{}">{}</abbr>',
            html,
            gettext(
                "Computed on weekends alone: the official holiday schedule for that year "
                "is not known yet."
            ),
            gettext("provisional"),
        )
    return html


@register.simple_tag
def worker_names(case) -> str:
    """The first three workers' names, and how many in all when there are more."""
    links = list(case.case_workers.all())
    separator = pgettext("list separator", ", ")
    names = separator.join(link.worker.name for link in links[:SHOWN_WORKERS])
    if len(links) > SHOWN_WORKERS:
        n = len(links)
        names += ngettext("(%(n)s worker)", "(%(n)s workers)", n) % {"n": n}
    return names
