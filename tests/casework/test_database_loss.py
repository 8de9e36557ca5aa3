"""The web app rides out losing its database connections (PostgreSQL restarting, a
failover, an administrator's pg_terminate_backend).

A real gunicorn worker serves a caseworker adding notes one after another, while
the test terminates every one of the app's connections to the database, several
times over. Each request either adds its note (and its audit entry, in one
transaction) or answers the translated 503 "try again" page; none answers 500,
no note is left without its audit entry or the other way round, and the app
serves again by itself, reconnecting (`CONN_HEALTH_CHECKS`).

The shared PostgreSQL server is never stopped: pg_terminate_backend does to the
app's connections what a restart does, and leaves everyone else's alone.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from cases.models import Note, State
from casework.models import AuditEntry
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_terminate_backend is PostgreSQL's; SQLite has no connection to lose "
        "(tests/casework/test_readiness.py covers the 503 page on any database)",
    ),
    pytest.mark.django_db(transaction=True),
]

CSRF = "a" * 32  # a CSRF secret of our choosing, sent as cookie and form field alike


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_server():
    """gunicorn, one sync worker (its connection lives across requests, as in
    production), on this test's database."""
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}",
    }
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "casework.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(server.stderr.read()) from None
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def terminate_app_connections() -> int:
    """End every other connection to this database: the app's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_requests_during_lost_connections_get_503_or_succeed_and_nothing_is_half_written(
    app_server, office
):
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    case = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)
    browser = Client()
    browser.force_login(caseworker)
    cookies = f"sessionid={browser.cookies['sessionid'].value}; csrftoken={CSRF}"
    opener = urllib.request.build_opener(NoRedirect)
    url = f"{app_server}/cases/{case.number}/record/note/"
    answers: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def add_notes():
        n = 0
        while not stop.is_set():
            n += 1
            body = f"第 {n} 条"
            request = urllib.request.Request(
                url,
                data=urlencode({"body": body, "csrfmiddlewaretoken": CSRF}).encode(),
                headers={"Cookie": cookies},
            )
            try:
                with opener.open(request, timeout=30) as response:
                    answers.append((body, response.status, ""))
            except urllib.error.HTTPError as error:
                answers.append((body, error.code, error.read().decode()))

    load = threading.Thread(target=add_notes)
    load.start()
    terminated = 0
    try:
        time.sleep(1)
        for _ in range(8):
            terminated += terminate_app_connections()
            time.sleep(0.4)
        time.sleep(1.5)  # and then it serves again
    finally:
        stop.set()
        load.join(timeout=60)

    statuses = [status for _, status, _ in answers]
    assert terminated >= 8, "the app had a connection to lose each time"
    assert 500 not in statuses, [page for _, status, page in answers if status == 500][:1]
    assert set(statuses) <= {302, 503}, statuses
    for _, status, page in answers:
        if status == 503:
            assert "数据库暂时无法连接，您的操作没有保存。请稍候一分钟再试。" in page
    assert statuses[-5:] == [302] * 5, "it serves again by itself"
    # Every note added has its audit entry and every entry its note; each 302 added one.
    notes = set(Note.objects.filter(case_id=case.pk).values_list("pk", flat=True))
    audited = {
        int(pk)
        for pk in AuditEntry.objects.filter(action="note", case_id=case.pk).values_list(
            "object_id", flat=True
        )
    }
    assert notes == audited
    saved = list(Note.objects.filter(case_id=case.pk).values_list("body", flat=True))
    assert len(saved) == len(set(saved))
    assert {body for body, status, _ in answers if status == 302} <= set(saved)
    print(f"\n{len(answers)} requests: {statuses.count(302)} saved, {statuses.count(503)} 503")


def test_a_connection_lost_between_requests_is_replaced_without_the_user_noticing(
    app_server, office
):
    """CONN_HEALTH_CHECKS: the next request finds its idle connection dead, opens a new
    one, and is served as if nothing had happened."""
    caseworker = factories.caseworker(office, username="zhang.wei", full_name="张伟")
    case = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)
    browser = Client()
    browser.force_login(caseworker)
    cookies = f"sessionid={browser.cookies['sessionid'].value}"
    opener = urllib.request.build_opener(NoRedirect)

    def case_page() -> int:
        request = urllib.request.Request(
            f"{app_server}/cases/{case.number}/", headers={"Cookie": cookies}
        )
        with opener.open(request, timeout=30) as response:
            return response.status

    assert case_page() == 200
    assert terminate_app_connections() >= 1

    assert case_page() == 200
