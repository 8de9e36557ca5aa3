"""Several servers over one database: an intake-to-export journey across two app
servers and two task workers.

    .venv/bin/python bench/multi_server.py

It creates its own PostgreSQL database (cw_17_journey by default, dropped at the end)
and a document folder, migrates, makes an office with a caseworker and an auditor
(two-factor, a TOTP authenticator), and starts two gunicorn servers (A on 8171, B on
8172, 2 workers each) and two task workers (`manage.py db_worker`) over them. Then,
with plain HTTP as a browser would (CSRF token from each form, cookies by hand, the
auditor's six-digit code after the password):

1. the caseworker intakes a wage dispute on server A;
2. works it to closed on server B, a payment recorded on the way;
3. a task worker keeps the case file; server A serves it, and the SHA-256 in the
   download's audit entry is the SHA-256 of the bytes served and of the kept file;
4. the auditor, on server A, opens the export page and queues the case-file ZIP; a
   task worker builds it and server B serves it (its case file is the kept one);
5. 20 intakes posted at once, half to each server (bench/http_bench.py's): gapless,
   unique numbers, no error.

Each step prints its server and time; any failure exits non-zero. The servers, the
workers, the folder and the database are removed however it ends.
"""

import argparse
import hashlib
import html.parser
import http.client
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_bench  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "correct horse battery staple"


class Failure(Exception):
    pass


class Forms(html.parser.HTMLParser):
    """The forms of a page: action -> [(name, value)] as a browser would submit them
    untouched (hidden and filled inputs, checked boxes, each select's chosen option)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, list] = {}
        self.current = None
        self.select = None
        self.select_first = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(a.get("action", ""), [])
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.current.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select, self.select_first = a.get("name"), None
        elif tag == "option" and self.select:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a:
                self.current.append((self.select, a.get("value", "")))
                self.select_first = False
        elif tag == "textarea":
            self.textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select:
            if self.select_first not in (None, False) and self.current is not None:
                self.current.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea:
            if self.current is not None:
                self.current.append(tuple(self.textarea))
            self.textarea = None


class Browser:
    """One person's cookies, on whichever server they are sent to."""

    def __init__(self, name):
        self.name = name
        self.cookies: dict[str, str] = {}

    def send(self, port, method, path, body=None):
        """One request; the body's bytes are kept as `last_body`, its text returned."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        self.last_body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, self.last_body.decode("utf-8", "replace")

    def get(self, port, path, expect=200):
        status, headers, text = self.send(port, "GET", path)
        if status != expect:
            raise Failure(f"GET {path} on :{port} answered {status} {headers.get('Location', '')}")
        return text, headers

    def submit(self, port, page, action, **overrides):
        """GET `page`, fill its form whose action ends with `action`, POST it; the
        redirect's target is returned. A form answered with 4xx fails with its errors."""
        text, _ = self.get(port, page)
        parser = Forms()
        parser.feed(text)
        matches = [key for key in parser.forms if urllib.parse.urlsplit(key).path.endswith(action)]
        # The form that has the fields to fill (a page has others: the language switch).
        matches.sort(key=lambda key: -len(set(overrides) & {k for k, _ in parser.forms[key]}))
        if not matches:
            raise Failure(f"no form for {action} on {page} (:{port})")
        fields = [(k, v) for k, v in parser.forms[matches[0]] if k not in overrides]
        fields += list(overrides.items())
        target = urllib.parse.urljoin(page, matches[0].split("#")[0]) if matches[0] else page
        status, headers, text = self.send(
            port, "POST", target, urllib.parse.urlencode(fields, doseq=True)
        )
        if status != 302:
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', text, re.S)
            raise Failure(f"POST {target} on :{port} answered {status}: {errors[:5]}")
        return headers.get("Location", "")

    def log_in(self, port, username, code=None):
        self.submit(port, "/login/", "", username=username, password=PASSWORD)
        if code is not None:
            # Signed in by password only, the account is sent to the code page (the
            # page itself redirects away, and get() fails, if no code were owed).
            self.submit(port, "/login/code/", "", code=code())
            text, _ = self.get(port, "/audit/exports/")


def wait_for(what, condition, timeout=60):
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise Failure(f"{what}: not done within {timeout} s")


def psql(sql):
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cw_17_journey")
    parser.add_argument("--ports", type=int, nargs=2, default=[8171, 8172])
    args = parser.parse_args()
    documents = tempfile.mkdtemp(prefix="cw-journey-docs-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"{SERVER}/{args.db}",
        "DOCUMENT_ROOT": documents,
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    psql(f'DROP DATABASE IF EXISTS "{args.db}"')
    psql(f'CREATE DATABASE "{args.db}"')
    processes = []
    began_all = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        import django

        django.setup()
        journey(args, env, processes)
        print(f"\nall steps passed in {time.perf_counter() - began_all:.1f} s")
        return 0
    except (Failure, AssertionError) as error:
        print(f"\nFAILED: {error}")
        return 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        shutil.rmtree(documents, ignore_errors=True)


def journey(args, env, processes):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from cases.models import Case, StoredCaseFile
    from casework.models import AuditEntry
    from reports.models import ExportJob
    from tests import factories

    office = factories.OfficeFactory()
    caseworker = factories.caseworker(office, username="journey-cw")
    auditor = factories.auditor(office, username="journey-auditor")
    worker = factories.WorkerFactory(office=office, created_by=caseworker)
    print(f"database {args.db}, documents {env['DOCUMENT_ROOT']}")
    print(f"users: {caseworker.username} (caseworker), {auditor.username} (auditor, TOTP)")

    a, b = args.ports
    for port in (a, b):
        processes.append(http_bench.start_gunicorn(port, env))
    for n in (1, 2):
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--worker-id", f"journey-worker-{n}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
        )
    print(f"servers: A :{a}, B :{b} (gunicorn, 2 workers each); task workers 1, 2\n")

    def step(server, what, function):
        began = time.perf_counter()
        result = function()
        ms = (time.perf_counter() - began) * 1000
        print(f"[{server}] {what:<62} {ms:8.0f} ms")
        return result

    cw = Browser("caseworker")
    step(f"A :{a}", "caseworker signs in (password)", lambda: cw.log_in(a, caseworker.username))

    def intake():
        text, _ = cw.get(a, "/cases/new/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
        body = http_bench.intake_data(office.pk, worker.pk, token)
        status, headers, text = cw.send(a, "POST", "/cases/new/", body)
        if status != 302:
            raise Failure(f"intake answered {status}")
        return headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    number = step(f"A :{a}", "intake of a wage dispute", intake)
    page = f"/cases/{number}/"
    print(f"        case {number}")

    def state():
        return Case.objects.get(number=number).state

    today = timezone.localdate().isoformat()
    case = Case.objects.get(number=number).specific()
    link = case.case_workers.get()
    steps = [
        ("take the case", "/take/", {}),
        ("accept", "/do/accept/", {"note": "受理"}),
        ("investigate", "/do/investigate/", {"note": "调查"}),
        (
            "add a counterparty",
            "/record/counterparty/",
            {
                "role": "platform",
                "name": "随州速达配送有限公司",
                "credit_code": factories.credit_code(7),
            },
        ),
        ("start mediation", "/do/start_mediation/", {"note": "调解"}),
        (
            "amounts claimed and agreed",
            "/record/amounts/",
            {f"claimed_{link.pk}": "3200", f"agreed_{link.pk}": "3000"},
        ),
        (
            "agreement terms",
            "/record/terms/",
            {
                "agreement_result": "站点于十五日内一次性支付拖欠的配送费。",
                "performance_deadline": today,
                "performance_method": "银行转账",
            },
        ),
        ("record the agreement", "/do/record_agreement/", {"signed_on": today}),
        (
            "record a payment of 3000",
            "/record/payment/",
            {"paid_on": today, "amount": "3000", "method": "bank", "reference": "转账0001"},
        ),
        ("mark performed", "/do/mark_performed/", {"note": "已履行"}),
        ("close", "/do/close/", {"note": "协议已全部履行", "outcome_note": "协议已全部履行"}),
    ]
    for what, action, overrides in steps:
        step(f"B :{b}", what, lambda a_=action, o=overrides: cw.submit(b, page, a_, **o))
    if state() != "closed":
        raise Failure(f"the case is {state()}, not closed")
    print(f"        case {number} is closed")

    stored = step(
        "worker",
        "a task worker keeps the case file",
        lambda: wait_for(
            "keeping the case file",
            lambda: StoredCaseFile.objects.filter(case__number=number).first(),
        ),
    )
    kept_by = (
        DBTaskResult.objects.filter(task_path="cases.tasks.keep_case_file", status="SUCCESSFUL")
        .values_list("worker_ids", flat=True)
        .first()
    )
    print(f"        kept by {kept_by}, {stored.size:,} bytes, sha256 {stored.sha256[:16]}…")
    step(f"A :{a}", "case file downloaded", lambda: cw.get(a, f"{page}print/case-file/"))
    entry = (
        AuditEntry.objects.filter(details__document="case-file", details__sha256__isnull=False)
        .order_by("-pk")
        .values_list("details__sha256", flat=True)
        .first()
    )
    served = hashlib.sha256(cw.last_body).hexdigest()
    with open(Path(env["DOCUMENT_ROOT"]) / stored.file.name, "rb") as file:
        on_disk = hashlib.sha256(file.read()).hexdigest()
    assert entry == served == on_disk == stored.sha256, (entry, served, on_disk, stored.sha256)
    print("        audit entry sha256 = served bytes = kept file = StoredCaseFile.sha256")

    auditor_browser = Browser("auditor")
    step(
        f"A :{a}",
        "auditor signs in (password, then TOTP code)",
        lambda: auditor_browser.log_in(a, auditor.username, lambda: factories.totp_code(auditor)),
    )
    query = urllib.parse.urlencode({"finished_from": today, "finished_to": today})
    step(
        f"A :{a}",
        "auditor downloads the finished-cases CSV",
        lambda: auditor_browser.get(a, f"/audit/exports/finished-cases.csv?{query}"),
    )
    step(
        f"A :{a}",
        "auditor queues the case-file ZIP",
        lambda: auditor_browser.submit(a, f"/audit/exports/?{query}", "/audit/exports/case-files/"),
    )
    job = step(
        "worker",
        "a task worker builds the ZIP",
        lambda: wait_for(
            "building the ZIP",
            lambda: ExportJob.objects.filter(
                requested_by=auditor, status=ExportJob.Status.DONE
            ).first(),
        ),
    )
    built_by = (
        DBTaskResult.objects.filter(task_path__endswith="build_export_job")
        .values_list("worker_ids", flat=True)
        .first()
    )
    print(f"        built by {built_by}")
    step(
        f"B :{b}",
        "ZIP downloaded",
        lambda: auditor_browser.get(b, f"/audit/exports/case-files.zip?job={job.pk}"),
    )
    with zipfile.ZipFile(io.BytesIO(auditor_browser.last_body)) as bundle:
        pdfs = [n for n in bundle.namelist() if n.endswith(".pdf")]
        assert pdfs, bundle.namelist()
        digest = hashlib.sha256(bundle.read(pdfs[0])).hexdigest()
    assert digest == stored.sha256, "the ZIP's case file is not the kept one"
    print(f"        ZIP holds {pdfs[0]}: the kept case file, byte for byte")

    before = set(Case.objects.values_list("number", flat=True))
    from django.conf import settings

    session = {settings.SESSION_COOKIE_NAME: cw.cookies[settings.SESSION_COOKIE_NAME]}
    numbers, errors = step(
        "A+B",
        f"{http_bench.INTAKES} intakes at once, half to each server",
        lambda: http_bench.concurrent_intakes([a, b], session, office.pk, worker.pk),
    )
    stored_numbers = sorted(set(Case.objects.values_list("number", flat=True)) - before)
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in stored_numbers)
    gaps = [y for x, y in zip(sequence, sequence[1:], strict=False) if y != x + 1]
    print(
        f"        stored {len(stored_numbers)}, duplicates {len(numbers) - len(set(numbers))}, "
        f"gaps {len(gaps)}, errors {len(errors)}; {stored_numbers[:1]} … {stored_numbers[-1:]}"
    )
    if (
        len(stored_numbers) != http_bench.INTAKES
        or gaps
        or errors
        or len(set(numbers)) != len(numbers)
    ):
        raise Failure(f"concurrent intakes: {errors[:3]}")


if __name__ == "__main__":
    sys.exit(main())
