"""Printable documents through their download page: the case file of every kind, the
intake record, the mediation agreement and the aid approval form.

Whoever may see the case page may download them (anonymous: login; another office,
or an auditor on an open case: not found); each download is one audit entry; the
agreement is refused, with what it lacks, until R3 is met, and printed as a draft
for signing while mediating. Text is read in English (see `login_as`).
"""

import datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import dateformat, timezone, translation

from cases import documents, services
from cases.models import Forum, Payment, State
from casework.models import AuditEntry, DibaoLine
from tests import factories
from tests.assistance import steps
from tests.casework.test_pdf import id_born, squeezed, text, transition_lines

pytestmark = pytest.mark.django_db


def print_url(case, document: str) -> str:
    return f"/cases/{case.number}/print/{document}/"


def downloads(case) -> list[dict]:
    entries = AuditEntry.objects.filter(
        case_id=case.pk, action=AuditEntry.Action.DOCUMENT_DOWNLOADED
    )
    return list(entries.values("actor__username", "details", "object_type"))


def printed(day: datetime.date) -> str:
    """A date as the English documents print it (Django's DATE_FORMAT): "Nov. 29, 2026"."""
    with translation.override("en"):
        return dateformat.format(day, "N j, Y")


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content


@pytest.fixture
def dispute(office, caseworker):
    """王𠇔 and 李堃 against a platform: closed, ¥3,000 + ¥2,000 paid each, a ¥500 payment
    voided on the way."""
    workers = [
        factories.WorkerFactory(office=office, created_by=caseworker, name=name)
        for name in ["王𠇔", "李堃"]
    ]
    case = factories.wage_dispute(
        office, by=caseworker, workers=workers, claimed=Decimal("5000.00"), state=State.AGREEMENT
    )
    today = timezone.localdate()
    mistaken = services.record_payment(
        case=case,
        by=caseworker,
        worker=workers[0],
        paid_on=today,
        amount=Decimal("500.00"),
        method=Payment.Method.CASH,
    )
    services.void_payment(payment=mistaken, by=caseworker, reason="金额录错")
    for worker in workers:
        for amount in ("3000.00", "2000.00"):
            services.record_payment(
                case=case,
                by=caseworker,
                worker=worker,
                paid_on=today,
                amount=Decimal(amount),
                method=Payment.Method.BANK,
                reference=f"流水{amount}",
            )
    services.run_transition(case=case, name="mark_performed", by=caseworker)
    services.run_transition(case=case, name="close", by=caseworker, outcome_note="已全部履行")
    return type(case).objects.get(pk=case.pk)


@pytest.fixture
def mediating(office, caseworker):
    return factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)


@pytest.fixture
def dibao(db):
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))


# --- the case file -----------------------------------------------------------------------------


def test_the_case_file_of_a_wage_dispute_holds_the_names_amounts_and_every_transition(
    login_as, caseworker, dispute
):
    response = login_as(caseworker).get(print_url(dispute, "case-file"))

    content = text(pdf_of(response))
    flat = squeezed(content)
    assert dispute.number in content
    for name in ("王𠇔", "李堃"):
        assert name in content
    # Claimed, agreed and recovered per worker and in all; each payment, the voided one too.
    for amount in ("¥5,000.00", "¥10,000.00", "¥3,000.00", "¥2,000.00", "¥500.00", "¥0.00"):
        assert amount in content
    assert "金额录错" in content
    assert "Voided" in content
    for line in transition_lines(dispute):
        assert squeezed(line) in flat, line
    assert squeezed(dispute.counterparty_links.first().counterparty.name) in flat
    # IDs are masked: the full number is on no page.
    for link in dispute.case_workers.select_related("worker"):
        assert link.worker.id_number() not in content
        assert link.worker.id_masked in content


def test_the_case_file_says_where_the_case_came_in(login_as, office, caseworker):
    station = factories.StationFactory(office=office, name="南关骑手驿站")
    at_station = factories.wage_dispute(office, by=caseworker, channel="station", station=station)
    older = factories.wage_dispute(office, by=caseworker)
    older.__class__.objects.filter(pk=older.pk).update(channel="")
    client = login_as(caseworker)

    station_file = squeezed(text(pdf_of(client.get(print_url(at_station, "case-file")))))
    older_file = squeezed(text(pdf_of(client.get(print_url(older, "case-file")))))

    assert squeezed("Came in by Service station · 南关骑手驿站") in station_file
    assert squeezed("Came in by Not recorded") in older_file


def test_a_download_is_an_attachment_named_after_the_case_and_logged_once(
    login_as, caseworker, dispute
):
    response = login_as(caseworker).get(print_url(dispute, "case-file"))

    pdf_of(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{dispute.number}-case-file.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert downloads(dispute) == [
        {"actor__username": "zhang.wei", "details": {"document": "case-file"}, "object_type": ""}
    ]


def test_a_finished_case_file_is_the_same_file_at_every_download(login_as, auditor, dispute):
    client = login_as(auditor)

    first = pdf_of(client.get(print_url(dispute, "case-file")))
    second = pdf_of(client.get(print_url(dispute, "case-file")))

    assert first == second
    assert len(downloads(dispute)) == 2
    # The downloads are in the audit log, not in the document's timeline.
    assert "downloaded" not in text(second).lower()


def test_the_case_file_of_an_aid_case_holds_the_assessment_and_every_approval(
    login_as, office, caseworker, dibao
):
    worker = factories.WorkerFactory(office=office, created_by=caseworker, name="赵珺")
    approvers = [factories.supervisor(office, full_name=n) for n in ("审批甲", "审批乙")]
    aid = steps.aid_at(
        State.CLOSED,
        office=office,
        by=caseworker,
        worker=worker,
        amount=Decimal("6000.00"),
        approvers=approvers,
    )

    content = text(pdf_of(login_as(caseworker).get(print_url(aid, "case-file"))))

    assert aid.number in content and "赵珺" in content
    assert "Deep hardship" in content  # the computed category
    assert "¥6,000.00" in content and "¥720.00" in content
    for approval in aid.approvals.all():
        assert approval.approver.full_name in content
        assert f"{timezone.localtime(approval.approved_at):%H:%M}" in content
    assert "HZ-2026-0001" in content  # the disbursement's receipt
    for line in transition_lines(aid):
        assert squeezed(line) in squeezed(content), line


def test_the_case_file_of_a_card_lists_the_family_members_with_masked_ids(
    login_as, office, caseworker, supervisor
):
    member = steps.member_worker(office, caseworker, name="刘玥")
    child = id_born(timezone.localdate() - datetime.timedelta(days=5 * 365))
    card = steps.card_at(
        State.CARD_ISSUED,
        office=office,
        by=caseworker,
        worker=member,
        approver=supervisor,
        family=[{"name": "刘䶮", "relation": "child", "id_number": child, "guardian_name": "刘玥"}],
        card_number="HGK-421300-000777",
    )

    content = text(pdf_of(login_as(caseworker).get(print_url(card, "case-file"))))

    assert "刘玥" in content and "刘䶮" in content
    assert "HGK-421300-000777" in content
    assert child not in content and card.family_members.get().id_masked in content
    assert printed(card.valid_from) in content and printed(card.valid_to) in content
    for line in transition_lines(card):
        assert squeezed(line) in squeezed(content), line


# --- who may download ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(login_as, dispute):
    url = print_url(dispute, "case-file")

    response = login_as(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(url)}"
    assert downloads(dispute) == []


@pytest.mark.parametrize("who", ["other_caseworker", "other_supervisor", "caseworker2"])
def test_someone_who_may_not_see_the_case_gets_not_found(request, login_as, dispute, who):
    client = login_as(request.getfixturevalue(who))

    for document in ("case-file", "intake-record", "mediation-agreement"):
        assert client.get(print_url(dispute, document)).status_code == 404
    assert downloads(dispute) == []


def test_an_auditor_may_not_print_an_open_case(login_as, auditor, mediating):
    assert login_as(auditor).get(print_url(mediating, "case-file")).status_code == 404
    assert downloads(mediating) == []


@pytest.mark.parametrize("who", ["auditor", "supervisor", "city_supervisor"])
def test_those_who_may_read_a_finished_case_may_print_it(request, login_as, dispute, who):
    user = request.getfixturevalue(who)

    pdf_of(login_as(user).get(print_url(dispute, "case-file")))

    assert downloads(dispute) == [
        {"actor__username": user.username, "details": {"document": "case-file"}, "object_type": ""}
    ]


@pytest.mark.parametrize("document", ["unknown", "aid-approval"])
def test_a_document_the_kind_does_not_have_is_not_found(login_as, caseworker, dispute, document):
    assert login_as(caseworker).get(print_url(dispute, document)).status_code == 404
    assert downloads(dispute) == []


def test_the_download_runs_outside_any_request_transaction():
    # Rendering takes a while and needs no locks; with ATOMIC_REQUESTS it still runs bare.
    assert "default" in documents.print_document._non_atomic_requests


# --- the intake record -----------------------------------------------------------------------


def test_the_intake_record_holds_the_application_and_the_consent_to_sign(
    login_as, office, caseworker
):
    worker = factories.WorkerFactory(office=office, created_by=caseworker, name="孙玥")
    case = factories.wage_dispute(office, by=caseworker, workers=[worker])

    response = login_as(caseworker).get(print_url(case, "intake-record"))

    content = text(pdf_of(response))
    assert case.number in content and "孙玥" in content
    assert case.matters in content
    assert "Personal information notice and consent" in content
    assert "sensitive personal information" in content
    assert squeezed("Applicant 孙玥 (signature)") in squeezed(content)
    assert response["Content-Disposition"].endswith(f'"{case.number}-intake-record.pdf"')
    assert downloads(case)[0]["details"] == {"document": "intake-record"}


def test_a_card_intake_record_asks_the_guardian_of_a_child_to_sign(login_as, office, caseworker):
    member = steps.member_worker(office, caseworker, name="刘玥")
    child = id_born(timezone.localdate() - datetime.timedelta(days=5 * 365))
    card = steps.card_at(
        State.SUBMITTED,
        office=office,
        by=caseworker,
        worker=member,
        family=[{"name": "刘䶮", "relation": "child", "id_number": child, "guardian_name": "刘玥"}],
    )

    content = squeezed(text(pdf_of(login_as(caseworker).get(print_url(card, "intake-record")))))

    assert squeezed("Guardian 刘玥 (signature)") in content
    assert squeezed("As guardian, 刘玥 agrees for 刘䶮, who is under 14.") in content


# --- the mediation agreement (R2, R3) -----------------------------------------------------------


def test_the_agreement_is_refused_with_what_it_lacks(login_as, caseworker, mediating):
    client = login_as(caseworker)

    response = client.get(print_url(mediating, "mediation-agreement"), follow=True)

    assert response.redirect_chain == [(f"/cases/{mediating.number}/", 302)]
    page = response.content.decode()
    assert "Mediation agreement cannot be printed yet." in page
    with translation.override("en"):
        for item in mediating.agreement_missing():
            assert f"The agreement lacks {item}." in page
    assert "the agreed result" in page and "the deadline of performance" in page
    assert downloads(mediating) == []


def test_the_case_page_says_what_the_agreement_lacks_before_it_can_be_printed(
    login_as, caseworker, mediating
):
    page = login_as(caseworker).get(f"/cases/{mediating.number}/").content.decode()

    assert "The mediation agreement can be printed once it has:" in page
    assert print_url(mediating, "mediation-agreement") not in page
    assert print_url(mediating, "case-file") in page
    assert print_url(mediating, "intake-record") in page


def test_while_mediating_a_complete_agreement_prints_as_a_draft_for_signing(
    login_as, caseworker, mediating
):
    mediating = factories.fill_agreement_terms(mediating, caseworker)
    client = login_as(caseworker)
    assert (
        print_url(mediating, "mediation-agreement")
        in client.get(f"/cases/{mediating.number}/").content.decode()
    )

    content = text(pdf_of(client.get(print_url(mediating, "mediation-agreement"))))

    flat = squeezed(content)
    assert "Draft for signing" in content
    link = mediating.case_workers.select_related("worker").get()
    party = mediating.counterparty_links.select_related("counterparty").get().counterparty
    assert link.worker.name in content and squeezed(party.name) in flat
    assert squeezed(mediating.agreement_result) in flat
    assert "¥3,000.00" in content  # claimed and agreed
    assert squeezed(mediating.performance_method) in flat
    assert printed(mediating.performance_deadline) in content
    for signature in ("Mediator (signature)", "Mediation body (seal)", "(seal)"):
        assert squeezed(signature) in flat
    assert squeezed(f"Applicant {link.worker.name} (signature)") in flat
    assert downloads(mediating)[0]["details"] == {"document": "mediation-agreement"}


def test_a_signed_agreement_prints_without_the_draft_mark(login_as, caseworker, dispute):
    content = text(pdf_of(login_as(caseworker).get(print_url(dispute, "mediation-agreement"))))

    assert "Draft for signing" not in content
    assert "Signed on" in content
    assert "王𠇔" in content and "李堃" in content and "¥10,000.00" in content


def test_no_agreement_is_printed_when_mediation_failed_without_one(login_as, office, caseworker):
    case = factories.wage_dispute(office, by=caseworker, state=State.MEDIATING)
    factories.fill_agreement_terms(case, caseworker)
    services.run_transition(case=case, name="mark_failed", by=caseworker)
    services.run_transition(
        case=case,
        name="refer",
        by=caseworker,
        forum=Forum.ARBITRATION,
        body="随州市劳动人事争议仲裁委员会",
        on=timezone.localdate(),
    )

    response = login_as(caseworker).get(print_url(case, "mediation-agreement"), follow=True)

    assert "No mediation agreement was reached in this case." in response.content.decode()
    assert downloads(case) == []


# --- the aid approval form -----------------------------------------------------------------------


def test_the_approval_form_shows_the_recommendation_the_category_and_every_approval(
    login_as, office, caseworker, dibao
):
    worker = factories.WorkerFactory(office=office, created_by=caseworker, name="赵珺")
    approvers = [factories.supervisor(office, full_name=n) for n in ("周审批", "吴审批")]
    aid = steps.aid_at(
        State.APPROVED,
        office=office,
        by=caseworker,
        worker=worker,
        amount=Decimal("6000.00"),
        approvers=approvers,
    )
    client = login_as(caseworker)
    assert print_url(aid, "aid-approval") in client.get(f"/cases/{aid.number}/").content.decode()

    content = text(pdf_of(client.get(print_url(aid, "aid-approval"))))

    flat = squeezed(content)
    assert aid.number in content and "赵珺" in content
    assert "¥6,000.00" in content
    assert "Deep hardship" in content
    assert squeezed(aid.recommendation_reason) in flat
    for approval in aid.approvals.select_related("approver"):
        assert squeezed(f"Approved by {approval.approver.full_name} (signature)") in flat
        assert f"{timezone.localtime(approval.approved_at):%H:%M}" in content
    assert downloads(aid)[0]["details"] == {"document": "aid-approval"}


def test_the_approval_form_is_refused_before_a_recommendation(
    login_as, office, caseworker, worker, dibao
):
    aid = steps.aid_at(State.ASSESSMENT, office=office, by=caseworker, worker=worker)

    response = login_as(caseworker).get(print_url(aid, "aid-approval"), follow=True)

    assert response.redirect_chain == [(f"/cases/{aid.number}/", 302)]
    assert "There is no recommendation to approve yet." in response.content.decode()
    assert downloads(aid) == []
