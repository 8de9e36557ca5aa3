"""Office limits (reference data with defaults) and the run_reminders command."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import WageDispute
from reminders.models import DEFAULT_LIMITS, Limits, OfficeLimits, Reminder, limits_by_office
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_office_without_limits_takes_its_parents_or_the_defaults(city, office, other_office):
    OfficeLimits.objects.create(office=office, take_within_hours=8, approve_within_days=2)
    below = factories.OfficeFactory(name="东城办事处", parent=office)

    limits = limits_by_office()

    assert limits[office.pk] == Limits(8, 2, 3)
    assert limits[below.pk] == Limits(8, 2, 3)  # from the office above it
    assert limits[other_office.pk] == DEFAULT_LIMITS == limits[city.pk]


def test_an_administrator_changes_an_offices_limits_in_the_admin(client, admin_user, office):
    client.force_login(admin_user)
    response = client.post(
        "/admin/reminders/officelimits/add/",
        {
            "office": office.pk,
            "take_within_hours": "12",
            "approve_within_days": "5",
            "escalate_after_days": "2",
        },
    )
    assert response.status_code == 302
    assert limits_by_office()[office.pk] == Limits(12, 5, 2)
    from casework.models import AuditEntry

    entry = AuditEntry.objects.get(action="setting_changed", details__key="office_limits")
    assert entry.details["changes"]["take_within_hours"] == {"from": None, "to": 12}


def test_the_command_runs_the_job_and_says_what_it_did(office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted")
    WageDispute.objects.filter(pk=dispute.pk).update(
        mediation_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    out = StringIO()

    call_command("run_reminders", stdout=out)

    assert "1 new reminders" in out.getvalue()
    assert Reminder.objects.get(case=dispute).recipient == caseworker


def test_the_command_can_hand_the_run_to_the_task_worker(settings, office, caseworker):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    out = StringIO()
    call_command("run_reminders", "--enqueue", "--daily", stdout=out)

    assert "Enqueued the reminder job" in out.getvalue()
    (queued,) = default_task_backend.results
    assert (queued.task.name, queued.kwargs) == ("run_reminders", {"daily": True})
