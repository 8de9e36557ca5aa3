"""The health check answers without a login; the interface speaks Chinese until asked."""

import re

import pytest

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match, "the page has no <html lang>"
    return match[1]


def test_the_health_check_answers_ok_without_a_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_says_so_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_the_interface_is_chinese_by_default_even_for_an_english_browser(client, caseworker):
    client.force_login(caseworker)

    response = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en")

    assert html_lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    # The language switch offers English, labelled in English.
    assert '<button name="language" value="en" lang="en">English</button>' in (
        response.content.decode()
    )


def test_the_login_page_is_chinese_by_default(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"


def test_choosing_english_switches_the_interface_and_stays_switched(client, caseworker):
    client.force_login(caseworker)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})

    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.cookies["django_language"].value == "en"
    page = client.get("/cases/")
    assert html_lang(page) == "en"
    assert page["Content-Language"] == "en"
    assert "Intake queue" in page.content.decode()
    assert '<button name="language" value="zh-hans" lang="zh-hans">中文</button>' in (
        page.content.decode()
    )


def test_choosing_chinese_again_switches_back(client, caseworker):
    client.force_login(caseworker)
    client.cookies["django_language"] = "en"

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/cases/"})

    assert html_lang(client.get("/cases/")) == "zh-hans"


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client, caseworker):
    client.force_login(caseworker)
    client.cookies["django_language"] = "fr"

    assert html_lang(client.get("/cases/")) == "zh-hans"


def test_the_language_switch_on_the_login_page_works_before_logging_in(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    assert response["Location"] == "/login/"
    assert html_lang(client.get("/login/")) == "en"
