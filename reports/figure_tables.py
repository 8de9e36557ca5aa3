"""The figures as tables: what the page shows, what downloads as CSV and XLSX, what the
leadership report prints. Each table is written once here, with the link of every
figure to the queue of the cases it counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases.models import Kind

from .figures import Figures

COUNT, MONEY, DAYS, TEXT, CHANGE = "count", "money", "days", "text", "change"


@dataclass
class Cell:
    value: object
    type: str = COUNT
    link: str = ""


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]  # (heading, type)
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    @property
    def labelled_rows(self) -> list[list[tuple[str, Cell]]]:
        """Each cell with its column's heading (a phone shows the table as cards)."""
        headings = [heading for heading, _type in self.columns]
        return [list(zip(headings, row, strict=True)) for row in self.rows]


class Links:
    """Queue URLs with the page's own filters (office, kind, occupation, station)."""

    def __init__(self, figures: Figures):
        self.filters = figures.filters
        self.period = figures.period
        self.today = figures.today

    def queue(self, **params) -> str:
        query = {"view": "all"}
        f = self.filters
        for name, value in (
            ("office", f.office),
            ("kind", f.kind),
            ("occupation", f.occupation),
            ("station", f.station),
        ):
            if value:
                query[name] = value
        if f.station:
            query["channel"] = "station"
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        return f"{reverse('cases:queue')}?{urlencode(query)}"

    def _range(self, name: str, start=None, end=None, **params) -> str:
        start = start or self.period.start
        end = end or self.period.end
        return self.queue(
            **{f"{name}_after": start.isoformat(), f"{name}_before": end.isoformat()}, **params
        )

    def opened(self, **params) -> str:
        return self._range("opened", **params)

    def finished(self, **params) -> str:
        return self._range("finished", **params)

    def paid(self, **params) -> str:
        return self._range("paid", kind=Kind.WAGE_DISPUTE, **params)

    def approved(self) -> str:
        return self._range("approved", kind=Kind.HARDSHIP_AID)

    def disbursed(self) -> str:
        return self._range("disbursed", kind=Kind.HARDSHIP_AID)

    def issued(self) -> str:
        return self._range("issued", kind=Kind.MEDICAL_CARD)

    def in_force(self) -> str:
        return self.queue(kind=Kind.MEDICAL_CARD, in_force=self.period.end.isoformat())

    def overdue(self, kind: str = "") -> str:
        return self.queue(clock="overdue", kind=kind or self.filters.kind)

    def counterparty(self, text: str) -> str:
        return self.queue(q=text, kind=Kind.WAGE_DISPUTE)


def change(now, before) -> Cell:
    """The change from last year, as a share (None when there was nothing to compare)."""
    if before in (None, 0) or now is None:
        return Cell(None, CHANGE)
    return Cell((Decimal(now) - Decimal(before)) / Decimal(before), CHANGE)


def headline_rows(figures: Figures, links: Links) -> list[tuple[str, str, object, object, str]]:
    """(key, label, this period, same period last year, link) for each headline figure."""
    now, before = figures.current, figures.last_year
    opened_link = links.opened()
    rows = [
        (
            "workers_helped",
            _("Workers helped"),
            now.workers_helped,
            before.workers_helped,
            links.finished(),
        ),
        (
            "workers_paid",
            _("Workers with money recovered"),
            now.workers_paid,
            before.workers_paid,
            links.paid(),
        ),
        ("recovered", _("Amount recovered"), now.recovered, before.recovered, links.paid()),
        (
            "aid_approved",
            _("Aid applications approved"),
            now.aid_approved,
            before.aid_approved,
            links.approved(),
        ),  # fmt: skip
        (
            "aid_approved_amount",
            _("Aid approved"),
            now.aid_approved_amount,
            before.aid_approved_amount,
            links.approved(),
        ),
        (
            "aid_disbursed",
            _("Aid applications disbursed"),
            now.aid_disbursed,
            before.aid_disbursed,
            links.disbursed(),
        ),
        (
            "aid_disbursed_amount",
            _("Aid disbursed"),
            now.aid_disbursed_amount,
            before.aid_disbursed_amount,
            links.disbursed(),
        ),
        (
            "cards_issued",
            _("Medical cards issued"),
            now.cards_issued,
            before.cards_issued,
            links.issued(),
        ),  # fmt: skip
        (
            "cards_in_force",
            _("Medical cards in force at the end"),
            now.cards_in_force,
            before.cards_in_force,
            links.in_force(),
        ),
        ("opened", _("Cases opened"), now.opened_total(), before.opened_total(), opened_link),
        (
            "finished",
            _("Cases finished"),
            now.finished_total(),
            before.finished_total(),
            links.finished(),
        ),
        (
            "median_days",
            _("Median working days from intake to finish"),
            now.median_days(),
            before.median_days(),
            links.finished(),
        ),
        (
            "stations",
            _("Service stations"),
            now.stations,
            before.stations,
            figures.stations_link,
        ),
        (
            "person_visits",
            _("Person-visits at the stations"),
            now.person_visits,
            before.person_visits,
            figures.stations_link,
        ),
        (
            "overdue",
            _("Open cases past a legal deadline (today)"),
            figures.overdue_total,
            None,
            figures.deadlines_link or links.overdue(),
        ),
    ]
    return [r for r in rows if _applies(r[0], figures)]


_KIND_OF = {
    "workers_paid": Kind.WAGE_DISPUTE,
    "recovered": Kind.WAGE_DISPUTE,
    "aid_approved": Kind.HARDSHIP_AID,
    "aid_approved_amount": Kind.HARDSHIP_AID,
    "aid_disbursed": Kind.HARDSHIP_AID,
    "aid_disbursed_amount": Kind.HARDSHIP_AID,
    "cards_issued": Kind.MEDICAL_CARD,
    "cards_in_force": Kind.MEDICAL_CARD,
}
TYPES = {
    "recovered": MONEY,
    "aid_approved_amount": MONEY,
    "aid_disbursed_amount": MONEY,
    "median_days": DAYS,
}


def _applies(key: str, figures: Figures) -> bool:
    kind = _KIND_OF.get(key)
    return kind is None or figures.filters.allows_kind(kind)


def headline(figures: Figures, links: Links) -> Table:
    table = Table(
        "headline",
        _("Headline figures"),
        [
            (_("Figure"), TEXT),
            (_("This period"), COUNT),
            (_("Same period last year"), COUNT),
            (pgettext("compared with last year", "Change"), CHANGE),
        ],
    )
    for key, label, now, before, link in headline_rows(figures, links):
        type_ = TYPES.get(key, COUNT)
        table.rows.append(
            [
                Cell(label, TEXT),
                Cell(now, type_, link),
                Cell(before, type_),
                change(now, before) if type_ != DAYS else Cell(None, CHANGE),
            ]
        )
    return table


def by_kind(figures: Figures, links: Links) -> Table:
    now, before = figures.current, figures.last_year
    table = Table(
        "kinds",
        _("Cases by kind"),
        [
            (_("Kind"), TEXT),
            (_("Cases opened"), COUNT),
            (_("Opened, last year"), COUNT),
            (_("Cases finished"), COUNT),
            (_("Finished, last year"), COUNT),
            (_("Median working days"), DAYS),
            (_("Median working days, last year"), DAYS),
            (_("Past a legal deadline (today)"), COUNT),
        ],
    )
    opened, opened_before = now.opened_by_kind(), before.opened_by_kind()
    finished, finished_before = now.finished_by_kind(), before.finished_by_kind()
    for kind, label in figures.kinds:
        table.rows.append(
            [
                Cell(str(label), TEXT),
                Cell(opened.get(kind, 0), COUNT, links.opened(kind=kind)),
                Cell(opened_before.get(kind, 0)),
                Cell(finished.get(kind, 0), COUNT, links.finished(kind=kind)),
                Cell(finished_before.get(kind, 0)),
                Cell(now.median_days(kind), DAYS, links.finished(kind=kind)),
                Cell(before.median_days(kind), DAYS),
                Cell(figures.overdue.get(kind, 0), COUNT, links.overdue(kind)),
            ]
        )
    return table


def by_month(figures: Figures, links: Links) -> Table:
    kinds = figures.kinds
    columns = [(_("Month"), TEXT)]
    columns += [(_("Opened: %(kind)s") % {"kind": label}, COUNT) for _k, label in kinds]
    columns += [(_("Finished: %(kind)s") % {"kind": label}, COUNT) for _k, label in kinds]
    columns.append((_("Amount recovered"), MONEY))
    table = Table("months", _("Month by month"), columns)
    opened = {k: figures.opened_per_month(k) for k, _l in kinds}
    finished = {k: figures.finished_per_month(k) for k, _l in kinds}
    recovered = figures.recovered_per_month()
    for i, month in enumerate(figures.months()):
        start = max(month, figures.period.start)
        end = min(_month_end(month), figures.period.end)
        row = [Cell(month.strftime("%Y-%m"), TEXT)]
        row += [
            Cell(
                opened[k][i],
                COUNT,
                links.opened(start=start, end=end, kind=k),
            )
            for k, _l in kinds
        ]
        row += [Cell(finished[k][i], COUNT, links.finished(start=start, end=end, kind=k))
                for k, _l in kinds]  # fmt: skip
        row.append(Cell(recovered[i], MONEY, links.paid(start=start, end=end)))
        table.rows.append(row)
    return table


def _month_end(month: datetime.date) -> datetime.date:
    from .periods import month_end

    return month_end(month)


def by_office(figures: Figures, links: Links) -> Table:
    table = Table(
        "offices",
        _("By office"),
        [
            (_("Office"), TEXT),
            (_("Cases opened"), COUNT),
            (_("Opened, last year"), COUNT),
            (_("Cases finished"), COUNT),
            (_("Amount recovered"), MONEY),
        ],
    )
    for row in figures.by_office():
        office = row["office_id"]
        table.rows.append(
            [
                Cell(row["name"], TEXT),
                Cell(row["opened"], COUNT, links.opened(office=office)),
                Cell(row["opened_last_year"]),
                Cell(row["finished"], COUNT, links.finished(office=office)),
                Cell(row["recovered"], MONEY, links.paid(office=office)),
            ]
        )
    return table


def by_occupation(figures: Figures, links: Links) -> Table:
    table = Table(
        "occupations",
        _("By occupation group"),
        [
            (_("Occupation group"), TEXT),
            (_("Cases opened"), COUNT),
            (_("Cases opened, last year"), COUNT),
            (_("Workers on them"), COUNT),
        ],
        note=_("A case naming workers of several groups counts once in each."),
    )
    for row in figures.by_occupation():
        table.rows.append(
            [
                Cell(str(row["label"]), TEXT),
                Cell(
                    row["cases"],
                    COUNT,
                    links.opened(occupation=row["occupation"]),
                ),
                Cell(row["cases_last_year"]),
                Cell(row["workers"]),
            ]
        )
    return table


def offenders(figures: Figures, links: Links) -> Table:
    table = Table(
        "offenders",
        _("Repeat offenders"),
        [
            (_("Counterparty"), TEXT),
            (_("Unified social credit code"), TEXT),
            (_("Disputes open at the end"), COUNT),
            (_("Disputes finished"), COUNT),
            (_("Still unpaid at the end"), MONEY),
        ],
        note=_(
            "Counterparties with two or more wage disputes open at some time in the period; "
            "a dispute against a chain of counterparties counts for each of them."
        ),
    )
    for o in figures.offenders:
        link = links.counterparty(o.credit_code or o.name)
        table.rows.append(
            [
                Cell(o.name, TEXT, link),
                Cell(o.credit_code, TEXT),
                Cell(o.open, COUNT, link),
                Cell(o.finished, COUNT, link),
                Cell(o.unpaid, MONEY),
            ]
        )
    return table


def by_station(figures: Figures, links: Links) -> Table:
    table = Table(
        "stations",
        _("By service station"),
        [
            (_("Service station"), TEXT),
            (_("Person-visits"), COUNT),
            (_("Cases that came in there"), COUNT),
        ],
    )
    for row in figures.by_station():
        table.rows.append(
            [
                Cell(row["name"], TEXT),
                Cell(row["visits"]),
                Cell(
                    row["cases"],
                    COUNT,
                    links.opened(channel="station", station=row["station_id"]),
                ),
            ]
        )
    return table


def tables(figures: Figures) -> dict[str, Table]:
    links = Links(figures)
    built = [
        headline(figures, links),
        by_kind(figures, links),
        by_month(figures, links),
        by_office(figures, links),
        by_occupation(figures, links),
        by_station(figures, links),
        offenders(figures, links),
    ]
    return {t.name: t for t in built}


def plain(cell: Cell):
    """A cell's value for CSV and XLSX: numbers as numbers, missing as empty."""
    if cell.value is None:
        return None
    if cell.type == MONEY:
        return Decimal(cell.value).quantize(Decimal("0.01"))
    if cell.type == CHANGE:
        return (Decimal(cell.value) * 100).quantize(Decimal("0.1"))
    if cell.type == DAYS:
        return Decimal(cell.value).quantize(Decimal("0.1"))
    return cell.value
