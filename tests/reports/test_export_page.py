"""The export page: choose a period and filters, see how many finished cases match
before exporting, and download links that carry the same choice."""

import pytest

from casework.models import AuditEntry
from reports import exports

pytestmark = pytest.mark.django_db

URL = "/audit/exports/"


def test_the_page_opens_on_this_year_so_far_with_its_count(login_as, auditor, cases, today):
    response = login_as(auditor).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{today.replace(month=1, day=1).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page
    this_year = exports.Selection(finished_from=today.replace(month=1, day=1), finished_to=today)
    counts = this_year.counts()
    assert f"{counts['cases']} finished cases match ({counts['rows']} rows" in page


def test_the_count_follows_the_filters_and_the_links_carry_them(
    login_as, auditor, cases, year_2026
):
    response = login_as(auditor).get(URL, {**year_2026, "kinds": ["WD"]})

    page = response.content.decode()
    assert "2 finished cases match (3 rows: one per worker)." in page
    query = "finished_from=2026-01-01&amp;finished_to=2026-12-31&amp;kinds=WD"
    assert f'href="/audit/exports/finished-cases.csv?{query}"' in page
    assert f'href="/audit/exports/finished-cases.xlsx?{query}"' in page


def test_counting_writes_nothing_to_the_audit_log(login_as, auditor, cases, year_2026):
    client = login_as(auditor)
    before = AuditEntry.objects.count()

    client.get(URL, year_2026)

    assert AuditEntry.objects.count() == before


def test_a_period_with_nothing_finished_says_so_and_offers_no_download(login_as, auditor, cases):
    response = login_as(auditor).get(
        URL, {"finished_from": "2025-01-01", "finished_to": "2025-12-31"}
    )

    page = response.content.decode()
    assert "0 finished cases match" in page
    assert "No finished cases match. Widen the period or clear the filters." in page
    assert "finished-cases.csv" not in page


def test_a_period_ending_before_it_starts_is_refused_with_a_message(login_as, auditor, cases):
    response = login_as(auditor).get(
        URL, {"finished_from": "2026-12-31", "finished_to": "2026-01-01"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The end of the period is before its start." in page
    assert "finished-cases.csv" not in page


def test_every_office_and_district_can_be_chosen(login_as, auditor, cases, office, district):
    page = login_as(auditor).get(URL).content.decode()

    assert f'name="offices" value="{office.pk}"' in page
    assert f'name="districts" value="{district.pk}"' in page
    assert 'name="kinds" value="HA"' in page
    assert 'name="outcomes" value="shortfall"' in page
