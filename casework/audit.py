"""The one way anything writes to the audit log."""

from contextvars import ContextVar

from .models import AuditEntry

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
    """Append one entry. Call it inside the transaction of the write it describes."""
    if case is not None and office is None:
        office = case.office_id
    return AuditEntry.objects.create(
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=_name(by),
        case_id=getattr(case, "case_ptr_id", None) or getattr(case, "pk", None),
        office_id=getattr(office, "pk", office),
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        source_state=source,
        target_state=target,
        note=note,
        details=details or {},
        ip=current_ip.get(),
    )


def _name(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return f"{user.full_name or user.username} ({user.username})"
