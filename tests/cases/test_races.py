"""Two people acting on the same case at the same moment: one wins, the other is told why.

On PostgreSQL the races run in real threads, each with its own connection,
against row locks. SQLite holds the same races with immediate transactions and
a busy timeout, which pytest-django's in-memory test database cannot show (it
answers "table is locked"): the SQLite test runs the very same scenarios in a
fresh process on a file database with the project's default settings.

The scenarios below build their own data on purpose: they must also run in
that process, where no pytest fixture exists.
"""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from cases import services
from cases.models import CaseCounter, State, WageDispute, Worker
from casework.models import AuditEntry, Office, User

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races threads against PostgreSQL row locks; on SQLite the file-database "
    "race test below covers the same scenarios",
)

# Who is who in every scenario: username -> full name (the name a loser is shown).
FULL_NAMES = {"zhang.wei": "张伟", "li.qiang": "李强", "wang.fang": "王芳"}


@dataclass
class Team:
    office: Office
    supervisor: User
    caseworker: User
    colleague: User
    worker: Worker


def make_user(username: str, office: Office, role: str) -> User:
    user = User.objects.create_user(
        username=username, full_name=FULL_NAMES[username], office=office
    )
    # get_or_create: a transactional test's flush also removes the groups that
    # the roles migration made.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    user = User.objects.get(pk=user.pk)  # role_names is a cached_property
    # Fill the caches here rather than concurrently in the racing threads.
    user.role_names, user.supervised_office_ids  # noqa: B018
    return user


def make_team() -> Team:
    office = Office.objects.create(name="曾都区总工会")
    caseworker = make_user("li.qiang", office, "caseworker")
    return Team(
        office=office,
        supervisor=make_user("zhang.wei", office, "supervisor"),
        caseworker=caseworker,
        colleague=make_user("wang.fang", office, "caseworker"),
        worker=services.register_worker(
            by=caseworker, office=office, name="刘洋", occupation="rider"
        ),
    )


def open_case(team: Team) -> WageDispute:
    return services.open_wage_dispute(
        by=team.caseworker,
        office=team.office,
        claims=[(team.worker, Decimal("3200.00"))],
        matters="拖欠2024年5月至7月的配送工资",
        reasons="站点以超时为由扣发全部工资",
        received_at=timezone.now(),
        channel="hotline",
        relationship="labour",
    )


def message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def race(**jobs: Callable[[], object]) -> dict[str, dict]:
    """Run each job in its own thread and connection, all released at the same moment.

    Returns, per job, {"ok": True, "result": str(result)} or
    {"ok": False, "error": exception class name, "message": what the user reads}.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, dict] = {name: {} for name in jobs}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                outcomes[name].update(ok=True, result=str(job()))
        except Exception as exc:
            outcomes[name].update(ok=False, error=type(exc).__name__, message=message_of(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return outcomes


@contextmanager
def locks_held_longer(seconds: float = 0.2) -> Iterator[None]:
    """Sleep after every audit entry, i.e. inside the transaction and before its
    commit, so that the other thread surely arrives while the lock is held (and
    would read the old state if nothing locked it)."""
    record = services.record

    def slow_record(*args, **kwargs):
        entry = record(*args, **kwargs)
        time.sleep(seconds)
        return entry

    original, services.record = services.record, slow_record
    try:
        yield
    finally:
        services.record = original


# --- the scenarios (run in this process on PostgreSQL, in a child on SQLite) -----


def transition_race(team: Team) -> dict:
    """The supervisor declines while the assigned caseworker accepts, both
    from the page they saw in intake."""
    case = open_case(team)
    services.take_case(case=case, by=team.caseworker)
    with locks_held_longer():
        outcomes = race(
            decline=lambda: services.run_transition(
                case=case,
                name="decline",
                by=team.supervisor,
                expected_state=State.INTAKE,
                reason="不属于本会受理范围",
            ),
            accept=lambda: services.run_transition(
                case=case, name="accept", by=team.caseworker, expected_state=State.INTAKE
            ),
        )
    case = WageDispute.objects.get(pk=case.pk)  # protected state: no refresh_from_db()
    transitions = AuditEntry.objects.filter(
        case_id=case.pk, action=AuditEntry.Action.TRANSITION
    ).values_list("actor__username", "target_state")
    return {
        "outcomes": outcomes,
        "state": case.state,
        "transitions": [list(transition) for transition in transitions],
    }


def take_race(team: Team) -> dict:
    """Two caseworkers take the same case from the intake queue."""
    case = open_case(team)
    with locks_held_longer():
        outcomes = race(
            **{
                user.username: (lambda user=user: services.take_case(case=case, by=user))
                for user in (team.caseworker, team.colleague)
            }
        )
    case = WageDispute.objects.get(pk=case.pk)  # protected state: no refresh_from_db()
    assignments = AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.ASSIGNED)
    return {
        "outcomes": outcomes,
        "assignee": case.assignee.username if case.assignee else None,
        "assignments": list(assignments.values_list("actor__username", flat=True)),
    }


class OpeningFailed(Exception):
    pass


def number_race(team: Team, openings: int = 8) -> dict:
    """`openings` cases opened at once, then one opening that rolls back, then one more."""
    with locks_held_longer(0.05):
        outcomes = race(**{f"opening {n}": lambda: open_case(team) for n in range(openings)})
    try:
        with transaction.atomic():
            open_case(team)
            raise OpeningFailed
    except OpeningFailed:
        pass
    after_rollback = str(open_case(team))
    return {
        "outcomes": outcomes,
        "after_rollback": after_rollback,
        "numbers": sorted(WageDispute.objects.values_list("number", flat=True)),
        "counter": CaseCounter.objects.get().last,
    }


def sqlite_race_report() -> dict:
    """Everything the SQLite test checks, run in the child process."""
    team = make_team()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (journal_mode,) = cursor.fetchone()
    return {
        "options": connection.settings_dict["OPTIONS"],
        "journal_mode": journal_mode,
        # First, while the counter is still fresh: the numbers start at 1.
        "number_race": number_race(team),
        "transition_races": [transition_race(team) for _ in range(3)],
        "take_race": take_race(team),
    }


# --- what must hold -------------------------------------------------------------


def the_one_winner(outcomes: dict[str, dict]) -> tuple[str, str]:
    winners = [name for name, outcome in outcomes.items() if outcome["ok"]]
    assert len(winners) == 1, outcomes
    (loser,) = set(outcomes) - set(winners)
    return winners[0], loser


def assert_one_transition_won(report: dict) -> None:
    winner, loser = the_one_winner(report["outcomes"])
    state, actor = {"decline": ("declined", "zhang.wei"), "accept": ("accepted", "li.qiang")}[
        winner
    ]
    assert report["outcomes"][loser] == {
        "ok": False,
        "error": "CaseChanged",
        "message": f"This case changed while you were working on it: it is now “{state}” "
        "(you saw “intake”). Nothing was saved; here is the case as it is now.",
    }
    assert report["state"] == state
    assert report["transitions"] == [[actor, state]]


def assert_one_take_won(report: dict) -> None:
    winner, loser = the_one_winner(report["outcomes"])
    assert report["outcomes"][loser] == {
        "ok": False,
        "error": "ValidationError",
        "message": f"{FULL_NAMES[winner]} has already taken this case.",
    }
    assert report["assignee"] == winner
    assert report["assignments"] == [winner]


def assert_numbers_gapless(report: dict, openings: int = 8) -> None:
    outcomes = report["outcomes"]
    assert all(outcome["ok"] for outcome in outcomes.values()), outcomes
    year = timezone.localdate().year
    expected = [f"WD-{year}-{n:06d}" for n in range(1, openings + 1)]
    assert sorted(outcome["result"] for outcome in outcomes.values()) == expected
    # The rolled-back opening gave its number back.
    assert report["after_rollback"] == f"WD-{year}-{openings + 1:06d}"
    assert report["numbers"] == [*expected, report["after_rollback"]]
    assert report["counter"] == openings + 1


# --- PostgreSQL -------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_of_two_conflicting_transitions_at_once_one_wins_and_the_other_is_told_why():
    team = make_team()
    for _ in range(5):
        assert_one_transition_won(transition_race(team))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_of_two_caseworkers_taking_a_case_at_once_the_other_is_told_who_took_it():
    assert_one_take_won(take_race(make_team()))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_cases_opened_at_the_same_moment_get_gapless_numbers_even_after_a_rollback():
    assert_numbers_gapless(number_race(make_team()))


# --- SQLite -------------------------------------------------------------------------

CHILD = """
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.cases.test_races import sqlite_race_report
print(json.dumps(sqlite_race_report()))
"""


def test_sqlite_holds_the_same_races_on_a_file_database_without_database_is_locked(tmp_path):
    # Runs whatever database the suite uses: the child has its own.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert "database is locked" not in child.stdout + child.stderr
    report = json.loads(child.stdout.splitlines()[-1])

    # The project's default SQLite settings, not ones made up for the test.
    assert report["options"]["transaction_mode"] == "IMMEDIATE"
    assert report["options"]["timeout"] == 20
    assert report["journal_mode"] == "wal"

    assert_numbers_gapless(report["number_race"])
    for transition in report["transition_races"]:
        assert_one_transition_won(transition)
    assert_one_take_won(report["take_race"])
