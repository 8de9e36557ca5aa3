"""The figures page and the leadership report at 1,000,000 cases, beside raw SQL.

    .venv/bin/python bench/figures_bench.py --db cw_bench [--runs 5] [--fill]

Needs a database filled by `bench/fill.py` (`--fill` fills it first, about five
minutes and more on a busy machine) and migrated to this branch. As the fill's
city supervisor (`citysv`: the whole city) it times, median of `--runs`:

- **page**: `GET /figures/` on its default period (the last 12 months) through
  Django's test Client: middleware, session, every query, the charts and the
  template, i.e. the server's time for the page;
- **raw SQL**: the same aggregates written by hand as SQL (the two periods, today's
  overdue cases, the repeat offenders), run one after another on one cursor with
  the same planner settings (`reports.figures._planner_settings`);
- **PDF**: `GET /figures/report.pdf` for the same period (three periods' figures,
  the charts, WeasyPrint).

With `--summary` (the precomputed figures, reports.summary) it first times
`refresh_figures --full`, then the page and the PDF read from the summary beside
the page counted live, then "touches" `--touch` cases (sets their `updated_at`,
as a save does: this writes to the database) and times an incremental refresh,
and a second incremental refresh with nothing changed.

It prints each, the number of queries of the page, the ratio of page to raw SQL,
the slowest queries of the page and the load average before and after.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import export_bench  # noqa: E402

FINISHED = "('closed', 'declined', 'withdrawn', 'rejected')"

# One period's aggregates, as the page asks for them (reports.figures.measure).
PERIOD_SQL = [
    """SELECT kind, office_id, date_trunc('month', opened_at AT TIME ZONE 'Asia/Shanghai'),
              count(*)
       FROM cases_case WHERE opened_at >= %(start_at)s AND opened_at < %(end_before)s
       GROUP BY 1, 2, 3""",
    f"""SELECT kind, office_id, date_trunc('month', finished_at AT TIME ZONE 'Asia/Shanghai'),
              count(*)
       FROM cases_case WHERE finished_at >= %(start_at)s AND finished_at < %(end_before)s
         AND state IN {FINISHED}
       GROUP BY 1, 2, 3""",
    f"""SELECT count(DISTINCT cw.worker_id)
       FROM cases_caseworker cw JOIN cases_case c ON c.id = cw.case_id
       WHERE c.finished_at >= %(start_at)s AND c.finished_at < %(end_before)s
         AND c.state IN {FINISHED}""",
    """SELECT count(DISTINCT worker_id) FROM cases_payment
       WHERE voided_at IS NULL AND paid_on BETWEEN %(start)s AND %(end)s""",
    """SELECT c.office_id, date_trunc('month', p.paid_on), sum(p.amount)
       FROM cases_payment p JOIN cases_case c ON c.id = p.dispute_id
       WHERE p.voided_at IS NULL AND p.paid_on BETWEEN %(start)s AND %(end)s
       GROUP BY 1, 2""",
    """SELECT count(*) FILTER (WHERE approved_at >= %(start_at)s
                                AND approved_at < %(end_before)s),
              sum(approved_amount) FILTER (WHERE approved_at >= %(start_at)s
                                           AND approved_at < %(end_before)s),
              count(*) FILTER (WHERE disbursed_on BETWEEN %(start)s AND %(end)s),
              sum(disbursed_amount) FILTER (WHERE disbursed_on BETWEEN %(start)s AND %(end)s)
       FROM assistance_aidapplication
       WHERE (approved_at >= %(start_at)s AND approved_at < %(end_before)s)
          OR disbursed_on BETWEEN %(start)s AND %(end)s""",
    """SELECT count(*) FILTER (WHERE a.valid_from BETWEEN %(start)s AND %(end)s),
              count(*) FILTER (WHERE a.valid_from <= %(end)s AND a.valid_to >= %(end)s)
       FROM assistance_cardapplication a JOIN cases_case c ON c.id = a.case_ptr_id
       WHERE c.state IN ('card_issued', 'closed') AND a.card_number <> ''
         AND (a.valid_from BETWEEN %(start)s AND %(end)s
              OR (a.valid_from <= %(end)s AND a.valid_to >= %(end)s))""",
    f"""SELECT c.kind, f.number - coalesce(o.number, 0), count(*)
       FROM cases_case c
       JOIN reports_workingday f ON f.day = (c.finished_at AT TIME ZONE 'Asia/Shanghai')::date
       LEFT JOIN reports_workingday o ON o.day = (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date
       WHERE c.finished_at >= %(start_at)s AND c.finished_at < %(end_before)s
         AND c.state IN {FINISHED}
       GROUP BY 1, 2""",
    """SELECT count(*) FROM casework_station WHERE is_active AND opened_on <= %(end)s""",
    """SELECT station_id, sum(count) FROM casework_servicetally
       WHERE day BETWEEN %(start)s AND %(end)s GROUP BY 1""",
]
# The period shown (not its twin of last year): the tables by occupation and station.
DETAIL_SQL = [
    """SELECT w.occupation, count(DISTINCT cw.case_id), count(DISTINCT cw.worker_id)
       FROM cases_caseworker cw JOIN cases_case c ON c.id = cw.case_id
       JOIN cases_worker w ON w.id = cw.worker_id
       WHERE c.opened_at >= %(start_at)s AND c.opened_at < %(end_before)s
       GROUP BY 1""",
    """SELECT station_id, count(*) FROM cases_case
       WHERE opened_at >= %(start_at)s AND opened_at < %(end_before)s
         AND station_id IS NOT NULL
       GROUP BY 1""",
    f"""SELECT kind, count(*) FROM cases_case
       WHERE state NOT IN {FINISHED} AND due_on < %(today)s GROUP BY 1""",
    f"""SELECT dc.counterparty_id, cp.name, cp.credit_code,
              count(DISTINCT dc.dispute_id) FILTER (WHERE c.finished_at IS NULL
                                                    OR c.finished_at >= %(end_before)s),
              count(DISTINCT dc.dispute_id) FILTER (WHERE c.finished_at >= %(start_at)s
                                                    AND c.finished_at < %(end_before)s
                                                    AND c.state IN {FINISHED})
       FROM cases_disputecounterparty dc JOIN cases_case c ON c.id = dc.dispute_id
       JOIN cases_counterparty cp ON cp.id = dc.counterparty_id
       WHERE c.opened_at < %(end_before)s
         AND (c.finished_at IS NULL OR c.finished_at >= %(start_at)s)
       GROUP BY 1, 2, 3
       HAVING count(DISTINCT dc.dispute_id) FILTER (WHERE c.finished_at IS NULL
                                                    OR c.finished_at >= %(end_before)s)
            + count(DISTINCT dc.dispute_id) FILTER (WHERE c.finished_at >= %(start_at)s
                                                    AND c.finished_at < %(end_before)s
                                                    AND c.state IN {FINISHED}) >= 2
       ORDER BY 4 + 5 DESC, 2, 1 LIMIT 40""",
]


def params(period, today) -> dict:
    return {
        "start": period.start,
        "end": period.end,
        "start_at": period.start_at,
        "end_before": period.end_before,
        "today": today,
    }


def raw_sql(period, today) -> float:
    """Seconds for the page's aggregates written as SQL, both periods."""
    from django.db import connection

    from reports.figures import _planner_settings

    began = time.perf_counter()
    with _planner_settings(), connection.cursor() as cursor:
        for p in (params(period, today), params(period.same_last_year(), today)):
            for sql in PERIOD_SQL:
                cursor.execute(sql, p)
                cursor.fetchall()
        for sql in DETAIL_SQL:
            cursor.execute(sql, params(period, today))
            top = cursor.fetchall()
        cursor.execute(
            """SELECT dc.counterparty_id,
                      sum(greatest(cw.amount_agreed - coalesce(p.total, 0), 0))
               FROM cases_caseworker cw
               JOIN cases_disputecounterparty dc ON dc.dispute_id = cw.case_id
               JOIN cases_case c ON c.id = cw.case_id
               LEFT JOIN (SELECT dispute_id, worker_id, sum(amount) AS total FROM cases_payment
                          WHERE voided_at IS NULL AND paid_on <= %(end)s GROUP BY 1, 2) p
                 ON p.dispute_id = cw.case_id AND p.worker_id = cw.worker_id
               WHERE cw.amount_agreed IS NOT NULL AND dc.counterparty_id = ANY(%(ids)s)
                 AND c.opened_at < %(end_before)s
                 AND (c.finished_at IS NULL OR c.finished_at >= %(start_at)s)
               GROUP BY 1""",
            {**params(period, today), "ids": [row[0] for row in top]},
        )
        cursor.fetchall()
    return time.perf_counter() - began


class QueryLog:
    """Every query of a request, with its time (an execute wrapper, as queue_bench)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - began, sql))


def timed_get(client, url):
    from django.db import connection

    log = QueryLog()
    with connection.execute_wrapper(log):
        began = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        seconds = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    return seconds, log, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=12, help="slowest queries printed")
    parser.add_argument("--fill", action="store_true", help="fill the database first")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--summary", action="store_true", help="time the precomputed figures")
    parser.add_argument("--touch", type=int, default=1000, help="cases changed before a refresh")
    args = parser.parse_args()
    if args.fill:
        export_bench.create_database(args.db)
    export_bench.setup_django(args.db)
    from django.core.management import call_command

    if args.fill:
        import fill

        fill.fill(args.cases)
    else:
        call_command("migrate", verbosity=0)

    from django.test import Client
    from django.utils import timezone

    from casework.models import User
    from reports.periods import LAST_12_MONTHS, period_for

    load_before = os.getloadavg()
    client = Client()
    sys.path.insert(0, str(ROOT / "tests"))
    import factories  # the test suite's sign-in: past two-factor, as the fill's supervisor

    factories.sign_in(client, User.objects.get(username="citysv"))
    today = timezone.localdate()
    period = period_for(LAST_12_MONTHS, today)
    page_url = "/figures/"
    pdf_url = f"/figures/report.pdf?period={LAST_12_MONTHS}"

    if args.summary:
        summary_run(args, client, period, today, page_url, pdf_url, load_before)
        return

    timed_get(client, page_url)  # warm: the working-day table, caches, the template
    raw_sql(period, today)
    page, raw, logs = [], [], []
    for _ in range(args.runs):  # interleaved, so both see the same machine
        seconds, log, response = timed_get(client, page_url)
        page.append(seconds)
        logs.append(log)
        raw.append(raw_sql(period, today))
    pdf = []
    for _ in range(args.pdf_runs):
        seconds, _log, response = timed_get(client, pdf_url)
        pdf.append(seconds)
    size = len(response.content)
    load_after = os.getloadavg()

    log = logs[len(logs) // 2]
    print(f"{args.db}: figures of the whole city, {period.start} – {period.end}")
    in_queries = sum(t for t, _ in log.queries) * 1000
    print(f"  page (GET {page_url})  median {ms(page):7.0f} ms  fastest {min(page) * 1000:.0f}")
    print(f"      queries: {len(log.queries)}, their time {in_queries:.0f} ms")
    print(f"  raw SQL, same aggregates  median {ms(raw):7.0f} ms  fastest {min(raw) * 1000:.0f}")
    print(f"  page / raw SQL               {ms(page) / ms(raw):.2f}x")
    print(f"  report PDF (GET {pdf_url}) median {ms(pdf):7.0f} ms  ({size / 1024:.0f} KB)")
    print(f"  load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    slowest(log, args.slowest)


def ms(values) -> float:
    return statistics.median(values) * 1000


def slowest(log, n) -> None:
    print("  slowest queries of the page:")
    for seconds, sql in sorted(log.queries, reverse=True, key=lambda q: q[0])[:n]:
        print(f"    {seconds * 1000:6.0f} ms  {' '.join(sql.split())[:150]}")


def summary_run(args, client, period, today, page_url, pdf_url, load_before) -> None:
    """The precomputed figures: refresh (full, incremental), the page and the PDF from
    the summary beside the page counted live and the raw SQL."""
    from django.db import connection
    from django.test import override_settings

    from reports import summary

    began = time.perf_counter()
    full = summary.refresh(full=True)
    full_seconds = time.perf_counter() - began
    live_settings = override_settings(FIGURES_SUMMARY_MAX_AGE_MINUTES=-(10**9))

    timed_get(client, page_url)  # warm
    with live_settings:
        timed_get(client, page_url)
    raw_sql(period, today)
    page, live, raw, logs = [], [], [], []
    for _ in range(args.runs):  # interleaved, so all three see the same machine
        seconds, log, response = timed_get(client, page_url)
        assert b"figures as of" in response.content or "数据截至".encode() in response.content
        page.append(seconds)
        logs.append(log)
        with live_settings:
            live.append(timed_get(client, page_url)[0])
        raw.append(raw_sql(period, today))
    pdf = []
    for _ in range(args.pdf_runs):
        seconds, _log, response = timed_get(client, pdf_url)
        pdf.append(seconds)
    size = len(response.content)

    with connection.cursor() as cursor:  # as if these cases had been saved just now
        cursor.execute(
            "UPDATE cases_case SET updated_at = now() WHERE id IN "
            "(SELECT id FROM cases_case ORDER BY random() LIMIT %s)",
            [args.touch],
        )
    incremental = summary.refresh()
    unchanged = summary.refresh()
    load_after = os.getloadavg()

    log = logs[len(logs) // 2]
    rows = {m.__name__: m.objects.count() for m in (summary.FigureDay, *summary.FACT_MODELS)}
    print(f"{args.db}: figures of the whole city, {period.start} – {period.end}")
    print(f"  refresh_figures --full              {full_seconds:7.1f} s  ({full.cases:,} cases)")
    print(f"      rows: {', '.join(f'{k} {v:,}' for k, v in rows.items())}")
    in_queries = sum(t for t, _ in log.queries) * 1000
    print(f"  page from the summary  median {ms(page):7.0f} ms  fastest {min(page) * 1000:.0f}")
    print(f"      queries: {len(log.queries)}, their time {in_queries:.0f} ms")
    print(f"  page counted live      median {ms(live):7.0f} ms  fastest {min(live) * 1000:.0f}")
    print(f"  raw SQL (live aggregates) median {ms(raw):7.0f} ms  fastest {min(raw) * 1000:.0f}")
    print(f"  summary page / raw SQL       {ms(page) / ms(raw):.2f}x")
    print(f"  report PDF from the summary median {ms(pdf):7.0f} ms  ({size / 1024:.0f} KB)")
    print(
        f"  refresh_figures, {args.touch:,} cases touched  {incremental.seconds:7.1f} s"
        f"  ({incremental.cases:,} cases)"
    )
    print(f"  refresh_figures, nothing changed  {unchanged.seconds:7.1f} s")
    print(f"  load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    slowest(log, args.slowest)


if __name__ == "__main__":
    main()
