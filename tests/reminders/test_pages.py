"""The deadlines page, the notifications and the header's count, through the client."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.models import WageDispute
from reminders import jobs
from reminders.models import Reminder, Threshold
from tests import factories

pytestmark = pytest.mark.django_db


def dispute_due(office, caseworker, days: int, **fields) -> WageDispute:
    """A taken dispute whose mediation period ends `days` from today."""
    dispute = factories.wage_dispute(office, by=caseworker, state="accepted", **fields)
    WageDispute.objects.filter(pk=dispute.pk).update(
        mediation_deadline=timezone.localdate() + datetime.timedelta(days=days)
    )
    return dispute


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section {heading_id}"
    return match.group()


# --- who may open the pages ------------------------------------------------------------------


def test_the_deadlines_page_sends_anonymous_visitors_to_log_in(login_as):
    response = login_as(None).get("/deadlines/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/deadlines/")


def test_the_deadlines_page_is_refused_to_an_auditor(login_as, auditor):
    response = login_as(auditor).get("/deadlines/")
    assert response.status_code == 403


def test_a_caseworker_sees_their_clocks_grouped_soonest_first(login_as, office, caseworker):
    late = dispute_due(office, caseworker, -2)
    soon = dispute_due(office, caseworker, 4)
    later = dispute_due(office, caseworker, 12)
    today = dispute_due(office, caseworker, 0)

    page = login_as(caseworker).get("/deadlines/").content.decode()

    assert late.number in section(page, "bucket-overdue-h")
    assert "overdue by 2 days" in section(page, "bucket-overdue-h")
    assert today.number in section(page, "bucket-today-h")
    assert soon.number in section(page, "bucket-week-h")
    assert later.number in section(page, "bucket-later-h")
    assert f'href="/cases/{late.number}/"' in page
    assert page.index(late.number) < page.index(today.number) < page.index(soon.number)


def test_a_caseworker_does_not_see_a_colleagues_clocks(login_as, office, caseworker, caseworker2):
    theirs = dispute_due(office, caseworker2, 1)
    page = login_as(caseworker).get("/deadlines/").content.decode()
    assert theirs.number not in page


def test_a_missed_performance_date_offers_not_performed(login_as, office, caseworker):
    dispute = factories.wage_dispute(office, by=caseworker, state="agreement")
    WageDispute.objects.filter(pk=dispute.pk).update(
        performance_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = login_as(caseworker).get("/deadlines/").content.decode()
    assert f'href="/cases/{dispute.number}/#do-refer"' in page
    assert "Not performed: refer" in page


def test_a_supervisor_sees_their_offices_by_caseworker_with_overdue_counts(
    login_as, office, other_office, caseworker, caseworker2, other_caseworker, supervisor
):
    dispute_due(office, caseworker, -1)
    dispute_due(office, caseworker, -3)
    dispute_due(office, caseworker2, 5)
    elsewhere = dispute_due(other_office, other_caseworker, -1)

    page = login_as(supervisor).get("/deadlines/").content.decode()

    team = section(page, "team-h")
    rows = re.findall(r"<tr>\s*<td[^>]*><a[^>]*>([^<]+)</a></td>\s*(.*?)</tr>", team, re.S)
    counts = {name: re.findall(r">(\d+)</td>", cells) for name, cells in rows}
    assert counts == {"张伟": ["2", "0", "0", "0"], "李娜": ["0", "0", "1", "0"]}
    assert elsewhere.number not in page


def test_the_deadlines_page_costs_the_same_few_queries_for_many_cases(
    login_as, office, caseworker, supervisor, django_assert_max_num_queries
):
    for n in range(12):
        dispute_due(office, caseworker, n - 3)
    client = login_as(supervisor)
    with django_assert_max_num_queries(20) as few:
        client.get("/deadlines/")
    for n in range(12):
        dispute_due(office, caseworker, n - 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/deadlines/")
    assert response.content.decode().count('class="case-number"') == 24


# --- notifications -------------------------------------------------------------------------


@pytest.fixture
def notified(office, caseworker):
    """Two overdue clocks of `caseworker`, reminded by the job."""
    cases = [dispute_due(office, caseworker, -1), dispute_due(office, caseworker, -2)]
    jobs.run()
    return cases


def unread_count(response) -> str:
    match = re.search(r'id="unread-count">(\d+)<', response.content.decode())
    assert match, "no notification count in the header"
    return match.group(1)


def test_the_header_shows_the_unread_count_on_every_page(login_as, caseworker, notified):
    client = login_as(caseworker)
    assert unread_count(client.get("/cases/")) == "2"
    assert unread_count(client.get("/account/")) == "2"


def test_the_header_counts_are_one_query(login_as, caseworker, notified):
    """The bell's count and the other navigation counts (applications to join) come
    in one query, however many apps add a count (casework.navigation)."""
    client = login_as(caseworker)
    response = client.get("/account/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/account/")
    counts = [q["sql"] for q in queries.captured_queries if "reminders_reminder" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0] and "members_membershipapplication" in counts[0]
    assert response.status_code == 200


def test_the_notification_list_links_each_to_its_case(login_as, caseworker, notified):
    page = login_as(caseworker).get("/notifications/").content.decode()
    for reminder in Reminder.objects.filter(recipient=caseworker):
        assert f'href="/notifications/{reminder.pk}/"' in page
        assert reminder.case.number in page


def test_opening_a_notification_marks_it_read_and_opens_the_case(login_as, caseworker, notified):
    reminder = Reminder.objects.filter(recipient=caseworker).first()
    client = login_as(caseworker)

    response = client.get(f"/notifications/{reminder.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{reminder.case.number}/"
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert unread_count(client.get("/cases/")) == "1"


def test_another_persons_notification_is_not_found(login_as, caseworker2, caseworker, notified):
    reminder = Reminder.objects.filter(recipient=caseworker).first()
    response = login_as(caseworker2).get(f"/notifications/{reminder.pk}/")
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None


def test_the_notifications_send_anonymous_visitors_to_log_in(login_as, caseworker, notified):
    reminder = Reminder.objects.first()
    for url in ["/notifications/", f"/notifications/{reminder.pk}/"]:
        response = login_as(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_mark_all_read_clears_the_count(login_as, caseworker, notified):
    client = login_as(caseworker)
    response = client.post("/notifications/read/", follow=True)
    assert unread_count(response) == "0"
    assert not Reminder.objects.unread().filter(recipient=caseworker).exists()


def test_the_navigation_links_to_the_deadlines_page_for_caseworkers_only(
    login_as, caseworker, auditor
):
    assert 'href="/deadlines/"' in login_as(caseworker).get("/cases/").content.decode()
    assert 'href="/deadlines/"' not in login_as(auditor).get("/cases/").content.decode()


# --- the account page: e-mail off ------------------------------------------------------------


def test_a_user_turns_reminder_email_off_on_the_account_page(login_as, office, caseworker):
    caseworker.email = "zhang.wei@example.cn"
    caseworker.save()
    client = login_as(caseworker)

    response = client.post("/account/", {"preferences": "1", "language": "en"}, follow=True)

    assert "Your reminder settings are saved." in response.content.decode()
    caseworker.refresh_from_db()
    assert (caseworker.email_reminders, caseworker.language) == (False, "en")
    from casework.models import AuditEntry

    entry = AuditEntry.objects.get(action="account_changed", actor=caseworker)
    assert entry.details["fields"] == ["email_reminders", "language"]
    dispute = dispute_due(office, caseworker, 0)
    jobs.run()
    reminder = Reminder.objects.get(case=dispute, threshold=Threshold.NEXT_DAY)
    assert reminder.email_wanted is False  # the notification is still there, in the app


def test_a_referred_cases_arbitration_clocks_are_shown_for_information_and_remind_nobody(
    login_as, office, caseworker
):
    dispute = factories.wage_dispute(office, by=caseworker, state="referred")
    referred = timezone.localdate() - datetime.timedelta(days=1)
    WageDispute.objects.filter(pk=dispute.pk).update(referral_date=referred)

    page = login_as(caseworker).get("/deadlines/").content.decode()
    jobs.run()

    assert "Arbitration: decision on acceptance" in page
    assert "Arbitration: award" in page
    assert page.count("(for information)") == 2
    assert not Reminder.objects.filter(case=dispute, clock__startswith="arb").exists()


def test_a_mediation_period_run_out_offers_mediation_failed_only_while_mediating(
    login_as, office, caseworker
):
    mediating = dispute_due(office, caseworker, -1)
    mediating = factories.walk_to(mediating, "mediating", caseworker)
    WageDispute.objects.filter(pk=mediating.pk).update(
        mediation_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    accepted = dispute_due(office, caseworker, -1)

    page = login_as(caseworker).get("/deadlines/").content.decode()

    assert f'href="/cases/{mediating.number}/#do-mark_failed"' in page
    assert f"/cases/{accepted.number}/#do-" not in page
