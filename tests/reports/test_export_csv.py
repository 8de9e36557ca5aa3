"""The finished-case CSV: one row per worker of each finished case, every column,
the user's language, neutralised formulas, open cases never, and every export
written to the audit log when it starts and when it finishes."""

import hashlib

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases import services
from casework.models import AuditEntry
from reports import exports
from reports import views as audit_views
from tests import factories
from tests.reports.conftest import read_csv, set_dates

pytestmark = pytest.mark.django_db

URL = "/audit/exports/finished-cases.csv"
HEADER = [
    "case number",
    "kind",
    "office",
    "worker",
    "ID number",
    "occupation group",
    "district",
    "counterparty",
    "unified social credit code",
    "assignee",
    "opened",
    "finished",
    "days open",
    "outcome",
    "amount claimed",
    "amount agreed",
    "amount recovered",
    "amount approved",
    "amount disbursed",
    "approved by",
    "card number",
    "valid from",
    "valid to",
]


def by_column(rows):
    header, *data = rows
    return [dict(zip(header, row, strict=True)) for row in data]


def test_the_csv_holds_one_row_per_worker_of_each_finished_case_with_every_column(
    login_as, auditor, cases, year_2026
):
    response = login_as(auditor).get(URL, year_2026)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="finished-cases-2026-01-01-2026-12-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == HEADER
    data = by_column(rows)
    dispute, aid, card, declined = (cases[k] for k in ("dispute", "aid", "card", "declined"))
    # In the order the cases finished; a collective case's workers together.
    assert [r["case number"] for r in data] == [
        dispute.number,
        dispute.number,
        aid.number,
        card.number,
        declined.number,
    ]
    rider, formula = data[0], data[1]
    assert rider == {
        "case number": dispute.number,
        "kind": "wage dispute",
        "office": "曾都区总工会",
        "worker": "王小明",
        "ID number": cases["rider"].id_masked,
        "occupation group": "food-delivery rider",
        "district": "曾都区",
        # The chain in the order it was recorded; a cell starting with + is neutralised.
        "counterparty": "'+某某配送平台; 曾都站点",
        "unified social credit code": f"{cases['platform'].credit_code}; —",
        "assignee": "张伟",
        # 2026-03-31 16:30 UTC is 00:30 on 1 April in China.
        "opened": "2026-03-01",
        "finished": "2026-04-01",
        "days open": "31",
        "outcome": "agreement performed",
        "amount claimed": "3000.00",
        "amount agreed": "3000.00",
        "amount recovered": "3000.00",
        "amount approved": "",
        "amount disbursed": "",
        "approved by": "",
        "card number": "",
        "valid from": "",
        "valid to": "",
    }
    assert formula["worker"] == '\'=HYPERLINK("http://x")'
    assert (formula["occupation group"], formula["district"]) == ("courier", "")
    assert formula["amount recovered"] == "3000.00"

    assert (data[2]["worker"], data[2]["outcome"]) == ("李桂兰", "aid disbursed")
    assert (data[2]["amount approved"], data[2]["amount disbursed"]) == ("6000.00", "6000.00")
    assert data[2]["approved by"] == "何平; 马丽"
    assert data[2]["amount claimed"] == data[2]["amount recovered"] == ""
    assert data[2]["counterparty"] == ""

    assert (data[3]["card number"], data[3]["outcome"]) == ("HGK-421300-000777", "card issued")
    stored = cases["card"]
    assert (data[3]["valid from"], data[3]["valid to"]) == (
        stored.valid_from.isoformat(),
        stored.valid_to.isoformat(),
    )

    assert (data[4]["office"], data[4]["outcome"]) == ("广水市总工会", "declined")
    # Declined before any payment: nothing recovered, and said so.
    assert (data[4]["amount claimed"], data[4]["amount recovered"]) == ("3000.00", "0.00")
    assert data[4]["assignee"] == "王芳"


def test_no_cell_holds_a_full_id_number(login_as, auditor, cases, year_2026):
    body = b"".join(login_as(auditor).get(URL, year_2026).streaming_content).decode()

    for worker in (cases["rider"], cases["formula"], cases["aid_worker"]):
        assert worker.id_number() not in body
        assert worker.id_masked in body


def test_open_cases_are_never_exported(login_as, auditor, cases, year_2026):
    # Even with a time of finishing inside the period: only the state decides.
    for key in ("open_dispute", "open_aid"):
        set_dates(cases[key], opened="2026-03-01 02:00", finished="2026-04-01 10:00")

    rows = read_csv(login_as(auditor).get(URL, year_2026))

    numbers = {row[0] for row in rows[1:]}
    assert cases["open_dispute"].number not in numbers
    assert cases["open_aid"].number not in numbers


def test_a_reopened_case_leaves_the_export(login_as, auditor, office, caseworker, supervisor):
    withdrawn = factories.wage_dispute(office, by=caseworker, state="withdrawn")
    client = login_as(auditor)
    assert withdrawn.number in {row[0] for row in read_csv(client.get(URL))[1:]}

    services.run_transition(case=withdrawn, name="reopen", by=supervisor, note="补充材料")

    assert withdrawn.number not in {row[0] for row in read_csv(client.get(URL))[1:]}


def test_the_column_titles_are_in_the_users_language(client, auditor, cases, year_2026):
    factories.sign_in(client, auditor)  # no language cookie: Simplified Chinese

    rows = read_csv(client.get(URL, year_2026))

    assert rows[0][:4] == ["案件编号", "类型", "单位", "劳动者"]
    assert "办结结果" in rows[0]
    with translation.override("zh-hans"):
        assert rows[0] == exports.headers()
    # The labels in the rows too.
    assert rows[1][1] == "劳动报酬争议"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kinds": ["HA"]}, ["aid"]),
        ({"kinds": ["WD", "MC"]}, ["dispute", "dispute", "card", "declined"]),
        ({"outcomes": ["declined"]}, ["declined"]),
        ({"occupations": ["courier"]}, ["dispute"]),
        # The period is of local dates: finished 00:30 on 1 April, China time.
        ({"finished_to": "2026-03-31"}, []),
        ({"finished_from": "2026-04-01", "finished_to": "2026-04-01"}, ["dispute", "dispute"]),
    ],
)
def test_the_filters_choose_the_rows(login_as, auditor, cases, year_2026, filters, expected):
    response = login_as(auditor).get(URL, {**year_2026, **filters})

    numbers = [row[0] for row in read_csv(response)[1:]]
    assert numbers == [cases[key].number for key in expected]


def test_an_office_filter_keeps_that_offices_cases(
    login_as, auditor, cases, other_office, year_2026
):
    response = login_as(auditor).get(URL, {**year_2026, "offices": [other_office.pk]})

    assert [row[0] for row in read_csv(response)[1:]] == [cases["declined"].number]


def test_a_district_filter_keeps_the_workers_who_live_there(
    login_as, auditor, cases, district, year_2026
):
    response = login_as(auditor).get(URL, {**year_2026, "districts": [district.pk]})

    rows = read_csv(response)[1:]
    assert [(row[0], row[3]) for row in rows] == [(cases["dispute"].number, "王小明")]


# --- the audit log -------------------------------------------------------------------------


def test_an_export_is_recorded_when_it_starts_and_when_it_finishes(
    login_as, auditor, cases, office, year_2026
):
    client = login_as(auditor)

    response = client.get(URL, {**year_2026, "kinds": ["WD"], "offices": [office.pk]})
    body = b"".join(response.streaming_content)

    started, finished = AuditEntry.objects.filter(
        action__in=["export_started", "export_finished"]
    ).order_by("pk")
    assert (started.action, finished.action) == ("export_started", "export_finished")
    for entry in (started, finished):
        assert (entry.actor, entry.actor_name, entry.ip) == (auditor, "孙丽 (sun.li)", "127.0.0.1")
    assert started.details == {
        "what": "finished_cases",
        "format": "csv",
        "filters": {
            "finished_from": "2026-01-01",
            "finished_to": "2026-12-31",
            "kinds": ["WD"],
            "offices": [office.pk],
            "office_names": ["曾都区总工会"],
            "outcomes": [],
            "occupations": [],
            "districts": [],
        },
        "rows": 2,
        # The chain head the export found: the entry just before its own.
        "audit_chain_head": {"seq": started.seq - 1, "hash": started.prev_hash},
    }
    assert finished.details == {
        "what": "finished_cases",
        "format": "csv",
        "started": started.pk,
        "rows": 2,
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }


def cut_off(user, query: dict, *, after: int) -> list[bytes]:
    """Ask the view for the CSV and hang up after `after` chunks, as a browser that
    goes away does: the server closes the response early."""
    request = RequestFactory().get(URL, query)
    request.user = user
    response = audit_views.export_csv(request)
    chunks = iter(response.streaming_content)
    received = [next(chunks) for _ in range(after)]
    # Closing fires request_finished; keep it from closing the test's connection.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return received


def test_a_download_cut_off_midway_leaves_only_the_start_entry(auditor, cases, year_2026):
    (header,) = cut_off(auditor, year_2026, after=1)

    assert header.startswith(b"\xef\xbb\xbf")
    assert AuditEntry.objects.filter(action="export_started").count() == 1
    assert not AuditEntry.objects.filter(action="export_finished").exists()


def test_a_download_cut_off_in_the_middle_of_the_rows_leaves_only_the_start_entry(
    login_as, auditor, cases, year_2026, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK_BYTES", 1)  # a chunk per row

    header, first_row = cut_off(auditor, year_2026, after=2)

    assert cases["dispute"].number.encode() in first_row
    assert AuditEntry.objects.filter(action="export_started").count() == 1
    assert not AuditEntry.objects.filter(action="export_finished").exists()
    # On PostgreSQL the COPY was cancelled; the connection serves the next request.
    response = login_as(auditor).get(URL, year_2026)
    assert len(read_csv(response)) == 1 + 5
    assert AuditEntry.objects.filter(action="export_finished").count() == 1


def test_an_invalid_period_exports_nothing_and_says_why(login_as, auditor, cases):
    response = login_as(auditor).get(
        URL, {"finished_from": "2026-12-31", "finished_to": "2026-01-01"}
    )

    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export").exists()


# --- the two paths: COPY on PostgreSQL, Python elsewhere --------------------------------------


def parsed(chunks) -> list[list[str]]:
    import csv
    import io

    body = b"".join(chunks)
    assert body.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(body[len(exports.BOM) :].decode())))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY is PostgreSQL's; SQLite has the Python path only",
)
def test_copy_and_python_give_identical_rows(cases, caseworker, office):
    # Quotes, separators and line breaks where CSV quoting matters.
    awkward = factories.CounterpartyFactory(name='@"甲, 乙"\n站点', credit_code="")
    worker = factories.WorkerFactory(office=office, created_by=caseworker, name="-张,三")
    dispute = factories.wage_dispute(office, by=caseworker, workers=[worker], counterparty=awkward)
    factories.walk_to(dispute, "withdrawn", caseworker, via="accepted")
    selection = exports.Selection()

    with translation.override("zh-hans"):
        copy_produced, python_produced = exports.Produced(), exports.Produced()
        by_copy = parsed(exports.case_csv(selection, copy_produced, via_copy=True))
        by_python = parsed(exports.case_csv(selection, python_produced, via_copy=False))

    assert by_copy == by_python
    assert len(by_copy) == 1 + 6
    assert copy_produced.rows == python_produced.rows == 6
    awkward_row = next(row for row in by_copy if row[0] == dispute.number)
    assert awkward_row[3] == "'-张,三"
    assert awkward_row[7] == '\'@"甲, 乙"\n站点'


def test_the_python_path_writes_what_the_copy_path_would(cases):
    """On SQLite this is the only path; its cells follow COPY's formats."""
    produced = exports.Produced()

    rows = parsed(exports.case_csv(exports.Selection(), produced, via_copy=False))

    assert produced.rows == len(rows) - 1 == 5
    assert all(len(row) == len(exports.COLUMNS) for row in rows)


def test_an_export_costs_a_fixed_number_of_queries_whatever_the_rows(
    login_as, auditor, cases, year_2026, office, caseworker
):
    # Counting queries swaps in Django's debug cursor: COPY must work through it too.
    client = login_as(auditor)

    def export() -> tuple[int, bytes]:
        with CaptureQueriesContext(connection) as queries:
            body = b"".join(client.get(URL, year_2026).streaming_content)
        return len(queries), body

    few, body = export()
    assert body.count(b"\n") == 1 + 5
    for _ in range(20):
        withdrawn = factories.wage_dispute(office, by=caseworker, state="withdrawn")
        set_dates(withdrawn, opened="2026-05-01 09:00", finished="2026-05-02 10:00")
    many, body = export()
    assert body.count(b"\n") == 1 + 5 + 20
    assert many == few <= 15


@pytest.mark.parametrize(
    "path",
    ["/audit/exports/finished-cases.csv", "/audit/exports/finished-cases.xlsx", "/audit/log.csv"],
)
def test_a_head_request_starts_no_export(login_as, auditor, path):
    # Link prefetchers and download managers send HEAD: it must not log an export
    # that never produced a byte.
    response = login_as(auditor).head(path)

    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="export_started").exists()
