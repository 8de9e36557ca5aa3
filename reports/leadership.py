"""The leadership report (工作简报): a period's figures for the federation's leaders, as
an A4 PDF in the style of the seed's report — a headline paragraph composed from
the figures, the tables and charts of the figures page, the comparison with the
previous period and with the same period last year, and the repeat offenders.

Nothing in it depends on when it is produced except through the figures: the
figures of a past period are counted from dated records, and the PDF carries
no date of printing, so a past period's report is the same each time.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.pdf import render_pdf

from . import charts, periods
from .figure_tables import Links, headline_rows, tables
from .figures import Figures

WAN = Decimal(10000)


def wan(amount: Decimal) -> str:
    """An amount in 万元 as the seed writes it: 197000 → 19.7, 12345 → 1.23."""
    value = (Decimal(amount) / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def period_words(figures: Figures) -> str:
    choice = figures.period.choice
    return {
        periods.THIS_MONTH: pgettext("report", "This month"),
        periods.LAST_MONTH: pgettext("report", "Last month"),
        periods.THIS_QUARTER: pgettext("report", "This quarter"),
        periods.THIS_YEAR: pgettext("report", "This year"),
        periods.LAST_12_MONTHS: pgettext("report", "In the last 12 months"),
    }.get(choice, pgettext("report", "In this period"))


def trend(now, before) -> str:
    """ "up 12.5%" / "down 3.0%" / "unchanged" / "" when there is nothing to compare."""
    if not before:
        return ""
    share = (Decimal(now) - Decimal(before)) / Decimal(before) * 100
    share = share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if share > 0:
        return _("up %(share)s%%") % {"share": share}
    if share < 0:
        return _("down %(share)s%%") % {"share": -share}
    return _("unchanged")


def headline_paragraphs(figures: Figures, scope_name: str) -> list[str]:
    """The report's opening paragraphs, composed from the figures."""
    now = figures.current
    first = _(
        "%(period)s, %(scope)s recovered economic losses of %(wan)s ten-thousand yuan "
        "(%(amount)s) for %(paid)s new-form workers, finished %(finished)s cases and helped "
        "%(helped)s workers; it approved %(aid)s hardship aid applications (%(aid_amount)s), "
        "disbursed %(disbursed)s, and issued %(cards)s medical cards (惠工卡), %(in_force)s "
        "of them in force at the end of the period."
    ) % {
        "period": period_words(figures),
        "scope": scope_name,
        "wan": wan(now.recovered),
        "amount": _yuan(now.recovered),
        "paid": now.workers_paid,
        "finished": now.finished_total(),
        "helped": now.workers_helped,
        "aid": now.aid_approved,
        "aid_amount": _yuan(now.aid_approved_amount),
        "disbursed": _yuan(now.aid_disbursed_amount),
        "cards": now.cards_issued,
        "in_force": now.cards_in_force,
    }
    paragraphs = [first]
    comparisons = []
    for label, other in ((_("the previous period"), figures.previous),
                         (_("the same period last year"), figures.last_year)):  # fmt: skip
        if other is None:
            continue
        parts = [
            (_("the amount recovered"), trend(now.recovered, other.recovered)),
            (_("workers helped"), trend(now.workers_helped, other.workers_helped)),
            (_("cases opened"), trend(now.opened_total(), other.opened_total())),
        ]
        said = [
            _("%(what)s is %(trend)s") % {"what": what, "trend": how} for what, how in parts if how
        ]
        if said:
            comparisons.append(
                _("Compared with %(other)s, %(changes)s.")
                % {"other": label, "changes": _(", ").join(said)}
            )
    if comparisons:
        paragraphs.append(" ".join(comparisons))
    if figures.overdue_total:
        paragraphs.append(
            _("On %(today)s, %(n)s open cases were past a legal deadline.")
            % {"today": date_format(figures.today, "DATE_FORMAT"), "n": figures.overdue_total}
        )
    return paragraphs


def _yuan(amount) -> str:
    from casework.money import format_yuan

    return format_yuan(amount)


def comparison_rows(figures: Figures) -> list[dict]:
    """The headline figures: this period, the previous one, the same period last year."""
    links = Links(figures)
    previous = {}
    if figures.previous is not None:
        swapped = Figures(
            filters=figures.filters,
            period=figures.period,
            current=figures.previous,
            last_year=figures.last_year,
            overdue=figures.overdue,
            offenders=[],
            offices=figures.offices,
            today=figures.today,
        )
        previous = {key: now for key, _l, now, _b, _link in headline_rows(swapped, links)}
    return [
        {"key": key, "label": label, "now": now, "previous": previous.get(key), "last_year": before}
        for key, label, now, before, _link in headline_rows(figures, links)
        if key != "overdue"
    ]


def report_pdf(figures: Figures, *, scope_name: str, chart_set) -> bytes:
    built = tables(figures)
    built.pop("headline")
    months = built.pop("months")
    return render_pdf(
        "pdf/figures_report.html",
        {
            "figures": figures,
            "scope_name": scope_name,
            "paragraphs": headline_paragraphs(figures, scope_name),
            "comparison": comparison_rows(figures),
            "tables": list(built.values()),
            "months": months,
            "charts": chart_set(figures, charts.PRINT_FONT),
            "period_words": period_words(figures),
            # The running header of pdf/base.html.
            "case": {"office": {"name": scope_name}, "number": _period_label(figures)},
        },
    )


def _period_label(figures: Figures) -> str:
    p = figures.period
    return f"{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d}"
