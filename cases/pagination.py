"""A paginator for big lists: a count estimated past a threshold, pages fetched by key.

Counting 900,000 matching rows on every page view costs more than showing the
page. On PostgreSQL the planner's estimate of the row count (EXPLAIN) stands in
for the count once it passes ESTIMATE_ABOVE; the page shows "about 120,000".
Below it, and on other databases, the count is exact.

A page's rows are found in one query in two steps: the primary keys of the page
in a subquery (an index-only walk of the sort's index, however deep the page),
then those rows with their related objects, in the same order.
"""

import json

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 10_000


def estimated_count(queryset) -> int | None:
    """The planner's row estimate of the queryset on PostgreSQL; None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.estimated:
            # The estimate may fall short of the real count: a full page may have a
            # next one, whatever the estimated number of pages.
            return len(self.object_list) >= self.paginator.per_page
        return super().has_next()


class EstimatedPaginator(Paginator):
    estimated = False

    @cached_property
    def count(self) -> int:
        # Counting stops past the threshold (one cheap query for a small list);
        # only then does the planner's estimate stand in. Unordered: which rows are
        # counted first does not matter, and the sort's index walk costs more.
        capped = self.object_list.values("pk").order_by()[: ESTIMATE_ABOVE + 1].count()
        if capped <= ESTIMATE_ABOVE:
            return capped
        estimate = estimated_count(self.object_list)
        if estimate is not None and estimate > ESTIMATE_ABOVE:
            self.estimated = True
            # Two significant figures: "about 120,000", not a false precision.
            digits = len(str(estimate)) - 2
            return round(estimate, -digits)
        return self.object_list.count()

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count and not self.estimated:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)

    def _get_page(self, *args, **kwargs) -> EstimatedPage:
        return EstimatedPage(*args, **kwargs)

    def validate_number(self, number):
        # Counting first (`count` sets `estimated`): before it, every list looked exact
        # and a page past a short estimate was served as the estimate's last page.
        if self.count and self.estimated:
            # The estimate may fall short of the real count: any page may hold rows.
            try:
                number = int(number)
            except (TypeError, ValueError):
                number = 1
            return max(number, 1)
        return super().validate_number(number)
