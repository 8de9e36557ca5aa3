"""What the cases table's indexes cost a write: intakes and state changes at 1M cases,
beside the same writes on a small database with the same schema.

Run from the project root against a database bench/fill.py filled:

    .venv/bin/python bench/fill.py --cases 1000000 --db cw_bench     # once
    .venv/bin/python bench/write_bench.py --db cw_bench

It fills a small database the same way (`--small`, 1,000 cases by default, dropped at
the end) and, in each database, times through the services as a caseworker works:
opening a wage dispute (a case row, its dispute row, the worker's claim, the
counterparty link, its audit entry: every index of those tables), taking it, and the
state changes accept and start investigating (each an update of the case's state,
its dates and its audit entry). Each write runs in its own transaction, which is then
rolled back, so the database is the same after the run as before; the commit itself
(a WAL flush, the same whatever the size) is left out. It prints the median of
`--runs` per write in both databases, their ratio, and the number of indexes on the
cases table.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"


def measure(db: str, runs: int) -> dict:
    """The medians of `runs` of each write in `db`, as {name: ms}."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"{SERVER}/{db}"
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from cases import services
    from cases.models import Channel, Counterparty, Relationship, Worker
    from casework.models import User

    caseworker = User.objects.get(username="cw1")
    worker = Worker.objects.filter(office=caseworker.office).order_by("pk").first()
    counterparty = Counterparty.objects.order_by("pk").first()

    def open_dispute():
        return services.open_wage_dispute(
            by=caseworker,
            office=caseworker.office,
            claims=[(worker, None)],
            counterparties=[(counterparty, counterparty.type)],
            matters="拖欠配送费",
            reasons="站点以考核为由扣发配送费。",
            received_at=timezone.now(),
            channel=Channel.HOTLINE,
            relationship=Relationship.NOT_FULLY,
        )

    samples = {"open a wage dispute": [], "take it": [], "accept": [], "start investigating": []}
    for run in range(runs + 1):  # the first run warms up and is not counted
        with transaction.atomic():
            began = time.perf_counter()
            dispute = open_dispute()
            timings = [time.perf_counter()]
            dispute = services.take_case(case=dispute, by=caseworker)
            timings.append(time.perf_counter())
            for name in ("accept", "investigate"):
                dispute = services.run_transition(case=dispute, name=name, by=caseworker)
                timings.append(time.perf_counter())
            transaction.set_rollback(True)
        if run:
            for name, start, end in zip(samples, [began, *timings], timings, strict=False):
                samples[name].append((end - start) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'cases_case'")
        indexes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    return {
        "cases": cases,
        "indexes": indexes,
        **{name: statistics.median(values) for name, values in samples.items()},
    }


def in_subprocess(db: str, runs: int) -> dict:
    """measure() in a process of its own (Django is set up once per process)."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", db, "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_bench")
    parser.add_argument("--small", type=int, default=1000, help="cases in the small database")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    small = f"{args.db}_write_small"
    subprocess.run(
        [sys.executable, "bench/fill.py", "--cases", str(args.small), "--db", small],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    try:
        figures = {
            small: in_subprocess(small, args.runs),
            args.db: in_subprocess(args.db, args.runs),
        }
    finally:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE {small}"],
            check=False,
        )
    few, many = figures[small], figures[args.db]
    print(f"cases table: {few['indexes']} indexes; median of {args.runs} runs, each rolled back")
    print(f"{'write (ms)':<24} {few['cases']:>12,} cases {many['cases']:>12,} cases {'ratio':>7}")
    for name in ("open a wage dispute", "take it", "accept", "start investigating"):
        print(f"{name:<24} {few[name]:>18.1f} {many[name]:>18.1f} {many[name] / few[name]:>6.2f}×")


if __name__ == "__main__":
    main()
