"""Every write of the public pages and of the online-request queue: atomic, audited.

- `submit_request` — the help form (求助) stores an online request with a code;
- `submit_join` — the join form (入会申请) through `members.services.submit_application`;
- `open_request` — a caseworker opens a request as a case through the desk's intake
  service, in the same transaction that marks the request opened;
- `decline_request` — a caseworker declines it with a reason;
- `stage_of` — what the status page shows for a code and a mobile's last four digits.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cases.models import FINISHED_STATES, Case
from casework.audit import Action, record
from casework.models import Office
from casework.transitions import require_transition
from members import services as members_services
from members.models import ApplicationState, MembershipApplication

from . import codes
from .models import CONSENT_TEXT_VERSION, OnlineRequest, RequestState

ATTEMPTS = 8


def _taken(code: str) -> bool:
    return (
        OnlineRequest.objects.filter(tracking_code=code).exists()
        or MembershipApplication.objects.filter(tracking_code=code).exists()
    )


def new_tracking_code() -> str:
    """A code used by no request and no application (the status page reads both)."""
    for _attempt in range(ATTEMPTS):
        code = codes.new_code()
        if not _taken(code):
            return code
    raise RuntimeError("no free tracking code")  # 10^12 codes: never in practice


@transaction.atomic
def submit_request(*, office: Office, station=None, event=None, **fields) -> OnlineRequest:
    """Store an online request (no case number: it gets one when it is opened as a case).
    `fields`: kind, name, mobile, occupation, employer, description, amount_owed,
    consent_contact — as `forms.RequestForm.request_fields()` gives them."""
    if station is not None and station.office_id != office.pk:
        raise ValidationError(_("This station belongs to another office."))
    for _attempt in range(ATTEMPTS):
        online = OnlineRequest(
            office=office,
            station=station,
            event=event,
            consent_text_version=CONSENT_TEXT_VERSION,
            tracking_code=new_tracking_code(),
            received_at=timezone.now(),
            **fields,
        )
        try:
            with transaction.atomic():
                online.save()
        except IntegrityError:
            # Another request took the same code a moment ago: draw another.
            if OnlineRequest.objects.filter(tracking_code=online.tracking_code).exists():
                continue
            raise
        record(
            Action.ONLINE_REQUEST,
            obj=online,
            office=office,
            target=online.state,
            details={
                "kind": online.kind,
                "station": getattr(station, "pk", None),
                "event": getattr(event, "pk", None),
            },
        )
        return online
    raise RuntimeError("no free tracking code")


def submit_join(*, office: Office, source: str, station=None, event=None, **cleaned):
    """An application to join from a public page, with a tracking code of its own."""
    for _attempt in range(ATTEMPTS):
        try:
            return members_services.submit_application(
                office=office,
                source=source,
                station=station,
                event=event,
                tracking_code=new_tracking_code(),
                **cleaned,
            )
        except members_services.TrackingCodeTaken:
            continue
    raise RuntimeError("no free tracking code")


def _lock(online: OnlineRequest) -> OnlineRequest:
    return OnlineRequest.objects.select_for_update().get(pk=online.pk)


class AlreadyDecided(Exception):
    """Someone else decided this request first; nothing was changed."""

    def __init__(self, online: OnlineRequest):
        super().__init__(online.get_state_display())
        self.online = online


def _require_waiting(online: OnlineRequest, by) -> None:
    if online.state != RequestState.RECEIVED:
        raise AlreadyDecided(online)
    require_transition(online.open, by)


@transaction.atomic
def open_request(*, online: OnlineRequest, by, open_case: Callable[[], Case]) -> Case:
    """Open the request as a case: `open_case` is the desk's own intake service,
    called with the request locked; the request is then marked opened with the case.
    A second caseworker racing gets AlreadyDecided and no second case."""
    online = _lock(online)
    _require_waiting(online, by)
    case = open_case()
    source = online.state
    online.open(by=by, at=timezone.now(), case=case)
    online.save()
    record(
        Action.ONLINE_REQUEST_OPENED,
        by=by,
        obj=online,
        case=case,
        office=online.office,
        source=source,
        target=online.state,
    )
    return case


@transaction.atomic
def decline_request(*, online: OnlineRequest, by, reason: str) -> OnlineRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for declining.")})
    online = _lock(online)
    if online.state != RequestState.RECEIVED:
        raise AlreadyDecided(online)
    require_transition(online.decline, by)
    source = online.state
    online.decline(by=by, at=timezone.now(), reason=reason)
    online.save()
    record(
        Action.ONLINE_REQUEST_DECLINED,
        by=by,
        obj=online,
        office=online.office,
        source=source,
        target=online.state,
        note=reason,
    )
    return online


# --- the status page ---------------------------------------------------------------


STAGES = {
    "received": pgettext_lazy("tracking stage", "Received"),
    "handling": pgettext_lazy("tracking stage", "Being handled"),
    "finished": pgettext_lazy("tracking stage", "Finished"),
}


@dataclass
class Stage:
    stage: str
    office: Office

    @property
    def label(self):
        return STAGES[self.stage]


def _stage_of_request(online: OnlineRequest) -> str:
    if online.state == RequestState.RECEIVED:
        return "received"
    if online.state == RequestState.DECLINED:
        return "finished"
    return "finished" if online.case.state in FINISHED_STATES else "handling"


def _stage_of_application(application: MembershipApplication) -> str:
    return "received" if application.state == ApplicationState.PENDING else "finished"


def stage_of(code: str, last_four: str) -> Stage | None:
    """The stage of the request or application with this code whose mobile ends in
    `last_four`; None for any wrong answer (the page does not say which was wrong)."""
    online = (
        OnlineRequest.objects.select_related("office", "case").filter(tracking_code=code).first()
    )
    if online is not None:
        if online.mobile.endswith(last_four):
            return Stage(_stage_of_request(online), online.office)
        return None
    application = (
        MembershipApplication.objects.select_related("office").filter(tracking_code=code).first()
    )
    if application is not None and application.mobile.endswith(last_four):
        return Stage(_stage_of_application(application), application.office)
    return None
