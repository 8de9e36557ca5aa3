"""A worker's request to see their data (PIPL Art. 45): a caseworker of the worker's
office downloads everything held about them, as JSON and as PDF, and each download
is logged; nobody else gets it."""

import datetime
import hashlib
import json
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import Contact, Document, Payment, State
from casework import audit_chain
from casework.models import AuditEntry
from tests import factories
from tests.assistance import steps
from tests.factories import id_number, wage_dispute

pytestmark = pytest.mark.django_db

WORKER_ID = id_number(5150)
CO_WORKER_ID = id_number(5151)
SPOUSE_ID = id_number(5152)
MOBILE = "13698765432"


@pytest.fixture
def held(office, other_office, caseworker, other_caseworker, supervisor, document_storage):
    """A member with a wage dispute shared with a co-worker (a note, a contact, a payment
    each and a document), hardship aid opened at another office, and a card covering
    their spouse."""
    person = steps.member_worker(office, caseworker, name="欧阳骑手", id_number=WORKER_ID)
    person = services.update_worker(worker=person, by=caseworker, phone=MOBILE, employer="某平台")
    co_worker = factories.WorkerFactory(
        name="司马同事", id_number=CO_WORKER_ID, office=office, created_by=caseworker
    )
    dispute = wage_dispute(
        office, by=caseworker, workers=[person, co_worker], state=State.AGREEMENT
    )
    services.add_note(case=dispute, by=caseworker, body="申请人称站长口头承诺月底结清。")
    services.record_contact(
        case=dispute,
        by=caseworker,
        channel=Contact.Channel.CALL,
        with_whom="站长王某",
        occurred_at=timezone.now(),
        summary="站长同意下周三前付款。",
    )
    for worker, amount in ((person, 1234), (co_worker, 4321)):
        services.record_payment(
            case=dispute,
            by=caseworker,
            worker=worker,
            paid_on=datetime.date(2026, 5, 8),
            amount=amount,
            method=Payment.Method.BANK,
        )
    services.add_document(
        case=dispute,
        by=caseworker,
        upload=SimpleUploadedFile("slip.pdf", b"%PDF-1.4\n%%EOF\n"),
        content_type="application/pdf",
        doc_type=Document.Type.EVIDENCE,
        title="工资条截图",
    )
    aid = steps.open_aid(other_office, by=other_caseworker, worker=person)
    card = steps.card_at(
        "verified",
        office=office,
        by=caseworker,
        worker=person,
        approver=supervisor,
        family=[{"name": "李配偶", "relation": "spouse", "id_number": SPOUSE_ID}],
    )
    return {"worker": person, "dispute": dispute, "aid": aid, "card": card}


def url(worker, format):
    return f"/workers/{worker.pk}/personal-data.{format}"


def download(client, worker, format):
    response = client.get(url(worker, format))
    assert response.status_code == 200, response.status_code
    return response


def test_the_json_holds_everything_about_the_person_and_nothing_of_others(
    login_as, caseworker, held
):
    response = download(login_as(caseworker), held["worker"], "json")
    data = json.loads(response.content)
    text = response.content.decode()

    assert response["Content-Type"] == "application/json"
    assert data["worker"]["name"] == "欧阳骑手"
    assert data["worker"]["id_masked"] == WORKER_ID  # their own number, in full
    assert data["worker"]["phone"] == MOBILE
    assert data["worker"]["employer"] == "某平台"
    assert "id_encrypted" not in data["worker"] and "id_hash" not in data["worker"]
    assert {c["number"] for c in data["cases"]} == {
        held["dispute"].number,
        held["aid"].number,  # opened at another office: still held about them
        held["card"].number,
    }
    dispute = next(c for c in data["cases"] if c["number"] == held["dispute"].number)
    records = dispute["records"]
    assert [n["body"] for n in records["notes"]] == ["申请人称站长口头承诺月底结清。"]
    assert [c["summary"] for c in records["contacts"]] == ["站长同意下周三前付款。"]
    assert [p["amount"] for p in records["payments"]] == ["1234.00"]  # not the co-worker's
    assert [d["title"] for d in records["documents"]] == ["工资条截图"]
    assert [link["worker"] for link in records["case_workers"]] == ["欧阳骑手"]
    card = next(c for c in data["cases"] if c["number"] == held["card"].number)
    [spouse] = card["records"]["family_members"]
    assert spouse["name"] == "李配偶"
    assert spouse["id_masked"] == f"{SPOUSE_ID[:6]}********{SPOUSE_ID[-4:]}"
    assert SPOUSE_ID not in text and CO_WORKER_ID not in text and "司马同事" not in text
    # Not the co-worker's payment, nor the audit entry about it.
    assert "4321.00" not in text and '"amount": "4321"' not in text
    actions = {e["action"] for e in data["audit_entries"]}
    assert {"worker_edited", "case_opened", "note", "payment", "contact"} <= actions
    assert data["legal_basis"] == "PIPL Art. 45"


def test_each_download_is_logged_with_its_hash_and_the_chain_head(login_as, caseworker, held):
    client = login_as(caseworker)
    before = audit_chain.current_head()

    response = download(client, held["worker"], "json")

    entry = AuditEntry.objects.get(action=AuditEntry.Action.SUBJECT_ACCESS)
    assert entry.actor == caseworker
    assert (entry.object_type, entry.object_id) == ("worker", str(held["worker"].pk))
    assert entry.office_id == held["worker"].office_id
    assert entry.details["format"] == "json"
    assert entry.details["cases"] == 3
    assert entry.details["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert entry.details["audit_chain_head"] == {"seq": before[0], "hash": before[1]}
    assert audit_chain.verify().ok
    download(client, held["worker"], "pdf")
    assert AuditEntry.objects.filter(action="subject_access").count() == 2


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_pdf_reads_the_same_data_with_its_fonts_embedded(login_as, caseworker, held, tmp_path):
    response = download(login_as(caseworker), held["worker"], "pdf")
    path = tmp_path / "personal-data.pdf"
    path.write_bytes(response.content)

    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True).stdout

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="personal-data-' in response["Content-Disposition"]
    flat = text.stdout.replace(" ", "")
    for expected in (
        "欧阳骑手",
        WORKER_ID,
        MOBILE,
        held["dispute"].number,
        held["aid"].number,
        held["card"].number,
        "申请人称站长口头承诺月底结清。",
        "站长同意下周三前付款。",
        "工资条截图",
        "李配偶",
    ):
        assert expected in flat, expected
    assert SPOUSE_ID not in flat and CO_WORKER_ID not in flat
    font_rows = fonts.splitlines()[2:]
    assert font_rows and all(" yes " in row for row in font_rows)  # every font embedded


def test_a_caseworker_of_another_office_gets_not_found(login_as, held, city):
    stranger = factories.caseworker(factories.OfficeFactory(parent=city), username="far.away")
    client = login_as(stranger)

    for format in ("pdf", "json"):
        assert client.get(url(held["worker"], format)).status_code == 404
    assert not AuditEntry.objects.filter(action="subject_access").exists()


def test_a_caseworker_who_knows_the_worker_from_a_case_elsewhere_is_refused(
    login_as, other_caseworker, held
):
    # The aid was opened at their office: they may open the file, not copy it all.
    response = login_as(other_caseworker).get(url(held["worker"], "json"))

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="subject_access").exists()


@pytest.mark.parametrize("who", ["anonymous", "auditor", "admin_user"])
def test_others_get_the_login_page_or_nothing(login_as, held, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)

    response = login_as(user).get(url(held["worker"], "pdf"))

    if user is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code in (403, 404)
    assert not AuditEntry.objects.filter(action="subject_access").exists()


def test_an_unknown_format_is_not_found(login_as, caseworker, held):
    assert login_as(caseworker).get(url(held["worker"], "xml")).status_code == 404


def test_the_workers_page_offers_the_copy_to_their_office_only(
    login_as, caseworker, other_caseworker, held
):
    worker = held["worker"]

    own = login_as(caseworker).get(f"/workers/{worker.pk}/").content.decode()
    other = login_as(other_caseworker).get(f"/workers/{worker.pk}/").content.decode()

    assert f'href="{url(worker, "pdf")}"' in own and f'href="{url(worker, "json")}"' in own
    assert "personal-data" not in other
