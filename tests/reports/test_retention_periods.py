"""Retention periods are reference data: per kind, per outcome where set, edited in the
admin with every change logged, shown on the auditor's preview (reached from the menu)."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case, Kind, Note, State
from casework.models import AuditEntry
from reports import retention
from reports.models import RetentionPeriod
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db


def finished(office, caseworker, *, years_ago: float, outcome_state=State.WITHDRAWN):
    """A wage dispute finished `years_ago` years ago, withdrawn or declined."""
    case = wage_dispute(office, by=caseworker)
    Note.objects.create(case=case, body="老板的住址", author=caseworker)
    if outcome_state == State.WITHDRAWN:
        case = walk_to(case, State.ACCEPTED, caseworker)
        case = walk_to(case, outcome_state, caseworker, via=State.ACCEPTED)
    else:
        case = walk_to(case, outcome_state, caseworker)
    when = timezone.now() - datetime.timedelta(days=round(years_ago * 365.25))
    Case.objects.filter(pk=case.pk).update(finished_at=when)
    return Case.objects.get(pk=case.pk)


def due_numbers() -> set[str]:
    plans, _exports = retention.plan()
    return {item.case.number for item in plans if not item.hold}


def test_without_rows_the_defaults_hold(db):
    assert retention.retention_years(Kind.WAGE_DISPUTE) == 10
    assert retention.retention_years(Kind.HARDSHIP_AID) == 5
    assert retention.retention_years(Kind.MEDICAL_CARD) == 5
    assert retention.retention_years(Kind.WAGE_DISPUTE, "withdrawn") == 10


def test_a_kinds_period_set_by_the_administrator_decides_what_is_due(office, caseworker):
    case = finished(office, caseworker, years_ago=4)
    assert case.number not in due_numbers()

    RetentionPeriod.objects.create(kind=Kind.WAGE_DISPUTE, years=3)

    assert case.number in due_numbers()
    assert retention.apply()["anonymised"] == 1
    assert Note.objects.get(case=case).body == retention.REDACTED


def test_an_outcomes_period_applies_to_that_outcome_only(office, caseworker):
    withdrawn = finished(office, caseworker, years_ago=3)
    declined = finished(office, caseworker, years_ago=3, outcome_state=State.DECLINED)
    RetentionPeriod.objects.create(kind=Kind.WAGE_DISPUTE, outcome="withdrawn", years=2)

    assert due_numbers() == {withdrawn.number}
    # A longer period for an outcome keeps it past its kind's.
    RetentionPeriod.objects.create(kind=Kind.WAGE_DISPUTE, years=1)
    RetentionPeriod.objects.filter(outcome="withdrawn").update(years=20)
    assert due_numbers() == {declined.number}


def test_the_administrator_edits_a_period_in_the_admin_and_each_change_is_logged(
    login_as, admin_user
):
    client = login_as(admin_user)  # no role needed: retention periods are reference data

    added = client.post(
        "/admin/reports/retentionperiod/add/", {"kind": "HA", "outcome": "", "years": "3"}
    )
    period = RetentionPeriod.objects.get()
    changed = client.post(
        f"/admin/reports/retentionperiod/{period.pk}/change/",
        {"kind": "HA", "outcome": "", "years": "4"},
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    assert retention.retention_years(Kind.HARDSHIP_AID) == 4
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.SETTING_CHANGED, details__key="retention_period"
    ).order_by("pk")
    assert [e.details["changes"]["years"] for e in entries] == [
        {"from": None, "to": 3},
        {"from": 3, "to": 4},
    ]
    assert {e.actor_id for e in entries} == {admin_user.pk}
    assert RetentionPeriod.objects.get().changed_by == admin_user


def test_removing_a_period_is_logged_and_the_default_holds_again(login_as, admin_user):
    period = RetentionPeriod.objects.create(kind=Kind.MEDICAL_CARD, years=2)

    response = login_as(admin_user).post(
        f"/admin/reports/retentionperiod/{period.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert retention.retention_years(Kind.MEDICAL_CARD) == 5
    entry = AuditEntry.objects.get(details__key="retention_period")
    assert entry.details["removed"] is True
    assert entry.details["changes"]["years"] == {"from": 2, "to": None}


@pytest.mark.parametrize("years", ["0", "101", "x"])
def test_a_period_must_be_whole_years_between_1_and_100(login_as, admin_user, years):
    response = login_as(admin_user).post(
        "/admin/reports/retentionperiod/add/", {"kind": "WD", "outcome": "", "years": years}
    )

    assert response.status_code == 200  # the form again, with its error
    assert not RetentionPeriod.objects.exists()
    assert not AuditEntry.objects.filter(details__key="retention_period").exists()


def test_the_preview_shows_the_periods_in_force(login_as, auditor):
    RetentionPeriod.objects.create(kind=Kind.WAGE_DISPUTE, outcome="withdrawn", years=7)

    page = login_as(auditor).get("/audit/retention/").content.decode()

    periods = page[page.index('class="periods"') :]
    assert "Retention periods in force" in page
    assert "<td>Wage dispute</td><td>any other outcome</td><td>10</td>" in periods
    assert "<td>Wage dispute</td><td>withdrawn</td><td>7</td>" in periods
    assert "<td>Hardship aid</td><td>any other outcome</td><td>5</td>" in periods


def test_auditors_reach_the_preview_from_the_menu_and_caseworkers_do_not(
    login_as, auditor, caseworker
):
    link = 'href="/audit/retention/"'

    assert link in login_as(auditor).get("/audit/log/").content.decode()
    assert link not in login_as(caseworker).get("/cases/").content.decode()
    assert login_as(caseworker).get("/audit/retention/").status_code == 403


def test_a_role_less_administrator_gets_no_preview(login_as, admin_user):
    assert login_as(admin_user).get("/audit/retention/").status_code in (403, 404)
