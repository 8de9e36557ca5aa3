"""Hardship aid and medical card pages: new applications, the approval queue,
and each kind's part of the shared case page (registered in cases.views.PAGES)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.models import Case, Kind, State, Worker, supervises
from cases.views import (
    PAGES,
    WORKER_SECTIONS,
    KindPage,
    RecordAction,
    get_case_for,
    get_worker_for,
    intake_offices,
    require_staff,
)
from casework import reference
from casework.models import Office

from . import forms, services
from .models import AidApplication, Approval, CardApplication

# --- the case page -----------------------------------------------------------------------


def aid_context(case: AidApplication, user) -> dict:
    approvals = case.approvals.select_related("approver")
    needed = case.approvals_needed() if case.recommended_amount else None
    return {
        "approvals": approvals,
        "current_approvals": [a for a in approvals if a.round == case.approval_round],
        "approvals_needed": needed,
        "aid_in_12_months": case.aid_in_12_months(),
        "category_differs": bool(
            case.recommended_category and case.recommended_category != case.computed_category
        ),
        "own_recommendation": case.state == State.RECOMMENDED
        and case.recommended_by_id == user.pk
        and supervises(case, user),
    }


def card_context(case: CardApplication, user) -> dict:
    return {"family": case.family_members.select_related("consent_recorded_by")}


AID_RECORDS = {
    "assessment": RecordAction(
        gettext_lazy("Home visit and household"),
        lambda case, data=None, files=None: forms.AssessmentForm.for_case(case, data),
        lambda request, case, form: services.save_assessment(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Assessment saved; the category was computed."),
        states=(State.ASSESSMENT,),
        button=gettext_lazy("Save the assessment"),
    ),
}

CARD_RECORDS = {
    "family": RecordAction(
        gettext_lazy("Add a family member"),
        lambda case, data=None, files=None: forms.FamilyRecordForm(data),
        lambda request, case, form: services.add_family_member(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Family member added."),
        states=(State.SUBMITTED, State.VERIFIED),
    ),
}


def worker_section(worker: Worker, user, visible: set[int]) -> dict:
    """Aid received in the last 12 months and the current card, on the worker's page.
    Only cases the user may read count, and the card's number shows only from one of
    them: of others' cases the page shows number, kind, state and assignee."""
    today = timezone.localdate()
    card = services.current_card(worker, today)
    staff = user.is_caseworker or user.is_supervisor
    return {
        "template": "assistance/_worker.html",
        "aid_received": services.aid_received(worker, today, among=visible),
        "card": card,
        "card_visible": card is not None and card.pk in visible,
        "card_expires_soon": card is not None and card.expires_soon,
        "can_apply_aid": staff,
        "can_apply_card": staff and worker.is_member and (card is None or card.expires_soon),
    }


WORKER_SECTIONS.append(worker_section)

PAGES[Kind.HARDSHIP_AID] = KindPage(
    "assistance/_aid.html", aid_context, AID_RECORDS, forms.AID_TRANSITION_FORMS
)
PAGES[Kind.MEDICAL_CARD] = KindPage(
    "assistance/_card.html", card_context, CARD_RECORDS, forms.CARD_TRANSITION_FORMS
)


# --- new applications ---------------------------------------------------------------------


def _worker_for_application(request) -> Worker:
    require_staff(request.user)
    pk = request.GET.get("worker", "")
    return get_worker_for(request.user, int(pk) if pk.isdigit() else 0)


def aid_new(request: HttpRequest) -> HttpResponse:
    worker = _worker_for_application(request)
    offices = intake_offices(request.user)
    form = forms.AidApplicationForm(
        request.POST or None, offices=offices, initial={"office": request.user.office_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.open_aid_application(
                by=request.user,
                worker=worker,
                circumstances=form.cleaned_data["circumstances"],
                **form.intake_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Application recorded as %(number)s; it is in the intake queue.")
                % {"number": application.number},
            )
            return redirect(application)
    return render(
        request,
        "assistance/aid_new.html",
        {"form": form, "worker": worker},
        status=400 if form.errors else 200,
    )


def card_new(request: HttpRequest) -> HttpResponse:
    worker = _worker_for_application(request)
    offices = intake_offices(request.user)
    form = forms.OfficeChoiceForm(
        request.POST or None, offices=offices, initial={"office": request.user.office_id}
    )
    family = forms.FamilyFormSet(request.POST or None, prefix="family")
    renewing = services.current_card(worker)
    if request.method == "POST" and form.is_valid() and family.is_valid():
        members = [f.cleaned_data for f in family if f.cleaned_data]
        try:
            application = services.open_card_application(
                by=request.user, worker=worker, family=members, **form.intake_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Application recorded as %(number)s; it is in the intake queue.")
                % {"number": application.number},
            )
            return redirect(application)
    return render(
        request,
        "assistance/card_new.html",
        {"form": form, "family": family, "worker": worker, "renewing": renewing},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def aid_from_dispute(request: HttpRequest, number: str, worker: int) -> HttpResponse:
    """One click from a wage dispute closed with nothing recovered."""
    dispute = get_case_for(request.user, number)
    if not (
        dispute.kind == Kind.WAGE_DISPUTE
        and dispute.is_finished
        and dispute.totals()["recovered"] == 0
    ):
        raise PermissionDenied(
            _("One-click aid is offered from a finished wage dispute that recovered nothing.")
        )
    person = get_object_or_404(dispute.workers, pk=worker)
    try:
        application = services.open_aid_application(
            by=request.user,
            office=dispute.office,
            worker=person,
            circumstances=_(
                "Wage dispute %(number)s was closed with nothing recovered (%(outcome)s)."
            )
            % {"number": dispute.number, "outcome": dispute.get_outcome_display()},
            source_case=dispute,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])  # keeps its link to the open application
        return redirect(dispute)
    messages.success(
        request,
        _("Hardship aid application %(number)s opened for %(name)s.")
        % {"number": application.number, "name": person.name},
    )
    return redirect(application)


# --- the approval queue ----------------------------------------------------------------------


APPROVALS_PER_PAGE = 50


def awaiting_approval(user, kind: str | None = None, office: str | None = None) -> QuerySet:
    """The cases waiting for a supervisor's decision that the user sees, oldest first;
    of one kind (hardship aid, medical card) and one office (its id), if given."""
    waiting = Case.objects.visible_to(user).filter(
        Q(kind=Kind.HARDSHIP_AID, state=State.RECOMMENDED)
        | Q(kind=Kind.MEDICAL_CARD, state=State.VERIFIED)
    )
    if kind in (Kind.HARDSHIP_AID, Kind.MEDICAL_CARD):
        waiting = waiting.filter(kind=kind)
    if office and office.isdecimal():
        waiting = waiting.filter(office_id=int(office))
    return waiting.order_by("state_changed_at", "pk")


def approvals(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_supervisor:
        raise PermissionDenied(_("The approval queue is for supervisors."))
    kind = request.GET.get("kind")
    office = request.GET.get("office")
    # The page's keys first, oldest first from the queue's own index
    # (case_awaiting_approval); then only those rows with their related objects and
    # whether this supervisor approved them. Joined and annotated before the sort,
    # every waiting case was (60 ms for 3,000 waiting at 1M cases).
    keys = awaiting_approval(user, kind, office).values_list("pk", flat=True)
    page = Paginator(keys, APPROVALS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = (
        Case.objects.filter(pk__in=list(page.object_list))
        .select_related("office", "assignee", "applicant", "aidapplication")
        .annotate(
            i_approved=Exists(
                Approval.objects.filter(
                    application=OuterRef("pk"),
                    approver=user,
                    round=OuterRef("aidapplication__approval_round"),
                )
            )
        )
        .order_by("state_changed_at", "pk")
    )
    now = timezone.now()
    rows = [
        {
            "case": case,
            "waited": (now - case.state_changed_at).days,
            # Waiting for another supervisor than this one (four eyes, second approval).
            "for_another": case.i_approved
            or (
                case.kind == Kind.HARDSHIP_AID and case.aidapplication.recommended_by_id == user.pk
            ),
            "amount": getattr(getattr(case, "aidapplication", None), "recommended_amount", None)
            if case.kind == Kind.HARDSHIP_AID
            else None,
        }
        for case in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/approvals.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "kind": kind or "",
            "office": office or "",
            "offices": Office.objects.filter(pk__in=user.supervised_office_ids),
            "kinds": [
                (Kind.HARDSHIP_AID, Kind.HARDSHIP_AID.label),
                (Kind.MEDICAL_CARD, Kind.MEDICAL_CARD.label),
            ],
            "threshold": reference.current(reference.Key.APPROVAL_THRESHOLD),
        },
    )
