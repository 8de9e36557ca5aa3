"""The writes that matter for hardship aid and medical cards. Each is one
transaction that locks the case (and, where a rule reads a worker's other
applications, the worker), checks the rules, and writes its audit entries."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from cases.models import Case, CaseWorker, Channel, Kind, State, Worker, caseworker_step, supervises
from cases.services import check_intake_channel, lock_case, next_case_number, run_transition
from casework import reference
from casework.audit import Action, record
from casework.models import Office, Station
from casework.money import format_yuan
from casework.transitions import require_transition

from .models import (
    AidApplication,
    Approval,
    CardApplication,
    FamilyMember,
    hardship_category,
)

RENEWAL_WINDOW = datetime.timedelta(days=30)


def _require_intake_right(by, office: Office) -> None:
    if not (
        (by.is_caseworker and by.office_id == office.pk) or supervises(Case(office=office), by)
    ):
        raise PermissionDenied(_("You may open cases only for your own office."))


def _open_link(case: Case) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("cases:case", args=[case.number]), case.number
    )


def _refuse_second_open(kind: str, worker: Worker) -> None:
    open_case = Case.objects.open().filter(kind=kind, applicant=worker).first()
    if open_case:
        raise ValidationError(
            format_html(
                "{} {}",
                _("%(name)s already has an open application of this kind:") % {"name": worker.name},
                _open_link(open_case),
            ),
            code="open_application",
        )


def _create(case: Case, worker: Worker, by) -> None:
    """Insert a new application; the database refuses a second open one too."""
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        _refuse_second_open(case.kind, worker)
        raise
    CaseWorker.objects.create(case=case, worker=worker)
    record(Action.CASE_OPENED, by=by, case=case, target=case.state)


# --- hardship aid ---------------------------------------------------------------------


@transaction.atomic
def open_aid_application(
    *,
    by,
    office: Office,
    worker: Worker,
    circumstances: str,
    source_case: Case | None = None,
    channel: str = "",
    station: Station | None = None,
) -> AidApplication:
    _require_intake_right(by, office)
    if source_case is not None and not channel and source_case.station_id:
        # Aid offered from a wage dispute came in where the dispute did.
        channel, station = source_case.channel, source_case.station
    elif source_case is not None and not channel and source_case.channel != Channel.STATION:
        channel = source_case.channel
    check_intake_channel(channel, station, office)
    Worker.objects.select_for_update().get(pk=worker.pk)
    _refuse_second_open(Kind.HARDSHIP_AID, worker)
    now = timezone.now()
    application = AidApplication(
        number=next_case_number(Kind.HARDSHIP_AID, timezone.localdate(now).year),
        kind=Kind.HARDSHIP_AID,
        office=office,
        opened_at=now,
        state_changed_at=now,
        state=State.APPLICATION,
        applicant=worker,
        created_by=by,
        circumstances=circumstances,
        source_case=source_case,
        channel=channel,
        station=station,
    )
    _create(application, worker, by)
    return application


@transaction.atomic
def save_assessment(*, case: AidApplication, by, expected_state: str | None = None, **fields):
    """Record the home visit and the household; compute the category with the
    line, threshold and cap in force now, and keep them on the application."""
    case = lock_case(case, expected_state)
    if not caseworker_step(case, by):
        raise PermissionDenied(
            _("Only the assigned caseworker or a supervisor may change this case.")
        )
    if case.state != State.ASSESSMENT:
        raise TransitionNotAllowed(
            _("The assessment is recorded while the application is assessed.")
        )
    for name, value in fields.items():
        setattr(case, name, value)
    worker = case.applicant
    case.dibao_line = reference.dibao_line(worker.district, worker.residence)
    case.threshold = reference.current(reference.Key.APPROVAL_THRESHOLD)
    case.cap = reference.current(reference.Key.AID_CAP)
    if case.dibao_line is None:
        raise ValidationError(_("No minimum living allowance line is set; ask an administrator."))
    case.computed_category = hardship_category(
        annual_income=case.annual_income,
        annual_rigid_spending=case.annual_rigid_spending,
        one_off_costs=case.one_off_costs,
        household_size=case.household_size,
        dibao_line=case.dibao_line,
    )
    case.save()
    record(
        Action.CASE_EDITED,
        by=by,
        case=case,
        details={"fields": sorted(fields), "category": case.computed_category},
    )
    return case


@transaction.atomic
def recommend_aid(*, case: AidApplication, by, expected_state=None, note="", **fields):
    # Locked first: the rule reads the assessment, which a colleague may be saving.
    case = lock_case(case, expected_state)
    differs = case.computed_category and fields["category"] != case.computed_category
    if differs and not fields.get("difference_reason"):
        raise ValidationError(
            _("The recommended category differs from the computed one: write why."),
            code="difference_reason",
        )
    return run_transition(
        case=case,
        name="recommend",
        by=by,
        expected_state=expected_state,
        note=note,
        recommender=by,
        **fields,
    )


@transaction.atomic
def approve_aid(
    *, case: AidApplication, by, expected_state=None, comment: str = "", cap_override_reason=""
) -> AidApplication:
    """One supervisor's approval. Four eyes; above the threshold a second
    approval by another supervisor; over the 12-month cap only with a reason."""
    case = lock_case(case, expected_state)
    # Serialise decisions about one worker, so two approvals at once cannot both fit the cap.
    Worker.objects.select_for_update().get(pk=case.applicant_id)
    if case.state == State.RECOMMENDED and supervises(case, by):
        if by.pk == case.recommended_by_id:
            raise PermissionDenied(
                _("You recommended this aid, so another supervisor must approve it.")
            )
        if case.current_approvals().filter(approver=by).exists():
            raise PermissionDenied(
                _(
                    "You have already approved this application; the second approval must come "
                    "from another supervisor."
                )
            )
    require_transition(case.approve, by)
    threshold = reference.current(reference.Key.APPROVAL_THRESHOLD)
    cap = reference.current(reference.Key.AID_CAP)
    before = case.aid_in_12_months()
    if before + case.recommended_amount > cap and not cap_override_reason.strip():
        raise ValidationError(
            _(
                "With this aid the worker would receive %(total)s in 12 months, over the cap of "
                "%(cap)s. Write why the cap is exceeded to override it."
            )
            % {"total": format_yuan(before + case.recommended_amount), "cap": format_yuan(cap)},
            code="cap",
        )
    Approval.objects.create(
        application=case,
        round=case.approval_round,
        approver=by,
        comment=comment,
        amount=case.recommended_amount,
        threshold=threshold,
        cap=cap,
        aid_in_12_months=before,
        cap_override_reason=cap_override_reason,
    )
    case.threshold, case.cap = threshold, cap
    needed = case.approvals_needed()
    complete = case.current_approvals().count() >= needed
    source = case.state
    case.approve(complete=complete)
    if cap_override_reason:
        case.cap_override_reason = cap_override_reason
    if case.state != source:
        case.state_changed_at = timezone.now()
    case.save()
    record(
        Action.APPROVAL,
        by=by,
        case=case,
        note=comment,
        details={"amount": str(case.recommended_amount), "needed": needed, "complete": complete},
    )
    if complete:
        # (The comment is on the approval entry just above.)
        record(
            Action.TRANSITION,
            by=by,
            case=case,
            source=source,
            target=case.state,
            details={"transition": "approve"},
        )
    return case


@transaction.atomic
def disburse_aid(
    *, case: AidApplication, by, expected_state=None, note="", amount: Decimal, **fields
):
    case = lock_case(case, expected_state)
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."), code="over_approved")
    if case.approved_amount is not None and amount > case.approved_amount:
        raise ValidationError(
            _("The amount disbursed may not exceed the %(approved)s approved.")
            % {"approved": format_yuan(case.approved_amount)},
            code="over_approved",
        )
    return run_transition(
        case=case,
        name="disburse",
        by=by,
        expected_state=expected_state,
        note=note,
        amount=amount,
        **fields,
    )


# --- medical cards -----------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def aid_received(worker: Worker, today: datetime.date, among=None) -> Decimal:
    """Aid paid out to the worker in the last 12 months (by the applications `among`,
    pks, when given)."""
    applications = AidApplication.objects.filter(
        applicant=worker,
        disbursed_on__gt=add_months(today, -12),
        disbursed_on__lte=today,
    )
    if among is not None:
        applications = applications.filter(pk__in=among)
    total = applications.aggregate(total=models.Sum("disbursed_amount"))["total"]
    return total or Decimal("0")


def current_card(worker: Worker, today: datetime.date | None = None) -> CardApplication | None:
    today = today or timezone.localdate()
    return (
        CardApplication.objects.valid_on(today)
        .filter(applicant=worker)
        .order_by("-valid_to")
        .first()
    )


@transaction.atomic
def open_card_application(
    *,
    by,
    office: Office,
    worker: Worker,
    family: list[dict] = (),
    channel: str = "",
    station: Station | None = None,
) -> CardApplication:
    """Only union members apply; a worker holds one valid card at a time, and
    may renew in its last 30 days (the new card starts the day after)."""
    _require_intake_right(by, office)
    check_intake_channel(channel, station, office)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if not worker.is_member:
        raise ValidationError(
            _("Only union members can apply for a medical card; %(name)s is not a member.")
            % {"name": worker.name},
            code="not_member",
        )
    today = timezone.localdate()
    card = current_card(worker, today)
    if card and card.valid_to > today + RENEWAL_WINDOW:
        raise ValidationError(
            _(
                "%(name)s holds a valid card until %(until)s; a renewal can be applied for in its "
                "last 30 days."
            )
            % {"name": worker.name, "until": card.valid_to.isoformat()},
            code="valid_card",
        )
    if card and card.state == State.CARD_ISSUED:
        _close_renewed(card, by)
    _refuse_second_open(Kind.MEDICAL_CARD, worker)
    now = timezone.now()
    application = CardApplication(
        number=next_case_number(Kind.MEDICAL_CARD, today.year),
        kind=Kind.MEDICAL_CARD,
        office=office,
        opened_at=now,
        state_changed_at=now,
        state=State.SUBMITTED,
        applicant=worker,
        created_by=by,
        renewal_of=card,
        channel=channel,
        station=station,
    )
    _create(application, worker, by)
    for member in family:
        _add_member(application, by, **member)
    return application


def _close_renewed(card: CardApplication, by) -> None:
    """A renewal finishes the application of the card it renews (the card stays valid)."""
    card = lock_case(card)
    card.close(outcome_note=_("Closed when its renewal was applied for."))
    card.state_changed_at = timezone.now()
    card.save()
    record(
        Action.TRANSITION,
        by=by,
        case=card,
        source=State.CARD_ISSUED,
        target=card.state,
        note=card.outcome_note,
        details={"transition": "close", "by_renewal": True},
    )


def _add_member(application: CardApplication, by, *, name, relation, id_number, guardian_name=""):
    member = FamilyMember(
        application=application, name=name, relation=relation, consent_recorded_by=by
    )
    member.set_id_number(id_number)
    if member.age_on(timezone.localdate()) < 14:
        if not guardian_name.strip():
            raise ValidationError(
                _("%(name)s is under 14: record the guardian who consents.") % {"name": name},
                code="guardian",
            )
        member.guardian_name = guardian_name
        member.guardian_consent_at = timezone.now()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already listed on this application.") % {"name": name}, code="twice"
        ) from None
    return member


@transaction.atomic
def add_family_member(*, case: CardApplication, by, **fields) -> FamilyMember:
    case = lock_case(case)
    if not caseworker_step(case, by):
        raise PermissionDenied(
            _("Only the assigned caseworker or a supervisor may change this case.")
        )
    if case.state not in (State.SUBMITTED, State.VERIFIED):
        raise TransitionNotAllowed(_("Family members are added before the card is approved."))
    member = _add_member(case, by, **fields)
    record(Action.CASE_EDITED, by=by, case=case, obj=member, details={"fields": ["family"]})
    return member


def card_term(application: CardApplication, today: datetime.date) -> tuple:
    """The new card's term: from today, or the day after the card it renews ends."""
    renewed = application.renewal_of
    start = today
    if renewed and renewed.valid_to and renewed.valid_to >= today:
        start = renewed.valid_to + datetime.timedelta(days=1)
    months = reference.current(reference.Key.CARD_TERM_MONTHS)
    return start, add_months(start, months) - datetime.timedelta(days=1)


@transaction.atomic
def issue_card(*, case: CardApplication, by, expected_state=None, note="", card_number: str):
    case = lock_case(case, expected_state)
    valid_from, valid_to = card_term(case, timezone.localdate())
    overlapping = (
        CardApplication.objects.issued()
        .filter(applicant_id=case.applicant_id, valid_from__lte=valid_to, valid_to__gte=valid_from)
        .exclude(pk=case.pk)
    )
    if overlapping.exists():
        raise ValidationError(
            _("The worker already holds a card valid in that period."), code="overlap"
        )
    if CardApplication.objects.filter(card_number=card_number).exists():
        raise ValidationError(_("That card number is already in use."), code="card_number")
    return run_transition(
        case=case,
        name="issue_card",
        by=by,
        expected_state=expected_state,
        note=note,
        card_number=card_number,
        valid_from=valid_from,
        valid_to=valid_to,
    )
