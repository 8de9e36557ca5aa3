"""Thin views: fetch and authorise, call a service, redirect with a message."""

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet, Sum, prefetch_related_objects
from django.forms import HiddenInput
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed, can_proceed

from casework import audit
from casework.models import Office, User
from casework.transitions import (
    ConditionsNotMet,
    is_user_transition,
    may_take,
    unmet_conditions,
)

from . import claims, documents, forms, search, services
from .filters import SORTS, CaseFilter
from .models import (
    FINISHED_STATES,
    Case,
    CaseWorker,
    ClaimItem,
    DisputeCounterparty,
    Document,
    Kind,
    Payment,
    State,
    WageDispute,
    Worker,
    caseworker_step,
    supervises,
)
from .models.core import is_prefetched, related_rows
from .models.wage import BEFORE_AGREEMENT, PAYMENT_STATES, VOID_STATES
from .pagination import EstimatedPaginator
from .timeline import timeline

PAGE_SIZE = 50


# --- access ----------------------------------------------------------------------


# The foreign keys every case page shows, read with the case.
CASE_FOREIGN_KEYS = ("office", "assignee", "station", "applicant")


def get_case_for(user, number: str) -> Case:
    """The case as its own kind, or 404 when the user may not see it at all."""
    case = get_object_or_404(Case.objects.visible_to(user).only("kind"), number=number)
    return case.specific(*CASE_FOREIGN_KEYS)


def require_staff(user) -> None:
    """Caseworkers and supervisors work with workers' files."""
    if not (user.is_caseworker or user.is_supervisor):
        raise PermissionDenied(_("Only caseworkers and supervisors can do this."))


def get_worker_for(user, pk: int) -> Worker:
    """A worker whose file the user may open, or 404."""
    return get_object_or_404(
        Worker.objects.known_to(user).select_related("district", "office"), pk=pk
    )


# --- the queue -----------------------------------------------------------------------


def queue_views(user) -> list[tuple[str, str]]:
    views = []
    if user.is_caseworker or user.is_supervisor:
        views += [("mine", _("My cases")), ("intake", _("Intake queue"))]
    if user.is_supervisor:
        views.append(("office", _("Office cases")))
    if user.is_caseworker or user.is_supervisor or user.is_auditor:
        # A caseworker's own finished cases; everyone else's as their role allows.
        views.append(("finished", _("Finished cases")))
    if user.is_caseworker or user.is_supervisor:
        # Open and finished together, as far as the role sees them: where the
        # figures page sends a reader to the cases a figure counts. (An auditor
        # sees finished cases only: the finished view is theirs.)
        views.append(("all", _("All cases")))
    return views


def queue_results(user, view: str, data) -> tuple[CaseFilter, QuerySet]:
    """A queue view's filter and its cases, filtered and sorted."""
    cases = Case.objects.visible_to(user)
    if view == "mine":
        cases = cases.open().filter(assignee=user)
    elif view == "intake":
        # A caseworker's own office; a supervisor's offices and those under them.
        cases = cases.open().filter(assignee__isnull=True)
    elif view == "office":
        cases = cases.open()
    elif view == "all":
        pass
    else:
        cases = cases.finished()
    filterset = CaseFilter(data, queryset=cases.for_list(), user=user)
    results = filterset.qs
    if not data.get("sort"):
        results = results.order_by(*SORTS["-finished" if view == "finished" else "-opened"])
    return filterset, results


@sensitive_post_parameters(search.TEXT)
@require_http_methods(["GET", "HEAD", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    views = queue_views(user)
    if not views:
        raise PermissionDenied(_("Your account has no role yet; ask an administrator."))
    if request.method == "POST":
        # The filter form posts, so a name, phone or ID searched for is in no URL.
        return search.results_redirect(request, search.posted_items(request))
    if typed := search.typed_into_url(request):
        return typed
    data = search.get_data(request)
    names = [name for name, _label in views]
    view = data.get("view") if data.get("view") in names else names[0]

    filterset, results = queue_results(user, view, data)
    page = EstimatedPaginator(results, PAGE_SIZE).get_page(data.get("page"))
    # The page and sort links carry the search's token, never its text.
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(search.TEXT, None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    return render(
        request,
        "cases/queue.html",
        {
            "view": view,
            "views": views,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "unsorted": unsorted.urlencode(),
            "sort": data.get("sort", ""),
            "active_filters": sum(
                1 for k, v in data.items() if v and k not in ("view", "page", "sort")
            ),
            "view_label": dict(views)[view],
        },
    )


# --- the case page ---------------------------------------------------------------------


@dataclass
class RecordAction:
    """A form on the case page that records something without changing state."""

    label: str
    form: Callable
    perform: Callable
    message: str
    states: tuple = ()
    button: str = ""  # the submit button's verb, when the label is not one
    listed: bool = True  # False: posted from a row of the page, not offered in the list

    @property
    def verb(self) -> str:
        return self.button or self.label

    def available(self, case, user) -> bool:
        return (
            caseworker_step(case, user)
            and not case.is_finished
            and (not self.states or case.state in self.states)
        )


COMMON_RECORDS = {
    "note": RecordAction(
        gettext_lazy("Add a note"),
        lambda case, data=None, files=None: forms.NoteForm(data),
        lambda request, case, form: services.add_note(
            case=case, by=request.user, body=form.cleaned_data["body"]
        ),
        gettext_lazy("Note added."),
    ),
    "contact": RecordAction(
        gettext_lazy("Record a contact"),
        lambda case, data=None, files=None: forms.ContactForm(data),
        lambda request, case, form: services.record_contact(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Contact recorded."),
    ),
    "document": RecordAction(
        gettext_lazy("Add a document"),
        lambda case, data=None, files=None: forms.DocumentForm(data, files),
        lambda request, case, form: services.add_document(
            case=case,
            by=request.user,
            upload=form.cleaned_data["upload"],
            content_type=form.content_type,
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
        ),
        gettext_lazy("Document added."),
    ),
}

WAGE_RECORDS = {
    "counterparty": RecordAction(
        gettext_lazy("Add a counterparty"),
        lambda case, data=None, files=None: forms.CounterpartyForm(data),
        lambda request, case, form: services.add_counterparty(
            case=case, by=request.user, **form.service_kwargs()
        ),
        gettext_lazy("Counterparty added."),
        states=BEFORE_AGREEMENT,
    ),
    "amounts": RecordAction(
        gettext_lazy("Amounts claimed and agreed"),
        lambda case, data=None, files=None: forms.AmountsForm(
            data,
            links=case.worker_links(),
            itemised=_itemised(case),
            initial={"expected_state": case.state},
        ),
        lambda request, case, form: services.set_amounts(
            case=case,
            by=request.user,
            amounts=form.amounts(),
            expected_state=form.cleaned_data["expected_state"],
        ),
        gettext_lazy("Amounts saved."),
        states=BEFORE_AGREEMENT,
        button=gettext_lazy("Save the amounts"),
    ),
    "claim_item": RecordAction(
        gettext_lazy("Add a claim item"),
        lambda case, data=None, files=None: forms.ClaimItemForm(
            data, dispute=case, workers=_by_name(case), initial={"expected_state": case.state}
        ),
        lambda request, case, form: claims.save_claim_item(
            case=case, by=request.user, **form.service_kwargs()
        ),
        gettext_lazy("Claim item saved."),
        states=claims.CLAIM_STATES,
        button=gettext_lazy("Save the claim item"),
    ),
    "claim_item_remove": RecordAction(
        gettext_lazy("Remove a claim item"),
        lambda case, data=None, files=None: forms.ClaimItemRemoveForm(data, dispute=case),
        lambda request, case, form: claims.remove_claim_item(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Claim item removed."),
        states=claims.CLAIM_STATES,
        listed=False,
    ),
    "evidence": RecordAction(
        gettext_lazy("Evidence to demand from the employer"),
        lambda case, data=None, files=None: forms.EvidenceForm(data),
        lambda request, case, form: claims.set_evidence(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Evidence checklist saved."),
        button=gettext_lazy("Save the evidence line"),
    ),
    "evidence_remove": RecordAction(
        gettext_lazy("Remove an evidence line"),
        lambda case, data=None, files=None: forms.EvidenceRemoveForm(data, dispute=case),
        lambda request, case, form: claims.remove_evidence(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Evidence line removed."),
        listed=False,
    ),
    "terms": RecordAction(
        gettext_lazy("Agreement terms"),
        lambda case, data=None, files=None: forms.AgreementTermsForm(
            data,
            initial={
                "expected_state": case.state,
                "agreement_result": case.agreement_result,
                "performance_deadline": case.performance_deadline,
                "performance_method": case.performance_method,
            },
        ),
        lambda request, case, form: services.update_dispute(
            case=case,
            by=request.user,
            **form.cleaned_data,
        ),
        gettext_lazy("Agreement terms saved."),
        states=(State.MEDIATING,),
        button=gettext_lazy("Save the agreement terms"),
    ),
    "session": RecordAction(
        gettext_lazy("Record a mediation session"),
        lambda case, data=None, files=None: forms.SessionForm(data),
        lambda request, case, form: services.record_session(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Mediation session recorded."),
        states=(State.MEDIATING,),
    ),
    "payment": RecordAction(
        gettext_lazy("Record a payment"),
        lambda case, data=None, files=None: forms.PaymentForm(
            data, dispute=case, workers=_by_name(case)
        ),
        lambda request, case, form: services.record_payment(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Payment recorded."),
        states=PAYMENT_STATES,
    ),
    "limitation": RecordAction(
        gettext_lazy("Record a limitation interruption"),
        lambda case, data=None, files=None: forms.LimitationEventForm(data),
        lambda request, case, form: services.record_limitation_event(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Recorded; the limitation date was recomputed."),
    ),
    "particulars": RecordAction(
        gettext_lazy("Correct the application"),
        lambda case, data=None, files=None: forms.ParticularsForm(data, instance=_copy(case)),
        lambda request, case, form: services.update_dispute(
            case=case, by=request.user, **form.cleaned_data
        ),
        gettext_lazy("Application updated."),
        button=gettext_lazy("Save the corrections"),
    ),
}


def _copy(case: WageDispute) -> WageDispute:
    # ModelForm validation writes into its instance; keep the case object clean.
    # (A copy has its own fields and related objects; the case was just read.)
    return copy.copy(case)


def _itemised(case: WageDispute) -> set[int]:
    """The workers whose claim is the sum of their claim items."""
    if is_prefetched(case, "claim_items"):
        return {item.worker_id for item in case.claim_items.all()}
    return set(case.claim_items.values_list("worker_id", flat=True))


def _by_name(case: WageDispute) -> list[Worker]:
    """The case's workers as the forms list them (`dispute.workers.all()`: by name)."""
    return sorted((cw.worker for cw in case.worker_links()), key=lambda w: w.name)


@dataclass
class TransitionAction:
    name: str
    label: str
    form: object
    unmet: list
    confirm: bool  # finishes the case: ask once
    refuses: bool = False  # finishes it without helping: shown apart


@dataclass
class KindPage:
    """What the case page shows and offers for one kind of case."""

    template: str  # the kind's own section of the case page
    context: Callable  # (case, user) -> dict for that section
    records: dict  # name -> RecordAction, beside the common ones
    transition_forms: dict  # transition name -> form class (default: forms.TransitionForm)
    # The relations the page reads from more than one place (sections, forms,
    # conditions, the timeline): read once, beside CASE_RELATIONS.
    relations: tuple = ()

    def records_for(self, case, user) -> dict:
        return {
            name: action
            for name, action in {**COMMON_RECORDS, **self.records}.items()
            if action.available(case, user)
        }

    def transition_form(self, name: str):
        return self.transition_forms.get(name, forms.TransitionForm)


# What a claim item's row shows beside the item (its worker, the rate it was judged by).
CLAIM_ITEM_FOREIGN_KEYS = ("worker", "worker__district", "minimum_wage", "minimum_wage__district")


def _claim_rows(case: WageDispute, editable: bool) -> list:
    """Each claim item, with the form that changes it when the user may."""
    items = related_rows(case, "claim_items", *CLAIM_ITEM_FOREIGN_KEYS)
    workers = [cw.worker for cw in case.worker_links()]
    rows = []
    for item in items:
        form = None
        if editable:
            form = forms.ClaimItemForm(
                dispute=case,
                workers=workers,
                initial={
                    "expected_state": case.state,
                    "item": item.pk,
                    "worker": item.worker_id,
                    "type": item.type,
                    "amount": item.amount,
                    "description": item.description,
                },
                auto_id=f"id_claim_{item.pk}_%s",
            )
        rows.append((item, form))
    return rows


def _evidence_rows(case: WageDispute, editable: bool) -> list:
    rows = []
    for item in case.evidence_items.select_related("updated_by"):
        form = None
        if editable:
            form = forms.EvidenceForm(
                initial={
                    "kind": item.kind,
                    "status": item.status,
                    "status_on": item.status_on,
                    "note": item.note,
                },
                auto_id=f"id_evidence_{item.pk}_%s",
            )
            form.fields["kind"].widget = HiddenInput()
        rows.append((item, form))
    return rows


def wage_context(case: WageDispute, user) -> dict:
    claims_ = case.claims()
    totals = case.totals(claims_)
    can_act = caseworker_step(case, user) and not case.is_finished
    return {
        "claims": [
            (cw, paid, max(agreed - paid, 0) if cw.amount_agreed is not None else None)
            for cw, agreed, paid in claims_
        ],
        "claim_rows": _claim_rows(case, can_act and case.state in claims.CLAIM_STATES),
        "claim_states": claims.CLAIM_STATES,
        "evidence_rows": _evidence_rows(case, can_act),
        "totals": totals,
        "counterparty_links": related_rows(case, "counterparty_links", "counterparty"),
        "payments": related_rows(case, "payments", "worker", "entered_by"),
        "void_states": VOID_STATES,
        "aid_applications": case.aid_applications.all(),
        "offer_aid": case.is_finished
        and totals["recovered"] == 0
        and (user.is_caseworker or user.is_supervisor)
        and caseworker_step(case, user),
    }


# What a wage dispute's page reads in several places, each once: the workers'
# claims (money table, claim items, forms, the agreement's conditions), the claim
# items, the counterparty chain (its list and conditions) and the payments (their
# list, the sums recovered, the timeline).
WAGE_RELATIONS = (
    Prefetch("case_workers", queryset=CaseWorker.objects.select_related("worker")),
    Prefetch("claim_items", queryset=ClaimItem.objects.select_related(*CLAIM_ITEM_FOREIGN_KEYS)),
    Prefetch(
        "counterparty_links", queryset=DisputeCounterparty.objects.select_related("counterparty")
    ),
    Prefetch(
        "payments", queryset=Payment.objects.select_related("worker", "entered_by", "voided_by")
    ),
)

# Each kind's page; the assistance app adds its kinds (assistance/views.py).
PAGES = {
    Kind.WAGE_DISPUTE: KindPage(
        "cases/_wage_dispute.html",
        wage_context,
        WAGE_RECORDS,
        forms.TRANSITION_FORMS,
        WAGE_RELATIONS,
    ),
}

# What every case page reads twice: its documents (their list and the timeline).
CASE_RELATIONS = (Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),)


def _with_ids(form, name: str):
    """Many forms share a page: give each its own element ids (not field names)."""
    form.auto_id = f"id_{name}_%s"
    return form


def transition_actions(case, user, bound: dict | None = None) -> list[TransitionAction]:
    page = PAGES[case.kind]
    actions = []
    for t in case.get_all_state_transitions():
        if t.source != case.state or t.custom.get("automatic"):
            continue
        method = getattr(case, t.name)
        if not may_take(method, user):
            continue
        form = (bound or {}).get(t.name) or page.transition_form(t.name)(
            initial={"expected_state": case.state}
        )
        _with_ids(form, t.name)
        actions.append(
            TransitionAction(
                t.name,
                t.custom.get("label", t.name),
                form,
                unmet_conditions(method),
                confirm=t.target in FINISHED_STATES,
                refuses=t.target in (State.DECLINED, State.WITHDRAWN, State.REJECTED),
            )
        )
    return actions


def render_case(request, case, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    page = PAGES[case.kind]
    # Read each relation once for every section, form and condition that shows it:
    # the page costs the same queries however many workers, items or payments.
    prefetch_related_objects([case], *CASE_RELATIONS, *page.relations)
    records = {
        name: (action, _with_ids(bound.get(name) or action.form(case), name))
        for name, action in page.records_for(case, user).items()
    }
    context = {
        "case": case,
        "kind_template": page.template,
        **page.context(case, user),
        "actions": transition_actions(case, user, bound),
        "records": records,
        "open_form": next(iter(bound), None),
        "timeline": timeline(case),
        "documents": related_rows(case, "documents", "uploaded_by"),
        "can_act": caseworker_step(case, user) and not case.is_finished,
        "can_take": case.assignee_id is None
        and not case.is_finished
        and ((user.is_caseworker and user.office_id == case.office_id) or supervises(case, user)),
        "assign_form": _with_ids(bound["assign"], "assign")
        if "assign" in bound
        else (
            _with_ids(
                forms.AssignForm(initial={"assignee": case.assignee_id}, staff=_assignable(user)),
                "assign",
            )
            if supervises(case, user) and not case.is_finished
            else None
        ),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _assignable(user):
    return (
        User.objects.filter(
            office_id__in=user.supervised_office_ids,
            is_active=True,
            groups__name__in=["caseworker", "supervisor"],
        )
        .distinct()
        .order_by("office_id", "full_name")
    )


def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_case(request, get_case_for(request.user, number))


def _changed(request, error: services.CaseChanged):
    messages.warning(request, str(error))
    return redirect(error.case)


@require_POST
def case_record(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    record = {**COMMON_RECORDS, **PAGES[case.kind].records}.get(action)
    if record is None:
        raise Http404
    if not caseworker_step(case, request.user):
        raise PermissionDenied(
            _("Only the assigned caseworker or a supervisor may change this case.")
        )
    if not record.available(case, request.user):
        messages.error(request, _("That cannot be recorded in the case's current state."))
        return redirect(case)
    form = record.form(case, request.POST, request.FILES)
    if not form.is_valid() and not record.listed:
        # Posted from a row that is gone (someone removed it a moment ago).
        messages.error(request, _("That line is no longer on the case; nothing was changed."))
        return redirect(case)
    if not form.is_valid():
        return render_case(request, case, bound={action: form}, status=400)
    try:
        record.perform(request, case, form)
    except services.CaseChanged as error:
        return _changed(request, error)
    except ValidationError as error:
        form.add_error(None, error)
        return render_case(request, case, bound={action: form}, status=400)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(case)
    messages.success(request, str(record.message))
    return redirect(case)


@require_POST
def case_transition(request: HttpRequest, number: str, name: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    method = getattr(case, name, None)
    if not is_user_transition(method):
        raise Http404
    if not caseworker_step(case, request.user):
        raise PermissionDenied(
            _("Only the assigned caseworker or a supervisor may change this case.")
        )
    form = PAGES[case.kind].transition_form(name)(request.POST)
    shown_state = request.POST.get("expected_state", "")
    if shown_state in State.values and shown_state != case.state:
        return _changed(request, services.CaseChanged(case, shown_state))
    if not can_proceed(method, check_conditions=False):
        messages.error(request, _("This step is not possible in the case's current state."))
        return redirect(case)
    if not may_take(method, request.user):
        raise PermissionDenied(_("Your role does not allow this step on this case."))
    if not form.is_valid():
        return render_case(request, case, bound={name: form}, status=400)
    try:
        case = form.perform(case=case, name=name, by=request.user)
    except services.CaseChanged as error:
        return _changed(request, error)
    except ConditionsNotMet as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(case)
    except ValidationError as error:
        form.add_service_error(error)
        return render_case(request, case, bound={name: form}, status=400)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(case)
    messages.success(
        request, _("Done: the case is now “%(state)s”.") % {"state": case.get_state_display()}
    )
    return redirect(case)


@require_POST
def case_take(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    try:
        services.take_case(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:queue")
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(case)
    messages.success(request, _("You have taken %(number)s.") % {"number": case.number})
    return redirect(case)


@require_POST
def case_assign(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    if not supervises(case, request.user):
        raise PermissionDenied(_("Only a supervisor of the case's office can assign it."))
    form = forms.AssignForm(request.POST, staff=_assignable(request.user))
    if not form.is_valid():
        return render_case(request, case, bound={"assign": form}, status=400)
    try:
        services.assign_case(
            case=case,
            to=form.cleaned_data["assignee"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        form.add_error("assignee", error)
        return render_case(request, case, bound={"assign": form}, status=400)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect(case)
    messages.success(request, _("Assignment saved."))
    return redirect(case)


@require_POST
def payment_void(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    case = get_case_for(request.user, number)
    payment = get_object_or_404(Payment, pk=pk, dispute=case)
    if not caseworker_step(case, request.user):
        raise PermissionDenied(_("Only the assigned caseworker or a supervisor may void payments."))
    form = forms.VoidPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the payment is voided."))
        return redirect(case)
    try:
        services.void_payment(payment=payment, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(case)
    messages.success(request, _("Payment voided; it no longer counts as recovered."))
    return redirect(case)


def document_download(request: HttpRequest, number: str, pk: int) -> FileResponse:
    case = get_case_for(request.user, number)
    document = get_object_or_404(case.documents, pk=pk)
    services.log_document_download(document=document, by=request.user)
    extension = document.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{case.number}-{document.pk}.{extension}",
        content_type=document.content_type,
    )


# --- opening a wage dispute -----------------------------------------------------------------


def _selected_workers(request) -> list[Worker]:
    ids = [i for i in request.GET.getlist("worker") + request.POST.getlist("worker") if i.isdigit()]
    workers = {w.pk: w for w in Worker.objects.filter(pk__in=ids)}
    return [workers[int(i)] for i in dict.fromkeys(ids) if int(i) in workers]


def intake_offices(user):
    if user.is_supervisor:
        return Office.objects.filter(pk__in=user.supervised_office_ids)
    return Office.objects.filter(pk=user.office_id)


@sensitive_post_parameters(search.TEXT)
def dispute_new(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    if request.method == "POST" and search.TEXT in request.POST:
        # The worker search posts: its results keep the chosen workers and a token.
        keep = [("worker", pk) for pk in request.POST.getlist("worker")]
        return search.results_redirect(request, keep)
    if typed := search.typed_into_url(request):
        return typed
    selected = _selected_workers(request)
    finder = forms.WorkerSearchForm(search.get_data(request))
    found = []
    if finder.is_valid() and finder.cleaned_data["q"]:
        found = [
            w for w in Worker.objects.search(finder.cleaned_data["q"])[:20] if w not in selected
        ]
    offices = intake_offices(request.user)
    claim_fields = {w.pk: f"claim_{w.pk}" for w in selected}
    form = forms.IntakeForm(
        request.POST or None, offices=offices, initial={"office": request.user.office_id}
    )
    for worker in selected:
        form.fields[claim_fields[worker.pk]] = forms.AmountField(
            label=_("%(name)s: amount claimed") % {"name": worker.name}, required=False
        )
    # Each worker's claim first, beside the workers it belongs to.
    form.order_fields(list(claim_fields.values()))
    if request.method == "POST" and form.is_valid():
        if not selected:
            form.add_error(None, _("Add at least one worker to the application."))
        else:
            data = dict(form.cleaned_data)
            claims = [(w, data.pop(claim_fields[w.pk])) for w in selected]
            office = data.pop("office")
            priority = data.pop("priority")
            dispute = services.open_wage_dispute(
                by=request.user, office=office, claims=claims, priority=priority, **data
            )
            messages.success(
                request,
                _("Application recorded as %(number)s; it is in the intake queue.")
                % {"number": dispute.number},
            )
            return redirect(dispute)
    return render(
        request,
        "cases/dispute_new.html",
        {
            "form": form,
            "selected": selected,
            "claim_fields": [form[claim_fields[w.pk]] for w in selected],
            "search": finder,
            "found": found,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- workers ------------------------------------------------------------------------------


@sensitive_post_parameters(search.TEXT)
@require_http_methods(["GET", "HEAD", "POST"])
def worker_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    if request.method == "POST":
        return search.results_redirect(request, [])
    if typed := search.typed_into_url(request):
        return typed
    finder = forms.WorkerSearchForm(search.get_data(request))
    workers = Worker.objects.none()
    if finder.is_valid() and finder.cleaned_data["q"]:
        workers = (
            Worker.objects.known_to(request.user)
            .search(finder.cleaned_data["q"])
            .select_related("office")[:50]
        )
    return render(request, "cases/worker_list.html", {"search": finder, "workers": workers})


# Error reports (Django's technical 500 e-mail) leave these posted fields out.
@sensitive_post_parameters("id_number", "phone")
def worker_new(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = forms.WorkerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("consent")
        try:
            worker = services.register_worker(
                by=request.user, office=request.user.office, id_number=data.pop("id_number"), **data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "cases/worker_form.html", {"form": form}, status=400)
        messages.success(request, _("%(name)s is registered.") % {"name": worker.name})
        if request.GET.get("next") == "intake":
            others = "".join(f"&worker={i}" for i in request.GET.getlist("worker"))
            return redirect(f"{reverse('cases:dispute_new')}?worker={worker.pk}{others}")
        return redirect("cases:worker", worker.pk)
    return render(
        request, "cases/worker_form.html", {"form": form}, status=400 if form.errors else 200
    )


@sensitive_post_parameters("id_number", "phone")
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    worker = get_worker_for(request.user, pk)
    form = forms.WorkerForm(request.POST or None, instance=Worker.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        id_number = data.pop("id_number") or None
        services.update_worker(worker=worker, by=request.user, id_number=id_number, **data)
        messages.success(request, _("Saved."))
        return redirect("cases:worker", worker.pk)
    return render(
        request,
        "cases/worker_form.html",
        {"form": form, "worker": worker},
        status=400 if form.errors else 200,
    )


# More sections of a worker's page from other apps: callables (worker, user, visible),
# `visible` being the pks of the worker's cases the user may read, returning a dict
# with a "template" and its context (assistance adds aid and cards).
WORKER_SECTIONS = []


def worker_detail(request: HttpRequest, pk: int, revealed: str = "") -> HttpResponse:
    worker = get_worker_for(request.user, pk)
    visible = set(
        Case.objects.visible_to(request.user).filter(workers=worker).values_list("pk", flat=True)
    )
    links = (
        CaseWorker.objects.filter(worker=worker)
        .select_related("case", "case__assignee", "case__office")
        .order_by("-case__opened_at")
    )
    if request.user.is_auditor and not (request.user.is_caseworker or request.user.is_supervisor):
        links = [cw for cw in links if cw.case.pk in visible]
    recovered = (
        Payment.objects.valid()
        .filter(worker=worker, dispute_id__in=visible)
        .aggregate(total=Sum("amount"))["total"]
    )
    return render(
        request,
        "cases/worker_detail.html",
        {
            "worker": worker,
            "links": links,
            "visible": visible,
            "recovered": recovered,
            "revealed": revealed,
            "can_edit": request.user.is_caseworker or request.user.is_supervisor,
            "can_reveal": request.user.has_perm("cases.reveal_id_number"),
            "sections": [section(worker, request.user, visible) for section in WORKER_SECTIONS],
        },
    )


@never_cache
@require_POST
def worker_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_worker_for(request.user, pk)
    number = services.reveal_id_number(worker=worker, by=request.user)
    return worker_detail(request, pk, revealed=number)


# --- printable documents (PDF) ---------------------------------------------------------------


@never_cache
@require_GET
@transaction.non_atomic_requests
def print_document(request: HttpRequest, number: str, document: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    printable = documents.PRINTABLES.get(document)
    if printable is None or case.kind not in printable.kinds:
        raise Http404
    refusal = printable.refusal(case)
    if refusal:
        messages.error(
            request,
            _("%(document)s cannot be printed yet. %(reasons)s")
            % {"document": printable.title, "reasons": " ".join(refusal)},
        )
        return redirect(case)
    details = {"document": document}
    if document == "case-file":
        pdf, details["sha256"] = documents.case_file(case)
    else:
        pdf = documents.render_document(case, document)
    # Logged once the document exists, outside any transaction: rendering holds no locks.
    audit.record(audit.Action.DOCUMENT_DOWNLOADED, by=request.user, case=case, details=details)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{case.number}-{document}.pdf"
    )
    return response
