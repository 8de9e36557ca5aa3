"""The finished-case CSV export on PostgreSQL: through the real view, against COPY.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python bench/export_bench.py

It creates a throwaway database (`casework_bench`, dropped at the end unless
`--keep`), migrates it and fills it with 1,000,000 finished cases by bulk SQL
(INSERT … SELECT generate_series: 60% wage disputes with a counterparty and a
payment, 25% hardship aid with an approval, 15% medical cards), 1,000 cases
finishing on each local day from 2021-01-01. Then, for 100,000 and 1,000,000
rows, each run in a subprocess of its own (so that `ru_maxrss` is that run's
own peak), it times:

- view: GET /audit/exports/finished-cases.csv through Django's test Client as
  an auditor (middleware, session, the counts and the audit entries included),
  consuming the streamed response chunk by chunk;
- COPY: the same SQL (`exports.copy_sql(exports.rows(…))`) through psycopg's
  `cursor.copy()`, reading every block COPY sends;
- psql: the same statement through psql into /dev/null (no Python at all; for
  reference).

It prints rows per second for each, the view's share of COPY's rate, and peak
memory. `--cases`, `--sizes`, `--repeat` change the defaults; each figure is
the best of `--repeat` runs.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
FIRST_DAY = datetime.date(2021, 1, 1)
PER_DAY = 1000  # cases finishing on each local day


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"{SERVER}/{database}"
    import django

    django.setup()


def period(size: int) -> dict:
    days = size // PER_DAY
    return {
        "finished_from": FIRST_DAY.isoformat(),
        "finished_to": (FIRST_DAY + datetime.timedelta(days=days - 1)).isoformat(),
    }


# --- the database -----------------------------------------------------------------------


def psql(database: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-X", "-q", *args],
        check=True,
        **kwargs,
    )


def create_database(database: str) -> None:
    psql("postgres", "-c", f"DROP DATABASE IF EXISTS {database}")
    psql("postgres", "-c", f"CREATE DATABASE {database}")


def drop_database(database: str) -> None:
    psql("postgres", "-c", f"DROP DATABASE IF EXISTS {database}")


FILL = [
    # Workers: one per case.
    """
    INSERT INTO cases_worker (id, name, phone, id_encrypted, id_hash, id_masked, occupation,
        employer, residence, is_member, membership_number, consent_scope, created_at,
        created_by_id, district_id, office_id)
    SELECT i, '劳动者' || i, '', '', '', '421303********' || lpad((i %% 10000)::text, 4, '0'),
        (ARRAY['rider','courier','truck_driver','ride_hailing','domestic','care','other'])
            [1 + i %% 7],
        '', 'urban', false, '', '', now(), %(creator)s,
        (%(districts)s::bigint[])[1 + i %% 4], (%(offices)s::bigint[])[1 + i %% 4]
    FROM generate_series(1, %(n)s) AS i
    """,
    # Counterparties: a thousand platforms, stations and dispatch firms.
    """
    INSERT INTO cases_counterparty (id, name, type, credit_code, contact_person, phone, address)
    SELECT i, '配送平台' || i, 'platform', '9142130000' || lpad(i::text, 8, '0'), '', '', ''
    FROM generate_series(1, 1000) AS i
    """,
    # The case core: 60% wage disputes, 25% aid, 15% cards; all finished.
    """
    INSERT INTO cases_case (id, number, kind, state, priority, opened_at, finished_at, outcome,
        outcome_note, due_provisional, updated_at, assignee_id, created_by_id, office_id,
        applicant_id, state_changed_at, channel)
    SELECT i, k || '-' || to_char(f AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
            || lpad(i::text, 7, '0'),
        k,
        CASE WHEN k = 'WD' AND i %% 10 = 0 THEN 'declined'
             WHEN k = 'WD' AND i %% 10 = 1 THEN 'withdrawn'
             WHEN k = 'HA' AND i %% 10 = 0 THEN 'rejected'
             ELSE 'closed' END,
        'normal', f - (1 + i %% 120) * interval '1 day', f,
        CASE WHEN k = 'WD' AND i %% 10 = 0 THEN 'declined'
             WHEN k = 'WD' AND i %% 10 = 1 THEN 'withdrawn'
             WHEN k = 'WD' THEN 'performed'
             WHEN k = 'HA' AND i %% 10 = 0 THEN 'rejected'
             WHEN k = 'HA' THEN 'disbursed'
             ELSE 'card_issued' END,
        '', false, f, (%(caseworkers)s::bigint[])[1 + i %% 40], %(creator)s,
        (%(offices)s::bigint[])[1 + i %% 4], i, f,
        (ARRAY['hotline','desk','online','referral'])[1 + i %% 4]
    FROM (
        SELECT i,
            CASE WHEN i %% 20 < 12 THEN 'WD' WHEN i %% 20 < 17 THEN 'HA' ELSE 'MC' END AS k,
            timestamptz '2020-12-31 16:00:00+00' + (i - 1) * interval '86.4 seconds' AS f
        FROM generate_series(1, %(n)s) AS i
    ) AS s
    """,
    """
    INSERT INTO cases_wagedispute (case_ptr_id, matters, reasons, received_at,
        relationship, mediation_deadline_provisional, limitation_provisional, agreement_result,
        performance_method, referral_forum, referral_body)
    SELECT id, '拖欠配送费', '站点以考核为由扣发配送费', opened_at, 'labour',
        false, false, '', '', '', ''
    FROM cases_case WHERE kind = 'WD'
    """,
    """
    INSERT INTO assistance_aidapplication (case_ptr_id, circumstances, visitors, findings,
        computed_category, aid_type, recommended_category, recommendation_reason,
        category_difference_reason, approval_round, cap_override_reason, disbursement_method,
        receipt_reference, recommended_amount, approved_amount, approved_at, disbursed_amount,
        disbursed_on, threshold, cap)
    SELECT id, '配偶重病住院', '', '', 'deep', 'cash', 'deep', '', '', 1, '', '银行转账', '',
        2000 + id %% 3000,
        CASE WHEN state = 'closed' THEN 2000 + id %% 3000 END,
        CASE WHEN state = 'closed' THEN finished_at - interval '3 days' END,
        CASE WHEN state = 'closed' THEN 2000 + id %% 3000 END,
        CASE WHEN state = 'closed' THEN (finished_at AT TIME ZONE 'Asia/Shanghai')::date END,
        5000, 10000
    FROM cases_case WHERE kind = 'HA'
    """,
    """
    INSERT INTO assistance_cardapplication (case_ptr_id, verification_notes, card_number,
        valid_from, valid_to)
    SELECT id, '', 'HGK-' || lpad(id::text, 8, '0'),
        (finished_at AT TIME ZONE 'Asia/Shanghai')::date,
        (finished_at AT TIME ZONE 'Asia/Shanghai')::date + 364
    FROM cases_case WHERE kind = 'MC'
    """,
    """
    INSERT INTO cases_caseworker (id, case_id, worker_id, amount_claimed, amount_agreed)
    SELECT id, id, id,
        CASE WHEN kind = 'WD' THEN 1000 + id %% 9000 END,
        CASE WHEN kind = 'WD' AND state = 'closed' THEN 1000 + id %% 9000 END
    FROM cases_case
    """,
    """
    INSERT INTO cases_disputecounterparty (dispute_id, counterparty_id, role)
    SELECT id, 1 + id %% 1000, 'platform' FROM cases_case WHERE kind = 'WD'
    """,
    """
    INSERT INTO cases_payment (dispute_id, worker_id, paid_on, amount, method, reference,
        entered_at, void_reason, entered_by_id)
    SELECT id, id, (finished_at AT TIME ZONE 'Asia/Shanghai')::date, 1000 + id %% 9000, 'bank',
        '', finished_at, '', assignee_id
    FROM cases_case WHERE kind = 'WD' AND state = 'closed'
    """,
    """
    INSERT INTO assistance_approval (application_id, round, approver_id, approved_at, comment,
        amount, threshold, cap, aid_in_12_months, cap_override_reason)
    SELECT id, 1, (%(supervisors)s::bigint[])[1 + id %% 4], finished_at - interval '3 days',
        '同意', 2000 + id %% 3000, 5000, 10000, 0, ''
    FROM cases_case WHERE kind = 'HA' AND state = 'closed'
    """,
]
SEQUENCES = ["cases_worker", "cases_counterparty", "cases_case", "cases_caseworker"]


def fill(cases: int) -> None:
    """Staff and offices through the ORM; the million rows by bulk SQL."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from casework.models import District, Office, User

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        city = Office.objects.create(name="随州市总工会", short_name="市总")
        offices = [
            Office.objects.create(name=f"{name}总工会", parent=city)
            for name in ("曾都区", "随县", "广水市", "高新区")
        ]
        districts = [
            District.objects.create(name=n) for n in ("曾都区", "随县", "广水市", "高新区")
        ]
        caseworker, supervisor, auditor = (
            Group.objects.get(name=n) for n in ("caseworker", "supervisor", "auditor")
        )
        caseworkers = []
        for n in range(40):
            user = User.objects.create(
                username=f"cw{n}", full_name=f"社工{n}", office=offices[n % 4]
            )
            user.groups.add(caseworker)
            caseworkers.append(user)
        supervisors = []
        for n in range(4):
            user = User.objects.create(username=f"sv{n}", full_name=f"审批人{n}", office=offices[n])
            user.groups.add(supervisor)
            supervisors.append(user)
        User.objects.create(username="auditor", full_name="审计").groups.add(auditor)
        params = {
            "n": cases,
            "creator": caseworkers[0].pk,
            "offices": [o.pk for o in offices],
            "districts": [d.pk for d in districts],
            "caseworkers": [u.pk for u in caseworkers],
            "supervisors": [u.pk for u in supervisors],
        }
        with connection.cursor() as cursor:
            for statement in FILL:
                cursor.execute(statement, params)
            for table in SEQUENCES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    # The measurements run in processes of their own; and the database is dropped.
    connection.close()


# --- one measurement, in its own process -------------------------------------------------


def measure(method: str, size: int, database: str) -> dict:
    setup_django(database)
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from casework.models import AuditEntry, User
    from reports import exports
    from reports.views import ExportForm

    translation.activate("zh-hans")
    form = ExportForm(period(size))
    assert form.is_valid(), form.errors
    selection = form.selection()
    before_mb = peak_mb()
    cpu_before = cpu_seconds()
    size_bytes = rows = 0
    if method == "copy":
        sql, params = exports.copy_sql(exports.rows(selection))
        start = time.perf_counter()
        # The view's own cursor settings (exports.copy_cursor), nothing else.
        with exports.copy_cursor() as cursor:
            with exports.copy_out(cursor, sql, params) as copy:
                for data in copy:
                    size_bytes += len(data)
            rows = cursor.cursor.rowcount
        seconds = time.perf_counter() - start
    elif method == "psql":
        sql, params = exports.copy_sql(exports.rows(selection))
        with connection.cursor() as cursor:
            statement = cursor.cursor.mogrify(sql, params)
        start = time.perf_counter()
        settings = ("SET jit = off", "SET max_parallel_workers_per_gather = 0")
        psql(
            database,
            "-c",
            settings[0],
            "-c",
            settings[1],
            "-c",
            statement,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        rows = size
    else:
        client = Client()
        client.force_login(User.objects.get(username="auditor"))
        start = time.perf_counter()
        response = client.get("/audit/exports/finished-cases.csv", period(size))
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            size_bytes += len(chunk)
        seconds = time.perf_counter() - start
        finished = AuditEntry.objects.filter(action="export_finished").latest("pk")
        rows = finished.details["rows"]
    return {
        "method": method,
        "size": size,
        "rows": rows,
        "bytes": size_bytes,
        "seconds": seconds,
        "before_mb": before_mb,
        "peak_mb": peak_mb(),
        "cpu_seconds": cpu_seconds() - cpu_before,
    }


def run_child(method: str, size: int, database: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", method, "--size", str(size), "--db", database],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- the report --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="casework_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use a database --keep left")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, args.size, args.db)))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    if any(s % PER_DAY or s > args.cases for s in sizes):
        parser.error(f"each size must be a multiple of {PER_DAY} and at most --cases")
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    if not args.reuse:
        create_database(args.db)
        setup_django(args.db)
        started = time.perf_counter()
        fill(args.cases)
        print(
            f"filled {args.db} with {args.cases:,} finished cases by bulk SQL "
            f"in {time.perf_counter() - started:.0f} s"
        )
    try:
        # Once through, unmeasured: the table pages in memory for every method alike.
        run_child("copy", max(sizes), args.db)
        results = {}
        for size in sizes:
            for _ in range(args.repeat):
                for method in ("copy", "view", "psql"):
                    result = run_child(method, size, args.db)
                    assert result["rows"] == size, result
                    best = results.get((method, size))
                    if best is None or result["seconds"] < best["seconds"]:
                        results[(method, size)] = result
        print()
        print(
            f"{'rows':>9}  {'COPY rows/s':>12}  {'view rows/s':>12}  {'view/COPY':>9}  "
            f"{'psql rows/s':>12}  {'view peak MB':>12}  {'COPY peak MB':>12}  {'CSV MB':>7}  "
            f"{'view CPU s':>10}  {'COPY CPU s':>10}"
        )
        for size in sizes:
            copy, view, raw = (results[(m, size)] for m in ("copy", "view", "psql"))
            copy_rate, view_rate = size / copy["seconds"], size / view["seconds"]
            print(
                f"{size:>9,}  {copy_rate:>12,.0f}  {view_rate:>12,.0f}  "
                f"{view_rate / copy_rate:>9.1%}  {size / raw['seconds']:>12,.0f}  "
                f"{view['peak_mb']:>12.1f}  {copy['peak_mb']:>12.1f}  "
                f"{view['bytes'] / 1e6:>7.1f}  {view['cpu_seconds']:>10.2f}  "
                f"{copy['cpu_seconds']:>10.2f}"
            )
        print()
        print("view: GET /audit/exports/finished-cases.csv through the test Client, streamed;")
        print("COPY: the same SQL through psycopg's cursor.copy(); psql: the same into /dev/null.")
        print("CPU s: the Python process's own CPU time for the run (the rest is PostgreSQL's).")
        print(
            f"peak MB is ru_maxrss of each run's process (before the export: "
            f"{results[('view', sizes[0])]['before_mb']:.1f} MB for the view's)."
        )
        print(
            f"best of {args.repeat} runs each, interleaved; load average {load_before:.1f} "
            f"before, {os.getloadavg()[0]:.1f} after; whole benchmark "
            f"{time.perf_counter() - began:.0f} s"
        )
    finally:
        if not args.keep:
            drop_database(args.db)


if __name__ == "__main__":
    main()
