"""The writes that matter. Each is one transaction that locks the case row,
checks who may do what, changes the data and writes its audit entry."""

import datetime
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from casework.audit import Action, record
from casework.models import AuditEntry, Office
from casework.transitions import is_user_transition, require_transition

from .models import (
    KIND_MODELS,
    Case,
    CaseCounter,
    CaseWorker,
    Channel,
    Contact,
    Counterparty,
    DisputeCounterparty,
    Document,
    Kind,
    LimitationEvent,
    MediationSession,
    Note,
    Payment,
    State,
    WageDispute,
    Worker,
    caseworker_step,
    supervises,
)
from .models.core import intake_channel_errors
from .models.wage import (
    AGREEMENT_FIELDS,
    BEFORE_AGREEMENT,
    PARTICULAR_FIELDS,
    PAYMENT_STATES,
    VOID_STATES,
)


class CaseChanged(Exception):
    """The case changed since the user's page was drawn; nothing was saved."""

    def __init__(self, case: Case, shown_state: str):
        self.case = case
        super().__init__(
            _(
                "This case changed while you were working on it: it is now “%(now)s” "
                "(you saw “%(then)s”). Nothing was saved; here is the case as it is now."
            )
            % {"now": case.get_state_display(), "then": State(shown_state).label}
        )


def lock_case(case: Case, expected_state: str | None = None) -> Case:
    """Re-read the case as its own kind with its row locked until the transaction ends."""
    model = KIND_MODELS[case.kind]
    locked = model.objects.select_for_update().get(pk=case.pk)
    if expected_state and locked.state != expected_state:
        raise CaseChanged(locked, expected_state)
    return locked


def _require_worker_on_case(case: Case, user) -> None:
    if not caseworker_step(case, user):
        raise PermissionDenied(
            _("Only the assigned caseworker or a supervisor may change this case.")
        )
    if case.is_finished:
        raise TransitionNotAllowed(_("This case is finished; a supervisor can reopen it."))


# --- case numbers and opening -------------------------------------------------


def next_case_number(kind: str, year: int) -> str:
    """The next gapless number; call inside the transaction that creates the case."""
    CaseCounter.objects.bulk_create(
        [CaseCounter(kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    counter = CaseCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{kind}-{year}-{counter.last:06d}"


@transaction.atomic
def register_worker(*, by, office: Office, id_number: str = "", **fields) -> Worker:
    worker = Worker(office=office, created_by=by, **fields)
    worker.set_id_number(id_number)
    if worker.consent_scope:
        worker.consent_at = timezone.now()
        worker.consent_recorded_by = by
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError:
        # Someone registered the same ID number a moment ago.
        raise ValidationError(
            {"id_number": _("A worker with this ID number is already registered.")}
        ) from None
    record(Action.WORKER_CREATED, by=by, obj=worker, office=office)
    return worker


@transaction.atomic
def update_worker(*, worker: Worker, by, id_number: str | None = None, **fields) -> Worker:
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    changed = sorted(name for name, value in fields.items() if getattr(worker, name) != value)
    for name, value in fields.items():
        setattr(worker, name, value)
    if id_number is not None and id_number != worker.id_number():
        worker.set_id_number(id_number)
        changed.append("id_number")
    worker.save()
    if changed:
        record(Action.WORKER_EDITED, by=by, obj=worker, details={"fields": changed})
    return worker


def reveal_id_number(*, worker: Worker, by, case: Case | None = None) -> str:
    """The full ID, for a holder of the permission whose offices know the worker; logged."""
    if not by.has_perm("cases.reveal_id_number"):
        raise PermissionDenied(_("Your role may not see full ID numbers."))
    offices = by.supervised_office_ids or {by.office_id}
    known = worker.office_id in offices or worker.cases.filter(office_id__in=offices).exists()
    if not known:
        raise PermissionDenied(_("This worker is not known to your offices."))
    record(Action.ID_REVEALED, by=by, obj=worker, case=case, office=worker.office_id)
    return worker.id_number()


def check_intake_channel(channel: str, station, office: Office) -> None:
    """Refuse a new case's channel and station unless they fit (next to the station field)."""
    errors = intake_channel_errors(channel, station, office)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_wage_dispute(
    *,
    by,
    office: Office,
    claims: list[tuple[Worker, Decimal | None]],
    counterparties: list[tuple[Counterparty, str]] = (),
    priority: str = "normal",
    **fields,
) -> WageDispute:
    """Record an application on the spot (LDMAL Art. 12): it lands unassigned
    in the office's intake queue."""
    if not (
        (by.is_caseworker and by.office_id == office.pk) or supervises(Case(office=office), by)
    ):
        raise PermissionDenied(_("You may open cases only for your own office."))
    if not claims:
        raise ValidationError(_("Name at least one worker."))
    check_intake_channel(fields.get("channel", ""), fields.get("station"), office)
    now = timezone.now()
    dispute = WageDispute(
        number=next_case_number(Kind.WAGE_DISPUTE, timezone.localdate(now).year),
        kind=Kind.WAGE_DISPUTE,
        office=office,
        priority=priority,
        opened_at=now,
        state_changed_at=now,
        applicant=claims[0][0],
        created_by=by,
        **fields,
    )
    dispute.save()
    CaseWorker.objects.bulk_create(
        [CaseWorker(case=dispute, worker=w, amount_claimed=amount) for w, amount in claims]
    )
    DisputeCounterparty.objects.bulk_create(
        [DisputeCounterparty(dispute=dispute, counterparty=c, role=r) for c, r in counterparties]
    )
    # The application to the union's mediation interrupts the limitation period (R5).
    LimitationEvent.objects.create(
        dispute=dispute,
        type=LimitationEvent.Type.MEDIATION_APPLICATION,
        occurred_on=timezone.localdate(dispute.received_at),
        recorded_by=by,
    )
    dispute.refresh_clocks()
    dispute.save(
        update_fields=[
            "mediation_deadline",
            "mediation_deadline_provisional",
            "limitation_date",
            "limitation_provisional",
            "due_on",
            "due_provisional",
        ]
    )
    record(
        Action.CASE_OPENED,
        by=by,
        case=dispute,
        target=dispute.state,
        details={"workers": len(claims)},
    )
    return dispute


# --- assignment and transitions -------------------------------------------------


@transaction.atomic
def take_case(*, case: Case, by) -> Case:
    """Assign an unassigned case of one's own office to oneself; the state is unchanged."""
    case = lock_case(case)
    if not ((by.is_caseworker and case.office_id == by.office_id) or supervises(case, by)):
        raise PermissionDenied(_("You may take only cases of your own office."))
    if case.assignee_id == by.pk:
        return case
    if case.assignee_id is not None:
        raise ValidationError(_("%(name)s has already taken this case.") % {"name": case.assignee})
    if case.is_finished:
        raise TransitionNotAllowed(_("This case is finished."))
    case.assignee = by
    case.save(update_fields=["assignee", "updated_at"])
    record(Action.ASSIGNED, by=by, case=case, details={"to": str(by), "taken": True})
    return case


@transaction.atomic
def assign_case(*, case: Case, to, by, note: str = "") -> Case:
    case = lock_case(case)
    if not supervises(case, by):
        raise PermissionDenied(_("Only a supervisor of the case's office can assign it."))
    if case.is_finished:
        raise TransitionNotAllowed(_("This case is finished; reopen it first."))
    if to is not None and not (to.is_active and (to.is_caseworker or to.is_supervisor)):
        raise ValidationError(_("Cases can be assigned only to active caseworkers or supervisors."))
    if to is not None and not supervises(Case(office_id=to.office_id), by):
        raise ValidationError(_("That person works outside the offices you supervise."))
    before = str(case.assignee or "")
    case.assignee = to
    case.save(update_fields=["assignee", "updated_at"])
    record(
        Action.ASSIGNED, by=by, case=case, note=note, details={"from": before, "to": str(to or "")}
    )
    return case


# Steps whose reason is kept on the record (the reason or the note must be written).
REASON_REQUIRED = {
    "decline",
    "withdraw",
    "close_with_shortfall",
    "reopen",
    "reject",
    "return_for_revision",
}


@transaction.atomic
def run_transition(
    *, case: Case, name: str, by, expected_state: str | None = None, note: str = "", **kwargs
) -> Case:
    """Take transition `name` on the case, as `by`. Every state change goes through here."""
    case = lock_case(case, expected_state)
    method = getattr(case, name)
    if not is_user_transition(method):
        raise TransitionNotAllowed(_("This step is taken by the system, not asked for."))
    if _meta_custom(method).get("service"):
        # Its rules live in its own service (e.g. approving aid): never taken bare.
        raise TransitionNotAllowed(_("This step has its own form."))
    require_transition(method, by)
    if name in REASON_REQUIRED and not (kwargs.get("reason") or note).strip():
        raise ValidationError(_("Write the reason for this step."))
    if name == "reopen":
        kwargs["back_to"] = _state_before_finishing(case)
        _refuse_second_open_application(case)
    source = case.state
    method(**kwargs)
    if case.state != source:
        case.state_changed_at = timezone.now()
    if hasattr(case, "refresh_clocks"):
        case.refresh_clocks()
    save_checked(case)
    record(
        Action.TRANSITION,
        by=by,
        case=case,
        source=source,
        target=case.state,
        note=note,
        details={"transition": name},
    )
    return case


def _refuse_second_open_application(case: Case) -> None:
    """Reopening an application while the worker has another open one of its kind."""
    if case.kind == Kind.WAGE_DISPUTE:
        return
    other = (
        Case.objects.open()
        .filter(kind=case.kind, applicant_id=case.applicant_id)
        .exclude(pk=case.pk)
        .first()
    )
    if other:
        raise ValidationError(
            format_html(
                '{} <a href="{}">{}</a>',
                _("The worker already has an open application of this kind:"),
                other.get_absolute_url(),
                other.number,
            ),
            code="open_application",
        )


def _meta_custom(bound_method) -> dict:
    meta = bound_method._django_fsm
    return next(iter(meta.transitions.values())).custom


# What a unique constraint of the case tables means to the person who hit it:
# (how PostgreSQL names it, how SQLite names it) -> (code, message).
CONSTRAINT_MESSAGES = {
    ("one_open_application_per_worker", "cases_case.kind, cases_case.applicant_id"): (
        "open_application",
        gettext_lazy(
            "This worker already has an open application of this kind; finish that one first."
        ),
    ),
    ("unique_card_number", "assistance_cardapplication.card_number"): (
        "card_number",
        gettext_lazy("That card number is already in use."),
    ),
}


def save_checked(case: Case) -> None:
    """Save; a unique rule the database holds (perhaps against a simultaneous
    request) comes back as a message, not a server error."""
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as error:
        for names, (code, message) in CONSTRAINT_MESSAGES.items():
            if any(name in str(error) for name in names):
                raise ValidationError(message, code=code) from None
        raise


def _state_before_finishing(case: Case) -> str:
    entry = (
        AuditEntry.objects.filter(case=case, action=Action.TRANSITION, target_state=case.state)
        .order_by("-at", "-pk")
        .first()
    )
    return entry.source_state if entry else State.INTAKE


# --- the timeline ----------------------------------------------------------------


@transaction.atomic
def add_note(*, case: Case, by, body: str) -> Note:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    note = Note.objects.create(case=case, body=body, author=by)
    record(Action.NOTE, by=by, case=case, obj=note)
    return note


@transaction.atomic
def record_contact(*, case: Case, by, **fields) -> Contact:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    contact = Contact.objects.create(case=case, recorded_by=by, **fields)
    record(Action.CONTACT, by=by, case=case, obj=contact, details={"channel": contact.channel})
    return contact


@transaction.atomic
def record_session(*, case: WageDispute, by, **fields) -> MediationSession:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    if case.state != State.MEDIATING:
        raise TransitionNotAllowed(_("Mediation sessions are recorded while mediating."))
    session = MediationSession.objects.create(dispute=case, recorded_by=by, **fields)
    record(Action.MEDIATION_SESSION, by=by, case=case, obj=session)
    return session


def _store_document_file(document: Document, content: bytes) -> None:
    from django.core.files.base import ContentFile

    document.file.save("upload", ContentFile(content), save=False)


def add_document(
    *, case: Case, by, upload, content_type: str, doc_type: str, title: str
) -> Document:
    """Store an uploaded file (already checked by content) outside the web root."""
    content = upload.read()
    document = Document(
        case_id=case.pk,
        doc_type=doc_type,
        title=title,
        original_name=upload.name[:255],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    # The file is written before the transaction so that no disk I/O holds the
    # case lock; if the transaction fails the file is removed again.
    _store_document_file(document, content)
    try:
        with transaction.atomic():
            locked = lock_case(case)
            _require_worker_on_case(locked, by)
            document.save()
            record(
                Action.DOCUMENT_UPLOADED,
                by=by,
                case=locked,
                obj=document,
                details={"type": doc_type, "size": document.size, "sha256": document.sha256},
            )
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def log_document_download(*, document: Document, by) -> None:
    record(Action.DOCUMENT_DOWNLOADED, by=by, case=document.case, obj=document)


# --- wage disputes ------------------------------------------------------------------


@transaction.atomic
def update_dispute(
    *, case: WageDispute, by, expected_state: str | None = None, **fields
) -> WageDispute:
    """Change the application's particulars or the agreement terms; clocks follow."""
    unknown = set(fields) - {*PARTICULAR_FIELDS, *AGREEMENT_FIELDS}
    if unknown:
        raise ValueError(f"update_dispute cannot change {sorted(unknown)}")
    case = lock_case(case, expected_state)
    _require_worker_on_case(case, by)
    if "channel" in fields or "station" in fields:
        channel = fields.get("channel", case.channel)
        station = fields.get("station", case.station)
        # An older case that came in at an unnamed station may stay unnamed.
        if not (channel == case.channel == Channel.STATION and station is None):
            check_intake_channel(channel, station, case.office)
    if set(AGREEMENT_FIELDS) & set(fields) and case.state not in BEFORE_AGREEMENT:
        raise TransitionNotAllowed(
            _("The agreement terms are fixed once the agreement is recorded.")
        )
    changes = {
        name: [str(getattr(case, name)), str(value)]
        for name, value in fields.items()
        if getattr(case, name) != value
    }
    if "received_at" in changes:
        # The application to the union is the interruption recorded at intake (R5):
        # a corrected time of receipt corrects it too.
        application = (
            case.limitation_events.filter(type=LimitationEvent.Type.MEDIATION_APPLICATION)
            .order_by("pk")
            .first()
        )
        if application is not None:
            application.occurred_on = timezone.localdate(fields["received_at"])
            application.save(update_fields=["occurred_on"])
    for name, value in fields.items():
        setattr(case, name, value)
    case.refresh_clocks()
    case.save()
    if changes:
        record(
            Action.CASE_EDITED,
            by=by,
            case=case,
            details={"fields": sorted(changes), "changes": changes},
        )
    return case


@transaction.atomic
def add_counterparty(
    *, case: WageDispute, by, counterparty: Counterparty | None = None, role: str, **new_fields
) -> DisputeCounterparty:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    if case.state not in BEFORE_AGREEMENT:
        raise TransitionNotAllowed(_("Counterparties are added before the agreement."))
    if counterparty is None:
        try:
            with transaction.atomic():
                counterparty = Counterparty.objects.create(**new_fields)
        except IntegrityError:
            raise ValidationError(
                {"credit_code": _("A counterparty with this code was registered a moment ago.")}
            ) from None
    if case.counterparty_links.filter(counterparty=counterparty).exists():
        raise ValidationError(
            _("%(name)s is already a counterparty on this case.") % {"name": counterparty}
        )
    link = DisputeCounterparty.objects.create(dispute=case, counterparty=counterparty, role=role)
    record(
        Action.CASE_EDITED,
        by=by,
        case=case,
        obj=counterparty,
        details={"fields": ["counterparties"], "added": counterparty.name},
    )
    return link


@transaction.atomic
def set_amounts(
    *,
    case: WageDispute,
    by,
    amounts: dict[int, tuple[Decimal | None, Decimal | None]],
    expected_state: str | None = None,
) -> WageDispute:
    """Set each worker's amount claimed and agreed: {case_worker_id: (claimed, agreed)}."""
    case = lock_case(case, expected_state)
    _require_worker_on_case(case, by)
    if case.state not in (State.INTAKE, State.ACCEPTED, State.INVESTIGATING, State.MEDIATING):
        raise TransitionNotAllowed(_("Amounts are fixed once an agreement is recorded."))
    links = {cw.pk: cw for cw in case.case_workers.all()}
    for pk, (claimed, agreed) in amounts.items():
        cw = links[pk]
        cw.amount_claimed, cw.amount_agreed = claimed, agreed
        cw.save(update_fields=["amount_claimed", "amount_agreed"])
    record(Action.CASE_EDITED, by=by, case=case, details={"fields": ["amounts"]})
    return case


@transaction.atomic
def record_payment(
    *,
    case: WageDispute,
    by,
    worker: Worker,
    paid_on: datetime.date,
    amount: Decimal,
    method: str,
    reference: str = "",
) -> Payment:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    if case.state not in PAYMENT_STATES:
        raise TransitionNotAllowed(
            _("Payments are recorded while mediating, after an agreement or after a referral.")
        )
    if not case.case_workers.filter(worker=worker).exists():
        raise ValidationError(_("That worker is not on this case."))
    payment = Payment.objects.create(
        dispute=case,
        worker=worker,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=reference,
        entered_by=by,
    )
    record(
        Action.PAYMENT,
        by=by,
        case=case,
        obj=payment,
        details={"amount": str(amount), "worker": worker.pk},
    )
    return payment


@transaction.atomic
def void_payment(*, payment: Payment, by, reason: str) -> Payment:
    """Void a mistaken or reversed payment. If the case was marked performed and
    is now short of the agreed amount, it goes back to awaiting payment."""
    case = lock_case(payment.dispute)
    _require_worker_on_case(case, by)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_void:
        raise ValidationError(_("This payment was already voided."))
    if case.state not in VOID_STATES:
        raise TransitionNotAllowed(_("Payments can be voided only while the case is open."))
    if not reason.strip():
        raise ValidationError(_("Write why the payment is voided."))
    payment.voided_at, payment.voided_by, payment.void_reason = timezone.now(), by, reason
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        Action.PAYMENT_VOIDED,
        by=by,
        case=case,
        obj=payment,
        note=reason,
        details={"amount": str(payment.amount)},
    )
    if case.state == State.PERFORMED and not case.fully_paid():
        case.payment_reversed()
        case.state_changed_at = timezone.now()
        case.refresh_clocks()
        case.save()
        record(
            Action.TRANSITION,
            by=by,
            case=case,
            source=State.PERFORMED,
            target=case.state,
            note=reason,
            details={"transition": "payment_reversed"},
        )
    return payment


@transaction.atomic
def record_limitation_event(*, case: WageDispute, by, **fields) -> LimitationEvent:
    case = lock_case(case)
    _require_worker_on_case(case, by)
    event = LimitationEvent.objects.create(dispute=case, recorded_by=by, **fields)
    case.refresh_clocks()
    case.save()
    record(Action.LIMITATION_EVENT, by=by, case=case, obj=event, details={"type": event.type})
    return event


def refresh_open_clocks() -> int:
    """Recompute every open wage dispute's clocks (after a holiday schedule changes)."""
    count = 0
    for pk in WageDispute.objects.open().values_list("pk", flat=True).iterator():
        with transaction.atomic():
            dispute = WageDispute.objects.select_for_update().get(pk=pk)
            dispute.refresh_clocks()
            dispute.save()
            count += 1
    return count
