"""The case page reads each relation once and costs the same number of queries
however much a case holds.

The workers' claim links, the claim items, the counterparty chain, the payments and
the documents are each shown or tested by several sections, forms and conditions
of the page (the money table, the claim items' forms, "the agreement lacks …",
the timeline): the page reads each once for all of them, so a case with five of
everything costs what a case with one costs.
"""

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import claims, services
from cases.models import ClaimType, Contact, EvidenceKind, EvidenceStatus, LimitationEvent, State
from casework.models import DibaoLine
from tests import factories
from tests.assistance import steps

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = timezone.localdate()

# Read once each for the whole page (the case itself: its kind, then its own row).
READ_ONCE = [
    "cases_caseworker",
    "cases_claimitem",
    "cases_disputecounterparty",
    "cases_payment",
    "cases_document",
]


def fill(dispute, by, n: int):
    """n of each thing a mediating wage dispute can hold (it has n workers already)."""
    for _ in range(1, n):
        services.add_counterparty(
            case=dispute, by=by, counterparty=factories.CounterpartyFactory(), role="station"
        )
    evidence = list(EvidenceKind)
    for i, worker in enumerate(dispute.workers.order_by("pk")):
        claims.save_claim_item(
            case=dispute, by=by, worker=worker, type=ClaimType.WAGES, amount=Decimal("1000.00")
        )
        services.record_payment(
            case=dispute,
            by=by,
            worker=worker,
            paid_on=TODAY,
            amount=Decimal("100.00"),
            method="bank",
        )
        services.add_note(case=dispute, by=by, body=f"第{i + 1}次电话回访")
        services.record_contact(
            case=dispute,
            by=by,
            channel=Contact.Channel.CALL,
            with_whom="站长",
            occurred_at=timezone.now(),
            summary="答应本周内答复",
        )
        services.add_document(
            case=dispute,
            by=by,
            upload=SimpleUploadedFile(f"{i}.pdf", PDF),
            content_type="application/pdf",
            doc_type="evidence",
            title=f"工资流水{i + 1}",
        )
        services.record_session(
            case=dispute,
            by=by,
            held_on=TODAY,
            place="曾都区总工会调解室",
            attendees="申请人、站长",
            result="双方同意继续协商",
        )
        services.record_limitation_event(
            case=dispute,
            by=by,
            type=LimitationEvent.Type.CLAIM,
            occurred_on=TODAY - datetime.timedelta(days=i + 1),
        )
        claims.set_evidence(
            case=dispute,
            by=by,
            kind=evidence[i],
            status=EvidenceStatus.REQUESTED,
            status_on=TODAY,
        )
    return dispute


@pytest.fixture
def dispute_with(office, caseworker, document_storage):
    """`dispute_with(n, state)`: a wage dispute with n workers, counterparties, claim
    items, payments, notes, contacts, documents, sessions, … walked to `state`."""

    def make(n: int, state: str = State.MEDIATING):
        workers = [factories.WorkerFactory(office=office, created_by=caseworker) for _ in range(n)]
        dispute = factories.wage_dispute(
            office, by=caseworker, workers=workers, claimed=None, state=State.MEDIATING
        )
        fill(dispute, caseworker, n)
        return factories.walk_to(dispute, state, caseworker)

    return make


def page_queries(client, case) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def assert_same_cost(client, one, five):
    few, many = page_queries(client, one), page_queries(client, five)
    assert len(many) == len(few), "\n".join(many)


def reads(queries: list[str]) -> Counter:
    """How many queries read each table (the first table a SELECT names after FROM)."""
    found = (re.search(r'\bFROM "(\w+)"', q) for q in queries if q.startswith("SELECT"))
    return Counter(match[1] for match in found if match)


def assert_read_once(queries: list[str]):
    counts = reads(queries)
    assert {table: counts[table] for table in READ_ONCE} == dict.fromkeys(READ_ONCE, 1)
    # The workers come with their links; the case is looked up, then read as its kind.
    assert counts["cases_worker"] == 0
    assert (counts["cases_case"], counts["cases_wagedispute"]) == (1, 1)


# --- an open wage dispute: every form and condition of the page --------------------------


def test_an_open_dispute_costs_the_same_for_1_or_5_of_everything(
    login_as, dispute_with, caseworker
):
    one, five = dispute_with(1), dispute_with(5)
    client = login_as(caseworker)

    assert_same_cost(client, one, five)
    page = client.get(f"/cases/{five.number}/").content.decode()
    for name in [w.name for w in five.workers.all()] + [c.name for c in five.counterparties.all()]:
        assert name in page
    assert page.count(">Void payment</button>") == 5


def test_an_open_dispute_reads_each_relation_once(login_as, dispute_with, caseworker):
    five = dispute_with(5)

    assert_read_once(page_queries(login_as(caseworker), five))


def test_an_open_dispute_costs_its_supervisor_the_same_and_reads_each_relation_once(
    login_as, dispute_with, supervisor
):
    one, five = dispute_with(1), dispute_with(5)
    client = login_as(supervisor)

    assert_same_cost(client, one, five)
    assert_read_once(page_queries(client, five))


def test_a_dispute_awaiting_payment_reads_each_relation_once(login_as, dispute_with, caseworker):
    # "Mark performed" asks whether everything agreed is paid: from the same rows.
    one, five = dispute_with(1, State.AGREEMENT), dispute_with(5, State.AGREEMENT)
    client = login_as(caseworker)

    assert_same_cost(client, one, five)
    assert_read_once(page_queries(client, five))


# --- a closed one ------------------------------------------------------------------------


def test_a_closed_dispute_costs_the_same_for_1_or_5_of_everything(login_as, dispute_with, auditor):
    one, five = dispute_with(1, State.CLOSED), dispute_with(5, State.CLOSED)

    assert_same_cost(login_as(auditor), one, five)


def test_a_closed_dispute_reads_each_relation_once(login_as, dispute_with, auditor):
    five = dispute_with(5, State.CLOSED)

    assert_read_once(page_queries(login_as(auditor), five))


# --- hardship aid: the same page, its own section ---------------------------------------


@pytest.fixture
def aid_with(office, caseworker, document_storage):
    """`aid_with(n)`: an aid application being assessed, with n notes, contacts and
    documents."""
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720"))
    DibaoLine.objects.create(district=None, residence="rural", monthly_amount=Decimal("560"))

    def make(n: int):
        case = steps.aid_at(State.ASSESSMENT, office=office, by=caseworker)
        for i in range(n):
            services.add_note(case=case, by=caseworker, body=f"第{i + 1}次入户")
            services.add_document(
                case=case,
                by=caseworker,
                upload=SimpleUploadedFile(f"{i}.pdf", PDF),
                content_type="application/pdf",
                doc_type="evidence",
                title=f"收入证明{i + 1}",
            )
        return case

    return make


def test_an_aid_application_costs_the_same_for_1_or_5_notes_and_documents(
    login_as, aid_with, caseworker
):
    one, five = aid_with(1), aid_with(5)
    client = login_as(caseworker)

    assert_same_cost(client, one, five)
    counts = reads(page_queries(client, five))
    assert (counts["cases_document"], counts["cases_case"]) == (1, 1)


def test_the_page_reads_its_choices_without_a_server_side_cursor(
    login_as, dispute_with, supervisor
):
    # The supervisor's page lists stations and staff to assign to: each read by a plain
    # query (casework.forms.ListedModelChoiceField). Django's own choice fields read them
    # through a server-side cursor on PostgreSQL (DECLARE, then FETCH and CLOSE).
    queries = page_queries(login_as(supervisor), dispute_with(1))

    assert not [q for q in queries if q.startswith("DECLARE")]
    counts = reads(queries)
    assert counts["casework_station"] == 1
    assert any(q.startswith('SELECT DISTINCT "casework_user"') for q in queries)
