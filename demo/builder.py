"""Builds the city of `demo.data` through the real services (the seed_demo command).

Each record is opened with its kind's service and its story walked step by step, each
step (`step_<verb>`) calling the service a user's click would, so case numbers, clocks,
stored rules and audit entries are the real ones. The services stamp "now": afterwards
only what a user cannot date is moved back to the record's days (a case's opened and
finished times, an application's time in its state, approvals' times, a card's term);
audit entries are never touched. The same data on the same day builds the same city.
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
FIRST_CALL = (
    "电话联系申请人，核实欠付期间和金额，请其带齐身份证、劳动合同或接单记录、聊天记录和收入截图。"
)


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

    # --- offices, accounts, stations (reference data, entered in the admin) ---------------

    def create_reference_data(self) -> None:
        self.offices = {}
        for key, (name, short_name, parent) in data.OFFICES.items():
            self.offices[key] = Office.objects.get_or_create(
                name=name, defaults={"short_name": short_name, "parent": self.offices.get(parent)}
            )[0]
        self.districts = {
            name: District.objects.get_or_create(name=name)[0] for name in data.DISTRICTS
        }
        MinimumWage.objects.bulk_create(
            MinimumWage(
                district=self.districts[name],
                monthly_amount=yuan(amount),
                effective_from=datetime.date.fromisoformat(since),
            )
            for name, rows in data.MINIMUM_WAGES.items()
            for amount, since in rows
        )
        hashed = make_password(self.password)  # one hash: the accounts share the password
        groups = {group.name: group for group in Group.objects.all()}
        key = two_factor.demo_key()  # the published demo secret (`manage.py demo_totp`)
        self.users = {}
        for username, (full_name, role, office) in data.ACCOUNTS.items():
            user = User.objects.create(
                username=username,
                full_name=full_name,
                email=f"{username}@demo.invalid",
                office=self.offices[office],
                is_staff=role is None,
                is_superuser=role is None,
                password=hashed,
            )
            if role is not None:
                user.groups.add(groups[role])
            user = self.users[username] = User.objects.get(pk=user.pk)
            if requires_two_factor(user):
                two_factor.enrol_with_key(user, key)
        self.stations = {
            key: Station.objects.create(
                office=self.offices[office],
                name=name,
                type=type_,
                address=address,
                opened_on=datetime.date.fromisoformat(opened),
            )
            for key, (office, name, type_, address, opened, _keeper) in data.STATIONS.items()
        }

    def create_tallies(self) -> None:
        """Each station's tally for most days of the last year (a day or two a month went
        unrecorded): the last week's through the service, as a keeper would (and logged),
        older ones as they would stand today. Today's is left for the demo user."""
        rows, recent = [], self.today - 7 * DAY
        for key, (_office, _name, type_, _address, opened, keeper) in data.STATIONS.items():
            station, by = self.stations[key], self.users[keeper]
            rng = random.Random(f"{data.TALLY_SEED}-{key}")
            first = max(datetime.date.fromisoformat(opened), self.today - data.TALLY_DAYS * DAY)
            for day in (first + n * DAY for n in range((self.today - first).days)):
                counts = data.daily_visits(type_, day, rng)
                if rng.random() < 0.06:
                    continue  # not recorded that day
                if day >= recent:
                    record_tally(station=station, day=day, counts=counts, by=by)
                else:
                    rows += [
                        ServiceTally(
                            station=station, day=day, service=service, count=n, recorded_by=by
                        )
                        for service, n in counts.items()
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
            state, self.day = self.case.state, None
            getattr(self, f"step_{verb}")(*args)
            if self.case.state != state and self.day is not None:
                last = self.day  # the day it reached the state it is in
        finished = self.case.state in FINISHED_STATES
        dates = {"opened_at": self.received_at, "finished_at": None}
        if finished:
            dates["finished_at"] = self.moment(self.on(last), "16:30")
        if not isinstance(record, data.Dispute):
            dates["state_changed_at"] = dates["finished_at"] or max(
                self.received_at, self.moment(self.on(last), "15:00")
            )
        Case.objects.filter(pk=self.case.pk).update(**dates)

    def on(self, day: int) -> datetime.date:
        """The date `day` days after the record came in (never in the future)."""
        if not 0 <= day <= self.record.ago:
            raise ValueError(f"{self.record}: day {day} is outside 0..{self.record.ago}")
        self.day = day
        return self.received_on + day * DAY

    def moment(self, day: datetime.date, at: str) -> datetime.datetime:
        """A time on `day` in China time, never later than now."""
        time = datetime.time.fromisoformat(at)
        moment = datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
        return min(moment, self.now - datetime.timedelta(minutes=1))

    def came_in(self, value: str) -> dict:
        if value in (Channel.DESK, Channel.HOTLINE):
            return {"channel": value, "station": None}
        return {"channel": Channel.STATION, "station": self.stations[value]}

    def worker(self, key: str):
        if key not in self.workers:
            w = data.WORKERS[key]
            number, joined = w.member or ("", None)
            self.workers[key] = services.register_worker(
                by=self.handler,
                office=self.office,
                name=w.name,
                occupation=w.occupation,
                id_number=data.id_number(w.born, w.region, w.sex, self.rng),
                phone=data.mobile(self.rng),
                employer=w.employer,
                district=self.districts[w.district],
                residence=w.residence,
                consent_scope=data.CONSENT,
                **(
                    {
                        "is_member": True,
                        "membership_number": number,
                        "joined_on": datetime.date.fromisoformat(joined),
                    }
                    if w.member
                    else {}
                ),
            )
        return self.workers[key]

    def go(self, name: str, by: str = "", **fields) -> None:
        by = self.users[by] if by else self.handler
        self.case = services.run_transition(case=self.case, name=name, by=by, **fields)

    def supervisor(self) -> User:
        """The office's (first) supervisor, or the city's."""
        mine = [u for u in self.users.values() if u.is_supervisor and u.office == self.office]
        return (mine or [self.users["citysupervisor"]])[0]

    # --- opening ----------------------------------------------------------------------------

    def open_dispute(self, r: data.Dispute):
        def days(pair):
            return [None if d is None else self.received_on + d * DAY for d in pair or (None, None)]

        (period_from, period_to), (unpaid_from, unpaid_to) = days(r.worked), days(r.unpaid)
        return services.open_wage_dispute(
            by=self.handler,
            office=self.office,
            priority=r.priority,
            matters=r.matters,
            claims=[(self.worker(key), yuan(amount)) for key, amount in r.claims],
            counterparties=[
                (self.counterparties[k], data.COUNTERPARTIES[k].type)
                for k in r.against
                if k in self.counterparties
            ],
            reasons=r.reasons,
            received_at=self.received_at,
            relationship=r.relationship,
            period_from=period_from,
            period_to=period_to,
            unpaid_from=unpaid_from,
            unpaid_to=unpaid_to,
            **self.came_in(r.came_in),
        )

    def open_aid(self, r: data.Aid):
        worker, source = self.worker(r.worker), None
        if r.came_in == "dispute":  # it came in where the dispute did: the service copies it
            source = WageDispute.objects.get(applicant=worker, state__in=FINISHED_STATES)
        return assistance.open_aid_application(
            by=self.handler,
            office=self.office,
            worker=worker,
            source_case=source,
            circumstances=r.circumstances.format(dispute=source.number if source else ""),
            **({} if source else self.came_in(r.came_in)),
        )

    def open_card(self, r: data.Card):
        worker = self.worker(r.worker)
        return assistance.open_card_application(
            by=self.handler,
            office=self.office,
            worker=worker,
            **self.came_in(r.came_in),
            family=[self.family_member(*member) for member in r.family],
        )

    def family_member(self, name, relation, born, region, sex, guardian) -> dict:
        number = data.id_number(born, region, sex, self.rng)
        return {"name": name, "relation": relation, "id_number": number, "guardian_name": guardian}

    # --- the steps of a story (see demo.data) -------------------------------------------------

    def step_take(self, who: str, to: str = "", note: str = "") -> None:
        self.case = services.take_case(case=self.case, by=self.users[who])
        if to:  # a supervisor moves it on
            self.case = services.assign_case(
                case=self.case, to=self.users[to], by=self.supervisor(), note=note
            )
        self.handler = self.users[to or who]
        if not isinstance(self.record, data.Dispute):
            return
        for key, amount in self.record.claims:  # the claim items (R7)
            for type_, item, what in self.record.items.get(
                key, [("wages", amount, data.CLAIM_DESCRIPTION)]
            ):
                claims.save_claim_item(
                    case=self.case,
                    by=self.handler,
                    worker=self.workers[key],
                    type=type_,
                    amount=yuan(item),
                    description=what,
                )
        for key in self.record.against:  # met for the first time
            if key not in self.counterparties:
                cp = data.COUNTERPARTIES[key]
                code = data.credit_code(cp.code_prefix, self.rng) if cp.code_prefix else ""
                self.counterparties[key] = services.add_counterparty(
                    case=self.case,
                    by=self.handler,
                    role=cp.type,
                    name=cp.name,
                    type=cp.type,
                    credit_code=code,
                    contact_person=cp.contact_person,
                    phone=cp.phone,
                    address=cp.address,
                ).counterparty

    def step_contact(self, day: int, channel=data.CALL, with_whom="", summary=FIRST_CALL) -> None:
        first = data.WORKERS[self.record.claims[0][0]].name
        at = self.moment(self.on(day), f"{10 + (self.contacts * 3) % 8}:15")
        soon = self.received_at + datetime.timedelta(minutes=20 + 30 * self.contacts)
        services.record_contact(
            case=self.case,
            by=self.handler,
            channel=channel,
            summary=summary,
            with_whom=with_whom or f"申请人{first}",
            occurred_at=max(at, min(soon, self.now)),
        )
        self.contacts += 1

    def step_note(self, body: str) -> None:
        services.add_note(case=self.case, by=self.handler, body=body)

    def step_claim(self, day: int, note: str) -> None:
        services.record_limitation_event(
            case=self.case,
            by=self.handler,
            note=note,
            type=LimitationEvent.Type.CLAIM,
            occurred_on=self.on(day),
        )

    def step_accept(self) -> None:
        self.go("accept", note="材料齐全，属于工会调解范围，予以受理。")

    def step_investigate(self) -> None:
        self.go("investigate")
        listed = set(self.case.evidence_items.values_list("kind", flat=True))
        for kind, status, day, note in data.EVIDENCE_ANSWERS:
            if kind in listed:
                claims.set_evidence(
                    case=self.case,
                    by=self.handler,
                    kind=kind,
                    status=status,
                    status_on=self.on(day),
                    note=note,
                )

    def step_mediate(self) -> None:
        self.go("start_mediation")

    def step_session(self, day: int, result: str) -> None:
        names = "、".join(data.WORKERS[key].name for key, _ in self.record.claims)
        others = "；".join(
            f"{self.counterparties[k].name}：{self.counterparties[k].contact_person}"
            for k in self.record.against
        )
        services.record_session(
            case=self.case,
            by=self.handler,
            held_on=self.on(day),
            result=result,
            place=data.PLACES[self.record.office],
            attendees=self.record.attendees
            or f"申请人：{names}；{others}；调解员：{self.handler.full_name}",
        )

    def step_agree(self, day: int, within: int, result: str) -> None:
        agreed = {k: yuan(self.record.agreed.get(k, a)) for k, a in self.record.claims}
        links = {cw.worker_id: cw for cw in self.case.case_workers.all()}
        amounts = {}
        for key in agreed:
            link = links[self.workers[key].pk]
            amounts[link.pk] = (link.amount_claimed, agreed[key])
        services.set_amounts(case=self.case, by=self.handler, amounts=amounts)
        signed_on = self.on(day)
        self.case = services.update_dispute(
            case=self.case,
            by=self.handler,
            performance_method=self.record.method,
            agreement_result=result.format(total=f"{sum(agreed.values()):,.2f}"),
            performance_deadline=signed_on + within * DAY,
        )
        self.go("record_agreement", signed_on=signed_on)
        # The other side agreeing to pay interrupts the limitation period (R5).
        services.record_limitation_event(
            case=self.case,
            by=self.handler,
            occurred_on=signed_on,
            type=LimitationEvent.Type.AGREED_TO_PAY,
            note="对方在调解协议中同意支付",
        )

    def step_pay(self, day: int, key: str, amount: str, method: str, voided: str = "") -> None:
        payment = services.record_payment(
            case=self.case,
            by=self.handler,
            worker=self.workers[key],
            paid_on=self.on(day),
            amount=yuan(amount),
            method=method,
            reference=data.payment_reference(method, self.rng),
        )
        if voided:
            services.void_payment(payment=payment, by=self.handler, reason=voided)
        self.case = WageDispute.objects.get(pk=self.case.pk)

    def step_performed(self) -> None:
        self.go("mark_performed")

    def step_fail(self) -> None:
        self.go("mark_failed")

    def step_refer(self, day: int, forum: str, body: str) -> None:
        self.go("refer", forum=forum, body=body, on=self.on(day), note=f"引导至{body}")

    def step_close(self, day: int, note: str) -> None:
        self.on(day)
        self.go("close", outcome_note=note)

    def step_shortfall(self, day: int, reason: str) -> None:
        self.on(day)
        self.go("close_with_shortfall", by=self.supervisor().username, reason=reason)

    def step_decline(self, day: int, reason: str) -> None:
        self.on(day)
        self.go("decline", reason=reason, note=reason)

    def step_withdraw(self, day: int, reason: str) -> None:
        self.on(day)
        self.go("withdraw", reason=reason, note=reason)

    def step_visit(self, day: int, household: tuple, visitors: str, findings: str) -> None:
        self.go("start_assessment")
        size, income, rigid, one_off = household
        self.case = assistance.save_assessment(
            case=self.case,
            by=self.handler,
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
            case=self.case,
            by=self.handler,
            aid_type=aid_type,
            amount=yuan(amount),
            category=category,
            reason=reason,
            difference_reason=differs,
        )

    def step_approve(self, day: int, who: str, comment: str = "") -> None:
        at = self.moment(self.on(day), "11:00")
        if not isinstance(self.record, data.Aid):
            return self.go("approve", by=who)
        self.case = assistance.approve_aid(case=self.case, by=self.users[who], comment=comment)
        Approval.objects.filter(application=self.case, approver=self.users[who]).update(
            approved_at=at
        )
        if self.case.state == State.APPROVED:
            AidApplication.objects.filter(pk=self.case.pk).update(approved_at=at)

    def step_return_for_revision(self, day: int, who: str, reason: str) -> None:
        self.on(day)
        self.go("return_for_revision", by=who, reason=reason, note=reason)

    def step_reject(self, day: int, who: str, reason: str) -> None:
        self.on(day)
        self.go("reject", by=who, reason=reason, note=reason)

    def step_disburse(self, day: int, amount: str, means: str, receipt: str) -> None:
        self.case = assistance.disburse_aid(
            case=self.case,
            by=self.handler,
            amount=yuan(amount),
            on=self.on(day),
            means=means,
            receipt=receipt,
        )

    def step_verify(self, day: int, notes: str) -> None:
        self.on(day)
        self.go("verify", notes=notes)

    def step_issue(self, day: int, serial: int) -> None:
        number = f"HGK-{self.on(day):%Y}-{serial:06d}"
        self.case = assistance.issue_card(case=self.case, by=self.handler, card_number=number)
        # The service issues from today; this card was issued on its own day.
        valid_from, valid_to = assistance.card_term(self.case, self.on(day))
        CardApplication.objects.filter(pk=self.case.pk).update(
            valid_from=valid_from, valid_to=valid_to
        )

    def step_add(self, member: tuple) -> None:
        assistance.add_family_member(case=self.case, by=self.handler, **self.family_member(*member))
