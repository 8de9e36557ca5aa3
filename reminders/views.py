"""The deadlines page and the notifications."""

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import clocks
from .models import Reminder

BUCKETS = [
    ("overdue", gettext_lazy("Overdue")),
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("This week (next 7 days)")),
    ("later", gettext_lazy("Later")),
]


def bucket(item: clocks.Item, today: datetime.date) -> str:
    if item.is_overdue(today):
        return "overdue"
    if item.due_on == today:
        return "today"
    if item.due_on <= today + datetime.timedelta(days=7):
        return "week"
    return "later"


@dataclass
class Row:
    item: clocks.Item
    bucket: str
    days_left: int
    step_url: str | None

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)


@dataclass
class Group:
    """One caseworker's items (or the untaken cases'), by bucket."""

    name: str
    key: str
    rows: list[Row] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(1 for r in self.rows if r.bucket == name)

    @property
    def overdue(self) -> int:
        return self.count("overdue")

    @property
    def counts(self) -> list[int]:
        return [self.count(name) for name, _label in BUCKETS]

    @property
    def buckets(self) -> list[tuple[str, str, list[Row]]]:
        return [
            (name, label, [r for r in self.rows if r.bucket == name]) for name, label in BUCKETS
        ]


def deadlines(request: HttpRequest) -> HttpResponse:
    """A caseworker's own clocks, soonest first; a supervisor's offices', by caseworker."""
    user = request.user
    scope = clocks.scope_for(user)
    if scope is None:
        raise PermissionDenied(_("The deadlines page is for caseworkers and supervisors."))
    today = timezone.localdate()
    rows = [
        Row(item, bucket(item, today), (item.due_on - today).days, item.step_url(today))
        for item in clocks.due_items(scope, today=today)
    ]
    groups: dict[str, Group] = {}
    unassigned = _("Nobody (not taken yet)")
    for row in rows:
        key = str(row.item.assignee_id or "none")
        name = row.item.assignee_name or unassigned
        groups.setdefault(key, Group(name=name, key=key)).rows.append(row)
    by_person = sorted(groups.values(), key=lambda g: (-g.overdue, g.key == "none", g.name))
    mine = Group(name=str(user), key="mine", rows=rows)
    return render(
        request,
        "reminders/deadlines.html",
        {
            "by_caseworker": user.is_supervisor,
            "groups": by_person,
            "mine": mine,
            "bucket_labels": [label for _name, label in BUCKETS],
            "today": today,
        },
    )


def notifications(request: HttpRequest) -> HttpResponse:
    mine = Reminder.objects.filter(recipient=request.user).select_related("case")
    page = Paginator(mine.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/notifications.html",
        {"page": page, "today": timezone.localdate()},
    )


def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes to its case (another's: 404)."""
    reminder = get_object_or_404(
        Reminder.objects.select_related("case"), pk=pk, recipient=request.user
    )
    if reminder.read_at is None:
        Reminder.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(reminder.case.get_absolute_url())


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = Reminder.objects.unread().filter(recipient=request.user).update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect("reminders:notifications")
