"""Claim items and the final-award flag (DOMAIN.md R7, LDMAL Art. 47).

An item for wages, work-injury medical costs, compensation or damages of at most
12 × the local monthly minimum wage is final for the employer. The flag is judged
when the item is saved, against the rate in force on the application date, and
kept with the rate it used: a later rate does not rewrite it.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cases import claims, services
from cases.models import CaseWorker, ClaimItem, ClaimType, FinalAward, State
from casework import reference
from casework.models import AuditEntry, District, MinimumWage
from tests import factories

pytestmark = pytest.mark.django_db

RATE = Decimal("1950.00")  # 12 × = ¥23,400.00


@pytest.fixture
def district(db):
    return District.objects.create(name="曾都区")


@pytest.fixture
def rate(district):
    return MinimumWage.objects.create(
        district=district, monthly_amount=RATE, effective_from=datetime.date(2025, 1, 1)
    )


@pytest.fixture
def dispute(office, caseworker, district):
    rider = factories.WorkerFactory(office=office, created_by=caseworker, district=district)
    return factories.wage_dispute(
        office, by=caseworker, workers=[rider], claimed=None, state=State.ACCEPTED
    )


def add(dispute, by, amount, type=ClaimType.WAGES, **kwargs):
    return claims.save_claim_item(
        case=dispute,
        by=by,
        worker=dispute.workers.get(),
        type=type,
        amount=Decimal(amount),
        **kwargs,
    )


def claimed(dispute):
    return CaseWorker.objects.get(case=dispute).amount_claimed


# --- the boundary, to the fen ------------------------------------------------------------


def test_an_item_of_exactly_12_times_the_minimum_wage_is_final(dispute, caseworker, rate):
    item = add(dispute, caseworker, "23400.00")

    item.refresh_from_db()
    assert item.final_award == FinalAward.FINAL
    assert item.final_award_limit == Decimal("23400.00")
    assert item.minimum_wage == rate


def test_an_item_one_fen_over_12_times_the_minimum_wage_is_not_final(dispute, caseworker, rate):
    item = add(dispute, caseworker, "23400.01")

    assert ClaimItem.objects.get(pk=item.pk).final_award == FinalAward.NOT_FINAL


@pytest.mark.parametrize(
    "type", [ClaimType.WAGES, ClaimType.INJURY_MEDICAL, ClaimType.COMPENSATION, ClaimType.DAMAGES]
)
def test_each_kind_article_47_names_is_tested(dispute, caseworker, rate, type):
    assert add(dispute, caseworker, "100.00", type=type).final_award == FinalAward.FINAL


def test_an_other_claim_is_not_tested(dispute, caseworker, rate):
    item = add(dispute, caseworker, "100.00", type=ClaimType.OTHER)

    assert item.final_award == FinalAward.NOT_APPLICABLE
    assert item.minimum_wage is None


# --- the rate and its history --------------------------------------------------------------


def test_the_rate_in_force_on_the_application_date_is_used(office, caseworker, district, rate):
    MinimumWage.objects.create(
        district=district,
        monthly_amount=Decimal("2100.00"),
        effective_from=datetime.date(2099, 1, 1),
    )
    dispute = factories.wage_dispute(
        office,
        by=caseworker,
        workers=[factories.WorkerFactory(office=office, district=district)],
        state=State.ACCEPTED,
    )

    item = add(dispute, caseworker, "23400.01")

    assert item.minimum_wage == rate
    assert item.judged_on == timezone.localdate(dispute.received_at)
    assert item.final_award == FinalAward.NOT_FINAL


def test_a_rate_change_leaves_earlier_flags_as_they_were(dispute, caseworker, district, rate):
    item = add(dispute, caseworker, "23400.00", description="三月至五月工资")
    # Another rate entered later, back-dated to before the application (12 × 1,800 < 23,400).
    MinimumWage.objects.create(
        district=district,
        monthly_amount=Decimal("1800.00"),
        effective_from=datetime.date(2025, 6, 1),
    )

    # Changing only the description keeps the flag and the rate it was judged by.
    add(dispute, caseworker, "23400.00", item=item, description="三月至五月工资（62天）")

    item.refresh_from_db()
    assert item.final_award == FinalAward.FINAL
    assert item.minimum_wage == rate
    assert item.final_award_limit == Decimal("23400.00")


def test_a_changed_amount_is_judged_again_with_the_rate_now_in_force(
    dispute, caseworker, district, rate
):
    item = add(dispute, caseworker, "20000.00")
    lower = MinimumWage.objects.create(
        district=district,
        monthly_amount=Decimal("1600.00"),
        effective_from=datetime.date(2025, 6, 1),
    )

    add(dispute, caseworker, "20000.01", item=item)

    item.refresh_from_db()
    assert item.minimum_wage == lower
    assert item.final_award == FinalAward.NOT_FINAL  # 12 × 1,600 = 19,200


def test_a_district_without_its_own_rate_uses_the_city_wide_one(dispute, caseworker, district):
    city_wide = MinimumWage.objects.create(
        district=None, monthly_amount=Decimal("1800.00"), effective_from=datetime.date(2025, 1, 1)
    )

    item = add(dispute, caseworker, "21600.00")

    assert item.minimum_wage == city_wide
    assert item.final_award == FinalAward.FINAL


def test_a_districts_own_rate_wins_over_a_newer_city_wide_one(district):
    own = MinimumWage.objects.create(
        district=district, monthly_amount=RATE, effective_from=datetime.date(2024, 1, 1)
    )
    MinimumWage.objects.create(
        district=None, monthly_amount=Decimal("2000.00"), effective_from=datetime.date(2025, 1, 1)
    )

    assert reference.minimum_wage_on(district, datetime.date(2026, 1, 1)) == own


def test_without_a_minimum_wage_the_flag_is_unknown_and_judged_when_saved_again(
    dispute, caseworker, district
):
    item = add(dispute, caseworker, "5000.00")

    assert item.final_award == FinalAward.UNKNOWN
    assert item.minimum_wage is None
    MinimumWage.objects.create(
        district=district, monthly_amount=RATE, effective_from=datetime.date(2025, 1, 1)
    )
    add(dispute, caseworker, "5000.00", item=item)

    assert ClaimItem.objects.get(pk=item.pk).final_award == FinalAward.FINAL


# --- the claimed total ---------------------------------------------------------------------


def test_a_workers_claim_is_the_sum_of_their_items(dispute, caseworker, rate):
    wages = add(dispute, caseworker, "6000.00")
    add(dispute, caseworker, "1500.50", type=ClaimType.COMPENSATION)
    assert claimed(dispute) == Decimal("7500.50")

    claims.remove_claim_item(case=dispute, by=caseworker, item=wages)

    assert claimed(dispute) == Decimal("1500.50")


def test_a_typed_claim_that_disagrees_with_the_items_is_refused(dispute, caseworker, rate):
    add(dispute, caseworker, "6000.00")
    cw = CaseWorker.objects.get(case=dispute)

    with pytest.raises(ValidationError):
        services.set_amounts(
            case=dispute, by=caseworker, amounts={cw.pk: (Decimal("9000.00"), None)}
        )

    assert claimed(dispute) == Decimal("6000.00")


# --- who may, when, and the audit log -------------------------------------------------------


def test_every_change_to_a_claim_item_is_in_the_audit_log(dispute, caseworker, rate):
    item = add(dispute, caseworker, "6000.00")
    add(dispute, caseworker, "6500.00", item=item)
    claims.remove_claim_item(case=dispute, by=caseworker, item=item)

    logged = list(
        AuditEntry.objects.filter(
            case_id=dispute.pk,
            action=AuditEntry.Action.CASE_EDITED,
            details__fields=["claim_items"],
        ).order_by("pk")
    )
    assert [e.actor for e in logged] == [caseworker] * 3
    assert logged[0].details["claim_item"]["amount"] == "6000.00"
    assert logged[0].details["claim_item"]["final_award"] == "final"
    assert logged[1].details["before"]["amount"] == "6000.00"
    assert logged[2].details["removed"]["amount"] == "6500.00"


def test_a_caseworker_not_on_the_case_may_not_add_items(dispute, caseworker2, rate):
    with pytest.raises(PermissionDenied):
        add(dispute, caseworker2, "100.00")

    assert not ClaimItem.objects.exists()


def test_items_are_fixed_once_the_agreement_is_recorded(office, caseworker, rate):
    dispute = factories.wage_dispute(office, by=caseworker, state=State.AGREEMENT)

    with pytest.raises(TransitionNotAllowed):
        add(dispute, caseworker, "100.00")


def test_an_item_for_a_worker_not_on_the_case_is_refused(dispute, caseworker, office, rate):
    stranger = factories.WorkerFactory(office=office)

    with pytest.raises(ValidationError):
        claims.save_claim_item(
            case=dispute, by=caseworker, worker=stranger, type="wages", amount=Decimal("1")
        )


# --- through the case page --------------------------------------------------------------------


def item_form(dispute, amount, **extra):
    return {
        "expected_state": dispute.state,
        "worker": dispute.workers.get().pk,
        "type": "wages",
        "amount": amount,
        "description": "",
        **extra,
    }


def url(dispute, action="claim_item"):
    return f"/cases/{dispute.number}/record/{action}/"


def test_an_anonymous_visitor_is_sent_to_log_in(login_as, dispute, rate):
    response = login_as(None).post(url(dispute), item_form(dispute, "3000"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not ClaimItem.objects.exists()


def test_a_caseworker_of_another_office_gets_not_found(login_as, dispute, other_caseworker, rate):
    response = login_as(other_caseworker).post(url(dispute), item_form(dispute, "3000"))

    assert response.status_code == 404
    assert not ClaimItem.objects.exists()


def test_the_assigned_caseworker_adds_an_item_and_sees_its_flag(
    login_as, dispute, caseworker, rate
):
    client = login_as(caseworker)
    response = client.post(url(dispute), item_form(dispute, "23,400.00"), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Claim item saved." in page
    assert "Final award for the employer" in page
    assert "12 × ¥1,950.00 = ¥23,400.00" in page
    assert ClaimItem.objects.get().amount == Decimal("23400.00")


def test_a_bad_amount_is_refused_next_to_the_field(
    login_as, dispute, caseworker, rate, shown_field
):
    response = login_as(caseworker).post(url(dispute), item_form(dispute, "-5"))

    assert response.status_code == 400
    errors, _html = shown_field(response, "amount")
    assert errors == ["The amount must be greater than zero."]
    assert not ClaimItem.objects.exists()


def test_the_page_says_when_no_minimum_wage_is_configured(login_as, dispute, caseworker):
    response = login_as(caseworker).post(url(dispute), item_form(dispute, "3000"), follow=True)

    page = response.content.decode()
    assert "Flag unknown" in page
    assert "No minimum wage is configured for 曾都区" in page


def test_an_item_is_removed_from_its_row(login_as, dispute, caseworker, rate):
    item = add(dispute, caseworker, "3000.00")

    response = login_as(caseworker).post(
        url(dispute, "claim_item_remove"), {"expected_state": dispute.state, "item": item.pk}
    )

    assert response.status_code == 302
    assert not ClaimItem.objects.exists()


# --- the administrators' table ---------------------------------------------------------------


def test_an_administrator_adds_a_rate_in_the_admin_and_the_change_is_audited(
    login_as, admin_user, district
):
    response = login_as(admin_user).post(
        "/admin/casework/minimumwage/add/",
        {"district": district.pk, "monthly_amount": "2010.00", "effective_from": "2026-09-01"},
    )

    assert response.status_code == 302
    row = MinimumWage.objects.get()
    assert (row.monthly_amount, row.changed_by) == (Decimal("2010.00"), admin_user)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTING_CHANGED, actor=admin_user)
    assert entry.details["key"] == "minimum_wage"
    assert entry.details["changes"]["monthly_amount"] == {"from": None, "to": "2010.00"}


def test_a_saved_rate_cannot_be_changed_in_the_admin(login_as, admin_user, rate):
    client = login_as(admin_user)

    client.post(
        f"/admin/casework/minimumwage/{rate.pk}/change/",
        {"district": rate.district_id, "monthly_amount": "1.00", "effective_from": "2025-01-01"},
    )

    rate.refresh_from_db()
    assert rate.monthly_amount == RATE


def test_a_caseworker_may_not_open_the_minimum_wage_admin(login_as, caseworker):
    response = login_as(caseworker).get("/admin/casework/minimumwage/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_case_page_costs_the_same_queries_for_2_or_12_items(
    login_as, dispute, caseworker, rate
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(caseworker)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/cases/{dispute.number}/").status_code == 200
        return len(captured)

    for amount in ("100.00", "200.00"):
        add(dispute, caseworker, amount)
    few = queries()
    for n in range(10):
        add(dispute, caseworker, f"{300 + n}.00")

    assert queries() == few
