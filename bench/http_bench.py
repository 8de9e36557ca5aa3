"""HTTP under load: gunicorn on loopback over a filled PostgreSQL database.

Run from the project root against a database bench/fill.py filled (Debian's `wrk`
must be installed: `apt-get install wrk`):

    .venv/bin/python bench/fill.py --cases 1000000 --db cw_bench     # once
    .venv/bin/python bench/http_bench.py --db cw_bench

It starts two gunicorn servers (2 workers each, access log off) on loopback ports
over the same database, and prints, each beside its target:

1. the queue page under load: wrk with `--connections` open connections for
   `--seconds` against one server, signed in as a caseworker (a session made in
   the database, sent as a cookie), requests per second and the latency
   percentiles wrk measures (target: at least 300 requests/s, p99 under 200 ms);
2. 20 wage-dispute intakes posted at once, half to each server, each through the
   intake page as a caseworker would (GET the form for its CSRF token, POST it):
   how many were stored, their case numbers unique and without a gap, and any
   error (target: 20 stored, no gap, no duplicate, no error).

Nothing else should run on the machine meanwhile: on two cores wrk, gunicorn and
PostgreSQL share them.
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
INTAKES = 20


def start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "casework.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--access-logfile=/dev/null",
            "--error-logfile=-",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status in (200, 503):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn did not start on port {port}")


def request(port, method, path, cookies, body=None):
    """One request with the given cookies; returns (status, headers, text, cookies set).

    The session and CSRF cookies are Secure outside DEBUG, which a cookie jar would
    not send over http://; on loopback they are passed by hand."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        headers["Origin"] = f"http://127.0.0.1:{port}"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    set_cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        set_cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, response.headers, text, set_cookies


def wrk(port: int, path: str, cookie: str, connections: int, seconds: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "--threads=2",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--latency",
            "--header",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "90", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        figures[f"p{percentile}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    figures["errors"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors:(.*)", output)
    figures["socket errors"] = errors.group(1).strip() if errors else "none"
    return figures


def intake_data(office_id: int, worker_id: int, token: str) -> str:
    from django.utils import timezone

    received = timezone.localtime() - timezone.timedelta(hours=1)
    return urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "worker": worker_id,
            "office": office_id,
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "channel": "hotline",
            "matters": "拖欠三个月配送费",
            "reasons": "站点以考核为由扣发配送费。",
            "relationship": "not_fully",
            "period_from": "2025-10-01",
            "unpaid_from": "2026-01-01",
            "unpaid_to": "2026-03-31",
            "priority": "normal",
            f"claim_{worker_id}": "3200",
        },
        doseq=True,
    )


def concurrent_intakes(ports, session_cookie, office_id, worker_id) -> tuple[list, list]:
    """Posts INTAKES intakes at once, alternating servers; returns (numbers, errors)."""
    forms = []
    for n in range(INTAKES):
        port = ports[n % len(ports)]
        status, _headers, text, set_cookies = request(port, "GET", "/cases/new/", session_cookie)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if status != 200 or not token:
            raise SystemExit(f"the intake page answered {status} without a form")
        cookies = {**session_cookie, **set_cookies}
        forms.append((port, cookies, intake_data(office_id, worker_id, token.group(1))))
    numbers, errors = [], []
    barrier = threading.Barrier(INTAKES)

    def post(port, cookies, body):
        barrier.wait()
        try:
            status, headers, text, _ = request(port, "POST", "/cases/new/", cookies, body)
        except OSError as error:
            errors.append(str(error))
            return
        location = headers.get("Location", "")
        if status == 302 and "/cases/" in location:
            numbers.append(location.rstrip("/").rsplit("/", 1)[-1])
        else:
            messages = re.findall(r'<p class="error"[^>]*>(.*?)</p>', text, re.S)
            errors.append(f"{status} {location} {' '.join(messages)[:300]}")

    threads = [threading.Thread(target=post, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return numbers, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_bench")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from cases.models import Case, Worker
    from casework.models import User

    caseworker = User.objects.get(username="cw0")
    client = Client()
    client.force_login(caseworker)
    session_cookie = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
    }
    cookie_header = "; ".join(f"{k}={v}" for k, v in session_cookie.items())

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ports = [args.port, args.port + 1]
    servers = [start_gunicorn(port, env) for port in ports]
    try:
        status, headers, _text, _ = request(ports[0], "GET", "/cases/", session_cookie)
        if status != 200:
            raise SystemExit(f"the queue page answered {status} {headers.get('Location', '')}")
        print(f"database {args.db}: {Case.objects.count():,} cases; caseworker cw0; 2 servers")
        print()
        print(f"{'figure':<44} {'measured':>12} {'target':>12}  ok")
        load = wrk(ports[0], "/cases/", cookie_header, args.connections, args.seconds)
        rows = [
            ("queue page, requests/s", load["rps"], "≥ 300", load["rps"] >= 300),
            ("queue page, p50 ms", load["p50"], "", True),
            ("queue page, p90 ms", load["p90"], "", True),
            ("queue page, p99 ms", load["p99"], "< 200", load["p99"] < 200),
            ("queue page, non-2xx responses", load["errors"], "0", load["errors"] == 0),
        ]
        for name, value, target, ok in rows:
            print(f"{name:<44} {value:>12,.1f} {target:>12}  {'ok' if ok else 'MISS'}")
        print(f"{'queue page, socket errors':<44} {load['socket errors']:>12}")
        # The floor: the same servers and machine serving pages that do almost nothing,
        # the signed-in account page (session, user, roles, the base template) and the
        # health check (one SELECT 1, no session).
        for label, path, cookie in [
            ("floor: account page", "/account/", cookie_header),
            ("floor: /healthz", "/healthz", ""),
        ]:
            floor = wrk(ports[0], path, cookie, args.connections, args.seconds)
            print(f"{label + ', requests/s':<44} {floor['rps']:>12,.1f}")
            print(f"{label + ', p99 ms':<44} {floor['p99']:>12,.1f}")

        worker = Worker.objects.order_by("pk").first()
        numbers, errors = concurrent_intakes(ports, session_cookie, caseworker.office_id, worker.pk)
        stored = list(
            Case.objects.filter(number__in=numbers)
            .order_by("number")
            .values_list("number", flat=True)
        )
        sequence = sorted(int(n.rsplit("-", 1)[1]) for n in stored)
        gaps = [b for a, b in zip(sequence, sequence[1:], strict=False) if b != a + 1]
        duplicates = len(numbers) - len(set(numbers))
        print()
        print(f"{'intakes posted at once (half to each server)':<44} {INTAKES:>12}")
        print(
            f"{'stored':<44} {len(stored):>12} {INTAKES:>12}  "
            f"{'ok' if len(stored) == INTAKES else 'MISS'}"
        )
        print(
            f"{'duplicate numbers':<44} {duplicates:>12} {0:>12}  "
            f"{'ok' if not duplicates else 'MISS'}"
        )
        print(
            f"{'gaps in the numbers':<44} {len(gaps):>12} {0:>12}  {'ok' if not gaps else 'MISS'}"
        )
        print(f"{'errors':<44} {len(errors):>12} {0:>12}  {'ok' if not errors else 'MISS'}")
        if stored:
            print(f"numbers {stored[0]} … {stored[-1]}")
        for error in errors[:5]:
            print("  error:", error)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
