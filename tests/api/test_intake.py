"""The hotline's writes: the same form, service, refusals and audit entries as the pages."""

import datetime

import pytest
from django.utils import timezone, translation

from api.models import ApiToken, Scope
from cases.forms import IntakeForm, WorkerForm
from cases.models import Case, CaseWorker, Worker
from casework.models import AuditEntry
from public import codes
from public.models import OnlineRequest
from tests import factories

Action = AuditEntry.Action


def intake(**changes) -> dict:
    body = {
        "received_at": timezone.now().isoformat(),
        "channel": "hotline",
        "matters": "拖欠配送费",
        "reasons": "站点扣发两个月配送费。",
        "relationship": "labour",
        "priority": "normal",
        "workers": [
            {
                "name": "王小明",
                "phone": "13907221234",
                "id_number": factories.id_number(7),
                "occupation": "rider",
                "consent": True,
                "consent_scope": "同意",
                "residence": "urban",
                "amount_claimed": "3200.50",
            }
        ],
    }
    body.update(changes)
    return body


def test_a_hotline_intake_lands_in_the_offices_queue_with_its_audit_entries(call, hotline, office):
    answer = call("post", "intakes/", hotline, intake())
    assert answer.status_code == 201, answer.json()
    number = answer.json()["number"]
    case = Case.objects.get(number=number)
    assert case.office == office and case.assignee is None and case.state == "intake"
    assert list(Case.objects.intake_queue(office.pk)) == [case]
    link = CaseWorker.objects.get(case=case)
    assert link.worker.name == "王小明" and str(link.amount_claimed) == "3200.50"
    account = ApiToken.objects.get(name="12351 热线 曾都区").account
    opened = AuditEntry.objects.get(action=Action.CASE_OPENED, case=case)
    assert opened.actor == account and "12351 热线 曾都区" in opened.actor_name
    assert AuditEntry.objects.filter(action=Action.WORKER_CREATED, actor=account).count() == 1
    called = AuditEntry.objects.get(action=Action.API_CALL)
    assert called.details == {
        "token": "12351 热线 曾都区",
        "method": "POST",
        "path": "/api/v1/intakes/",
        "status": 201,
    }
    assert answer.json()["state_label"] == "intake"


def test_a_worker_on_file_by_id_number_is_taken_as_on_file(call, hotline, office, worker):
    body = intake()
    body["workers"][0]["id_number"] = worker.id_number()
    answer = call("post", "intakes/", hotline, body)
    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(number=answer.json()["number"])
    assert list(case.workers.all()) == [worker]
    assert Worker.objects.count() == 1


def test_a_caller_on_file_by_mobile_and_name_is_taken_as_on_file(call, hotline, worker):
    body = intake()
    body["workers"][0] |= {"id_number": "", "phone": worker.phone, "name": worker.name}
    answer = call("post", "intakes/", hotline, body)
    assert answer.status_code == 201, answer.json()
    assert list(Case.objects.get().workers.all()) == [worker] and Worker.objects.count() == 1


def page_errors(form_class, data, **kwargs) -> dict:
    with translation.override("en"):
        form = form_class(data, **kwargs)
        form.is_valid()
        return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"received_at": None}, "received_at"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"period_from": "2026-05-01", "period_to": "2026-04-01"}, "period_to"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
    ],
)
def test_bad_particulars_get_the_intake_pages_refusal_and_nothing_is_saved(
    call, hotline, office, change, field
):
    body = intake(**change)
    answer = call("post", "intakes/", hotline, body)
    assert answer.status_code == 400
    data = {k: v for k, v in body.items() if k != "workers" and v is not None}
    expected = page_errors(
        IntakeForm, {**data, "office": office.pk}, offices=type(office).objects.filter(pk=office.pk)
    )
    assert answer.json()[field] == expected[field]
    assert not Case.objects.exists() and not Worker.objects.exists()
    assert answer["Content-Language"] == "en"


def test_a_bad_worker_gets_the_worker_forms_refusal_next_to_its_field(call, hotline):
    good = intake()["workers"][0]
    bad = {**good, "phone": "12345", "id_number": "", "name": "李四", "consent": False}
    answer = call("post", "intakes/", hotline, intake(workers=[good, bad]))
    assert answer.status_code == 400
    errors = answer.json()["workers"]
    assert errors[0] == {}
    expected = page_errors(WorkerForm, {k: v for k, v in bad.items() if k != "amount_claimed"})
    assert errors[1]["phone"] == expected["phone"]
    assert errors[1]["consent"] == expected["consent"]
    assert not Case.objects.exists() and not Worker.objects.exists()


def test_refusals_come_in_the_clients_language(call, hotline):
    english = call("post", "intakes/", hotline, intake(workers=[]))
    chinese = call("post", "intakes/", hotline, intake(workers=[]), language="zh-hans")
    assert english.json()["workers"] == ["Add at least one worker to the application."]
    assert chinese.json()["workers"] == ["请至少为申请添加一名劳动者。"]
    assert chinese["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    "body",
    ["[]", "not json", {"workers": "everyone"}, {"workers": [1]}, {"matters": {"a": 1}}],
)
def test_malformed_bodies_are_refused_as_json(call, hotline, body):
    answer = call("post", "intakes/", hotline, body)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert not Case.objects.exists()


def test_an_online_request_from_the_hotline_waits_with_a_tracking_code(call, hotline, office):
    station = factories.StationFactory(office=office)
    body = {
        "kind": "wage",
        "name": "王小明",
        "mobile": "13907221234",
        "occupation": "rider",
        "description": "站点两个月没发工资。",
        "amount_owed": "4000",
        "consent": True,
        "station": station.pk,
    }
    answer = call("post", "online-requests/", hotline, body)
    assert answer.status_code == 201, answer.json()
    online = OnlineRequest.objects.get()
    assert online.office == office and online.station == station
    assert codes.parse(answer.json()["tracking_code"]) == online.tracking_code
    assert answer.json()["tracking_code"] == codes.display(online.tracking_code)
    assert AuditEntry.objects.filter(action=Action.ONLINE_REQUEST).count() == 1


def test_an_online_request_refuses_what_the_help_page_refuses(call, hotline, other_office):
    station = factories.StationFactory(office=other_office)
    body = {
        "kind": "wage",
        "name": "😀",
        "mobile": "1",
        "occupation": "rider",
        "description": "x",
        "consent": False,
        "station": station.pk,
    }
    answer = call("post", "online-requests/", hotline, body)
    assert answer.status_code == 400
    assert set(answer.json()) >= {"name", "mobile", "consent", "station"}
    assert not OnlineRequest.objects.exists()


@pytest.mark.parametrize("scope", [Scope.FINISHED, Scope.FIGURES, Scope.MEMBERSHIP])
def test_tokens_of_other_scopes_cannot_write(call, issue, office, scope):
    key = issue(scope, office)
    assert call("post", "intakes/", key, intake()).status_code == 403
    assert call("post", "online-requests/", key, {}).status_code == 403
    assert not Case.objects.exists() and not OnlineRequest.objects.exists()


def test_the_hotline_reads_a_cases_stage_not_its_content(
    call, hotline, office, other_office, caseworker, auditor
):
    closed = factories.wage_dispute(office, by=caseworker, state="declined")
    stage = call("get", f"cases/{closed.number}/", hotline)
    assert stage.status_code == 200
    assert set(stage.json()) == {
        "number",
        "kind",
        "kind_label",
        "state",
        "state_label",
        "office",
        "opened_at",
        "due_on",
        "finished_at",
    }
    assert call("get", f"finished-cases/{closed.number}/", hotline).status_code == 403
    assert (
        call(
            "get", "finished-cases/", hotline, finished_from="2026-01-01", finished_to="2026-12-31"
        ).status_code
        == 403
    )
    elsewhere = factories.wage_dispute(other_office)
    assert call("get", f"cases/{elsewhere.number}/", hotline).status_code == 404


def test_the_intake_day_counts_as_received(call, hotline):
    received = timezone.now() - datetime.timedelta(days=3)
    answer = call("post", "intakes/", hotline, intake(received_at=received.isoformat()))
    assert answer.status_code == 201
    case = Case.objects.get()
    assert case.specific().received_at == received
