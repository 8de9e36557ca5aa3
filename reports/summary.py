"""The figures precomputed: what `reports.figures` counts, kept in five narrow tables
by `manage.py refresh_figures`, so that the figures page reads a few thousand rows
instead of every case of a year.

- `FigureCase`: one row per case, the local dates each figure counts it on
  (opened, finished with its working days, aid approved and disbursed, card
  issued and its last day) and the amounts. The source of `FigureDay`, and the
  record of what each case counted, so that a refresh can take it away again.
- `FigureDay`: the additive figures summed per (local day, office, kind,
  station, occupation group), with the working-day histogram of cases finished.
- `FigureWorker`: one row per worker of a case, for the distinct counts of
  workers (helped, by occupation group), read from its indexes alone.
- `FigurePayment`: one row per payment not voided, for workers paid and the sums.
- `FigureDispute`: one row per counterparty of a dispute, for the repeat offenders.

A refresh (`refresh`) is one transaction. Incremental: the cases changed since the
last refresh began (less `OVERLAP`, for transactions still open then) — by
`Case.updated_at`, which every save sets, and the disputes whose payments were
entered or voided since — lose their rows in `FigureDay` (rows with the opposite
sign are added), their fact rows are rebuilt from the case tables, and their new
rows are added. Full (`full=True`, nightly, and whenever the working-day numbers
changed): every table rebuilt. Both are idempotent: a second run counts the same.

What an incremental refresh does not see, until the next full one: a worker's
occupation group changed on the worker (not on a case), and a case deleted.

The page reads the summary when its latest refresh began no more than
`FIGURES_SUMMARY_MAX_AGE_MINUTES` ago, says "figures as of HH:MM", and counts
live otherwise. The repeat offenders by occupation group are always counted
live (`FigureDispute` has no occupation); so are today's open cases past a
clock, the stations and their person-visits (small tables).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Choose
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone

from cases.models import (
    FINISHED_STATES,
    Case,
    CaseWorker,
    Counterparty,
    DisputeCounterparty,
    Kind,
    Payment,
    State,
)

from . import figures
from .models import (
    FigureCase,
    FigureDay,
    FigureDispute,
    FigurePayment,
    FigureState,
    FigureWorker,
)
from .periods import Period, ensure_working_days

# Cases saved this long before the last refresh began are read again: a transaction
# that saved a case before then and committed after it is still counted.
OVERLAP = datetime.timedelta(minutes=10)
CHUNK = 500  # cases per statement in an incremental refresh
# FigureDispute.finished_at of a dispute not finished.
NEVER = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)

FACT_MODELS = (FigureCase, FigureWorker, FigurePayment, FigureDispute)


# --- reading ----------------------------------------------------------------------------------


def max_age() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "FIGURES_SUMMARY_MAX_AGE_MINUTES", 30))


def fresh_as_of(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the summary's figures were taken, if recent enough to show; else None."""
    state = FigureState.objects.filter(pk=1).first()
    if state is None or state.needs_full or state.as_of is None:
        return None
    if state.as_of < (now or timezone.now()) - max_age():
        return None
    return state.as_of


def _offices(filters: figures.Filters) -> Q:
    q = Q()
    if filters.scope.office_ids is not None:
        q &= Q(office_id__in=sorted(filters.scope.office_ids))
    if filters.office:
        q &= Q(office_id=filters.office)
    return q


def _grain(filters: figures.Filters) -> Q:
    """The rows of `FigureDay` that describe the filters' cases: a station's or every
    station's (0), an occupation group's or every group's ("")."""
    q = _offices(filters) & Q(station_id=filters.station or 0, occupation=filters.occupation)
    if filters.kind:
        q &= Q(kind=filters.kind)
    return q


def _facts(filters: figures.Filters, *, kind: bool = True) -> Q:
    """The fact rows of the filters' cases and workers (the worker's own group)."""
    q = _offices(filters)
    if kind and filters.kind:
        q &= Q(kind=filters.kind)
    if filters.station:
        q &= Q(station_id=filters.station)
    if filters.occupation:
        q &= Q(occupation=filters.occupation)
    return q


def _date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def measure(filters: figures.Filters, period: Period, *, detail: bool = True) -> figures.Measure:
    """`figures.measure` read from the summary: the same Measure, field for field."""
    result = figures.Measure(period)
    in_period = Q(day__gte=period.start, day__lte=period.end)
    days = FigureDay.objects.filter(_grain(filters), in_period).order_by()
    for row in days.values("kind", "office_id", month=TruncMonth("day")).annotate(
        opened=Sum("opened"), finished=Sum("finished")
    ):
        key = (row["kind"], _date(row["month"]), row["office_id"])
        if row["opened"]:
            result.opened[key] = row["opened"]
        if row["finished"]:
            result.finished[key] = row["finished"]
    for row in (
        days.filter(working_days__isnull=False)
        .values("kind", "working_days")
        .annotate(n=Sum("finished"))
    ):
        if row["n"]:
            result.durations.setdefault(row["kind"], {})[row["working_days"]] = row["n"]
    totals = days.aggregate(
        approved=Sum("aid_approved"),
        approved_amount=Sum("aid_approved_amount"),
        disbursed=Sum("aid_disbursed"),
        disbursed_amount=Sum("aid_disbursed_amount"),
        issued=Sum("cards_issued"),
    )
    if filters.allows_kind(Kind.HARDSHIP_AID):
        result.aid_approved = totals["approved"] or 0
        result.aid_approved_amount = totals["approved_amount"] or figures.ZERO
        result.aid_disbursed = totals["disbursed"] or 0
        result.aid_disbursed_amount = totals["disbursed_amount"] or figures.ZERO
    if filters.allows_kind(Kind.MEDICAL_CARD):
        result.cards_issued = totals["issued"] or 0
        cards = FigureDay.objects.filter(
            _grain(filters),
            ~Q(cards_start=0) | ~Q(cards_ended=0),
            kind=Kind.MEDICAL_CARD,
            day__lte=period.end,
        ).aggregate(
            start=Sum("cards_start"), ended=Sum("cards_ended", filter=Q(day__lt=period.end))
        )
        result.cards_in_force = (cards["start"] or 0) - (cards["ended"] or 0)

    workers = FigureWorker.objects.filter(_facts(filters))
    result.workers_helped = _distinct_workers(
        workers.filter(finished_on__gte=period.start, finished_on__lte=period.end),
        filters,
        "prev_finished_on",
        period,
    )
    if filters.allows_kind(Kind.WAGE_DISPUTE):
        _recovered(result, filters, period)

    came_in = None
    if detail:  # cases that came in at each station: the rows of a station, not of all
        at = Q(station_id=filters.station) if filters.station else Q(station_id__gt=0)
        rows = FigureDay.objects.filter(
            _offices(filters), at, in_period, occupation=filters.occupation, **_kind(filters)
        ).exclude(opened=0)
        came_in = {
            row["station_id"]: row["n"]
            for row in rows.values("station_id").annotate(n=Sum("opened")).order_by()
            if row["n"]
        }
    figures._stations(result, filters, period, None, came_in=came_in)
    if not detail:
        return result
    # By occupation group: the distinct workers from FigureWorker; the cases (each
    # once in each group among its workers) are additive, from FigureDay.
    opened = workers.filter(opened_on__gte=period.start, opened_on__lte=period.end)
    people = _per_occupation(opened, "worker_id", period if _whole_workers(filters) else None)
    cases = dict(
        FigureDay.objects.filter(
            _offices(filters),
            in_period,
            station_id=filters.station or 0,
            occupation__in=sorted(o for o in people if o),
            **_kind(filters),
        )
        .values_list("occupation")
        .annotate(n=Sum("opened"))
        .order_by()
    )
    if "" in people:  # workers without a group: no rows of their own in FigureDay
        cases[""] = _per_occupation(opened.filter(occupation=""), "case_id").get("", 0)
    for occupation, n in people.items():
        result.by_occupation[occupation] = (cases.get(occupation, 0), n)
    return result


def _whole_workers(filters: figures.Filters) -> bool:
    """Whether the filters keep or drop each worker's rows all together (the whole
    city, an occupation group: a worker has one), so that a worker's first row in
    the period is the one whose previous day falls before it."""
    return filters.scope.office_ids is None and not (
        filters.office or filters.kind or filters.station
    )


def _distinct_workers(rows, filters, previous: str, period: Period) -> int:
    """The distinct workers of these rows (of the period): counted on their first row
    (a filtered count of an index, no hashing), or with SELECT DISTINCT when the
    filters split a worker's rows (PostgreSQL hashes it; COUNT(DISTINCT) sorts)."""
    if _whole_workers(filters):
        first = Q(**{f"{previous}__isnull": True}) | Q(**{f"{previous}__lt": period.start})
        return rows.filter(first).count()
    return rows.values("worker_id").distinct().order_by().count()


def _per_occupation(rows, field: str, period: Period | None = None) -> dict[str, int]:
    """Distinct `field` per occupation group: workers counted on their first row
    when `period` is given (see `_distinct_workers`), else hashed."""
    if period is not None:
        first = Q(prev_opened_on__isnull=True) | Q(prev_opened_on__lt=period.start)
        return dict(rows.filter(first).values_list("occupation").annotate(n=Count("*")).order_by())
    sql, params = rows.values("occupation", field).distinct().order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT occupation, COUNT(*) FROM ({sql}) d GROUP BY occupation", params)  # nosec B608: the ORM's own SQL; values are parameters
        return dict(cursor.fetchall())


def _kind(filters) -> dict:
    return {"kind": filters.kind} if filters.kind else {}


def _recovered(result: figures.Measure, filters: figures.Filters, period: Period) -> None:
    payments = FigurePayment.objects.filter(
        _facts(filters, kind=False), paid_on__gte=period.start, paid_on__lte=period.end
    )
    if filters.occupation:  # as live: a worker of the group, on a case with one
        payments = payments.filter(
            case_id__in=FigureWorker.objects.filter(occupation=filters.occupation).values("case_id")
        )
    result.workers_paid = _distinct_workers(payments, filters, "prev_paid_on", period)
    for row in (
        payments.values("office_id", month=TruncMonth("paid_on"))
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        result.recovered_by[(_date(row["month"]), row["office_id"])] = row["total"]
    result.recovered = sum(result.recovered_by.values(), figures.ZERO)


def _dispute_filters(filters: figures.Filters) -> Q:
    q = _offices(filters)
    if filters.station:
        q &= Q(station_id=filters.station)
    return q


def _active(period: Period) -> Q:
    """Disputes open at some time in the period (an open one "finishes" at `NEVER`:
    one range of the index, read alone)."""
    return Q(opened_at__lt=period.end_before, finished_at__gte=period.start_at)


def offender_links(filters: figures.Filters, period: Period, counterparty_ids):
    """The disputes of these counterparties active in the period (`figures._unpaid`)."""
    return FigureDispute.objects.filter(
        _dispute_filters(filters), _active(period), counterparty_id__in=counterparty_ids
    ).values("case_id")


def offender_rows(filters: figures.Filters, period: Period, limit: int) -> list[dict] | None:
    """The repeat offenders' ranking (`figures.repeat_offenders`) from `FigureDispute`;
    None when the filters ask for an occupation group, which it does not hold."""
    if filters.occupation:
        return None
    q, active = _dispute_filters(filters), _active(period)
    still_open = Q(finished_at__gte=period.end_before)
    finished_in = Q(
        finished_at__gte=period.start_at, finished_at__lt=period.end_before, is_finished=True
    )

    def counterparty(field):
        return Subquery(
            Counterparty.objects.filter(pk=OuterRef("counterparty_id")).order_by().values(field)[:1]
        )

    # Counted per counterparty first, named after: the names are looked up for the
    # few thousand counterparties, not for each of the period's disputes.
    rows = (
        FigureDispute.objects.filter(q, active)
        .values("counterparty_id")
        .annotate(
            # One row per (dispute, counterparty): no DISTINCT, no sort.
            open=Count("counterparty", filter=still_open),
            finished=Count("counterparty", filter=finished_in),
        )
        .annotate(disputes=F("open") + F("finished"))
        .filter(disputes__gte=2)
        .annotate(name=counterparty("name"), code=counterparty("credit_code"))
        .order_by("-disputes", "name", "counterparty_id")[: limit * 2]
    )
    return [
        {**row, "counterparty__name": row["name"], "counterparty__credit_code": row["code"]}
        for row in rows
    ]


@dataclass(frozen=True)
class Source:
    """What `figures.compute` reads from the summary."""

    as_of: datetime.datetime

    def measure(self, filters, period, detail=True):
        return measure(filters, period, detail=detail)

    def offender_rows(self, filters, period, limit):
        return offender_rows(filters, period, limit)

    def offender_links(self, filters, period, counterparty_ids):
        return offender_links(filters, period, counterparty_ids)


def compute(filters, period, today=None, *, with_previous=False, live=False) -> figures.Figures:
    """The page's figures: from the summary when it is fresh enough, else (or with
    `live`) counted now (`figures.Figures.as_of` says which)."""
    as_of = None if live else fresh_as_of()
    return figures.compute(
        filters,
        period,
        today,
        with_previous=with_previous,
        source=Source(as_of) if as_of else None,
    )


# --- refreshing -------------------------------------------------------------------------------


@dataclass
class Refreshed:
    full: bool
    cases: int
    seconds: float
    as_of: datetime.datetime


def _insert(model, columns: list[str], queryset) -> None:
    """INSERT INTO the model's table the rows the queryset selects (its SQL as the
    ORM writes it for this database: local dates, working-day numbers)."""
    sql, params = queryset.query.sql_with_params()
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def _insert_facts(case_ids: list[int] | None) -> None:
    """The fact rows of these cases (every case: None), from the case tables."""
    numbers = figures._day_numbers()

    def only(queryset, field):
        return queryset if case_ids is None else queryset.filter(**{f"{field}__in": case_ids})

    def local_day(name):
        return TruncDate(name, output_field=DateField())

    finished = Q(state__in=FINISHED_STATES, finished_at__isnull=False)
    issued = (
        Q(kind=Kind.MEDICAL_CARD, state__in=[State.CARD_ISSUED, State.CLOSED])
        & ~Q(cardapplication__card_number="")
        & Q(cardapplication__valid_from__isnull=False)
    )
    days = Greatest(
        figures.DayNumber(TruncDate("finished_at"), numbers)
        - figures.DayNumber(TruncDate("opened_at"), numbers),
        Value(0),
        output_field=IntegerField(),
    )
    cases = only(Case.objects.order_by(), "pk").annotate(
        f_opened=local_day("opened_at"),
        f_finished=Choose(When(finished, then=local_day("finished_at")), output_field=DateField()),
        f_days=Choose(When(finished, then=days), output_field=IntegerField()),
        f_approved=local_day("aidapplication__approved_at"),
        f_approved_amount=F("aidapplication__approved_amount"),
        f_disbursed=F("aidapplication__disbursed_on"),
        f_disbursed_amount=F("aidapplication__disbursed_amount"),
        f_card_from=Choose(
            When(issued, then=F("cardapplication__valid_from")), output_field=DateField()
        ),
        f_card_to=Choose(
            When(
                issued & Q(cardapplication__valid_to__gte=F("cardapplication__valid_from")),
                then=F("cardapplication__valid_to"),
            ),
            output_field=DateField(),
        ),
    )
    _insert(
        FigureCase,
        [
            "case_id",
            "kind",
            "office_id",
            "station_id",
            "opened_on",
            "finished_on",
            "working_days",
            "approved_on",
            "approved_amount",
            "disbursed_on",
            "disbursed_amount",
            "card_from",
            "card_to",
        ],
        cases.values_list(
            "pk",
            "kind",
            "office_id",
            "station_id",
            "f_opened",
            "f_finished",
            "f_days",
            "f_approved",
            "f_approved_amount",
            "f_disbursed",
            "f_disbursed_amount",
            "f_card_from",
            "f_card_to",
        ),
    )
    case_finished = Q(case__state__in=FINISHED_STATES, case__finished_at__isnull=False)
    _insert(
        FigureWorker,
        [
            "case_id",
            "worker_id",
            "occupation",
            "office_id",
            "kind",
            "station_id",
            "opened_on",
            "finished_on",
        ],
        only(CaseWorker.objects.order_by(), "case_id")
        .annotate(
            f_occupation=F("worker__occupation"),
            f_office=F("case__office_id"),
            f_kind=F("case__kind"),
            f_station=F("case__station_id"),
            f_opened=local_day("case__opened_at"),
            f_finished=Choose(
                When(case_finished, then=local_day("case__finished_at")), output_field=DateField()
            ),
        )
        .values_list(
            "case_id",
            "worker_id",
            "f_occupation",
            "f_office",
            "f_kind",
            "f_station",
            "f_opened",
            "f_finished",
        ),
    )
    _insert(
        FigurePayment,
        [
            "payment_id",
            "case_id",
            "worker_id",
            "occupation",
            "office_id",
            "station_id",
            "paid_on",
            "amount",
        ],
        only(Payment.objects.valid().order_by(), "dispute_id")
        .annotate(
            f_occupation=F("worker__occupation"),
            f_office=F("dispute__office_id"),
            f_station=F("dispute__station_id"),
        )
        .values_list(
            "pk",
            "dispute_id",
            "worker_id",
            "f_occupation",
            "f_office",
            "f_station",
            "paid_on",
            "amount",
        ),  # fmt: skip
    )
    _insert(
        FigureDispute,
        [
            "link_id",
            "case_id",
            "counterparty_id",
            "office_id",
            "station_id",
            "opened_at",
            "finished_at",
            "is_finished",
        ],
        only(DisputeCounterparty.objects.order_by(), "dispute_id")
        .annotate(
            f_office=F("dispute__office_id"),
            f_station=F("dispute__station_id"),
            f_opened=F("dispute__opened_at"),
            f_finished_at=Coalesce(
                F("dispute__finished_at"), Value(NEVER, output_field=DateTimeField())
            ),
            f_is_finished=Choose(
                When(dispute__state__in=FINISHED_STATES, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list(
            "pk",
            "dispute_id",
            "counterparty_id",
            "f_office",
            "f_station",
            "f_opened",
            "f_finished_at",
            "f_is_finished",
        ),  # fmt: skip
    )


# Each measure of FigureDay from the grain rows `g` (below): its local day, whether
# the histogram's working days key it, and what it adds.
_MEASURES = [
    ("opened_on", False, {"opened": "count(*)"}),
    ("finished_on", True, {"finished": "count(*)"}),
    (
        "approved_on",
        False,
        {"aid_approved": "count(*)", "aid_approved_amount": "coalesce(sum(approved_amount), 0)"},
    ),
    (
        "disbursed_on",
        False,
        {"aid_disbursed": "count(*)", "aid_disbursed_amount": "coalesce(sum(disbursed_amount), 0)"},
    ),
    ("card_from", False, {"cards_issued": "count(*)", "cards_start": "count(card_to)"}),
    ("card_to", False, {"cards_ended": "count(*)"}),
]
_COLUMNS = [
    "opened",
    "finished",
    "aid_approved",
    "aid_approved_amount",
    "aid_disbursed",
    "aid_disbursed_amount",
    "cards_issued",
    "cards_start",
    "cards_ended",
]


def _add_days(case_ids: list[int] | None, sign: int) -> None:
    """Add to FigureDay what these cases' fact rows count (sign 1), or take it away
    (sign -1): each case once at every station and group, once at its station,
    once for each occupation group among its workers, and at both. A full refresh
    writes the rows in the order the page reads them (grain, then day)."""
    if case_ids is None:
        where, params = "", []
    else:
        marks = ", ".join(["%s"] * len(case_ids))
        where, params = f"WHERE case_id IN ({marks})", list(case_ids)
    case_table, worker_table = FigureCase._meta.db_table, FigureWorker._meta.db_table
    # A worker without a group ("") would count again in the rows of every group.
    grouped = f"{where} AND occupation <> ''" if where else "WHERE occupation <> ''"
    selects = []
    for day, histogram, adds in _MEASURES:
        values = [f"{sign} * {adds[c]}" if c in adds else "0" for c in _COLUMNS]
        days = "working_days" if histogram else "CAST(NULL AS integer)"
        group = "g_station, g_occupation, office_id, kind" + (", working_days" if histogram else "")
        selects.append(
            f"SELECT {day}, office_id, kind, g_station, g_occupation, {days}, "  # nosec B608
            f"{', '.join(values)} FROM g WHERE {day} IS NOT NULL GROUP BY {day}, {group}"
        )
    # Identifiers and expressions from this module's own tables; values are parameters.
    sql = f"""
        WITH base AS (SELECT * FROM {case_table} {where}),
        occupations AS (
            SELECT DISTINCT case_id, occupation FROM {worker_table} {grouped}
        ),
        g AS (
            SELECT b.*, 0 AS g_station, '' AS g_occupation FROM base b
            UNION ALL
            SELECT b.*, b.station_id, '' FROM base b WHERE b.station_id IS NOT NULL
            UNION ALL
            SELECT b.*, 0, o.occupation FROM base b JOIN occupations o ON o.case_id = b.case_id
            UNION ALL
            SELECT b.*, b.station_id, o.occupation FROM base b
            JOIN occupations o ON o.case_id = b.case_id WHERE b.station_id IS NOT NULL
        )
        INSERT INTO {FigureDay._meta.db_table}
            (day, office_id, kind, station_id, occupation, working_days, {", ".join(_COLUMNS)})
        {" UNION ALL ".join(selects)}
        {"ORDER BY 4, 5, 1" if case_ids is None else ""}
    """  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params + params)


def _workers_of(case_ids: list[int]) -> set[int]:
    ids = set(FigureWorker.objects.filter(case_id__in=case_ids).values_list("worker_id", flat=True))
    return ids | set(
        FigurePayment.objects.filter(case_id__in=case_ids).values_list("worker_id", flat=True)
    )


def _link_previous(worker_ids: list[int] | None) -> None:
    """Set each fact row's previous day of the same worker (`prev_opened_on`, …):
    for every row (None), or for every row of these workers."""
    steps = [
        (
            FigureWorker,
            "id",
            {"prev_opened_on": "opened_on", "prev_finished_on": "finished_on"},
        ),
        (FigurePayment, "payment_id", {"prev_paid_on": "paid_on"}),
    ]
    chunks = [None] if worker_ids is None else [
        worker_ids[i : i + CHUNK] for i in range(0, len(worker_ids), CHUNK)
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for model, key, columns in steps:
            table = model._meta.db_table
            lags = ", ".join(
                f"lag({day}) OVER (PARTITION BY worker_id ORDER BY {day}, {key}) AS {prev}"
                for prev, day in columns.items()
            )
            sets = ", ".join(f"{prev} = w.{prev}" for prev in columns)
            for chunk in chunks:
                where, params = "", []
                if chunk is not None:
                    where = f"WHERE worker_id IN ({', '.join(['%s'] * len(chunk))})"
                    params = list(chunk)
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM (SELECT {key} AS row_key, {lags} "  # nosec B608: the ORM's own SQL; values are parameters
                    f"FROM {table} {where}) w WHERE {table}.{key} = w.row_key",
                    params,
                )


def changed_cases(since: datetime.datetime) -> list[int]:
    """Cases saved since then, and the disputes whose payments were entered or voided."""
    ids = set(Case.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids |= set(
        Payment.objects.filter(Q(entered_at__gte=since) | Q(voided_at__gte=since)).values_list(
            "dispute_id", flat=True
        )
    )
    return sorted(ids)


def refresh(*, full: bool = False, now: datetime.datetime | None = None) -> Refreshed:
    """Bring the summary up to date (see the module's docstring); one transaction,
    one refresh at a time (the state row is locked)."""
    began = time.perf_counter()
    ensure_working_days()
    with transaction.atomic():
        state, _ = FigureState.objects.select_for_update().get_or_create(pk=1)
        as_of = now or timezone.now()
        full = full or state.needs_full or state.as_of is None
        if full:
            for model in (FigureDay, *FACT_MODELS):
                model.objects.all()._raw_delete(connection.alias)
            _insert_facts(None)
            _link_previous(None)
            _add_days(None, 1)
            count = FigureCase.objects.count()
            state.full_at = as_of
        else:
            ids = changed_cases(state.as_of - OVERLAP)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                _add_days(chunk, -1)
                workers = _workers_of(chunk)
                for model in FACT_MODELS:
                    model.objects.filter(case_id__in=chunk)._raw_delete(connection.alias)
                _insert_facts(chunk)
                _link_previous(sorted(workers | _workers_of(chunk)))
                _add_days(chunk, 1)
            count = len(ids)
        state.as_of, state.needs_full, state.cases_refreshed = as_of, False, count
        state.refreshed_at = timezone.now()
        state.save()
    if full and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Index-only scans need the visibility map, and the planner the new sizes
        # (after an incremental refresh autovacuum will do: it changes few pages).
        with connection.cursor() as cursor:
            for model in (FigureDay, *FACT_MODELS):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    return Refreshed(full, count, time.perf_counter() - began, as_of)


def forget(**kwargs) -> None:
    """The working-day numbers changed: the summary's histograms are out of date, so
    the page counts live until the next refresh rebuilds everything."""
    FigureState.objects.update(needs_full=True)
