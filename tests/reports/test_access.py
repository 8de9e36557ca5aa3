"""Who may open the auditors' pages: anonymous → log in, caseworker and supervisor →
not allowed (and nothing is exported or logged), auditor and administrator → the page."""

from urllib.parse import quote

import pytest

from casework.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGES = {
    "export page": ("/audit/exports/", "Export finished cases"),
    "CSV": ("/audit/exports/finished-cases.csv", None),
    "XLSX": ("/audit/exports/finished-cases.xlsx", None),
    "audit log": ("/audit/log/", "Audit log"),
    "audit log CSV": ("/audit/log.csv", None),
}
EXPORTS = ("export_started", "export_finished")


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(login_as, cases, page):
    path, _text = PAGES[page]

    response = login_as(None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(path)}"
    assert not AuditEntry.objects.filter(action__in=EXPORTS).exists()


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "city_supervisor", "admin_user"])
@pytest.mark.parametrize("page", PAGES)
def test_caseworkers_and_supervisors_are_not_allowed(request, login_as, cases, page, who):
    path, _text = PAGES[page]

    response = login_as(request.getfixturevalue(who)).get(path)

    assert response.status_code == 403
    body = response.content.decode()
    assert "Only auditors can do this." in body
    assert not AuditEntry.objects.filter(action__in=EXPORTS).exists()


@pytest.mark.parametrize("who", ["auditor"])
@pytest.mark.parametrize("page", PAGES)
def test_auditors_and_administrators_may(request, login_as, cases, page, who, year_2026):
    path, text = PAGES[page]
    user = request.getfixturevalue(who)

    response = login_as(user).get(path, year_2026 if "exports" in path else {})

    assert response.status_code == 200
    if text:
        assert text in response.content.decode()
    else:
        b"".join(response.streaming_content)
        started = AuditEntry.objects.get(action="export_started")
        assert started.actor == user
        assert AuditEntry.objects.get(action="export_finished").actor == user


@pytest.mark.parametrize("who", ["auditor"])
def test_the_navigation_leads_auditors_and_administrators_to_their_pages(request, login_as, who):
    page = login_as(request.getfixturevalue(who)).get("/cases/").content.decode()

    assert 'href="/audit/exports/"' in page
    assert 'href="/audit/log/"' in page
    assert 'href="/audit/chain/"' in page


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_the_navigation_does_not_offer_them_to_anyone_else(request, login_as, who):
    page = login_as(request.getfixturevalue(who)).get("/cases/").content.decode()

    assert "/audit/" not in page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("page", PAGES)
def test_the_pages_answer_only_get(login_as, auditor, cases, page, method):
    path, _text = PAGES[page]

    response = getattr(login_as(auditor), method)(path)

    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action__in=EXPORTS).exists()
