"""The reminder job: turn what falls due into reminder rows, once each, and hand the
e-mail to the task worker after the rows are committed.

`run(today=…)` is what `manage.py run_reminders` (a timer every 15 minutes) and the
daily run (`--daily`, each morning) execute, directly or on the task worker. The job
writes with `bulk_create(ignore_conflicts=True)` (INSERT … ON CONFLICT DO NOTHING):
the unique row per (clock, case, threshold, due date, recipient) decides what is new,
so a second run, or two servers running it at the same moment, add nothing and send
nothing twice. Which reminders still need their e-mail is read back from the table
afterwards (the rows' `email_sent_at`), never from what this run inserted.
"""

import datetime
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.services import refresh_open_clocks
from casework import roles
from casework.models import Office
from casework.periods import next_working_day

from . import clocks, mail
from .models import IMMEDIATE, KEEP_DAYS, Digest, Limits, Reminder, Threshold, limits_by_office

log = logging.getLogger(__name__)

# How many days before a clock runs out its first reminder comes ("coming up").
NOTICE_DAYS = {
    clocks.Clock.MEDIATION: 3,
    clocks.Clock.PERFORMANCE: 3,
    clocks.Clock.LIMITATION: clocks.LIMITATION_WARNING_DAYS,
    clocks.Clock.CARD_RENEWAL: 30,
}


def thresholds(
    item: clocks.Item, today: datetime.date, next_day: datetime.date, limits: Limits
) -> list[str]:
    """The thresholds an item has reached today (each becomes one reminder per person)."""
    if item.informational:
        return []
    if item.late_only:
        # Born late and told to the supervisors already: nobody above them to escalate to.
        return [Threshold.OVERDUE]
    if item.due_on < today:
        late = [Threshold.OVERDUE]
        if (today - item.due_on).days > limits.escalate_after_days:
            late.append(Threshold.ESCALATED)
        return late
    if item.due_on <= next_day:  # runs out today or by the next working day
        return [Threshold.NEXT_DAY]
    if (item.due_on - today).days <= NOTICE_DAYS.get(item.clock, 0):
        return [Threshold.UPCOMING]
    return []


def supervisors_by_office() -> dict[int, list]:
    """Each office's supervisors: those of the office itself, or, where it has none, of
    the nearest office above it (casework.roles: a supervisor oversees the offices under
    their own)."""
    User = get_user_model()
    own: dict[int, list] = defaultdict(list)
    for user in User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).distinct():
        own[user.office_id].append(user)
    parents = dict(Office.objects.values_list("pk", "parent_id"))
    found = {}
    for pk in parents:
        office, seen = pk, set()
        while office is not None and office not in own and office not in seen:
            seen.add(office)
            office = parents.get(office)
        found[pk] = own.get(office, [])
    return found


def recipients(item: clocks.Item, threshold: str, assignees: dict, supervisors: dict) -> list:
    """Who hears of it: the assignee; the office's supervisors when nobody is assigned,
    when it is theirs to act on (approval, intake) and, too, when it is escalated."""
    chiefs = supervisors.get(item.office_id, [])
    if item.late_only or item.assignee_id is None:
        return chiefs
    if threshold == Threshold.ESCALATED:
        return [u for u in chiefs if u.pk != item.assignee_id]
    assignee = assignees.get(item.assignee_id)
    return [assignee] if assignee else []


def wants_email(user) -> bool:
    return bool(user.email_reminders and user.email and user.is_active)


def plan(
    items: list[clocks.Item], *, today: datetime.date, limits: dict[int, Limits]
) -> list[Reminder]:
    User = get_user_model()
    assignee_ids = {i.assignee_id for i in items if i.assignee_id}
    assignees = {u.pk: u for u in User.objects.filter(pk__in=assignee_ids, is_active=True)}
    supervisors = supervisors_by_office()
    next_day = next_working_day(today, clocks.schedules_around(today))
    rows = []
    for item in items:
        limit = limits.get(item.office_id, Limits())
        for threshold in thresholds(item, today, next_day, limit):
            for user in recipients(item, threshold, assignees, supervisors):
                rows.append(
                    Reminder(
                        clock=item.clock,
                        case_id=item.case_id,
                        threshold=threshold,
                        due_on=item.due_on,
                        recipient=user,
                        email_wanted=threshold in IMMEDIATE and wants_email(user),
                    )
                )
    return rows


def purge(now: datetime.datetime) -> int:
    """Notifications are kept 90 days."""
    cutoff = now - datetime.timedelta(days=KEEP_DAYS)
    deleted, _ = Reminder.objects.filter(created_at__lt=cutoff).delete()
    Digest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def plan_digests(items: list[clocks.Item], today: datetime.date) -> list[Digest]:
    """One morning e-mail for each person who has something due this week or overdue."""
    User = get_user_model()
    week = today + datetime.timedelta(days=7)
    soon = [i for i in items if not i.informational and i.due_on <= week]
    supervisors = supervisors_by_office()
    people = set()
    for item in soon:
        if item.assignee_id and not item.late_only:
            people.add(item.assignee_id)
        else:
            people.update(u.pk for u in supervisors.get(item.office_id, []))
    users = User.objects.filter(pk__in=people, is_active=True, email_reminders=True)
    return [Digest(recipient=user, day=today) for user in users.exclude(email="")]


def run(
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    daily: bool = False,
) -> dict:
    """One run of the job. `daily` also refreshes every open case's clocks (the holiday
    calendar may have changed), purges old notifications and writes the morning digests."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    refreshed = refresh_open_clocks() if daily else 0
    limits = limits_by_office()
    items = clocks.due_items(today=today, now=now, limits=limits)
    with transaction.atomic():
        before = Reminder.objects.count()
        Reminder.objects.bulk_create(
            plan(items, today=today, limits=limits), ignore_conflicts=True, batch_size=500
        )
        created = Reminder.objects.count() - before
        digests = 0
        if daily:
            before_d = Digest.objects.count()
            Digest.objects.bulk_create(plan_digests(items, today), ignore_conflicts=True)
            digests = Digest.objects.count() - before_d
            purged = purge(now)
        else:
            purged = 0
        transaction.on_commit(enqueue_email)
    result = {
        "items": len(items),
        # (Counted before and after: only approximate when two runs overlap.)
        "created": created,
        "digests": digests,
        "purged": purged,
        "refreshed": refreshed,
    }
    log.info("reminders: %s", result)
    return result


def enqueue_email() -> None:
    """Hand the e-mail to the worker; the rows are committed by now."""
    mail.send_email.enqueue()
