"""The readiness check and the page a lost database connection gives.

/healthz says the process lives; /readyz says whether it can do its work: the
database answers and the task queue is being worked. When the database goes away
mid-request the user gets a 503 "try again" page, not a 500, and nothing is saved.
"""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cases.models import WageDispute
from casework.models import AuditEntry
from tests.cases.test_forms import intake_data

pytestmark = pytest.mark.django_db


def queued_job(waited: timedelta) -> DBTaskResult:
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="reports.bundles.build_bundle",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now() - waited,
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - waited)
    return job


def test_ready_with_an_empty_queue_without_a_login(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "database": "ok",
        "tasks": {"queued": 0, "running": 0, "oldest_queued_seconds": 0, "max_queued_seconds": 300},
    }
    assert "no-cache" in response["Cache-Control"]


def test_ready_while_the_oldest_job_has_waited_less_than_the_limit(client):
    queued_job(timedelta(seconds=90))

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["tasks"]["queued"] == 1
    assert 89 <= response.json()["tasks"]["oldest_queued_seconds"] <= 91


def test_not_ready_when_a_job_has_waited_past_the_limit(client, settings):
    settings.READY_MAX_QUEUE_AGE_SECONDS = 120
    queued_job(timedelta(seconds=30))
    queued_job(timedelta(minutes=10))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["tasks"]["queued"] == 2
    assert body["tasks"]["oldest_queued_seconds"] >= 600


def test_not_ready_when_the_database_does_not_answer(client, monkeypatch):
    from django.db.models.query import QuerySet

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(QuerySet, "count", gone)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"ready": False, "database": "unavailable"}


def test_a_lost_database_connection_mid_request_gives_try_again_and_saves_nothing(
    caseworker, monkeypatch, office, worker
):
    """The connection drops after the intake's first writes: a 503, and no half case."""
    from cases import services

    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    entries = AuditEntry.objects.count()

    def connection_lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "record", connection_lost)
    response = client.post(f"/cases/new/?worker={worker.pk}", intake_data(office, worker))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "数据库暂时无法连接，您的操作没有保存。请稍候一分钟再试。" in text
    assert "Please try again in a minute." in text
    assert WageDispute.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_any_other_failure_is_still_a_500(caseworker, monkeypatch):
    from cases import views

    client = Client(raise_request_exception=False)
    client.force_login(caseworker)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "render", broken)
    response = client.get("/cases/")

    assert response.status_code == 500
    assert "Something went wrong and it has been logged." in response.content.decode()
