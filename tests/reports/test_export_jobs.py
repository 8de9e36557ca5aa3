"""Background export jobs (the seam the case-file bundle plugs into): queued with an
"export started" entry, built by the builder registered for their format in the
task worker, finished with the file's SHA-256 — or failed, with its start and an
"export failed" entry (tests/reports/test_export_job_faults.py: retries, full disk,
re-runs)."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from casework.models import AuditEntry
from reports import exports
from reports.models import ExportJob

pytestmark = pytest.mark.django_db

YEAR_2026 = exports.Selection(
    finished_from=datetime.date(2026, 1, 1), finished_to=datetime.date(2026, 12, 31)
)


@pytest.fixture
def listing_builder(monkeypatch):
    """A stand-in for the case-file bundle: a text file of the case numbers."""

    def build(job, cases, progress, out):
        numbers = []
        for done, case in enumerate(cases, start=1):
            numbers.append(case.number)
            progress(done)
        out.write("\n".join(numbers).encode())

    monkeypatch.setitem(exports.BUILDERS, ExportJob.Format.ZIP, build)
    return build


def test_a_queued_job_is_recorded_as_started_with_its_filters_and_count(auditor, cases):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)

    assert (job.status, job.total, job.done, job.requested_by) == ("queued", 4, 0, auditor)
    assert exports.Selection.from_dict(job.filters) == YEAR_2026
    entry = AuditEntry.objects.get(action="export_started")
    assert (entry.actor, entry.object_type, entry.object_id) == (auditor, "exportjob", str(job.pk))
    assert entry.details["what"] == "case_files"
    assert entry.details["cases"] == 4
    assert entry.details["filters"]["finished_from"] == "2026-01-01"


def test_running_a_job_builds_its_file_and_records_its_hash(
    auditor, cases, document_storage, listing_builder
):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)

    exports.build_export_job.call(job.pk)

    job.refresh_from_db()
    content = job.file.read()
    expected = [cases[k].number for k in ("dispute", "aid", "card", "declined")]
    assert content.decode().split("\n") == expected  # in the order they finished
    assert (job.status, job.done, job.percent, job.size) == ("done", 4, 100, len(content))
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.file.name.startswith("exports/")
    started = AuditEntry.objects.get(action="export_started")
    finished = AuditEntry.objects.get(action="export_finished")
    assert finished.details == {
        "what": "case_files",
        "format": "zip",
        "started": started.pk,
        "cases": 4,
        "bytes": len(content),
        "sha256": job.sha256,
        "attempt": 1,
    }
    assert (finished.object_type, finished.object_id) == ("exportjob", str(job.pk))


def test_a_job_that_fails_says_why_and_leaves_only_the_start_entry(
    auditor, cases, document_storage, monkeypatch
):
    def broken(job, cases, progress, out):
        progress(1)
        raise RuntimeError("font missing")

    monkeypatch.setitem(exports.BUILDERS, ExportJob.Format.ZIP, broken)
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)

    with pytest.raises(RuntimeError):
        exports.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.reason, job.done, job.file.name) == ("failed", "error", 1, "")
    assert job.error == "RuntimeError: font missing"
    assert AuditEntry.objects.filter(action="export_started").count() == 1
    assert not AuditEntry.objects.filter(action="export_finished").exists()
    failed = AuditEntry.objects.get(action="export_failed")
    assert failed.details["reason"] == "error"


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_only_auditors_and_administrators_queue_jobs(request, cases, who):
    with pytest.raises(PermissionDenied):
        exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=request.getfixturevalue(who))

    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="export_started").exists()
