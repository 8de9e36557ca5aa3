"""The reads: finished cases as the auditors' export, the figures as the figures page,
membership applications; each within its token's offices."""

import datetime

import pytest
from django.utils import translation

from api.models import Scope
from casework.models import AuditEntry
from members.models import MembershipApplication
from reports import exports, figures, summary
from reports.figure_tables import tables
from tests import factories

YEAR = {"finished_from": "2026-01-01", "finished_to": "2026-12-31"}


def export_rows(offices, **filters) -> list[list]:
    """What the auditors' export gives, as the API shows it (JSON)."""
    selection = exports.Selection(
        finished_from=datetime.date(2026, 1, 1),
        finished_to=datetime.date(2026, 12, 31),
        offices=tuple(offices),
        **filters,
    )
    with translation.override("en"):
        return [exports.without_sort_keys(row) for row in exports.rows(selection)]


def shown(row: dict) -> list:
    return [row[name] for name in exports.NAMES]


def as_json(value):
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return f"{value:.2f}"  # an amount, in yuan to the fen


def test_finished_cases_are_the_exports_rows_page_by_page(call, issue, city, cases):
    key = issue(Scope.FINISHED, city)
    expected = [[as_json(v) for v in row] for row in export_rows([])]
    assert len(expected) == 5  # the collective dispute's two workers, aid, card, declined
    got, page, pages = [], call("get", "finished-cases/", key, page_size=2, **YEAR), 0
    while True:
        assert page.status_code == 200, page.json()
        pages += 1
        got += [shown(row) for row in page.json()["results"]]
        if not page.json()["next"]:
            break
        page = call("get", page.json()["next"], key)
    assert got == expected and pages == 3


def test_a_token_reads_only_its_offices_finished_cases(call, issue, office, other_office, cases):
    key = issue(Scope.FINISHED, office)
    rows = call("get", "finished-cases/", key, **YEAR).json()["results"]
    assert {row["case_number"] for row in rows} == {
        cases[name].number for name in ("dispute", "aid", "card")
    }
    assert call("get", "finished-cases/", key, offices=other_office.pk, **YEAR).status_code == 400
    declined = cases["declined"].number
    assert call("get", f"finished-cases/{declined}/", key).status_code == 404
    assert call("get", f"cases/{declined}/", key).status_code == 404


def test_one_finished_case_and_no_open_one(call, issue, city, cases):
    key = issue(Scope.FINISHED, city)
    answer = call("get", f"finished-cases/{cases['dispute'].number}/", key)
    assert answer.status_code == 200
    assert answer.json()["stage"]["state"] == "closed"
    # As stored: JSON is no spreadsheet, so a formula-looking name is not neutralised.
    assert sorted(r["worker_name"] for r in answer.json()["rows"]) == sorted(
        [cases["rider"].name, cases["formula"].name]
    )
    assert call("get", f"finished-cases/{cases['open_dispute'].number}/", key).status_code == 404
    assert call("get", f"cases/{cases['open_dispute'].number}/", key).status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [
        ({"finished_from": "2026-13-01", "finished_to": "2026-12-31"}, "finished_from"),
        ({"finished_from": "2026-12-31", "finished_to": "2026-01-01"}, "finished_to"),
        ({**YEAR, "kinds": "XX"}, "kinds"),
        ({**YEAR, "cursor": "forged"}, "cursor"),
        ({**YEAR, "page_size": "0"}, "page_size"),
        ({**YEAR, "page_size": "501"}, "page_size"),
        ({"finished_from": "9999-12-31", "finished_to": "9999-12-31"}, "finished_to"),
    ],
)
def test_bad_export_queries_are_refused_next_to_their_field(call, issue, city, query, field):
    answer = call("get", "finished-cases/", issue(Scope.FINISHED, city), **query)
    assert answer.status_code == 400
    assert field in answer.json()


def test_the_figures_are_the_figures_pages_tables(call, issue, office, cases):
    key = issue(Scope.FIGURES, office)
    query = {"period": "custom", "start": "2026-01-01", "end": "2026-12-31"}
    answer = call("get", "figures/", key, **query)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    scope = figures.Scope(frozenset({office.pk}))
    with translation.override("en"):
        page = tables(
            summary.compute(
                figures.Filters(scope=scope),
                figures.Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
            )
        )
    assert [t["name"] for t in body["tables"]] == list(page)
    headline = body["tables"][0]
    assert headline["title"] == page["headline"].title
    assert len(headline["rows"]) == len(page["headline"].rows)
    cells = [cell for table in body["tables"] for row in table["rows"] for cell in row]
    assert "6000.00" in cells  # the aid disbursed, in yuan to the fen
    assert body["period"] == {"start": "2026-01-01", "end": "2026-12-31"}


def test_figures_of_another_office_are_refused(call, issue, office, other_office, cases):
    key = issue(Scope.FIGURES, office)
    answer = call("get", "figures/", key, period="last_12_months", office=other_office.pk)
    assert answer.status_code == 400 and "office" in answer.json()
    bad = call("get", "figures/", key, period="custom", start="2026-05-01", end="2026-04-01")
    assert bad.status_code == 400 and "end" in bad.json()


def test_membership_applications_of_the_tokens_offices(call, issue, office, other_office):
    from members import services

    def apply(at_office, name, mobile):
        return services.submit_application(
            office=at_office,
            source="desk",
            name=name,
            mobile=mobile,
            id_number=factories.id_number(int(mobile[-4:])),
            occupation="rider",
            employer="",
            district=None,
            consent_purposes=True,
            consent_contact=False,
        )

    mine = [apply(office, f"申请人{n}", f"1390722{n:04d}") for n in range(3)]
    apply(other_office, "别处", "13907229999")
    key = issue(Scope.MEMBERSHIP, office)
    first = call("get", "membership/applications/", key, page_size=2)
    assert first.status_code == 200, first.json()
    second = call("get", first.json()["next"], key)
    names = [a["name"] for a in first.json()["results"] + second.json()["results"]]
    assert names == [a.name for a in mine] and second.json()["next"] is None
    assert call("get", "membership/applications/", key, state="approved").json()["results"] == []
    assert call("get", "membership/applications/", key, state="nope").status_code == 400
    assert MembershipApplication.objects.count() == 4


@pytest.mark.parametrize("scope", [Scope.INTAKE, Scope.FIGURES, Scope.MEMBERSHIP])
def test_other_scopes_read_no_finished_case(call, issue, city, cases, scope):
    key = issue(scope, city)
    assert call("get", "finished-cases/", key, **YEAR).status_code == 403
    assert call("get", f"finished-cases/{cases['dispute'].number}/", key).status_code == 403


@pytest.mark.parametrize(
    "path", ["figures/", "membership/applications/", "finished-cases/", "cases/X/"]
)
def test_scopes_are_kept_apart(call, issue, city, path):
    allowed = {
        "figures/": {Scope.FIGURES},
        "membership/applications/": {Scope.MEMBERSHIP},
        "finished-cases/": {Scope.FINISHED},
        "cases/X/": {Scope.INTAKE, Scope.FINISHED},
    }[path]
    for scope in set(Scope) - allowed:
        assert call("get", path, issue(scope, city)).status_code == 403


def test_every_call_is_in_the_audit_log_with_the_tokens_name(call, issue, city):
    key = issue(Scope.FIGURES, city, name="统计门户")
    call("get", "figures/", key)
    call("get", "finished-cases/", key)
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.API_CALL).order_by("pk")
    assert [(e.details["token"], e.details["path"], e.details["status"]) for e in entries] == [
        ("统计门户", "/api/v1/figures/", 200),
        ("统计门户", "/api/v1/finished-cases/", 403),
    ]
    assert all("统计门户" in e.actor_name for e in entries)


def test_a_station_counts_in_the_figures_of_its_office(call, issue, office, other_office):
    station = factories.StationFactory(office=office, name="东城骑手驿站")
    factories.wage_dispute(office, channel="station", station=station)
    key = issue(Scope.FIGURES, office)
    answer = call("get", "figures/", key, period="last_12_months", station=station.pk)
    assert answer.status_code == 200, answer.json()
    by_station = next(t for t in answer.json()["tables"] if t["name"] == "stations")
    assert by_station["rows"] == [["东城骑手驿站", 0, 1]]  # no visits tallied, one case
    elsewhere = factories.StationFactory(office=other_office)
    refused = call("get", "figures/", key, period="last_12_months", station=elsewhere.pk)
    assert refused.status_code == 400 and "station" in refused.json()
