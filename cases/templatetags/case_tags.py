"""The pieces every list of cases repeats on each row — the state badge, the deadline,
the workers' names — as tags written in Python, and the queue's rows themselves.

They were template includes; at 50 rows a page the template engine's cost per node
made them a third of a queue page's render. The markup is the same (UI.md: one badge
colour family per state family, the deadline with its days left). The queue's rows
(`queue_rows`) followed: some 20 ms a page of 50 went on the nodes of the row loop.
tests/cases/test_queue_rows.py checks that the tag gives the loop's markup.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext, pgettext

from casework.templatetags.labels import label

from ..models import Priority

register = template.Library()

SHOWN_WORKERS = 3


@register.filter
def rough_count(n: int) -> str:
    """An estimated count (two significant figures) as people say it: "73,000"; in
    Chinese, by ten thousands, "7.3万"."""
    if n >= 10_000 and (get_language() or "").startswith("zh"):
        return f"{n / 10_000:.1f}".removesuffix(".0") + "万"
    return f"{n:,}"


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


# One row of the queue as templates/cases/queue.html had it, its loop's white space
# included: the page is the same to the byte.
QUEUE_ROW = (
    "\n  <tr>"
    '\n    <td data-label="{l_number}"><a class="case-number" href="{url}">{number}</a></td>'
    '\n    <td data-label="{l_kind}">{kind}</td>'
    '\n    <td data-label="{l_workers}">{workers}</td>'
    '\n    <td data-label="{l_office}">{office}</td>'
    '\n    <td data-label="{l_assignee}">{assignee}</td>'
    '\n    <td data-label="{l_state}">{state}</td>'
    '\n    <td data-label="{l_priority}">{priority}</td>'
    '\n    <td data-label="{l_opened}" class="date">{opened}</td>'
    '\n    <td data-label="{l_end}">{end}</td>'
    "\n  </tr>\n  "
)


def _date(value) -> str:
    """`{{ value|date:"Y-m-d" }}`: an aware datetime's day in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.isoformat()


def _choice(case, field_name: str) -> str:
    """`{{ case|label:field_name|capfirst }}`."""
    return capfirst(str(label(case, field_name)))


@register.simple_tag
def queue_rows(page, view: str) -> str:
    """The queue's table rows, `<tr>` by `<tr>`: the end column is the finished date
    and outcome in the finished view (and for a finished case), the deadline else."""
    finished_view = view == "finished"
    # Translated (and escaped) once for the page, not once a row; each gettext() names
    # its text, for makemessages.
    labels = {
        name: conditional_escape(text)
        for name, text in {
            "l_number": gettext("Case number"),
            "l_kind": gettext("Kind"),
            "l_workers": gettext("Workers"),
            "l_office": gettext("Office"),
            "l_assignee": gettext("Assignee"),
            "l_state": gettext("State"),
            "l_priority": gettext("Priority"),
            "l_opened": gettext("Opened"),
            "l_end": gettext("Finished") if finished_view else gettext("Deadline"),
        }.items()
    }
    unassigned = gettext("Unassigned")

    def row(case) -> dict:
        if case.priority != Priority.NORMAL:
            priority = format_html(
                '<span class="priority priority-{}">{}</span>',
                case.priority,
                label(case, "priority"),
            )
        else:
            priority = _choice(case, "priority")
        if finished_view or case.is_finished:
            end = format_html(
                '<span class="date">{}</span> {}', _date(case.finished_at), _choice(case, "outcome")
            )
        else:
            end = due(case)
        office = case.office
        return {
            **labels,
            "url": case.get_absolute_url(),
            "number": case.number,
            "kind": _choice(case, "kind"),
            "workers": worker_names(case),
            "office": office.short_name or office.name,
            "assignee": case.assignee or unassigned,
            "state": state_badge(case),
            "priority": priority,
            "opened": _date(case.opened_at),
            "end": end,
        }

    return format_html_join("", QUEUE_ROW, (row(case) for case in page))
