"""`manage.py seed_demo`: a believable city's worth of demo data, written through the services."""

import datetime
import importlib
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate as _authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from assistance.models import (
    AidApplication,
    Approval,
    CardApplication,
    Category,
    FamilyMember,
    hardship_category,
)
from assistance.services import add_months, current_card
from cases.models import (
    Case,
    Counterparty,
    Kind,
    Occupation,
    Outcome,
    Payment,
    State,
    WageDispute,
    Worker,
)
from cases.models.wage import OPEN_STATES
from casework import identity, reference
from casework.models import AuditEntry, Office, ServiceTally, Station, User
from casework.transitions import may_take
from demo.management.commands.seed_demo import DEFAULT_PASSWORD, DEMO_USERNAMES


def authenticate(**credentials):
    # The lockout backend (django-axes) needs the request a sign-in comes with.
    return _authenticate(RequestFactory().post("/login/"), **credentials)


pytestmark = pytest.mark.django_db

WAGE_DISPUTE_STATES = [*OPEN_STATES, State.CLOSED, State.DECLINED, State.WITHDRAWN]


def seed() -> str:
    # The 低保 lines and settings come from a data migration, which a transactional
    # test elsewhere in the run may have flushed: load them again if so.
    migration = importlib.import_module("casework.migrations.0005_default_reference_data")
    migration.load(apps, None)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(monkeypatch) -> str:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return seed()


def roles_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def office_of(username: str) -> str:
    return User.objects.get(username=username).office.name


# --- passwords and refusing -------------------------------------------------------------


def test_the_password_is_taken_from_demo_password_when_it_is_set(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Lianghu-2026!")
    out = seed()

    assert authenticate(username="supervisor", password="Lianghu-2026!") is not None
    assert authenticate(username="supervisor", password=DEFAULT_PASSWORD) is None
    assert "Lianghu-2026!" not in out  # a chosen password is not echoed into logs
    assert "DEMO_PASSWORD" in out


def test_it_refuses_in_production_settings(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="never created in production"):
        seed()
    assert not User.objects.exists() and not Office.objects.exists()


def test_it_refuses_a_database_that_holds_real_data():
    User.objects.create_user("wang.fang", password="x", full_name="王芳")
    with pytest.raises(CommandError, match="already holds real data"):
        seed()
    assert not Case.objects.exists() and not Worker.objects.exists()
    assert User.objects.count() == 1


def test_an_account_that_happens_to_be_named_admin_is_real_data():
    User.objects.create_superuser("admin", password="x")
    with pytest.raises(CommandError, match="already holds real data"):
        seed()
    assert User.objects.count() == 1


SEEDED_MODELS = (User, Worker, Counterparty, Case, Payment, Approval, FamilyMember)


def test_running_it_again_is_harmless(seeded):
    counts = [model.objects.count() for model in SEEDED_MODELS]
    audit = AuditEntry.objects.count()

    out = seed()

    assert "already holds the demo data" in out
    assert "caseworker" in out  # the logins are printed again
    assert [m.objects.count() for m in SEEDED_MODELS] == counts
    assert AuditEntry.objects.count() == audit


def test_running_it_again_enrols_demo_accounts_seeded_before_two_factor(seeded):
    TOTPDevice.objects.all().delete()

    out = seed()

    assert (
        "enrolled for two-factor sign-in with the demo secret: "
        "supervisor, supervisor2, citysupervisor, auditor, admin." in out
    )
    assert TOTPDevice.objects.filter(confirmed=True).count() == 5
    assert "nothing was changed" in seed()


# --- the data: one seeding, shared by the read-only tests below ------------------------------


@pytest.fixture(scope="class")
def seeded_city(django_db_setup, django_db_blocker):
    """Seed once for the class; each test runs in a savepoint inside, and the whole
    seeding is rolled back when the class is done."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.delenv("DEMO_PASSWORD", raising=False)
        with transaction.atomic():
            yield seed()
            transaction.set_rollback(True)


AID_STATES = {
    State.APPLICATION,
    State.ASSESSMENT,
    State.RECOMMENDED,
    State.APPROVED,
    State.DISBURSED,
    State.CLOSED,
    State.REJECTED,
    State.WITHDRAWN,
}
CARD_STATES = {
    State.SUBMITTED,
    State.VERIFIED,
    State.APPROVED,
    State.CARD_ISSUED,
    State.CLOSED,
    State.REJECTED,
    State.WITHDRAWN,
}
WAITING = Q(kind=Kind.HARDSHIP_AID, state=State.RECOMMENDED) | Q(
    kind=Kind.MEDICAL_CARD, state=State.VERIFIED
)


def counts_by_state(model) -> dict:
    return dict(model.objects.values_list("state").annotate(n=Count("pk")).order_by())


class TestTheSeededCity:
    def test_it_creates_the_demo_accounts_and_prints_the_logins(self, seeded_city):
        assert set(User.objects.values_list("username", flat=True)) == set(DEMO_USERNAMES)
        for username, role, office in [
            ("caseworker", "caseworker", "曾都区总工会"),
            ("caseworker2", "caseworker", "曾都区总工会"),
            ("supervisor", "supervisor", "曾都区总工会"),
            # a second supervisor in the same office, for four eyes and second approvals
            ("supervisor2", "supervisor", "曾都区总工会"),
            ("citysupervisor", "supervisor", "随州市总工会"),
            ("auditor", "auditor", "随州市总工会"),
        ]:
            assert roles_of(username) == {role}
            assert office_of(username) == office
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff and roles_of("admin") == set()
        assert all(User.objects.filter(is_superuser=False).values_list("full_name", flat=True))

        for username in DEMO_USERNAMES:
            assert username in seeded_city
        assert "陈晓燕" in seeded_city and "曾都区总工会" in seeded_city
        assert DEFAULT_PASSWORD in seeded_city
        assert authenticate(username="caseworker", password=DEFAULT_PASSWORD) is not None
        assert authenticate(username="admin", password=DEFAULT_PASSWORD) is not None

    def test_the_accounts_that_need_a_code_sign_in_with_the_demo_secret(
        self, seeded_city, client, settings
    ):
        enrolled = TOTPDevice.objects.filter(confirmed=True).values_list("user__username")
        assert {name for (name,) in enrolled} == {
            "supervisor", "supervisor2", "citysupervisor", "auditor", "admin"
        }  # fmt: skip
        assert settings.DEMO_TOTP_SECRET in seeded_city
        assert "manage.py demo_totp" in seeded_city
        out = StringIO()
        call_command("demo_totp", stdout=out)
        code = out.getvalue().split()[0]

        client.post("/login/", {"username": "supervisor", "password": DEFAULT_PASSWORD})
        assert client.get("/cases/")["Location"].startswith("/login/code/")
        assert client.post("/login/code/", {"code": code}).status_code == 302
        assert client.get("/cases/").status_code == 200
        # Caseworkers are not asked for a code.
        client.post("/logout/")
        client.post("/login/", {"username": "caseworker", "password": DEFAULT_PASSWORD})
        assert client.get("/cases/").status_code == 200

    def test_every_wage_dispute_state_is_there_at_least_twice(self, seeded_city):
        counts = dict(WageDispute.objects.values_list("state").annotate(n=Count("pk")).order_by())
        for state in WAGE_DISPUTE_STATES:
            assert counts.get(state, 0) >= 2, state
        outcomes = set(WageDispute.objects.finished().values_list("outcome", flat=True))
        assert outcomes >= {
            Outcome.PERFORMED,
            Outcome.REFERRAL,
            Outcome.SHORTFALL,
            Outcome.DECLINED,
            Outcome.WITHDRAWN,
        }

    def test_the_city_figures_for_the_last_12_months_show_12_workers_and_197000_yuan(
        self, seeded_city
    ):
        from reports import figures, periods

        today = timezone.localdate()
        last_12_months = periods.period_for(periods.LAST_12_MONTHS, today)
        city = figures.measure(figures.Filters(scope=figures.Scope(None)), last_12_months, today)
        assert (city.workers_paid, city.recovered) == (12, Decimal("197000.00"))
        # Counted by hand: every valid payment of the demo, all of them within the period.
        valid = Payment.objects.valid()
        assert valid.aggregate(t=Sum("amount"))["t"] == Decimal("197000.00")
        assert valid.values("worker").distinct().count() == 12
        assert all(last_12_months.includes(day) for day in valid.values_list("paid_on", flat=True))
        # Ten closed after performance, two performed and waiting to be closed.
        paid = WageDispute.objects.filter(pk__in=valid.values("dispute_id"))
        assert (
            sorted(paid.values_list("state", flat=True))
            == [State.CLOSED] * 10 + [State.PERFORMED] * 2
        )
        # A voided payment stays on the record and does not count.
        voided = Payment.objects.filter(voided_at__isnull=False)
        assert voided.count() == 1 and voided.get().void_reason
        # Each was performed in full: what was agreed is what was received.
        for dispute in paid:
            totals = dispute.totals()
            assert totals["recovered"] == totals["agreed"] > 0
        assert "money recovered for 12 workers, ¥197,000.00" in seeded_city

    def test_the_city_supervisor_sees_the_seed_headline_on_the_figures_page(
        self, seeded_city, login_as
    ):
        page = login_as(User.objects.get(username="citysupervisor")).get("/figures/")
        text = page.content.decode()
        assert page.status_code == 200
        assert "¥197,000.00" in text
        headline = {row[0].value: row[1].value for row in page.context["headline"].rows}
        assert headline["Workers with money recovered"] == 12

    def test_a_collective_case_names_ten_or_more_workers_each_with_a_claim(self, seeded_city):
        collective = WageDispute.objects.annotate(n=Count("case_workers")).filter(n__gte=10).get()
        assert collective.counterparty_links.exists()
        claims = collective.claims()
        assert all(cw.amount_claimed and agreed for cw, agreed, _paid in claims)
        # Signed three days ago: the first instalment is not due yet.
        assert all(paid == 0 for _cw, _agreed, paid in claims)
        assert any(paid < agreed for _cw, agreed, paid in claims)  # ...and not all are paid yet

    def test_queues_and_clocks_have_something_to_show(self, seeded_city):
        for name in ("曾都区总工会", "随县总工会", "广水市总工会"):
            office = Office.objects.get(name=name)
            assert office.parent.name == "随州市总工会"
            assert WageDispute.objects.intake_queue(office.pk).exists(), name
        overdue = WageDispute.objects.overdue()
        assert overdue.filter(state=State.MEDIATING).exists()
        assert all(d.mediation_expired for d in overdue.filter(state=State.MEDIATING))
        assert overdue.count() == 1  # everything else is on time
        # The caseworker's own queue holds cases in many states.
        mine = set(WageDispute.objects.filter(assignee__username="caseworker").values_list("state"))
        assert len(mine) >= 6
        # A supervisor can reopen some of the closed cases (90 days), not all.
        closed = list(WageDispute.objects.filter(state=State.CLOSED, outcome=Outcome.PERFORMED))
        assert sum(d.can_reopen() for d in closed) >= 6
        assert not all(d.can_reopen() for d in closed)

    def test_dates_are_in_the_past_and_in_order(self, seeded_city):
        now = timezone.now()
        today = timezone.localdate()
        year_ago = now - datetime.timedelta(days=366)
        for dispute in WageDispute.objects.all():
            assert year_ago < dispute.opened_at == dispute.received_at <= now
            if dispute.is_finished:
                assert dispute.opened_at < dispute.finished_at <= now
            else:
                assert dispute.finished_at is None
            last = timezone.localdate(dispute.finished_at) if dispute.finished_at else today
            for payment in dispute.payments.all():
                assert timezone.localdate(dispute.received_at) <= payment.paid_on <= last
            for session in dispute.sessions.all():
                assert timezone.localdate(dispute.received_at) <= session.held_on <= last
            for contact in dispute.contacts.all():
                assert dispute.received_at <= contact.occurred_at <= now
        # Cases were received over months, not all today.
        days = {timezone.localdate(d.opened_at) for d in WageDispute.objects.all()}
        assert len(days) >= 25

    def test_people_and_firms_look_real_and_their_numbers_are_valid(self, seeded_city):
        assert set(Worker.objects.values_list("occupation", flat=True)) == set(Occupation.values)
        assert Worker.objects.count() >= 40
        names = "".join(Worker.objects.values_list("name", flat=True))
        assert {"堃", "喆", "玥"} <= set(names)
        for worker in Worker.objects.all():
            number = worker.id_number()
            assert identity.validate_id_number(number) == number
            assert number[:6] in {"421303", "421321", "421381"}
            assert 1968 <= int(number[6:10]) <= 2003
            assert identity.validate_phone(worker.phone) == worker.phone
            assert worker.consent_scope and worker.consent_at and worker.district
        assert Worker.objects.filter(is_member=True).exclude(membership_number="").count() >= 5
        types = set(Counterparty.objects.values_list("type", flat=True))
        assert types == set(Counterparty.Type.values)
        for cp in Counterparty.objects.exclude(credit_code=""):
            assert identity.validate_credit_code(cp.credit_code) == cp.credit_code
        # A chain: platform, station and dispatch firm on one dispute.
        assert any(
            set(d.counterparty_links.values_list("role", flat=True))
            >= {"platform", "station", "dispatch"}
            for d in WageDispute.objects.all()
        )

    def test_everything_went_through_the_services(self, seeded_city):
        opened = AuditEntry.objects.filter(action=AuditEntry.Action.CASE_OPENED)
        assert opened.count() == Case.objects.count()
        year = timezone.localdate().year
        for kind in Kind.values:
            numbers = sorted(Case.objects.filter(kind=kind).values_list("number", flat=True))
            assert numbers  # every kind has cases
            # gapless per kind and year
            assert numbers == [f"{kind}-{year}-{n:06d}" for n in range(1, len(numbers) + 1)]
        new_states = (State.INTAKE, State.APPLICATION, State.SUBMITTED)
        for case in Case.objects.exclude(state__in=new_states):
            entries = AuditEntry.objects.filter(case_id=case.pk, action="transition")
            assert entries.exists(), case.number
            assert entries.filter(target_state=case.state).exists()
        assert AuditEntry.objects.filter(action="payment").count() == Payment.objects.count()
        assert AuditEntry.objects.filter(action="payment_voided").count() == 1
        assert AuditEntry.objects.filter(action="mediation_session").exists()
        assert AuditEntry.objects.filter(action="worker_created").count() == Worker.objects.count()
        assert AuditEntry.objects.filter(action="approval").count() == Approval.objects.count()

    # --- service stations and where cases came in ------------------------------------------

    def test_stations_of_two_counties_have_tallies_for_most_days_of_the_last_year(
        self, seeded_city
    ):
        stations = Station.objects.select_related("office")
        assert 3 <= stations.count() <= 5
        assert {s.office.name for s in stations} == {"曾都区总工会", "随县总工会"}
        assert all(s.address.startswith("随州市") for s in stations)
        today = timezone.localdate()
        year_ago = today - datetime.timedelta(days=365)
        tallies = ServiceTally.objects.in_period(year_ago, today)
        for station in stations:
            first = max(station.opened_on, year_ago)
            days = tallies.filter(station=station).values("day").distinct().count()
            assert days >= 0.85 * (today - first).days, station.name
        assert not ServiceTally.objects.filter(day__gte=today).exists()  # today's is left to do
        assert tallies.person_visits() > 20_000

    def test_the_last_weeks_tallies_went_through_the_service_and_are_logged(self, seeded_city):
        today = timezone.localdate()
        week = ServiceTally.objects.in_period(today - datetime.timedelta(days=7), today)
        logged = AuditEntry.objects.filter(action=AuditEntry.Action.TALLY_RECORDED)
        assert logged.count() == week.values("station", "day").distinct().count() > 0

    def test_cases_came_in_at_stations_by_the_hotline_and_at_the_desk(self, seeded_city):
        channels = dict(Case.objects.values_list("channel").annotate(n=Count("pk")).order_by())
        assert {"station", "hotline", "desk"} <= set(channels)
        assert "" not in channels  # every demo case recorded where it came in
        for case in Case.objects.filter(channel="station").select_related("station", "office"):
            assert case.station is not None, case.number
            assert case.station.office_id in case.office.subtree_ids(), case.number
        kinds = set(Case.objects.filter(channel="station").values_list("kind", flat=True))
        assert kinds == {Kind.WAGE_DISPUTE, Kind.HARDSHIP_AID, Kind.MEDICAL_CARD}

    # --- hardship aid and medical cards ----------------------------------------------------

    def test_every_aid_state_is_there_with_several_waiting_for_approval(self, seeded_city):
        counts = counts_by_state(AidApplication)
        assert set(counts) == AID_STATES
        assert counts[State.RECOMMENDED] >= 3
        assert "10 hardship aid applications: application 1" in seeded_city

    def test_every_card_state_is_there_with_several_waiting_for_approval(self, seeded_city):
        counts = counts_by_state(CardApplication)
        assert set(counts) == CARD_STATES
        assert counts[State.VERIFIED] >= 2
        assert "medical card applications: approved 1, submitted 1, verified 3" in seeded_city

    def test_the_demo_supervisor_recommended_one_herself_and_must_leave_it_to_another(
        self, seeded_city
    ):
        supervisor = User.objects.get(username="supervisor")
        own = AidApplication.objects.get(recommended_by=supervisor)
        assert own.state == State.RECOMMENDED
        assert own.assignee == supervisor == own.recommended_by
        assert not own.approvals.exists()
        # Four eyes: not her, but the other supervisor of the office may approve it.
        assert not may_take(own.approve, User.objects.get(pk=supervisor.pk))
        assert may_take(own.approve, User.objects.get(username="supervisor2"))

    def test_one_above_the_threshold_waits_for_its_second_approval(self, seeded_city):
        threshold = reference.current(reference.Key.APPROVAL_THRESHOLD)
        above = AidApplication.objects.get(
            state=State.RECOMMENDED, recommended_amount__gt=threshold
        )
        assert above.recommended_amount == Decimal("6000.00")
        assert above.approvals_needed() == 2
        approval = above.approvals.get()  # exactly one
        assert approval.round == above.approval_round
        assert approval.approver.is_supervisor
        assert approval.approver != above.recommended_by
        assert (approval.amount, approval.threshold) == (above.recommended_amount, threshold)

    def test_one_was_returned_for_revision_and_one_rejected_with_its_reasons(self, seeded_city):
        returned = AidApplication.objects.get(state=State.ASSESSMENT)
        assert returned.approval_round == 2 and returned.recommended_by is not None
        entry = AuditEntry.objects.get(
            case_id=returned.pk, source_state=State.RECOMMENDED, target_state=State.ASSESSMENT
        )
        assert entry.note and entry.actor.is_supervisor
        rejected = AidApplication.objects.get(state=State.REJECTED)
        assert rejected.outcome == Outcome.REJECTED and rejected.outcome_note
        # Its category differs from the computed one, with the reason written down.
        assert rejected.recommended_category != rejected.computed_category
        assert rejected.category_difference_reason

    def test_assessed_applications_keep_the_rules_in_force_and_follow_them(self, seeded_city):
        assessed = AidApplication.objects.exclude(computed_category="")
        assert assessed.count() >= 7
        categories = set()
        for application in assessed:
            assert application.dibao_line and application.threshold and application.cap
            assert application.computed_category == hardship_category(
                annual_income=application.annual_income,
                annual_rigid_spending=application.annual_rigid_spending,
                one_off_costs=application.one_off_costs,
                household_size=application.household_size,
                dibao_line=application.dibao_line,
            )
            categories.add(application.computed_category)
        assert categories == {Category.DEEP, Category.ACCIDENT, Category.NONE}
        # No worker is over the 12-month cap, so nothing needed an override.
        for application in AidApplication.objects.exclude(approved_at=None):
            assert application.aid_in_12_months() + application.approved_amount <= application.cap
            assert not application.cap_override_reason
        paid = AidApplication.objects.filter(state__in=[State.DISBURSED, State.CLOSED])
        for application in paid:
            assert 0 < application.disbursed_amount <= application.approved_amount
            assert application.receipt_reference

    def test_the_approval_queue_has_work_for_every_supervisor(self, seeded_city):
        for username, offices in [
            ("supervisor", {"曾都区总工会"}),
            ("supervisor2", {"曾都区总工会"}),
            ("citysupervisor", {"曾都区总工会", "随县总工会", "广水市总工会"}),
        ]:
            user = User.objects.get(username=username)
            waiting = Case.objects.visible_to(user).filter(WAITING)
            assert set(waiting.values_list("office__name", flat=True)) == offices, username
            assert set(waiting.values_list("kind", flat=True)) == {
                Kind.HARDSHIP_AID,
                Kind.MEDICAL_CARD,
            }
        # Each has waited its own number of days.
        days = {
            (timezone.now() - at).days
            for at in Case.objects.filter(WAITING).values_list("state_changed_at", flat=True)
        }
        assert len(days) >= 5 and min(days) >= 1

    def test_card_applicants_are_members_and_family_members_are_recorded_properly(
        self, seeded_city
    ):
        assert all(card.applicant.is_member for card in CardApplication.objects.all())
        today = timezone.localdate()
        for member in FamilyMember.objects.all():
            number = member.id_number()
            assert identity.validate_id_number(number) == number
            assert member.id_masked == identity.mask_id_number(number)
            if member.age_on(today) < 14:
                assert member.guardian_name and member.guardian_consent_at
        children = [m for m in FamilyMember.objects.all() if m.age_on(today) < 14]
        assert len(children) == 1
        assert children[0].relation == FamilyMember.Relation.CHILD

    def test_issued_cards_run_a_year_and_one_is_up_for_renewal(self, seeded_city, login_as):
        issued = CardApplication.objects.issued()
        assert issued.count() == 3
        for card in issued:
            assert card.valid_from <= timezone.localdate() <= card.valid_to
            assert card.valid_to == add_months(card.valid_from, 12) - datetime.timedelta(days=1)
        numbers = list(issued.values_list("card_number", flat=True))
        assert len(set(numbers)) == len(numbers)
        expiring = [card for card in issued if card.expires_soon]
        assert len(expiring) == 1
        card = expiring[0]
        assert current_card(card.applicant) == card

        page = login_as(card.assignee).get(f"/workers/{card.applicant_id}/").content.decode()

        assert card.card_number in page
        assert "expires within 30 days" in page
        assert f"/assistance/cards/new/?worker={card.applicant_id}" in page
        assert "Renew the medical card" in page

    def test_a_closed_dispute_that_recovered_nothing_links_its_aid_application(
        self, seeded_city, login_as
    ):
        linked = AidApplication.objects.exclude(source_case=None).get()
        dispute = WageDispute.objects.get(pk=linked.source_case_id)
        assert dispute.state == State.CLOSED and dispute.totals()["recovered"] == 0
        assert linked.applicant == dispute.applicant
        assert dispute.number in linked.circumstances

        page = login_as(dispute.assignee).get(f"/cases/{dispute.number}/").content.decode()

        assert f'href="/cases/{linked.number}/"' in page
        assert "/aid-for/" not in page  # the aid has been applied for already

    def test_another_dispute_that_recovered_nothing_still_offers_aid(self, seeded_city, login_as):
        offered = [
            d
            for d in WageDispute.objects.filter(state=State.CLOSED, aid_applications=None)
            if d.totals()["recovered"] == 0
        ]
        assert offered
        dispute = offered[0]

        page = login_as(dispute.assignee).get(f"/cases/{dispute.number}/").content.decode()

        assert f'action="/cases/{dispute.number}/aid-for/{dispute.applicant_id}/"' in page

    def test_one_worker_has_a_dispute_aid_and_a_card_in_one_file(self, seeded_city):
        kinds = {}
        for case in Case.objects.all():
            kinds.setdefault(case.applicant_id, set()).add(case.kind)
        assert any(k == set(Kind.values) for k in kinds.values())

    def test_aid_and_card_dates_are_in_the_past_and_in_order(self, seeded_city):
        now = timezone.now()
        today = timezone.localdate()
        year_ago = now - datetime.timedelta(days=366)
        applications = Case.objects.exclude(kind=Kind.WAGE_DISPUTE)
        for case in applications:
            assert year_ago < case.opened_at <= case.state_changed_at <= now, case.number
            if case.is_finished:
                assert case.finished_at == case.state_changed_at
            else:
                assert case.finished_at is None
        for application in AidApplication.objects.all():
            opened = timezone.localdate(application.opened_at)
            if application.visited_on:
                assert opened <= application.visited_on <= today
            if application.disbursed_on:
                assert timezone.localdate(application.approved_at) <= application.disbursed_on
                assert application.disbursed_on <= today
            for approval in application.approvals.all():
                assert application.opened_at < approval.approved_at <= now
        # Received over months, and waiting for days, not all today.
        assert len({timezone.localdate(c.opened_at) for c in applications}) >= 15
