"""Retention (PIPL Art. 19, 47): finished cases past their period are anonymised.

Names, ID numbers (and their hashes), phones, addresses and free text are replaced;
amounts, dates, offices, states and outcomes stay, so every figure is unchanged. A
case under a legal hold is skipped: referred to arbitration or court, ever reopened,
or held by an auditor. A worker who still has a case within retention keeps their
identity; only the due case's free text is replaced. Each anonymisation is one audit
entry; the audit log itself is never rewritten (it is append-only and chained).
Export files older than EXPORT_FILE_DAYS are deleted.

The periods are reference data (RetentionPeriod, edited in the admin and logged):
per kind, and per outcome where one is set; DEFAULT_YEARS where none is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.tasks import task
from django.utils import timezone

from cases.models import Case, Kind, State, StoredCaseFile, Worker
from cases.models.states import FINISHED_STATES
from casework.audit import record
from casework.models import AuditEntry
from public import retention as public_retention

from .models import ExportJob, RetentionPeriod

Action = AuditEntry.Action

REDACTED = "[已匿名]"
DEFAULT_YEARS = {Kind.WAGE_DISPUTE: 10, Kind.HARDSHIP_AID: 5, Kind.MEDICAL_CARD: 5}
EXPORT_FILE_DAYS = 7
# Related rows whose free text goes (reverse accessors of Case and its kinds).
WORKER_FIELDS = {
    "name": REDACTED,
    "phone": "",
    "id_encrypted": "",
    "id_hash": "",
    "id_masked": "",
    "employer": "",
    "membership_number": "",
    "consent_scope": "",
}


def periods() -> dict[tuple[str, str], int]:
    """Years kept, by (kind, outcome); outcome "" is the kind's period for any other outcome.

    The administrator's rows (RetentionPeriod, edited in the admin) come first; where a
    kind has none, settings.RETENTION_YEARS (a deployment's default) or DEFAULT_YEARS.
    """
    configured = getattr(settings, "RETENTION_YEARS", {}) or {}
    years = {(kind, ""): int(configured.get(kind, DEFAULT_YEARS[kind])) for kind in Kind.values}
    for row in RetentionPeriod.objects.all():
        years[(row.kind, row.outcome)] = row.years
    return years


def retention_years(kind: str, outcome: str = "", table: dict | None = None) -> int:
    """Years after finishing that a case of this kind and outcome is kept."""
    table = periods() if table is None else table
    return table.get((kind, outcome), table[(kind, "")])


def _years_ago(today: datetime.date, years: int) -> datetime.datetime:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def cutoff(
    kind: str, today: datetime.date, outcome: str = "", table: dict | None = None
) -> datetime.datetime:
    """Cases of this kind and outcome finished before this moment are past their period."""
    return _years_ago(today, retention_years(kind, outcome, table))


def held(case: Case) -> str:
    """Why a case is under a legal hold, or ""."""
    if case.audit_hold:
        return "audit_hold"
    reopened = AuditEntry.objects.filter(
        case=case, action=Action.TRANSITION, source_state__in=FINISHED_STATES
    ).exists()
    if reopened:
        return "reopened"
    referred = AuditEntry.objects.filter(
        case=case, action=Action.TRANSITION, target_state=State.REFERRED
    ).exists()
    if referred or getattr(case.specific(), "referral_forum", ""):
        return "referred"
    return ""


def past_period(today: datetime.date, table: dict | None = None):
    """Finished cases not yet anonymised whose period (by kind and outcome) has run out."""
    table = periods() if table is None else table
    query = models.Q(pk__in=[])
    for kind in Kind.values:
        own = [outcome for k, outcome in table if k == kind and outcome]
        for outcome in own:
            due = _years_ago(today, table[(kind, outcome)])
            query |= models.Q(kind=kind, outcome=outcome, finished_at__lt=due)
        rest = models.Q(kind=kind, finished_at__lt=_years_ago(today, table[(kind, "")]))
        query |= rest & ~models.Q(outcome__in=own) if own else rest
    return Case.objects.filter(query, state__in=FINISHED_STATES, anonymised_at__isnull=True)


def still_retained(worker: Worker, today: datetime.date, but: Case, table: dict) -> bool:
    """Whether the worker has another case not yet past its period (or held)."""
    for case in worker.cases.exclude(pk=but.pk):
        if case.anonymised_at:
            continue
        due = cutoff(case.kind, today, case.outcome, table)
        if case.state not in FINISHED_STATES or case.finished_at >= due:
            return True
        if held(case):
            return True
    return False


@dataclass
class Plan:
    case: Case
    hold: str = ""
    workers: list = None  # anonymised in full
    kept_workers: list = None  # with another case still retained


def plan(today: datetime.date | None = None) -> tuple[list[Plan], list[ExportJob]]:
    """What a run would do now: cases (with hold or workers) and export files to delete."""
    today = today or timezone.localdate()
    table = periods()
    plans = []
    for case in past_period(today, table).order_by("finished_at", "pk"):
        item = Plan(case=case, hold=held(case), workers=[], kept_workers=[])
        if not item.hold:
            for worker in case.workers.all():
                retained = still_retained(worker, today, case, table)
                (item.kept_workers if retained else item.workers).append(worker)
        plans.append(item)
    old = timezone.now() - datetime.timedelta(days=EXPORT_FILE_DAYS)
    exports = list(ExportJob.objects.exclude(file="").filter(requested_at__lt=old))
    return plans, exports


def _redact_text(instance) -> list[str]:
    """Replace every non-empty free-text field of a row; the names of those changed."""
    changed = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.editable and not field.choices:
            if getattr(instance, field.attname):
                setattr(instance, field.attname, REDACTED)
                changed.append(field.name)
    if changed:
        type(instance).objects.filter(pk=instance.pk).update(
            **{name: getattr(instance, name) for name in changed}
        )
    return changed


def _related_rows(case: Case):
    specific = case.specific()
    yield specific
    seen = set()
    for model_instance in {case, specific}:
        for rel in model_instance._meta.related_objects:
            if not (rel.one_to_many and rel.related_model is not AuditEntry):
                continue
            name = rel.get_accessor_name()
            if name in seen or rel.related_model._meta.label in ("cases.CaseWorker",):
                continue
            seen.add(name)
            yield from getattr(model_instance, name).all()


def anonymise(item: Plan, by=None) -> None:
    case = item.case
    with transaction.atomic():
        fields = set()
        for row in _related_rows(case):
            fields.update(f"{row._meta.model_name}.{name}" for name in _redact_text(row))
        for worker in item.workers:
            Worker.objects.filter(pk=worker.pk).update(**WORKER_FIELDS)
        Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
        # The kept case files hold the names and IDs just replaced.
        kept = list(StoredCaseFile.objects.filter(case_id=case.pk))
        StoredCaseFile.objects.filter(case_id=case.pk).delete()
        transaction.on_commit(lambda: [stored.file.delete(save=False) for stored in kept])
        record(
            Action.ANONYMISED,
            by=by,
            case=case,
            details={
                "fields": sorted(fields),
                "workers": [w.pk for w in item.workers],
                "workers_kept": [w.pk for w in item.kept_workers],
            },
        )


def apply(today: datetime.date | None = None, by=None) -> dict:
    plans, exports = plan(today)
    done = held_count = 0
    for item in plans:
        if item.hold:
            held_count += 1
            continue
        anonymise(item, by=by)
        done += 1
    for job in exports:
        job.file.delete(save=True)
    # Online requests follow their anonymised cases; declined ones go after a year.
    online = public_retention.apply(by=by)
    return {
        "anonymised": done,
        "held": held_count,
        "exports_deleted": len(exports),
        "online_requests": online,
    }


@task
def apply_retention_task() -> None:
    """The daily run (enqueue from cron, or run `manage.py apply_retention`)."""
    apply()
