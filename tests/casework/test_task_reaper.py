"""The reaper takes back tasks whose worker died: put back to be claimed again, or
failed with the reason once claimed TASK_MAX_CLAIMS times.

The last test kills a real worker process with SIGKILL in the middle of a task,
reaps, starts another worker, and sees the task take effect once. It runs on the
suite's database when that is PostgreSQL (the worker shares the test database) and
on a file database of its own on SQLite (the in-memory test database is not shared
between processes).
"""

import contextvars
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.tasks.signals import task_finished, task_started
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from casework import task_reaper
from casework.models import TaskHeartbeat

pytestmark = pytest.mark.django_db

TASK = "tests.casework.reaper_tasks.slow_effect"


def running(*, claims: int = 1, ran: timedelta, worker: str = "w-1") -> DBTaskResult:
    """A task row as a worker leaves it while running (or when it died running)."""
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": ["/dev/null", 0], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        queue_name="default",
        run_after=timezone.now() - ran,
        started_at=timezone.now() - ran,
        worker_ids=[f"w-{n}" for n in range(1, claims)] + [worker],
    )


def test_a_task_running_past_the_limit_is_put_back_to_be_claimed_again(settings, caplog):
    settings.TASK_RUNNING_LIMIT_SECONDS = 600
    stuck = running(ran=timedelta(minutes=11))

    with caplog.at_level(logging.WARNING, logger="casework.task_reaper"):
        reaped = task_reaper.reap()

    stuck.refresh_from_db()
    assert reaped.requeued == [str(stuck.pk)] and reaped.failed == []
    assert stuck.status == "READY"
    assert DBTaskResult.objects.ready().get() == stuck  # the next worker claims it
    assert f"Task {stuck.pk} ({TASK}) put back to be claimed again" in caplog.text
    assert (
        "Claimed 1 time(s) (limit 3); no sign of life for 11 min, past the limit of 600 s"
        in caplog.text
    )


def test_a_task_running_within_the_limit_is_left_alone(settings):
    settings.TASK_RUNNING_LIMIT_SECONDS = 600
    busy = running(ran=timedelta(minutes=9))

    assert task_reaper.reap() == task_reaper.Reaped()
    busy.refresh_from_db()
    assert busy.status == "RUNNING"


def test_a_long_task_that_shows_signs_of_life_keeps_its_claim(settings):
    settings.TASK_RUNNING_LIMIT_SECONDS = 600
    long = running(ran=timedelta(hours=2))
    TaskHeartbeat.objects.create(task_id=long.pk, beat_at=timezone.now() - timedelta(minutes=1))

    assert task_reaper.reap() == task_reaper.Reaped()
    assert DBTaskResult.objects.get(pk=long.pk).status == "RUNNING"


def test_a_task_silent_past_the_limit_since_its_last_sign_of_life_is_put_back(settings, caplog):
    settings.TASK_RUNNING_LIMIT_SECONDS = 600
    silent = running(ran=timedelta(hours=2))
    ago_20 = timezone.now() - timedelta(minutes=20)
    TaskHeartbeat.objects.create(task_id=silent.pk, beat_at=ago_20)

    with caplog.at_level(logging.WARNING, logger="casework.task_reaper"):
        assert task_reaper.reap().requeued == [str(silent.pk)]

    assert "no sign of life for 20 min" in caplog.text
    assert not TaskHeartbeat.objects.exists()


def test_a_running_task_beats_at_most_every_30_seconds_and_stops_when_finished(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(task_reaper.time, "monotonic", lambda: clock[0])
    result = SimpleNamespace(
        id=str(uuid.uuid4()), task=SimpleNamespace(module_path=TASK), status="RUNNING"
    )
    task_reaper.beat()  # outside a task: nothing
    assert not TaskHeartbeat.objects.exists()

    context = contextvars.copy_context()  # as the worker: one task in its own context

    def run():
        task_started.send(sender=None, task_result=result)
        clock[0] += 29
        task_reaper.beat()
        assert not TaskHeartbeat.objects.exists()
        clock[0] += 2
        task_reaper.beat()
        first = TaskHeartbeat.objects.get().beat_at
        clock[0] += 10
        task_reaper.beat()
        assert TaskHeartbeat.objects.get().beat_at == first
        task_finished.send(sender=None, task_result=result)

    context.run(run)

    assert not TaskHeartbeat.objects.exists()


def test_a_task_whose_worker_is_known_gone_is_taken_back_at_once():
    orphan = running(ran=timedelta(seconds=5), worker="demo-worker")
    other = running(ran=timedelta(seconds=5), worker="host-2")

    reaped = task_reaper.reap(dead_workers=["demo-worker"])

    assert reaped.requeued == [str(orphan.pk)]
    assert DBTaskResult.objects.get(pk=orphan.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=other.pk).status == "RUNNING"


def test_a_task_claimed_the_most_times_is_failed_with_the_reason_and_logged(settings, caplog):
    settings.TASK_MAX_CLAIMS = 3
    twice = running(claims=2, ran=timedelta(hours=1))
    thrice = running(claims=3, ran=timedelta(hours=1))

    with caplog.at_level(logging.ERROR, logger="casework.task_reaper"):
        reaped = task_reaper.reap()

    assert reaped.requeued == [str(twice.pk)]
    assert reaped.failed == [str(thrice.pk)]
    thrice.refresh_from_db()
    assert thrice.status == "FAILED"
    assert thrice.finished_at is not None
    assert thrice.exception_class_path == "casework.task_reaper.WorkerLost"
    assert thrice.traceback.startswith(
        "Given up: Claimed 3 time(s) (limit 3); no sign of life for 60 min"
    )
    assert f"Task {thrice.pk} ({TASK}) failed: Given up" in caplog.text
    # What the tasks framework reports for it: failed, with that reason.
    result = thrice.task_result
    assert result.status == "FAILED"
    assert result.errors[0].traceback == thrice.traceback


def test_the_app_of_a_task_given_up_is_told_why(settings, monkeypatch):
    settings.TASK_MAX_CLAIMS = 1
    told = []
    monkeypatch.setitem(task_reaper.GIVEN_UP, TASK, lambda row, reason: told.append((row, reason)))
    lost = running(claims=1, ran=timedelta(seconds=1), worker="demo-worker")

    task_reaper.reap(dead_workers=["demo-worker"])

    assert [(row.pk, reason) for row, reason in told] == [
        (lost.pk, "Given up: Claimed 1 time(s) (limit 1); its worker demo-worker is gone.")
    ]


def test_reap_tasks_says_what_it_did(settings):
    settings.TASK_MAX_CLAIMS = 2
    running(claims=1, ran=timedelta(days=1))
    running(claims=2, ran=timedelta(days=1))
    running(claims=1, ran=timedelta(seconds=1), worker="x")
    out = io.StringIO()

    with translation.override("en"):
        call_command("reap_tasks", "--worker-id", "x", stdout=out)

    assert out.getvalue().strip() == (
        "Tasks put back to be claimed again: 2; given up as failed: 1."
    )


# --- a real worker, killed ---------------------------------------------------------


def _child_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }


def _python(env: dict, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _manage(env: dict, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, **popen
    )


@pytest.fixture
def worker_database(request, tmp_path) -> str:
    """A database a worker process can share with this test, as a DATABASE_URL."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    _python(
        _child_env(url),
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)",
    )
    return url


STATUS = """
from django_tasks_db.models import DBTaskResult
import json
row = DBTaskResult.objects.get(pk={pk!r})
print(json.dumps({{"status": row.status, "workers": row.worker_ids}}))
"""


def _status(env: dict, pk: str) -> dict:
    return json.loads(_python(env, STATUS.format(pk=pk)).splitlines()[-1])


def _wait_for(path, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_a_task_whose_worker_is_killed_is_reclaimed_and_takes_effect_once(
    worker_database, tmp_path
):
    env = _child_env(worker_database)
    marker = tmp_path / "effects.txt"
    pk = _python(
        env,
        f"from {TASK.rsplit('.', 1)[0]} import slow_effect\n"
        f"print(slow_effect.enqueue({str(marker)!r}, 2).id)",
    ).split()[-1]
    worker_args = ["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1"]

    first = _manage(env, *worker_args, "--worker-id", "first", stdout=subprocess.DEVNULL)
    try:
        _wait_for(marker, "started")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert _status(env, pk) == {"status": "RUNNING", "workers": ["first"]}  # and would stay so

    reaper = _manage(env, "reap_tasks", "--worker-id", "first", stdout=subprocess.DEVNULL)
    assert reaper.wait(timeout=60) == 0
    assert _status(env, pk)["status"] == "READY"

    second = _manage(env, *worker_args, "--batch", "--worker-id", "second")
    assert second.wait(timeout=120) == 0

    assert _status(env, pk) == {"status": "SUCCESSFUL", "workers": ["first", "second"]}
    assert marker.read_text().split() == ["started", "started", "done"]
