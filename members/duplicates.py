"""Who an application might already be: registered workers and earlier applications.

Matched by ID number (exact, through the keyed hash), mobile (exact) and name (the
same pinyin, or a close spelling: `members.names`). A worker matched by ID number
is shown whatever office registered them (it is the same person, and approving
would find them anyway); others only from the offices the reviewer works for.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from cases.models import Worker

from . import names
from .models import ApplicationState, MembershipApplication


@dataclass
class Candidate:
    worker: Worker
    reasons: list[str] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        """The same ID number, or a name of the same sound with the same mobile."""
        return "id" in self.reasons or {"mobile", "name"} <= set(self.reasons)


def candidates(application: MembershipApplication, offices: set[int]) -> list[Candidate]:
    found: dict[int, Candidate] = {}

    def add(worker, reason):
        found.setdefault(worker.pk, Candidate(worker)).reasons.append(reason)

    base = Worker.objects.select_related("office", "membership")
    if application.id_hash:
        for worker in base.filter(id_hash=application.id_hash):
            add(worker, "id")
    for worker in base.filter(office_id__in=offices, phone=application.mobile):
        add(worker, "mobile")
    # Names are compared in Python over the offices' workers: pinyin needs no index.
    rows = Worker.objects.filter(office_id__in=offices).values_list("pk", "name")
    close = [pk for pk, name in rows if names.close(name, application.name)]
    for worker in base.filter(pk__in=close):
        add(worker, "name")
    return sorted(found.values(), key=lambda c: (not c.strong, -len(c.reasons), c.worker.pk))


def earlier_applications(application: MembershipApplication):
    """Other applications of the same person: the same ID number, or a name of the
    same sound with the same mobile."""
    same = Q(id_hash=application.id_hash) | Q(
        name_pinyin=application.name_pinyin, mobile=application.mobile
    )
    return (
        MembershipApplication.objects.filter(same)
        .exclude(pk=application.pk)
        .exclude(state=ApplicationState.DECLINED)
        .order_by("submitted_at")
    )
