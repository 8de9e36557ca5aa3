"""Four eyes on hardship aid: whoever recommends may not approve.

A supervisor handles a hardship aid application herself and recommends ¥6,000.
She finds no Approve button, and a request forged with her own session and CSRF
token is refused. A second supervisor of her office approves; as ¥6,000 is above
the ¥5,000 threshold, the application waits for a third supervisor at the city
federation. Then a caseworker records the disbursement and closes the case.

In Chinese, in headless Chromium; screenshots go to test-artifacts/four-eyes-*.png.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assistance.models import AidApplication, Approval
from cases.models import State
from tests import factories
from tests.assistance import steps
from tests.browser.conftest import login
from tests.browser.helpers import (
    action_offered,
    answer_confirmations,
    csrf_token,
    dibao_lines,
    exactly,
    expect_message,
    expect_state,
    fact,
    label,
    open_action,
    screenshot,
    switch_to,
    yuan,
    zh,
)

pytestmark = pytest.mark.browser

AMOUNT = 6000


@pytest.fixture
def applicant(office, caseworker2):
    return factories.WorkerFactory(
        office=office, created_by=caseworker2, name="黄秀英", employer="随州市曾都区环卫所"
    )


@pytest.fixture
def supervisor2(office):
    """A second supervisor of the same office: the other pair of eyes."""
    return factories.supervisor(office, username="zhou.jie", full_name="周杰")


def approvals_fact(page):
    return fact(page, "Approvals")


def test_a_supervisor_cannot_approve_the_aid_she_recommended(
    page,
    artifacts_dir,
    office,
    caseworker,
    caseworker2,
    supervisor,
    supervisor2,
    city_supervisor,
    applicant,
):
    dibao_lines()
    # A caseworker recorded the application at a service station; nobody has taken it.
    aid = steps.open_aid(office, by=caseworker2, worker=applicant)
    number = aid.number
    today = timezone.localdate()

    # --- 刘洋, supervisor, handles it herself ------------------------------------------
    login(page, supervisor.username, factories.PASSWORD)
    queues = page.get_by_role("navigation", name=exactly("Queues"))
    queues.get_by_role("link", name=exactly("Intake queue")).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    expect(row).to_contain_text(applicant.name)
    expect(row).to_contain_text(zh("Unassigned"))
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)

    page.get_by_role("button", name=exactly("Take this case")).click()
    expect_message(page, "You have taken %(number)s.", number=number)
    expect(fact(page, "Assignee")).to_have_text(supervisor.full_name)

    action = open_action(page, "Start assessment")
    action.get_by_role("button", name=exactly("Start assessment")).click()
    expect_state(page, "assessment")

    visit = open_action(page, "Home visit and household")
    visit.get_by_label(label("home visit on")).fill(
        f"{today - datetime.timedelta(days=2):%Y-%m-%d}"
    )
    visit.get_by_label(label("visited by")).fill("刘洋、张伟")
    visit.get_by_label(label("findings")).fill(
        "家中三口人，配偶患病需长期服药，住房为租住的单间，子女在读初中。"
    )
    visit.get_by_label(label("household size")).fill("3")
    visit.get_by_label(label("annual household income")).fill("24,000")
    visit.get_by_label(label("annual rigid spending")).fill("6000")
    visit.get_by_label(label("one-off costs (illness, accident, disaster)")).fill("0")
    visit.get_by_role("button", name=exactly("Save the assessment")).click()
    expect_message(page, "Assessment saved; the category was computed.")
    # (24,000 − 6,000) ÷ 12 ÷ 3 = ¥500 a person a month, under the ¥720 line.
    expect(fact(page, "Computed category")).to_have_text(zh("deep hardship"))
    expect(fact(page, "Annual household income")).to_have_text(yuan(24000))

    recommend = open_action(page, "Submit for approval")
    recommend.get_by_label(label("aid type")).select_option(label=zh("cash"))
    recommend.get_by_label(label("amount recommended")).fill("6000")
    recommend.get_by_label(label("category recommended")).select_option(label=zh("deep hardship"))
    recommend.get_by_label(label("reason for the recommendation")).fill(
        "家庭人均收入低于低保线，配偶长期服药，建议给予一次性现金帮扶六千元。"
    )
    recommend.get_by_role("button", name=exactly("Submit for approval")).click()
    expect_state(page, "recommended, awaiting approval")
    expect(fact(page, "Amount recommended")).to_have_text(yuan(AMOUNT))
    expect(fact(page, "Recommended by")).to_have_text(supervisor.full_name)
    expect(approvals_fact(page)).to_contain_text(zh("%(given)s of %(needed)s", given=0, needed=2))

    # She is told why, and is offered no Approve.
    expect(
        page.get_by_role("status").get_by_text(
            zh("You recommended this aid, so another supervisor must approve it.")
        )
    ).to_be_visible()
    expect(action_offered(page, "Approve")).to_have_count(0)
    screenshot(page, artifacts_dir, "four-eyes-01-own-recommendation")

    # A request forged with her session and CSRF token is refused, and changes nothing.
    forged = page.request.post(
        f"/cases/{number}/do/approve/",
        form={
            "csrfmiddlewaretoken": csrf_token(page),
            "expected_state": State.RECOMMENDED,
            "note": "同意",
        },
        max_redirects=0,
    )
    assert forged.status == 403, forged.text()[:500]
    assert zh("Your role does not allow this step on this case.") in forged.text()
    unchanged = AidApplication.objects.get(pk=aid.pk)
    assert unchanged.state == State.RECOMMENDED
    assert unchanged.approved_amount is None
    assert not Approval.objects.filter(application=unchanged).exists()
    page.reload()
    expect(approvals_fact(page)).to_contain_text(zh("%(given)s of %(needed)s", given=0, needed=2))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        zh("recommended, awaiting approval")
    )

    # --- 周杰, the other supervisor of the office, approves once --------------------------
    switch_to(page, supervisor2)
    page.get_by_role("navigation", name=exactly("Main")).get_by_role(
        "link", name=exactly("Approval queue")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("Approval queue"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    expect(row).to_contain_text(applicant.name)
    expect(row).to_contain_text(yuan(AMOUNT))
    expect(row).to_contain_text(zh("recommended, awaiting approval"))
    screenshot(page, artifacts_dir, "four-eyes-02-approval-queue")
    row.get_by_role("link", name=number).click()

    approve = open_action(page, "Approve")
    approve.get_by_label(label("comment")).fill("经核实情况属实，同意。")
    approve.get_by_role("button", name=exactly("Approve")).click()
    # Above the threshold one approval is not enough: the application still waits.
    expect_state(page, "recommended, awaiting approval")
    expect(approvals_fact(page)).to_contain_text(zh("%(given)s of %(needed)s", given=1, needed=2))
    approvals = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=exactly("Approved by"))
    )
    expect(approvals.get_by_role("row").filter(has_text=supervisor2.full_name)).to_contain_text(
        yuan(AMOUNT)
    )
    expect(page.get_by_text(zh("awaiting a further approval"))).to_be_visible()
    # The same pair of eyes does not count twice.
    expect(action_offered(page, "Approve")).to_have_count(0)
    screenshot(page, artifacts_dir, "four-eyes-03-first-approval")

    # --- 赵敏, supervisor at the city federation, gives the second approval -------------
    switch_to(page, city_supervisor)
    page.get_by_role("navigation", name=exactly("Main")).get_by_role(
        "link", name=exactly("Approval queue")
    ).click()
    page.get_by_role("row").filter(has=page.get_by_role("link", name=number)).get_by_role(
        "link", name=number
    ).click()
    approve = open_action(page, "Approve")
    approve.get_by_label(label("comment")).fill("同意发放。")
    approve.get_by_role("button", name=exactly("Approve")).click()
    expect_state(page, "approved")
    expect(fact(page, "Amount approved")).to_have_text(yuan(AMOUNT))
    expect(approvals_fact(page)).to_contain_text(zh("%(given)s of %(needed)s", given=2, needed=2))
    expect(approvals.get_by_role("row").filter(has_text=city_supervisor.full_name)).to_be_visible()
    screenshot(page, artifacts_dir, "four-eyes-04-approved")

    # --- 刘洋 hands the payout to 张伟, caseworker ---------------------------------------
    switch_to(page, supervisor)
    page.get_by_role("link", name=number).click()
    assign = open_action(page, "Assign or reassign")
    assign.get_by_label(label("assign to")).select_option(label=caseworker.full_name)
    assign.get_by_label(label("note")).fill("请办理发放")
    assign.get_by_role("button", name=exactly("Save assignment")).click()
    expect_message(page, "Assignment saved.")
    expect(fact(page, "Assignee")).to_have_text(caseworker.full_name)

    # --- 张伟 records the disbursement and closes the case --------------------------------
    switch_to(page, caseworker)
    expect(page.get_by_role("heading", level=1)).to_have_text(exactly("My cases"))
    page.get_by_role("row").filter(has=page.get_by_role("link", name=number)).get_by_role(
        "link", name=number
    ).click()
    disburse = open_action(page, "Record disbursement")
    disburse.get_by_label(label("amount disbursed")).fill("6,000.00")
    disburse.get_by_label(label("disbursed on")).fill(f"{today:%Y-%m-%d}")
    disburse.get_by_label(label("disbursement method")).fill("银行转账")
    disburse.get_by_label(label("receipt reference")).fill("HZ-2026-0107")
    disburse.get_by_role("button", name=exactly("Record disbursement")).click()
    expect_state(page, "disbursed")
    expect(fact(page, "Disbursement")).to_contain_text(
        re.compile(rf"{re.escape(yuan(AMOUNT))}.*{today:%Y-%m-%d}.*银行转账.*HZ-2026-0107")
    )

    asked = answer_confirmations(page)
    close = open_action(page, "Close")
    close.get_by_label(label("note")).fill("帮扶款已转入申请人账户")
    close.get_by_role("button", name=exactly("Close")).click()
    expect_state(page, "closed")
    assert asked == [zh("%(label)s: this finishes the case. Continue?", label=zh("Close"))]
    expect(fact(page, "Finished")).to_contain_text(zh("aid disbursed"))
    expect(page.get_by_role("heading", name=exactly("What you can do now"))).to_have_count(0)
    screenshot(page, artifacts_dir, "four-eyes-05-closed")

    # And the database agrees with what the pages said.
    closed = AidApplication.objects.get(pk=aid.pk)
    assert closed.state == State.CLOSED
    assert closed.recommended_by == supervisor
    assert closed.assignee == caseworker
    assert closed.approved_amount == closed.disbursed_amount == Decimal("6000.00")
    assert [a.approver for a in Approval.objects.filter(application=closed).order_by("pk")] == [
        supervisor2,
        city_supervisor,
    ]
