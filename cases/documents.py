"""Printable documents of a case, as PDF: the case file (案卷) of every kind, the
intake record with the personal-information consent, the mediation agreement
of a wage dispute and the approval form of hardship aid.

Whoever may see the case page may download its documents (`get_case_for`),
under the case number's name. Each is rendered outside any transaction and
logged once it has been produced. Nothing in a document depends on when it is
printed, so a finished case's file is the same, byte for byte, every time.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from casework.pdf import gc_paused, render_pdf

from .models import Case, EvidenceStatus, Kind, State, StoredCaseFile
from .timeline import Entry, timeline

# --- what every document shows ------------------------------------------------------------


def _links(case: Case) -> list:
    """The workers named on the case, in the order they were named."""
    return list(case.case_workers.select_related("worker", "worker__district").order_by("pk"))


def _dates(case: Case, entries: list[Entry]) -> dict:
    """The PDF's own dates, from the case: opened, and finished or last changed."""
    last = [case.finished_at] if case.finished_at else []
    last += [entries[-1].at] if entries else []
    return {"created": case.opened_at, "modified": max(last, default=case.opened_at)}


def _chronological(case: Case) -> list[Entry]:
    # A file reads from the first page to the last: oldest first.
    return list(reversed(timeline(case)))


def wage_details(case) -> dict:
    claims = case.claims()
    return {
        "claims": [
            {
                "link": cw,
                "agreed": cw.amount_agreed,
                "recovered": paid,
                "outstanding": max(agreed - paid, Decimal("0"))
                if cw.amount_agreed is not None
                else None,
            }
            for cw, agreed, paid in claims
        ],
        "totals": case.totals(claims),
        "counterparty_links": list(
            case.counterparty_links.select_related("counterparty").order_by("pk")
        ),
        "payments": list(
            case.payments.select_related("worker", "entered_by", "voided_by").order_by(
                "paid_on", "pk"
            )
        ),
        # R7: each item with the flag stored when it was judged; R8: the checklist.
        "claim_items": list(
            case.claim_items.select_related(
                "worker", "worker__district", "minimum_wage", "minimum_wage__district"
            ).order_by("pk")
        ),
        "evidence_items": list(case.evidence_items.order_by("pk")),
    }


def aid_details(case) -> dict:
    approvals = list(case.approvals.select_related("approver").order_by("approved_at", "pk"))
    per_person = None
    if case.household_size and case.annual_income is not None:
        spare = case.annual_income - (case.annual_rigid_spending or 0)
        per_person = (spare / 12 / case.household_size).quantize(Decimal("0.01"))
    return {
        "approvals": approvals,
        "approvals_needed": case.approvals_needed() if case.recommended_amount else None,
        "current_round": [a for a in approvals if a.round == case.approval_round],
        "per_person_month": per_person,
        "category_differs": bool(
            case.recommended_category and case.recommended_category != case.computed_category
        ),
    }


def card_details(case) -> dict:
    return {"family": list(case.family_members.order_by("pk"))}


KIND_DETAILS: dict[str, Callable] = {
    Kind.WAGE_DISPUTE: wage_details,
    Kind.HARDSHIP_AID: aid_details,
    Kind.MEDICAL_CARD: card_details,
}


# --- each document ------------------------------------------------------------------------
# A builder returns the template's context and, under "pdf_dates", the PDF's creation and
# modification dates, taken from the case (never the time of printing).


def case_file_context(case: Case) -> dict:
    entries = _chronological(case)
    return {
        "case": case,
        "links": _links(case),
        **KIND_DETAILS[case.kind](case),
        # Transitions, notes, contacts and mediation sessions in one account, in full.
        "events": entries,
        "documents": list(
            case.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")
        ),
        "pdf_dates": _dates(case, entries),
    }


def intake_context(case: Case) -> dict:
    return {
        "case": case,
        "links": _links(case),
        **KIND_DETAILS[case.kind](case),
        "pdf_dates": {"created": case.opened_at, "modified": case.opened_at},
    }


def agreement_context(case: Case) -> dict:
    details = wage_details(case)
    return {
        "case": case,
        "links": _links(case),
        **details,
        # The annex lists the evidence the respondents were asked for (R8), if any was.
        "evidence_items": [
            item for item in details["evidence_items"] if item.status != EvidenceStatus.TO_REQUEST
        ],
        # Signed copies are final; one printed while mediating is the draft for signing.
        "draft": case.agreement_signed_on is None,
        "pdf_dates": {
            "created": case.opened_at,
            "modified": _noon_of(case.agreement_signed_on),
        },
    }


def _noon_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def agreement_refusal(case) -> list[str]:
    """Why the agreement cannot be printed (R3), or [] when it can."""
    missing = case.agreement_missing()
    if missing:
        return [_("The agreement lacks %(item)s.") % {"item": item} for item in missing]
    if case.agreement_signed_on is None and case.state != State.MEDIATING:
        return [_("No mediation agreement was reached in this case.")]
    return []


def approval_context(case: Case) -> dict:
    entries = _chronological(case)
    return {
        "case": case,
        "links": _links(case),
        **aid_details(case),
        "pdf_dates": _dates(case, entries),
    }


def approval_refusal(case) -> list[str]:
    if case.recommended_amount is None:
        return [_("There is no recommendation to approve yet.")]
    return []


@dataclass(frozen=True)
class Printable:
    slug: str  # in the URL and the file name
    title: object  # lazy: read in the active language
    template: str
    context: Callable[[Case], dict]
    kinds: tuple = tuple(Kind.values)
    refusal: Callable[[Case], list[str]] = field(default=lambda case: [])


PRINTABLES = {
    p.slug: p
    for p in [
        Printable("case-file", gettext_lazy("Case file"), "pdf/case_file.html", case_file_context),
        Printable(
            "intake-record",
            gettext_lazy("Intake record and consent"),
            "pdf/intake_record.html",
            intake_context,
        ),
        Printable(
            "mediation-agreement",
            gettext_lazy("Mediation agreement"),
            "pdf/mediation_agreement.html",
            agreement_context,
            kinds=(Kind.WAGE_DISPUTE,),
            refusal=agreement_refusal,
        ),
        Printable(
            "aid-approval",
            gettext_lazy("Hardship aid approval form"),
            "pdf/aid_approval.html",
            approval_context,
            kinds=(Kind.HARDSHIP_AID,),
            refusal=approval_refusal,
        ),
    ]
}


def render_document(case: Case, slug: str) -> bytes:
    """The document `slug` of `case` as PDF bytes. Writes no audit entry: callers log
    the download (or, for an export, the export) themselves."""
    case = case.specific()
    printable = PRINTABLES[slug]
    with gc_paused():
        context = printable.context(case)
        dates = context.pop("pdf_dates")
        return render_pdf(printable.template, context, **dates)


def case_file(case: Case) -> tuple[bytes, str]:
    """The case file of `case` in the active language, and its SHA-256.

    A finished case's is rendered once and kept (StoredCaseFile): later calls read the
    kept file, after checking it still has its SHA-256 (a file changed or lost on disk
    is rendered again). An open case's is rendered on each call."""
    if case.finished_at is None or not case.is_finished:
        pdf = render_document(case, "case-file")
        return pdf, hashlib.sha256(pdf).hexdigest()
    key = {"case_id": case.pk, "language": get_language(), "finished_at": case.finished_at}
    stored = StoredCaseFile.objects.filter(**key).first()
    if stored is not None:
        try:
            with stored.file.open("rb") as file:
                pdf = file.read()
        except OSError:
            pdf = b""
        if hashlib.sha256(pdf).hexdigest() == stored.sha256:
            return pdf, stored.sha256
        StoredCaseFile.objects.filter(pk=stored.pk).delete()
    pdf = render_document(case, "case-file")
    digest = hashlib.sha256(pdf).hexdigest()
    stored = StoredCaseFile(**key, sha256=digest, size=len(pdf))
    stored.file.save("case-file.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # Another request kept the same case file a moment earlier: theirs stays.
        stored.file.delete(save=False)
    return pdf, digest
