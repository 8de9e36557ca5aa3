"""The audit log page: every case, open or finished, who did what and when, never
the content of an open case; filters by person, case, kind of event, office and
date; the filtered entries as CSV, itself an audited export."""

import datetime
import hashlib

import pytest

from cases import services
from casework.audit import Action, record
from casework.models import AuditEntry
from tests.reports.conftest import read_csv

pytestmark = pytest.mark.django_db

URL = "/audit/log/"
CSV = "/audit/log.csv"
SECRET_NOTE = "申请人透露其配偶患病的详细情况"
SECRET_MATTERS = "站点克扣配送费并威胁解约的具体经过"


@pytest.fixture
def open_case_content(cases, caseworker, caseworker2, supervisor):
    """Content written on the open dispute: a note on its assignment, changed particulars."""
    open_dispute = cases["open_dispute"]
    services.update_dispute(case=open_dispute, by=caseworker, matters=SECRET_MATTERS)
    services.assign_case(case=open_dispute, to=caseworker2, by=supervisor, note=SECRET_NOTE)
    return open_dispute


def test_the_log_shows_who_did_what_and_when_for_open_and_finished_cases(
    login_as, auditor, cases, open_case_content
):
    page = login_as(auditor).get(URL).content.decode()

    open_number, finished_number = open_case_content.number, cases["dispute"].number
    # An open case is listed (not linked: the auditor may not open it).
    assert f'<span class="case-number">{open_number}</span>' in page
    assert f'href="/cases/{open_number}/"' not in page
    assert f'<a class="case-number" href="/cases/{finished_number}/">{finished_number}</a>' in page
    assert "刘洋 (liu.yang)" in page  # who assigned the open case
    assert "Assignment" in page
    # Transitions of the open case show their states.
    assert "investigating → mediating" in page


def test_the_content_of_an_open_case_is_never_shown(login_as, auditor, cases, open_case_content):
    client = login_as(auditor)

    page = client.get(URL).content.decode()
    exported = b"".join(client.get(CSV).streaming_content).decode()

    for text in (SECRET_NOTE, SECRET_MATTERS):
        assert text not in page
        assert text not in exported
    assert "(open case: content not shown)" in page


def test_the_content_of_a_finished_case_is_shown(login_as, auditor, cases):
    record(Action.NOTE, by=cases["approvers"][0], case=cases["aid"], note="复核无误，同意归档")

    page = login_as(auditor).get(URL, {"case": cases["aid"].number}).content.decode()

    assert "复核无误，同意归档" in page


def test_the_log_filters_by_person(login_as, auditor, cases, other_caseworker):
    response = login_as(auditor).get(URL, {"actor": other_caseworker.pk})

    entries = response.context["page"].object_list
    assert {e.actor_name for e in entries} == {"王芳 (wang.fang)"}
    assert cases["declined"].number in {e.case.number for e in entries if e.case}


def test_the_log_filters_by_case(login_as, auditor, cases):
    number = cases["card"].number

    response = login_as(auditor).get(URL, {"case": number.lower()})

    entries = response.context["page"].object_list
    assert entries
    assert {e.case.number for e in entries} == {number}


def test_the_log_filters_by_kind_of_event(login_as, auditor, cases, client):
    client.post("/login/", {"username": "nobody", "password": "x"})

    response = login_as(auditor).get(URL, {"action": Action.LOGIN_FAILED})

    entries = response.context["page"].object_list
    assert [e.action for e in entries] == [Action.LOGIN_FAILED]
    assert "Failed login" in response.content.decode()


def test_the_log_filters_by_office(login_as, auditor, cases, other_office):
    response = login_as(auditor).get(URL, {"office": other_office.pk})

    entries = response.context["page"].object_list
    assert entries
    assert {e.office_id for e in entries} == {other_office.pk}


def test_the_log_filters_by_local_date(login_as, auditor, cases, today):
    client = login_as(auditor)
    day = datetime.timedelta(days=1)

    assert client.get(URL, {"date_from": today.isoformat()}).context["page"].paginator.count
    assert not client.get(URL, {"date_from": (today + day).isoformat()}).context["page"]
    assert not client.get(URL, {"date_to": (today - day).isoformat()}).context["page"]


def test_a_period_ending_before_it_starts_is_refused_next_to_its_end(login_as, auditor, cases):
    response = login_as(auditor).get(URL, {"date_from": "2026-05-01", "date_to": "2026-01-01"})

    assert response.status_code == 400
    assert response.context["filter"].form.errors == {
        "date_to": ["The end of the period is before its start."]
    }
    page = response.content.decode()
    assert '<p class="error">The end of the period is before its start.</p>' in page
    assert "/audit/log.csv" not in page  # no export of a filter that was refused


def test_the_log_page_costs_the_same_few_queries_for_many_entries(
    login_as, auditor, cases, django_assert_max_num_queries
):
    for n in range(60):  # a full page of entries of every sort
        record(Action.LOGIN_FAILED, details={"username": f"guess{n}"})
    client = login_as(auditor)

    with django_assert_max_num_queries(9):  # 8, and the header's unread notifications
        response = client.get(URL)

    assert len(response.context["rows"]) == 50


def test_the_filtered_entries_export_as_csv_and_the_export_is_audited(login_as, auditor, cases):
    number = cases["aid"].number

    response = login_as(auditor).get(CSV, {"case": number})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    body = b"".join(response.streaming_content)
    rows = read_csv(response.__class__(streaming_content=[body]))
    header, data = rows[0], rows[1:]
    assert header == [
        "time",
        "by (name)",
        "action",
        "case number",
        "office",
        "object type",
        "object id",
        "from state",
        "to state",
        "note",
        "details",
        "IP address",
    ]
    expected = AuditEntry.objects.filter(case__number=number)
    assert len(data) == expected.count()
    assert {row[3] for row in data} == {number}
    approvals = [row for row in data if row[2] == "approval"]
    assert {row[1] for row in approvals} == {"何平 (he.ping)", "马丽 (ma.li)"}
    assert {row[9] for row in approvals} == {"同意"}
    started = AuditEntry.objects.get(action="export_started")
    finished = AuditEntry.objects.get(action="export_finished")
    assert started.details["what"] == "audit_log"
    assert started.details["filters"]["case"] == number
    assert started.details["rows"] == finished.details["rows"] == len(data)
    assert finished.details["sha256"] == hashlib.sha256(body).hexdigest()


def test_an_exports_own_start_entry_is_not_one_of_its_rows(login_as, auditor, cases):
    response = login_as(auditor).get(CSV, {"action": Action.EXPORT_STARTED})

    rows = read_csv(response)
    assert rows[1:] == []
    assert AuditEntry.objects.get(action="export_finished").details["rows"] == 0


def test_a_formula_in_an_entry_is_neutralised_in_the_csv(login_as, auditor, caseworker):
    record(
        Action.LOGIN_FAILED, details={"username": "=cmd|' /C calc'!A0"}, note="=cmd|' /C calc'!A0"
    )

    rows = read_csv(login_as(auditor).get(CSV, {"action": Action.LOGIN_FAILED}))

    assert rows[1][9] == "'=cmd|' /C calc'!A0"  # the note opens its cell: made plain text
    assert rows[1][10].startswith("{")  # the details, as JSON: not a formula
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
