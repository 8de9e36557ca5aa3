"""A finished case's case file is rendered once, kept with its SHA-256 and served from
storage; a reopened case, an open case and a damaged file are rendered again."""

# The case fixtures of the case-file tests are imported and taken as arguments.
# ruff: noqa: F401, F811

import hashlib

import pytest
from django.utils import translation

from cases import documents
from cases.models import StoredCaseFile
from cases.services import run_transition
from casework.models import AuditEntry
from reports import retention
from tests.cases.test_documents_pdf import dispute, mediating, pdf_of, print_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many times a case file was actually rendered."""
    calls = []
    real = documents.render_document

    def counting(case, slug):
        calls.append(slug)
        return real(case, slug)

    monkeypatch.setattr(documents, "render_document", counting)
    return calls


def download_hashes(case) -> list[str]:
    entries = AuditEntry.objects.filter(
        case_id=case.pk, action=AuditEntry.Action.DOCUMENT_DOWNLOADED
    ).order_by("pk")
    return [entry.details.get("sha256") for entry in entries]


def test_a_finished_case_file_is_rendered_once_and_then_served_from_storage(
    login_as, auditor, dispute, renders, document_storage
):
    client = login_as(auditor)

    first = pdf_of(client.get(print_url(dispute, "case-file")))
    second = pdf_of(client.get(print_url(dispute, "case-file")))

    assert renders == ["case-file"]
    assert first == second
    stored = StoredCaseFile.objects.get(case=dispute)
    on_disk = (document_storage / stored.file.name).read_bytes()
    assert on_disk == first
    digest = hashlib.sha256(on_disk).hexdigest()
    assert stored.sha256 == digest
    # Each download's audit entry names the SHA-256 of the file it served.
    assert download_hashes(dispute) == [digest, digest]


def test_each_language_keeps_its_own_case_file(dispute, renders, document_storage):
    with translation.override("zh-hans"):
        chinese, _ = documents.case_file(dispute)
    with translation.override("en"):
        english, _ = documents.case_file(dispute)
        again, _ = documents.case_file(dispute)

    assert chinese != english == again
    assert renders == ["case-file", "case-file"]
    assert sorted(StoredCaseFile.objects.values_list("language", flat=True)) == ["en", "zh-hans"]


def test_an_open_case_is_rendered_at_every_download_and_nothing_is_kept(
    login_as, caseworker, mediating, renders, document_storage
):
    client = login_as(caseworker)

    pdf_of(client.get(print_url(mediating, "case-file")))
    pdf_of(client.get(print_url(mediating, "case-file")))

    assert renders == ["case-file", "case-file"]
    assert not StoredCaseFile.objects.exists()
    assert all(download_hashes(mediating))


def test_a_reopened_case_finished_again_gets_a_new_case_file(
    dispute, supervisor, caseworker, renders, document_storage
):
    before, _ = documents.case_file(dispute)

    run_transition(case=dispute, name="reopen", by=supervisor, note="款项被退回")
    reopened = type(dispute).objects.get(pk=dispute.pk)
    while_open, _ = documents.case_file(reopened)
    run_transition(case=reopened, name="close", by=caseworker, outcome_note="再次办结")
    finished_again = type(dispute).objects.get(pk=dispute.pk)
    after, _ = documents.case_file(finished_again)

    assert renders == ["case-file"] * 3
    assert StoredCaseFile.objects.filter(case=dispute).count() == 2
    assert after != before


def test_a_kept_file_changed_on_disk_is_rendered_again(dispute, renders, document_storage):
    original, digest = documents.case_file(dispute)
    stored = StoredCaseFile.objects.get(case=dispute)
    (document_storage / stored.file.name).write_bytes(b"%PDF-1.4 altered")

    served, served_digest = documents.case_file(dispute)

    assert renders == ["case-file", "case-file"]
    assert served_digest == hashlib.sha256(served).hexdigest()
    assert served.startswith(b"%PDF") and b"altered" not in served
    assert StoredCaseFile.objects.filter(case=dispute).count() == 1


def test_anonymising_a_case_deletes_its_kept_case_files(
    dispute, document_storage, django_capture_on_commit_callbacks
):
    documents.case_file(dispute)
    path = document_storage / StoredCaseFile.objects.get(case=dispute).file.name
    plan = retention.Plan(case=dispute, workers=[], kept_workers=[])

    with django_capture_on_commit_callbacks(execute=True):
        retention.anonymise(plan)

    assert not StoredCaseFile.objects.filter(case=dispute).exists()
    assert not path.exists()


def test_finishing_a_case_queues_its_case_file_and_the_task_keeps_it(
    office, caseworker, document_storage, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from cases import tasks
    from cases.models import State
    from tests.factories import wage_dispute, walk_to

    case = walk_to(wage_dispute(office, by=caseworker), State.ACCEPTED, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        run_transition(case=case, name="withdraw", by=caseworker, reason="工人撤回")

    queued = DBTaskResult.objects.filter(task_path="cases.tasks.keep_case_file")
    assert [row.args_kwargs["args"] for row in queued] == [[case.pk]]
    tasks.keep_case_file.call(case.pk)
    assert StoredCaseFile.objects.filter(case_id=case.pk, language="zh-hans").count() == 1
