"""Workers' files: finding a worker, one person one file, revealing and editing the ID."""

import datetime
import re
from decimal import Decimal

import pytest

from cases import services
from cases.models import Payment, State, Worker
from casework.models import AuditEntry
from tests import factories
from tests.conftest import search
from tests.factories import id_number, wage_dispute, walk_to

pytestmark = pytest.mark.django_db

ID = id_number(321)
LIST_ROW = re.compile(r"<tr>\s*<td data-label=\"Name\">.*?</tr>", re.DOTALL)
CASE_ROW = re.compile(r"<tr>\s*<td data-label=\"Case number\">.*?</tr>", re.DOTALL)


@pytest.fixture
def zhou(office, caseworker):
    return factories.WorkerFactory(
        name="周小骑",
        phone="13987654321",
        id_number=ID,
        office=office,
        created_by=caseworker,
        employer="某外卖平台",
    )


def found(response) -> list[str]:
    assert response.status_code == 200
    return [
        re.search(r'<a href="/workers/\d+/">([^<]+)</a>', r)[1]
        for r in LIST_ROW.findall(response.content.decode())
    ]


# --- finding a worker ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "周小骑",
        "小骑",
        "13987654321",
        "139 8765 4321",
        "4321",
        ID,
        ID.lower(),
        f" {ID[:6]} {ID[6:]} ",
    ],
)
def test_a_worker_is_found_by_name_phone_or_full_id(login_as, caseworker, zhou, text):
    factories.WorkerFactory(name="王大锤", phone="13700000000", office=zhou.office)

    response = search(login_as(caseworker), "/workers/", q=text)

    assert found(response) == ["周小骑"]


def test_the_search_results_show_ids_and_phones_masked(login_as, caseworker, zhou):
    response = search(login_as(caseworker), "/workers/", q="周小骑")

    [row] = LIST_ROW.findall(response.content.decode())
    assert f"{ID[:6]}********{ID[-4:]}" in row
    assert "139****4321" in row
    assert ID not in row
    assert "13987654321" not in row


@pytest.mark.parametrize("text", [ID[:17], ID[:-1] + "0" if ID[-1] != "0" else ID[:-1] + "1"])
def test_part_of_an_id_number_or_a_wrong_one_finds_nobody(login_as, caseworker, zhou, text):
    response = search(login_as(caseworker), "/workers/", q=text)

    assert found(response) == []
    assert "No worker found." in response.content.decode()


def test_a_worker_of_another_office_is_not_listed_but_found_at_intake(
    login_as, other_caseworker, zhou
):
    client = login_as(other_caseworker)

    # Their file belongs to the offices that know them...
    assert found(search(client, "/workers/", q=ID)) == []
    assert client.get(f"/workers/{zhou.pk}/").status_code == 404
    # ...but an application can still name them, masked, so nobody registers them twice.
    intake = search(client, "/cases/new/", q=ID).content.decode()
    assert "周小骑" in intake
    assert f"{ID[:6]}********{ID[-4:]}" in intake


def test_the_workers_page_asks_for_a_search_before_listing_anyone(login_as, caseworker, zhou):
    response = login_as(caseworker).get("/workers/")

    assert found(response) == []
    assert "Search by name, phone number or the full 18-character ID number." in (
        response.content.decode()
    )


def test_registering_a_worker_with_an_id_on_file_leads_to_the_existing_record(
    login_as, caseworker, zhou
):
    client = login_as(caseworker)

    response = client.post(
        "/workers/new/",
        {
            "name": "周晓琪",
            "id_number": f"{ID[:6]} {ID[6:]}",
            "occupation": "rider",
            "residence": "urban",
            "consent": "on",
            "consent_scope": "同意",
        },
    )

    assert response.status_code == 400
    link = re.search(r'<a href="(/workers/\d+/)">周小骑</a>', response.content.decode())
    assert link and link[1] == f"/workers/{zhou.pk}/"
    assert Worker.objects.count() == 1
    assert "周小骑" in client.get(link[1]).content.decode()


# --- one person, one file ------------------------------------------------------------------------


@pytest.fixture
def files(office, other_office, caseworker, caseworker2, other_caseworker, zhou):
    """Zhou's cases: the caseworker's own, a colleague's, and one at another office."""
    own = walk_to(wage_dispute(office, by=caseworker, workers=[zhou]), State.ACCEPTED, caseworker)
    colleagues = walk_to(
        wage_dispute(office, by=caseworker2, workers=[zhou]), State.INVESTIGATING, caseworker2
    )
    elsewhere = walk_to(
        wage_dispute(other_office, by=other_caseworker, workers=[zhou]),
        State.DECLINED,
        other_caseworker,
    )
    return {"own": own, "colleagues": colleagues, "elsewhere": elsewhere}


def case_rows(response) -> dict[str, str]:
    assert response.status_code == 200
    rows = CASE_ROW.findall(response.content.decode())
    return {re.search(r'class="case-number"[^>]*>([^<]+)<', r)[1]: r for r in rows}


def test_the_worker_page_lists_every_case_of_the_worker(login_as, caseworker, zhou, files):
    response = login_as(caseworker).get(f"/workers/{zhou.pk}/")

    assert set(case_rows(response)) == {case.number for case in files.values()}


def test_cases_handled_by_others_show_number_kind_state_and_assignee_only(
    login_as, caseworker, zhou, files, caseworker2, other_caseworker
):
    rows = case_rows(login_as(caseworker).get(f"/workers/{zhou.pk}/"))

    own = rows[files["own"].number]
    assert f'<a class="case-number" href="/cases/{files["own"].number}/">' in own
    assert files["own"].office.name in own
    for name, state, assignee in [
        ("colleagues", "investigating", caseworker2),
        ("elsewhere", "declined", other_caseworker),
    ]:
        row = rows[files[name].number]
        assert "<a " not in row  # no link to a case the user may not open
        assert "wage dispute" in row
        assert state.capitalize() in row
        assert assignee.full_name in row
        assert files[name].office.name not in row
        assert row.count("—") == 2  # office and date opened withheld


def test_a_supervisor_of_the_office_can_open_every_case_of_the_office_from_the_file(
    login_as, supervisor, zhou, files
):
    rows = case_rows(login_as(supervisor).get(f"/workers/{zhou.pk}/"))

    for name in ("own", "colleagues"):
        assert f'href="/cases/{files[name].number}/"' in rows[files[name].number]
    assert "<a " not in rows[files["elsewhere"].number]


def test_an_auditor_sees_only_the_finished_cases_in_a_workers_file(login_as, auditor, zhou, files):
    rows = case_rows(login_as(auditor).get(f"/workers/{zhou.pk}/"))

    assert list(rows) == [files["elsewhere"].number]
    assert f'href="/cases/{files["elsewhere"].number}/"' in rows[files["elsewhere"].number]


def test_an_auditor_reads_a_workers_file_masked_and_cannot_change_it(
    login_as, auditor, zhou, files
):
    page = login_as(auditor).get(f"/workers/{zhou.pk}/").content.decode()

    assert f"{ID[:6]}********{ID[-4:]}" in page
    assert "139****4321" in page
    assert ID not in page
    assert "13987654321" not in page
    assert f"/workers/{zhou.pk}/edit/" not in page
    assert f"/workers/{zhou.pk}/reveal/" not in page
    assert "/cases/new/" not in page


def test_the_worker_page_shows_what_was_recovered_for_them_in_all(
    login_as, caseworker, office, zhou
):
    dispute = wage_dispute(office, by=caseworker, workers=[zhou], state=State.MEDIATING)
    for amount in ("1200.50", "800"):
        services.record_payment(
            case=dispute,
            by=caseworker,
            worker=zhou,
            paid_on=datetime.date(2026, 5, 8),
            amount=Decimal(amount),
            method=Payment.Method.WECHAT,
        )
    voided = services.record_payment(
        case=dispute,
        by=caseworker,
        worker=zhou,
        paid_on=datetime.date(2026, 5, 8),
        amount=Decimal("5000"),
        method=Payment.Method.CASH,
    )
    services.void_payment(payment=voided, by=caseworker, reason="录错金额")

    page = login_as(caseworker).get(f"/workers/{zhou.pk}/").content.decode()

    assert "¥2,000.50" in page
    assert "¥7,000.50" not in page


# --- revealing the full ID number --------------------------------------------------------------


def test_a_supervisor_sees_the_full_id_number_and_the_view_is_logged_without_it(
    login_as, supervisor, zhou
):
    client = login_as(supervisor)
    before = client.get(f"/workers/{zhou.pk}/").content.decode()
    assert ID not in before
    assert f'action="/workers/{zhou.pk}/reveal/"' in before

    response = client.post(f"/workers/{zhou.pk}/reveal/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'{ID} <span class="muted">(this view was logged)</span>' in page
    entry = AuditEntry.objects.get(action="id_revealed")
    assert (entry.actor, entry.object_id, entry.office_id) == (
        supervisor,
        str(zhou.pk),
        zhou.office_id,
    )
    logged = " ".join(
        [entry.note, entry.actor_name, entry.object_type, entry.object_id, str(entry.details)]
    )
    assert ID not in logged
    assert ID[6:14] not in logged  # not even the birth date
    # The next ordinary view is masked again.
    assert ID not in client.get(f"/workers/{zhou.pk}/").content.decode()


@pytest.mark.parametrize("who", ["caseworker", "caseworker2"])
def test_a_caseworker_may_not_reveal_an_id_number(request, login_as, zhou, who):
    client = login_as(request.getfixturevalue(who))
    assert "/reveal/" not in client.get(f"/workers/{zhou.pk}/").content.decode()

    response = client.post(f"/workers/{zhou.pk}/reveal/")

    assert response.status_code == 403
    assert "Your role may not see full ID numbers." in response.content.decode()
    assert ID not in response.content.decode()
    assert not AuditEntry.objects.filter(action="id_revealed").exists()


def test_a_supervisor_of_an_office_that_never_knew_the_worker_may_not_reveal_the_id(
    login_as, other_supervisor, zhou
):
    response = login_as(other_supervisor).post(f"/workers/{zhou.pk}/reveal/")

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="id_revealed").exists()


def test_revealing_needs_a_post(login_as, supervisor, zhou):
    response = login_as(supervisor).get(f"/workers/{zhou.pk}/reveal/")

    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="id_revealed").exists()


# --- editing ------------------------------------------------------------------------------------


def edit_data(worker, **fields):
    return {
        "name": worker.name,
        "phone": worker.phone,
        "id_number": "",
        "occupation": worker.occupation,
        "employer": worker.employer,
        "district": "",
        "residence": worker.residence,
        "membership_number": "",
        "joined_on": "",
        "consent_scope": worker.consent_scope,
        **fields,
    }


def test_the_edit_form_never_shows_the_full_id_number(login_as, caseworker, zhou):
    page = login_as(caseworker).get(f"/workers/{zhou.pk}/edit/").content.decode()

    assert ID not in page
    assert f"Leave empty to keep the stored number ({ID[:6]}********{ID[-4:]})." in page


def test_editing_with_the_id_field_left_empty_keeps_the_stored_number(login_as, caseworker, zhou):
    response = login_as(caseworker).post(
        f"/workers/{zhou.pk}/edit/", edit_data(zhou, employer="某快递公司")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/workers/{zhou.pk}/"
    worker = Worker.objects.get(pk=zhou.pk)
    assert worker.employer == "某快递公司"
    assert worker.id_number() == ID
    assert worker.id_masked == f"{ID[:6]}********{ID[-4:]}"
    entry = AuditEntry.objects.get(action="worker_edited")
    assert entry.details == {"fields": ["employer"]}


def test_editing_with_a_new_valid_id_number_replaces_it(login_as, caseworker, zhou):
    new_id = id_number(654)

    login_as(caseworker).post(f"/workers/{zhou.pk}/edit/", edit_data(zhou, id_number=new_id))

    worker = Worker.objects.get(pk=zhou.pk)
    assert worker.id_number() == new_id
    assert Worker.objects.with_id_number(new_id).get() == worker
    assert not Worker.objects.with_id_number(ID).exists()
    assert "id_number" in AuditEntry.objects.get(action="worker_edited").details["fields"]


def test_editing_to_another_workers_id_number_is_refused_with_a_link_to_them(
    login_as, caseworker, office, zhou, shown_field
):
    other = factories.WorkerFactory(name="吴师傅", id_number=id_number(655), office=office)

    response = login_as(caseworker).post(
        f"/workers/{zhou.pk}/edit/", edit_data(zhou, id_number=id_number(655))
    )

    assert response.status_code == 400
    errors, html = shown_field(response, "id_number")
    assert errors == ["A worker with this ID number is already registered: 吴师傅 (曾都区总工会)"]
    assert f'<a href="/workers/{other.pk}/">吴师傅</a>' in html
    assert Worker.objects.get(pk=zhou.pk).id_number() == ID
    assert not AuditEntry.objects.filter(action="worker_edited").exists()


def test_editing_with_a_bad_id_checksum_is_refused_and_keeps_the_stored_number(
    login_as, caseworker, zhou, shown_field
):
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")

    response = login_as(caseworker).post(
        f"/workers/{zhou.pk}/edit/", edit_data(zhou, id_number=bad)
    )

    assert response.status_code == 400
    assert shown_field(response, "id_number")[0] == [
        "Enter a valid 18-character national ID number; the last character is a checksum."
    ]
    assert Worker.objects.get(pk=zhou.pk).id_number() == ID


def test_a_worker_keeps_their_own_phone_number_when_edited(login_as, caseworker, zhou):
    # The duplicate check must not find the worker being edited.
    response = login_as(caseworker).post(
        f"/workers/{zhou.pk}/edit/", edit_data(zhou, name="周小琪")
    )

    assert response.status_code == 302
    assert Worker.objects.get(pk=zhou.pk).name == "周小琪"


def test_a_missing_worker_is_not_found(login_as, caseworker):
    client = login_as(caseworker)

    for url in ("/workers/999999/", "/workers/999999/edit/"):
        assert client.get(url).status_code == 404
