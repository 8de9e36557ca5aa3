"""Least privilege (issue 16): an administrator without a role manages accounts,
offices and reference data, but reads no case content — case pages, documents,
PDFs, workers, exports, the audit log, the queue, nor case models in the admin."""

import pytest

from casework.models import AuditEntry
from tests import factories
from tests.cases import test_access

# The access tests' world of cases, shared as fixtures.
world = test_access.world
no_role_user = test_access.no_role_user
database_state = test_access.database_state

pytestmark = pytest.mark.django_db

CASE_CONTENT = {
    "case page": lambda w: f"/cases/{w['open'].number}/",
    "finished case page": lambda w: f"/cases/{w['finished'].number}/",
    "document": lambda w: f"/cases/{w['open'].number}/documents/{w['document'].pk}/",
    "case file PDF": lambda w: f"/cases/{w['finished'].number}/print/case-file/",
    "worker page": lambda w: f"/workers/{w['worker'].pk}/",
}

REFUSED = {
    "queue": "/cases/",
    "export page": "/audit/exports/",
    "CSV export": "/audit/exports/finished-cases.csv",
    "audit log": "/audit/log/",
    "audit log CSV": "/audit/log.csv",
    "admin: cases": "/admin/cases/case/",
    "admin: workers": "/admin/cases/worker/",
    "admin: payments": "/admin/cases/payment/",
    "admin: audit log": "/admin/casework/auditentry/",
}


@pytest.mark.parametrize("name", CASE_CONTENT)
def test_an_administrator_without_a_role_gets_not_found_for_case_content(
    login_as,
    world,
    admin_user,
    name,
):
    before = database_state()

    response = login_as(admin_user).get(CASE_CONTENT[name](world))

    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize("name", REFUSED)
def test_an_administrator_without_a_role_is_refused_lists_exports_and_the_log(
    login_as,
    world,
    admin_user,
    name,
):
    entries = AuditEntry.objects.exclude(action__in=["login", "logout"]).count()

    response = login_as(admin_user).get(REFUSED[name])

    assert response.status_code == 403
    assert AuditEntry.objects.exclude(action__in=["login", "logout"]).count() == entries


def test_an_administrator_still_manages_accounts_offices_and_reference_data(login_as, admin_user):
    client = login_as(admin_user)

    index = client.get("/admin/").content.decode()

    assert client.get("/admin/casework/user/").status_code == 200
    assert client.get("/admin/casework/office/").status_code == 200
    assert client.get("/settings/").status_code == 200
    assert "/admin/cases/case/" not in index
    assert "/admin/cases/worker/" not in index


def test_the_navigation_offers_an_administrator_no_case_content(login_as, admin_user):
    page = login_as(admin_user).get("/settings/").content.decode()

    assert 'href="/cases/"' not in page
    assert 'href="/audit/exports/"' not in page
    assert 'href="/audit/log/"' not in page
    assert 'href="/admin/"' in page


def test_an_administrator_with_a_role_reads_as_that_role(login_as, world, office):
    boss = factories.supervisor(office, username="root.boss", is_superuser=True, is_staff=True)
    client = login_as(boss)

    assert client.get(f"/cases/{world['open'].number}/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 200


def test_an_auditor_is_led_to_the_audit_chain(login_as, auditor):
    page = login_as(auditor).get("/cases/").content.decode()

    assert 'href="/audit/chain/"' in page
