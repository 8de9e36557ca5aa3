"""Test data: offices, staff, workers, counterparties and wage disputes.

Wage disputes are opened and moved only through `cases.services`, so their
numbers, clocks and audit entries are the real ones. ID numbers and credit
codes are built with python-stdnum's check characters: valid, and nobody's.
"""

import datetime
from decimal import Decimal

import factory
import factory.random
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import ric, uscc

from cases import services
from cases.models import (
    Channel,
    Counterparty,
    Forum,
    Occupation,
    Payment,
    Relationship,
    State,
    WageDispute,
    Worker,
    supervises,
)
from casework.models import District, Office, Station, User
from casework.roles import requires_two_factor
from casework.two_factor import OWES_CODE_KEY, enrol_with_key, is_on

PASSWORD = "correct horse battery staple"
OFFICE_NAMES = ["曾都区", "随县", "广水市", "高新区", "大洪山"]


def zh(provider: str, **kwargs) -> factory.Faker:
    return factory.Faker(provider, locale="zh_CN", **kwargs)


# --- identity numbers ------------------------------------------------------------

_BIRTH_FROM = datetime.date(1970, 1, 1)
_BIRTH_SPAN = (datetime.date(2004, 12, 31) - _BIRTH_FROM).days + 1  # 12784 days


# Where the factory's run of ID numbers starts (see id_number: distinct for far more).
FACTORY_IDS = 100_000


def id_number(n: int, region: str = "421303") -> str:
    """The n-th of a run of distinct valid 18-character ID numbers.

    7919 is prime and does not divide the span, so n -> birth date is one-to-one
    for n < 12784 and the dates spread over 1970-2004 instead of marching.
    """
    born = _BIRTH_FROM + datetime.timedelta(days=(n * 7919) % _BIRTH_SPAN)
    first_17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    # calc_check_digit ignores the last character of what it is given.
    return first_17 + ric.calc_check_digit(first_17 + "0")


def credit_code(n: int) -> str:
    """The n-th valid unified social credit code (a company registered in Suizhou)."""
    first_17 = f"91421300{n:09d}"
    return first_17 + uscc.calc_check_digit(first_17)


def mobile() -> str:
    rng = factory.random.randgen
    return f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"


# --- offices and staff -------------------------------------------------------------


class CityFederationFactory(DjangoModelFactory):
    """The root office: a city federation of trade unions (市总工会)."""

    class Meta:
        model = Office
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"随州市总工会（{n}）")
    short_name = "市总"
    parent = None


class OfficeFactory(DjangoModelFactory):
    """A county, city or district union under a city federation."""

    class Meta:
        model = Office
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"{OFFICE_NAMES[n % len(OFFICE_NAMES)]}总工会（{n}）")
    parent = factory.SubFactory(CityFederationFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = zh("name")
    password = factory.django.Password(PASSWORD)
    office = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """`UserFactory(roles=["caseworker"])`: the groups come from migration 0002_roles."""
        if not create or not extracted:
            return
        self.groups.add(*(Group.objects.get(name=name) for name in extracted))
        # Cached answers computed before the groups were added would be wrong.
        for attr in ("role_names", "supervised_office_ids", "_perm_cache", "_group_perm_cache"):
            self.__dict__.pop(attr, None)


def _staff(roles: list[str], *, two_factor: bool | None = None, **fields) -> User:
    """A staff account; those whose role needs two-factor sign-in come enrolled (an
    authenticator with TOTP_KEY) unless `two_factor=False`."""
    user = UserFactory(roles=roles, **fields)
    user = User.objects.get(pk=user.pk)  # fresh: no cached role_names or permissions
    if two_factor is None:
        two_factor = requires_two_factor(user)
    if two_factor:
        enrol_with_key(user, TOTP_KEY)
    return user


# The staff's authenticator key in tests (hex, as django-otp stores it).
TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(user: User) -> str:
    """The code `user`'s authenticator shows now, or the next one if now's was used.

    The device refuses a code from a time step it already accepted (a replay), so a
    second sign-in within 30 seconds takes the next step's code, which it still
    accepts, or waits for it.
    """
    import time

    from django_otp.oath import hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    while True:
        # The steps the device accepts now (it keeps the drift of its last code).
        now = (int(time.time()) - device.t0) // device.step + device.drift
        # Now's step, not the oldest still accepted: that one may pass out of the
        # tolerance between this line and the server's check (a CI run saw it).
        step = max(now, device.last_t + 1)
        if step <= now + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)  # both usable steps are spent: wait for the next one


def verify_session(client, user: User) -> None:
    """Mark the test client's session as having passed two-factor sign-in, as the code
    page does (after `client.force_login(user)`); enrols `user` first if needed."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = enrol_with_key(user, TOTP_KEY)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(OWES_CODE_KEY, None)
    session.save()


def sign_in(client, user: User):
    """The test client signed in as `user`, past two-factor sign-in where they need it."""
    client.force_login(user)
    if requires_two_factor(user) or is_on(user):
        verify_session(client, user)
    return client


def caseworker(office: Office, **fields) -> User:
    return _staff(["caseworker"], office=office, **fields)


def supervisor(office: Office, **fields) -> User:
    return _staff(["supervisor"], office=office, **fields)


def auditor(office: Office | None = None, **fields) -> User:
    return _staff(["auditor"], office=office, **fields)


def admin(**fields) -> User:
    """An administrator: a superuser in no group (administrators take no transitions)."""
    return _staff([], is_superuser=True, is_staff=True, **fields)


class StationFactory(DjangoModelFactory):
    """A service station of an office (工会驿站)."""

    class Meta:
        model = Station

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"骑手爱心驿站{n}号")
    type = Station.Type.OUTDOOR
    address = "随州市曾都区烈山大道88号"
    opened_on = datetime.date(2025, 5, 1)


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"{OFFICE_NAMES[n % len(OFFICE_NAMES)]}（{n}）")


# --- workers and counterparties ----------------------------------------------------


class WorkerFactory(DjangoModelFactory):
    class Meta:
        model = Worker

    name = zh("name")
    phone = factory.LazyFunction(mobile)
    # Far from the small numbers tests pick themselves (id_number(901), …): a
    # worker made by the factory never takes a test's chosen ID.
    id_number = factory.Sequence(lambda n: id_number(FACTORY_IDS + n))
    occupation = Occupation.RIDER
    employer = zh("company")
    office = factory.SubFactory(OfficeFactory)
    created_by = factory.LazyAttribute(lambda o: caseworker(o.office))

    @classmethod
    def _create(cls, model_class, *args, id_number="", **kwargs):
        # The ID number is never a field: set_id_number encrypts, hashes and masks it.
        worker = model_class(*args, **kwargs)
        worker.set_id_number(id_number)
        worker.save()
        return worker


class CounterpartyFactory(DjangoModelFactory):
    class Meta:
        model = Counterparty

    name = zh("company")
    type = Counterparty.Type.PLATFORM
    credit_code = factory.Sequence(credit_code)
    contact_person = zh("name")
    phone = factory.LazyFunction(mobile)
    address = zh("address")


# --- wage disputes, through the services ---------------------------------------------

DEFAULT_CLAIM = Decimal("3000.00")


def wage_dispute(
    office: Office,
    *,
    by: User | None = None,
    workers: list[Worker] | None = None,
    claimed: Decimal | None = DEFAULT_CLAIM,
    counterparty: Counterparty | bool = True,
    state: str | None = None,
    **fields,
) -> WageDispute:
    """Open a wage dispute as `by` (a new caseworker of the office by default).

    `counterparty=True` adds a new platform, a Counterparty adds that one, False
    none. With `state`, the dispute is taken by `by` and walked there.
    """
    by = by or caseworker(office)
    workers = workers or [WorkerFactory(office=office, created_by=by)]
    if counterparty is True:
        counterparty = CounterpartyFactory()
    today = timezone.localdate()
    fields = {
        "matters": "拖欠配送费及劳动报酬",
        "reasons": "站点以考核为由扣发两个月配送费，经多次催要未果。",
        "received_at": timezone.now(),
        "channel": Channel.HOTLINE,
        "relationship": Relationship.LABOUR,
        "period_from": today - datetime.timedelta(days=200),
        "period_to": today - datetime.timedelta(days=10),
        **fields,
    }
    dispute = services.open_wage_dispute(
        by=by,
        office=office,
        claims=[(worker, claimed) for worker in workers],
        counterparties=[(counterparty, counterparty.type)] if counterparty else [],
        **fields,
    )
    if state is not None:
        dispute = walk_to(dispute, state, by)
    return dispute


def fill_agreement_terms(dispute: WageDispute, by: User) -> WageDispute:
    """Everything R3 wants in an agreement: each worker is agreed what they claimed."""
    amounts = {
        cw.pk: (cw.amount_claimed or DEFAULT_CLAIM, cw.amount_claimed or DEFAULT_CLAIM)
        for cw in dispute.case_workers.all()
    }
    services.set_amounts(case=dispute, by=by, amounts=amounts)
    return services.update_dispute(
        case=dispute,
        by=by,
        agreement_result="站点于协议签订后十五日内一次性支付拖欠的配送费。",
        performance_deadline=timezone.localdate() + datetime.timedelta(days=15),
        performance_method="银行转账至申请人本人账户",
    )


def pay_in_full(dispute: WageDispute, by: User) -> WageDispute:
    """Record, for every worker, a payment of whatever they are still owed."""
    for cw, agreed, paid in dispute.claims():
        if agreed > paid:
            services.record_payment(
                case=dispute,
                by=by,
                worker=cw.worker,
                paid_on=timezone.localdate(),
                amount=agreed - paid,
                method=Payment.Method.BANK,
                reference=f"转账{cw.pk:08d}",
            )
    return dispute


def _transition(name: str, **kwargs):
    def step(dispute, by):
        return services.run_transition(case=dispute, name=name, by=by, **kwargs)

    return step


def _start_mediation(dispute, by):
    if not dispute.counterparty_links.exists():
        services.add_counterparty(
            case=dispute, by=by, counterparty=CounterpartyFactory(), role="platform"
        )
    return services.run_transition(case=dispute, name="start_mediation", by=by)


def _record_agreement(dispute, by):
    dispute = fill_agreement_terms(dispute, by)
    return services.run_transition(
        case=dispute, name="record_agreement", by=by, signed_on=timezone.localdate()
    )


def _mark_performed(dispute, by):
    pay_in_full(dispute, by)
    return services.run_transition(case=dispute, name="mark_performed", by=by)


# target state: (the state it is reached from by default, the step that gets there)
ROUTE = {
    State.ACCEPTED: (State.INTAKE, _transition("accept")),
    State.INVESTIGATING: (State.ACCEPTED, _transition("investigate")),
    State.MEDIATING: (State.INVESTIGATING, _start_mediation),
    State.AGREEMENT: (State.MEDIATING, _record_agreement),
    State.PERFORMED: (State.AGREEMENT, _mark_performed),
    State.MEDIATION_FAILED: (State.MEDIATING, _transition("mark_failed")),
    State.REFERRED: (
        State.MEDIATION_FAILED,
        _transition(
            "refer",
            forum=Forum.ARBITRATION,
            body="随州市劳动人事争议仲裁委员会",
            on=datetime.date(2026, 5, 6),
        ),
    ),
    State.CLOSED: (State.PERFORMED, _transition("close", outcome_note="协议已全部履行")),
    State.DECLINED: (State.INTAKE, _transition("decline", reason="不属于本会受理范围")),
    State.WITHDRAWN: (State.INTAKE, _transition("withdraw", reason="申请人自行撤回")),
}


def walk_to(dispute: WageDispute, state: str, by: User, *, via: str | None = None) -> WageDispute:
    """Drive the dispute through the services to `state`, filling what each step needs.

    The default roads: intake → accepted → investigating → mediating → agreement →
    performed → closed; mediating → mediation_failed → referred; intake →
    declined / withdrawn. `via` takes another road to the last step, e.g.
    `walk_to(d, "closed", by, via="referred")` or `walk_to(d, "withdrawn", by,
    via="agreement")`. An unassigned dispute is first taken by a caseworker `by`.
    """
    if dispute.assignee_id is None and not supervises(dispute, by):
        dispute = services.take_case(case=dispute, by=by)
    if dispute.state == state:
        return WageDispute.objects.get(pk=dispute.pk)
    if state not in ROUTE:
        raise ValueError(f"walk_to cannot reach {state!r} from {dispute.state!r}")
    before, step = ROUTE[state]
    dispute = walk_to(dispute, via or before, by)
    step(dispute, by)
    return WageDispute.objects.get(pk=dispute.pk)
