"""Builds the city of `demo.data` through the real services (the seed_demo command).

Each record is opened with its kind's service and its story walked step by step, each
step calling the service a user's click would, so case numbers, clocks, stored rules and
audit entries are the real ones. The services stamp "now": afterwards only what a user
cannot date is moved back to the record's days (a case's opened and finished times, an
application's time in its state, approvals' times, a card's term); audit entries are
never touched. The same data on the same day builds the same city.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from assistance import services as assistance
from assistance.models import AidApplication, Approval, CardApplication
from cases import claims, services
from cases.models import FINISHED_STATES, Case, Channel, LimitationEvent, State, WageDispute
from casework import two_factor
from casework.models import District, MinimumWage, Office, ServiceTally, Station, User
from casework.roles import requires_two_factor
from casework.stations import record_tally
from demo import data
from demo.data import yuan

DAY = datetime.timedelta(days=1)
date = datetime.date.fromisoformat
ACCEPTED = "材料齐全，属于工会调解范围，予以受理。"
FIRST_CALL = (
    "电话联系申请人，核实欠付期间和金额，请其带齐身份证、劳动合同或接单记录、聊天记录和收入截图。"
)

# Steps that are one transition: verb: (transition, fields its text fills, names who).
# A step without a day (accept, mediate, …) gives no text; one with a day gives it, then
# the username of who takes it (where named), then the text.
TRANSITIONS = {
    "accept": ("accept", ("note",), False), "mediate": ("start_mediation", (), False),
    "performed": ("mark_performed", (), False), "fail": ("mark_failed", (), False),
    "close": ("close", ("outcome_note",), False), "verify": ("verify", ("notes",), False),
    "decline": ("decline", ("reason", "note"), False),
    "withdraw": ("withdraw", ("reason", "note"), False),
    "shortfall": ("close_with_shortfall", ("reason",), True),
    "reject": ("reject", ("reason", "note"), True),
    "return_for_revision": ("return_for_revision", ("reason", "note"), True),
}  # fmt: skip


def pick(record, *names) -> dict:
    return {name: getattr(record, name) for name in names}


class Builder:
    """Writes the demo data. Call inside one transaction."""

    def __init__(self, password: str):
        self.password, self.rng = password, random.Random(20260101)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.workers, self.counterparties = {}, {}

    def run(self) -> None:
        self.create_reference_data()
        # Oldest first within each kind, so case numbers run in the order cases came in.
        for records, open_case in [
            (data.DISPUTES, self.open_dispute),
            (data.AID, self.open_aid),
            (data.CARDS, self.open_card),
        ]:
            for record in sorted(records, key=lambda r: (-r.ago, r.at)):
                self.build(record, open_case)
        self.create_tallies()

    # --- offices, accounts, stations: reference data, which the admin enters -----------------

    def create_reference_data(self) -> None:
        self.offices = {}
        for key, (name, short_name, parent) in data.OFFICES.items():
            defaults = {"short_name": short_name, "parent": self.offices.get(parent)}
            self.offices[key] = Office.objects.get_or_create(name=name, defaults=defaults)[0]
        self.districts = {n: District.objects.get_or_create(name=n)[0] for n in data.DISTRICTS}
        MinimumWage.objects.bulk_create(
            MinimumWage(district=self.districts[n], monthly_amount=yuan(a), effective_from=date(d))
            for n, rows in data.MINIMUM_WAGES.items()
            for a, d in rows
        )
        hashed = make_password(self.password)  # one hash: the accounts share the password
        groups, key = {g.name: g for g in Group.objects.all()}, two_factor.demo_key()
        self.users = {}
        for username, (full_name, role, office) in data.ACCOUNTS.items():
            admin, email = role is None, f"{username}@demo.invalid"
            user = User(username=username, full_name=full_name, email=email, password=hashed)
            user.office, user.is_staff, user.is_superuser = self.offices[office], admin, admin
            user.save()
            if role is not None:
                user.groups.add(groups[role])
            user = self.users[username] = User.objects.get(pk=user.pk)
            if requires_two_factor(user):  # the published demo secret (`manage.py demo_totp`)
                two_factor.enrol_with_key(user, key)
        self.stations = {}
        for key, (office, name, type_, address, opened, _keeper) in data.STATIONS.items():
            station = Station(name=name, type=type_, address=address, opened_on=date(opened))
            station.office = self.offices[office]
            station.save()
            self.stations[key] = station

    def create_tallies(self) -> None:
        """Each station's tally for most days of the last year (a day or two a month went
        unrecorded): the last week's through the service, as a keeper would (and logged),
        older ones as they would stand today. Today's is left for the demo user."""
        rows, recent = [], self.today - 7 * DAY
        for key, (_office, _name, type_, _address, opened, keeper) in data.STATIONS.items():
            station, by = self.stations[key], self.users[keeper]
            rng = random.Random(f"{data.TALLY_SEED}-{key}")
            first = max(date(opened), self.today - data.TALLY_DAYS * DAY)
            for day in (first + n * DAY for n in range((self.today - first).days)):
                counts = data.daily_visits(type_, day, rng)
                if rng.random() < 0.06:
                    continue  # not recorded that day
                if day >= recent:
                    record_tally(station=station, day=day, counts=counts, by=by)
                    continue
                rows += [
                    ServiceTally(station=station, day=day, service=s, count=n, recorded_by=by)
                    for s, n in counts.items()
                ]
        ServiceTally.objects.bulk_create(rows, batch_size=2000)

    # --- one record -------------------------------------------------------------------------

    def build(self, record, open_case) -> None:
        self.record, self.office = record, self.offices[record.office]
        self.handler = self.users[record.by]  # until someone takes it
        self.received_on = self.today - record.ago * DAY
        self.received_at = self.moment(self.received_on, record.at)
        self.contacts, last = 0, 0
        self.case = open_case(record)
        for step in record.story:
            verb, *args = (step,) if isinstance(step, str) else step
            state, self.day = self.case.state, None  # a step with a day sets self.day
            if verb in TRANSITIONS:
                self.transition(*TRANSITIONS[verb], *args)
            else:
                getattr(self, f"step_{verb}")(*args)
            if self.case.state != state and self.day is not None:
                last = self.day  # the day it reached the state it is in
        dates = {"opened_at": self.received_at, "finished_at": None}
        if self.case.state in FINISHED_STATES:
            dates["finished_at"] = self.moment(self.on(last), "16:30")
        if not isinstance(record, data.Dispute):  # a dispute's stays when it was moved
            moved = max(self.received_at, self.moment(self.on(last), "15:00"))
            dates["state_changed_at"] = dates["finished_at"] or moved
        Case.objects.filter(pk=self.case.pk).update(**dates)

    def on(self, day: int) -> datetime.date:
        """The date `day` days after the record came in (never in the future)."""
        if not 0 <= day <= self.record.ago:
            raise ValueError(f"{self.record}: day {day} is outside 0..{self.record.ago}")
        self.day = day
        return self.received_on + day * DAY

    def moment(self, day: datetime.date, at: str) -> datetime.datetime:
        """A time on `day` in China time, never later than now."""
        tz = timezone.get_current_timezone()
        at = datetime.datetime.combine(day, datetime.time.fromisoformat(at), tzinfo=tz)
        return min(at, self.now - datetime.timedelta(minutes=1))

    @property
    def mine(self) -> dict:
        """The case and its handler: what every step's service is called with."""
        return {"case": self.case, "by": self.handler}

    def came_in(self, value: str) -> dict:
        if value in (Channel.DESK, Channel.HOTLINE):
            return {"channel": value, "station": None}
        return {"channel": Channel.STATION, "station": self.stations[value]}

    def worker(self, key: str):
        if key not in self.workers:
            w = data.WORKERS[key]
            fields = pick(w, "name", "occupation", "employer", "residence")
            fields["id_number"] = data.id_number(w.born, w.region, w.sex, self.rng)
            fields["phone"], fields["district"] = data.mobile(self.rng), self.districts[w.district]
            if w.member:
                fields |= {"is_member": True, "membership_number": w.member[0]}
                fields["joined_on"] = date(w.member[1])
            self.workers[key] = services.register_worker(
                by=self.handler, office=self.office, consent_scope=data.CONSENT, **fields
            )
        return self.workers[key]

    # --- opening ----------------------------------------------------------------------------

    def open_dispute(self, r: data.Dispute):
        fields = pick(r, "priority", "matters", "reasons", "relationship")
        for name, days in (("period", r.worked), ("unpaid", r.unpaid)):
            for end, day in zip(("from", "to"), days or (None, None), strict=True):
                fields[f"{name}_{end}"] = None if day is None else self.received_on + day * DAY
        known = [k for k in r.against if k in self.counterparties]
        return services.open_wage_dispute(
            by=self.handler,
            office=self.office,
            received_at=self.received_at,
            claims=[(self.worker(key), yuan(amount)) for key, amount in r.claims],
            counterparties=[(self.counterparties[k], data.COUNTERPARTIES[k].type) for k in known],
            **self.came_in(r.came_in),
            **fields,
        )

    def open_aid(self, r: data.Aid):
        worker, source, came_in = self.worker(r.worker), None, {}
        if r.came_in == "dispute":  # it came in where the dispute did: the service copies it
            source = WageDispute.objects.get(applicant=worker, state__in=FINISHED_STATES)
        else:
            came_in = self.came_in(r.came_in)
        text = r.circumstances.format(dispute=source.number if source else "")
        return assistance.open_aid_application(
            by=self.handler,
            office=self.office,
            worker=worker,
            source_case=source,
            circumstances=text,
            **came_in,
        )

    def open_card(self, r: data.Card):
        worker, family = self.worker(r.worker), [self.member(*m) for m in r.family]
        return assistance.open_card_application(
            by=self.handler,
            office=self.office,
            worker=worker,
            family=family,
            **self.came_in(r.came_in),
        )

    def member(self, name, relation, born, region, sex, guardian) -> dict:
        number = data.id_number(born, region, sex, self.rng)
        return {"name": name, "relation": relation, "id_number": number, "guardian_name": guardian}

    # --- the steps of a story (see demo.data) -------------------------------------------------

    def transition(self, name: str, text_fields: tuple, names_who: bool, *args) -> None:
        by, fields = self.handler, dict.fromkeys(text_fields, ACCEPTED)
        if args:
            self.on(args[0])
            if names_who:
                by = self.users[args[1]]
            fields = dict.fromkeys(text_fields, args[-1])
        self.case = services.run_transition(case=self.case, name=name, by=by, **fields)

    def step_take(self, who: str, supervisor: str = "", to: str = "", note: str = "") -> None:
        self.case = services.take_case(case=self.case, by=self.users[who])
        self.handler = self.users[to or who]
        if to:  # a supervisor moves it on
            by = self.users[supervisor]
            self.case = services.assign_case(case=self.case, to=self.handler, by=by, note=note)
        if not isinstance(self.record, data.Dispute):
            return
        for key, amount in self.record.claims:  # the claim items (R7)
            default = [("wages", amount, data.CLAIM_DESCRIPTION)]
            for kind, item, what in self.record.items.get(key, default):
                worker = self.workers[key]
                claims.save_claim_item(
                    **self.mine, worker=worker, type=kind, amount=yuan(item), description=what
                )
        for key in [k for k in self.record.against if k not in self.counterparties]:
            cp = data.COUNTERPARTIES[key]  # met for the first time
            fields = pick(cp, "name", "type", "contact_person", "phone", "address")
            code = data.credit_code(cp.code_prefix, self.rng) if cp.code_prefix else ""
            fields["credit_code"] = code
            link = services.add_counterparty(**self.mine, role=cp.type, **fields)
            self.counterparties[key] = link.counterparty

    def step_contact(self, day: int, channel=data.CALL, with_whom="", summary=FIRST_CALL) -> None:
        with_whom = with_whom or f"申请人{data.WORKERS[self.record.claims[0][0]].name}"
        at = self.moment(self.on(day), f"{10 + (self.contacts * 3) % 8}:15")
        soon = self.received_at + datetime.timedelta(minutes=20 + 30 * self.contacts)
        occurred_at, self.contacts = max(at, min(soon, self.now)), self.contacts + 1
        services.record_contact(
            **self.mine,
            channel=channel,
            with_whom=with_whom,
            occurred_at=occurred_at,
            summary=summary,
        )

    def step_note(self, body: str) -> None:
        services.add_note(**self.mine, body=body)

    def step_claim(self, day: int, note: str, kind=LimitationEvent.Type.CLAIM) -> None:
        on = self.on(day)
        services.record_limitation_event(**self.mine, type=kind, occurred_on=on, note=note)

    def step_investigate(self) -> None:
        self.transition("investigate", (), False)
        listed = set(self.case.evidence_items.values_list("kind", flat=True))
        for kind, status, day, note in data.EVIDENCE_ANSWERS:
            if kind in listed:
                on = self.on(day)
                claims.set_evidence(**self.mine, kind=kind, status=status, status_on=on, note=note)

    def step_session(self, day: int, result: str) -> None:
        names = "、".join(data.WORKERS[key].name for key, _ in self.record.claims)
        cps = (self.counterparties[k] for k in self.record.against)
        others = "；".join(f"{cp.name}：{cp.contact_person}" for cp in cps)
        attendees = f"申请人：{names}；{others}；调解员：{self.handler.full_name}"
        services.record_session(
            **self.mine,
            held_on=self.on(day),
            place=data.PLACES[self.record.office],
            attendees=self.record.attendees or attendees,
            result=result,
        )

    def step_agree(self, day: int, within: int, result: str) -> None:
        agreed = {k: yuan(self.record.agreed.get(k, a)) for k, a in self.record.claims}
        links = {cw.worker_id: cw for cw in self.case.case_workers.all()}
        amounts = {}
        for key, amount in agreed.items():
            link = links[self.workers[key].pk]
            amounts[link.pk] = (link.amount_claimed, amount)
        services.set_amounts(**self.mine, amounts=amounts)
        signed_on, total = self.on(day), f"{sum(agreed.values()):,.2f}"
        self.case = services.update_dispute(
            **self.mine,
            agreement_result=result.format(total=total),
            performance_deadline=signed_on + within * DAY,
            performance_method=self.record.method,
        )
        self.case = services.run_transition(
            **self.mine, name="record_agreement", signed_on=signed_on
        )
        # The other side agreeing to pay interrupts the limitation period (R5).
        self.step_claim(day, "对方在调解协议中同意支付", LimitationEvent.Type.AGREED_TO_PAY)

    def step_pay(self, day: int, key: str, amount: str, method: str, voided: str = "") -> None:
        reference = data.payment_reference(method, self.rng)
        payment = services.record_payment(
            **self.mine,
            worker=self.workers[key],
            paid_on=self.on(day),
            amount=yuan(amount),
            method=method,
            reference=reference,
        )
        if voided:
            services.void_payment(payment=payment, by=self.handler, reason=voided)
        self.case = WageDispute.objects.get(pk=self.case.pk)

    def step_refer(self, day: int, forum: str, body: str) -> None:
        fields = {"forum": forum, "body": body, "on": self.on(day), "note": f"引导至{body}"}
        self.case = services.run_transition(**self.mine, name="refer", **fields)

    def step_visit(self, day: int, household: tuple, visitors: str, findings: str) -> None:
        self.transition("start_assessment", (), False)
        size, income, rigid, one_off = household
        self.case = assistance.save_assessment(
            **self.mine,
            visited_on=self.on(day),
            visitors=visitors,
            findings=findings,
            household_size=size,
            annual_income=yuan(income),
            annual_rigid_spending=yuan(rigid),
            one_off_costs=yuan(one_off),
        )

    def step_recommend(self, day, aid_type, amount, category, reason, differs="") -> None:
        self.on(day)
        self.case = assistance.recommend_aid(
            **self.mine,
            aid_type=aid_type,
            amount=yuan(amount),
            category=category,
            reason=reason,
            difference_reason=differs,
        )

    def step_approve(self, day: int, who: str, comment: str = "") -> None:
        at, by = self.moment(self.on(day), "11:00"), self.users[who]
        if not isinstance(self.record, data.Aid):
            self.case = services.run_transition(case=self.case, name="approve", by=by)
            return
        self.case = assistance.approve_aid(case=self.case, by=by, comment=comment)
        Approval.objects.filter(application=self.case, approver=by).update(approved_at=at)
        if self.case.state == State.APPROVED:
            AidApplication.objects.filter(pk=self.case.pk).update(approved_at=at)

    def step_disburse(self, day: int, amount: str, means: str, receipt: str) -> None:
        on, amount = self.on(day), yuan(amount)
        self.case = assistance.disburse_aid(
            **self.mine, amount=amount, on=on, means=means, receipt=receipt
        )

    def step_issue(self, day: int, serial: int) -> None:
        number = f"HGK-{self.on(day):%Y}-{serial:06d}"
        self.case = assistance.issue_card(**self.mine, card_number=number)
        # The service issues from today; this card was issued on its own day.
        valid_from, valid_to = assistance.card_term(self.case, self.on(day))
        card = CardApplication.objects.filter(pk=self.case.pk)
        card.update(valid_from=valid_from, valid_to=valid_to)

    def step_add(self, member: tuple) -> None:
        assistance.add_family_member(**self.mine, **self.member(*member))
