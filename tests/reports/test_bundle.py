"""The case-file bundle: a ZIP of the case-file PDFs of the finished cases an auditor
selected, built in the background with a manifest of each file's SHA-256; queued from
the export page, which shows its progress and, once it is ready, a download link."""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from urllib.parse import quote

import pytest

from cases.models import Case, State
from casework.models import AuditEntry
from reports import bundles, exports
from reports.models import ExportJob
from tests import factories
from tests.reports.conftest import set_dates

pytestmark = pytest.mark.django_db

YEAR_2026 = exports.Selection(
    finished_from=datetime.date(2026, 1, 1), finished_to=datetime.date(2026, 12, 31)
)
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
FINISHED_IN_ORDER = ("dispute", "aid", "card", "declined")


def read_zip(content: bytes) -> tuple[dict[str, bytes], list[list[str]]]:
    """(the members by name, the manifest's rows after its header)."""
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    text = members.pop(bundles.MANIFEST).decode("utf-8")
    assert text.startswith("\ufeff"), "the manifest opens in Excel and WPS"
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["case_number", "file", "sha256", "bytes"]
    return members, rows[1:]


@pytest.fixture
def built(auditor, cases, document_storage):
    """A ZIP job for 2026, queued and run by the task, as the worker would."""
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)
    exports.build_export_job.call(job.pk)
    job.refresh_from_db()
    return job


def test_the_zip_holds_each_case_file_and_a_manifest_of_their_hashes(built, cases):
    content = built.file.read()
    members, manifest = read_zip(content)

    numbers = [cases[k].number for k in FINISHED_IN_ORDER]
    assert [row[0] for row in manifest] == numbers  # in the order they finished
    assert sorted(members) == sorted(f"{n}-case-file.pdf" for n in numbers)
    for number, name, sha256, size in manifest:
        assert name == f"{number}-case-file.pdf"
        assert members[name].startswith(b"%PDF-")
        assert sha256 == hashlib.sha256(members[name]).hexdigest()
        assert int(size) == len(members[name])
    assert (built.status, built.done, built.total) == ("done", 4, 4)
    assert built.sha256 == hashlib.sha256(content).hexdigest()
    assert built.file.name.startswith("exports/case-files-")


def test_open_cases_are_never_in_the_zip(auditor, cases, document_storage):
    # Even with a time of finishing inside the period: only the state decides.
    for key in ("open_dispute", "open_aid"):
        set_dates(cases[key], opened="2026-03-01 02:00", finished="2026-04-01 10:00")
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)
    exports.build_export_job.call(job.pk)
    job.refresh_from_db()

    members, manifest = read_zip(job.file.read())

    listed = {row[0] for row in manifest}
    for key in ("open_dispute", "open_aid"):
        assert cases[key].number not in listed
        assert f"{cases[key].number}-case-file.pdf" not in members


def test_a_case_reopened_after_the_job_was_queued_is_left_out(auditor, cases, document_storage):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)
    Case.objects.filter(pk=cases["card"].pk).update(state=State.MEDIATING)

    exports.run_job(job.pk)

    job.refresh_from_db()
    members, manifest = read_zip(job.file.read())
    assert cases["card"].number not in {row[0] for row in manifest}
    assert len(members) == len(manifest) == 3


def test_the_job_is_audited_when_queued_and_when_built_with_the_zips_hash(built, auditor):
    started = AuditEntry.objects.get(action="export_started")
    finished = AuditEntry.objects.get(action="export_finished")

    assert (started.actor, started.object_id) == (auditor, str(built.pk))
    assert started.details["cases"] == 4
    assert finished.details["sha256"] == built.sha256
    assert finished.details["sha256"] == hashlib.sha256(built.file.read()).hexdigest()
    assert finished.details["started"] == started.pk


# --- the export page ------------------------------------------------------------------------


def test_the_page_queues_the_zip_shows_its_progress_and_then_the_download_link(
    login_as,
    auditor,
    cases,
    document_storage,
    year_2026,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = IMMEDIATE
    client = login_as(auditor)
    page = client.get("/audit/exports/", year_2026).content.decode()
    assert "Build the case files (ZIP)" in page

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/audit/exports/case-files/?finished_from=2026-01-01&finished_to=2026-12-31"
        )

    assert len(callbacks) == 1
    assert response.status_code == 302
    assert response["Location"].endswith("#jobs")
    job = ExportJob.objects.get()
    assert (job.requested_by, job.status, job.done, job.total) == (auditor, "done", 4, 4)
    page = client.get(response["Location"]).content.decode()
    assert "4 of 4 cases" in page
    assert f'href="/audit/exports/case-files.zip?job={job.pk}"' in page
    assert "data-reload-after" not in page  # nothing is being built


def test_while_the_zip_is_built_the_page_shows_how_far_and_reloads_itself(
    login_as, auditor, cases, year_2026
):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)
    ExportJob.objects.filter(pk=job.pk).update(status="running", done=1)

    page = login_as(auditor).get("/audit/exports/", year_2026).content.decode()

    assert "1 of 4 cases" in page
    # It reloads through app.js (no meta refresh, which axe flags; no inline script).
    assert 'data-reload-after="3"' in page
    assert "http-equiv" not in page
    assert "case-files.zip?job=" not in page
    assert "<script>" not in page  # no inline script: CSP script-src 'self'


def test_a_failed_zip_says_so(login_as, auditor, cases, year_2026):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)
    ExportJob.objects.filter(pk=job.pk).update(status="failed", error="font missing")

    page = login_as(auditor).get("/audit/exports/", year_2026).content.decode()

    assert "The ZIP could not be built." in page
    # The exception's own text (English, maybe a server path) is kept on the job and in
    # the task's result for the administrator, not shown.
    assert "font missing" not in page
    assert "data-reload-after" not in page


def test_no_zip_is_queued_when_nothing_matches(login_as, auditor, cases):
    response = login_as(auditor).post(
        "/audit/exports/case-files/?finished_from=2020-01-01&finished_to=2020-12-31"
    )

    assert response.status_code == 302
    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="export_started").exists()


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_caseworkers_and_supervisors_cannot_queue_the_zip(request, login_as, cases, who):
    response = login_as(request.getfixturevalue(who)).post(
        "/audit/exports/case-files/?finished_from=2026-01-01&finished_to=2026-12-31"
    )

    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_the_zip_is_queued_only_by_post(login_as, auditor, cases):
    response = login_as(auditor).get("/audit/exports/case-files/")

    assert response.status_code == 405
    assert not ExportJob.objects.exists()


# --- the download ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditor"])
def test_auditors_and_administrators_download_the_zip_and_it_is_logged(
    request, login_as, built, who
):
    user = request.getfixturevalue(who)

    response = login_as(user).get("/audit/exports/case-files.zip", {"job": built.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="case-files-\d{4}-\d{2}-\d{2}\.zip"', disposition)
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == built.sha256
    entry = AuditEntry.objects.get(action="document_downloaded")
    assert (entry.actor, entry.object_type, entry.object_id) == (user, "exportjob", str(built.pk))
    assert entry.details["sha256"] == built.sha256


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_caseworkers_and_supervisors_cannot_download_the_zip(request, login_as, built, who):
    response = login_as(request.getfixturevalue(who)).get(
        "/audit/exports/case-files.zip", {"job": built.pk}
    )

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="document_downloaded").exists()


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_zip(login_as, built):
    path = f"/audit/exports/case-files.zip?job={built.pk}"

    response = login_as(None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(path)}"
    assert not AuditEntry.objects.filter(action="document_downloaded").exists()


def test_another_auditor_cannot_download_the_zip(login_as, built):
    other = factories.auditor(username="qian.wei", full_name="钱伟")

    response = login_as(other).get("/audit/exports/case-files.zip", {"job": built.pk})

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="document_downloaded").exists()


@pytest.mark.parametrize("query", [{}, {"job": "x"}, {"job": "999999"}])
def test_no_such_zip_is_not_found(login_as, auditor, built, query):
    response = login_as(auditor).get("/audit/exports/case-files.zip", query)

    assert response.status_code == 404


def test_a_zip_still_being_built_cannot_be_downloaded(login_as, auditor, cases):
    job = exports.queue_job(YEAR_2026, format=ExportJob.Format.ZIP, by=auditor)

    response = login_as(auditor).get("/audit/exports/case-files.zip", {"job": job.pk})

    assert response.status_code == 404


def test_the_zip_holds_the_kept_case_files_and_keeps_those_it_rendered(built, cases):
    from django.conf import settings
    from django.utils import translation

    from cases.documents import case_file
    from cases.models import StoredCaseFile

    members, rows = read_zip(built.file.read())

    assert StoredCaseFile.objects.count() == len(members) == len(rows)
    for stored in StoredCaseFile.objects.select_related("case"):
        kept = stored.file.read()
        assert members[bundles.member_name(stored.case.number)] == kept
        # A download afterwards (in the bundle's language) serves the same bytes.
        with translation.override(settings.LANGUAGE_CODE):
            assert case_file(stored.case.specific())[0] == kept
