"""The queue's rows written in Python (case_tags.queue_rows) give the markup the
template's loop gave, to the byte: the loop is kept here as it was in
templates/cases/queue.html and both render the same cases, in Chinese and in English."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cases.models import Case, State
from tests import factories
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

# templates/cases/queue.html's row loop before the tag, with the labels it used.
OLD_LOOP = Template(
    """{% load i18n labels case_tags %}{% translate "Case number" as l_number %}{% translate "Kind" as l_kind %}{% translate "Workers" as l_workers %}{% translate "Office" as l_office %}{% translate "Assignee" as l_assignee %}{% translate "State" as l_state %}{% translate "Priority" as l_priority %}{% translate "Opened" as l_opened %}{% translate "Finished" as l_finished %}{% translate "Deadline" as l_deadline %}{% for case in page %}
  <tr>
    <td data-label="{{ l_number }}"><a class="case-number" href="{{ case.get_absolute_url }}">{{ case.number }}</a></td>
    <td data-label="{{ l_kind }}">{{ case|label:"kind"|capfirst }}</td>
    <td data-label="{{ l_workers }}">{% worker_names case %}</td>
    <td data-label="{{ l_office }}">{{ case.office.short_name|default:case.office.name }}</td>
    <td data-label="{{ l_assignee }}">{{ case.assignee|default:_("Unassigned") }}</td>
    <td data-label="{{ l_state }}">{% state_badge case %}</td>
    <td data-label="{{ l_priority }}">{% if case.priority != "normal" %}<span class="priority priority-{{ case.priority }}">{{ case|label:"priority" }}</span>{% else %}{{ case|label:"priority"|capfirst }}{% endif %}</td>
    <td data-label="{{ l_opened }}" class="date">{{ case.opened_at|date:"Y-m-d" }}</td>
    <td data-label="{% if view == 'finished' %}{{ l_finished }}{% else %}{{ l_deadline }}{% endif %}">{% if view == "finished" or case.is_finished %}<span class="date">{{ case.finished_at|date:"Y-m-d" }}</span> {{ case|label:"outcome"|capfirst }}{% else %}{% due case %}{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501
)
NEW_LOOP = Template("{% load case_tags %}{% queue_rows page view %}")

VIEWS = ["mine", "intake", "office", "finished", "all"]
LANGUAGES = ["zh-hans", "en"]
AWKWARD = "<b>&amp;\"q\" & 'x'</b>"  # short enough for a short name (30)


def set_fields(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)


def render(template, cases, view) -> str:
    return template.render(Context({"page": cases, "view": view}))


@pytest.fixture
def board(city, office, supervisor, caseworker):
    """Cases of every sort a row shows, read as the queue reads them."""
    today = timezone.localdate()
    awkward_office = factories.OfficeFactory(name=f"{AWKWARD}总工会", short_name="", parent=city)
    short_office = factories.OfficeFactory(
        name="随县总工会", short_name=f"随县{AWKWARD}", parent=city
    )
    awkward_worker = factories.caseworker(
        awkward_office, username="awkward", full_name=f"张{AWKWARD}"
    )
    nameless = factories.caseworker(office, username="no.name", full_name="")
    many = [factories.WorkerFactory(office=office, name=f"工人{i}{AWKWARD}") for i in range(5)]
    made = {
        "many workers": walk_to(
            wage_dispute(office, by=caseworker, workers=many), State.INVESTIGATING, caseworker
        ),
        "four workers": wage_dispute(office, by=caseworker, workers=many[:4]),
        "three workers": wage_dispute(office, by=caseworker, workers=many[:3]),
        "overdue": walk_to(wage_dispute(office, by=caseworker), State.ACCEPTED, caseworker),
        "due soon, provisional": walk_to(
            wage_dispute(office, by=caseworker), State.MEDIATING, caseworker
        ),
        "due later": walk_to(wage_dispute(office, by=nameless), State.ACCEPTED, nameless),
        "unassigned": wage_dispute(office, by=caseworker),
        "declined": walk_to(wage_dispute(office, by=supervisor), State.DECLINED, supervisor),
        "closed": walk_to(wage_dispute(office, by=caseworker), State.CLOSED, caseworker),
        "awkward office": walk_to(
            wage_dispute(awkward_office, by=awkward_worker), State.ACCEPTED, awkward_worker
        ),
        "short name": wage_dispute(short_office),
    }
    china = ZoneInfo("Asia/Shanghai")
    set_fields(made["many workers"], priority="urgent", due_on=today + datetime.timedelta(30))
    set_fields(
        made["overdue"],
        priority="high",
        due_on=today - datetime.timedelta(3),
        # 1 May in UTC, 2 May in China: the page shows China's date.
        opened_at=datetime.datetime(2026, 5, 2, 0, 30, tzinfo=china),
    )
    set_fields(
        made["due soon, provisional"],
        due_on=today + datetime.timedelta(1),
        due_provisional=True,
    )
    set_fields(made["due later"], due_on=today + datetime.timedelta(10))
    set_fields(made["unassigned"], due_on=None, priority="urgent")
    set_fields(made["closed"], finished_at=datetime.datetime(2026, 6, 30, 23, 59, tzinfo=china))
    set_fields(made["declined"], priority="high")
    pks = [case.pk for case in made.values()]
    return list(Case.objects.filter(pk__in=pks).for_list().order_by("number"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("view", VIEWS)
def test_the_tag_gives_the_loops_markup(board, view, language):
    with translation.override(language):
        old = render(OLD_LOOP, board, view)
        new = render(NEW_LOOP, board, view)

    assert new == old
    assert old.count("<tr>") == len(board)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rows_show_what_they_should(board, language):
    """The comparison above is only worth the cases it covers."""
    with translation.override(language):
        html = render(NEW_LOOP, board, "all")

    assert "&lt;b&gt;&amp;amp;&quot;q&quot; &amp; &#x27;x&#x27;&lt;/b&gt;" in html
    assert "<b>" not in html
    for needle in (
        "priority-urgent",
        "priority-high",
        "badge-overdue",
        'class="provisional"',
        "2026-05-02",
        "2026-06-30",
        "due-soon",
    ):
        assert needle in html, needle
    with translation.override(language):
        assert translation.gettext("Unassigned") in html


def test_an_empty_page_has_no_rows():
    assert render(NEW_LOOP, [], "office") == render(OLD_LOOP, [], "office") == ""


def test_the_queue_page_shows_the_loops_rows(login_as, office, supervisor, board):
    """On the page itself, between the table body's tags as the loop had them."""
    client = login_as(supervisor)

    response = client.get("/cases/?view=all")

    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.object_list) > 5
    with translation.override("en"):
        old = render(OLD_LOOP, page, "all")
    assert f"<tbody>\n  {old}\n  </tbody>" in response.content.decode()
