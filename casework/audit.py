"""The one way anything writes to the audit log."""

from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from . import audit_chain
from .models import AuditChainHead, AuditEntry, mask_id_numbers

# Set per request by AuditContextMiddleware so services need not pass requests around.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)

Action = AuditEntry.Action


def record(
    action: str,
    *,
    by=None,
    case=None,
    obj=None,
    office=None,
    source: str = "",
    target: str = "",
    note: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the write it describes.

    The entry joins the hash chain under the chain head's row lock, held until
    that transaction commits: appends are serialised, so the chain never forks.
    """
    if case is not None and office is None:
        office = case.office_id
    entry = AuditEntry(
        at=timezone.now(),
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=_name(by),
        case_id=getattr(case, "case_ptr_id", None) or getattr(case, "pk", None),
        office_id=getattr(office, "pk", office),
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        source_state=source,
        target_state=target,
        # Masked before hashing, so that the hash covers what is stored.
        note=mask_id_numbers(note),
        details=mask_id_numbers(details or {}),
        ip=current_ip.get(),
    )
    # No savepoint: a failed append fails the write it describes anyway.
    with transaction.atomic(savepoint=False):
        head = audit_chain.locked_head(AuditChainHead)
        audit_chain.chain(entry, head)
        entry.save(force_insert=True)
        head.save(update_fields=["seq", "entry_hash"])
    return entry


def _name(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return f"{user.full_name or user.username} ({user.username})"
