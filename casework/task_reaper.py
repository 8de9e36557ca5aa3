"""Takes back background jobs whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it (appending the
worker's id to `worker_ids`) and finished when the worker is done; it has no
heartbeat of its own (ours is `TaskHeartbeat`, below). A worker killed mid-task
(`kill -9`, a power cut, an OOM kill) leaves the row RUNNING for ever and no
other worker will take it. `reap()`
finds such rows and puts each back to READY, so the next free worker claims it
again — or, once it has been claimed TASK_MAX_CLAIMS times (it keeps killing
its worker, or keeps being cut off), marks it FAILED with the reason, logged.

A task counts as abandoned when

- it has shown no sign of life for TASK_RUNNING_LIMIT_SECONDS (its worker died,
  on this host or another, or hangs): no sign since it was claimed, or since its
  last `beat()` — a long task that reports progress (an export calls `beat()`
  after every case) keeps its claim however long it runs; or
- its last claim is by a worker id the caller knows is not running: a worker
  about to start under a fixed id (`reap_tasks --worker-id X` before
  `db_worker --worker-id X`, as bin/demo and the systemd unit in README.md do)
  knows that whatever X was running is orphaned, and takes it back at once
  instead of after the time limit.

Tasks must therefore be safe to run again (`reports.exports.run_job` is: a
second run of a finished job does nothing, and only the latest attempt may
publish its file). A task put back while its worker is in fact alive (silent
longer than the limit) may run twice at once: a long task should `beat()`, and
one that cannot should finish well within the limit.

Higher layers say what a task given up means for their own rows through
`on_given_up` (the export page shows its job failed, for instance).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TaskHeartbeat

logger = logging.getLogger(__name__)

# What a task given up records as its exception (no such exception is raised).
GIVEN_UP_CLASS_PATH = "casework.task_reaper.WorkerLost"

# task path ("reports.exports.build_export_job") -> handler(task row, reason)
GIVEN_UP: dict[str, Callable[[DBTaskResult, str], None]] = {}


# A task's sign of life is written at most this often.
BEAT_EVERY_SECONDS = 30
# The task this worker process is running (set by the tasks framework's task_started).
_running: ContextVar[tuple[str, float] | None] = ContextVar("running_task", default=None)


def task_started(sender, task_result, **kwargs) -> None:
    _running.set((str(task_result.id), time.monotonic()))


def task_finished(sender, task_result, **kwargs) -> None:
    _running.set(None)
    TaskHeartbeat.objects.filter(task_id=str(task_result.id)).delete()


def beat() -> None:
    """The running task is alive (at most one write per BEAT_EVERY_SECONDS). Does
    nothing outside a worker's task (a test, a management command)."""
    running = _running.get()
    if running is None:
        return
    task_id, last = running
    if time.monotonic() - last < BEAT_EVERY_SECONDS:
        return
    TaskHeartbeat.objects.update_or_create(task_id=task_id, defaults={"beat_at": timezone.now()})
    _running.set((task_id, time.monotonic()))


class WorkerLost(Exception):
    """The reason a task given up by the reaper shows (see GIVEN_UP_CLASS_PATH)."""


def on_given_up(task_path: str, handler: Callable[[DBTaskResult, str], None]) -> None:
    """Call `handler(task row, reason)` when a task of `task_path` is given up, in the
    transaction that marks it FAILED (from an app's `AppConfig.ready()`)."""
    GIVEN_UP[task_path] = handler


@dataclass
class Reaped:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _abandoned(now: datetime, dead_workers: set[str]) -> list[DBTaskResult]:
    cutoff = now - timedelta(seconds=settings.TASK_RUNNING_LIMIT_SECONDS)
    running = DBTaskResult.objects.running().order_by("started_at")
    # Few rows are RUNNING at a time (one a worker): the worker ids are compared here
    # rather than in JSON SQL that differs between SQLite and PostgreSQL.
    rows = running.select_for_update(skip_locked=True) if dead_workers else running.none()
    found = {row.pk: row for row in rows if row.worker_ids and row.worker_ids[-1] in dead_workers}
    silent = list(running.filter(started_at__lt=cutoff).select_for_update(skip_locked=True))
    alive = set(
        TaskHeartbeat.objects.filter(
            task_id__in=[str(row.pk) for row in silent], beat_at__gte=cutoff
        ).values_list("task_id", flat=True)
    )
    for row in silent:
        if str(row.pk) not in alive:
            found.setdefault(row.pk, row)
    return list(found.values())


def _reason(row: DBTaskResult, now: datetime, dead_workers: set[str]) -> str:
    claims = len(row.worker_ids)
    worker = row.worker_ids[-1] if row.worker_ids else "?"
    seen = row.started_at
    beat_at = TaskHeartbeat.objects.filter(task_id=str(row.pk)).values_list("beat_at", flat=True)
    if beat_at and seen and beat_at[0] > seen:
        seen = beat_at[0]
    minutes = (now - seen).total_seconds() / 60 if seen else 0
    why = (
        f"its worker {worker} is gone"
        if worker in dead_workers
        else f"no sign of life for {minutes:.0f} min, past the limit of "
        f"{settings.TASK_RUNNING_LIMIT_SECONDS} s (worker {worker} died or hangs)"
    )
    return f"Claimed {claims} time(s) (limit {settings.TASK_MAX_CLAIMS}); {why}."


def reap(*, now: datetime | None = None, dead_workers: Iterable[str] = ()) -> Reaped:
    """Put abandoned RUNNING tasks back to READY, or fail those claimed too often."""
    now = now or timezone.now()
    dead = set(dead_workers)
    reaped = Reaped()
    with transaction.atomic():
        for row in _abandoned(now, dead):
            reason = _reason(row, now, dead)
            # Only if the row is still as read: a worker that finished it meanwhile wins.
            same = DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            )
            TaskHeartbeat.objects.filter(task_id=str(row.pk)).delete()
            if len(row.worker_ids) < settings.TASK_MAX_CLAIMS:
                if same.update(status=TaskResultStatus.READY):
                    reaped.requeued.append(str(row.pk))
                    logger.warning(
                        "Task %s (%s) put back to be claimed again: %s",
                        row.pk,
                        row.task_path,
                        reason,
                    )
                continue
            message = f"Given up: {reason}"
            if not same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=GIVEN_UP_CLASS_PATH,
                traceback=message,
                return_value=None,
            ):
                continue
            reaped.failed.append(str(row.pk))
            logger.error("Task %s (%s) failed: %s", row.pk, row.task_path, message)
            handler = GIVEN_UP.get(row.task_path)
            if handler is not None:
                handler(row, message)
    return reaped
