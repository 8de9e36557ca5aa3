import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.models import Scope
from api.tokens import issue_token


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    """Throttling counts calls in the cache: each test starts from none."""
    cache.clear()


@pytest.fixture
def issue(db):
    """issue(scope, office) -> the key of a new token (its row: `token_of(key)`)."""
    made = []

    def make(scope: str, office, *, name: str | None = None, days: int = 30) -> str:
        _token, key = issue_token(
            by=None,
            name=name or f"{scope} {office.name} {len(made)}",
            scope=scope,
            office=office,
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        made.append(key)
        return key

    return make


@pytest.fixture
def call(client):
    """call(method, path, key, body=None, language="en", **query) -> response."""

    def request(method: str, path: str, key: str | None, body=None, language="en", **query):
        headers = {"Accept-Language": language}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = path if path.startswith(("/", "http")) else f"/api/v1/{path}"
        if method == "get":
            return client.get(url, query, headers=headers)
        return client.generic(
            method.upper(),
            url,
            data=body if isinstance(body, str | bytes) else __import__("json").dumps(body),
            content_type="application/json",
            headers=headers,
        )

    return request


@pytest.fixture
def hotline(issue, office):
    return issue(Scope.INTAKE, office, name="12351 热线 曾都区")


# The finished cases of every kind the export tests use.
from tests.reports.conftest import cases, dibao, district  # noqa: E402, F401
