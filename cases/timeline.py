"""A case's timeline: everything that happened, newest first, in a fixed number of queries
(the documents and payments the case page has read already cost none)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from casework.audit import Action
from casework.periods import start_of_day

from .models import Case, State
from .models.core import related_rows

# Audit actions shown as timeline entries of their own; the rest (notes,
# payments, …) are shown from their own rows, which hold the content.
LOGGED_ACTIONS = (
    Action.CASE_OPENED,
    Action.TRANSITION,
    Action.ASSIGNED,
    Action.CASE_EDITED,
    Action.APPROVAL,
)


@dataclass
class Entry:
    kind: str
    at: datetime
    by: str
    obj: object = None
    extra: dict = field(default_factory=dict)


EXTRA_LABELS = {
    "amounts": _("amounts claimed and agreed"),
    "counterparties": _("counterparties"),
    "family": _("family members"),
    "claim_items": _("claim items"),
    "evidence": _("evidence checklist"),
}


def _field_label(model, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def timeline(case: Case) -> list[Entry]:
    specific = case.specific()
    entries = [
        Entry(
            "log",
            e.at,
            str(e.actor) if e.actor else e.actor_name,
            e,
            {
                "source": State(e.source_state).label if e.source_state else "",
                "target": State(e.target_state).label if e.target_state else "",
                "fields": pgettext("list separator", ", ").join(
                    _field_label(type(specific), name) for name in e.details.get("fields", [])
                ),
            },
        )
        for e in case.audit_entries.filter(action__in=LOGGED_ACTIONS).select_related("actor")
    ]
    entries += [
        Entry("note", n.created_at, str(n.author), n) for n in case.notes.select_related("author")
    ]
    entries += [
        Entry("contact", c.occurred_at, str(c.recorded_by), c)
        for c in case.contacts.select_related("recorded_by")
    ]
    entries += [
        Entry("document", d.uploaded_at, str(d.uploaded_by), d)
        for d in related_rows(case, "documents", "uploaded_by")
    ]
    if hasattr(specific, "payments"):
        for p in related_rows(specific, "payments", "entered_by", "voided_by", "worker"):
            entries.append(Entry("payment", p.entered_at, str(p.entered_by), p))
            if p.is_void:
                entries.append(Entry("void", p.voided_at, str(p.voided_by), p))
        entries += [
            Entry("session", start_of_day(s.held_on), str(s.recorded_by), s)
            for s in specific.sessions.select_related("recorded_by")
        ]
        entries += [
            Entry("limitation", e.created_at, str(e.recorded_by), e)
            for e in specific.limitation_events.select_related("recorded_by")
        ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
