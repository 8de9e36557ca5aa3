"""Queues, search, a case page and the admin lists at scale, beside their raw SQL.

Run from the project root against a database bench/fill.py filled:

    .venv/bin/python bench/fill.py --cases 1000000 --db cw_bench     # once
    .venv/bin/python bench/queue_bench.py --db cw_bench

For each page it prints the server time through Django's test Client (median of
`--runs`, after one unmeasured warm-up request), the number of queries the page
ran, the raw SQL time for the same rows (the page's own row query, the slice of
the page, run on a cursor: median of `--runs`) and the ratio, each beside its
target: queue pages ≤ 50 ms and ≤ 10× raw SQL, page 1,000 ≤ 1.3× page 1, search
≤ 100 ms, a case page ≤ 50 ms, the admin lists ≤ 100 ms. First it prints each
user's floor, an empty queue page (the page's chrome: sign-in, filter form,
navigation), and beside each queue page its time above that floor.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"


def timed(function, runs: int) -> float:
    function()  # warm-up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="run the pages whose name contains this")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from cases.models import Case, Counterparty, Worker
    from casework.models import User

    translation.activate("zh-hans")
    clients = {}

    from tests import factories

    def client(username):
        if username not in clients:
            clients[username] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            # Past two-factor sign-in for the roles that need it (supervisors, auditors,
            # administrators): force_login alone is sent to the code page.
            factories.sign_in(clients[username], User.objects.get(username=username))
        return clients[username]

    # The admin's lists show cases only to an administrator with a role (issue 16);
    # databases filled before fill.py gave its admin the auditor role get it here.
    from django.contrib.auth.models import Group

    User.objects.get(username="admin").groups.add(Group.objects.get(name="auditor"))

    worker = Worker.objects.order_by("pk")[12345 % Worker.objects.count()]
    counterparty = Counterparty.objects.order_by("pk")[777]
    case = Case.objects.filter(kind="WD", state="closed").order_by("-pk")[5]
    open_case = Case.objects.filter(kind="WD", state="mediating").order_by("-pk").first()

    pages = []  # (group, name, user, url, params)
    for sort in ["", "-opened", "opened", "due", "number", "-finished"]:
        for page in (1, 1000):
            extra = {"sort": sort} if sort else {}
            label = sort or "default"
            pages.append(
                (
                    "queue",
                    f"auditor finished, {label}, p{page}",
                    "auditor",
                    "/cases/",
                    {"view": "finished", "page": page, **extra},
                )
            )
            pages.append(
                (
                    "queue",
                    f"supervisor office, {label}, p{page}",
                    "sv0",
                    "/cases/",
                    {"view": "office", "page": page, **extra},
                )
            )
            pages.append(
                (
                    "queue",
                    f"city supervisor office, {label}, p{page}",
                    "citysv",
                    "/cases/",
                    {"view": "office", "page": page, **extra},
                )
            )
        pages.append(
            ("queue", f"supervisor mine, {label}", "sv0", "/cases/", {"view": "mine", **extra})
        )
        pages.append(
            ("queue", f"caseworker mine, {label}", "cw0", "/cases/", {"view": "mine", **extra})
        )
        pages.append(
            ("queue", f"supervisor intake, {label}", "sv0", "/cases/", {"view": "intake", **extra})
        )
        pages.append(
            ("queue", f"caseworker intake, {label}", "cw0", "/cases/", {"view": "intake", **extra})
        )
    pages.append(("queue", "approval queue", "sv0", "/assistance/approvals/", {}))
    for label, text in [
        ("case number", case.number),
        ("case number, part", case.number[-7:]),
        ("worker name", worker.name),
        ("mobile", worker.phone),
        ("mobile, last 4", worker.phone[-4:]),
        ("counterparty name", counterparty.name),
        ("credit code", counterparty.credit_code),
    ]:
        pages.append(
            (
                "search",
                f"auditor search {label}",
                "auditor",
                "/cases/",
                {"view": "finished", "q": text},
            )
        )
        pages.append(
            (
                "search",
                f"city supervisor search {label}",
                "citysv",
                "/cases/",
                {"view": "office", "q": text},
            )
        )
    pages.append(("case", "closed case page (auditor)", "auditor", f"/cases/{case.number}/", {}))
    pages.append(
        ("case", "open case page (city supervisor)", "citysv", f"/cases/{open_case.number}/", {})
    )
    pages.append(("admin", "admin case list", "admin", "/admin/cases/case/", {}))
    pages.append(("admin", "admin case list p1000", "admin", "/admin/cases/case/", {"p": 999}))
    pages.append(("admin", "admin worker list", "admin", "/admin/cases/worker/", {}))
    pages.append(
        ("admin", "admin worker search", "admin", "/admin/cases/worker/", {"q": worker.name})
    )
    targets = {"queue": 50, "search": 100, "case": 50, "admin": 100}

    # The floor: each user's queue page with no rows (a filter no case matches), the
    # same page chrome (sign-in, filter form, navigation) without the rows' work.
    floors = {}
    for username in ("auditor", "sv0", "citysv", "cw0"):
        c = client(username)
        empty = {"view": "finished" if username == "auditor" else "office"}
        if username == "cw0":
            empty["view"] = "intake"
        empty["opened_after"] = "2999-01-01"

        def get_empty(c=c, empty=empty):
            response = c.get("/cases/", empty)
            assert response.status_code == 200 and b'class="queue"' not in response.content
            return response

        floors[username] = timed(get_empty, args.runs)
    print(
        "floor (an empty queue page, ms): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in floors.items())
    )
    print(
        f"{'page':<44} {'server ms':>9} {'target':>6} {'queries':>7} {'raw SQL ms':>10} "
        f"{'ratio':>6} {'- floor':>7}  ok"
    )
    results = {}
    failed = 0
    for group, name, username, url, params in pages:
        if args.only not in name:
            continue
        c = client(username)
        if group == "search":
            # A search posts (issue 16); its results are a GET carrying a token.
            url, params = c.post(url, params)["Location"], {}

        def get(c=c, url=url, params=params, name=name):
            response = c.get(url, params)
            assert response.status_code == 200, (name, response.status_code)
            return response

        captured = []

        def record(execute, sql, params, many, context, captured=captured):
            began = time.perf_counter()
            result = execute(sql, params, many, context)
            captured.append((time.perf_counter() - began, sql, params))
            return result

        with connection.execute_wrapper(record):
            get()
        # The slowest SELECT the page ran is taken as its row query (the rows it shows).
        _, row_sql, row_params = max(
            (q for q in captured if q[1].lstrip().upper().startswith("SELECT")),
            key=lambda q: q[0],
        )
        server = timed(get, args.runs)

        def raw(row_sql=row_sql, row_params=row_params):
            with connection.cursor() as cursor:
                cursor.execute(row_sql, row_params)
                cursor.fetchall()

        raw_ms = timed(raw, args.runs)
        ratio = server / raw_ms if raw_ms else 0
        ok = server <= targets[group] and (group != "queue" or ratio <= 10)
        base = name.replace(", p1000", ", p1")
        if name.endswith("p1000") and base in results:
            ok = ok and server <= 1.3 * results[base]
        results[name] = server
        failed += not ok
        # The floors are case queue pages: beside those only.
        is_case_queue = group == "queue" and url == "/cases/"
        above = server - floors[username] if is_case_queue else float("nan")
        print(
            f"{name:<44} {server:>9.1f} {targets[group]:>6} {len(captured):>7} "
            f"{raw_ms:>10.1f} {ratio:>5.1f}× {above:>7.1f}  {'ok' if ok else 'MISS'}",
            flush=True,
        )
    print(f"\n{failed} page(s) missed a target; load average {os.getloadavg()[0]:.1f}")
    print("raw SQL: the page's slowest query (its rows), run alone on a cursor.")
    print("- floor: a queue page's time above its user's empty queue page (the rows' cost).")


if __name__ == "__main__":
    main()
