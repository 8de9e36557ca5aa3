"""The evidence checklist (DOMAIN.md R8, LDMAL Art. 6), and R7 and R8 in print.

Evidence the employer holds must be produced by the employer: each wage dispute
carries a checklist of what to demand, each line to request / requested /
received / refused with its date and a note. New disputes start with a default
list by occupation and relationship. The case file prints the claim items with
their final-award flags and the checklist; the mediation agreement prints the
evidence asked for in an annex.
"""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases import claims
from cases.models import (
    ClaimType,
    EvidenceItem,
    EvidenceKind,
    Occupation,
    Relationship,
    State,
)
from cases.models.claims import default_evidence
from casework.models import AuditEntry, District, MinimumWage
from tests import factories
from tests.cases.test_documents_pdf import pdf_of, print_url
from tests.casework.test_pdf import squeezed

pytestmark = pytest.mark.django_db


def checklist(dispute) -> dict[str, str]:
    return dict(EvidenceItem.objects.filter(dispute=dispute).values_list("kind", "status"))


def pdftotext(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def dispute(office, caseworker):
    return factories.wage_dispute(office, by=caseworker, state=State.ACCEPTED)


# --- the default checklist ----------------------------------------------------------------


def test_a_riders_dispute_starts_with_the_platforms_income_records(office, caseworker):
    rider = factories.WorkerFactory(office=office, occupation=Occupation.RIDER)

    dispute = factories.wage_dispute(office, by=caseworker, workers=[rider])

    assert checklist(dispute) == {
        "pay_slips": "to_request",
        "attendance": "to_request",
        "contract": "to_request",
        "social_insurance": "to_request",
        "platform_income": "to_request",
    }
    opened = AuditEntry.objects.get(case_id=dispute.pk, action=AuditEntry.Action.CASE_OPENED)
    assert "platform_income" in opened.details["evidence"]


def test_a_care_workers_civil_dispute_asks_for_no_platform_or_social_insurance_records():
    kinds = default_evidence({Occupation.CARE_WORKER}, Relationship.CIVIL)

    assert kinds == ["pay_slips", "attendance", "contract"]


def test_a_collective_case_with_one_ride_hailing_driver_asks_for_platform_records():
    kinds = default_evidence(
        {Occupation.DOMESTIC_WORKER, Occupation.RIDE_HAILING_DRIVER}, Relationship.NOT_FULLY
    )

    assert EvidenceKind.PLATFORM_INCOME in kinds
    assert EvidenceKind.SOCIAL_INSURANCE not in kinds


# --- changing it ----------------------------------------------------------------------------


def test_marking_a_line_requested_then_refused_is_kept_and_audited(dispute, caseworker):
    day = timezone.localdate()
    claims.set_evidence(
        case=dispute, by=caseworker, kind="attendance", status="requested", status_on=day
    )
    claims.set_evidence(
        case=dispute,
        by=caseworker,
        kind="attendance",
        status="refused",
        status_on=day,
        note="站点称未保存考勤表",
    )

    item = EvidenceItem.objects.get(dispute=dispute, kind="attendance")
    assert (item.status, item.status_on, item.note) == ("refused", day, "站点称未保存考勤表")
    logged = AuditEntry.objects.filter(
        case_id=dispute.pk, details__fields=["evidence"], actor=caseworker
    ).order_by("pk")
    assert [e.details["evidence"]["status"] for e in logged] == ["requested", "refused"]
    assert logged.last().details["before"]["status"] == "requested"


def test_a_line_not_on_the_list_is_added_and_one_not_needed_is_removed(dispute, caseworker):
    claims.set_evidence(
        case=dispute,
        by=caseworker,
        kind="dispatch",
        status="requested",
        status_on=timezone.localdate(),
    )
    claims.remove_evidence(
        case=dispute, by=caseworker, item=EvidenceItem.objects.get(dispute=dispute, kind="contract")
    )

    assert "dispatch" in checklist(dispute) and "contract" not in checklist(dispute)
    removed = AuditEntry.objects.filter(case_id=dispute.pk, details__has_key="removed").get()
    assert removed.details["removed"]["kind"] == "contract"


def test_a_caseworker_not_on_the_case_may_not_change_the_checklist(dispute, caseworker2):
    with pytest.raises(PermissionDenied):
        claims.set_evidence(case=dispute, by=caseworker2, kind="attendance", status="requested")

    assert checklist(dispute)["attendance"] == "to_request"


# --- through the case page --------------------------------------------------------------------


def evidence_url(dispute, action="evidence"):
    return f"/cases/{dispute.number}/record/{action}/"


def test_an_anonymous_visitor_is_sent_to_log_in(login_as, dispute):
    response = login_as(None).post(evidence_url(dispute), {"kind": "attendance"})

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert checklist(dispute)["attendance"] == "to_request"


def test_an_auditor_may_not_change_an_open_cases_checklist(login_as, dispute, auditor):
    response = login_as(auditor).post(
        evidence_url(dispute), {"kind": "attendance", "status": "refused"}
    )

    assert response.status_code == 404
    assert checklist(dispute)["attendance"] == "to_request"


def test_an_auditor_who_may_read_a_finished_case_may_not_change_it(
    login_as, office, caseworker, auditor
):
    finished = factories.wage_dispute(office, by=caseworker, state=State.WITHDRAWN)

    response = login_as(auditor).post(
        evidence_url(finished), {"kind": "attendance", "status": "refused"}
    )

    assert response.status_code == 403
    assert checklist(finished)["attendance"] == "to_request"


def test_the_caseworker_marks_a_line_received_and_sees_it(login_as, dispute, caseworker):
    response = login_as(caseworker).post(
        evidence_url(dispute),
        {"kind": "pay_slips", "status": "received", "status_on": "2026-03-02", "note": "三个月"},
        follow=True,
    )

    page = response.content.decode()
    assert "Evidence checklist saved." in page
    assert "Evidence the employer must produce" in page
    assert "2026-03-02" in page
    item = EvidenceItem.objects.get(dispute=dispute, kind="pay_slips")
    assert (item.status, item.status_on) == ("received", datetime.date(2026, 3, 2))


def test_a_status_without_its_date_is_refused_next_to_the_field(
    login_as, dispute, caseworker, shown_field
):
    response = login_as(caseworker).post(
        evidence_url(dispute), {"kind": "pay_slips", "status": "requested", "status_on": ""}
    )

    assert response.status_code == 400
    errors, _html = shown_field(response, "status_on")
    assert errors == ["Enter the date it was requested, received or refused."]
    assert checklist(dispute)["pay_slips"] == "to_request"


# --- in print ---------------------------------------------------------------------------------


@pytest.fixture
def itemised(office, caseworker):
    """A rider in 曾都区 (¥1,950 a month) claiming ¥23,400.00 wages and ¥23,400.01
    damages, mediating, with the attendance records refused."""
    district = District.objects.create(name="曾都区")
    MinimumWage.objects.create(
        district=district,
        monthly_amount=Decimal("1950.00"),
        effective_from=datetime.date(2025, 1, 1),
    )
    rider = factories.WorkerFactory(office=office, district=district, name="宋喆")
    dispute = factories.wage_dispute(office, by=caseworker, workers=[rider], state=State.ACCEPTED)
    for type, amount in ((ClaimType.WAGES, "23400.00"), (ClaimType.DAMAGES, "23400.01")):
        claims.save_claim_item(
            case=dispute, by=caseworker, worker=rider, type=type, amount=Decimal(amount)
        )
    claims.set_evidence(
        case=dispute,
        by=caseworker,
        kind="attendance",
        status="refused",
        status_on=timezone.localdate(),
        note="站点称未保存考勤表",
    )
    return factories.walk_to(dispute, State.MEDIATING, caseworker)


def test_the_case_file_prints_each_items_flag_and_the_checklist(login_as, caseworker, itemised):
    content = pdftotext(pdf_of(login_as(caseworker).get(print_url(itemised, "case-file"))))
    flat = squeezed(content)

    assert "Claim items and the final award (R7)" in content
    assert squeezed("Final award for the employer") in flat
    assert "Not final" in content
    assert squeezed("12 × ¥1,950.00 = ¥23,400.00") in flat
    assert "¥23,400.01" in content
    assert squeezed("Evidence the employer must produce (R8)") in flat
    assert "站点称未保存考勤表" in content


def test_the_case_file_is_printed_in_chinese_with_the_flag(client, caseworker, itemised):
    client.force_login(caseworker)  # no language cookie: the default, Chinese

    content = pdftotext(pdf_of(client.get(print_url(itemised, "case-file"))))

    assert "对用人单位终局裁决" in squeezed(content)
    assert "非终局" in content
    assert "考勤记录" in content and "拒绝提供" in content


def test_the_mediation_agreement_lists_the_evidence_asked_for_in_an_annex(
    login_as, caseworker, itemised
):
    dispute = factories.fill_agreement_terms(itemised, caseworker)

    content = pdftotext(pdf_of(login_as(caseworker).get(print_url(dispute, "mediation-agreement"))))

    assert "Annex: evidence the respondent was asked to produce" in content
    assert "站点称未保存考勤表" in content
    # Lines never asked for are not the respondent's refusal: left out of the annex.
    annex = content.split("Annex: evidence")[1]
    assert "Pay slips" not in annex


def test_an_agreement_without_evidence_asked_for_has_no_annex(login_as, caseworker, office):
    dispute = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)
    dispute = factories.fill_agreement_terms(dispute, caseworker)

    content = pdftotext(pdf_of(login_as(caseworker).get(print_url(dispute, "mediation-agreement"))))

    assert "Annex" not in content
