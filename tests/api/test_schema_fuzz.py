"""Schemathesis runs the whole schema against the app with a token of each scope:
no server error, every answer a documented status, content type and shape."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import Scope
from casework.wsgi import application
from tests import factories

# Read when the tests are collected: making the schema reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    """The app is called as WSGI, not through the test client: as the client does,
    keep the end of each request from closing the test's database connection (on
    PostgreSQL that would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def keys(issue, office, city, caseworker):
    # Something to find: a finished case, an open one, a station, an application.
    factories.wage_dispute(office, by=caseworker, state="declined")
    factories.wage_dispute(office, by=caseworker)
    factories.StationFactory(office=office)
    return {scope: issue(scope, office if scope == Scope.INTAKE else city) for scope in Scope}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_on_the_schema(case, keys):
    # Every check but "schema-valid data is accepted": the schema cannot say all the
    # forms' rules (an ID number's checksum, an office within the token's reach),
    # so such data gets its 400, next to the field.
    for key in keys.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance]
        )
