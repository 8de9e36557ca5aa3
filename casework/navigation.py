"""The navigation's counts (unread notifications, applications waiting, ...).

Each app names its count in its AppConfig.ready(); a page that shows any of them
asks them all in one query of scalar subqueries, so a new count costs no query.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.utils.functional import SimpleLazyObject

# name -> rows(user): the rows the count counts, or None where the user has no such count.
COUNTS: dict[str, Callable[..., QuerySet | None]] = {}


def register(name: str, rows: Callable[..., QuerySet | None]) -> None:
    COUNTS[name] = rows


def _count(rows: QuerySet) -> Subquery:
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def counts_for(user) -> dict[str, int]:
    asked = {name: rows(user) for name, rows in COUNTS.items()}
    asked = {name: _count(rows) for name, rows in asked.items() if rows is not None}
    if not asked:
        return {}
    return get_user_model().objects.filter(pk=user.pk).values(**asked).get()


def counts(request):
    """Context processor: `nav.<name>`, asked only when a page shows one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: counts_for(user))}
