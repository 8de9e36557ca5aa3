"""A membership drive's rush: 463 people join through the drive's page within minutes.

    .venv/bin/python bench/public_load.py            # --people 463 --at-once 20

On the local PostgreSQL server (127.0.0.1:5432, user postgres) it makes a fresh
database `cw_public_load` (dropped and made again each run; `--db` names another of
your own), migrates it, adds an office, a station and a drive, and starts gunicorn
on loopback (`--workers`, default 2) with the project's settings. Then `--people`
people, `--at-once` at a time, each do what a phone does after scanning the drive's
QR code: GET the drive's page (its CSRF cookie and signed form time), POST the join
form (name, mobile, ID number with a valid check digit, occupation, employer,
consent), follow to the page with the tracking code and read it.

It prints the run's time and throughput, the latency percentiles (p50, p90, p99,
max) of the join POST and of the whole person (page, post, code page), the errors
(any non-302 answer to a POST, any 5xx, any exception), and checks:

- every person got a tracking code, and the drive has exactly `--people`
  applications, each with a tracking code, all different, each valid by its check
  character, and the same codes the people were shown (0 lost, 0 duplicates);
- the run took less than ten minutes (the drive's target).

The public limits are set for a drive on one venue's address (everyone comes from
127.0.0.1 here): PUBLIC_LIMIT_PER_IP is raised to 100000; PUBLIC_FORM_MIN_SECONDS
is 0, as the script fills the form at once where a person takes a minute. Exit
status 1 if a check fails.
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = "postgres://postgres@127.0.0.1:5432"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]


def request(port, method, path, cookies, body=None):
    """(status, headers, text, cookies set). The CSRF and session cookies are Secure
    outside DEBUG, which a cookie jar would not send over http://: passed by hand."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        headers["Origin"] = f"http://127.0.0.1:{port}"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        set_cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, response.headers, text, set_cookies


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "casework.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--access-logfile=/dev/null",
            "--error-logfile=-",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn did not start on port {port}")


def fresh_database(db: str, env: dict) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", db], check=True)
    subprocess.run(["createdb", *PG, db], check=True)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def person(n: int, port: int, path: str, id_number: str) -> dict:
    """One phone: the drive's page, the join form, the page with the code."""
    began = time.perf_counter()
    status, _headers, text, cookies = request(port, "GET", path, {})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    issued = re.search(r'name="issued" value="([^"]+)"', text)
    if status != 200 or not token or not issued:
        return {"error": f"page answered {status} without a form", "status": status}
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "issued": issued.group(1),
            "website": "",
            "name": f"骑手{chr(0x4E00 + n % 20000)}{chr(0x4E00 + (n * 7) % 20000)}",
            "mobile": f"139{n:08d}",
            "id_number": id_number,
            "occupation": "rider",
            "employer": "美团",
            "consent_purposes": "on",
        }
    )
    posted = time.perf_counter()
    status, headers, text, set_cookies = request(port, "POST", path, cookies, body)
    post_ms = (time.perf_counter() - posted) * 1000
    cookies = {**cookies, **set_cookies}
    if status != 302 or headers.get("Location") != "/p/done/":
        messages = re.findall(r'<p class="error"[^>]*>(.*?)</p>', text, re.S)
        return {"error": f"POST {status} {' '.join(messages)[:200]}", "status": status}
    status, _headers, text, _ = request(port, "GET", "/p/done/", cookies)
    code = re.search(r'id="tracking-code">([^<]+)<', text)
    if status != 200 or not code:
        return {"error": f"code page answered {status}", "status": status}
    return {
        "code": code.group(1).strip(),
        "post_ms": post_ms,
        "person_ms": (time.perf_counter() - began) * 1000,
    }


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"p50 {cuts[49]:7.1f} ms   p90 {cuts[89]:7.1f} ms   p99 {cuts[98]:7.1f} ms   "
        f"max {max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_public_load")
    parser.add_argument("--people", type=int, default=463)
    parser.add_argument("--at-once", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8771)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"{SERVER}/{args.db}",
        "PUBLIC_LIMIT_PER_IP": "100000",
        "PUBLIC_FORM_MIN_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    fresh_database(args.db, env)
    import django

    django.setup()
    from django.utils import timezone

    from members import services as members_services
    from members.models import MembershipApplication
    from public import codes
    from tests import factories

    city = factories.CityFederationFactory(name="随州市总工会")
    office = factories.OfficeFactory(name="曾都区总工会", parent=city, phone="0722-3221234")
    station = factories.StationFactory(office=office, name="文化广场驿站")
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    drive = members_services.create_event(
        by=caseworker,
        office=office,
        name="骑手集中入会日",
        date=timezone.localdate(),
        place="文化广场",
        station=station,
    )
    path = f"/p/event/{drive.public_id}/"
    ids = [factories.id_number(5000 + n) for n in range(args.people)]

    server = start_gunicorn(args.port, args.workers, env)
    try:
        print(
            f"database {args.db}; gunicorn {args.workers} workers on 127.0.0.1:{args.port}; "
            f"{args.people} people, {args.at_once} at a time, to {path}"
        )
        lock, done = threading.Lock(), [0]

        def one(n):
            try:
                result = person(n, args.port, path, ids[n])
            except Exception as error:  # counted as an error below
                result = {"error": f"{type(error).__name__}: {error}", "status": 0}
            with lock:
                done[0] += 1
            return result

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.at_once) as pool:
            results = list(pool.map(one, range(args.people)))
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)

    shown = [r["code"] for r in results if "code" in r]
    errors = [r["error"] for r in results if "error" in r]
    server_errors = [r for r in results if r.get("status", 0) >= 500]
    stored = list(
        MembershipApplication.objects.filter(event=drive).values_list("tracking_code", flat=True)
    )
    valid = [c for c in stored if c and codes.parse(c) == c]
    same = {codes.parse(c) for c in shown} == set(stored)

    print()
    print(f"time                      {elapsed:8.1f} s  (target < 600 s)")
    print(f"throughput                {args.people / elapsed:8.1f} people/s")
    posts = [r["post_ms"] for r in results if "post_ms" in r]
    print(f"join POST                 {percentiles(posts)}")
    print(
        f"whole person (3 requests) "
        f"{percentiles([r['person_ms'] for r in results if 'person_ms' in r])}"
    )
    print(f"errors                    {len(errors):8d}  (server errors {len(server_errors)})")
    for error in errors[:5]:
        print("   ", error)
    checks = [
        ("people who got a tracking code", len(shown), args.people),
        ("applications stored for the drive", len(stored), args.people),
        ("different tracking codes", len(set(stored)), args.people),
        ("codes valid by their check character", len(valid), args.people),
        ("lost (shown but not stored)", len({codes.parse(c) for c in shown} - set(stored)), 0),
        ("errors", len(errors), 0),
    ]
    print()
    failed = False
    for name, value, target in checks:
        ok = value == target
        failed |= not ok
        print(f"{name:<40} {value:>6}  {target:>6}  {'ok' if ok else 'MISS'}")
    print(
        f"{'codes shown are the codes stored':<40} {str(same):>6}  {'True':>6}  "
        f"{'ok' if same else 'MISS'}"
    )
    failed |= not same or elapsed >= 600
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
