"""The queue's paginator: an exact count below the threshold, the planner's estimate
past it (PostgreSQL), pages fetched by key whatever the depth."""

import re

import pytest
from django.conf import settings
from django.db import connection

from cases import pagination, views
from cases.models import Case
from cases.pagination import EstimatedPaginator
from tests import factories
from tests.cases.test_queue import count_text, open_cases

pytestmark = pytest.mark.django_db


def test_below_the_threshold_the_count_is_exact(office, supervisor):
    open_cases(office, 7, staff=[None], workers_each=1)
    paginator = EstimatedPaginator(Case.objects.order_by("-opened_at", "-pk"), 5)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (7, False, 2)
    assert len(paginator.page(2).object_list) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_past_the_threshold_the_page_says_about(login_as, office, supervisor, monkeypatch):
    open_cases(office, 12, staff=[None], workers_each=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    response = login_as(supervisor).get("/cases/?view=office")
    assert count_text(response).startswith("about ")
    # The estimate may fall short: any page number is served, never a 404.
    assert login_as(supervisor).get("/cases/?view=office&page=9").status_code == 200


def test_every_page_holds_its_own_rows(office):
    open_cases(office, 12, staff=[None], workers_each=1)
    paginator = EstimatedPaginator(Case.objects.order_by("number"), 5)
    pages = [[c.number for c in paginator.page(n).object_list] for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sum(pages, []) == sorted(Case.objects.values_list("number", flat=True))


def pagination_text(response) -> str:
    match = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', response.content.decode(), re.S)
    assert match, "no page links on the page"
    return re.sub(r"\s+", " ", match[1])


def test_an_estimated_list_says_about_and_goes_on_past_its_estimate(
    login_as, office, supervisor, monkeypatch
):
    # 12 cases, 5 a page; the planner estimates 6 (it may fall short on any database).
    open_cases(office, 12, staff=[None], workers_each=1)
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 6)
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    client = login_as(supervisor)

    second = pagination_text(client.get("/cases/?view=office&page=2"))
    assert "Page 2 of about 2" in second
    # A full page may have a next one whatever the estimate says: the rows go on.
    assert 'rel="next"' in second and "page=3" in second
    third = client.get("/cases/?view=office&page=3")
    assert len(re.findall(r'class="case-number"', third.content.decode())) == 2
    assert "First page" in pagination_text(third)
    assert 'rel="next"' not in pagination_text(third)


def test_an_exact_list_says_how_many_pages_and_links_the_first(
    login_as, office, supervisor, monkeypatch
):
    open_cases(office, 12, staff=[None], workers_each=1)
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    client = login_as(supervisor)

    first, third = (pagination_text(client.get(f"/cases/?view=office&page={n}")) for n in (1, 3))
    assert "Page 1 of 3" in first and "First page" not in first and 'rel="next"' in first
    assert "Page 3 of 3" in third and "First page" in third and 'rel="next"' not in third
    assert "about" not in first + third


@pytest.mark.parametrize(
    "language, estimate, shown",
    [
        ("en", 73_000, "about 73,000 cases"),
        ("zh-hans", 73_000, "约7.3万件"),
        ("zh-hans", 120_000, "约12万件"),
        ("zh-hans", 1_000_000, "约100万件"),
        ("en", 1_000_000, "about 1,000,000 cases"),
    ],
)
def test_an_estimate_reads_as_people_say_it(
    client, language, estimate, shown, office, supervisor, monkeypatch
):
    # Chinese counts by ten thousands (万); English with thousands separators.
    open_cases(office, 7, staff=[None], workers_each=1)
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 5)
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: estimate)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    factories.sign_in(client, supervisor)

    assert count_text(client.get("/cases/?view=office")) == shown
