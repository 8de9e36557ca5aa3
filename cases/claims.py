"""Claim items (R7) and the evidence checklist (R8) of a wage dispute: the writes.

Each is one transaction that locks the case, checks who may act, changes the rows
and writes its audit entry ("case details changed", with what changed).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from casework.audit import Action, record

from .models import ClaimItem, EvidenceItem, FinalAward, State, WageDispute, Worker
from .models.claims import claimed_by_worker, judging_day
from .models.wage import BEFORE_AGREEMENT
from .services import _require_worker_on_case, lock_case

# Claims are itemised until an agreement fixes them; after a failed mediation they
# can still be refined for arbitration.
CLAIM_STATES = (*BEFORE_AGREEMENT, State.MEDIATION_FAILED)


def _claim_case(case: WageDispute, by, expected_state: str | None) -> WageDispute:
    case = lock_case(case, expected_state)
    _require_worker_on_case(case, by)
    if case.state not in CLAIM_STATES:
        raise TransitionNotAllowed(_("Claim items are fixed once an agreement is recorded."))
    return case


def _sync_claimed(case: WageDispute, worker_ids) -> None:
    """A worker with claim items claims their sum: one figure, never two that disagree."""
    totals = claimed_by_worker(case)
    for cw in case.case_workers.filter(worker_id__in=worker_ids):
        if cw.worker_id in totals and cw.amount_claimed != totals[cw.worker_id]:
            cw.amount_claimed = totals[cw.worker_id]
            cw.save(update_fields=["amount_claimed"])


def _item_details(item: ClaimItem) -> dict:
    return {
        "worker": item.worker_id,
        "type": item.type,
        "amount": str(item.amount),
        "description": item.description,
        "final_award": item.final_award,
        "minimum_wage": item.minimum_wage_id,
        "limit": str(item.final_award_limit) if item.final_award_limit is not None else "",
    }


@transaction.atomic
def save_claim_item(
    *,
    case: WageDispute,
    by,
    worker: Worker,
    type: str,
    amount: Decimal,
    description: str = "",
    item: ClaimItem | None = None,
    expected_state: str | None = None,
) -> ClaimItem:
    """Add a claim item, or change one; its final-award flag (R7) is judged as it is saved.

    A changed kind, amount or worker is a new claim and is judged again; a changed
    description keeps the flag, so a later rate change never rewrites it (an
    unknown flag is judged again whenever the item is saved).
    """
    case = _claim_case(case, by, expected_state)
    if not case.case_workers.filter(worker=worker).exists():
        raise ValidationError({"worker": _("That worker is not on this case.")})
    before = None
    if item is None:
        item = ClaimItem(dispute=case, created_by=by)
    else:
        item = ClaimItem.objects.select_for_update().get(pk=item.pk, dispute=case)
        before = _item_details(item)
    rejudge = (
        before is None
        or (item.worker_id, item.type, item.amount) != (worker.pk, type, amount)
        or item.final_award == FinalAward.UNKNOWN
    )
    old_worker = item.worker_id
    item.worker, item.type, item.amount, item.description = worker, type, amount, description
    if rejudge:
        item.judge(worker.district, judging_day(case))
    item.save()
    _sync_claimed(case, {worker.pk, old_worker} - {None})
    record(
        Action.CASE_EDITED,
        by=by,
        case=case,
        obj=item,
        details={
            "fields": ["claim_items"],
            "claim_item": _item_details(item),
            **({"before": before} if before else {}),
        },
    )
    return item


@transaction.atomic
def remove_claim_item(
    *, case: WageDispute, by, item: ClaimItem, expected_state: str | None = None
) -> None:
    """Take a claim item off (entered by mistake); the audit entry keeps what it was.

    The worker's claimed amount stays the sum of their remaining items; after the
    last one it stays as it was, typed again if need be.
    """
    case = _claim_case(case, by, expected_state)
    item = ClaimItem.objects.select_for_update().get(pk=item.pk, dispute=case)
    details = _item_details(item)
    item_pk = item.pk
    item.delete()
    _sync_claimed(case, {details["worker"]})
    record(
        Action.CASE_EDITED,
        by=by,
        case=case,
        details={"fields": ["claim_items"], "removed": {"id": item_pk, **details}},
    )


@transaction.atomic
def set_evidence(
    *,
    case: WageDispute,
    by,
    kind: str,
    status: str,
    status_on: datetime.date | None = None,
    note: str = "",
) -> EvidenceItem:
    """Put a line on the evidence checklist (R8), or change its status."""
    case = lock_case(case)
    _require_worker_on_case(case, by)
    item = EvidenceItem.objects.select_for_update().filter(dispute=case, kind=kind).first()
    before = (
        {"status": item.status, "on": str(item.status_on or ""), "note": item.note}
        if item
        else None
    )
    if item is None:
        item = EvidenceItem(dispute=case, kind=kind)
    item.status, item.status_on, item.note, item.updated_by = status, status_on, note, by
    item.save()
    record(
        Action.CASE_EDITED,
        by=by,
        case=case,
        obj=item,
        details={
            "fields": ["evidence"],
            "evidence": {"kind": kind, "status": status, "on": str(status_on or ""), "note": note},
            **({"before": before} if before else {}),
        },
    )
    return item


@transaction.atomic
def remove_evidence(*, case: WageDispute, by, item: EvidenceItem) -> None:
    """Take a line off the checklist (not needed in this case); the audit entry keeps it."""
    case = lock_case(case)
    _require_worker_on_case(case, by)
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk, dispute=case)
    details = {"kind": item.kind, "status": item.status, "note": item.note}
    item.delete()
    record(
        Action.CASE_EDITED, by=by, case=case, details={"fields": ["evidence"], "removed": details}
    )
