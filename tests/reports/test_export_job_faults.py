"""Export jobs when things go wrong: a full disk, the database going away, a worker
killed midway, the same job run twice. The auditor sees the real state (queued
again, failed with the reason and a "try again"), a ZIP is either whole under the
job's name or not there, and the audit log has one "finished" per job at most."""

import contextvars
import datetime
import errno
import hashlib
import os
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.tasks.signals import task_started
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework import task_reaper
from casework.models import AuditEntry, TaskHeartbeat
from reports import bundles, exports
from reports.models import ExportJob
from tests import factories

pytestmark = pytest.mark.django_db

YEAR_2026 = exports.Selection(
    finished_from=datetime.date(2026, 1, 1), finished_to=datetime.date(2026, 12, 31)
)
FULL = "The disk is full: the ZIP could not be written."


def files_in(folder) -> list[str]:
    """Every export file under the document folder, hidden temporary ones included (the
    kept case files the ZIP is made from live beside them, in case-files/)."""
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder / "exports")
        for name in names
    )


def actions(job) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="exportjob", object_id=str(job.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def job(auditor, cases, document_storage):
    return exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)


@pytest.fixture
def listing(monkeypatch):
    """A quick builder (the case numbers as text) that counts its runs; `fail` holds
    the errors its next runs raise midway, after writing part of the file."""

    class Listing:
        runs = 0
        fail: list[BaseException] = []

        def __call__(self, job, cases, progress, out):
            self.runs += 1
            numbers = [case.number for case in cases]
            out.write("\n".join(numbers[:1]).encode())
            progress(1)
            if self.fail:
                raise self.fail.pop(0)
            out.write(("\n" + "\n".join(numbers[1:])).encode())
            progress(len(numbers))

    builder = Listing()
    monkeypatch.setitem(exports.BUILDERS, ExportJob.Format.ZIP, builder)
    return builder


@pytest.fixture
def retries(settings):
    settings.EXPORT_MAX_ATTEMPTS = 3
    settings.EXPORT_RETRY_SECONDS = 30
    return settings


def queued_runs(job) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=exports.build_export_job.module_path, args_kwargs__args=[job.pk]
        ).order_by("enqueued_at")
    )


# --- re-runs ------------------------------------------------------------------------------


def test_a_second_run_of_a_finished_job_changes_nothing(job, listing, document_storage):
    exports.run_job(job.pk)
    done = ExportJob.objects.get(pk=job.pk)
    written = os.stat(done.file.path).st_mtime_ns

    again = exports.run_job(job.pk)

    assert listing.runs == 1
    assert (again.status, again.sha256, again.attempts) == ("done", done.sha256, 1)
    assert os.stat(done.file.path).st_mtime_ns == written
    assert actions(job) == ["export_started", "export_finished"]
    assert files_in(document_storage) == [f"exports/case-files-{job.pk}.zip"]


def test_a_build_overtaken_by_a_later_one_publishes_nothing(job, document_storage, monkeypatch):
    """The reaper handed the task on while the first worker still ran (slower than the
    limit): the first build ends after the second began, and its file is dropped."""

    def overtaken(job_, cases, progress, out):
        out.write(b"first build")
        exports._begin(job.pk)  # another worker's build begins meanwhile

    monkeypatch.setitem(exports.BUILDERS, ExportJob.Format.ZIP, overtaken)
    first = exports.run_job(job.pk)

    assert (first.status, first.attempts, first.file.name) == ("running", 2, "")
    assert files_in(document_storage) == []
    assert actions(job) == ["export_started"]


def test_a_build_killed_midway_leaves_no_zip_and_the_next_build_clears_its_leftovers(
    job, listing, document_storage
):
    # What a worker killed mid-build leaves: the job running, a temporary file.
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, done=2)
    leftover = document_storage / "exports" / f".case-files-{job.pk}.k1ll3d.partial"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PK\x03\x04 half a zip")
    other = document_storage / "exports" / f".case-files-{job.pk}0.other.partial"
    other.write_bytes(b"another job's build")

    built = exports.run_job(job.pk)

    assert (built.status, built.attempts) == ("done", 2)
    assert files_in(document_storage) == sorted(
        [f"exports/case-files-{job.pk}.zip", f"exports/{other.name}"]
    )
    assert actions(job) == ["export_started", "export_finished"]


# --- passing failures: queued again after a pause, then failed ---------------------------


def test_a_database_error_midway_queues_the_job_again_with_a_growing_pause(
    job, listing, retries, document_storage, django_capture_on_commit_callbacks, caplog
):
    listing.fail = [
        OperationalError("server closed the connection unexpectedly"),
        OperationalError("the database system is starting up"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        first = exports.run_job(job.pk)
    assert (first.status, first.reason, first.attempts) == ("queued", "database", 1)
    assert "Build 1: OperationalError: server closed the connection" in first.error
    with django_capture_on_commit_callbacks(execute=True):
        exports.run_job(job.pk)
    built = exports.run_job(job.pk)

    assert (built.status, built.attempts, built.reason, built.error) == ("done", 3, "", "")
    later = queued_runs(job)
    pauses = [(run.run_after - run.enqueued_at).total_seconds() for run in later]
    assert [round(p) for p in pauses] == [30, 120]
    assert f"Export job {job.pk}: build 1 of 3 failed (OperationalError" in caplog.text
    assert "trying again in 120 s" in caplog.text
    assert actions(job) == ["export_started", "export_finished"]
    assert files_in(document_storage) == [f"exports/case-files-{job.pk}.zip"]


def test_while_queued_again_the_page_says_why_and_that_it_will_be_tried_again(
    login_as, auditor, job, year_2026
):
    ExportJob.objects.filter(pk=job.pk).update(status="queued", reason="database", attempts=1)

    page = login_as(auditor).get("/audit/exports/", year_2026).content.decode()

    assert "The database stopped answering while the ZIP was built. It will be tried" in page
    assert "data-reload-after" in page


class FullDisk:
    """The ZIP's file, on a disk with `room` bytes left: a write past it fails."""

    def __init__(self, out, room: int):
        self.out, self.room = out, room

    def write(self, data):
        if len(data) > self.room:
            self.out.write(data[: self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.out.write(data)

    def __getattr__(self, name):
        return getattr(self.out, name)


def test_a_full_disk_fails_the_zip_with_a_clear_message_and_leaves_nothing_half_written(
    login_as,
    auditor,
    job,
    year_2026,
    retries,
    monkeypatch,
    document_storage,
    django_capture_on_commit_callbacks,
):
    retries.EXPORT_MAX_ATTEMPTS = 2

    def on_a_full_disk(job_, cases, progress, out):
        bundles.build_case_files(job_, cases, progress, FullDisk(out, room=1000))

    monkeypatch.setitem(exports.BUILDERS, ExportJob.Format.ZIP, on_a_full_disk)
    with django_capture_on_commit_callbacks(execute=True):
        first = exports.run_job(job.pk)
    assert (first.status, first.reason) == ("queued", "disk_full")
    assert files_in(document_storage) == []

    failed = exports.run_job(job.pk)  # the retry, after the pause: the disk is still full

    assert (failed.status, failed.reason, failed.attempts) == ("failed", "disk_full", 2)
    assert failed.error == "OSError: [Errno 28] No space left on device"
    assert not failed.file
    assert files_in(document_storage) == []  # the temporary file went with the failure
    assert actions(job) == ["export_started", "export_failed"]
    entry = AuditEntry.objects.get(action="export_failed")
    assert entry.details["reason"] == "disk_full" and entry.details["attempts"] == 2
    page = login_as(auditor).get("/audit/exports/", year_2026).content.decode()
    assert f"{FULL} Try again; if it fails again, tell the administrator." in page
    assert "Its start and its failure stay in the audit log." in page
    assert 'action="/audit/exports/case-files/retry/"' in page
    assert "case-files.zip?job=" not in page


def test_the_failure_reads_in_chinese_by_default(client, auditor, job, year_2026):
    ExportJob.objects.filter(pk=job.pk).update(status="failed", reason="disk_full")
    factories.sign_in(client, auditor)  # past two-factor; no language cookie: Chinese

    page = client.get("/audit/exports/", year_2026).content.decode()

    assert "磁盘已满，ZIP 无法写入。 请重试；如果再次失败，请告知管理员。" in page
    assert ">重试</button>" in page


# --- try again ------------------------------------------------------------------------------


def failed_job(job, reason="disk_full") -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        status="failed", reason=reason, attempts=3, done=2, error="OSError: …"
    )
    return ExportJob.objects.get(pk=job.pk)


def test_try_again_builds_a_failed_zip_again_and_is_logged(
    login_as, auditor, job, listing, django_capture_on_commit_callbacks
):
    failed_job(job)
    client = login_as(auditor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/audit/exports/case-files/retry/", {"job": job.pk})

    assert response.status_code == 302
    assert response["Location"] == "/audit/exports/#jobs"
    assert len(callbacks) == 1
    queued = ExportJob.objects.get(pk=job.pk)
    assert (queued.status, queued.attempts, queued.done, queued.reason) == ("queued", 0, 0, "")
    assert len(queued_runs(job)) == 1
    retried = AuditEntry.objects.get(action="export_retried")
    assert (retried.actor, retried.details["reason"]) == (auditor, "disk_full")
    page = client.get(response["Location"]).content.decode()
    assert "The ZIP is being built again." in page

    built = exports.run_job(job.pk)

    assert built.status == "done"
    assert built.sha256 == hashlib.sha256(built.file.read()).hexdigest()
    assert actions(job) == ["export_started", "export_retried", "export_finished"]


def test_try_again_needs_a_sign_in(client, job):
    failed_job(job)

    response = client.post("/audit/exports/case-files/retry/", {"job": job.pk})

    assert response.status_code == 302 and "/login" in response["Location"]
    assert ExportJob.objects.get(pk=job.pk).status == "failed"


def test_caseworkers_cannot_try_a_zip_again(login_as, caseworker, job):
    failed_job(job)

    response = login_as(caseworker).post("/audit/exports/case-files/retry/", {"job": job.pk})

    assert response.status_code == 403
    assert ExportJob.objects.get(pk=job.pk).status == "failed"
    assert not AuditEntry.objects.filter(action="export_retried").exists()


def test_another_auditors_zip_is_not_found(login_as, job):
    from tests import factories

    failed_job(job)
    other = factories.auditor(username="qian.hao")

    response = login_as(other).post("/audit/exports/case-files/retry/", {"job": job.pk})

    assert response.status_code == 404
    assert ExportJob.objects.get(pk=job.pk).status == "failed"


def test_only_a_failed_zip_is_tried_again(login_as, auditor, job):
    response = login_as(auditor).post(
        "/audit/exports/case-files/retry/", {"job": job.pk}, follow=True
    )

    assert "Only a ZIP that failed can be tried again." in response.content.decode()
    assert ExportJob.objects.get(pk=job.pk).status == "queued"
    assert not AuditEntry.objects.filter(action="export_retried").exists()


def test_try_again_is_only_a_post(login_as, auditor, job):
    failed_job(job)

    response = login_as(auditor).get("/audit/exports/case-files/retry/", {"job": job.pk})

    assert response.status_code == 405


# --- a worker that keeps dying ----------------------------------------------------------


def test_a_zip_whose_worker_died_each_time_is_failed_by_the_reaper_and_can_be_tried_again(
    login_as, auditor, job, year_2026, settings
):
    settings.TASK_MAX_CLAIMS = 3
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=3, done=1)
    DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [job.pk], "kwargs": {}},
        task_path=exports.build_export_job.module_path,
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(seconds=5),
        worker_ids=["demo-worker"] * 3,
    )

    task_reaper.reap(dead_workers=["demo-worker"])

    failed = ExportJob.objects.get(pk=job.pk)
    assert (failed.status, failed.reason) == ("failed", "worker_lost")
    assert failed.error.startswith("Given up: Claimed 3 time(s) (limit 3)")
    assert actions(job) == ["export_started", "export_failed"]
    page = login_as(auditor).get("/audit/exports/", year_2026).content.decode()
    assert "The task worker stopped each time it built the ZIP. Try again" in page
    assert ">Try again</button>" in page


def test_a_zip_being_built_shows_signs_of_life_so_a_long_build_keeps_its_claim(
    job, listing, monkeypatch
):
    monkeypatch.setattr(task_reaper, "BEAT_EVERY_SECONDS", 0)
    result = SimpleNamespace(
        id=str(uuid.uuid4()),
        task=exports.build_export_job,
        status="RUNNING",
    )

    def in_the_worker():
        task_started.send(sender=None, task_result=result)
        exports.run_job(job.pk)

    contextvars.copy_context().run(in_the_worker)

    beat = TaskHeartbeat.objects.get()
    assert str(beat.task_id) == result.id
    assert timezone.now() - beat.beat_at < timedelta(minutes=1)


def test_a_database_away_for_a_moment_as_a_build_begins_and_ends_is_waited_for(
    job, listing, monkeypatch
):
    pauses = []
    monkeypatch.setattr(exports.time, "sleep", pauses.append)
    real, failures = exports._locked, iter([True, True, False, True])

    def locked(job_id):
        if next(failures, False):
            raise OperationalError("the database system is shutting down")
        return real(job_id)

    monkeypatch.setattr(exports, "_locked", locked)

    built = exports.run_job(job.pk)

    assert (built.status, built.attempts) == ("done", 1)
    assert pauses == [1, 2, 1]
    assert actions(job) == ["export_started", "export_finished"]
