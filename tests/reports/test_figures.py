"""The figures (reports.figures): each counting rule against a count written here
independently, over the rows themselves; who sees which figures; the page.

The cases are opened and walked through the services; the dates a rule reads are
then moved by queryset updates (the state is untouched). Periods are in the past,
so that today's own cases and payments never fall in them.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseWorker, Payment, State, WageDispute
from cases.services import void_payment
from casework import periods as legal
from reports import figures
from reports.periods import Period, period_for
from tests import factories
from tests.assistance import steps

H1 = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
H2 = Period(datetime.date(2026, 7, 1), datetime.date(2026, 11, 30))
TODAY = datetime.date(2026, 12, 6)
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime.datetime:
    """An aware China-time datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


def finish_on(case, opened: str, finished: str) -> None:
    Case.objects.filter(pk=case.pk).update(opened_at=local(opened), finished_at=local(finished))


def paid_on(dispute, day: datetime.date) -> None:
    Payment.objects.filter(dispute=dispute).update(paid_on=day)


def whole_city(**kwargs) -> figures.Filters:
    return figures.Filters(scope=figures.Scope(None), **kwargs)


# --- the independent counts: plain Python over every row ------------------------------------


def helped_by_hand(period: Period, office=None) -> int:
    workers = set()
    for link in CaseWorker.objects.select_related("case"):
        case = link.case
        if case.finished_at is None or (office and case.office_id != office.pk):
            continue
        if period.includes(timezone.localdate(case.finished_at)):
            workers.add(link.worker_id)
    return len(workers)


def recovered_by_hand(period: Period, office=None) -> tuple[int, Decimal]:
    workers, total = set(), Decimal("0.00")
    for payment in Payment.objects.select_related("dispute"):
        if payment.voided_at is not None or not period.includes(payment.paid_on):
            continue
        if office and payment.dispute.office_id != office.pk:
            continue
        workers.add(payment.worker_id)
        total += payment.amount
    return len(workers), total


@pytest.fixture
def closed_dispute(office, caseworker):
    def make(workers=None, **kwargs):
        return factories.wage_dispute(
            office, by=caseworker, workers=workers, state=State.CLOSED, **kwargs
        )

    return make


# --- the counting rules -----------------------------------------------------------------------


def test_a_worker_with_two_cases_counts_once(office, caseworker, closed_dispute):
    rider = factories.WorkerFactory(office=office, created_by=caseworker)
    first, second = closed_dispute([rider]), closed_dispute([rider])
    other = closed_dispute()
    for case in (first, second, other):
        finish_on(case, "2026-02-01 09:00", "2026-03-10 15:00")
        paid_on(case, datetime.date(2026, 3, 9))

    result = figures.measure(whole_city(), H1, TODAY)

    assert result.workers_helped == 2 == helped_by_hand(H1)
    assert result.workers_paid == 2 == recovered_by_hand(H1)[0]
    assert result.finished_total() == 3


def test_a_voided_payment_counts_nothing(office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state=State.AGREEMENT)
    worker = dispute.case_workers.get().worker
    from cases.services import record_payment

    kept = record_payment(
        case=dispute,
        by=caseworker,
        worker=worker,
        paid_on=datetime.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        method=Payment.Method.BANK,
    )
    mistaken = record_payment(
        case=dispute,
        by=caseworker,
        worker=worker,
        paid_on=datetime.date(2026, 5, 2),
        amount=Decimal("500.00"),
        method=Payment.Method.BANK,
    )
    void_payment(payment=mistaken, by=caseworker, reason="重复录入")
    # A second dispute whose only payment was voided: its worker recovered nothing.
    lost = factories.wage_dispute(office, by=caseworker, state=State.AGREEMENT)
    voided = record_payment(
        case=lost,
        by=caseworker,
        worker=lost.case_workers.get().worker,
        paid_on=datetime.date(2026, 5, 3),
        amount=Decimal("800.00"),
        method=Payment.Method.CASH,
    )
    void_payment(payment=voided, by=caseworker, reason="对方退回")

    result = figures.measure(whole_city(), H1, TODAY)

    assert (result.workers_paid, result.recovered) == (1, Decimal("1000.00"))
    assert recovered_by_hand(H1) == (1, Decimal("1000.00"))
    assert kept.pk


def test_a_payment_after_the_period_counts_in_the_next(office, caseworker, closed_dispute):
    last_day, next_day = closed_dispute(), closed_dispute()
    paid_on(last_day, datetime.date(2026, 6, 30))
    paid_on(next_day, datetime.date(2026, 7, 1))
    amount = Decimal("3000.00")  # what each was agreed and paid (factories' default)

    first = figures.measure(whole_city(), H1, TODAY)
    then = figures.measure(whole_city(), H2, TODAY)

    assert (first.workers_paid, first.recovered) == (1, amount) == recovered_by_hand(H1)
    assert (then.workers_paid, then.recovered) == (1, amount) == recovered_by_hand(H2)
    assert first.recovered_by == {(datetime.date(2026, 6, 1), office.pk): amount}


def test_a_collective_case_counts_each_worker(office, caseworker, closed_dispute):
    workers = [factories.WorkerFactory(office=office, created_by=caseworker) for _ in range(3)]
    collective = closed_dispute(workers)
    finish_on(collective, "2026-04-01 09:00", "2026-04-20 10:00")
    paid_on(collective, datetime.date(2026, 4, 18))
    Payment.objects.filter(dispute=collective, worker=workers[2]).delete()

    result = figures.measure(whole_city(), H1, TODAY)

    assert result.workers_helped == 3 == helped_by_hand(H1)
    assert result.workers_paid == 2 == recovered_by_hand(H1)[0]
    assert result.recovered == Decimal("6000.00")
    assert result.finished_by_kind() == {"WD": 1}


def test_a_case_finished_just_after_midnight_china_time_counts_on_its_local_day(
    office, closed_dispute
):
    # 2026-07-01 00:10 in China is 2026-06-30 16:10 UTC: July, not June.
    case = closed_dispute()
    finish_on(case, "2026-06-01 09:00", "2026-07-01 00:10")

    assert figures.measure(whole_city(), H1, TODAY).workers_helped == 0 == helped_by_hand(H1)
    assert figures.measure(whole_city(), H2, TODAY).workers_helped == 1 == helped_by_hand(H2)


def working_days_by_hand(start: datetime.date, end: datetime.date) -> int:
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += legal.is_workday(day)[0]
    return days


def test_median_working_days_follow_the_holiday_calendar(office, caseworker, closed_dispute):
    # A Friday to the Monday after: one working day. Across the 2026 Spring Festival
    # (15-23 February, with make-up Saturdays): counted on the calendar, not the clock.
    spans = [
        ("2026-01-09 10:00", "2026-01-12 16:00"),
        ("2026-02-10 10:00", "2026-03-02 09:00"),
        ("2026-03-02 10:00", "2026-03-20 09:00"),
    ]
    for opened, finished in spans:
        finish_on(closed_dispute(), opened, finished)
    by_hand = sorted(working_days_by_hand(local(o).date(), local(f).date()) for o, f in spans)

    result = figures.measure(whole_city(), H1, TODAY)

    assert result.median_days("WD") == Decimal(by_hand[1])
    assert result.durations["WD"] == {d: by_hand.count(d) for d in by_hand}
    assert by_hand[0] == 1


def test_an_even_number_of_cases_takes_the_middle_two(office, closed_dispute):
    assert figures.median({1: 1, 4: 1}) == Decimal("2.5")
    assert figures.median({3: 2, 9: 1}) == Decimal(3)
    assert figures.median({}) is None


def test_aid_and_cards_are_counted_by_their_own_dates(office, caseworker, supervisor, dibao):
    aid = steps.aid_at(State.CLOSED, office=office, by=caseworker, amount=Decimal("2500.00"))
    Case.objects.filter(pk=aid.pk).update(finished_at=local("2026-03-20 10:00"))
    aid.__class__.objects.filter(pk=aid.pk).update(
        approved_at=local("2026-03-01 10:00"), disbursed_on=datetime.date(2026, 7, 2)
    )
    card = steps.card_at(State.CARD_ISSUED, office=office, by=caseworker, approver=supervisor)
    steps.set_card_dates(card, datetime.date(2026, 6, 1), datetime.date(2027, 5, 31))

    first = figures.measure(whole_city(), H1, TODAY)
    then = figures.measure(whole_city(), H2, TODAY)

    assert (first.aid_approved, first.aid_approved_amount) == (1, Decimal("2500.00"))
    assert (first.aid_disbursed, then.aid_disbursed) == (0, 1)
    assert then.aid_disbursed_amount == Decimal("2500.00")
    assert (first.cards_issued, first.cards_in_force) == (1, 1)
    assert (then.cards_issued, then.cards_in_force) == (0, 1)


def test_repeat_offenders_rank_counterparties_with_what_is_still_unpaid(
    office, caseworker, closed_dispute
):
    platform = factories.CounterpartyFactory(name="某配送平台")
    done = closed_dispute(counterparty=platform)
    finish_on(done, "2026-02-01 09:00", "2026-03-01 09:00")
    paid_on(done, datetime.date(2026, 2, 20))
    owed = factories.wage_dispute(
        office, by=caseworker, counterparty=platform, state=State.AGREEMENT
    )
    Case.objects.filter(pk=owed.pk).update(opened_at=local("2026-05-01 09:00"))
    once = closed_dispute()  # another counterparty, only one dispute: not a repeat
    finish_on(once, "2026-02-01 09:00", "2026-03-01 09:00")

    [offender] = figures.repeat_offenders(whole_city(), H1)

    assert (offender.name, offender.credit_code) == ("某配送平台", platform.credit_code)
    assert (offender.open, offender.finished) == (1, 1)
    # The agreement's ¥3,000 is unpaid; the closed dispute was paid in full in February.
    assert offender.unpaid == Decimal("3000.00")
    # On 15 February nothing of the closed one had been paid yet (paid on the 20th).
    early = Period(datetime.date(2026, 1, 1), datetime.date(2026, 2, 15))
    assert figures._unpaid(
        whole_city(),
        early,
        figures.Q(dispute__opened_at__lt=early.end_before),
        [platform.pk],
    ) == {platform.pk: Decimal("3000.00")}
    assert WageDispute.objects.get(pk=owed.pk).totals()["outstanding"] == Decimal("3000.00")


# --- who sees which figures ---------------------------------------------------------------


@pytest.fixture
def two_counties(office, other_office, caseworker, other_caseworker):
    """A dispute paid ¥3,000 in 曾都区, and one of two workers paid ¥3,000 each
    (¥6,000) in 广水市, both finished in H1."""
    here = factories.wage_dispute(office, by=caseworker, state=State.CLOSED)
    there_workers = [
        factories.WorkerFactory(office=other_office, created_by=other_caseworker) for _ in range(2)
    ]
    there = factories.wage_dispute(
        other_office, by=other_caseworker, workers=there_workers, state=State.CLOSED
    )
    for case in (here, there):
        finish_on(case, "2026-03-01 09:00", "2026-03-15 09:00")
        paid_on(case, datetime.date(2026, 3, 14))
    return here, there


def test_scopes_follow_the_roles(
    office, other_office, caseworker, supervisor, city_supervisor, auditor, admin_user
):
    assert figures.scope_for(caseworker).office_ids == {office.pk}
    assert figures.scope_for(supervisor).office_ids == {office.pk}
    assert figures.scope_for(city_supervisor).office_ids is None
    assert figures.scope_for(auditor).office_ids is None
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        figures.scope_for(admin_user)


def test_a_caseworker_of_one_county_sees_none_of_another_countys_figures(
    two_counties, office, other_office, caseworker, login_as
):
    mine = figures.measure(figures.Filters(scope=figures.scope_for(caseworker)), H1, TODAY)
    assert (mine.workers_helped, mine.workers_paid) == (1, 1)
    assert mine.workers_helped == helped_by_hand(H1, office)
    assert {key[2] for key in mine.finished} == {office.pk}

    client = login_as(caseworker)
    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    page = client.get(reverse("reports:figures"), query)
    text = page.content.decode()
    assert page.status_code == 200
    assert "¥3,000.00" in text and "¥6,000.00" not in text
    assert other_office.name not in text
    # Asking for the other county's office is refused, not answered.
    refused = client.get(reverse("reports:figures"), {**query, "office": other_office.pk})
    assert refused.status_code == 400
    assert "¥3,000.00" not in refused.content.decode()
    download = client.get(reverse("reports:figures_table", args=["offices", "csv"]), {**query})
    assert other_office.name not in download.content.decode()


def test_the_city_supervisor_sees_both_counties(two_counties, city_supervisor, login_as):
    client = login_as(city_supervisor)
    page = client.get(
        reverse("reports:figures"), {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    )
    text = page.content.decode()
    assert "¥9,000.00" in text and "¥6,000.00" in text
    assert "曾都区总工会" in text and "广水市总工会" in text


# --- the page ------------------------------------------------------------------------------


URLS = [
    ("reports:figures", []),
    ("reports:figure_rules", []),
    ("reports:figures_table", ["headline", "csv"]),
    ("reports:figures_report", []),
]


@pytest.mark.parametrize("name,args", URLS)
def test_anonymous_readers_are_sent_to_log_in(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name,args", URLS)
def test_an_administrator_without_a_role_is_refused(admin_user, login_as, name, args):
    assert login_as(admin_user).get(reverse(name, args=args)).status_code == 403


def test_a_caseworker_supervisor_and_auditor_read_the_page(
    caseworker, supervisor, auditor, login_as
):
    for user in (caseworker, supervisor, auditor):
        page = login_as(user).get(reverse("reports:figures"))
        assert page.status_code == 200
        assert "Workers helped" in page.content.decode()
        assert f'href="{reverse("reports:figures")}" aria-current="page"' in page.content.decode()


def test_the_page_opens_on_the_last_12_months(city_supervisor, login_as):
    page = login_as(city_supervisor).get(reverse("reports:figures"))
    expected = period_for("last_12_months", timezone.localdate())
    assert expected.start.isoformat() in page.content.decode()
    assert page.context["figures"].period == expected
    assert '<option value="last_12_months" selected>' in page.content.decode()


def test_the_page_draws_svg_charts_without_scripts(two_counties, city_supervisor, login_as):
    page = login_as(city_supervisor).get(
        reverse("reports:figures"), {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    )
    text = page.content.decode()
    assert text.count("<svg") >= 5 and 'viewBox="0 0 640' in text
    assert "<script" not in text.split("<main", 1)[1]


def test_every_figure_links_to_the_cases_it_counts(two_counties, city_supervisor, login_as):
    here, there = two_counties
    client = login_as(city_supervisor)
    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    page = client.get(reverse("reports:figures"), query)
    headline = page.context["headline"]
    links = {row[0].value: row[1].link for row in headline.rows}
    for label in ("Workers helped", "Amount recovered", "Cases finished"):
        queue = client.get(links[label])
        shown = [case.number for case in queue.context["page"]]
        assert sorted(shown) == sorted([here.number, there.number]), label
    # A case outside the period is not listed.
    later = factories.wage_dispute(there.office, by=city_supervisor, state=State.DECLINED)
    queue = client.get(links["Cases finished"])
    assert later.number not in [case.number for case in queue.context["page"]]


def test_invalid_custom_periods_are_refused_with_a_message(caseworker, login_as):
    page = login_as(caseworker).get(
        reverse("reports:figures"), {"period": "custom", "start": "2026-06-30", "end": "2026-01-01"}
    )
    assert page.status_code == 400
    assert "The end of the period is before its start." in page.content.decode()


# --- downloads -------------------------------------------------------------------------------


def test_each_table_downloads_as_csv_and_the_download_is_logged(
    two_counties, city_supervisor, login_as
):
    from casework.models import AuditEntry

    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    response = login_as(city_supervisor).get(
        reverse("reports:figures_table", args=["headline", "csv"]), query
    )
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    rows = {line.split(",")[0]: line.split(",")[1:] for line in body.splitlines()}
    assert rows["Amount recovered"][:2] == ["9000.00", "0.00"], body
    assert rows["Workers helped"][:2] == ["3", "0"]
    entry = AuditEntry.objects.filter(action="document_downloaded").latest("pk")
    assert entry.details["document"] == "figures_table"
    assert entry.details["table"] == "headline" and entry.actor == city_supervisor


def test_each_table_downloads_as_xlsx_with_numbers_as_numbers(
    two_counties, city_supervisor, login_as
):
    import io

    from openpyxl import load_workbook

    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    response = login_as(city_supervisor).get(
        reverse("reports:figures_table", args=["offices", "xlsx"]), query
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Office"
    recovered = {row[0]: row[4] for row in rows[1:]}
    assert recovered == {"曾都区总工会": 3000, "广水市总工会": 6000}


def test_an_unknown_table_is_not_found(caseworker, login_as):
    client = login_as(caseworker)
    assert client.get(reverse("reports:figures_table", args=["nope", "csv"])).status_code == 404
    assert client.get(reverse("reports:figures_table", args=["headline", "pdf"])).status_code == 404


# --- the leadership report --------------------------------------------------------------------


def test_the_leadership_report_is_a_pdf_with_the_figures_and_its_download_is_logged(
    two_counties, city_supervisor, login_as
):
    from casework.models import AuditEntry

    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    response = login_as(city_supervisor).get(reverse("reports:figures_report"), query)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    entry = AuditEntry.objects.filter(action="document_downloaded").latest("pk")
    assert entry.details["document"] == "figures_report"
    assert entry.details["filters"]["start"] == "2026-01-01"


def test_a_past_periods_report_gives_the_same_figures_each_time(
    two_counties, office, caseworker, city_supervisor, login_as
):
    from reports import leadership

    def report():
        result = figures.compute(whole_city(), H1, TODAY, with_previous=True)
        return leadership.headline_paragraphs(result, "随州市总工会"), leadership.comparison_rows(
            result
        )

    first = report()
    # Work done since (today) changes nothing in the first half of 2026.
    factories.wage_dispute(office, by=caseworker, state=State.CLOSED)
    assert report() == first
    client = login_as(city_supervisor)
    query = {"period": "custom", "start": "2026-01-01", "end": "2026-06-30"}
    one = client.get(reverse("reports:figures_report"), query).content
    two = client.get(reverse("reports:figures_report"), query).content
    assert one == two


def test_the_headline_paragraph_reads_like_the_seed(two_counties):
    from django.utils import translation

    from reports import leadership

    result = figures.compute(whole_city(), H1, TODAY, with_previous=True)
    with translation.override("zh-hans"):
        first = leadership.headline_paragraphs(result, "随州市总工会")[0]
    assert "随州市总工会" in first
    assert "为3名新就业形态劳动者挽回经济损失0.9万元" in first
    assert leadership.wan(Decimal("197000.00")) == "19.7"
    assert leadership.wan(Decimal("12345.00")) == "1.23"


def test_a_changed_holiday_schedule_renumbers_the_working_days(db):
    from casework.models import HolidaySchedule
    from casework.signals import calendar_changed
    from reports.models import WorkingDay
    from reports.periods import ensure_working_days

    def step(day):  # 1 when `day` is a working day, by the table's numbers
        number = dict(WorkingDay.objects.values_list("day", "number"))
        return number[day] - number[day - datetime.timedelta(days=1)]

    monday = datetime.date(2026, 3, 2)
    ensure_working_days(TODAY)
    assert step(monday) == 1
    # The official schedule entered for 2026 makes that Monday a holiday.
    schedule = HolidaySchedule.objects.create(year=2026, holidays="2026-03-02\n")
    calendar_changed.send(sender=HolidaySchedule, schedule=schedule)
    assert not WorkingDay.objects.exists()
    ensure_working_days(TODAY)
    assert step(monday) == 0
    assert step(monday + datetime.timedelta(days=1)) == 1  # Tuesday still works


def test_open_cases_past_a_clock_lead_to_the_deadlines_page_or_the_queue(
    caseworker, supervisor, auditor, login_as
):
    """Caseworkers and supervisors have a deadlines page; auditors have none, and are
    sent to the queue's overdue filter instead."""
    label = "Open cases past a legal deadline (today)"
    for user in (caseworker, supervisor):
        page = login_as(user).get(reverse("reports:figures"))
        links = {row[0].value: row[1].link for row in page.context["headline"].rows}
        assert links[label] == reverse("reminders:deadlines"), user
        assert login_as(user).get(links[label]).status_code == 200
    page = login_as(auditor).get(reverse("reports:figures"))
    links = {row[0].value: row[1].link for row in page.context["headline"].rows}
    assert links[label].startswith(reverse("cases:queue")) and "clock=overdue" in links[label]
    assert login_as(auditor).get(links[label]).status_code == 200
