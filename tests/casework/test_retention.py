"""Retention: a finished case past its period is anonymised, figures unchanged, a held
case stays, and the audit chain still verifies afterwards."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from cases.models import Case, Note, Payment, State, Worker
from casework import audit_chain
from casework.models import AuditEntry
from reports import retention
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=11 * 366)


def finished_dispute(office, caseworker, worker, note="工人说老板住在城东"):
    case = wage_dispute(office, by=caseworker, workers=[worker])
    case = walk_to(case, State.ACCEPTED, caseworker)
    Note.objects.create(case=case, body=note, author=caseworker)
    case = walk_to(case, State.WITHDRAWN, caseworker, via=State.ACCEPTED)
    Case.objects.filter(pk=case.pk).update(finished_at=LONG_AGO)
    return Case.objects.get(pk=case.pk)


def figures():
    return (
        Case.objects.count(),
        list(Case.objects.values("kind", "state", "outcome", "office").annotate(n=Count("pk"))),
        Payment.objects.aggregate(total=Sum("amount"))["total"],
        Worker.objects.count(),
    )


def test_a_case_past_its_period_is_anonymised_and_the_figures_do_not_change(
    office, caseworker, worker
):
    case = finished_dispute(office, caseworker, worker)
    before = figures()
    entries = list(AuditEntry.objects.order_by("pk").values_list("pk", "details"))

    result = retention.apply()

    assert result["anonymised"] == 1
    worker.refresh_from_db()
    assert worker.name == retention.REDACTED
    assert (worker.id_hash, worker.id_encrypted, worker.id_masked, worker.phone) == ("", "", "", "")
    assert Note.objects.get(case=case).body == retention.REDACTED
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.state == State.WITHDRAWN
    assert figures() == before
    # The log is appended to, never rewritten, and its chain still holds.
    after = list(AuditEntry.objects.order_by("pk").values_list("pk", "details"))
    assert after[: len(entries)] == entries
    assert AuditEntry.objects.filter(action="anonymised", case=case).count() == 1
    assert audit_chain.verify().ok
    # A second run finds nothing more to do.
    assert retention.apply()["anonymised"] == 0


def test_a_case_under_an_audit_hold_stays(office, caseworker, worker):
    case = finished_dispute(office, caseworker, worker)
    Case.objects.filter(pk=case.pk).update(audit_hold=True)

    result = retention.apply()

    assert (result["anonymised"], result["held"]) == (0, 1)
    worker.refresh_from_db()
    assert worker.name != retention.REDACTED
    assert Note.objects.get(case=case).body != retention.REDACTED


def test_a_recent_case_is_not_due(office, caseworker, worker):
    case = finished_dispute(office, caseworker, worker)
    Case.objects.filter(pk=case.pk).update(finished_at=timezone.now())

    assert retention.plan()[0] == []


def test_a_worker_with_another_case_in_retention_keeps_their_identity(office, caseworker, worker):
    old = finished_dispute(office, caseworker, worker)
    wage_dispute(office, by=caseworker, workers=[worker])  # still open

    retention.apply()

    worker.refresh_from_db()
    assert worker.name != retention.REDACTED
    assert Note.objects.get(case=old).body == retention.REDACTED


def test_the_preview_lists_what_would_be_done_and_changes_nothing(
    office, caseworker, worker, capsys
):
    case = finished_dispute(office, caseworker, worker)
    entries = AuditEntry.objects.count()

    call_command("apply_retention", "--preview")

    assert f"{case.number}: anonymise" in capsys.readouterr().out
    assert AuditEntry.objects.count() == entries
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_the_periods_are_configurable(settings):
    settings.RETENTION_YEARS = {"WD": 3}

    assert retention.retention_years("WD") == 3
    assert retention.retention_years("HA") == 5


def test_old_export_files_are_deleted(auditor, tmp_path, settings):
    from django.core.files.base import ContentFile

    from reports.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(format="zip", requested_by=auditor)
    job.file.save("old.zip", ContentFile(b"zip"))
    ExportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=8)
    )

    assert retention.apply()["exports_deleted"] == 1
    job.refresh_from_db()
    assert not job.file


def test_an_auditor_previews_and_holds_a_case_and_the_hold_is_logged(
    login_as, office, caseworker, worker, auditor
):
    case = finished_dispute(office, caseworker, worker)
    client = login_as(auditor)

    assert case.number in client.get("/audit/retention/").content.decode()
    response = client.post(f"/audit/cases/{case.number}/hold/", {"hold": "on"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.audit_hold
    assert AuditEntry.objects.filter(action="audit_hold", case=case).count() == 1
    assert retention.apply()["held"] == 1


def test_a_caseworker_may_not_hold_a_case(login_as, office, caseworker, worker):
    case = finished_dispute(office, caseworker, worker)

    response = login_as(caseworker).post(f"/audit/cases/{case.number}/hold/", {"hold": "on"})

    assert response.status_code == 403
    case.refresh_from_db()
    assert not case.audit_hold
