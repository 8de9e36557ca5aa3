"""E-mail, sent by the task worker after the reminder rows are committed.

Each message is claimed by locking its row (`select_for_update(skip_locked=True)`) and
marked sent in the same transaction, so two workers never send one twice. A failure
(the SMTP server is down) changes nothing but the row's attempt count and error: the
in-app notification was committed before and stays; the task enqueues itself again
with a growing delay, and every run of the job picks up what is still unsent.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import default_task_backend, task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import clocks
from .models import MAX_EMAIL_ATTEMPTS, Digest, Reminder

log = logging.getLogger(__name__)
BATCH = 200


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _send(user, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "user": user, "account_url": _absolute(reverse("account"))}
        subject = render_to_string(f"reminders/{template}_subject.txt", context).strip()
        body = render_to_string(f"reminders/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_reminder(reminder: Reminder) -> None:
    today = timezone.localdate()
    _send(
        reminder.recipient,
        "reminder",
        {
            "reminder": reminder,
            "days_left": (reminder.due_on - today).days,
            "overdue_days": (today - reminder.due_on).days,
            "url": _absolute(reverse("reminders:open", args=[reminder.pk])),
        },
    )


def send_digest(digest: Digest) -> None:
    user = digest.recipient
    scope = clocks.scope_for(user)
    items = clocks.due_items(scope, today=digest.day) if scope is not None else []
    week = digest.day + datetime.timedelta(days=7)
    items = [i for i in items if not i.informational and i.due_on <= week]
    if not items:
        return
    rows = [
        {"item": i, "overdue": i.is_overdue(digest.day), "url": _absolute(i.url)} for i in items
    ]
    _send(
        user,
        "digest",
        {"digest": digest, "rows": rows, "page_url": _absolute(reverse("reminders:deadlines"))},
    )


def _deliver(model, pending, sent_field: str, attempts_field: str, error_field: str, send):
    failed = 0
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            row = (
                model.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=pk, **{f"{sent_field}__isnull": True})
                .first()
            )
            # Only the row itself is locked (of=self): locking the recipient too would make
            # two workers skip each other's rows of the same person, and send neither.
            if row is None:  # another worker has it, or has sent it
                continue
            try:
                send(row)
            except Exception as error:  # noqa: BLE001 - any failure: keep the row, retry later
                failed += 1
                setattr(row, attempts_field, getattr(row, attempts_field) + 1)
                setattr(row, error_field, f"{type(error).__name__}: {error}"[:300])
                row.save(update_fields=[attempts_field, error_field])
                log.warning("e-mail %s %s failed: %s", model.__name__, pk, error)
                continue
            setattr(row, sent_field, timezone.now())
            row.save(update_fields=[sent_field])
    return failed


def deliver() -> dict:
    """Send what is pending; return how many failed."""
    failed = _deliver(
        Reminder,
        Reminder.objects.email_pending(),
        "email_sent_at",
        "email_attempts",
        "email_error",
        send_reminder,
    )
    failed += _deliver(
        Digest,
        Digest.objects.filter(sent_at__isnull=True, attempts__lt=MAX_EMAIL_ATTEMPTS),
        "sent_at",
        "attempts",
        "error",
        send_digest,
    )
    return {"failed": failed}


@task
def send_email(attempt: int = 0) -> dict:
    result = deliver()
    # Without a backend that can wait (the immediate one), the next run of the job retries.
    if (
        result["failed"]
        and attempt + 1 < MAX_EMAIL_ATTEMPTS
        and default_task_backend.supports_defer
    ):
        delay = datetime.timedelta(minutes=2**attempt)
        send_email.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1)
    return result
