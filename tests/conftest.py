"""Shared fixtures: a city federation with two district offices and their staff.

Text is not switched to English globally: tests assert on data. Where a test
reads a message, it wraps the call in `translation.override("en")`.
"""

import pytest

from tests import factories


@pytest.fixture
def city(db):
    """The root office: the city federation."""
    return factories.CityFederationFactory(name="随州市总工会")


@pytest.fixture
def office(city):
    return factories.OfficeFactory(name="曾都区总工会", parent=city)


@pytest.fixture
def other_office(city):
    return factories.OfficeFactory(name="广水市总工会", parent=city)


@pytest.fixture
def caseworker(office):
    return factories.caseworker(office, username="zhang.wei", full_name="张伟")


@pytest.fixture
def caseworker2(office):
    return factories.caseworker(office, username="li.na", full_name="李娜")


@pytest.fixture
def other_caseworker(other_office):
    return factories.caseworker(other_office, username="wang.fang", full_name="王芳")


@pytest.fixture
def supervisor(office):
    return factories.supervisor(office, username="liu.yang", full_name="刘洋")


@pytest.fixture
def other_supervisor(other_office):
    return factories.supervisor(other_office, username="chen.jing", full_name="陈静")


@pytest.fixture
def city_supervisor(city):
    return factories.supervisor(city, username="zhao.min", full_name="赵敏")


@pytest.fixture
def auditor(db):
    return factories.auditor(username="sun.li", full_name="孙丽")


@pytest.fixture
def admin_user(db):
    """Overrides pytest-django's: a superuser in no group, like our administrators."""
    return factories.admin(username="admin", full_name="管理员")


@pytest.fixture
def admin_client(client, admin_user):
    """Overrides pytest-django's: signed in past two-factor, as administrators must be."""
    return factories.sign_in(client, admin_user)


@pytest.fixture
def worker(office, caseworker):
    return factories.WorkerFactory(office=office, created_by=caseworker)


# --- for the view tests: a client reading English, a document folder, form fields ---


@pytest.fixture
def login_as(client):
    """`login_as(user)`: the test client logged in as `user` (None: anonymous), in English.

    The interface is Chinese by default; the language cookie switches it, so tests
    can read the English source strings while the Chinese catalogue changes. A user
    whose role needs two-factor sign-in is past it (tests/casework/test_two_factor.py
    tests the code page itself).
    """

    def login(user):
        client.logout()
        if user is not None:
            factories.sign_in(client, user)
        client.cookies["django_language"] = "en"
        return client

    return login


@pytest.fixture
def document_storage(settings, tmp_path):
    """Case documents go to a folder of this test's own; returns that folder."""
    import copy

    location = tmp_path / "documents"
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"] = {"location": str(location)}
    settings.STORAGES = storages
    return location


@pytest.fixture
def shown_field():
    """`shown_field(response, "amount")`: (errors shown next to the field, its HTML).

    Reads the `<div class="field …">` block that `includes/field.html` draws around
    a control named `name`; when several forms on a page have such a control, the
    one with errors wins.
    """
    import html
    import re

    block = re.compile(r'<div class="field[^"]*">(?:(?!</div>).)*</div>', re.DOTALL)
    error = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.DOTALL)

    def find(response, name):
        page = response.content.decode()
        blocks = [b for b in block.findall(page) if f'name="{name}"' in b]
        assert blocks, f"no field named {name!r} on the page"
        chosen = next((b for b in blocks if "has-error" in b), blocks[0])
        errors = [html.unescape(re.sub(r"<[^>]+>", "", e)).strip() for e in error.findall(chosen)]
        return errors, chosen

    return find


def search(client, path: str, query: str | dict = "", **data):
    """Search the way the page's form does: post the text and follow to the results.

    `query` is the rest of the form as a query string ("view=office&state=intake")
    or a dict; returns the results page, whose URL carries a token, not the text.
    """
    from django.http import QueryDict

    fields = dict(QueryDict(query).lists()) if isinstance(query, str) else dict(query)
    response = client.post(path, {**fields, **data})
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])
