"""Bad input on every form, through the client: refused next to the field, nothing saved.

Each refusal answers 400 and draws the form again with what the user typed, the
message beside the field it is about. Messages are read in English (`login_as`).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import (
    Case,
    CaseWorker,
    Contact,
    Counterparty,
    Document,
    LimitationEvent,
    MediationSession,
    Note,
    Payment,
    State,
    WageDispute,
    Worker,
)
from casework.models import AuditEntry
from tests import factories
from tests.conftest import search
from tests.factories import credit_code, id_number, wage_dispute, walk_to

pytestmark = pytest.mark.django_db

SESSION_ACTIONS = ("login", "logout", "login_failed")
REQUIRED = "This field is required."


def reload(case) -> WageDispute:
    return WageDispute.objects.get(pk=case.pk)


def saved_rows():
    """Everything a refused form could have written."""
    return (
        list(Case.objects.order_by("pk").values_list("pk", "state", "assignee_id")),
        list(CaseWorker.objects.order_by("pk").values_list("amount_claimed", "amount_agreed")),
        AuditEntry.objects.exclude(action__in=SESSION_ACTIONS).count(),
        Payment.objects.count(),
        Note.objects.count(),
        Contact.objects.count(),
        MediationSession.objects.count(),
        LimitationEvent.objects.count(),
        Document.objects.count(),
        Counterparty.objects.count(),
        Worker.objects.count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def mediating(office, caseworker, worker):
    """A dispute the caseworker is mediating: every record form is open on its page."""
    return wage_dispute(office, by=caseworker, workers=[worker], state=State.MEDIATING)


@pytest.fixture
def client_(login_as, caseworker):
    """The assigned caseworker's browser."""
    return login_as(caseworker)


# --- amounts: the payment form ----------------------------------------------------------

REFUSED_AMOUNTS = [
    ("-5", "The amount must be greater than zero."),
    ("0", "The amount must be greater than zero."),
    ("0.00", "The amount must be greater than zero."),
    ("1e9", "Write the amount out in full, such as 1000000, not in exponent form."),
    ("12.345", "Amounts have at most two decimal places (fen)."),
    ("abc", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
    ("3,00", "Commas may only separate thousands, such as 3,000 or 1,200,000.50."),
    ("20000000", "The amount may not exceed ¥10,000,000.00."),
    ("10000000.01", "The amount may not exceed ¥10,000,000.00."),
    ("", "Enter an amount."),
]


def payment_data(worker, amount, **extra):
    return {
        "worker": worker.pk,
        "paid_on": timezone.localdate().isoformat(),
        "amount": amount,
        "method": "wechat",
        "reference": "WX0001",
        **extra,
    }


@pytest.mark.parametrize(("typed", "message"), REFUSED_AMOUNTS)
def test_a_payment_amount_that_could_be_misread_is_refused_next_to_the_field(
    client_, mediating, worker, shown_field, typed, message
):
    before = saved_rows()

    response = client_.post(
        f"/cases/{mediating.number}/record/payment/", payment_data(worker, typed)
    )

    assert response.status_code == 400
    errors, html = shown_field(response, "amount")
    assert errors == [message]
    if typed:
        assert f'value="{typed}"' in html  # what the user typed, to correct it
    # The rest of what was typed is kept too.
    _errors, reference = shown_field(response, "reference")
    assert 'value="WX0001"' in reference
    assert saved_rows() == before


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("3,000.00", Decimal("3000.00")),
        ("３０００", Decimal("3000.00")),
        ("３，０００．５０", Decimal("3000.50")),
        ("￥3,000", Decimal("3000.00")),
        ("3000.5", Decimal("3000.50")),
        ("10000000", Decimal("10000000.00")),
    ],
)
def test_a_payment_amount_typed_as_people_write_it_is_saved_exactly(
    client_, mediating, worker, caseworker, typed, amount
):
    response = client_.post(
        f"/cases/{mediating.number}/record/payment/", payment_data(worker, typed)
    )

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{mediating.number}/"
    payment = Payment.objects.get(dispute=mediating)
    assert payment.amount == amount
    assert (payment.worker, payment.entered_by, payment.method) == (worker, caseworker, "wechat")


def test_a_payment_received_in_the_future_is_refused(client_, mediating, worker, shown_field):
    before = saved_rows()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_.post(
        f"/cases/{mediating.number}/record/payment/",
        payment_data(worker, "3000", paid_on=tomorrow.isoformat()),
    )

    assert response.status_code == 400
    assert shown_field(response, "paid_on")[0] == ["A payment cannot be received in the future."]
    assert saved_rows() == before


def test_a_payment_for_a_worker_not_on_the_case_is_refused(client_, mediating, office, shown_field):
    stranger = factories.WorkerFactory(office=office)
    before = saved_rows()

    response = client_.post(
        f"/cases/{mediating.number}/record/payment/", payment_data(stranger, "3000")
    )

    assert response.status_code == 400
    errors, _html = shown_field(response, "worker")
    assert errors and errors[0].startswith("Select a valid choice.")
    assert saved_rows() == before


# --- amounts: claimed and agreed ------------------------------------------------------------


def amounts_data(case, claimed, agreed, state=State.MEDIATING):
    cw = case.case_workers.get()
    return cw, {
        "expected_state": state,
        f"claimed_{cw.pk}": claimed,
        f"agreed_{cw.pk}": agreed,
    }


@pytest.mark.parametrize(
    ("claimed", "agreed", "field", "message"),
    [
        ("-5", "3000", "claimed", "The amount must be greater than zero."),
        (
            "3000",
            "1e9",
            "agreed",
            "Write the amount out in full, such as 1000000, not in exponent form.",
        ),
        ("12.345", "3000", "claimed", "Amounts have at most two decimal places (fen)."),
        ("3000", "20000000", "agreed", "The amount may not exceed ¥10,000,000.00."),
        ("abc", "3000", "claimed", "Enter the amount as a plain number, such as 3000 or 3,000.50."),
    ],
)
def test_an_amount_claimed_or_agreed_that_could_be_misread_is_refused_next_to_it(
    client_, mediating, shown_field, claimed, agreed, field, message
):
    cw, data = amounts_data(mediating, claimed, agreed)
    before = saved_rows()

    response = client_.post(f"/cases/{mediating.number}/record/amounts/", data)

    assert response.status_code == 400
    errors, html = shown_field(response, f"{field}_{cw.pk}")
    assert errors == [message]
    assert f'value="{data[f"{field}_{cw.pk}"]}"' in html
    assert saved_rows() == before


def test_amounts_claimed_and_agreed_are_saved_from_full_width_and_grouped_digits(
    client_, mediating
):
    cw, data = amounts_data(mediating, "３，５００", "3,000.50")

    response = client_.post(f"/cases/{mediating.number}/record/amounts/", data)

    assert response.status_code == 302
    cw = CaseWorker.objects.get(pk=cw.pk)
    assert (cw.amount_claimed, cw.amount_agreed) == (Decimal("3500.00"), Decimal("3000.50"))


def test_amounts_sent_from_a_page_drawn_before_the_case_changed_are_not_saved(client_, mediating):
    # The page was drawn while the case was still being investigated.
    cw, data = amounts_data(mediating, "9999", "9999", state=State.INVESTIGATING)
    before = saved_rows()

    response = client_.post(f"/cases/{mediating.number}/record/amounts/", data, follow=True)

    assert response.redirect_chain == [(f"/cases/{mediating.number}/", 302)]
    assert any("This case changed while you were working on it" in m for m in messages_of(response))
    assert saved_rows() == before


# --- the other record forms on the case page -------------------------------------------------


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


RECORD_REFUSALS = [
    # action, data, field, message
    ("note", {"body": "  "}, "body", REQUIRED),
    (
        "contact",
        {"channel": "call", "with_whom": "", "occurred_at": _now_local, "summary": "催款"},
        "with_whom",
        REQUIRED,
    ),
    (
        "contact",
        {"channel": "fax", "with_whom": "站长", "occurred_at": _now_local, "summary": "催款"},
        "channel",
        "Select a valid choice. fax is not one of the available choices.",
    ),
    (
        "session",
        {"held_on": "", "place": "驿站", "attendees": "双方", "result": "未达成"},
        "held_on",
        REQUIRED,
    ),
    (
        "limitation",
        {"type": "claim", "occurred_on": _tomorrow, "note": ""},
        "occurred_on",
        "The date cannot be in the future.",
    ),
    (
        "terms",
        {
            "expected_state": "mediating",
            "agreement_result": "",
            "performance_deadline": "2026-06-30",
            "performance_method": "转账",
        },
        "agreement_result",
        REQUIRED,
    ),
    (
        "terms",
        {
            "expected_state": "mediating",
            "agreement_result": "一次性支付",
            "performance_deadline": "下个月",
            "performance_method": "转账",
        },
        "performance_deadline",
        "Enter a valid date.",
    ),
    (
        "particulars",
        {
            "received_at": _now_local,
            "channel": "hotline",
            "matters": "",
            "reasons": "扣发配送费",
            "relationship": "labour",
            "priority": "normal",
        },
        "matters",
        REQUIRED,
    ),
    (
        "particulars",
        {
            "received_at": _now_local,
            "channel": "hotline",
            "matters": "拖欠工资",
            "reasons": "扣发配送费",
            "relationship": "labour",
            "period_from": "2026-03-01",
            "period_to": "2026-01-31",
            "priority": "normal",
        },
        "period_to",
        "This date is before the start date.",
    ),
    (
        "counterparty",
        {"role": "platform", "name": "", "credit_code": ""},
        "name",
        "Choose a counterparty on file or enter a new one's name.",
    ),
]


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    RECORD_REFUSALS,
    ids=[f"{a}-{f}" for a, _d, f, _m in RECORD_REFUSALS],
)
def test_each_record_form_refuses_bad_input_next_to_the_field(
    client_, mediating, shown_field, action, data, field, message
):
    data = {k: v() if callable(v) else v for k, v in data.items()}
    before = saved_rows()

    response = client_.post(f"/cases/{mediating.number}/record/{action}/", data)

    assert response.status_code == 400
    assert shown_field(response, field)[0] == [message]
    assert "Please correct the following:" in response.content.decode()
    assert saved_rows() == before


def test_an_unknown_record_form_is_not_found(client_, mediating):
    response = client_.post(f"/cases/{mediating.number}/record/bonus/", {"amount": "3000"})

    assert response.status_code == 404


def test_voiding_a_payment_without_a_reason_is_refused_and_it_still_counts(
    client_, mediating, worker, caseworker
):
    from cases import services

    payment = services.record_payment(
        case=mediating,
        by=caseworker,
        worker=worker,
        paid_on=timezone.localdate(),
        amount=Decimal("800"),
        method="cash",
    )
    before = saved_rows()

    response = client_.post(
        f"/cases/{mediating.number}/payments/{payment.pk}/void/", {"reason": ""}, follow=True
    )

    assert "Write why the payment is voided." in messages_of(response)
    assert Payment.objects.get(pk=payment.pk).voided_at is None
    assert saved_rows() == before


def test_a_supervisor_cannot_assign_a_case_to_someone_outside_their_offices(
    login_as, supervisor, mediating, other_caseworker, caseworker, shown_field
):
    client = login_as(supervisor)
    before = saved_rows()

    response = client.post(
        f"/cases/{mediating.number}/assign/", {"assignee": other_caseworker.pk, "note": ""}
    )

    assert response.status_code == 400
    errors, _html = shown_field(response, "assignee")
    assert errors and errors[0].startswith("Select a valid choice.")
    assert reload(mediating).assignee == caseworker
    assert saved_rows() == before


# --- counterparties and credit codes -------------------------------------------------------------


@pytest.fixture
def accepted(office, caseworker, worker):
    """An accepted dispute with no counterparty yet."""
    dispute = wage_dispute(office, by=caseworker, workers=[worker], counterparty=False)
    return walk_to(dispute, State.ACCEPTED, caseworker)


def counterparty_data(code, **extra):
    return {
        "role": "station",
        "name": "随州市曾都区某配送站",
        "credit_code": code,
        "contact_person": "王站长",
        "phone": "0722-3456789",
        **extra,
    }


@pytest.mark.parametrize(
    "code",
    [
        credit_code(7)[:-1] + ("0" if credit_code(7)[-1] != "0" else "1"),  # wrong check char
        "91421300MA4K0XXX",  # too short
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_a_counterparty_with_a_bad_credit_code_is_refused(client_, accepted, shown_field, code):
    before = saved_rows()

    response = client_.post(
        f"/cases/{accepted.number}/record/counterparty/", counterparty_data(code)
    )

    assert response.status_code == 400
    errors, html = shown_field(response, "credit_code")
    assert errors == [
        "Enter a valid 18-character unified social credit code; the last character is a checksum."
    ]
    assert f'value="{code}"' in html
    assert saved_rows() == before


def test_a_counterparty_with_a_valid_credit_code_is_added_to_the_case(client_, accepted):
    code = credit_code(7)

    response = client_.post(
        f"/cases/{accepted.number}/record/counterparty/", counterparty_data(code.lower())
    )

    assert response.status_code == 302
    link = reload(accepted).counterparty_links.get()
    assert (link.counterparty.credit_code, link.counterparty.name, link.role) == (
        code,
        "随州市曾都区某配送站",
        "station",
    )
    assert link.counterparty.phone == "0722-3456789"


def test_a_counterparty_already_on_file_is_pointed_to_instead_of_entered_twice(
    client_, accepted, shown_field
):
    known = factories.CounterpartyFactory(name="某某物流有限公司")
    before = saved_rows()

    response = client_.post(
        f"/cases/{accepted.number}/record/counterparty/", counterparty_data(known.credit_code)
    )

    assert response.status_code == 400
    assert shown_field(response, "credit_code")[0] == [
        "某某物流有限公司 already has this code: enter the code above, as one on file."
    ]
    assert saved_rows() == before


@pytest.mark.parametrize("by", ["credit_code", "name"])
def test_a_counterparty_on_file_is_found_by_its_code_or_its_full_name(client_, accepted, by):
    known = factories.CounterpartyFactory(name="某某物流有限公司")
    factories.CounterpartyFactory.create_batch(3)

    response = client_.post(
        f"/cases/{accepted.number}/record/counterparty/",
        {"role": "platform", "existing": getattr(known, by)},
    )

    assert response.status_code == 302
    assert [link.counterparty for link in accepted.counterparty_links.all()] == [known]


def test_a_counterparty_not_on_file_or_a_shared_name_is_refused_next_to_the_field(
    client_, accepted, shown_field
):
    factories.CounterpartyFactory.create_batch(2, name="同名物流有限公司")
    before = saved_rows()
    url = f"/cases/{accepted.number}/record/counterparty/"

    unknown = client_.post(url, {"role": "platform", "existing": "无此公司"})
    shared = client_.post(url, {"role": "platform", "existing": "同名物流有限公司"})

    assert shown_field(unknown, "existing")[0] == [
        "No counterparty on file has this code or name: enter it below as a new one."
    ]
    assert shown_field(shared, "existing")[0] == [
        "More than one counterparty on file has this name: enter its credit code."
    ]
    assert saved_rows() == before


# --- workers: ID numbers, duplicates, consent, membership -------------------------------------

VALID_ID = id_number(4242)


def worker_data(**fields):
    return {
        "name": "周杰",
        "phone": "13912345678",
        "id_number": VALID_ID,
        "occupation": "courier",
        "employer": "",
        "district": "",
        "residence": "urban",
        "membership_number": "",
        "joined_on": "",
        "consent": "on",
        "consent_scope": "同意工会收集并使用本人信息办理案件。",
        **fields,
    }


def wrong_check_character(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


WORKER_REFUSALS = [
    # fields, field, message
    (
        {"id_number": wrong_check_character(VALID_ID)},
        "id_number",
        "Enter a valid 18-character national ID number; the last character is a checksum.",
    ),
    (
        {"id_number": VALID_ID[:17]},
        "id_number",
        "Enter a valid 18-character national ID number; the last character is a checksum.",
    ),
    (
        {"phone": "12345"},
        "phone",
        "Enter a mobile number (11 digits starting with 1) or a landline number with its "
        "area code, such as 0722-3456789.",
    ),
    ({"consent": ""}, "consent", "Record the worker's consent before saving their details."),
    (
        {"is_member": "on", "membership_number": ""},
        "membership_number",
        "Enter the membership number of a member.",
    ),
    ({"name": ""}, "name", REQUIRED),
    ({"occupation": ""}, "occupation", REQUIRED),
]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    WORKER_REFUSALS,
    ids=[f"{f}-{i}" for i, (_d, f, _m) in enumerate(WORKER_REFUSALS)],
)
def test_registering_a_worker_refuses_bad_input_next_to_the_field(
    login_as, caseworker, shown_field, fields, field, message
):
    client = login_as(caseworker)

    response = client.post("/workers/new/", worker_data(**fields))

    assert response.status_code == 400
    assert shown_field(response, field)[0] == [message]
    assert not Worker.objects.exists()
    # What was typed elsewhere is kept.
    if field != "name":
        assert 'value="周杰"' in shown_field(response, "name")[1]


@pytest.mark.parametrize(
    ("fields", "field", "what"),
    [
        # The same ID typed with spaces and in full width is still the same person.
        ({"phone": "13700000000"}, "id_number", "ID number"),
        (
            {"id_number": f"{VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]}", "phone": ""},
            "id_number",
            "ID number",
        ),
        ({"id_number": id_number(4343)}, "phone", "phone number"),
    ],
)
def test_registering_a_worker_already_on_file_links_to_the_existing_record(
    login_as, caseworker, office, shown_field, fields, field, what
):
    existing = factories.WorkerFactory(
        name="周杰伦", id_number=VALID_ID, phone="13912345678", office=office
    )
    client = login_as(caseworker)

    response = client.post("/workers/new/", worker_data(**fields))

    assert response.status_code == 400
    errors, html = shown_field(response, field)
    assert errors == [f"A worker with this {what} is already registered: 周杰伦 (曾都区总工会)"]
    assert f'<a href="/workers/{existing.pk}/">周杰伦</a>' in html
    assert Worker.objects.count() == 1


def test_a_valid_worker_is_registered_with_the_id_stored_masked(login_as, caseworker, office):
    client = login_as(caseworker)

    response = client.post("/workers/new/", worker_data(is_member="on", membership_number="M01"))

    worker = Worker.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workers/{worker.pk}/"
    assert (worker.name, worker.office, worker.consent_recorded_by) == ("周杰", office, caseworker)
    assert worker.id_number() == VALID_ID
    assert worker.id_masked == VALID_ID[:6] + "********" + VALID_ID[-4:]
    assert VALID_ID not in worker.id_encrypted


def test_registering_a_worker_from_the_intake_page_returns_there_with_them_selected(
    login_as, caseworker, worker
):
    client = login_as(caseworker)

    response = client.post(f"/workers/new/?next=intake&worker={worker.pk}", worker_data())

    new = Worker.objects.get(name="周杰")
    assert response["Location"] == f"/cases/new/?worker={new.pk}&worker={worker.pk}"


# --- the intake form ------------------------------------------------------------------------


def intake_data(office, *workers, **fields):
    received = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "worker": [w.pk for w in workers],
        "office": office.pk,
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "channel": "hotline",
        "matters": "拖欠三个月配送费",
        "reasons": "站点以考核为由扣发配送费。",
        "relationship": "not_fully",
        "period_from": "2025-10-01",
        "period_to": "",
        "unpaid_from": "2026-01-01",
        "unpaid_to": "2026-03-31",
        "priority": "high",
        **fields,
    }
    for w in workers:
        data.setdefault(f"claim_{w.pk}", "3,200")
    return data


@pytest.mark.parametrize(
    ("field", "fields", "message"),
    [
        ("matters", {"matters": ""}, REQUIRED),
        ("reasons", {"reasons": ""}, REQUIRED),
        ("relationship", {"relationship": ""}, REQUIRED),
        ("received_at", {"received_at": ""}, REQUIRED),
        (
            "received_at",
            {"received_at": "2099-01-01T09:00"},
            "The time received cannot be in the future.",
        ),
        ("unpaid_to", {"unpaid_to": "2025-12-01"}, "This date is before the start date."),
        (
            "claim",
            {"claim": "1e5"},
            "Write the amount out in full, such as 1000000, not in exponent form.",
        ),
    ],
)
def test_the_intake_form_refuses_bad_input_next_to_the_field(
    login_as, caseworker, office, worker, shown_field, field, fields, message
):
    client = login_as(caseworker)
    if "claim" in fields:
        fields = {f"claim_{worker.pk}": fields["claim"]}
        field = f"claim_{worker.pk}"
    data = intake_data(office, worker, **fields)

    response = client.post(f"/cases/new/?worker={worker.pk}", data)

    assert response.status_code == 400
    assert shown_field(response, field)[0] == [message]
    assert not Case.objects.exists()
    # The worker stays selected and the rest of the application is kept.
    page = response.content.decode()
    assert f'<input type="hidden" name="worker" value="{worker.pk}">' in page
    if field != "reasons":
        assert "站点以考核为由扣发配送费。" in shown_field(response, "reasons")[1]


def test_the_intake_form_needs_at_least_one_worker(login_as, caseworker, office):
    client = login_as(caseworker)

    response = client.post("/cases/new/", intake_data(office))

    assert response.status_code == 400
    assert "Add at least one worker to the application." in response.content.decode()
    assert not Case.objects.exists()


def test_a_caseworker_cannot_open_a_case_for_another_office_through_the_form(
    login_as, caseworker, other_office, worker, shown_field
):
    client = login_as(caseworker)

    response = client.post(f"/cases/new/?worker={worker.pk}", intake_data(other_office, worker))

    assert response.status_code == 400
    assert shown_field(response, "office")[0][0].startswith("Select a valid choice.")
    assert not Case.objects.exists()


def test_a_valid_application_opens_the_first_case_of_the_year_in_the_intake_queue(
    login_as, caseworker, office, worker
):
    client = login_as(caseworker)
    second = factories.WorkerFactory(office=office)

    response = client.post(
        f"/cases/new/?worker={worker.pk}&worker={second.pk}",
        intake_data(office, worker, second, **{f"claim_{second.pk}": "３０００"}),
        follow=True,
    )

    number = f"WD-{timezone.localdate().year}-000001"
    assert response.redirect_chain == [(f"/cases/{number}/", 302)]
    assert f"Application recorded as {number}; it is in the intake queue." in messages_of(response)
    dispute = WageDispute.objects.get(number=number)
    assert (dispute.office, dispute.assignee, dispute.state, dispute.priority) == (
        office,
        None,
        State.INTAKE,
        "high",
    )
    assert dispute.matters == "拖欠三个月配送费"
    claims = dict(dispute.case_workers.values_list("worker_id", "amount_claimed"))
    assert claims == {worker.pk: Decimal("3200.00"), second.pk: Decimal("3000.00")}


# --- transition forms --------------------------------------------------------------------------


@pytest.fixture
def taken(office, caseworker, worker):
    """An intake case the caseworker has taken."""
    return walk_to(wage_dispute(office, by=caseworker, workers=[worker]), State.INTAKE, caseworker)


def transitions_logged(case) -> int:
    return AuditEntry.objects.filter(case_id=case.pk, action="transition").count()


@pytest.mark.parametrize("name", ["decline", "withdraw"])
def test_declining_or_withdrawing_without_a_reason_is_refused(client_, taken, shown_field, name):
    before = saved_rows()

    response = client_.post(
        f"/cases/{taken.number}/do/{name}/", {"expected_state": "intake", "note": ""}
    )

    assert response.status_code == 400
    assert shown_field(response, "note")[0] == [REQUIRED]
    assert reload(taken).state == State.INTAKE
    assert saved_rows() == before


def test_declining_with_a_reason_finishes_the_case_with_it(client_, taken):
    response = client_.post(
        f"/cases/{taken.number}/do/decline/",
        {"expected_state": "intake", "note": "不属于劳动报酬争议"},
    )

    assert response.status_code == 302
    case = reload(taken)
    assert (case.state, case.outcome_note) == (State.DECLINED, "不属于劳动报酬争议")
    assert case.finished_at is not None


@pytest.mark.parametrize(
    ("missing", "field"),
    [({"body": ""}, "body"), ({"on": ""}, "on"), ({"forum": "tv"}, "forum")],
)
def test_referring_without_the_body_the_date_or_a_forum_is_refused(
    client_, office, caseworker, shown_field, missing, field
):
    failed = wage_dispute(office, by=caseworker, state=State.MEDIATION_FAILED)
    data = {
        "expected_state": "mediation_failed",
        "forum": "arbitration",
        "body": "随州市劳动人事争议仲裁委员会",
        "on": "2026-05-06",
        **missing,
    }
    before = saved_rows()

    response = client_.post(f"/cases/{failed.number}/do/refer/", data)

    assert response.status_code == 400
    errors = shown_field(response, field)[0]
    assert len(errors) == 1
    assert errors[0] == REQUIRED or errors[0].startswith("Select a valid choice.")
    assert reload(failed).state == State.MEDIATION_FAILED
    assert saved_rows() == before


def test_recording_an_agreement_signed_in_the_future_is_refused(
    client_, mediating, caseworker, shown_field
):
    factories.fill_agreement_terms(mediating, caseworker)
    before = saved_rows()

    response = client_.post(
        f"/cases/{mediating.number}/do/record_agreement/",
        {"expected_state": "mediating", "signed_on": _tomorrow()},
    )

    assert response.status_code == 400
    assert shown_field(response, "signed_on")[0] == ["The date cannot be in the future."]
    assert reload(mediating).state == State.MEDIATING
    assert saved_rows() == before


def test_a_step_sent_from_a_page_drawn_before_the_case_changed_changes_nothing(client_, taken):
    # Someone accepted the case after this page was drawn in the intake state.
    client_.post(f"/cases/{taken.number}/do/accept/", {"expected_state": "intake"})
    assert reload(taken).state == State.ACCEPTED
    before = saved_rows()

    response = client_.post(
        f"/cases/{taken.number}/do/decline/",
        {"expected_state": "intake", "note": "重复登记"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/cases/{taken.number}/", 302)]
    message = messages_of(response)[-1]
    assert message.startswith("This case changed while you were working on it: it is now")
    assert "Nothing was saved" in message
    assert reload(taken).state == State.ACCEPTED
    assert saved_rows() == before


def test_a_step_whose_conditions_are_unmet_says_what_is_missing(client_, mediating):
    before = transitions_logged(mediating)

    response = client_.post(
        f"/cases/{mediating.number}/do/record_agreement/",
        {"expected_state": "mediating", "signed_on": timezone.localdate().isoformat()},
        follow=True,
    )

    shown = messages_of(response)
    assert "The agreement lacks the agreed result." in shown
    assert "The agreement lacks the amount agreed for every worker." in shown
    assert reload(mediating).state == State.MEDIATING
    assert transitions_logged(mediating) == before


# --- documents: the file's content must match its name ----------------------------------------


def test_a_file_whose_content_does_not_match_its_name_is_refused(
    client_, mediating, shown_field, document_storage
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    upload = SimpleUploadedFile("agreement.pdf", png, content_type="application/pdf")
    before = saved_rows()

    response = client_.post(
        f"/cases/{mediating.number}/record/document/",
        {"doc_type": "agreement", "title": "调解协议", "upload": upload},
    )

    assert response.status_code == 400
    assert shown_field(response, "upload")[0] == [
        "The file's name does not match its content; rename it and try again."
    ]
    assert saved_rows() == before
    assert not any(document_storage.rglob("*.*"))


# --- masking ----------------------------------------------------------------------------------


def test_the_case_page_shows_the_id_and_phone_masked_never_in_full(login_as, caseworker, office):
    number = id_number(77)
    person = factories.WorkerFactory(office=office, id_number=number, phone="13812345678")
    dispute = wage_dispute(office, by=caseworker, workers=[person])

    page = login_as(caseworker).get(f"/cases/{dispute.number}/").content.decode()

    assert number.startswith("421303")
    assert f"421303********{number[-4:]}" in page
    assert "138****5678" in page
    assert number not in page
    assert number[6:14] not in page  # not even the birth date
    assert "13812345678" not in page


def test_the_intake_page_shows_selected_and_found_workers_masked(login_as, caseworker, office):
    number = id_number(78)
    person = factories.WorkerFactory(
        name="欧阳娜娜", office=office, id_number=number, phone="13812345678"
    )

    page = search(login_as(caseworker), "/cases/new/", worker=person.pk, q=number).content.decode()

    assert f"421303********{number[-4:]}" in page
    assert "138****5678" in page
    assert "13812345678" not in page
    # The searched number is echoed only as what was typed in the search box; it is
    # never shown as the worker's, nor in any link (the language switch's included).
    assert f'name="q" value="{number}"' in page
    assert number not in page.replace(f'value="{number}"', "")
