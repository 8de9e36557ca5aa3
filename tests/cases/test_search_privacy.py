"""No personal identifier in a URL (issue 16): searches post, their results carry a token.

A URL is what browser history, the Referer header and the server's request log
(runserver and gunicorn write the path and query string) keep; so for a search
by ID number or mobile, neither the request the form makes, nor the redirect, nor
any link or form address on the results page may hold the number.
"""

import re

import pytest

from cases.search import SESSION_KEY
from tests import factories
from tests.factories import id_number, wage_dispute

pytestmark = pytest.mark.django_db

ID = id_number(4321)
MOBILE = "13912348765"
# Every address a page hands the browser: links, form targets, scripts, images, and
# the language switch's return address (a hidden "next" field).
URL = re.compile(r'(?:href|src|action|formaction)="([^"]*)"|name="next" value="([^"]*)"')

SEARCH_PAGES = {
    # page, the rest of its form, what the results show of the worker
    "queue": ("/cases/", {"view": "office"}),
    "workers": ("/workers/", {}),
    "intake": ("/cases/new/", {}),
}


@pytest.fixture
def person(office, caseworker):
    return factories.WorkerFactory(
        name="欧阳骑手", id_number=ID, phone=MOBILE, office=office, created_by=caseworker
    )


@pytest.fixture
def case(office, supervisor, person):
    return wage_dispute(office, by=supervisor, workers=[person])


def urls(response) -> list[str]:
    page = response.content.decode()
    return [a or b for a, b in URL.findall(page)]


def post_search(client, page: str, text: str):
    path, fields = SEARCH_PAGES[page]
    return client.post(path, {**fields, "q": text})


@pytest.mark.parametrize("page", SEARCH_PAGES)
@pytest.mark.parametrize("text", [ID, MOBILE], ids=["ID number", "mobile"])
def test_a_search_by_id_or_mobile_puts_the_number_in_no_url(
    login_as, supervisor, case, person, page, text
):
    client = login_as(supervisor)

    posted = post_search(client, page, text)
    results = client.get(posted["Location"])

    assert posted.status_code == 302
    assert text not in posted["Location"]
    assert "search=" in posted["Location"]
    assert results.status_code == 200
    assert person.name in results.content.decode()  # the search did find them
    addresses = urls(results)
    assert addresses, "the results page has links"
    assert [url for url in addresses if text in url] == []
    # The number is on the page only as what was typed into the search box.
    html = results.content.decode()
    assert html.count(text) == html.count(f'value="{text}"') == 1


@pytest.mark.parametrize("page", SEARCH_PAGES)
def test_a_search_typed_into_a_url_is_not_run_but_dropped_from_the_address(
    login_as, supervisor, case, person, page
):
    path, fields = SEARCH_PAGES[page]
    client = login_as(supervisor)

    response = client.get(path, {**fields, "q": MOBILE})
    landing = client.get(response["Location"])

    assert response.status_code == 302
    assert MOBILE not in response["Location"]
    assert response["Location"].startswith(path)
    assert MOBILE not in landing.content.decode()
    assert 'value="' + MOBILE not in landing.content.decode()


def test_the_text_is_kept_server_side_and_the_token_means_nothing_to_another_session(
    login_as, client, supervisor, caseworker, case, person
):
    login_as(supervisor)
    location = post_search(client, "workers", ID)["Location"]

    assert ID in client.session[SESSION_KEY].values()
    assert ID not in str(client.cookies)
    # The same results address opened in another session (another user) finds nobody.
    other = login_as(caseworker).get(location)
    assert person.name not in other.content.decode()
    assert "That search has expired" in other.content.decode()


def test_the_results_of_a_search_page_and_sort_by_the_token(
    login_as, office, supervisor, person, monkeypatch
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 2)
    made = [wage_dispute(office, by=supervisor, workers=[person]) for _ in range(3)]
    wage_dispute(office, by=supervisor)  # another worker's: not found
    client = login_as(supervisor)
    first = client.get(post_search(client, "queue", MOBILE)["Location"])

    [next_link] = [u for u in urls(first) if "page=2" in u]
    second = client.get("/cases/" + next_link.replace("&amp;", "&"))
    [by_number] = [u for u in urls(second) if "sort=number" in u]
    sorted_ = client.get("/cases/" + by_number.replace("&amp;", "&"))

    assert "search=" in next_link and MOBILE not in next_link
    shown = [c.number for c in made if c.number in first.content.decode()]
    rest = [c.number for c in made if c.number in second.content.decode()]
    assert len(shown) == 2 and len(rest) == 1 and set(shown + rest) == {c.number for c in made}
    ordered = re.findall(r'class="case-number"[^>]*>([^<]+)<', sorted_.content.decode())
    assert ordered == sorted(c.number for c in made)[:2]
    assert f'value="{MOBILE}"' in sorted_.content.decode()  # the box still shows the search


def test_the_intake_search_keeps_the_workers_already_chosen(login_as, office, caseworker, person):
    chosen = factories.WorkerFactory(name="李已选", office=office, created_by=caseworker)
    client = login_as(caseworker)

    posted = client.post("/cases/new/", {"worker": [chosen.pk], "q": MOBILE})
    page = client.get(posted["Location"]).content.decode()

    assert f"worker={chosen.pk}" in posted["Location"]
    assert "李已选" in page and "欧阳骑手" in page
