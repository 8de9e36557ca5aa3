"""The job: once per reminder however often it runs, e-mail after commit and retried,
a moved clock re-arms, old notifications go, the daily run refreshes the clocks."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.tasks import default_task_backend
from django.utils import timezone

from cases.models import WageDispute
from reminders import jobs
from reminders import mail as reminder_mail
from reminders.models import Digest, Reminder, Threshold
from tests import factories

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


class SMTPDown:
    """A mail backend whose server does not answer."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server at 127.0.0.1:25 refused the connection")


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def due_tomorrow(office, caseworker) -> WageDispute:
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    WageDispute.objects.filter(pk=dispute.pk).update(mediation_deadline=timezone.localdate())
    return dispute


@pytest.mark.django_db
def test_two_runs_make_each_reminder_once_and_send_its_email_once(
    settings, office, caseworker, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    with_email(caseworker, "zhang.wei@example.cn")
    dispute = due_tomorrow(office, caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.run()
    with django_capture_on_commit_callbacks(execute=True):
        second = jobs.run()

    assert (first["created"], second["created"]) == (1, 0)
    reminder = Reminder.objects.get(case=dispute)
    assert (reminder.threshold, reminder.email_sent_at is not None) == (Threshold.NEXT_DAY, True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang.wei@example.cn"]
    assert dispute.number in mail.outbox[0].subject
    assert f"/notifications/{reminder.pk}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_email_is_written_in_the_recipients_language(
    settings, office, caseworker, caseworker2, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    with_email(caseworker, "zhang.wei@example.cn")
    english = with_email(caseworker2, "li.na@example.cn")
    english.language = "en"
    english.save(update_fields=["language"])
    due_tomorrow(office, caseworker)
    due_tomorrow(office, english)

    with django_capture_on_commit_callbacks(execute=True):
        jobs.run()

    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Open the case:" in by_address["li.na@example.cn"].body
    assert "打开案件" in by_address["zhang.wei@example.cn"].body


@pytest.mark.django_db
def test_smtp_down_loses_no_notification_and_the_email_is_retried(
    settings, office, caseworker, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.SMTPDown"}}
    with_email(caseworker, "zhang.wei@example.cn")
    dispute = due_tomorrow(office, caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        jobs.run()
    reminder_mail.send_email.call()  # what the worker runs; the server is down

    reminder = Reminder.objects.get(case=dispute)
    assert reminder.read_at is None and reminder.email_sent_at is None  # still notified
    assert reminder.email_attempts == 1
    assert "refused the connection" in reminder.email_error
    retries = [r for r in default_task_backend.results if r.args or r.kwargs]
    assert retries and retries[-1].kwargs == {"attempt": 1}
    assert retries[-1].task.run_after > timezone.now()  # later, not at once

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    reminder_mail.send_email.call(attempt=1)  # the retry, the server back

    reminder.refresh_from_db()
    assert reminder.email_sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_clock_that_moves_reminds_again(office, caseworker):
    dispute = due_tomorrow(office, caseworker)
    jobs.run()
    WageDispute.objects.filter(pk=dispute.pk).update(
        mediation_deadline=timezone.localdate() + datetime.timedelta(days=1)
    )
    jobs.run()
    jobs.run()
    assert sorted(Reminder.objects.filter(case=dispute).values_list("due_on", flat=True)) == [
        timezone.localdate(),
        timezone.localdate() + datetime.timedelta(days=1),
    ]


@pytest.mark.django_db
def test_the_daily_run_purges_notifications_older_than_90_days(office, caseworker):
    dispute = due_tomorrow(office, caseworker)
    jobs.run()
    old = Reminder.objects.get(case=dispute)
    Reminder.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=91)
    )
    kept = Reminder.objects.create(
        clock="mediation",
        case=dispute,
        threshold=Threshold.UPCOMING,
        due_on=timezone.localdate(),
        recipient=caseworker,
    )
    Reminder.objects.filter(pk=kept.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=89)
    )

    result = jobs.run(daily=True)

    assert result["purged"] == 1
    assert Reminder.objects.filter(pk=kept.pk).exists()
    assert not Reminder.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_the_daily_run_refreshes_the_stored_due_date_of_open_cases(office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    right = WageDispute.objects.get(pk=dispute.pk).due_on
    WageDispute.objects.filter(pk=dispute.pk).update(due_on=right - datetime.timedelta(days=40))

    jobs.run(daily=True)

    assert WageDispute.objects.get(pk=dispute.pk).due_on == right


@pytest.mark.django_db
def test_the_morning_digest_is_sent_once_a_day(
    settings, office, caseworker, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    with_email(caseworker, "zhang.wei@example.cn")
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    # Received 10 days ago: the 15-day mediation period (recomputed daily) ends within a week.
    received = timezone.now() - datetime.timedelta(days=10)
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted", received_at=received)

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            jobs.run(daily=True)

    digests = [m for m in mail.outbox if m.subject.startswith("What falls due")]
    assert len(digests) == 1
    assert dispute.number in digests[0].body
    assert Digest.objects.get(recipient=caseworker).sent_at is not None


# --- two runs at once, on PostgreSQL -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_and_send_each_reminder_once(
    settings, office, caseworker, supervisor
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections inserting and locking the same rows")
    settings.TASKS = DUMMY_TASKS  # the e-mail is sent below, by two workers at once
    with_email(caseworker, "zhang.wei@example.cn")
    with_email(supervisor, "liu.yang@example.cn")
    disputes = [due_tomorrow(office, caseworker) for _ in range(5)]
    for dispute in disputes[:2]:  # overdue long enough to escalate
        WageDispute.objects.filter(pk=dispute.pk).update(
            mediation_deadline=timezone.localdate() - datetime.timedelta(days=10)
        )
    start, errors = threading.Barrier(2), []

    def twice(work):
        def one():
            try:
                start.wait()
                work()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    twice(jobs.run)
    twice(reminder_mail.deliver)

    assert errors == []
    # 3 due tomorrow (one each), 2 overdue (overdue + escalated to the supervisor).
    assert Reminder.objects.count() == 3 + 2 * 2
    wanted = Reminder.objects.filter(email_wanted=True)
    assert wanted.count() == 3 + 2  # next day to the caseworker, escalation to the supervisor
    assert not wanted.filter(email_sent_at__isnull=True).exists()
    assert len(mail.outbox) == 5
