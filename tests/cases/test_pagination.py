"""The queue's paginator: an exact count below the threshold, the planner's estimate
past it (PostgreSQL), pages fetched by key whatever the depth."""

import pytest
from django.db import connection

from cases import pagination
from cases.models import Case
from cases.pagination import EstimatedPaginator
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
