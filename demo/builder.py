"""Writes the demo data from `demo.data` through the services (the seed_demo command)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from assistance import services as assistance
from assistance.models import AidApplication, Approval, CardApplication
from cases import claims, services
from cases.models import (
    FINISHED_STATES,
    Case,
    Channel,
    Counterparty,
    LimitationEvent,
    State,
    WageDispute,
    Worker,
)
from casework import two_factor
from casework.models import District, MinimumWage, Office, ServiceTally, Station, User
from casework.roles import requires_two_factor
from casework.stations import record_tally
from demo.data import (
    ACCOUNTS,
    AID,
    CALL,
    CARDS,
    CASES,
    CLAIM_DESCRIPTION,
    CLAIM_ITEMS,
    CONSENT,
    COUNTERPARTIES,
    DISTRICTS,
    EVIDENCE_ANSWERS,
    INTAKE_TURNS,
    MINIMUM_WAGES,
    OFFICES,
    PLACES,
    ROUTES,
    STATIONS,
    TALLY_DAYS,
    TALLY_SEED,
    WORKERS,
    AidSpec,
    CardSpec,
    Spec,
    credit_code,
    daily_visits,
    id_number,
    mobile,
    payment_reference,
    yuan,
)

# Each office's stations, in STATIONS order: the first is where its station cases came in.
OFFICES_STATIONS: dict[str, list[str]] = {}
for _key, (_office, *_rest) in STATIONS.items():
    OFFICES_STATIONS.setdefault(_office, []).append(_key)

# The steps of each kind of application, in the workflow's order: the builder takes each
# one whose spec field is set (see `Seeder.step_<name>`).
AID_STEPS = (
    "visit", "recommend", "returned", "rejected", "approvals", "disbursed", "closed", "withdrawn",
)  # fmt: skip
CARD_STEPS = ("verified", "approved", "issued", "closed", "rejected", "withdrawn")


class Days:
    """The days of one application: `days(n)` is the date n days after it was received;
    `days.reached(n)` records that it moved on day n (in order, never in the future)."""

    def __init__(self, today: datetime.date, received: int, label: str):
        self.received_on = today - datetime.timedelta(days=received)
        self.received, self.label = received, label
        self.last = 0  # the day it reached its present state

    def __call__(self, day: int) -> datetime.date:
        if not 0 <= day <= self.received:
            raise ValueError(f"{self.label}: day {day} is outside 0..{self.received}")
        return self.received_on + datetime.timedelta(days=day)

    def reached(self, day: int) -> None:
        self(day)
        if day < self.last:
            raise ValueError(f"{self.label}: day {day} comes before day {self.last}")
        self.last = day


class Seeder:
    """Writes the demo data. Call inside one transaction."""

    def __init__(self, password: str):
        self.password = password
        self.rng = random.Random(20260101)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.workers: dict[str, Worker] = {}
        self.counterparties: dict[str, Counterparty] = {}

    def run(self) -> None:
        self.create_offices()
        self.create_accounts()
        self.create_stations()
        # Oldest first, so that case numbers run in the order applications came in.
        for spec in sorted(CASES, key=lambda s: (-s.received, s.at)):
            self.create_dispute(spec)
        for spec in sorted(AID, key=lambda s: (-s.received, s.at)):
            self.create_aid(spec)
        for spec in sorted(CARDS, key=lambda s: (-s.received, s.at)):
            self.create_card(spec)
        self.create_tallies()

    # --- reference data and people --------------------------------------------------------

    def create_offices(self) -> None:
        self.offices: dict[str, Office] = {}
        for key, (name, short_name, parent) in OFFICES.items():
            self.offices[key], _ = Office.objects.get_or_create(
                name=name,
                defaults={"short_name": short_name, "parent": self.offices.get(parent)},
            )
        self.districts = {name: District.objects.get_or_create(name=name)[0] for name in DISTRICTS}
        MinimumWage.objects.bulk_create(
            MinimumWage(
                district=self.districts[name],
                monthly_amount=yuan(amount),
                effective_from=datetime.date.fromisoformat(since),
            )
            for name, rows in MINIMUM_WAGES.items()
            for amount, since in rows
        )

    def create_accounts(self) -> None:
        # One hash for all: the demo accounts share a password, and hashing it eight
        # times with the production hasher takes seconds.
        hashed = make_password(self.password)
        groups = {group.name: group for group in Group.objects.all()}
        for username, (full_name, role, office) in ACCOUNTS.items():
            user = User(
                username=username,
                full_name=full_name,
                email=f"{username}@demo.invalid",
                office=self.offices[office],
                is_staff=role is None,
                is_superuser=role is None,
                password=hashed,
            )
            user.save()
            if role is not None:
                user.groups.add(groups[role])
        self.users = {user.username: user for user in User.objects.filter(username__in=ACCOUNTS)}
        # The accounts whose role needs two-factor sign-in come enrolled with the one
        # published demo secret (DEMO_TOTP_SECRET; `manage.py demo_totp` shows the code).
        key = two_factor.demo_key()
        for user in self.users.values():
            if requires_two_factor(user):
                two_factor.enrol_with_key(user, key)

    def create_stations(self) -> None:
        self.stations: dict[str, Station] = {}
        for key, (office, name, type_, address, opened, _keeper) in STATIONS.items():
            self.stations[key] = Station.objects.create(
                office=self.offices[office],
                name=name,
                type=type_,
                address=address,
                opened_on=datetime.date.fromisoformat(opened),
            )
        self.intake_turn = 0

    def came_in(self, office_key: str, channel: str, station_key: str = "") -> dict:
        """The channel and station of a new case; a station case without a station named
        came in at the office's first station (or, without one, at the desk)."""
        if channel != Channel.STATION:
            return {"channel": channel, "station": None}
        if not station_key:
            office = OFFICES_STATIONS.get(office_key)
            if office is None:
                return {"channel": Channel.DESK, "station": None}
            station_key = office[0]
        return {"channel": channel, "station": self.stations[station_key]}

    def next_turn(self, office_key: str) -> dict:
        channel = INTAKE_TURNS[self.intake_turn % len(INTAKE_TURNS)]
        self.intake_turn += 1
        return self.came_in(office_key, channel)

    def create_tallies(self) -> None:
        """Every station's tally for most days of the last year (a day or two a month
        went unrecorded). The last week's are recorded through the service, as a keeper
        would (and logged); older ones are written as they would stand today. Today's
        tally is left for the demo user to record."""
        rows = []
        recent = self.today - datetime.timedelta(days=7)
        for key, (_office, _name, type_, _address, opened, keeper) in STATIONS.items():
            station, by = self.stations[key], self.users[keeper]
            rng = random.Random(f"{TALLY_SEED}-{key}")
            first = max(
                datetime.date.fromisoformat(opened), self.today - datetime.timedelta(TALLY_DAYS)
            )
            for n in range((self.today - first).days):
                day = first + datetime.timedelta(days=n)
                counts = daily_visits(type_, day, rng)
                if rng.random() < 0.06:
                    continue  # not recorded that day
                if day >= recent:
                    record_tally(station=station, day=day, counts=counts, by=by)
                    continue
                rows += [
                    ServiceTally(
                        station=station, day=day, service=service, count=count, recorded_by=by
                    )
                    for service, count in counts.items()
                ]
        ServiceTally.objects.bulk_create(rows, batch_size=2000)

    def worker(self, key: str, by: User, office: Office) -> Worker:
        if key not in self.workers:
            w = WORKERS[key]
            member = {}
            if w.member:
                number, joined = w.member
                member = {
                    "is_member": True,
                    "membership_number": number,
                    "joined_on": datetime.date.fromisoformat(joined),
                }
            self.workers[key] = services.register_worker(
                by=by,
                office=office,
                id_number=id_number(w.born, w.region, w.sex, self.rng),
                name=w.name,
                phone=mobile(self.rng),
                occupation=w.occupation,
                employer=w.employer,
                district=self.districts[w.district],
                residence=w.residence,
                consent_scope=CONSENT,
                **member,
            )
        return self.workers[key]

    # --- dates ------------------------------------------------------------------------------

    def moment(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """A time on `day` in China time, never later than now."""
        at = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)
        return min(at, self.now - datetime.timedelta(minutes=1))

    # --- one wage dispute -----------------------------------------------------------------------

    def create_dispute(self, spec: Spec) -> None:
        office = self.offices[spec.office]
        opener = self.users[spec.by or spec.handler]
        handler = self.users[spec.handler] if spec.handler else None
        received_on = self.today - datetime.timedelta(days=spec.received)
        received_at = self.moment(received_on, *spec.at)
        finished_on = (
            self.today - datetime.timedelta(days=spec.finished)
            if spec.finished is not None
            else None
        )
        last_day = ((finished_on or self.today) - received_on).days

        def on(day: int) -> datetime.date:
            if not 0 <= day <= last_day:
                raise ValueError(f"{spec.matters}: day {day} is outside 0..{last_day}")
            return received_on + datetime.timedelta(days=day)

        def relative(pair):
            if pair is None:
                return None, None
            start, end = pair
            return (
                received_on + datetime.timedelta(days=start),
                received_on + datetime.timedelta(days=end) if end is not None else None,
            )

        if (finished_on is not None) != (spec.state in FINISHED_STATES):
            raise ValueError(f"{spec.matters}: a finished date goes with a finished state")

        period_from, period_to = relative(spec.worked)
        unpaid_from, unpaid_to = relative(spec.unpaid)
        claims = [(self.worker(key, opener, office), yuan(amount)) for key, amount in spec.workers]
        known = [
            (self.counterparties[k], COUNTERPARTIES[k].type)
            for k in spec.cps
            if k in self.counterparties
        ]
        dispute = services.open_wage_dispute(
            by=opener,
            office=office,
            claims=claims,
            counterparties=known,
            priority=spec.priority,
            matters=spec.matters,
            reasons=spec.reasons,
            received_at=received_at,
            **self.came_in(spec.office, spec.channel, spec.station),
            relationship=spec.relationship,
            period_from=period_from,
            period_to=period_to,
            unpaid_from=unpaid_from,
            unpaid_to=unpaid_to,
        )
        if handler is None:
            missing = [k for k in spec.cps if k not in self.counterparties]
            if missing:
                raise ValueError(f"{spec.matters}: counterparties {missing} are not known yet")
        else:
            dispute = self.take(dispute, spec, handler, office)
            self.itemise(dispute, spec, handler, on, last_day)
            for key in spec.cps:
                if key not in self.counterparties:
                    dispute = self.link_new_counterparty(dispute, key, handler)
            self.record_timeline(dispute, spec, handler, on, received_at)
            dispute = self.walk(dispute, spec, handler, office, on)

        Case.objects.filter(pk=dispute.pk).update(
            opened_at=received_at,
            finished_at=self.moment(finished_on, 16, 30) if finished_on else None,
        )

    def itemise(self, dispute, spec: Spec, handler: User, on, last_day: int) -> None:
        """Claim items (R7) for each worker, and the employer's answers to the checklist (R8)."""
        for key, amount in spec.workers:
            items = CLAIM_ITEMS.get((key, amount), [("wages", amount, CLAIM_DESCRIPTION)])
            if sum(yuan(a) for _t, a, _d in items) != yuan(amount):
                raise ValueError(f"{spec.matters}: {key}'s claim items do not sum to {amount}")
            for kind, item_amount, description in items:
                claims.save_claim_item(
                    case=dispute,
                    by=handler,
                    worker=self.workers[key],
                    type=kind,
                    amount=yuan(item_amount),
                    description=description,
                )
        if spec.state in (State.INTAKE, State.ACCEPTED, State.DECLINED):
            return
        listed = set(dispute.evidence_items.values_list("kind", flat=True))
        for kind, status, day, note in EVIDENCE_ANSWERS:
            if kind in listed and day <= last_day:
                claims.set_evidence(
                    case=dispute, by=handler, kind=kind, status=status, status_on=on(day), note=note
                )

    def take(self, dispute, spec: Spec, handler: User, office: Office):
        if not spec.taken_by:
            return services.take_case(case=dispute, by=handler)
        dispute = services.take_case(case=dispute, by=self.users[spec.taken_by])
        return services.assign_case(
            case=dispute, to=handler, by=self.supervisor_of(office), note=spec.reassign_note
        )

    def supervisor_of(self, office: Office) -> User:
        for user in self.users.values():
            if user.is_supervisor and user.office_id == office.pk:
                return user
        return self.users["citysupervisor"]

    def link_new_counterparty(self, dispute, key: str, handler: User):
        cp = COUNTERPARTIES[key]
        link = services.add_counterparty(
            case=dispute,
            by=handler,
            role=cp.type,
            name=cp.name,
            type=cp.type,
            credit_code=credit_code(cp.code_prefix, self.rng) if cp.code_prefix else "",
            contact_person=cp.contact_person,
            phone=cp.phone,
            address=cp.address,
        )
        self.counterparties[key] = link.counterparty
        return dispute

    def record_timeline(
        self, dispute, spec: Spec, handler: User, on, received_at: datetime.datetime
    ) -> None:
        """Contacts, notes and limitation events: recorded while the case is open."""
        contacts = spec.contacts or [
            (
                0,
                CALL,
                f"申请人{WORKERS[spec.workers[0][0]].name}",
                "电话联系申请人，核实欠付期间和金额，请其带齐身份证、劳动合同或接单记录、"
                "聊天记录和收入截图。",
            )
        ]
        for i, (day, channel, with_whom, summary) in enumerate(contacts):
            services.record_contact(
                case=dispute,
                by=handler,
                channel=channel,
                with_whom=with_whom,
                # never before the application came in
                occurred_at=max(
                    self.moment(on(day), 10 + (i * 3) % 8, 15),
                    min(received_at + datetime.timedelta(minutes=20 + 30 * i), self.now),
                ),
                summary=summary,
            )
        for body in spec.notes:
            services.add_note(case=dispute, by=handler, body=body)
        for event_type, day, note in spec.limitation:
            services.record_limitation_event(
                case=dispute, by=handler, type=event_type, occurred_on=on(day), note=note
            )

    def walk(self, dispute, spec: Spec, handler: User, office: Office, on):
        def step(name: str, by: User = handler, **kwargs):
            return services.run_transition(case=dispute, name=name, by=by, **kwargs)

        if spec.state == State.DECLINED:
            return step("decline", reason=spec.reason, note=spec.reason)
        stop = spec.withdraw_from or spec.state
        for name in ROUTES[spec.route]:
            if dispute.state == stop:
                break
            if name == "accept":
                dispute = step(name, note="材料齐全，属于工会调解范围，予以受理。")
            elif name == "start_mediation":
                dispute = step(name)
                self.record_sessions(dispute, spec, handler, office, on)
            elif name == "record_agreement":
                dispute = self.record_agreement(dispute, spec, handler, on)
            elif name == "refer":
                forum, body, day = spec.referral
                dispute = step(name, forum=forum, body=body, on=on(day), note=f"引导至{body}")
            elif name == "close":
                dispute = step(name, outcome_note=spec.close_note)
            elif name == "close_with_shortfall":
                dispute = step(name, by=self.supervisor_of(office), reason=spec.reason)
            else:
                dispute = step(name)
        if spec.withdraw_from:
            dispute = step("withdraw", reason=spec.reason, note=spec.reason)
        if dispute.state != spec.state:
            raise ValueError(f"{spec.matters}: reached {dispute.state}, not {spec.state}")
        return dispute

    def record_sessions(self, dispute, spec: Spec, handler: User, office: Office, on) -> None:
        names = "、".join(WORKERS[key].name for key, _ in spec.workers)
        others = "；".join(
            f"{self.counterparties[k].name}：{self.counterparties[k].contact_person}"
            for k in spec.cps
        )
        attendees = spec.attendees or f"申请人：{names}；{others}；调解员：{handler.full_name}"
        for day, result in spec.sessions:
            services.record_session(
                case=dispute,
                by=handler,
                held_on=on(day),
                place=PLACES[spec.office],
                attendees=attendees,
                result=result,
            )

    def record_agreement(self, dispute, spec: Spec, handler: User, on):
        agreed = {key: yuan(spec.agreed.get(key, amount)) for key, amount in spec.workers}
        links = dispute.case_workers.select_related("worker")
        by_worker = {cw.worker_id: cw for cw in links}
        amounts = {}
        for key, _claimed in spec.workers:
            cw = by_worker[self.workers[key].pk]
            amounts[cw.pk] = (cw.amount_claimed, agreed[key])
        services.set_amounts(case=dispute, by=handler, amounts=amounts)
        signed_on = on(spec.signed)
        total = sum(agreed.values(), Decimal("0"))
        dispute = services.update_dispute(
            case=dispute,
            by=handler,
            agreement_result=spec.result.format(total=f"{total:,.2f}"),
            performance_deadline=signed_on + datetime.timedelta(days=spec.perform_days),
            performance_method=spec.method,
        )
        dispute = services.run_transition(
            case=dispute, name="record_agreement", by=handler, signed_on=signed_on
        )
        # The other side agreeing to pay interrupts the limitation period (R5).
        services.record_limitation_event(
            case=dispute,
            by=handler,
            type=LimitationEvent.Type.AGREED_TO_PAY,
            occurred_on=signed_on,
            note="对方在调解协议中同意支付",
        )
        referral_day = spec.referral[2] if spec.referral else None
        for key, day, amount, method, *void in spec.payments:
            if referral_day is not None and day >= referral_day:
                raise ValueError(f"{spec.matters}: payment after the referral")
            payment = services.record_payment(
                case=dispute,
                by=handler,
                worker=self.workers[key],
                paid_on=on(day),
                amount=yuan(amount),
                method=method,
                reference=payment_reference(method, self.rng),
            )
            if void:
                services.void_payment(payment=payment, by=handler, reason=void[0])
        return WageDispute.objects.get(pk=dispute.pk)

    # --- hardship aid and medical cards -----------------------------------------------------

    def create_aid(self, spec: AidSpec) -> None:
        def open_aid(opener, office, worker):
            source = self.finished_dispute_of(spec.source) if spec.source else None
            # Aid that follows a dispute came in where the dispute did (the service copies it).
            if spec.channel:
                came_in = self.came_in(spec.office, spec.channel)
            else:
                came_in = {} if source else self.next_turn(spec.office)
            return assistance.open_aid_application(
                by=opener,
                office=office,
                worker=worker,
                circumstances=spec.circumstances.format(dispute=source.number if source else ""),
                source_case=source,
                **came_in,
            )

        def prepare(application, handler):
            if spec.note:
                services.add_note(case=application, by=handler, body=spec.note)

        application, on = self.create_application(spec, "aid", open_aid, prepare, AID_STEPS)
        # The approvals, and the application's approval time, happened on their days too.
        for day, username, _comment in spec.approvals:
            Approval.objects.filter(application=application, approver=self.users[username]).update(
                approved_at=self.moment(on(day), 11, 0)
            )
        if application.approved_at:
            last = max(day for day, _who, _comment in spec.approvals)
            AidApplication.objects.filter(pk=application.pk).update(
                approved_at=self.moment(on(last), 11, 0)
            )

    def create_card(self, spec: CardSpec) -> None:
        def open_card(opener, office, worker):
            family = [self.family_member(member) for member in spec.family]
            came_in = (
                self.came_in(spec.office, spec.channel)
                if spec.channel
                else self.next_turn(spec.office)
            )
            return assistance.open_card_application(
                by=opener, office=office, worker=worker, family=family, **came_in
            )

        def prepare(card, handler):
            for member in spec.added:
                assistance.add_family_member(case=card, by=handler, **self.family_member(member))

        card, on = self.create_application(spec, "card", open_card, prepare, CARD_STEPS)
        if spec.issued:
            # The service issues from today; this card was issued on its own day.
            valid_from, valid_to = assistance.card_term(card, on(spec.issued[0]))
            CardApplication.objects.filter(pk=card.pk).update(
                valid_from=valid_from, valid_to=valid_to
            )

    def create_application(self, spec, kind: str, open_it, prepare, steps):
        """Open an aid or card application and walk its kind's step table: each step whose
        spec field is set is taken, in the table's order; the application must then be in
        `spec.state`."""
        office = self.offices[spec.office]
        opener = self.users[spec.by or spec.handler]
        worker = self.worker(spec.worker, opener, office)
        on = Days(self.today, spec.received, f"{kind} for {spec.worker}")
        case = open_it(opener, office, worker)
        if spec.handler:
            handler = self.users[spec.handler]
            case = services.take_case(case=case, by=handler)
            prepare(case, handler)
            for name in steps:
                if value := getattr(spec, name):
                    case, day = getattr(self, f"step_{name}")(case, spec, handler, on, value)
                    if day is not None:
                        on.reached(day)
        if case.state != spec.state:
            raise ValueError(f"{kind} for {spec.worker}: reached {case.state}, not {spec.state}")
        self.backdate(case, spec, on)
        return case, on

    # --- the steps of the tables: each gets its spec field's value, returns the day reached --

    def step_visit(self, application, spec: AidSpec, handler: User, on, value):
        day, visitors, findings = value
        application = services.run_transition(case=application, name="start_assessment", by=handler)
        size, income, rigid, one_off = spec.household
        application = assistance.save_assessment(
            case=application,
            by=handler,
            visited_on=on(day),
            visitors=visitors,
            findings=findings,
            household_size=size,
            annual_income=yuan(income),
            annual_rigid_spending=yuan(rigid),
            one_off_costs=yuan(one_off),
        )
        return application, day

    def step_recommend(self, application, spec: AidSpec, handler: User, on, value):
        day, aid_type, amount, category, reason = value
        application = assistance.recommend_aid(
            case=application,
            by=handler,
            aid_type=aid_type,
            amount=yuan(amount),
            category=category,
            reason=reason,
            difference_reason=spec.differs,
        )
        return application, day

    def step_approvals(self, application, spec: AidSpec, handler: User, on, value):
        for day, username, comment in value:
            application = assistance.approve_aid(
                case=application, by=self.users[username], comment=comment
            )
            if application.state == State.APPROVED:
                on.reached(day)
        return application, None

    def step_disbursed(self, application, spec: AidSpec, handler: User, on, value):
        day, amount, means, receipt = value
        application = assistance.disburse_aid(
            case=application,
            by=handler,
            amount=yuan(amount),
            on=on(day),
            means=means,
            receipt=receipt,
        )
        return application, day

    def step_verified(self, card, spec: CardSpec, handler: User, on, value):
        day, notes = value
        return services.run_transition(case=card, name="verify", by=handler, notes=notes), day

    def step_approved(self, card, spec: CardSpec, handler: User, on, value):
        day, username = value
        return services.run_transition(case=card, name="approve", by=self.users[username]), day

    def step_issued(self, card, spec: CardSpec, handler: User, on, value):
        day, serial = value
        number = f"HGK-{on(day):%Y}-{serial:06d}"
        return assistance.issue_card(case=card, by=handler, card_number=number), day

    # Shared by both kinds: returned for revision, rejected, closed, withdrawn.

    def step_returned(self, case, spec, handler: User, on, value):
        day, username, reason = value
        by = self.users[username]
        name = "return_for_revision"
        return services.run_transition(case=case, name=name, by=by, reason=reason, note=reason), day

    def step_rejected(self, case, spec, handler: User, on, value):
        day, username, reason = value
        by = self.users[username]
        return services.run_transition(
            case=case, name="reject", by=by, reason=reason, note=reason
        ), day

    def step_closed(self, case, spec, handler: User, on, value):
        day, note = value
        return services.run_transition(case=case, name="close", by=handler, outcome_note=note), day

    def step_withdrawn(self, case, spec, handler: User, on, value):
        day, reason = value
        return (
            services.run_transition(
                case=case, name="withdraw", by=handler, reason=reason, note=reason
            ),
            day,
        )

    def finished_dispute_of(self, key: str) -> WageDispute:
        """The worker's finished wage dispute, which recovered nothing."""
        dispute = WageDispute.objects.get(applicant=self.workers[key], state__in=FINISHED_STATES)
        if dispute.totals()["recovered"]:
            raise ValueError(f"{dispute.number} recovered money: no aid follows from it")
        return dispute

    def family_member(self, member: tuple) -> dict:
        name, relation, born, region, sex, guardian = member
        return {
            "name": name,
            "relation": relation,
            "id_number": id_number(born, region, sex, self.rng),
            "guardian_name": guardian,
        }

    def backdate(self, case: Case, spec, on: Days) -> None:
        """Move the application's clocks back to the days it was received and last moved."""
        opened_at = self.moment(on(0), *spec.at)
        if case.is_finished:
            changed_at = finished_at = self.moment(on(on.last), 16, 30)
        else:
            changed_at = max(opened_at, self.moment(on(on.last), 15, 0))
            finished_at = None
        Case.objects.filter(pk=case.pk).update(
            opened_at=opened_at, state_changed_at=changed_at, finished_at=finished_at
        )
