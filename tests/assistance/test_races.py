"""Two people acting at the same moment on one worker's aid: the rules still hold.

Real threads, each with its own database connection, released together by a
barrier, against PostgreSQL row locks and the partial unique constraint
"one open application per worker". SQLite's in-memory test database cannot
show a race (tests/cases/test_races.py explains), so these are skipped there.

These tests are transactional: the database is flushed after each, the role
groups come back through the post_migrate hook, and the reference data rows
are gone (casework.reference falls back to its defaults; the 低保 line is made
here).
"""

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from assistance import services
from assistance.models import AidApplication, Approval
from cases.models import CaseCounter, Kind, State
from casework.models import AuditEntry, DibaoLine
from tests import factories
from tests.assistance import steps

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races threads against PostgreSQL row locks and constraints; SQLite's "
        "in-memory test database answers 'table is locked' instead",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(**jobs: Callable[[], object]) -> dict[str, dict]:
    """Run each job in its own thread and connection, all released at the same moment.

    Returns, per job, {"ok": True, "result": …} or {"ok": False, "error": the exception}.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, dict] = {name: {} for name in jobs}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                outcomes[name].update(ok=True, result=job())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            outcomes[name].update(ok=False, error=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return outcomes


def one_winner(outcomes: dict[str, dict]) -> tuple[dict, dict]:
    winners = [outcome for outcome in outcomes.values() if outcome["ok"]]
    losers = [outcome for outcome in outcomes.values() if not outcome["ok"]]
    assert len(winners) == 1, outcomes
    return winners[0], losers[0]


@pytest.fixture
def team():
    office = factories.OfficeFactory(name="曾都区总工会", parent=None)
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    colleague = factories.caseworker(office, username="li.na", full_name="李娜")
    worker = factories.WorkerFactory(office=office, created_by=caseworker)
    # Fill the cached roles here rather than concurrently in the racing threads.
    for user in (caseworker, colleague):
        user.role_names, user.supervised_office_ids  # noqa: B018
    return office, caseworker, colleague, worker


def open_for(office, by, worker):
    return lambda: services.open_aid_application(
        by=by, office=office, worker=worker, circumstances="配偶重病住院，申请临时帮扶。"
    )


def assert_one_application_and_a_clear_refusal(outcomes, worker):
    winner, loser = one_winner(outcomes)
    application = AidApplication.objects.get(applicant=worker)
    assert winner["result"].pk == application.pk
    error = loser["error"]
    assert isinstance(error, ValidationError), repr(error)
    assert error.code == "open_application"
    assert f'<a href="/cases/{application.number}/">{application.number}</a>' in error.messages[0]
    # The refused opening left no number used and no trace in the audit log.
    assert CaseCounter.objects.get(kind=Kind.HARDSHIP_AID).last == 1
    assert application.number.endswith("-000001")
    assert AuditEntry.objects.filter(action="case_opened").count() == 1
    assert application.case_workers.count() == 1


@pytest.fixture
def locks_held_longer(monkeypatch):
    """Sleep after every audit entry of the aid services, i.e. inside the transaction
    and before its commit, so that the other thread surely arrives while the first
    holds its locks (and would find no open application if nothing locked)."""
    record = services.record

    def slow_record(*args, **kwargs):
        entry = record(*args, **kwargs)
        time.sleep(0.2)
        return entry

    monkeypatch.setattr(services, "record", slow_record)


def test_of_two_simultaneous_aid_applications_for_one_worker_exactly_one_is_opened(
    team, locks_held_longer
):
    office, caseworker, colleague, worker = team

    outcomes = race(
        first=open_for(office, caseworker, worker), second=open_for(office, colleague, worker)
    )

    assert_one_application_and_a_clear_refusal(outcomes, worker)


def test_without_the_worker_lock_the_database_constraint_still_keeps_one_open_application(
    team, monkeypatch
):
    """Both openings pass the service's own check before either commits; the partial
    unique constraint refuses the second insert and the service turns that into the
    same clear refusal."""
    office, caseworker, colleague, worker = team

    class Unlocked:
        """`Worker` as the service sees it, with select_for_update() taking no lock."""

        class objects:  # noqa: N801 - mimics the manager attribute
            @staticmethod
            def select_for_update():
                return type(worker).objects.all()

    check = services._refuse_second_open
    checked = threading.Barrier(2)
    checks = []

    def check_then_wait(kind, who):
        checks.append(kind)
        check(kind, who)
        # Only once both have found no open application do they go on to insert.
        checked.wait(timeout=5)

    monkeypatch.setattr(services, "Worker", Unlocked)
    monkeypatch.setattr(services, "_refuse_second_open", check_then_wait)

    outcomes = race(
        first=open_for(office, caseworker, worker), second=open_for(office, colleague, worker)
    )

    assert_one_application_and_a_clear_refusal(outcomes, worker)
    # Both passed the check before inserting; the loser's IntegrityError was then
    # turned into the refusal by checking once more.
    assert (len(checks), checked.broken) == (3, False)


def test_two_supervisors_approving_at_once_both_count_and_the_application_is_approved_once(
    locks_held_longer,
):
    office = factories.OfficeFactory(name="曾都区总工会", parent=None)
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    caseworker = factories.caseworker(office, username="zhang.wei")
    first = factories.supervisor(office, username="liu.yang")
    second = factories.supervisor(office, username="zhou.jie")
    for user in (first, second):
        user.role_names, user.supervised_office_ids  # noqa: B018
    application = steps.aid_at(
        State.RECOMMENDED, office=office, by=caseworker, amount=Decimal("6000.00")
    )

    outcomes = race(
        **{
            user.username: (lambda user=user: services.approve_aid(case=application, by=user))
            for user in (first, second)
        }
    )

    assert all(outcome["ok"] for outcome in outcomes.values()), outcomes
    stored = AidApplication.objects.get(pk=application.pk)
    assert stored.state == State.APPROVED
    assert sorted(Approval.objects.values_list("approver__username", flat=True)) == [
        "liu.yang",
        "zhou.jie",
    ]
    entries = AuditEntry.objects.filter(case_id=stored.pk, target_state=State.APPROVED)
    assert entries.filter(action="transition").count() == 1


def test_a_double_click_on_approve_records_one_approval(locks_held_longer):
    office = factories.OfficeFactory(name="曾都区总工会", parent=None)
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    caseworker = factories.caseworker(office, username="zhang.wei")
    supervisor = factories.supervisor(office, username="liu.yang")
    supervisor.role_names, supervisor.supervised_office_ids  # noqa: B018
    application = steps.aid_at(
        State.RECOMMENDED, office=office, by=caseworker, amount=Decimal("6000.00")
    )
    outcomes = race(
        click=lambda: services.approve_aid(case=application, by=supervisor),
        again=lambda: services.approve_aid(case=application, by=supervisor),
    )

    one_winner(outcomes)
    assert Approval.objects.filter(application_id=application.pk).count() == 1
    assert AidApplication.objects.get(pk=application.pk).state == State.RECOMMENDED


def test_the_same_card_number_given_to_two_applications_at_once_is_refused_clearly(
    team, locks_held_longer
):
    office, caseworker, colleague, worker = team
    supervisor = factories.supervisor(office, username="liu.yang")
    applications = [
        steps.card_at(
            State.APPROVED,
            office=office,
            by=by,
            worker=steps.member_worker(office, by),
            approver=supervisor,
        )
        for by in (caseworker, colleague)
    ]

    outcomes = race(
        **{
            f"issue {n}": (
                lambda case=case: services.issue_card(
                    case=case, by=case.assignee, card_number="HGK-421300-000001"
                )
            )
            for n, case in enumerate(applications)
        }
    )

    _winner, loser = one_winner(outcomes)
    assert isinstance(loser["error"], ValidationError), repr(loser["error"])
    assert loser["error"].code == "card_number"
