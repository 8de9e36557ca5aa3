"""The approval queue: what waits for a supervisor's decision, across both kinds.

Aid applications wait when recommended, card applications when verified. A
supervisor sees those of their offices (a city supervisor: every office's),
oldest first, with the days each has waited, and can filter by kind and
office. Text is read in English (see `login_as`).
"""

import datetime
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, State
from tests import factories
from tests.assistance import steps

pytestmark = pytest.mark.django_db

URL = "/assistance/approvals/"


def wait(case, days: int) -> None:
    """As if the application had reached its state `days` days ago."""
    Case.objects.filter(pk=case.pk).update(
        state_changed_at=timezone.now() - datetime.timedelta(days=days, hours=1)
    )


def rows(page: str) -> list[str]:
    """The queue's table rows, top to bottom."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>.*?</tr>", body, re.DOTALL)


def numbers(page: str) -> list[str]:
    return [re.search(r'class="case-number"[^>]*>([^<]+)<', row)[1] for row in rows(page)]


def row_of(page: str, number: str) -> str:
    return next(row for row in rows(page) if f">{number}<" in row)


@pytest.fixture
def queue(
    office, other_office, caseworker, other_caseworker, worker, member, aid_at, card_at, dibao
):
    """Waiting: aid in `office` (5 days), a card in `office` (2 days), aid in
    `other_office` (9 days). Not waiting: applications in every other state."""
    aid = aid_at("recommended")
    card = card_at("verified")
    other_aid = steps.aid_at(State.RECOMMENDED, office=other_office, by=other_caseworker)
    wait(aid, 5)
    wait(card, 2)
    wait(other_aid, 9)
    not_waiting = [
        steps.aid_at(state, office=office, by=caseworker)
        for state in (State.APPLICATION, State.ASSESSMENT, State.APPROVED, State.REJECTED)
    ] + [
        steps.card_at(state, office=office, by=caseworker)
        for state in (State.SUBMITTED, State.APPROVED, State.CARD_ISSUED)
    ]
    return {"aid": aid, "card": card, "other_aid": other_aid, "not_waiting": not_waiting}


def test_a_supervisor_sees_what_waits_in_their_office_oldest_first(login_as, queue, supervisor):
    page = login_as(supervisor).get(URL).content.decode()

    aid, card = queue["aid"], queue["card"]
    assert numbers(page) == [aid.number, card.number]
    assert "2 items waiting" in page
    aid_row = row_of(page, aid.number)
    assert "5 days" in aid_row and "¥3,000.00" in aid_row
    assert "hardship aid" in aid_row and aid.applicant.name in aid_row
    assert "Recommended, awaiting approval" in aid_row
    card_row = row_of(page, card.number)
    assert "2 days" in card_row and "medical card" in card_row
    assert "Verified, awaiting approval" in card_row
    assert f'href="/cases/{card.number}/"' in card_row
    for case in queue["not_waiting"]:
        assert case.number not in page
    assert queue["other_aid"].number not in page  # another office's


def test_a_supervisor_of_another_office_sees_only_theirs(login_as, queue, other_supervisor):
    page = login_as(other_supervisor).get(URL).content.decode()

    assert numbers(page) == [queue["other_aid"].number]
    assert "9 days" in row_of(page, queue["other_aid"].number)


def test_a_city_supervisor_sees_every_offices_queue_oldest_first(login_as, queue, city_supervisor):
    page = login_as(city_supervisor).get(URL).content.decode()

    assert numbers(page) == [queue["other_aid"].number, queue["aid"].number, queue["card"].number]
    assert "3 items waiting" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=HA", ["other_aid", "aid"]),
        ("kind=MC", ["card"]),
        ("office={office}", ["aid", "card"]),
        ("office={other_office}", ["other_aid"]),
        ("kind=HA&office={office}", ["aid"]),
        ("kind=WD", ["other_aid", "aid", "card"]),  # not a kind waiting here: no filter
        ("office=abc", ["other_aid", "aid", "card"]),
    ],
)
def test_the_queue_filters_by_kind_and_office(
    login_as, queue, city_supervisor, office, other_office, query, expected
):
    query = query.format(office=office.pk, other_office=other_office.pk)

    page = login_as(city_supervisor).get(f"{URL}?{query}").content.decode()

    assert numbers(page) == [queue[key].number for key in expected]


def test_filtering_by_an_office_one_does_not_supervise_shows_nothing(
    login_as, queue, supervisor, other_office
):
    page = login_as(supervisor).get(f"{URL}?office={other_office.pk}").content.decode()

    assert numbers(page) == []
    assert "Nothing is waiting for approval." in page
    assert queue["other_aid"].number not in page
    # The office filter offers only the supervisor's own offices.
    assert f'<option value="{other_office.pk}"' not in page


def test_the_filter_keeps_its_choices(login_as, queue, city_supervisor, other_office):
    page = login_as(city_supervisor).get(f"{URL}?kind=HA&office={other_office.pk}")
    page = page.content.decode()

    assert '<option value="HA" selected>' in page
    assert f'<option value="{other_office.pk}" selected>' in page


def test_a_decision_takes_the_application_off_the_queue(login_as, queue, supervisor):
    client = login_as(supervisor)
    card = queue["card"]

    response = client.post(f"/cases/{card.number}/do/approve/", {"expected_state": "verified"})

    assert response.status_code == 302
    assert Case.objects.get(pk=card.pk).state == State.APPROVED
    assert numbers(client.get(URL).content.decode()) == [queue["aid"].number]


def test_an_aid_application_waiting_for_its_second_approval_stays_on_the_queue(
    login_as, office, caseworker, supervisor, dibao
):
    person = factories.WorkerFactory(office=office, created_by=caseworker)
    aid = steps.aid_at(
        State.RECOMMENDED, office=office, by=caseworker, worker=person, amount=Decimal("6000")
    )
    client = login_as(supervisor)
    client.post(f"/cases/{aid.number}/do/approve/", {"expected_state": "recommended"})

    page = client.get(URL).content.decode()

    assert numbers(page) == [aid.number]
    assert "¥6,000.00" in row_of(page, aid.number)


@pytest.mark.parametrize("who", ["caseworker", "auditor", "admin_user"])
def test_caseworkers_auditors_and_administrators_are_refused(request, login_as, queue, who):
    response = login_as(request.getfixturevalue(who)).get(URL)

    assert response.status_code == 403
    page = response.content.decode()
    assert "The approval queue is for supervisors." in page
    assert queue["aid"].number not in page


def test_an_anonymous_visitor_is_sent_to_log_in(login_as, queue):
    response = login_as(None).get(f"{URL}?kind=HA")

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(URL + '?kind=HA')}"


def test_the_queue_shows_nothing_waiting_when_nothing_is(login_as, supervisor):
    page = login_as(supervisor).get(URL).content.decode()

    assert "Nothing is waiting for approval." in page
    assert "0 items waiting" in page


# --- query budget ----------------------------------------------------------------------------


def add_waiting(office, by, count: int) -> None:
    """`count` waiting applications, half aid and half cards, each of its own worker."""
    for i in range(count):
        if i % 2:
            person = steps.member_worker(office, by)
            steps.card_at(State.VERIFIED, office=office, by=by, worker=person)
        else:
            person = factories.WorkerFactory(office=office, created_by=by)
            steps.aid_at(State.RECOMMENDED, office=office, by=by, worker=person)


def test_a_page_of_50_costs_the_same_queries_as_10(
    login_as, office, caseworker, city_supervisor, dibao, django_assert_max_num_queries
):
    client = login_as(city_supervisor)
    add_waiting(office, caseworker, 10)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(URL).content.decode()
    assert len(numbers(page)) == 10
    add_waiting(office, caseworker, 45)

    with django_assert_max_num_queries(len(ten.captured_queries)):
        page = client.get(URL).content.decode()

    assert len(numbers(page)) == 50  # a full page
    assert "55 items waiting" in page and "Page 1 of 2" in page


def test_each_page_holds_the_next_oldest(login_as, queue, city_supervisor, monkeypatch):
    monkeypatch.setattr("assistance.views.APPROVALS_PER_PAGE", 2)
    client = login_as(city_supervisor)

    first = client.get(URL).content.decode()
    second = client.get(URL + "?page=2").content.decode()

    assert numbers(first) == [queue["other_aid"].number, queue["aid"].number]
    assert numbers(second) == [queue["card"].number]
    assert "3 items waiting" in second


def test_an_office_that_is_not_a_number_filters_nothing_out_and_fails_nothing(
    login_as, queue, supervisor
):
    # "²" is a digit to str.isdigit() but no number to int().
    response = login_as(supervisor).get(URL + "?office=²")

    assert response.status_code == 200
    assert numbers(response.content.decode()) == [queue["aid"].number, queue["card"].number]
