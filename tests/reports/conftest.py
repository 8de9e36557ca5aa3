"""Fixtures for the auditors' pages: finished cases of every kind, open ones beside them.

Every case is opened and walked through the services, so the export reads the
same rows, payments and approvals a user would have left behind. Dates that a
test reads are then moved with `set_dates` (a queryset update: the state is
untouched).
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, Counterparty, State
from casework.models import DibaoLine
from tests import factories
from tests.assistance import steps

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    """An aware UTC datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def set_dates(case: Case, *, opened: str, finished: str | None = None) -> None:
    fields = {"opened_at": at(opened)}
    if finished is not None:
        fields["finished_at"] = at(finished)
    Case.objects.filter(pk=case.pk).update(**fields)


def read_csv(response) -> list[list[str]]:
    """The rows of a streamed CSV response, after checking and stripping its BOM."""
    import csv

    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


@pytest.fixture
def dibao(db):
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    DibaoLine.objects.create(district=None, residence="rural", monthly_amount=Decimal("560.00"))


@pytest.fixture
def district(db):
    return factories.DistrictFactory(name="曾都区")


@pytest.fixture
def cases(office, other_office, caseworker, other_caseworker, supervisor, district, dibao):
    """Finished cases of every kind, and open ones that must never be exported.

    - `dispute`: a collective wage dispute of `office`, two workers (one a
      formula-looking name) against a platform and a station, each agreed
      ¥3,000.00 and paid in full; closed.
    - `aid`: hardship aid of ¥6,000.00 approved by two supervisors, disbursed, closed.
    - `card`: a medical card issued and closed (card number HGK-421300-000777).
    - `declined`: a wage dispute of `other_office`, declined at intake.
    - `open_dispute`, `open_aid`: open cases.
    """
    rider = factories.WorkerFactory(
        office=office, created_by=caseworker, name="王小明", district=district
    )
    formula = factories.WorkerFactory(
        office=office, created_by=caseworker, name='=HYPERLINK("http://x")', occupation="courier"
    )
    platform = factories.CounterpartyFactory(
        name="+某某配送平台", credit_code=factories.credit_code(900_007)
    )
    station = factories.CounterpartyFactory(
        name="曾都站点", type=Counterparty.Type.STATION, credit_code=""
    )
    dispute = factories.wage_dispute(
        office, by=caseworker, workers=[rider, formula], counterparty=platform
    )
    from cases import services

    services.take_case(case=dispute, by=caseworker)
    services.add_counterparty(case=dispute, by=caseworker, counterparty=station, role="station")
    dispute = factories.walk_to(dispute, State.CLOSED, caseworker)
    set_dates(dispute, opened="2026-03-01 02:00", finished="2026-03-31 16:30")

    aid_worker = factories.WorkerFactory(office=office, created_by=caseworker, name="李桂兰")
    approvers = [
        factories.supervisor(office, username="he.ping", full_name="何平"),
        factories.supervisor(office, username="ma.li", full_name="马丽"),
    ]
    aid = steps.aid_at(
        State.CLOSED,
        office=office,
        by=caseworker,
        worker=aid_worker,
        amount=Decimal("6000.00"),
        approvers=approvers,
    )
    set_dates(aid, opened="2026-04-02 01:00", finished="2026-04-20 03:00")

    card = steps.card_at(
        State.CLOSED,
        office=office,
        by=caseworker,
        worker=steps.member_worker(office, caseworker, name="赵会员"),
        approver=supervisor,
        card_number="HGK-421300-000777",
    )
    set_dates(card, opened="2026-05-05 01:00", finished="2026-05-06 01:00")

    declined = factories.wage_dispute(other_office, by=other_caseworker, state=State.DECLINED)
    set_dates(declined, opened="2026-06-01 01:00", finished="2026-06-02 01:00")

    open_dispute = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)
    open_aid = steps.aid_at(State.ASSESSMENT, office=office, by=caseworker)
    return {
        "dispute": dispute,
        "rider": rider,
        "formula": formula,
        "platform": platform,
        "aid": aid,
        "aid_worker": aid_worker,
        "approvers": approvers,
        "card": card,
        "declined": declined,
        "open_dispute": open_dispute,
        "open_aid": open_aid,
    }


@pytest.fixture
def year_2026():
    """The export form's query for the whole of 2026."""
    return {"finished_from": "2026-01-01", "finished_to": "2026-12-31"}


@pytest.fixture
def today():
    return timezone.localdate()
