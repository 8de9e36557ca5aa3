"""Public pages (no login: a station's and a drive's entry pages, asking for help,
joining, the status page) and the staff's online-request queue.

Public: every post is counted per address, a valid one per mobile, and refused with a
message on the page (what was typed is kept; nothing stored before is touched).
Staff: caseworkers and supervisors of the request's office; another office's request
answers 404, a role without intake work (auditors, administrators) 403.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from assistance import forms as assistance_forms
from assistance import services as assistance_services
from cases import forms as case_forms
from cases import services as case_services
from cases.models import Channel, Worker
from cases.views import intake_offices, require_staff
from casework.middleware import client_ip
from casework.models import Station
from casework.transitions import ConditionsNotMet
from members.forms import DeclineForm
from members.models import MembershipApplication, MembershipEvent, Source, staff_offices

from . import codes, forms, limits, services
from .models import OnlineRequest, RequestKind, RequestState

DONE_KEY = "public_done"
PUBLIC_METHODS = ["GET", "HEAD", "POST"]


# --- the public side: refusals --------------------------------------------------------


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.PUBLIC_MAX_REQUEST_BYTES


def _refusal(request) -> tuple[str, int] | None:
    """Why this post is refused before its form is read (message, status), or None."""
    if _too_big(request):
        return _("This form is too large to send. Please shorten your answers."), 413
    if not limits.post_from(client_ip(request)):
        return (
            _(
                "Too many forms were sent from this network in the last hour. Please try "
                "again later, or call the union office."
            ),
            429,
        )
    return None


def _fresh(form):
    """The form as shown again: what was typed kept, a newly signed time."""
    data = form.data.copy()
    data["issued"] = forms.issue()
    form.data = data
    return form


def _mobile_refusal() -> str:
    return _(
        "This mobile number has sent %(limit)d forms today, the most we take in a day. "
        "What you sent before is kept; please call the union office."
    ) % {"limit": settings.PUBLIC_LIMIT_PER_MOBILE}


def _done(request, code: str, what: str):
    request.session[DONE_KEY] = {"code": code, "what": what}
    return redirect("public:done")


def _guarded_form(request, form_class, **kwargs):
    """(form, refusal message, status) for a public form page. A refused post is shown
    again unchecked, with what was typed (a body too large is not shown again)."""
    if request.method != "POST":
        return form_class(initial={"issued": forms.issue()}, **kwargs), None, 200
    refused = _refusal(request)
    if refused:
        typed = request.POST.dict() if refused[1] != 413 else {}
        form = form_class(initial={**typed, "issued": forms.issue()}, **kwargs)
        return form, refused[0], refused[1]
    return form_class(request.POST, **kwargs), None, 200


def _help_page(request, *, office, station=None, event=None, back: str):
    form, refusal, status = _guarded_form(request, forms.HelpForm)
    if refusal is None and form.is_bound:
        if form.is_valid():
            fields = form.request_fields()
            if not limits.submission_for(fields["mobile"]):
                refusal, status = _mobile_refusal(), 429
            else:
                online = services.submit_request(
                    office=office, station=station, event=event, **fields
                )
                return _done(request, online.tracking_code, "help")
        else:
            status = 400
        _fresh(form)
    return render(
        request,
        "public/help.html",
        {"form": form, "refusal": refusal, "office": office, "station": station, "back": back},
        status=status,
    )


def _join_page(request, *, office, source, station=None, event=None, template, context):
    form, refusal, status = _guarded_form(request, forms.JoinForm)
    if refusal is None and form.is_bound:
        if form.is_valid():
            fields = form.application_fields()
            if not limits.submission_for(fields["mobile"]):
                refusal, status = _mobile_refusal(), 429
            else:
                try:
                    application = services.submit_join(
                        office=office, source=source, station=station, event=event, **fields
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                    status = 400
                else:
                    return _done(request, application.tracking_code, "join")
        else:
            status = 400
        _fresh(form)
    return render(
        request,
        template,
        {**context, "form": form, "refusal": refusal, "office": office},
        status=status,
    )


# --- the public side: pages -----------------------------------------------------------


class Missing(Exception):
    """No open station or drive behind this QR code."""


def _missing(request) -> HttpResponse:
    return render(request, "public/missing.html", status=404)


def public_page(view):
    """A public page whose station or drive may be gone: a page for the public, not
    the staff's 404."""

    @wraps(view)
    def page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Missing:
            return _missing(request)

    return page


def _station(pk: int) -> Station:
    station = Station.objects.active().select_related("office").filter(pk=pk).first()
    if station is None:
        raise Missing
    return station


@login_not_required
@public_page
@require_GET
def station(request: HttpRequest, pk: int) -> HttpResponse:
    place = _station(pk)
    return render(request, "public/station.html", {"station": place, "office": place.office})


@login_not_required
@public_page
@sensitive_post_parameters("mobile")
@require_http_methods(PUBLIC_METHODS)
def station_help(request: HttpRequest, pk: int) -> HttpResponse:
    place = _station(pk)
    return _help_page(
        request, office=place.office, station=place, back=reverse("public:station", args=[pk])
    )


@login_not_required
@public_page
@sensitive_post_parameters("mobile", "id_number")
@require_http_methods(PUBLIC_METHODS)
def station_join(request: HttpRequest, pk: int) -> HttpResponse:
    place = _station(pk)
    return _join_page(
        request,
        office=place.office,
        source=Source.STATION,
        station=place,
        template="public/join.html",
        context={"station": place, "back": reverse("public:station", args=[pk])},
    )


def _event(public_id) -> MembershipEvent:
    drive = (
        MembershipEvent.objects.select_related("office", "station")
        .filter(public_id=public_id)
        .first()
    )
    if drive is None:
        raise Missing
    return drive


def signups(event: MembershipEvent) -> int:
    return MembershipApplication.objects.filter(event=event).count()


@login_not_required
@public_page
@sensitive_post_parameters("mobile", "id_number")
@require_http_methods(PUBLIC_METHODS)
def event(request: HttpRequest, public_id) -> HttpResponse:
    drive = _event(public_id)
    return _join_page(
        request,
        office=drive.office,
        source=Source.EVENT,
        station=drive.station,
        event=drive,
        template="public/event.html",
        context={"event": drive, "signups": signups(drive)},
    )


@login_not_required
@public_page
@never_cache
@require_GET
def event_count(request: HttpRequest, public_id) -> JsonResponse:
    """The drive's sign-ups so far, for its page to count live."""
    return JsonResponse({"signups": signups(_event(public_id))})


@login_not_required
@never_cache
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    shown = request.session.get(DONE_KEY)
    if not shown:
        return redirect("public:status")
    return render(
        request,
        "public/done.html",
        {"code": codes.display(shown["code"]), "what": shown["what"]},
    )


@login_not_required
@never_cache
@sensitive_post_parameters("code", "last_four")
@require_http_methods(PUBLIC_METHODS)
def status(request: HttpRequest) -> HttpResponse:
    form = forms.StatusForm(request.POST or None)
    found, refusal, code_status = None, None, 200
    if request.method == "POST":
        ip = client_ip(request)
        code = codes.parse(request.POST.get("code", ""))
        if _too_big(request):
            refusal, code_status = _("This form is too large to send."), 413
        elif limits.status_locked(ip, code):
            refusal, code_status = (
                _(
                    "Too many wrong answers. Please wait %(minutes)d minutes and try again, "
                    "or call the union office."
                )
                % {"minutes": settings.PUBLIC_STATUS_COOLOFF_MINUTES},
                429,
            )
        elif form.is_valid():
            found = services.stage_of(form.cleaned_data["code"], form.cleaned_data["last_four"])
            if found is None:
                limits.status_failed(ip, code)
                refusal, code_status = (
                    _("We found nothing for this code and these digits. Check both and try again."),
                    404,
                )
        else:
            limits.status_failed(ip, code)
            code_status = 400
    return render(
        request,
        "public/status.html",
        {"form": form, "found": found, "refusal": refusal},
        status=code_status,
    )


# --- the staff side -----------------------------------------------------------------------


def _offices(user) -> set[int]:
    require_staff(user)
    return staff_offices(user)


def _online(request, pk: int) -> OnlineRequest:
    return get_object_or_404(
        OnlineRequest.objects.filter(office_id__in=_offices(request.user)).select_related(
            "office", "station", "event", "case", "decided_by"
        ),
        pk=pk,
    )


def queue(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user)
    state = request.GET.get("state", RequestState.RECEIVED)
    if state not in RequestState.values:
        state = RequestState.RECEIVED
    rows = (
        OnlineRequest.objects.filter(office_id__in=offices, state=state)
        .select_related("office", "station", "case")
        .order_by("received_at", "pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "public/queue.html",
        {"page": page, "state": state, "states": RequestState.choices, "query": f"state={state}"},
    )


def _matches(online: OnlineRequest) -> list[Worker]:
    return list(Worker.objects.filter(phone=online.mobile).select_related("office")[:5])


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    online = _online(request, pk)
    return render(
        request,
        "public/request.html",
        {
            "online": online,
            "matches": _matches(online) if online.is_waiting else [],
            "decline_form": DeclineForm(),
        },
    )


def _decided(request, online: OnlineRequest):
    messages.error(
        request,
        _("This request was already decided by someone else: %(state)s.")
        % {"state": online.get_state_display()},
    )
    return redirect("public:request", pk=online.pk)


@sensitive_post_parameters("id_number", "phone")
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the person as a worker (the desk's worker form, prefilled)."""
    online = _online(request, pk)
    if not online.is_waiting:
        return _decided(request, online)
    initial = {
        "name": online.name,
        "phone": online.mobile,
        "occupation": online.occupation,
        "employer": online.employer,
    }
    form = case_forms.WorkerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("consent")
        try:
            worker = case_services.register_worker(
                by=request.user, office=online.office, id_number=data.pop("id_number"), **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": worker.name})
            return redirect(f"{reverse('public:open', args=[pk])}?worker={worker.pk}")
    return render(
        request,
        "public/register.html",
        {"online": online, "form": form},
        status=400 if form.errors else 200,
    )


def _worker(request, online: OnlineRequest) -> Worker:
    pk = request.GET.get("worker", "")
    if not pk.isdigit():
        raise Http404
    known = Worker.objects.known_to(request.user).filter(pk=pk)
    by_mobile = Worker.objects.filter(pk=pk, phone=online.mobile)
    worker = (known | by_mobile).distinct().first()
    if worker is None:
        raise Http404
    return worker


def _intake(request, online: OnlineRequest, worker: Worker):
    """The desk's intake form of the request's kind, prefilled with its answers:
    (form, family formset or None, the service call that opens the case)."""
    offices = intake_offices(request.user)
    data = request.POST if request.method == "POST" else None
    where = {"office": online.office, "channel": Channel.ONLINE, "station": online.station}
    if online.kind == RequestKind.WAGE:
        form = case_forms.IntakeForm(
            data,
            offices=offices,
            initial={
                **where,
                "received_at": timezone.localtime(online.received_at).strftime("%Y-%m-%dT%H:%M"),
                "matters": _("Unpaid wages: %(employer)s") % {"employer": online.employer or "—"},
                "reasons": online.description,
            },
        )
        claim = f"claim_{worker.pk}"
        form.fields[claim] = case_forms.AmountField(
            label=_("%(name)s: amount claimed") % {"name": worker.name},
            required=False,
            initial=online.amount_owed,
        )
        form.order_fields([claim])

        def open_case():
            fields = dict(form.cleaned_data)
            amount = fields.pop(claim)
            office, priority = fields.pop("office"), fields.pop("priority")
            return case_services.open_wage_dispute(
                by=request.user,
                office=office,
                claims=[(worker, amount)],
                priority=priority,
                **fields,
            )

        return form, None, open_case
    if online.kind == RequestKind.HARDSHIP:
        form = assistance_forms.AidApplicationForm(
            data, offices=offices, initial={**where, "circumstances": online.description}
        )

        def open_case():
            return assistance_services.open_aid_application(
                by=request.user,
                worker=worker,
                circumstances=form.cleaned_data["circumstances"],
                **form.intake_kwargs(),
            )

        return form, None, open_case
    form = assistance_forms.OfficeChoiceForm(data, offices=offices, initial=where)
    family = assistance_forms.FamilyFormSet(data, prefix="family")

    def open_case():
        members = [f.cleaned_data for f in family if f.cleaned_data]
        return assistance_services.open_card_application(
            by=request.user, worker=worker, family=members, **form.intake_kwargs()
        )

    return form, family, open_case


@sensitive_post_parameters("id_number")
def open_as_case(request: HttpRequest, pk: int) -> HttpResponse:
    online = _online(request, pk)
    if not online.is_waiting:
        return _decided(request, online)
    worker = _worker(request, online)
    form, family, open_case = _intake(request, online, worker)
    if request.method == "POST" and form.is_valid() and (family is None or family.is_valid()):
        try:
            case = services.open_request(online=online, by=request.user, open_case=open_case)
        except services.AlreadyDecided as error:
            return _decided(request, error.online)
        except (ValidationError, ConditionsNotMet) as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Opened as %(number)s; it is in the intake queue.") % {"number": case.number},
            )
            return redirect(case)
    return render(
        request,
        "public/open.html",
        {"online": online, "worker": worker, "form": form, "family": family},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    online = _online(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for declining."))
        return redirect("public:request", pk=pk)
    try:
        services.decline_request(online=online, by=request.user, reason=form.cleaned_data["reason"])
    except services.AlreadyDecided as error:
        return _decided(request, error.online)
    except (PermissionDenied, TransitionNotAllowed) as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("The request is declined."))
    return redirect("public:queue")
