"""Tokens: issued to a named system by an administrator, shown once, stored hashed,
expiring, revocable; the schema and its docs page, served without the network."""

import datetime
import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiToken, Scope, key_hash
from api.tokens import revoke_token
from casework.models import AuditEntry

Action = AuditEntry.Action


def test_the_key_is_stored_only_as_its_hash(issue, office):
    key = issue(Scope.INTAKE, office)
    token = ApiToken.objects.get()
    assert token.hashed_key == key_hash(key) and key not in token.hashed_key
    assert key.startswith(f"cw_{token.prefix}_") and len(key) > 50
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert key not in stored
    account = token.account
    assert not account.has_usable_password() and not account.groups.exists()
    assert not account.is_active  # it never signs in; the token's calls act with it
    assert AuditEntry.objects.filter(action=Action.API_TOKEN_ISSUED).count() == 1


@pytest.mark.parametrize("what", ["unknown", "expired", "revoked", "malformed", "none"])
def test_a_bad_key_is_refused_and_nothing_is_read(call, issue, office, admin_user, what):
    key = issue(Scope.INTAKE, office)
    token = ApiToken.objects.get()
    if what == "unknown":
        key = key[:-4] + "AAAA"
    elif what == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif what == "revoked":
        revoke_token(token=token, by=admin_user)
    elif what == "malformed":
        key = "cw_nonsense"
    elif what == "none":
        key = None
    answer = call("get", "cases/WD-2026-000001/", key)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["detail"]
    assert not AuditEntry.objects.filter(action=Action.API_CALL).exists()


def test_an_administrator_issues_a_token_and_sees_its_key_once(admin_client, office):
    expires = (timezone.localtime() + datetime.timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
    date, time = expires.split(" ")
    answer = admin_client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "12351 热线",
            "scope": "intake",
            "office": office.pk,
            "expires_at_0": date,
            "expires_at_1": time,
        },
    )
    assert answer.status_code == 200, answer.content.decode()[:2000]
    key = re.search(r"cw_[0-9a-f]{12}_[A-Za-z0-9_-]+", answer.content.decode()).group(0)
    token = ApiToken.objects.get()
    assert token.hashed_key == key_hash(key) and token.office == office
    again = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert again.status_code == 200 and key not in again.content.decode()
    issued = AuditEntry.objects.get(action=Action.API_TOKEN_ISSUED)
    assert issued.details["name"] == "12351 热线"


def test_an_administrator_revokes_a_token(admin_client, call, issue, office):
    key = issue(Scope.INTAKE, office)
    token = ApiToken.objects.get()
    answer = admin_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1
    assert call("get", "cases/X/", key).status_code == 401
    assert admin_client.get(f"/admin/api/apitoken/{token.pk}/delete/").status_code == 403


def test_the_expiry_must_be_in_the_future(admin_client, office):
    answer = admin_client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "x",
            "scope": "intake",
            "office": office.pk,
            "expires_at_0": "2020-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert answer.status_code == 200 and not ApiToken.objects.exists()
    assert "有效期必须晚于现在。" in answer.content.decode()  # next to the field, in Chinese


def test_the_command_issues_a_token(office):
    out = StringIO()
    call_command(
        "issue_api_token", name="统计门户", scope="figures", office=office.name, stdout=out
    )
    key = out.getvalue().split()[-1]
    assert ApiToken.objects.get().hashed_key == key_hash(key)


def test_calls_beyond_the_rate_are_refused_per_token(call, issue, office, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"token": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        first, second = issue(Scope.INTAKE, office), issue(Scope.INTAKE, office)
        codes = [call("get", "cases/X/", first).status_code for _ in range(4)]
        assert codes == [404, 404, 404, 429]
        assert call("get", "cases/X/", second).status_code == 404
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_schema_downloads_and_validates(client):
    answer = client.get("/api/v1/schema/")
    assert answer.status_code == 200
    schema = yaml.safe_load(answer.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/intakes/",
        "/api/v1/online-requests/",
        "/api/v1/cases/{number}/",
        "/api/v1/finished-cases/",
        "/api/v1/finished-cases/{number}/",
        "/api/v1/figures/",
        "/api/v1/membership/applications/",
    } <= set(schema["paths"])
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


def test_the_docs_page_needs_nothing_from_outside(client, db):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in html and "<script>" not in html  # the CSP allows neither
    script = client.get(html.split('<script src="')[-1].split('"')[0].replace("&amp;", "&"))
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "/api/v1/schema/" in script.content.decode()  # the UI reads our own schema
