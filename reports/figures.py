"""The federation's figures: how many workers were helped, how much was recovered,
how many cards were issued, for a period, an office, a kind and an occupation group.

Every figure is an aggregate query (COUNT, SUM, GROUP BY) over the case tables:
no case row is read into Python. The rules are written out for readers on the
figures' rules page (`templates/reports/figure_rules.html`) and each is tested
against a query written independently (`tests/reports/test_figures.py`):

- **Workers helped**: distinct workers named on a case finished in the period
  (any way it finished). A worker with two cases counts once; each worker of
  a collective case counts.
- **Workers with money recovered, amount recovered**: payments received in the
  period (their date of receipt), voided payments excluded; distinct workers
  paid, and the sum. A payment dated after the period counts in the period it
  falls in.
- **Aid approved / disbursed**: applications approved (date of the final
  approval) and disbursed (date of disbursement) in the period, with the amounts.
- **Cards issued**: cards whose term begins in the period; **cards in force**:
  cards valid on the period's last day.
- **Cases opened / finished**: by the date opened and the date finished.
- **Median working days from intake to finish**: over the cases finished in the
  period, working days counted on the holiday calendar (`reports.periods`).
- **Stations, person-visits**: stations active now and opened by the period's
  end; the person-visits their daily tallies count in the period (the kind and
  occupation filters do not apply to them).
- **Open cases past a legal clock**: open now with their nearest deadline
  passed, as of today (there is no history of deadlines).
- **Repeat offenders**: counterparties of the wage disputes open at some time in
  the period, ranked by their disputes (open at the period's end, finished in
  it), with what is still unpaid at the period's end: for each worker, what was
  agreed minus what they received by then, never below zero.

Scope: caseworkers see their own office's figures, supervisors their offices
and those under them (a city supervisor the whole city), auditors the whole city.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import AidApplication, CardApplication
from cases.models import (
    FINISHED_STATES,
    Case,
    CaseWorker,
    DisputeCounterparty,
    Kind,
    Occupation,
    Payment,
)
from casework.models import Office, ServiceTally, Station

from .models import WorkingDay
from .periods import CALENDAR_START, Period, ensure_working_days

ZERO = Decimal("0.00")
OFFENDERS_SHOWN = 20


# --- who sees what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The offices whose figures a user may read; None: every office (the whole city)."""

    office_ids: frozenset[int] | None

    def allows(self, office_id: int) -> bool:
        return self.office_ids is None or office_id in self.office_ids


def scope_for(user) -> Scope:
    """Caseworkers: their office; supervisors: theirs and those under them;
    auditors: the whole city. Anyone else has no figures to read."""
    if user.is_auditor:
        return Scope(None)
    ids: set[int] = set()
    if user.is_supervisor:
        ids |= user.supervised_office_ids
    if user.is_caseworker and user.office_id:
        ids.add(user.office_id)
    if not ids:
        raise PermissionDenied(_("Only caseworkers, supervisors and auditors read the figures."))
    return scope_of(ids)


def scope_of(office_ids: set[int]) -> Scope:
    """The figures of these offices; the whole city's when they are every office."""
    if office_ids >= set(Office.objects.values_list("pk", flat=True)):
        return Scope(None)
    return Scope(frozenset(office_ids))


@dataclass(frozen=True)
class Filters:
    """What the figures are about, besides the period: empty means all."""

    scope: Scope
    office: int | None = None
    station: int | None = None
    kind: str = ""
    occupation: str = ""

    def cases(self, prefix: str = "") -> Q:
        """The conditions on a case row reached through `prefix` ("dispute__", …)."""
        q = Q()
        if self.scope.office_ids is not None:
            q &= Q(**{f"{prefix}office_id__in": sorted(self.scope.office_ids)})
        if self.office:
            q &= Q(**{f"{prefix}office_id": self.office})
        if self.kind:
            q &= Q(**{f"{prefix}kind": self.kind})
        if self.station:
            q &= Q(**{f"{prefix}station_id": self.station})
        if self.occupation:
            named = CaseWorker.objects.filter(worker__occupation=self.occupation)
            q &= Q(**{f"{prefix}pk__in": named.values("case_id")})
        return q

    def workers(self, prefix: str = "worker__") -> Q:
        """The occupation group of the worker counted (not just of someone on the case)."""
        return Q(**{f"{prefix}occupation": self.occupation}) if self.occupation else Q()

    def allows_kind(self, kind: str) -> bool:
        return not self.kind or self.kind == kind


def _in(period: Period, field_name: str, *, dates: bool = False) -> Q:
    """`field_name` falls in the period: a date between its days, or a time between
    local midnight of its first day and local midnight after its last."""
    if dates:
        return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lte": period.end})
    return Q(**{f"{field_name}__gte": period.start_at, f"{field_name}__lt": period.end_before})


# --- what one period's figures hold ----------------------------------------------------------


@dataclass
class Measure:
    """One period's figures (the page puts two side by side)."""

    period: Period
    opened: dict = field(default_factory=dict)  # (kind, month, office) -> n
    finished: dict = field(default_factory=dict)
    workers_helped: int = 0
    workers_paid: int = 0
    recovered: Decimal = ZERO
    recovered_by: dict = field(default_factory=dict)  # (month, office) -> Decimal
    aid_approved: int = 0
    aid_approved_amount: Decimal = ZERO
    aid_disbursed: int = 0
    aid_disbursed_amount: Decimal = ZERO
    cards_issued: int = 0
    cards_in_force: int = 0
    durations: dict = field(default_factory=dict)  # kind -> {working days: n}
    by_occupation: dict = field(default_factory=dict)  # occupation -> (cases, workers)
    stations: int = 0
    person_visits: int = 0
    by_station: dict = field(default_factory=dict)  # station -> (cases opened, person-visits)

    # Sums of the grouped counts, read by the page, the tables and the report.

    def opened_by_kind(self) -> dict[str, int]:
        return _sum_by(self.opened, 0)

    def finished_by_kind(self) -> dict[str, int]:
        return _sum_by(self.finished, 0)

    def opened_total(self) -> int:
        return sum(self.opened.values())

    def finished_total(self) -> int:
        return sum(self.finished.values())

    def median_days(self, kind: str | None = None) -> Decimal | None:
        if kind is None:
            merged: dict[int, int] = defaultdict(int)
            for histogram in self.durations.values():
                for days, n in histogram.items():
                    merged[days] += n
            return median(merged)
        return median(self.durations.get(kind, {}))


def _sum_by(grouped: dict, position: int) -> dict:
    totals: dict = defaultdict(int)
    for key, n in grouped.items():
        totals[key[position]] += n
    return dict(totals)


def median(histogram: dict[int, int]) -> Decimal | None:
    """The median of values given as {value: how many times}; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th smallest value, from 0
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)  # pragma: no cover

    middle = total // 2
    if total % 2:
        return Decimal(nth(middle))
    return (Decimal(nth(middle - 1)) + Decimal(nth(middle))) / 2


def measure(
    filters: Filters, period: Period, today: datetime.date, *, detail: bool = True
) -> Measure:
    """Every figure of one period, about ten aggregate queries (the table by
    occupation group only with `detail`: the page compares the others)."""
    result = Measure(period)
    cases = Case.objects.filter(filters.cases())
    local_month = TruncMonth("opened_at")
    for row in (
        cases.filter(_in(period, "opened_at"))
        .values("kind", "office_id", month=local_month)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result.opened[(row["kind"], row["month"], row["office_id"])] = row["n"]
    finished = cases.filter(_in(period, "finished_at"), state__in=FINISHED_STATES)
    for row in (
        finished.values("kind", "office_id", month=TruncMonth("finished_at"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result.finished[(row["kind"], row["month"], row["office_id"])] = row["n"]

    result.workers_helped = CaseWorker.objects.filter(
        filters.cases("case__"),
        filters.workers(),
        _in(period, "case__finished_at"),
        case__state__in=FINISHED_STATES,
    ).aggregate(n=Count("worker_id", distinct=True))["n"]

    if filters.allows_kind(Kind.WAGE_DISPUTE):
        _recovered(result, filters, period)
    if filters.allows_kind(Kind.HARDSHIP_AID):
        _aid(result, filters, period)
    if filters.allows_kind(Kind.MEDICAL_CARD):
        _cards(result, filters, period)
    _durations(result, finished)
    _stations(result, filters, period, cases if detail else None)
    if not detail:
        return result
    for row in (
        CaseWorker.objects.filter(
            filters.cases("case__"), filters.workers(), _in(period, "case__opened_at")
        )
        .values("worker__occupation")
        .annotate(cases=Count("case_id", distinct=True), workers=Count("worker_id", distinct=True))
        .order_by()
    ):
        result.by_occupation[row["worker__occupation"]] = (row["cases"], row["workers"])
    return result


def _stations(
    result: Measure, filters: Filters, period: Period, cases, came_in: dict | None = None
) -> None:
    """Stations open by the period's end (and active), their person-visits in the
    period (the daily tallies), and with `cases` the cases that came in at each
    (or `came_in`, counted already: reports.summary)."""
    stations = Station.objects.active().filter(opened_on__lte=period.end)
    if filters.scope.office_ids is not None:
        stations = stations.for_offices(filters.scope.office_ids)
    if filters.office:
        stations = stations.filter(office_id=filters.office)
    if filters.station:
        stations = stations.filter(pk=filters.station)
    result.stations = stations.count()
    visits = dict(
        ServiceTally.objects.for_stations(stations)
        .in_period(period.start, period.end)
        .values_list("station_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    result.person_visits = sum(visits.values())
    if came_in is None:
        if cases is None:
            return
        came_in = dict(
            cases.filter(_in(period, "opened_at"), station_id__isnull=False)
            .values_list("station_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    for station in set(visits) | set(came_in):
        result.by_station[station] = (came_in.get(station, 0), visits.get(station, 0))


def _recovered(result: Measure, filters: Filters, period: Period) -> None:
    payments = Payment.objects.valid().filter(
        filters.cases("dispute__"), filters.workers(), _in(period, "paid_on", dates=True)
    )
    result.workers_paid = payments.aggregate(n=Count("worker_id", distinct=True))["n"]
    for row in (
        payments.values("dispute__office_id", month=TruncMonth("paid_on"))
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        month = row["month"]
        if isinstance(month, datetime.datetime):  # SQLite answers with a datetime
            month = month.date()
        result.recovered_by[(month, row["dispute__office_id"])] = row["total"]
    result.recovered = sum(result.recovered_by.values(), ZERO)


def _aid(result: Measure, filters: Filters, period: Period) -> None:
    approved = _in(period, "approved_at")
    disbursed = _in(period, "disbursed_on", dates=True)
    row = (
        AidApplication.objects.filter(filters.cases())
        .filter(approved | disbursed)
        .aggregate(
            approved=Count("pk", filter=approved),
            approved_amount=Sum("approved_amount", filter=approved),
            disbursed=Count("pk", filter=disbursed),
            disbursed_amount=Sum("disbursed_amount", filter=disbursed),
        )
    )
    result.aid_approved = row["approved"]
    result.aid_approved_amount = row["approved_amount"] or ZERO
    result.aid_disbursed = row["disbursed"]
    result.aid_disbursed_amount = row["disbursed_amount"] or ZERO


def _cards(result: Measure, filters: Filters, period: Period) -> None:
    issued = _in(period, "valid_from", dates=True)
    in_force = Q(valid_from__lte=period.end, valid_to__gte=period.end)
    row = (
        CardApplication.objects.issued()
        .filter(filters.cases())
        .filter(issued | in_force)
        .aggregate(issued=Count("pk", filter=issued), in_force=Count("pk", filter=in_force))
    )
    result.cards_issued, result.cards_in_force = row["issued"], row["in_force"]


class DayNumber(Func):
    """The working-day number of a local date (`WorkingDay.number`).

    On PostgreSQL it is read from an array of every number, passed with the query
    and indexed by the days since the calendar's first day: one array lookup a row
    instead of a subquery a row (about twenty times faster at 100,000 cases).
    Elsewhere it is the subquery. Dates before the first day count from it.
    """

    output_field = IntegerField()

    def __init__(self, day, numbers: list[int]):
        super().__init__(day)
        self.numbers = numbers

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        first = CALENDAR_START.isoformat()
        return (
            f"COALESCE((%s::integer[])[GREATEST(({sql}) - DATE '{first}', 0) + 1], 0)",
            (self.numbers, *params),
        )

    def as_sql(self, compiler, connection, **extra):
        subquery = Coalesce(
            Subquery(
                WorkingDay.objects.filter(day=self.source_expressions[0]).values("number")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
        return compiler.compile(subquery.resolve_expression(compiler.query))


def _day_numbers() -> list[int]:
    if connection.vendor != "postgresql":
        return []
    return list(WorkingDay.objects.order_by("day").values_list("number", flat=True))


def _durations(result: Measure, finished) -> None:
    """How many cases of each kind took each number of working days: a histogram of
    a few hundred rows at most, whatever the number of cases, whose median is
    read in Python."""
    ensure_working_days()
    numbers = _day_numbers()
    opened = DayNumber(TruncDate("opened_at"), numbers)
    for row in (
        finished.annotate(days=DayNumber(TruncDate("finished_at"), numbers) - opened)
        .values("kind", "days")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["days"] is not None:
            result.durations.setdefault(row["kind"], {})[max(row["days"], 0)] = row["n"]


# --- figures of today, and the repeat offenders ---------------------------------------------


def overdue_by_kind(filters: Filters, today: datetime.date) -> dict[str, int]:
    """Open cases past their nearest legal deadline, today, by kind."""
    return dict(
        Case.objects.filter(filters.cases())
        .overdue(today)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )


@dataclass
class Offender:
    counterparty_id: int
    name: str
    credit_code: str
    open: int
    finished: int
    unpaid: Decimal = ZERO

    @property
    def disputes(self) -> int:
        return self.open + self.finished


def repeat_offenders(
    filters: Filters, period: Period, limit: int = OFFENDERS_SHOWN, *, ranked=None, links=None
) -> list[Offender]:
    """The counterparties with two or more disputes open at some time in the period,
    most disputes first (open at its end, finished in it), then most unpaid.
    `ranked`: a function that gives the ranking's rows from elsewhere
    (reports.summary.offender_rows), or None when it cannot; `links`: one that
    gives the ids of their disputes active in the period, from the same place."""
    if not filters.allows_kind(Kind.WAGE_DISPUTE):
        return []
    prefix = "dispute__"
    active = Q(**{f"{prefix}opened_at__lt": period.end_before}) & (
        Q(**{f"{prefix}finished_at__isnull": True})
        | Q(**{f"{prefix}finished_at__gte": period.start_at})
    )
    still_open = Q(**{f"{prefix}finished_at__isnull": True}) | Q(
        **{f"{prefix}finished_at__gte": period.end_before}
    )
    finished_in = _in(period, f"{prefix}finished_at") & Q(**{f"{prefix}state__in": FINISHED_STATES})
    rows = ranked(filters, period, limit) if ranked else None
    if rows is None:
        links = None
        rows = (
            DisputeCounterparty.objects.filter(filters.cases(prefix), active)
            .values("counterparty_id", "counterparty__name", "counterparty__credit_code")
            .annotate(
                open=Count("dispute_id", distinct=True, filter=still_open),
                finished=Count("dispute_id", distinct=True, filter=finished_in),
            )
            .annotate(disputes=F("open") + F("finished"))
            .filter(disputes__gte=2)
            .order_by("-disputes", "counterparty__name", "counterparty_id")[: limit * 2]
        )
    offenders = [
        Offender(
            r["counterparty_id"],
            r["counterparty__name"],
            r["counterparty__credit_code"],
            r["open"],
            r["finished"],
        )
        for r in rows
    ]
    if not offenders:
        return []
    ids = [o.counterparty_id for o in offenders]
    unpaid = _unpaid(
        filters, period, active, ids, links=links(filters, period, ids) if links else None
    )
    for offender in offenders:
        offender.unpaid = unpaid.get(offender.counterparty_id, ZERO)
    offenders.sort(key=lambda o: (-o.disputes, -o.unpaid, o.name, o.counterparty_id))
    return offenders[:limit]


def _unpaid(filters: Filters, period: Period, active: Q, counterparty_ids, links=None) -> dict:
    """What each worker was agreed and had not received by the period's end, never
    below zero, summed over the disputes of each counterparty (a dispute against a
    chain of counterparties counts for each)."""
    paid = (
        Payment.objects.valid()
        .filter(
            dispute_id=OuterRef("dispute_id"),
            worker_id=OuterRef("worker_id"),
            paid_on__lte=period.end,
        )
        .values("dispute_id", "worker_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    claims = (
        CaseWorker.objects.filter(amount_agreed__isnull=False)
        .annotate(dispute_id=F("case_id"))
        .annotate(
            short=Greatest(
                F("amount_agreed") - Coalesce(Subquery(paid, output_field=money), ZERO),
                Value(ZERO),
                output_field=money,
            )
        )
    )
    # The links of those counterparties to active disputes, with each worker's claim.
    if links is None:
        links = DisputeCounterparty.objects.filter(
            filters.cases("dispute__"), active, counterparty_id__in=counterparty_ids
        ).values("dispute_id")
    rows = (
        claims.filter(case_id__in=links)
        .values(counterparty_id=F("case__wagedispute__counterparty_links__counterparty_id"))
        .filter(counterparty_id__in=counterparty_ids)
        .annotate(unpaid=Sum("short"))
        .order_by()
    )
    return {r["counterparty_id"]: r["unpaid"] or ZERO for r in rows}


# --- the page's figures: a period beside the same period last year ---------------------------


@dataclass
class Figures:
    filters: Filters
    period: Period
    current: Measure
    last_year: Measure
    overdue: dict[str, int]
    offenders: list[Offender]
    offices: dict[int, str]
    today: datetime.date
    previous: Measure | None = None
    station_names: dict[int, str] = field(default_factory=dict)
    stations_link: str = ""  # the stations page, for readers who may open it
    # Where "open cases past a legal deadline" leads: the deadlines page for readers
    # who have one (caseworkers, supervisors); empty: the queue's overdue filter.
    deadlines_link: str = ""
    # When the figures were taken from the precomputed summary (reports.summary);
    # None: counted live, now.
    as_of: datetime.datetime | None = None

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in Kind.choices if self.filters.allows_kind(k)]

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())

    def months(self) -> list[datetime.date]:
        return self.period.months()

    def opened_per_month(self, kind: str) -> list[int]:
        return _per_month(self.current.opened, self.months(), kind)

    def finished_per_month(self, kind: str) -> list[int]:
        return _per_month(self.current.finished, self.months(), kind)

    def recovered_per_month(self) -> list[Decimal]:
        totals: dict = defaultdict(lambda: ZERO)
        for (month, _office), amount in self.current.recovered_by.items():
            totals[_month_key(month)] += amount
        return [totals[m] for m in self.months()]

    def by_office(self) -> list[dict]:
        """Each office with a case or a payment in the period (or in its year-earlier twin)."""
        rows: dict[int, dict] = {}

        def row(office_id):
            return rows.setdefault(
                office_id,
                {
                    "office_id": office_id,
                    "name": self.offices.get(office_id, "?"),
                    "opened": 0,
                    "finished": 0,
                    "recovered": ZERO,
                    "opened_last_year": 0,
                },
            )

        for (_k, _m, office_id), n in self.current.opened.items():
            row(office_id)["opened"] += n
        for (_k, _m, office_id), n in self.current.finished.items():
            row(office_id)["finished"] += n
        for (_m, office_id), amount in self.current.recovered_by.items():
            row(office_id)["recovered"] += amount
        for (_k, _m, office_id), n in self.last_year.opened.items():
            row(office_id)["opened_last_year"] += n
        return sorted(rows.values(), key=lambda r: (-r["opened"], r["name"]))

    def by_occupation(self) -> list[dict]:
        labels = dict(Occupation.choices)
        rows = [
            {
                "occupation": occupation,
                "label": labels.get(occupation, occupation),
                "cases": cases,
                "workers": workers,
                "cases_last_year": self.last_year.by_occupation.get(occupation, (0, 0))[0],
            }
            for occupation, (cases, workers) in self.current.by_occupation.items()
        ]
        return sorted(rows, key=lambda r: (-r["cases"], r["label"]))

    def by_station(self) -> list[dict]:
        rows = [
            {
                "station_id": station,
                "name": self.station_names.get(station, "?"),
                "cases": cases,
                "visits": visits,
            }
            for station, (cases, visits) in self.current.by_station.items()
        ]
        return sorted(rows, key=lambda r: (-r["visits"], -r["cases"], r["name"]))


def _month_key(month) -> datetime.date:
    if isinstance(month, datetime.datetime):
        month = timezone.localtime(month) if timezone.is_aware(month) else month
        return month.date().replace(day=1)
    return month.replace(day=1)


def _per_month(grouped: dict, months: list[datetime.date], kind: str) -> list[int]:
    totals: dict = defaultdict(int)
    for (k, month, _office), n in grouped.items():
        if k == kind:
            totals[_month_key(month)] += n
    return [totals[m] for m in months]


@contextmanager
def _planner_settings():
    """PostgreSQL settings for the figures' queries, in a transaction of their own.

    JIT off: compiling the aggregates' expressions costs more than it ever saves on
    a few hundred thousand rows (as for the exports). No parallel workers: on a
    small server they take CPU from the other requests and win nothing on these
    index scans. A random page costs about what a sequential one does (the tables
    are in memory or on SSD): otherwise the planner reads all of `cases_caseworker`
    rather than look up the few thousand workers of a period's cases.

    No hash or merge joins, and sorts in memory: a period's cases are found on an
    index of `cases_case`, and their workers and counterparties are looked up by
    index, a row at a time; a hash join reads every row of `cases_caseworker`
    and `cases_worker` instead (at 1,000,000 cases the table by occupation group
    took 810 ms so, 311 ms by index: EXPLAIN ANALYZE in bench/README.md), and
    the distinct counts of a year's workers spilled to disk with 4 MB.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL work_mem = '32MB'")
        yield


def compute(
    filters: Filters,
    period: Period,
    today: datetime.date | None = None,
    *,
    with_previous: bool = False,
    source=None,
) -> Figures:
    """The figures of `period` and of the same period last year (and, for the
    leadership report, of the period before), counted now; or read from `source`
    (reports.summary.Source: the precomputed summary, see `summary.compute`)."""
    today = today or timezone.localdate()
    if source is None:

        def count(filters, period, detail=True):
            return measure(filters, period, today, detail=detail)

        ranked, links, as_of = None, None, None
    else:
        count, ranked, as_of = source.measure, source.offender_rows, source.as_of
        links = source.offender_links

    with _planner_settings():
        return Figures(
            filters=filters,
            period=period,
            current=count(filters, period),
            last_year=count(filters, period.same_last_year(), detail=False),
            previous=(count(filters, period.previous(), detail=False) if with_previous else None),
            overdue=overdue_by_kind(filters, today),
            offenders=repeat_offenders(filters, period, ranked=ranked, links=links),
            offices=dict(Office.objects.values_list("pk", "name")),
            today=today,
            station_names=dict(Station.objects.values_list("pk", "name")),
            as_of=as_of,
        )
