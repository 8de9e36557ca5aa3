"""Kept case files: a finished case's case file served from storage, and a ZIP of
1,000 of them.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/casefile_bench.py

It migrates a throwaway SQLite database (deleted afterwards), builds the realistic
closed wage dispute of bench/pdf_bench.py (a cover page and three pages), and prints:

1. the case-file download through the test Client, as its caseworker would: the
   first request (renders and keeps the file) and the median of `--runs` later
   requests (served from storage after checking its SHA-256), beside a trivial page
   of the application (the /healthz answer) measured the same way; target: the kept
   file within 10 ms;
2. the auditors' ZIP of `--cases` finished cases (default 1,000) whose case files are
   kept, built by the export job as the task worker runs it; target: under 60 s. The
   cases are made cheaply (withdrawn disputes through the services) and each keeps a
   copy of the realistic case file's bytes as its StoredCaseFile, so the figure is
   what bundling kept files costs — reading, checking and zipping 1,000 files of
   ~170 KB — not rendering them (pdf_bench.py measures a render).
"""

import argparse
import datetime
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pdf_bench  # noqa: E402


def median_ms(function, runs: int) -> float:
    function()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casefile-bench-") as tmp:
        workdir = Path(tmp)
        pdf_bench.setup_django(workdir)
        from django.core.files.base import ContentFile
        from django.test import Client
        from django.utils import timezone, translation

        from cases.models import StoredCaseFile
        from reports import exports
        from reports.models import ExportJob
        from tests import factories

        translation.activate("zh-hans")
        office, caseworker = pdf_bench.bench_office()
        dispute = pdf_bench.realistic_dispute(office, caseworker, "王建军")
        client = Client()
        client.force_login(caseworker)
        url = f"/cases/{dispute.number}/print/case-file/"

        began = time.perf_counter()
        first = client.get(url)
        first_ms = (time.perf_counter() - began) * 1000
        assert first.status_code == 200, first.status_code
        pdf = first.content
        kept_ms = median_ms(lambda: client.get(url), args.runs)
        trivial_ms = median_ms(lambda: client.get("/healthz"), args.runs)
        stored = StoredCaseFile.objects.get(case=dispute)
        assert stored.sha256 == hashlib.sha256(pdf).hexdigest()

        began = time.perf_counter()
        for n in range(args.cases):
            case = factories.wage_dispute(office, by=caseworker)
            case = factories.walk_to(case, "withdrawn", caseworker)
            kept = StoredCaseFile(
                case_id=case.pk,
                language="zh-hans",
                finished_at=case.finished_at,
                sha256=stored.sha256,
                size=len(pdf),
            )
            kept.file.save(f"copy-{n}.pdf", ContentFile(pdf), save=False)
            kept.save()
        made_s = time.perf_counter() - began

        today = timezone.localdate()
        selection = exports.Selection(
            finished_from=today - datetime.timedelta(days=1), finished_to=today
        )
        auditor = factories.auditor()
        job = exports.queue_job(selection, format=ExportJob.Format.ZIP, by=auditor)
        began = time.perf_counter()
        exports.build_export_job.call(job.pk)
        bundle_s = time.perf_counter() - began
        job.refresh_from_db()

        print(f"case file: {len(pdf):,} bytes; load average {os.getloadavg()[0]:.2f}")
        print(f"{'figure':<52} {'measured':>10} {'target':>10}  ok")
        rows = [
            ("case file, first download (renders, keeps) ms", first_ms, "", True),
            ("case file, kept, median download ms", kept_ms, "≤ 10", kept_ms <= 10),
            ("trivial page (/healthz), median ms", trivial_ms, "", True),
            (f"ZIP of {job.total:,} kept case files, s", bundle_s, "< 60", bundle_s < 60),
        ]
        for name, value, target, ok in rows:
            print(f"{name:<52} {value:>10,.1f} {target:>10}  {'ok' if ok else 'MISS'}")
        print(
            f"ZIP: {job.status}, {job.file.size:,} bytes; ({args.cases:,} cases made in "
            f"{made_s:.0f} s, not counted)"
        )


if __name__ == "__main__":
    main()
