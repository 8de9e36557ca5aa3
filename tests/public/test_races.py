"""Two caseworkers open the same online request at the same moment: one case, one
winner, the other told; and many people counted against one address at once lose
no count. Threads with their own connections against PostgreSQL's row locks."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Channel
from public import limits, services
from public.models import OnlineRequest, RequestState
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races threads against PostgreSQL row locks"
)


def run_at_once(functions) -> tuple[list, list]:
    start, results, errors = threading.Barrier(len(functions)), [], []

    def run(function):
        try:
            start.wait()
            results.append(function())
        except Exception as error:  # counted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_opening_at_once_make_one_case():
    office = factories.OfficeFactory(name="曾都区总工会")
    first = factories.caseworker(office, username="zhang.wei")
    second = factories.caseworker(office, username="li.na")
    worker = factories.WorkerFactory(office=office, created_by=first)
    online = services.submit_request(
        office=office,
        kind="wage",
        name="王小明",
        mobile="13912345678",
        occupation="rider",
        employer="美团",
        description="拖欠配送费",
        amount_owed=Decimal("3200"),
        consent_contact=False,
    )

    def opening(by):
        def open_case():
            return case_services.open_wage_dispute(
                by=by,
                office=office,
                claims=[(worker, Decimal("3200"))],
                received_at=timezone.now(),
                channel=Channel.ONLINE,
                matters="拖欠配送费",
                reasons="拖欠",
                relationship="not_fully",
            )

        return lambda: services.open_request(
            online=OnlineRequest.objects.get(pk=online.pk), by=by, open_case=open_case
        )

    results, errors = run_at_once([opening(first), opening(second)])

    assert len(results) == 1
    assert [type(e) for e in errors] == [services.AlreadyDecided]
    assert Case.objects.count() == 1
    online.refresh_from_db()
    assert online.state == RequestState.OPENED


@pytest.mark.django_db(transaction=True)
def test_hits_counted_at_once_are_all_counted():
    results, errors = run_at_once([lambda: limits.hit("ip:10.0.0.1", limits.HOUR)] * 10)

    assert errors == []
    assert sorted(results) == list(range(1, 11))
