"""A person's request to see their data (PIPL Art. 45): everything held about one worker.

A caseworker or supervisor of the office the worker is registered at produces it
from the worker's page, as a PDF to hand over and as JSON to take elsewhere.
It holds the worker's record with the ID number in full (it is theirs), and every
case of every kind that names them, in any office — what the union holds, not
what the producing caseworker may otherwise open — with every row recorded
about each case (notes, contacts, sessions, payments, approvals, family members,
the list of documents, ...), and the audit entries about the worker and their
cases. Rows are read generically from the models, so a field or a kind added
later is in the export without a change here.

Other people's data stays out: in a case of several workers only this worker's
claim and payments appear, and a family member's ID number is masked (theirs,
not the applicant's). Every download is logged (`subject_access`, with the
format, the counts, the file's SHA-256 and the audit chain head it was made
against), after the file exists, outside any transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import Case, CaseWorker, Payment, State, Worker
from cases.views import WORKER_SECTIONS, get_worker_for
from casework import audit_chain
from casework.audit import Action, record
from casework.models import AuditEntry
from casework.pdf import render_pdf

FORMATS = ("pdf", "json")
# The headings of the rows recorded about a case, by the case's accessor for them
# (the models name few of them in Chinese); any other takes its model's name.
GROUP_LABELS = {
    "case_workers": gettext_lazy("the worker's claim"),
    "notes": gettext_lazy("notes"),
    "contacts": gettext_lazy("contacts"),
    "documents": gettext_lazy("documents on file"),
    "counterparty_links": gettext_lazy("counterparties"),
    "payments": gettext_lazy("payments"),
    "sessions": gettext_lazy("mediation sessions"),
    "limitation_events": gettext_lazy("limitation interruptions"),
    "approvals": gettext_lazy("approvals"),
    "family_members": gettext_lazy("family members"),
}
# Rows about one worker of a case of several: another worker's are left out, and so
# are the audit entries about them.
PER_WORKER = (CaseWorker, Payment)
JSON_FORMAT = "casework.subject-access/1"
# How values are stored, not information about the person: never exported.
STORAGE_FIELDS = {"id_encrypted", "id_hash"}


# --- who may produce it --------------------------------------------------------------------


def may_produce(user, worker: Worker) -> bool:
    """A caseworker or supervisor of the office the worker is registered at."""
    if not (user.is_caseworker or user.is_supervisor):
        return False
    return worker.office_id in (user.supervised_office_ids or {user.office_id})


def worker_for_export(user, pk: int) -> Worker:
    """404 when the user may not open the worker's file, 403 when they may but the
    worker is registered at another office."""
    worker = get_worker_for(user, pk)
    if not may_produce(user, worker):
        raise PermissionDenied(
            _("Only the office the worker is registered at produces a copy of their data.")
        )
    return worker


# --- what is held ---------------------------------------------------------------------------


@dataclass
class Item:
    name: str
    label: str
    value: object  # as JSON
    shown: str  # as the PDF prints it


@dataclass
class Group:
    name: str
    label: str
    rows: list[list[Item]] = field(default_factory=list)


@dataclass
class CaseRecord:
    case: Case
    items: list[Item]
    groups: list[Group]


@dataclass
class Held:
    worker: Worker
    items: list[Item]
    cases: list[CaseRecord]
    audit: list[list[Item]]
    produced_at: datetime.datetime
    produced_by: str


def _item(instance, f: models.Field) -> Item:
    raw = getattr(instance, f.attname)
    if f.is_relation:
        related = getattr(instance, f.name)
        value = shown = str(related) if related is not None else ""
    elif isinstance(f, models.FileField):
        value = shown = raw.name if raw else ""
    elif f.choices:
        value, shown = raw, str(instance._get_FIELD_display(f)) if raw not in (None, "") else ""
    elif isinstance(raw, datetime.datetime):
        local = timezone.localtime(raw)
        value, shown = local.isoformat(timespec="seconds"), local.strftime("%Y-%m-%d %H:%M")
    elif isinstance(raw, datetime.date):
        value = shown = raw.isoformat()
    elif isinstance(raw, Decimal):
        value = shown = str(raw)
    elif isinstance(raw, bool):
        value, shown = raw, _("yes") if raw else _("no")
    else:
        value, shown = raw, "" if raw is None else str(raw)
    # A field without a verbose name of its own is labelled from its name, in the catalogue.
    label = str(f.verbose_name) if f._verbose_name is not None else _(f.verbose_name)
    return Item(f.name, label, value, shown)


def items_of(instance, skip: set[str] = frozenset()) -> list[Item]:
    """Every stored field of a row but its keys and storage details, in model order."""
    return [
        _item(instance, f)
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in STORAGE_FIELDS | skip
    ]


def _groups(case: Case, worker: Worker) -> list[Group]:
    """Every row that points at the case (or its kind), but the audit log and other cases."""
    groups = []
    for rel in case._meta.related_objects:
        model = rel.related_model
        if not (rel.one_to_many or rel.one_to_one) or model is AuditEntry:
            continue
        if issubclass(model, Case):
            continue
        name = rel.get_accessor_name()
        # A row tied one-to-one to the case (the online request it was opened from).
        rows = (
            model.objects.filter(**{rel.field.name: case}).order_by("pk")
            if rel.one_to_one
            else getattr(case, name).order_by("pk")
        )
        if model in PER_WORKER:
            rows = rows.filter(worker=worker)  # the others' claims and payments are theirs
        skip = {rel.field.name}
        group = Group(name, str(GROUP_LABELS.get(name, model._meta.verbose_name_plural)))
        group.rows = [items_of(row, skip) for row in rows]
        if group.rows:
            groups.append(group)
    return groups


def cases_of(worker: Worker):
    return (
        Case.objects.filter(Q(workers=worker) | Q(applicant=worker))
        .distinct()
        .order_by("opened_at", "pk")
    )


def audit_about(worker: Worker, cases: list[Case]):
    """Entries about the worker and about their cases, but not those about another
    worker's claim or payment in a case they share."""
    about_worker = Q(object_type=Worker._meta.model_name, object_id=str(worker.pk))
    case_ids = [case.pk for case in cases]
    others = Q(pk__in=[])
    for model, case_field in ((CaseWorker, "case_id"), (Payment, "dispute_id")):
        theirs = model.objects.exclude(worker=worker).filter(**{f"{case_field}__in": case_ids})
        ids = [str(pk) for pk in theirs.values_list("pk", flat=True)]
        others |= Q(object_type=model._meta.model_name, object_id__in=ids)
    return (
        AuditEntry.objects.filter(about_worker | Q(case__in=cases))
        .exclude(others)
        .select_related("case")
        .order_by("at", "pk")
    )


def _audit_row(entry: AuditEntry) -> list[Item]:
    fields = ("at", "actor_name", "action", "case", "source_state", "target_state", "note")
    row = [_item(entry, AuditEntry._meta.get_field(name)) for name in fields]
    for item in row[4:6]:  # states by their names, as the case page shows them
        if item.value in State.values:
            item.shown = str(State(item.value).label)
    details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else ""
    label = str(AuditEntry._meta.get_field("details").verbose_name)
    row.append(Item("details", label, entry.details, details))
    return row


def collect(worker: Worker, by) -> Held:
    worker = Worker.objects.select_related("district", "office", "consent_recorded_by").get(
        pk=worker.pk
    )
    items = items_of(worker)
    number = worker.id_number()
    for item in items:
        if item.name == "id_masked":  # the person's own number, in full
            item.value = item.shown = number
    cases = [case.specific() for case in cases_of(worker)]
    return Held(
        worker=worker,
        items=items,
        cases=[CaseRecord(case, items_of(case), _groups(case, worker)) for case in cases],
        audit=[_audit_row(entry) for entry in audit_about(worker, cases)],
        produced_at=timezone.now(),
        produced_by=str(by),
    )


# --- the two formats ------------------------------------------------------------------------


def _as_dict(items: list[Item]) -> dict:
    return {item.name: item.value for item in items}


def as_json(held: Held) -> bytes:
    document = {
        "format": JSON_FORMAT,
        "legal_basis": "PIPL Art. 45",
        "produced_at": timezone.localtime(held.produced_at).isoformat(timespec="seconds"),
        "produced_by": held.produced_by,
        "worker": _as_dict(held.items),
        "cases": [
            {
                **_as_dict(record.items),
                "records": {g.name: [_as_dict(row) for row in g.rows] for g in record.groups},
            }
            for record in held.cases
        ],
        "audit_entries": [_as_dict(row) for row in held.audit],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def as_pdf(held: Held) -> bytes:
    worker = held.worker
    return render_pdf(
        "pdf/subject_access.html",
        {
            # What pdf/base.html repeats in every page's header.
            "case": {"number": worker.name, "office": worker.office},
            "held": held,
        },
        created=held.produced_at,
        modified=held.produced_at,
    )


# --- the download ---------------------------------------------------------------------------


@never_cache
@require_GET
@transaction.non_atomic_requests
def download(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    if format not in FORMATS:
        raise Http404
    worker = worker_for_export(request.user, pk)
    held = collect(worker, request.user)
    content = as_pdf(held) if format == "pdf" else as_json(held)
    seq, head_hash = audit_chain.current_head()
    # Logged once the file exists: rendering holds no locks.
    record(
        Action.SUBJECT_ACCESS,
        by=request.user,
        obj=worker,
        office=worker.office_id,
        details={
            "format": format,
            "cases": len(held.cases),
            "audit_entries": len(held.audit),
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "audit_chain_head": {"seq": seq, "hash": head_hash},
        },
    )
    day = timezone.localdate(held.produced_at).isoformat()
    response = HttpResponse(
        content, content_type="application/pdf" if format == "pdf" else "application/json"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"personal-data-{worker.pk}-{day}.{format}"
    )
    return response


# --- on the worker's page -------------------------------------------------------------------


def worker_section(worker: Worker, user, visible) -> dict:
    return {
        "template": "reports/_subject_access.html",
        "subject_access": may_produce(user, worker)
        and {f: reverse("audit:subject_access", args=[worker.pk, f]) for f in FORMATS},
    }


WORKER_SECTIONS.append(worker_section)
