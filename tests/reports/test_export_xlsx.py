"""The same rows as an XLSX workbook: amounts as numbers formatted as yuan, dates as
dates, formulas neutralised, a totals row, and the export audited like the CSV."""

import datetime
import hashlib
import io

import pytest
from openpyxl import load_workbook

from casework.models import AuditEntry
from reports import exports

pytestmark = pytest.mark.django_db

URL = "/audit/exports/finished-cases.xlsx"


def workbook(response):
    body = b"".join(response.streaming_content)
    return body, load_workbook(io.BytesIO(body))


def column(header: list[str], title: str) -> int:
    return header.index(title)


def test_the_workbook_holds_the_rows_with_numbers_dates_and_a_totals_row(
    login_as, auditor, cases, year_2026
):
    response = login_as(auditor).get(URL, year_2026)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="finished-cases-2026-01-01-2026-12-31.xlsx"'
    )
    _body, book = workbook(response)
    sheet = book["Finished cases"]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[:3] == ["case number", "kind", "office"]
    assert len(header) == len(exports.COLUMNS)
    data, totals = rows[1:-1], rows[-1]
    assert [r[0].value for r in data] == [
        cases[k].number for k in ("dispute", "dispute", "aid", "card", "declined")
    ]

    rider = data[0]
    claimed = rider[column(header, "amount claimed")]
    assert claimed.data_type == "n"
    assert claimed.value == 3000
    assert claimed.number_format == '"¥"#,##0.00'
    finished = rider[column(header, "finished")]
    assert finished.value.date() == datetime.date(
        2026, 4, 1
    )  # a date cell (openpyxl reads a datetime)
    assert finished.number_format == "yyyy-mm-dd"
    assert rider[column(header, "days open")].value == 31
    # A formula-looking name stays text, prefixed.
    worker = data[1][column(header, "worker")]
    assert (worker.data_type, worker.value) == ("s", '\'=HYPERLINK("http://x")')
    assert rider[column(header, "counterparty")].value == "'+某某配送平台; 曾都站点"
    aid = data[2]
    assert aid[column(header, "amount approved")].value == 6000
    assert aid[column(header, "amount claimed")].value is None

    assert totals[0].value == "Total"
    expected = {
        "amount claimed": 3000 * 3,  # two workers of the dispute, and the declined one
        "amount agreed": 3000 * 2,
        "amount recovered": 3000 * 2,
        "amount approved": 6000,
        "amount disbursed": 6000,
    }
    for title, amount in expected.items():
        cell = totals[column(header, title)]
        assert (cell.value, cell.number_format) == (amount, '"¥"#,##0.00'), title


def test_the_workbook_is_recorded_when_it_starts_and_when_it_finishes(
    login_as, auditor, cases, year_2026
):
    body, _book = workbook(login_as(auditor).get(URL, year_2026))

    started = AuditEntry.objects.get(action="export_started")
    finished = AuditEntry.objects.get(action="export_finished")
    assert started.details["format"] == finished.details["format"] == "xlsx"
    assert started.details["rows"] == finished.details["rows"] == 5
    assert finished.details["sha256"] == hashlib.sha256(body).hexdigest()
    assert finished.details["bytes"] == len(body)


def test_too_many_rows_for_a_worksheet_are_refused_with_a_way_out(
    login_as, auditor, cases, year_2026, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 6)  # room for 4 rows, 5 match

    response = login_as(auditor).get(URL, year_2026, follow=True)

    page = response.content.decode()
    assert "5 rows do not fit in one worksheet" in page
    assert response.redirect_chain[-1][0].startswith("/audit/exports/?")
    assert not AuditEntry.objects.filter(action__startswith="export").exists()
