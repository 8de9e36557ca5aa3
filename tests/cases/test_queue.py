"""The case queue: its tabs per role, its filters and sorting, and its query budget."""

import datetime
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases import services
from cases.models import Case, State
from tests import factories
from tests.conftest import search
from tests.factories import id_number, wage_dispute, walk_to

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr>\s*<td[^>]*><a class=\"case-number\"[^>]*>([^<]+)</a>.*?</tr>", re.DOTALL)
# The queries of a queue page whatever its length: session, user, roles, the
# supervisor's office and the offices under it, the count, the filter's assignee
# and office choices, the page of cases (with office and assignee), their workers,
# the union's display name (reference data) and the header's counts (one query).
QUEUE_QUERY_BUDGET = 12
# A search looks its matching cases up first (Case.objects.search): one more.
SEARCH_QUERY_BUDGET = QUEUE_QUERY_BUDGET + 1


def rows(response) -> dict[str, str]:
    """The queue's rows, by case number, in the order shown."""
    assert response.status_code == 200
    return {m[1]: m[0] for m in ROW.finditer(response.content.decode())}


def numbers(response) -> list[str]:
    return list(rows(response))


def count_text(response) -> str:
    match = re.search(r'<p class="count">([^<]*)</p>', response.content.decode())
    assert match, "no case count on the page"
    return match[1]


def set_fields(case, **fields):
    """Put a case where a test needs it (dates, deadlines) without the services."""
    Case.objects.filter(pk=case.pk).update(**fields)


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


# --- the query budget ---------------------------------------------------------------------------


def open_cases(office, n, *, staff, workers_each=2):
    """`n` open cases of the office, each with its own workers, spread over `staff`."""
    made = []
    for i in range(n):
        people = [factories.WorkerFactory(office=office) for _ in range(workers_each)]
        dispute = wage_dispute(office, by=staff[0], workers=people, counterparty=False)
        assignee = staff[i % len(staff)]
        if assignee is not None:
            services.assign_case(case=dispute, to=assignee, by=staff[0])
        made.append(dispute)
    return made


def queue_queries(client, query="?view=office") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{query}")
    return len(rows(response)), len(queries)


def test_a_page_of_fifty_cases_costs_the_same_queries_as_a_page_of_ten(
    login_as, office, supervisor, caseworker, caseworker2, django_assert_max_num_queries
):
    client = login_as(supervisor)
    staff = [supervisor, caseworker, caseworker2, None]
    open_cases(office, 10, staff=staff)
    client.get("/cases/?view=office")  # the first request of a session may cost more

    shown_ten, ten = queue_queries(client)
    open_cases(office, 50, staff=staff, workers_each=1)
    shown_fifty, fifty = queue_queries(client)

    assert (shown_ten, shown_fifty) == (10, 50)
    assert count_text(client.get("/cases/?view=office")) == "60 cases"
    assert fifty == ten
    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET):
        client.get("/cases/?view=office")


@pytest.mark.parametrize(
    "query",
    [
        "?view=office&q=张",
        "?view=office&occupation=rider&sort=due",
        "?view=finished",
        "?view=intake",
        "?view=mine",
    ],
)
def test_filtered_and_other_queues_keep_to_the_same_budget(
    login_as, office, supervisor, caseworker, query, django_assert_max_num_queries
):
    open_cases(office, 12, staff=[supervisor, None], workers_each=2)
    for dispute in open_cases(office, 3, staff=[supervisor], workers_each=1):
        walk_to(dispute, State.DECLINED, supervisor)
    client = login_as(supervisor)
    client.get("/cases/")
    searching = "q=" in query
    if searching:  # a search posts; its results URL carries a token
        query = client.post("/cases/", dict(QueryDict(query[1:]).lists()))["Location"][7:]

    budget = SEARCH_QUERY_BUDGET if searching else QUEUE_QUERY_BUDGET
    with django_assert_max_num_queries(budget):
        response = client.get(f"/cases/{query}")

    assert response.status_code == 200


def test_the_second_page_shows_the_rest(login_as, office, supervisor):
    open_cases(office, 53, staff=[None], workers_each=1)
    client = login_as(supervisor)

    first = client.get("/cases/?view=office")
    second = client.get("/cases/?view=office&page=2")

    assert (len(rows(first)), len(rows(second))) == (50, 3)
    assert not set(numbers(first)) & set(numbers(second))
    assert "Page 2 of 2" in second.content.decode()
    assert 'href="?view=office&amp;page=1" rel="prev"' in second.content.decode()


# --- tabs per role -------------------------------------------------------------------------------


@pytest.fixture
def cases(office, other_office, caseworker, caseworker2, supervisor, other_caseworker):
    """One case of each kind a queue tells apart, named for what it is."""
    intake = wage_dispute(office, by=caseworker)
    mine = walk_to(wage_dispute(office, by=caseworker), State.ACCEPTED, caseworker)
    colleagues = walk_to(wage_dispute(office, by=caseworker2), State.INVESTIGATING, caseworker2)
    bosses = walk_to(wage_dispute(office, by=supervisor), State.INTAKE, supervisor)
    services.take_case(case=bosses, by=supervisor)
    finished = walk_to(wage_dispute(office, by=caseworker), State.DECLINED, caseworker)
    elsewhere = wage_dispute(other_office, by=other_caseworker)
    elsewhere_finished = walk_to(
        wage_dispute(other_office, by=other_caseworker), State.WITHDRAWN, other_caseworker
    )
    return {
        name: Case.objects.get(pk=case.pk).number
        for name, case in {
            "intake": intake,
            "mine": mine,
            "colleagues": colleagues,
            "bosses": bosses,
            "finished": finished,
            "elsewhere": elsewhere,
            "elsewhere_finished": elsewhere_finished,
        }.items()
    }


TABS = [
    # who, tabs offered, the first (default) tab
    ("caseworker", ["mine", "intake", "finished", "all"]),
    ("supervisor", ["mine", "intake", "office", "finished", "all"]),
    ("auditor", ["finished"]),
]


@pytest.mark.parametrize(("who", "tabs"), TABS)
def test_each_role_is_offered_its_own_queues_and_opens_on_the_first(
    request, login_as, cases, who, tabs
):
    client = login_as(request.getfixturevalue(who))

    page = client.get("/cases/").content.decode()

    offered = re.findall(
        r'<a href="\?view=(\w+)"', page.split('class="tabs"')[1].split("</nav>")[0]
    )
    assert offered == tabs
    assert f'<a href="?view={tabs[0]}" aria-current="page">' in page


QUEUES = [
    # who, view asked for, cases shown
    ("caseworker", "mine", {"mine"}),
    ("caseworker", "intake", {"intake"}),
    ("caseworker", "office", {"mine"}),  # not theirs: they get their own queue
    ("caseworker", "finished", {"finished"}),  # the ones they handled
    ("caseworker2", "mine", {"colleagues"}),
    ("caseworker2", "intake", {"intake"}),
    ("other_caseworker", "intake", {"elsewhere"}),
    ("supervisor", "mine", {"bosses"}),
    ("supervisor", "intake", {"intake"}),
    ("supervisor", "office", {"intake", "mine", "colleagues", "bosses"}),
    ("supervisor", "finished", {"finished"}),
    ("other_supervisor", "office", {"elsewhere"}),
    (
        "city_supervisor",
        "office",
        {"intake", "mine", "colleagues", "bosses", "elsewhere"},
    ),
    ("city_supervisor", "finished", {"finished", "elsewhere_finished"}),
    ("auditor", "finished", {"finished", "elsewhere_finished"}),
    ("auditor", "office", {"finished", "elsewhere_finished"}),  # open cases are not theirs
]


@pytest.mark.parametrize(("who", "view", "expected"), QUEUES)
def test_each_queue_shows_the_cases_it_holds_for_that_role(
    request, login_as, cases, who, view, expected
):
    client = login_as(request.getfixturevalue(who))

    response = client.get(f"/cases/?view={view}")

    assert set(numbers(response)) == {cases[name] for name in expected}
    n = len(expected)
    assert count_text(response) == (f"{n} case" if n == 1 else f"{n} cases")


def test_the_finished_queue_shows_when_and_how_each_case_finished(login_as, cases, auditor):
    response = login_as(auditor).get("/cases/?view=finished")

    row = rows(response)[cases["finished"]]
    assert timezone.localdate().isoformat() in row
    assert "Declined" in row


@pytest.mark.parametrize(
    ("who", "view", "text"),
    [
        (
            "caseworker",
            "intake",
            "The intake queue is empty: every new application has been taken.",
        ),
        (
            "caseworker",
            "mine",
            "You have no open cases. Take one from the intake queue, or record a new application.",
        ),
        (
            "supervisor",
            "office",
            "No cases match these filters. Clear the filters or widen the dates.",
        ),
        (
            "auditor",
            "finished",
            "No cases match these filters. Clear the filters or widen the dates.",
        ),
    ],
)
def test_an_empty_queue_says_why_and_what_to_do(request, login_as, who, view, text):
    client = login_as(request.getfixturevalue(who))

    response = client.get(f"/cases/?view={view}")

    assert numbers(response) == []
    assert count_text(response) == "0 cases"
    assert text in response.content.decode()


def test_an_account_without_a_role_has_no_queue(login_as, office):
    nobody = factories.UserFactory(username="new.hire", office=office)

    response = login_as(nobody).get("/cases/")

    assert response.status_code == 403
    assert "Your account has no role yet; ask an administrator." in response.content.decode()


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def rider():
    return {"name": "欧阳骑手", "phone": "13811112222", "id_number": id_number(901)}


@pytest.fixture
def board(office, other_office, caseworker, caseworker2, other_caseworker, rider):
    """Open cases told apart by every filter; `board[name]` is the case."""
    rider_worker = factories.WorkerFactory(office=office, occupation="rider", **rider)
    courier = factories.WorkerFactory(office=office, name="李快递", occupation="courier")
    driver = factories.WorkerFactory(office=office, name="王司机", occupation="truck_driver")
    made = {
        "rider intake": wage_dispute(office, by=caseworker, workers=[rider_worker]),
        "courier accepted": walk_to(
            wage_dispute(office, by=caseworker, workers=[courier]), State.ACCEPTED, caseworker
        ),
        "driver investigating": walk_to(
            wage_dispute(office, by=caseworker2, workers=[driver]),
            State.INVESTIGATING,
            caseworker2,
        ),
        "elsewhere": wage_dispute(other_office, by=other_caseworker),
    }
    today = timezone.localdate()
    set_fields(made["rider intake"], opened_at=days_ago(40), due_on=today + datetime.timedelta(2))
    set_fields(
        made["courier accepted"], opened_at=days_ago(20), due_on=today - datetime.timedelta(1)
    )
    set_fields(
        made["driver investigating"],
        opened_at=days_ago(5),
        due_on=today + datetime.timedelta(30),
    )
    set_fields(made["elsewhere"], opened_at=days_ago(1), due_on=today + datetime.timedelta(10))
    return {name: Case.objects.get(pk=case.pk) for name, case in made.items()}


def shown(client, query, board, view="office") -> list[str]:
    """The names of the board's cases the queue shows for `query`, in order."""
    by_number = {case.number: name for name, case in board.items()}
    if "q=" in query:  # a search posts (issue 16: no identifier in a URL)
        response = search(client, "/cases/", f"view={view}&{query}")
    else:
        response = client.get(f"/cases/?view={view}&{query}")
    return [by_number[n] for n in numbers(response)]


def _on(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


FILTERS = [
    # query, cases shown (in the default order: newest first)
    ("", ["elsewhere", "driver investigating", "courier accepted", "rider intake"]),
    ("state=accepted", ["courier accepted"]),
    ("state=closed", []),
    ("kind=WD", ["elsewhere", "driver investigating", "courier accepted", "rider intake"]),
    ("kind=HA", []),
    ("occupation=courier", ["courier accepted"]),
    ("occupation=truck_driver", ["driver investigating"]),
    ("clock=overdue", ["courier accepted"]),
    ("clock=soon", ["rider intake"]),
    (lambda: f"opened_after={_on(21)}", ["elsewhere", "driver investigating", "courier accepted"]),
    (lambda: f"opened_before={_on(20)}", ["courier accepted", "rider intake"]),
    (lambda: f"opened_after={_on(30)}&opened_before={_on(10)}", ["courier accepted"]),
    ("q=欧阳", ["rider intake"]),
    ("q=13811112222", ["rider intake"]),
    ("q=1111", ["rider intake"]),
    ("q=李快递&state=investigating", []),
    # A search joins workers; sorting the distinct rows must still work (PostgreSQL).
    ("q=WD-&sort=due", ["courier accepted", "rider intake", "elsewhere", "driver investigating"]),
    ("q=WD-&occupation=courier&sort=number", ["courier accepted"]),
    ("sort=due", ["courier accepted", "rider intake", "elsewhere", "driver investigating"]),
    (
        "sort=number",
        ["rider intake", "courier accepted", "driver investigating", "elsewhere"],
    ),
    ("sort=opened", ["rider intake", "courier accepted", "driver investigating", "elsewhere"]),
    ("sort=-opened", ["elsewhere", "driver investigating", "courier accepted", "rider intake"]),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    FILTERS,
    ids=[q if isinstance(q, str) else f"dates-{i}" for i, (q, _e) in enumerate(FILTERS)],
)
def test_the_queue_filters_and_sorts_as_asked(login_as, board, city_supervisor, query, expected):
    client = login_as(city_supervisor)
    query = query() if callable(query) else query

    assert shown(client, query, board) == expected


def test_the_queue_filters_by_office_and_assignee(
    login_as, board, city_supervisor, office, other_office, caseworker2
):
    client = login_as(city_supervisor)

    assert shown(client, f"office={other_office.pk}", board) == ["elsewhere"]
    assert set(shown(client, f"office={office.pk}", board)) == {
        "rider intake",
        "courier accepted",
        "driver investigating",
    }
    assert shown(client, f"assignee={caseworker2.pk}", board) == ["driver investigating"]


@pytest.mark.parametrize("cap", [None, 0], ids=["by ids", "past the cap, by filter"])
@pytest.mark.parametrize("how", ["number", "lower-case number", "name", "phone", "full ID"])
def test_the_queue_finds_a_case_by_number_name_phone_or_full_id(
    login_as, board, supervisor, rider, how, cap, monkeypatch
):
    # A search lists its matching cases by id up to a cap; past it, as a filter.
    if cap is not None:
        monkeypatch.setattr("cases.models.core.SEARCH_CANDIDATES", cap)
    number = board["rider intake"].number
    text = {
        "number": number,
        "lower-case number": number.lower(),
        "name": rider["name"],
        "phone": rider["phone"],
        "full ID": rider["id_number"],
    }[how]

    assert shown(login_as(supervisor), f"q={text}", board) == ["rider intake"]


def test_part_of_an_id_number_finds_nothing(login_as, board, supervisor, rider):
    # IDs are found by exact match only: they are stored as a keyed hash.
    assert shown(login_as(supervisor), f"q={rider['id_number'][:17]}", board) == []


def test_a_caseworker_cannot_see_another_offices_cases_by_filtering_for_that_office(
    login_as, board, caseworker, other_office
):
    client = login_as(caseworker)

    response = client.get(f"/cases/?view=intake&office={other_office.pk}")

    assert board["elsewhere"].number not in response.content.decode()


def test_a_search_does_not_reach_past_what_the_user_may_see(
    login_as, board, other_caseworker, rider
):
    client = login_as(other_caseworker)

    for text in (board["rider intake"].number, rider["name"], rider["id_number"]):
        response = search(client, "/cases/", view="intake", q=text)
        assert numbers(response) == []


def test_a_filtered_queue_keeps_its_filters_in_the_form_and_the_page_links(
    login_as, office, supervisor
):
    open_cases(office, 52, staff=[None], workers_each=1)
    client = login_as(supervisor)

    response = client.get("/cases/?view=office&state=intake&sort=due")

    page = response.content.decode()
    assert '<option value="intake" selected>' in page
    assert 'href="?view=office&amp;state=intake&amp;sort=due&amp;page=2" rel="next"' in page


def test_the_finished_queue_lists_the_latest_finished_first(login_as, office, supervisor):
    finished = [
        walk_to(wage_dispute(office, by=supervisor), State.DECLINED, supervisor) for _ in range(3)
    ]
    # Finished in the order 2, 0, 1: not the order they were opened in.
    for case, days in zip(finished, [5, 1, 10], strict=True):
        set_fields(case, finished_at=days_ago(days))
    client = login_as(supervisor)
    by_finishing = [finished[1].number, finished[0].number, finished[2].number]

    assert numbers(client.get("/cases/?view=finished")) == by_finishing
    assert numbers(client.get("/cases/?view=finished&sort=-finished")) == by_finishing
    assert numbers(client.get("/cases/?view=finished&sort=number")) == [
        case.number for case in finished
    ]


def test_the_queue_shows_how_overdue_or_near_a_deadline_is(login_as, board, supervisor):
    response = login_as(supervisor).get("/cases/?view=office")

    shown_rows = rows(response)
    assert "overdue by 1 day" in shown_rows[board["courier accepted"].number]
    assert "2 days left" in shown_rows[board["rider intake"].number]
    assert "30 days left" in shown_rows[board["driver investigating"].number]


def test_opened_dates_are_china_dates_not_utc_dates(login_as, office, supervisor):
    from zoneinfo import ZoneInfo

    china = ZoneInfo("Asia/Shanghai")
    late = wage_dispute(office, by=supervisor)  # 23:30 on 1 May in China, 15:30 UTC
    early = wage_dispute(office, by=supervisor)  # 00:30 on 2 May in China, still 1 May UTC
    set_fields(late, opened_at=datetime.datetime(2026, 5, 1, 23, 30, tzinfo=china))
    set_fields(early, opened_at=datetime.datetime(2026, 5, 2, 0, 30, tzinfo=china))
    client = login_as(supervisor)

    on_first = client.get("/cases/?view=office&opened_after=2026-05-01&opened_before=2026-05-01")
    on_second = client.get("/cases/?view=office&opened_after=2026-05-02&opened_before=2026-05-02")

    assert numbers(on_first) == [late.number]
    assert numbers(on_second) == [early.number]
    assert "2026-05-02" in rows(on_second)[early.number]


@pytest.mark.parametrize(
    "value, message",
    [
        ("9999-12-31", "Enter a date from 1900-01-01 to 2999-12-31."),
        ("2026-13-01", "Enter a valid date."),
    ],
)
def test_an_opened_date_out_of_range_is_refused_next_to_its_field(
    login_as, office, supervisor, value, message
):
    case = wage_dispute(office, by=supervisor)
    with translation.override("en"):
        response = login_as(supervisor).get(f"/cases/?view=office&opened_before={value}")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="error" id="id_opened_before_error">{message}</p>' in html
    # The other filters still apply; the refused one is left out.
    assert numbers(response) == [case.number]


def test_the_all_cases_view_lists_open_and_finished_cases_the_user_may_see(
    office, caseworker, supervisor, login_as
):
    from tests import factories

    open_case = factories.wage_dispute(office, by=caseworker, state="mediating")
    done = factories.wage_dispute(office, by=caseworker, state="declined")
    page = login_as(supervisor).get("/cases/", {"view": "all"})
    shown = {case.number for case in page.context["page"]}
    assert {open_case.number, done.number} <= shown
    finished_only = login_as(supervisor).get(
        "/cases/", {"view": "all", "finished_after": "2000-01-01"}
    )
    assert {case.number for case in finished_only.context["page"]} == {done.number}


def test_the_figures_hidden_date_filters_show_nothing(login_as, supervisor):
    # The figures page's links carry dates in hidden inputs; nothing of them shows.
    html = login_as(supervisor).get("/cases/?view=office").content.decode()
    start = html.index('<form class="filters"')
    before_fields = html[html.index(">", start) + 1 : html.index('<div class="field', start)]
    assert 'name="approved_after"' in before_fields
    assert re.sub(r"<input[^>]*>|\s", "", before_fields) == ""


@pytest.mark.parametrize(
    "query, field, message",
    [
        (
            "assignee=99999",
            "assignee",
            "Not a colleague in your offices (they may have moved or left): choose another.",
        ),
        ("office=99999", "office", "Not an office whose cases you may see."),
    ],
)
def test_an_office_or_assignee_one_may_not_see_matches_nothing(
    login_as, office, supervisor, query, field, message
):
    wage_dispute(office, by=supervisor)
    with translation.override("en"):
        response = login_as(supervisor).get(f"/cases/?view=office&{query}")

    assert f'<p class="error" id="id_{field}_error">{message}</p>' in response.content.decode()
    assert numbers(response) == []


def test_a_far_year_in_a_date_range_is_refused_not_a_server_error(login_as, office, supervisor):
    case = wage_dispute(office, by=supervisor)
    client = login_as(supervisor)
    with translation.override("en"):
        finished = client.get("/cases/?view=all&finished_after=0001-01-01")
        hidden = client.get("/cases/?view=all&approved_after=0001-01-01")

    message = "Enter a date from 1900-01-01 to 2999-12-31."
    assert finished.status_code == 200 and message in finished.content.decode()
    # A hidden filter (set by the figures page's links) says what was refused too.
    assert hidden.status_code == 200
    assert f'<p class="error">Aid approved: {message}</p>' in hidden.content.decode()
    assert numbers(hidden) == [case.number]
