"""Every queue view and sort finds its page's keys by walking an index alone, in the
page's order, however deep the page (PostgreSQL's plan, EXPLAIN).

A test database is too small for the planner to prefer an index on its own, so the
other ways are priced out (sequential and bitmap scans, plain index scans, sorts):
where no index serves a query, the plan keeps a disabled node and the test fails.
At 1M cases a missing index meant a sort of every visible case (the case-number sort:
100,000 rows sorted for each page), or a walk past every open case (the finished
view, in an index over all cases).

Unfiltered queues only: which index serves a filtered one (opened from a date, in
the finished view) is the planner's choice from real statistics, measured at 1M
cases by bench/queue_bench.py, not here.
"""

import re

import pytest
from django.db import connection
from django.http import QueryDict

from assistance.views import awaiting_approval
from cases.filters import SORTS
from cases.views import queue_results, queue_views
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

DEEP = 50 * 999  # page 1,000 of 50


def index_only_plan(queryset) -> str:
    with connection.cursor() as cursor:
        for setting in ("seqscan", "bitmapscan", "indexscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
    return queryset.explain()


def assert_walks_an_index(queryset, label, index: str = "") -> None:
    plan = index_only_plan(queryset)
    assert re.search(rf"Index Only Scan (Backward )?using {index}", plan), (label, plan)
    assert "Sort" not in plan and "Disabled" not in plan, (label, plan)


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "city", "auditor"])
def test_every_view_and_sort_reads_its_page_keys_from_an_index(
    role, office, caseworker, supervisor, city_supervisor
):
    user = {
        "caseworker": caseworker,
        "supervisor": supervisor,
        "city": city_supervisor,
        "auditor": factories.auditor(),
    }[role]
    for view, _label in queue_views(user):
        for sort in ["", *SORTS]:
            data = QueryDict(mutable=True)
            if sort:
                data["sort"] = sort
            _filter, results = queue_results(user, view, data)
            keys = results.values("pk")[DEEP : DEEP + 50]
            # The finished view walks an index of finished cases only.
            index = "case_done_" if view == "finished" else ""
            assert_walks_an_index(keys, (role, view, sort), index)


def test_the_approval_queue_reads_its_page_keys_from_its_index(office, supervisor, city_supervisor):
    for user in (supervisor, city_supervisor):
        for kind, where in [(None, None), ("HA", None), ("MC", str(office.pk))]:
            keys = awaiting_approval(user, kind, where).values("pk")[DEEP : DEEP + 50]
            assert_walks_an_index(keys, (user.username, kind, where), "case_awaiting_approval")
