"""What falls due: every clock of every kind, read from the database a query per clock.

`due_items(scope, today=…, now=…)` answers for the cases `scope` (a Q over the case
core's fields, which every kind inherits) selects; the deadlines page passes a user's
scope, the daily job none. Each clock is one query of only the columns it needs, so a
page costs the same for ten cases or a thousand; only the few rows each query returns
are looked at in Python (arbitration and approval dates need the working-day calendar).

The clocks (DOMAIN.md):
- the mediation period's end (R2) while mediation has not reached an agreement;
- the limitation date (R5) once under 30 days remain (and after it passed);
- the agreed performance date (R4); a missed one offers "not performed" (referral);
- on cases referred to arbitration, the commission's decision on acceptance (5 days)
  and its award (45 days after that) (R6): informational, nobody is reminded;
- medical cards in their last 30 days with no renewal applied for;
- aid and card applications waiting for approval longer than the office's limit in
  working days, and new cases nobody has taken within the office's limit in hours:
  these are born late (they appear only once past the limit).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assistance.models import RENEWAL_WINDOW_DAYS, CardApplication
from cases.models import FINISHED_STATES, Case, Forum, Kind, State, WageDispute
from cases.models.wage import BEFORE_AGREEMENT
from casework.periods import (
    Schedules,
    add_working_days,
    entered_schedules,
    period_end,
    start_of_day,
)

from .models import Clock, Limits, limits_by_office

LIMITATION_WARNING_DAYS = 30  # R5: a warning when under 30 days remain
ARBITRATION_ACCEPTANCE_DAYS = 5  # LDMAL Art. 29
ARBITRATION_AWARD_DAYS = 45  # LDMAL Art. 43 (extendable by 15)
# Clocks that appear only once late; their reminders go to the office's supervisors.
LATE_ONLY = {Clock.APPROVAL, Clock.INTAKE}
INFORMATIONAL = {Clock.ARBITRATION_ACCEPTANCE, Clock.ARBITRATION_AWARD}
# Where on the case page a late clock's next step is (the transition's form), and the
# state the case is in when that step is offered.
NEXT_STEP = {
    Clock.PERFORMANCE: ("#do-refer", State.AGREEMENT),  # R4: not performed → referral
    Clock.MEDIATION: ("#do-mark_failed", State.MEDIATING),  # R2: no agreement in time
}

CORE = ["pk", "number", "kind", "state", "office_id", "assignee_id", "applicant__name"]
CORE += ["assignee__full_name", "assignee__username"]


@dataclass(frozen=True)
class Item:
    clock: str
    case_id: int
    number: str
    kind: str
    state: str
    office_id: int
    assignee_id: int | None
    assignee_name: str
    applicant: str
    due_on: datetime.date
    provisional: bool = False
    since: datetime.date | None = None  # when the wait began (approval, intake)

    @property
    def informational(self) -> bool:
        return self.clock in INFORMATIONAL

    @property
    def late_only(self) -> bool:
        return self.clock in LATE_ONLY

    def is_overdue(self, today: datetime.date) -> bool:
        return self.late_only or self.due_on < today

    @property
    def label(self) -> str:
        return Clock(self.clock).label

    @property
    def url(self) -> str:
        return reverse("cases:case", args=[self.number])

    def step_url(self, today: datetime.date) -> str | None:
        """The next step's form on the case page, once the clock has run out."""
        anchor, state = NEXT_STEP.get(self.clock, ("", None))
        if state == self.state and self.due_on < today:
            return self.url + anchor
        return None


def _item(row: dict, clock: str, due_on, provisional=False, since=None) -> Item:
    return Item(
        clock=clock,
        case_id=row["pk"],
        number=row["number"],
        kind=row["kind"],
        state=row["state"],
        office_id=row["office_id"],
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee__full_name"] or row["assignee__username"] or "",
        applicant=row["applicant__name"] or "",
        due_on=due_on,
        provisional=provisional,
        since=since,
    )


# --- the wage dispute's clocks ---------------------------------------------------------------


def mediation(scope: Q, today) -> list[Item]:
    rows = WageDispute.objects.filter(
        scope, state__in=BEFORE_AGREEMENT, mediation_deadline__isnull=False
    ).values(*CORE, "mediation_deadline", "mediation_deadline_provisional")
    return [
        _item(r, Clock.MEDIATION, r["mediation_deadline"], r["mediation_deadline_provisional"])
        for r in rows
    ]


def limitation(scope: Q, today) -> list[Item]:
    horizon = today + datetime.timedelta(days=LIMITATION_WARNING_DAYS - 1)  # under 30 left
    rows = (
        WageDispute.objects.filter(scope, limitation_date__lte=horizon)
        .exclude(state__in=[*FINISHED_STATES, State.PERFORMED])
        .values(*CORE, "limitation_date", "limitation_provisional")
    )
    return [
        _item(r, Clock.LIMITATION, r["limitation_date"], r["limitation_provisional"]) for r in rows
    ]


def performance(scope: Q, today) -> list[Item]:
    rows = WageDispute.objects.filter(
        scope, state=State.AGREEMENT, performance_deadline__isnull=False
    ).values(*CORE, "performance_deadline")
    return [_item(r, Clock.PERFORMANCE, r["performance_deadline"]) for r in rows]


def arbitration(scope: Q, today, schedules: Schedules) -> list[Item]:
    rows = WageDispute.objects.filter(
        scope,
        state=State.REFERRED,
        referral_forum=Forum.ARBITRATION,
        referral_date__isnull=False,
    ).values(*CORE, "referral_date")
    items = []
    for r in rows:
        accept = period_end(
            r["referral_date"], days=ARBITRATION_ACCEPTANCE_DAYS, schedules=schedules
        )
        award = period_end(accept.date, days=ARBITRATION_AWARD_DAYS, schedules=schedules)
        if accept.date >= today:  # once past, the award's clock is the one to watch
            items.append(_item(r, Clock.ARBITRATION_ACCEPTANCE, accept.date, accept.provisional))
        items.append(_item(r, Clock.ARBITRATION_AWARD, award.date, award.provisional))
    return items


# --- assistance ----------------------------------------------------------------------------


def card_renewal(scope: Q, today) -> list[Item]:
    renewing = CardApplication.objects.exclude(state__in=[State.REJECTED, State.WITHDRAWN]).filter(
        renewal_of__isnull=False
    )
    rows = (
        CardApplication.objects.valid_on(today)
        .filter(scope, valid_to__lte=today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS))
        .exclude(pk__in=renewing.values("renewal_of_id"))
        .values(*CORE, "valid_to")
    )
    return [_item(r, Clock.CARD_RENEWAL, r["valid_to"]) for r in rows]


def _late_since(today, days: int, schedules: Schedules) -> datetime.date:
    """The first start date whose `days` working days have not yet run out by today:
    a wait that began before it is late."""
    day = today
    while add_working_days(day - datetime.timedelta(days=1), days, schedules).date >= today:
        day -= datetime.timedelta(days=1)
    return day


def _by_limit(limits: dict[int, Limits], field: str) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for office_id, limit in limits.items():
        groups.setdefault(getattr(limit, field), []).append(office_id)
    return groups


def approval(scope: Q, today, limits: dict[int, Limits], schedules: Schedules) -> list[Item]:
    late = Q(pk__in=[])
    for days, offices in _by_limit(limits, "approve_within_days").items():
        since = start_of_day(_late_since(today, days, schedules))
        late |= Q(office_id__in=offices, state_changed_at__lt=since)
    waiting = Q(kind=Kind.HARDSHIP_AID, state=State.RECOMMENDED) | Q(
        kind=Kind.MEDICAL_CARD, state=State.VERIFIED
    )
    rows = Case.objects.filter(scope, waiting, late).values(*CORE, "state_changed_at")
    items = []
    for r in rows:
        since = timezone.localdate(r["state_changed_at"])
        days = limits[r["office_id"]].approve_within_days
        due = add_working_days(since, days, schedules)
        items.append(_item(r, Clock.APPROVAL, due.date, due.provisional, since=since))
    return items


def intake(scope: Q, now, limits: dict[int, Limits]) -> list[Item]:
    late = Q(pk__in=[])
    for hours, offices in _by_limit(limits, "take_within_hours").items():
        late |= Q(office_id__in=offices, opened_at__lt=now - datetime.timedelta(hours=hours))
    rows = Case.objects.open().filter(scope, late, assignee__isnull=True).values(*CORE, "opened_at")
    items = []
    for r in rows:
        hours = limits[r["office_id"]].take_within_hours
        due = timezone.localdate(r["opened_at"] + datetime.timedelta(hours=hours))
        since = timezone.localdate(r["opened_at"])
        items.append(_item(r, Clock.INTAKE, due, since=since))
    return items


# --- all of them --------------------------------------------------------------------------


def schedules_around(today: datetime.date) -> Schedules:
    """The entered holiday schedules a computation from today may consult (one query)."""
    return entered_schedules(range(today.year - 1, today.year + 3))


def due_items(
    scope: Q | None = None,
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    limits: dict[int, Limits] | None = None,
) -> list[Item]:
    """Every clock of the cases `scope` selects, soonest first."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    scope = scope if scope is not None else Q()
    limits = limits if limits is not None else limits_by_office()
    schedules = schedules_around(today)
    items = [
        *mediation(scope, today),
        *limitation(scope, today),
        *performance(scope, today),
        *arbitration(scope, today, schedules),
        *card_renewal(scope, today),
        *approval(scope, today, limits, schedules),
        *intake(scope, now, limits),
    ]
    return sorted(items, key=lambda i: (i.due_on, i.number, i.clock))


def scope_for(user) -> Q | None:
    """The cases whose clocks a user watches: a supervisor their offices', a caseworker
    their own and their office's untaken ones (as `visible_to`); None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_supervisor and user.supervised_office_ids:
        return Q(office_id__in=user.supervised_office_ids)
    if user.is_caseworker:
        return Q(assignee=user) | Q(office_id=user.office_id, assignee__isnull=True)
    return None
