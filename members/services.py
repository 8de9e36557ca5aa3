"""Every write of membership: each one atomic, locked where it counts, and audited.

- `submit_application` — what the public join page and the desk call;
- `approve_application`, `merge_application`, `decline_application` — the review;
- `join_at_desk` — a caseworker signs a person up on the spot;
- `import_roster` — a collective joining (集体入会) from a checked roster;
- `create_event` — a membership drive;
- `merge_workers` — two records of one person become one, cases and all.

A membership number is issued only when a member is made, under the row lock of
the office's counter for the year, in the transaction that makes the member: a
number is never skipped, and two caseworkers approving at once get two numbers.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Worker
from cases.services import register_worker
from casework.audit import Action, record
from casework.identity import validate_id_number, validate_phone
from casework.transitions import require_transition

from . import names
from .models import (
    CONSENT_TEXT_VERSION,
    ApplicationState,
    Member,
    MembershipApplication,
    MembershipCounter,
    MembershipEvent,
    Source,
    staff_offices,
)


class TrackingCodeTaken(Exception):
    """The tracking code is already used by another application: make another one.
    Nothing was saved."""


# Fields an application takes from a form (the public page's, the desk's, a roster row).
APPLICATION_FIELDS = {
    "name",
    "mobile",
    "id_number",
    "occupation",
    "employer",
    "district",
    "consent_purposes",
    "consent_contact",
    "consent_text_version",
}


def next_membership_number(office, year: int) -> tuple[str, int]:
    """The office's next gapless number for the year, e.g. ``003-2026-000017``; call
    inside the transaction that creates the member (the counter row stays locked)."""
    MembershipCounter.objects.bulk_create(
        [MembershipCounter(office=office, year=year, last=0)], ignore_conflicts=True
    )
    counter = MembershipCounter.objects.select_for_update().get(office=office, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{office.pk:03d}-{year}-{counter.last:06d}", counter.last


def _check_place(office, station, event) -> None:
    if station is not None and station.office_id != office.pk:
        raise ValidationError({"station": _("This station belongs to another office.")})
    if event is not None and event.office_id != office.pk:
        raise ValidationError({"event": _("This membership drive belongs to another office.")})


def _clean_person(fields: dict) -> dict:
    """Check what a person gave (the forms check too; this is the last word)."""
    errors = {}
    name = " ".join(str(fields.get("name", "")).split())
    if not name:
        errors["name"] = _("Enter the name.")
    try:
        mobile = validate_phone(str(fields.get("mobile", "")))
    except ValidationError as error:
        errors["mobile"] = error.messages
        mobile = ""
    try:
        id_number = validate_id_number(str(fields.get("id_number", "")))
    except ValidationError as error:
        errors["id_number"] = error.messages
        id_number = ""
    if not fields.get("occupation"):
        errors["occupation"] = _("Choose the occupation group.")
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name, "mobile": mobile, "id_number": id_number}


@transaction.atomic
def submit_application(
    *, office, source, station=None, event=None, tracking_code=None, **cleaned_fields
) -> MembershipApplication:
    """Store an application to join; it waits in the office's review queue.

    `cleaned_fields`: name, mobile, id_number, occupation, employer, district,
    consent_purposes (must be true), consent_contact, optionally
    consent_text_version (default: the current text) and `by` (the staff member
    recording it at the desk; none for the public page). The same person applying
    again is stored too (nothing a person sends is lost) and shown to the reviewer
    as a duplicate. Raises ValidationError, or TrackingCodeTaken.
    """
    by = cleaned_fields.pop("by", None)
    unknown = set(cleaned_fields) - APPLICATION_FIELDS
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    if not cleaned_fields.get("consent_purposes"):
        raise ValidationError(
            {"consent_purposes": _("Joining needs your consent to the purposes above.")}
        )
    fields = _clean_person(cleaned_fields)
    _check_place(office, station, event)
    now = timezone.now()
    application = MembershipApplication(
        office=office,
        name=fields["name"],
        name_pinyin=names.pinyin_key(fields["name"]),
        mobile=fields["mobile"],
        occupation=fields["occupation"],
        employer=fields.get("employer", "") or "",
        district=fields.get("district"),
        consent_purposes=True,
        consent_contact=bool(fields.get("consent_contact")),
        consent_text_version=fields.get("consent_text_version") or CONSENT_TEXT_VERSION,
        consent_at=now,
        source=source,
        station=station,
        event=event,
        tracking_code=tracking_code or None,
        submitted_at=now,
        submitted_by=by if by is not None and by.is_authenticated else None,
    )
    application.set_id_number(fields["id_number"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        if tracking_code and MembershipApplication.objects.filter(tracking_code=tracking_code):
            raise TrackingCodeTaken(tracking_code) from None
        raise
    record(
        Action.MEMBERSHIP_APPLIED,
        by=by,
        obj=application,
        office=office,
        target=application.state,
        details={"source": source, "event": getattr(event, "pk", None)},
    )
    return application


def _lock(application: MembershipApplication) -> MembershipApplication:
    return MembershipApplication.objects.select_for_update().get(pk=application.pk)


def issue_membership(
    *,
    worker: Worker,
    office,
    source: str,
    by,
    joined_on: datetime.date | None = None,
    station=None,
    event=None,
) -> Member:
    """Make the worker a member with the next number; inside the caller's transaction."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if Member.objects.filter(worker=worker).exists() or worker.is_member:
        raise ValidationError(
            _("%(name)s is already a union member (%(number)s).")
            % {"name": worker.name, "number": worker.membership_number or "—"}
        )
    joined_on = joined_on or timezone.localdate()
    number, sequence = next_membership_number(office, joined_on.year)
    member = Member.objects.create(
        worker=worker,
        office=office,
        number=number,
        year=joined_on.year,
        sequence=sequence,
        joined_on=joined_on,
        source=source,
        station=station,
        event=event,
        status_changed_on=joined_on,
        created_by=by,
    )
    # The worker's own fields are what the file, the card rules and the PDFs read.
    worker.is_member, worker.membership_number, worker.joined_on = True, number, joined_on
    worker.save(update_fields=["is_member", "membership_number", "joined_on"])
    record(
        Action.MEMBER_JOINED,
        by=by,
        obj=member,
        office=office,
        details={"number": number, "worker": worker.pk, "source": source},
    )
    return member


def _register_from(application: MembershipApplication, by) -> Worker:
    return register_worker(
        by=by,
        office=application.office,
        id_number=application.id_number(),
        name=application.name,
        phone=application.mobile,
        occupation=application.occupation,
        employer=application.employer,
        district=application.district,
        consent_scope=_("Consent given with the application to join the union (text %(v)s).")
        % {"v": application.consent_text_version},
    )


def _fill_in(worker: Worker, application: MembershipApplication) -> Worker:
    """Give a registered worker what the application knows and the file lacks."""
    changed = []
    if not worker.id_hash and application.id_hash:
        worker.set_id_number(application.id_number())
        changed += ["id_encrypted", "id_hash", "id_masked"]
    if not worker.phone and application.mobile:
        worker.phone = application.mobile
        changed.append("phone")
    if not worker.employer and application.employer:
        worker.employer = application.employer
        changed.append("employer")
    if worker.district_id is None and application.district_id:
        worker.district_id = application.district_id
        changed.append("district")
    if changed:
        worker.save(update_fields=changed)
    return worker


@transaction.atomic
def approve_application(*, application: MembershipApplication, by) -> Member:
    """Approve: the worker with the same ID number, or a newly registered one,
    becomes a member with the next number."""
    application = _lock(application)
    require_transition(application.approve, by)
    worker = Worker.objects.with_id_number(application.id_number()).first()
    if worker is None:
        worker = _register_from(application, by)
    elif worker.is_member:
        raise ValidationError(
            _(
                "%(name)s is already a union member (%(number)s): merge the application "
                "with that worker instead."
            )
            % {"name": worker.name, "number": worker.membership_number}
        )
    member = issue_membership(
        worker=worker,
        office=application.office,
        source=application.source,
        by=by,
        station=application.station,
        event=application.event,
    )
    source = application.state
    application.approve(by=by, at=timezone.now(), worker=worker, member=member)
    application.save()
    record(
        Action.MEMBERSHIP_APPROVED,
        by=by,
        obj=application,
        office=application.office,
        source=source,
        target=application.state,
        details={"member": member.number, "worker": worker.pk},
    )
    return member


@transaction.atomic
def merge_application(*, application: MembershipApplication, worker: Worker, by) -> Member:
    """The applicant is this registered worker: the worker's file gets what the
    application adds, and the membership (a new number, or the one the worker
    already holds). If another record holds the application's ID number, that
    record is merged into this one first, cases and all."""
    application = _lock(application)
    require_transition(application.merge, by)
    other = Worker.objects.with_id_number(application.id_number()).exclude(pk=worker.pk).first()
    if worker.id_hash and worker.id_hash != application.id_hash:
        raise ValidationError(
            _("This worker's ID number differs from the application's: they are two people.")
        )
    if other is not None:
        worker = merge_workers(keep=worker, drop=other, by=by)
    worker = _fill_in(Worker.objects.select_for_update().get(pk=worker.pk), application)
    member = Member.objects.filter(worker=worker).first()
    if member is None:
        member = issue_membership(
            worker=worker,
            office=application.office,
            source=application.source,
            by=by,
            station=application.station,
            event=application.event,
        )
    source = application.state
    application.merge(by=by, at=timezone.now(), worker=worker, member=member)
    application.save()
    record(
        Action.MEMBERSHIP_MERGED,
        by=by,
        obj=application,
        office=application.office,
        source=source,
        target=application.state,
        details={"member": member.number, "worker": worker.pk},
    )
    return member


@transaction.atomic
def decline_application(
    *, application: MembershipApplication, by, reason: str
) -> MembershipApplication:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for declining.")})
    application = _lock(application)
    require_transition(application.decline, by)
    source = application.state
    application.decline(by=by, at=timezone.now(), reason=reason)
    application.save()
    record(
        Action.MEMBERSHIP_DECLINED,
        by=by,
        obj=application,
        office=application.office,
        source=source,
        target=application.state,
        note=reason,
    )
    return application


@transaction.atomic
def join_at_desk(
    *, by, office, worker: Worker | None = None, station=None, event=None, **cleaned_fields
) -> Member:
    """A caseworker signs a person up at the desk: a registered worker (from the
    worker's page), or a new person from the desk form, recorded as an application
    and approved at once by the same caseworker."""
    _check_place(office, station, event)
    if worker is not None:
        return issue_membership(
            worker=worker, office=office, source=Source.DESK, by=by, station=station, event=event
        )
    application = submit_application(
        office=office,
        source=Source.EVENT if event else Source.DESK,
        station=station,
        event=event,
        by=by,
        **cleaned_fields,
    )
    return approve_application(application=application, by=by)


@transaction.atomic
def import_roster(*, by, event: MembershipEvent, rows) -> list[Member]:
    """Collective joining: every good row of a checked roster (`members.roster`)
    becomes a member, all or none. Each row is checked again here, under the locks."""
    members = []
    for row in rows:
        person = _clean_person(row)
        worker = Worker.objects.with_id_number(person["id_number"]).first()
        if worker is None:
            worker = register_worker(
                by=by,
                office=event.office,
                id_number=person["id_number"],
                name=person["name"],
                phone=person["mobile"],
                occupation=person["occupation"],
                employer=person.get("employer", ""),
                consent_scope=_("Consent given on the membership roster of %(event)s.")
                % {"event": event.name},
            )
        members.append(
            issue_membership(
                worker=worker,
                office=event.office,
                source=Source.ROSTER,
                by=by,
                joined_on=event.date,
                station=event.station,
                event=event,
            )
        )
    record(
        Action.ROSTER_IMPORTED,
        by=by,
        obj=event,
        office=event.office,
        details={"members": len(members)},
    )
    return members


@transaction.atomic
def create_event(*, by, office, name: str, date, place: str, station=None) -> MembershipEvent:
    _check_place(office, station, None)
    event = MembershipEvent.objects.create(
        office=office, name=name, date=date, place=place, station=station, created_by=by
    )
    record(Action.MEMBERSHIP_EVENT, by=by, obj=event, office=office, note=name)
    return event


@transaction.atomic
def merge_workers(*, keep: Worker, drop: Worker, by) -> Worker:
    """Two records of one person become `keep`: every case, link and application of
    `drop` moves to it, what `keep` lacks is copied over, and `drop` is removed.
    The audit entry keeps what `drop` was (name, masked ID, office, id)."""
    if keep.pk == drop.pk:
        return keep
    keep, drop = (
        Worker.objects.select_for_update().get(pk=keep.pk),
        Worker.objects.select_for_update().get(pk=drop.pk),
    )
    if keep.id_hash and drop.id_hash and keep.id_hash != drop.id_hash:
        raise ValidationError(_("The two records have different ID numbers: two people."))
    if hasattr(keep, "membership") and hasattr(drop, "membership"):
        raise ValidationError(_("Both records are members: they cannot be merged."))
    shared = set(keep.cases.values_list("pk", flat=True)) & set(
        drop.cases.values_list("pk", flat=True)
    )
    if shared:
        raise ValidationError(_("Both records are on the same case: they cannot be merged."))
    moved = {}
    for relation in Worker._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        manager = relation.related_model._base_manager
        count = manager.filter(**{relation.field.name: drop}).update(**{relation.field.name: keep})
        if count:
            moved[relation.related_model._meta.label] = count
    taken = {}
    if not keep.id_hash and drop.id_hash:
        taken = {f: getattr(drop, f) for f in ("id_encrypted", "id_hash", "id_masked")}
    for field in ("phone", "employer", "district_id", "consent_scope", "consent_at"):
        if not getattr(keep, field) and getattr(drop, field):
            taken[field] = getattr(drop, field)
    if drop.is_member and not keep.is_member:
        taken.update(
            is_member=True, membership_number=drop.membership_number, joined_on=drop.joined_on
        )
    gone = {
        "worker": drop.pk,
        "name": drop.name,
        "id_masked": drop.id_masked,
        "office": drop.office_id,
        "moved": moved,
    }
    drop.delete()  # before `keep` takes its ID hash, which is unique
    for field, value in taken.items():
        setattr(keep, field, value)
    if taken:
        keep.save(update_fields=[f for f in taken])
    record(Action.WORKERS_MERGED, by=by, obj=keep, office=keep.office_id, details=gone)
    return keep


@transaction.atomic
def change_member_status(*, member: Member, by, status: str, on=None) -> Member:
    """Mark a member transferred out or left, from the date given."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    transition = {"transferred": member.transfer, "left": member.leave}.get(status)
    if transition is None or member.office_id not in staff_offices(by):
        raise ValidationError(_("This membership status cannot be set."))
    source = member.status
    transition()
    member.status_changed_on = on or timezone.localdate()
    member.save()
    member.worker.is_member = False
    member.worker.save(update_fields=["is_member"])
    record(
        Action.MEMBER_STATUS,
        by=by,
        obj=member,
        office=member.office_id,
        source=source,
        target=member.status,
    )
    return member


__all__ = [
    "ApplicationState",
    "TrackingCodeTaken",
    "approve_application",
    "create_event",
    "decline_application",
    "import_roster",
    "issue_membership",
    "join_at_desk",
    "merge_application",
    "merge_workers",
    "next_membership_number",
    "submit_application",
]
