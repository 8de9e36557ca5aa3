"""Staff pages of membership: the review queue, one application beside the workers it
may be, joining at the desk, membership drives and their roster import.

Who: caseworkers and supervisors, for the offices they work for
(`members.models.staff_offices`); an application or drive of another office
answers 404, a role without membership work 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import TransitionNotAllowed

from cases.models import Worker
from cases.views import WORKER_SECTIONS, get_worker_for, require_staff
from casework.models import Office
from casework.transitions import ConditionsNotMet

from . import duplicates, forms, roster, services
from .models import ApplicationState, Member, MembershipApplication, MembershipEvent, Source
from .models import staff_offices as offices_of

ROSTER_SESSION_KEY = "members_roster"


def _offices(user) -> set[int]:
    require_staff(user)
    return offices_of(user)


def _refusal(request, error) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    elif isinstance(error, TransitionNotAllowed):
        messages.error(request, _("This application has already been decided."))
    else:
        messages.error(request, str(error))


# --- the review queue ----------------------------------------------------------------------


def review_queue(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user)
    state = request.GET.get("state", ApplicationState.PENDING)
    if state not in ApplicationState.values:
        state = ApplicationState.PENDING
    applications = (
        MembershipApplication.objects.filter(office_id__in=offices, state=state)
        .select_related("office", "event", "station", "member")
        .annotate(
            known_id=Exists(Worker.objects.filter(id_hash=OuterRef("id_hash"))),
        )
        .order_by("submitted_at", "pk")
    )
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/queue.html",
        {
            "page": page,
            "state": state,
            "states": ApplicationState.choices,
            "query": f"state={state}",
        },
    )


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offices = _offices(request.user)
    application = get_object_or_404(
        MembershipApplication.objects.filter(office_id__in=offices).select_related(
            "office", "event", "station", "district", "decided_by", "member", "worker"
        ),
        pk=pk,
    )
    found = duplicates.candidates(application, offices) if application.is_pending else []
    return render(
        request,
        "members/application.html",
        {
            "application": application,
            "candidates": found,
            "strong": any(c.strong for c in found),
            "earlier": duplicates.earlier_applications(application).select_related("member"),
            "decline_form": forms.DeclineForm(),
        },
    )


def _pending(request, pk) -> MembershipApplication:
    return get_object_or_404(
        MembershipApplication.objects.filter(office_id__in=_offices(request.user)), pk=pk
    )


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _pending(request, pk)
    try:
        member = services.approve_application(application=application, by=request.user)
    except (ValidationError, TransitionNotAllowed, PermissionDenied, ConditionsNotMet) as error:
        _refusal(request, error)
        return redirect("members:application", pk=pk)
    messages.success(
        request,
        _("Approved: %(name)s is a member, number %(number)s.")
        % {"name": member.worker.name, "number": member.number},
    )
    return redirect("members:queue")


@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    application = _pending(request, pk)
    worker_pk = request.POST.get("worker", "")
    worker = get_worker_for(request.user, int(worker_pk) if worker_pk.isdigit() else 0)
    try:
        member = services.merge_application(application=application, worker=worker, by=request.user)
    except (ValidationError, TransitionNotAllowed, PermissionDenied, ConditionsNotMet) as error:
        _refusal(request, error)
        return redirect("members:application", pk=pk)
    messages.success(
        request,
        _("Merged with %(name)s's file; membership number %(number)s.")
        % {"name": member.worker.name, "number": member.number},
    )
    return redirect("members:queue")


@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    application = _pending(request, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for declining."))
        return redirect("members:application", pk=pk)
    try:
        services.decline_application(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, TransitionNotAllowed, PermissionDenied, ConditionsNotMet) as error:
        _refusal(request, error)
        return redirect("members:application", pk=pk)
    messages.success(request, _("Application declined."))
    return redirect("members:queue")


# --- joining at the desk ---------------------------------------------------------------------


def join_desk(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user)
    worker = None
    if request.GET.get("worker", "").isdigit():
        worker = get_worker_for(request.user, int(request.GET["worker"]))
    office = Office.objects.get(pk=request.user.office_id)
    form = forms.ApplicationForm(request.POST or None) if worker is None else None
    if request.method == "POST" and (worker is not None or form.is_valid()):
        if office.pk not in offices:
            raise PermissionDenied
        try:
            if worker is not None:
                member = services.join_at_desk(by=request.user, office=office, worker=worker)
            else:
                member = services.join_at_desk(by=request.user, office=office, **form.cleaned_data)
        except ValidationError as error:
            if form is None:
                _refusal(request, error)
                return redirect("cases:worker", worker.pk)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s joined the union: membership number %(number)s.")
                % {"name": member.worker.name, "number": member.number},
            )
            return redirect("cases:worker", member.worker_id)
    return render(request, "members/join.html", {"form": form, "worker": worker, "office": office})


# --- membership drives ---------------------------------------------------------------------------


def event_list(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user)
    events = (
        MembershipEvent.objects.filter(office_id__in=offices)
        .select_related("office", "station")
        .annotate(
            signed_up=Count("applications", distinct=True), joined=Count("members", distinct=True)
        )
        .order_by("-date", "-pk")  # Meta.ordering does not reach a grouped query
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "members/events.html", {"page": page, "query": ""})


def event_new(request: HttpRequest) -> HttpResponse:
    offices = Office.objects.filter(pk__in=_offices(request.user))
    form = forms.EventForm(
        request.POST or None, offices=offices, initial={"office": request.user.office_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Membership drive recorded."))
            return redirect("members:event", pk=event.pk)
    return render(request, "members/event_new.html", {"form": form})


def _event(request, pk) -> MembershipEvent:
    return get_object_or_404(
        MembershipEvent.objects.filter(office_id__in=_offices(request.user)).select_related(
            "office", "station", "created_by"
        ),
        pk=pk,
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    counts = {
        "signed_up": event.applications.count(),
        "pending": event.applications.filter(state=ApplicationState.PENDING).count(),
        "joined": Member.objects.filter(event=event).count(),
    }
    recent = Member.objects.filter(event=event).select_related("worker").order_by("-pk")[:20]
    return render(
        request,
        "members/event.html",
        {"event": event, "counts": counts, "recent": recent, "roster_form": forms.RosterForm()},
    )


def roster_template(request: HttpRequest) -> HttpResponse:
    _offices(request.user)
    response = HttpResponse(
        roster.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="membership-roster.xlsx"'
    return response


def roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = forms.RosterForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = roster.read_roster(form.cleaned_data["file"].read())
        except ValidationError as error:
            form.add_error("file", error)
        else:
            # Only the good rows wait for the confirm, in the server-side session.
            request.session[ROSTER_SESSION_KEY] = {
                "event": event.pk,
                "rows": [r.values for r in rows if r.ok],
            }
    good = [r for r in rows or [] if r.ok]
    return render(
        request,
        "members/roster.html",
        {"event": event, "form": form, "rows": rows, "good": len(good)},
    )


@require_POST
def roster_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    held = request.session.get(ROSTER_SESSION_KEY) or {}
    if held.get("event") != event.pk or not held.get("rows"):
        messages.error(request, _("Upload the roster again: nothing is waiting to be saved."))
        return redirect("members:roster", pk=pk)
    try:
        members = services.import_roster(by=request.user, event=event, rows=held["rows"])
    except ValidationError as error:
        _refusal(request, error)
        messages.error(request, _("Nothing was saved; upload the roster again."))
        return redirect("members:roster", pk=pk)
    finally:
        request.session.pop(ROSTER_SESSION_KEY, None)
    messages.success(
        request, _("%(count)d people joined the union from the roster.") % {"count": len(members)}
    )
    return redirect("members:event", pk=pk)


# --- the worker's page ---------------------------------------------------------------------------


def worker_section(worker: Worker, user, visible: set[int]) -> dict:
    member = Member.objects.filter(worker=worker).select_related("event", "station").first()
    staff = user.is_caseworker or user.is_supervisor
    return {
        "template": "members/_worker.html",
        "member": member,
        "can_join": staff and member is None and not worker.is_member,
        "source_labels": dict(Source.choices),
    }


WORKER_SECTIONS.append(worker_section)
