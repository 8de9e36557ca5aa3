"""The precomputed figures (reports.summary, `manage.py refresh_figures`): for the demo
data and for the edge cases, every figure read from the summary equals the figure
counted live, for every filter; an incremental refresh equals a full one; a case
changed after a refresh shows after the next; the page says when the figures were
taken, and counts live when the summary is stale.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Payment, State
from cases.services import record_payment, void_payment
from casework.models import Office, Station
from reports import figures, summary
from reports.models import FigureCase, FigureDay, FigureState, FigureWorker
from reports.periods import CHOICES, Period, period_for
from tests import factories
from tests.assistance import steps

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 6)


def local(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


def move(case, **fields) -> None:
    """Move a case's dates as a service would: saved, so `updated_at` moves too."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now(), **fields)


def month(value) -> datetime.date:
    return figures._month_key(value)


def flat(m: figures.Measure) -> dict:
    """A Measure with its months as dates: the live counts key months by the local
    midnight of their first day, the summary by the date."""

    def months(grouped):
        out = {}
        for key, n in grouped.items():
            if len(key) == 3:
                key = (key[0], month(key[1]), key[2])
            else:
                key = (month(key[0]), key[1])
            out[key] = out.get(key, 0) + n
        return out

    return {
        "opened": months(m.opened),
        "finished": months(m.finished),
        "recovered_by": months(m.recovered_by),
        **{
            name: getattr(m, name)
            for name in (
                "workers_helped",
                "workers_paid",
                "recovered",
                "aid_approved",
                "aid_approved_amount",
                "aid_disbursed",
                "aid_disbursed_amount",
                "cards_issued",
                "cards_in_force",
                "durations",
                "by_occupation",
                "stations",
                "person_visits",
                "by_station",
            )
        },
    }


def answers(f: figures.Figures) -> dict:
    return {
        "current": flat(f.current),
        "last_year": flat(f.last_year),
        "previous": flat(f.previous),
        "offenders": [vars(o) for o in f.offenders],
        "overdue": f.overdue,
    }


def every_filter() -> list[figures.Filters]:
    city = figures.Scope(None)
    offices = list(Office.objects.values_list("pk", flat=True))
    stations = list(Station.objects.values_list("pk", flat=True))
    occupations = sorted(set(FigureWorker.objects.values_list("occupation", flat=True)))
    options = [figures.Filters(city)]
    options += [figures.Filters(city, office=o) for o in offices]
    options += [figures.Filters(figures.Scope(frozenset(offices[:1])))]
    options += [figures.Filters(city, kind=k) for k in ("WD", "HA", "MC")]
    options += [figures.Filters(city, station=s) for s in stations]
    options += [figures.Filters(city, occupation=o) for o in occupations]
    options += [figures.Filters(city, kind="WD", occupation=o) for o in occupations[:3]]
    options += [
        figures.Filters(city, station=s, occupation=o)
        for s in stations[:2]
        for o in occupations[:2]
    ]
    options += [figures.Filters(city, office=o, kind="MC") for o in offices[:2]]
    return options


def assert_summary_equals_live(periods, filters=None):
    assert summary.fresh_as_of() is not None
    checked = 0
    for f in filters or every_filter():
        for period in periods:
            live = figures.compute(f, period, TODAY, with_previous=True)
            kept = summary.compute(f, period, TODAY, with_previous=True)
            assert kept.as_of is not None and live.as_of is None
            assert answers(kept) == answers(live), (f, period)
            checked += 1
    return checked


def some_periods(today=TODAY):
    periods = [period_for(choice, today) for choice, _ in CHOICES if choice != "custom"]
    periods.append(Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    periods.append(Period(datetime.date(2026, 6, 30), datetime.date(2026, 7, 1)))
    return periods


# --- the demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_for_the_demo_every_figure_from_the_summary_equals_the_live_count(settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("refresh_figures", "--full", stdout=open("/dev/null", "w"))
    today = timezone.localdate()
    assert FigureCase.objects.count() == Case.objects.count() > 0
    checked = assert_summary_equals_live(some_periods(today))
    assert checked > 100
    # The seed's headline: 12 workers, ¥197,000 over the last 12 months, from the summary.
    year = summary.compute(
        figures.Filters(figures.Scope(None)), period_for("last_12_months", today), today
    )
    assert year.as_of is not None
    assert (year.current.workers_paid, year.current.recovered) == (12, Decimal("197000.00"))


# --- the edge cases --------------------------------------------------------------------------


@pytest.fixture
def edges(office, other_office, caseworker, other_caseworker, supervisor, dibao):
    """Disputes, aid and cards across the period boundaries in China time, with a
    voided payment, a collective case, a station and two occupation groups."""
    station = factories.StationFactory(office=office)
    rider = factories.WorkerFactory(office=office, created_by=caseworker, occupation="delivery")
    driver = factories.WorkerFactory(office=office, created_by=caseworker, occupation="driver")
    platform = factories.CounterpartyFactory(name="某配送平台")
    made = {}
    # Finished 2026-07-01 00:10 China time (30 June 16:10 UTC): July.
    made["midnight"] = factories.wage_dispute(
        office,
        by=caseworker,
        workers=[rider, driver],
        state=State.CLOSED,
        counterparty=platform,
        channel="station",
        station=station,
    )
    move(
        made["midnight"], opened_at=local("2026-06-01 09:00"), finished_at=local("2026-07-01 00:10")
    )
    Payment.objects.filter(dispute=made["midnight"]).update(paid_on=datetime.date(2026, 6, 30))
    made["open"] = factories.wage_dispute(
        office, by=caseworker, workers=[rider], state=State.AGREEMENT, counterparty=platform
    )
    move(made["open"], opened_at=local("2026-05-31 23:59"))
    kept = record_payment(
        case=made["open"],
        by=caseworker,
        worker=rider,
        paid_on=datetime.date(2026, 7, 1),
        amount=Decimal("1000.00"),
        method=Payment.Method.BANK,
    )
    voided = record_payment(
        case=made["open"],
        by=caseworker,
        worker=rider,
        paid_on=datetime.date(2026, 6, 2),
        amount=Decimal("500.00"),
        method=Payment.Method.BANK,
    )
    void_payment(payment=voided, by=caseworker, reason="重复录入")
    made["there"] = factories.wage_dispute(other_office, by=other_caseworker, state=State.CLOSED)
    move(made["there"], opened_at=local("2025-12-31 23:30"), finished_at=local("2026-01-01 00:30"))
    aid = steps.aid_at(State.CLOSED, office=office, by=caseworker, amount=Decimal("2500.00"))
    move(aid, finished_at=local("2026-03-20 10:00"))
    aid.__class__.objects.filter(pk=aid.pk).update(
        approved_at=local("2026-03-01 00:05"), disbursed_on=datetime.date(2026, 7, 1)
    )
    made["aid"] = aid
    card = steps.card_at(State.CARD_ISSUED, office=office, by=caseworker, approver=supervisor)
    steps.set_card_dates(card, datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    made["card"] = card
    made["kept"] = kept
    return made


def edge_filters(office, other_office):
    city = figures.Scope(None)
    station = Station.objects.get()
    return [
        figures.Filters(city),
        figures.Filters(city, office=office.pk),
        figures.Filters(city, office=other_office.pk),
        figures.Filters(figures.Scope(frozenset({other_office.pk}))),
        figures.Filters(city, kind="WD"),
        figures.Filters(city, kind="MC"),
        figures.Filters(city, kind="HA"),
        figures.Filters(city, station=station.pk),
        figures.Filters(city, occupation="delivery"),
        figures.Filters(city, occupation="driver"),
        figures.Filters(city, station=station.pk, occupation="driver"),
    ]


EDGE_PERIODS = [
    Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
    Period(datetime.date(2026, 7, 1), datetime.date(2026, 11, 30)),
    Period(datetime.date(2026, 6, 30), datetime.date(2026, 6, 30)),
    Period(datetime.date(2026, 7, 1), datetime.date(2026, 7, 1)),
    Period(datetime.date(2025, 12, 1), datetime.date(2025, 12, 31), "last_month"),
    Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 6), "this_year"),
]


def test_for_the_edge_cases_the_summary_equals_the_live_count(edges, office, other_office):
    summary.refresh(full=True)
    assert_summary_equals_live(EDGE_PERIODS, edge_filters(office, other_office))
    # And the edges land where they should.
    h1, h2 = EDGE_PERIODS[0], EDGE_PERIODS[1]
    city = figures.Filters(figures.Scope(None))
    first, then = summary.measure(city, h1), summary.measure(city, h2)
    assert first.workers_helped == 2  # 广水市's worker (1 January 00:30), the aid's
    assert then.workers_helped == 2  # both workers of the collective case: July
    assert (first.recovered, then.recovered) == (Decimal("6000.00"), Decimal("1000.00"))
    assert (first.cards_issued, first.cards_in_force, then.cards_in_force) == (1, 1, 0)
    assert summary.measure(city, EDGE_PERIODS[2]).cards_in_force == 1  # its last day


def day_rows() -> dict:
    """FigureDay summed per key and measure, without the zeros: what a reader sees."""
    totals = {}
    for row in FigureDay.objects.values():
        key = tuple(
            row[k] for k in ("day", "office_id", "kind", "station_id", "occupation", "working_days")
        )
        for name in summary._COLUMNS:
            totals[(key, name)] = totals.get((key, name), 0) + row[name]
    return {k: v for k, v in totals.items() if v}


def facts() -> dict:
    return {
        model.__name__: sorted(
            tuple(v for k, v in row.items() if k != "id") for row in model.objects.values()
        )
        for model in summary.FACT_MODELS
    }


def test_reopened_voided_and_moved_cases_count_after_an_incremental_refresh(
    edges, office, other_office, caseworker, monkeypatch
):
    monkeypatch.setattr(summary, "OVERLAP", datetime.timedelta(0))
    summary.refresh(full=True)
    untouched = edges["aid"]
    # After the refresh: a payment voided, a case reopened (no longer finished), a
    # case moved to the other office, a new payment entered, a card's term moved.
    void_payment(payment=edges["kept"], by=caseworker, reason="对方退回")
    move(edges["midnight"], state=State.REFERRED, finished_at=None)
    move(edges["there"], office=office)
    record_payment(
        case=edges["open"],
        by=caseworker,
        worker=edges["open"].case_workers.first().worker,
        paid_on=datetime.date(2026, 8, 8),
        amount=Decimal("700.00"),
        method=Payment.Method.CASH,
    )
    steps.set_card_dates(edges["card"], datetime.date(2026, 7, 1), datetime.date(2027, 6, 30))
    move(edges["card"])
    changed = set(summary.changed_cases(FigureState.objects.get().as_of))
    assert {edges[k].pk for k in ("open", "midnight", "there", "card")} <= changed
    assert untouched.pk not in changed

    done = summary.refresh()

    assert not done.full and done.cases == len(changed)
    assert_summary_equals_live(EDGE_PERIODS, edge_filters(office, other_office))
    incremental_days, incremental_facts = day_rows(), facts()
    summary.refresh(full=True)
    assert day_rows() == incremental_days
    assert facts() == incremental_facts
    # What the changes did, read from the summary.
    h2 = EDGE_PERIODS[1]
    city = figures.Filters(figures.Scope(None))
    assert summary.measure(city, h2).workers_helped == 0  # the reopened case
    assert summary.measure(city, h2).recovered == Decimal("700.00")


def test_a_second_refresh_changes_nothing(edges):
    summary.refresh(full=True)
    first = day_rows(), facts()
    summary.refresh()
    assert (day_rows(), facts()) == first
    summary.refresh(full=True)
    assert (day_rows(), facts()) == first


def test_a_new_case_shows_after_the_next_refresh(edges, office, caseworker):
    summary.refresh(full=True)
    city = figures.Filters(figures.Scope(None))
    today = timezone.localdate()
    period = period_for("this_month", today)
    before = summary.compute(city, period, today).current.opened_total()
    factories.wage_dispute(office, by=caseworker)
    assert summary.compute(city, period, today).current.opened_total() == before
    summary.refresh()
    assert summary.compute(city, period, today).current.opened_total() == before + 1


def test_the_page_says_when_its_figures_were_taken_and_counts_live_when_stale(
    edges, city_supervisor, login_as, settings
):
    client = login_as(city_supervisor)
    response = client.get(reverse("reports:figures"))
    assert "figures as of" not in response.content.decode()
    summary.refresh(full=True)
    as_of = timezone.localtime(FigureState.objects.get().as_of)
    page = client.get(reverse("reports:figures")).content.decode()
    assert f"figures as of {as_of:%H:%M}" in page or f"数据截至 {as_of:%H:%M}" in page
    FigureState.objects.update(as_of=timezone.now() - datetime.timedelta(minutes=31))
    assert summary.fresh_as_of() is None
    settings.FIGURES_SUMMARY_MAX_AGE_MINUTES = 60
    assert summary.fresh_as_of() is not None


def test_a_changed_holiday_schedule_sends_the_page_back_to_live_counts(edges):
    from casework.signals import calendar_changed

    summary.refresh(full=True)
    calendar_changed.send(sender=None)
    assert summary.fresh_as_of() is None
    assert summary.refresh().full
    assert summary.fresh_as_of() is not None
