"""Auditors' pages: exports of finished cases, and the audit log.

Only auditors open them, and only with GET (or HEAD), except the
POST that queues a ZIP of case files: the pages change nothing except that every
export is written to the audit log and that a queued ZIP is an export job. The
streamed exports answer GET alone: a HEAD would log an export that sends nothing.
"""

import datetime
import json

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from cases.models import FINISHED_STATES, Kind, Occupation, Outcome, State
from casework.audit import Action, record
from casework.forms import DayField, ListedModelChoiceField, ListedModelMultipleChoiceField
from casework.models import AuditEntry, District, Office, User
from casework.periods import start_of_day

from . import bundles, exports
from .models import ExportJob

PAGE_SIZE = 50
# The export jobs listed on the export page: the reader's own, newest first.
JOBS_SHOWN = 10
# While one of them is being built the page reloads itself this often (seconds).
REFRESH_SECONDS = 3
require_auditor = exports.require_exporter


def refuse_reversed_period(form: forms.Form, start: str, end: str) -> None:
    """An error next to the end of a period that ends before it starts."""
    data = form.cleaned_data
    if data.get(start) and data.get(end) and data[start] > data[end]:
        form.add_error(end, _("The end of the period is before its start."))


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- exports of finished cases -------------------------------------------------------------


class ExportForm(forms.Form):
    finished_from = DayField(label=gettext_lazy("finished from"), widget=_date_input())
    finished_to = DayField(label=gettext_lazy("finished until"), widget=_date_input())
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )
    outcomes = forms.MultipleChoiceField(
        label=gettext_lazy("outcomes"),
        choices=Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every outcome."),
    )
    offices = ListedModelMultipleChoiceField(
        label=gettext_lazy("offices"),
        queryset=Office.objects.order_by("parent_id", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every office."),
    )
    occupations = forms.MultipleChoiceField(
        label=gettext_lazy("occupation groups"),
        choices=Occupation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every occupation group."),
    )
    districts = ListedModelMultipleChoiceField(
        label=gettext_lazy("districts where workers live"),
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every district."),
    )

    @staticmethod
    def defaults() -> QueryDict:
        """This year so far."""
        today = timezone.localdate()
        data = QueryDict(mutable=True)
        data["finished_from"] = today.replace(month=1, day=1).isoformat()
        data["finished_to"] = today.isoformat()
        return data

    def clean(self):
        data = super().clean()
        refuse_reversed_period(self, "finished_from", "finished_to")
        return data

    def selection(self) -> exports.Selection:
        data = self.cleaned_data
        return exports.Selection(
            finished_from=data["finished_from"],
            finished_to=data["finished_to"],
            kinds=tuple(data["kinds"]),
            offices=tuple(o.pk for o in data["offices"]),
            outcomes=tuple(data["outcomes"]),
            occupations=tuple(data["occupations"]),
            districts=tuple(d.pk for d in data["districts"]),
        )


def _export_form(request) -> ExportForm:
    return ExportForm(request.GET if request.GET else ExportForm.defaults())


def _render_export_page(request, form, status=200):
    counts = form.selection().counts() if form.is_valid() else None
    query = form.data.urlencode() if form.is_valid() else ""
    jobs = list(ExportJob.objects.filter(requested_by=request.user)[:JOBS_SHOWN])
    building = any(j.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) for j in jobs)
    return render(
        request,
        "audit/export.html",
        {
            "form": form,
            "counts": counts,
            "query": query,
            "xlsx_max_rows": exports.XLSX_MAX_ROWS - 2,
            "jobs": jobs,
            "refresh": REFRESH_SECONDS if building else None,
        },
        status=status,
    )


@require_safe
def export_page(request: HttpRequest) -> HttpResponse:
    """Choose a period and filters; see how many finished cases match; download."""
    require_auditor(request.user)
    form = _export_form(request)
    return _render_export_page(request, form, status=200 if form.is_valid() else 400)


def _download(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _stream_export(request, selection, *, format, rows, chunks, produced, content_type):
    """Record the start, then stream the chunks; the finish is recorded after the last."""
    started = exports.start(
        by=request.user,
        what="finished_cases",
        format=format,
        filters=selection.describe(),
        count={"rows": rows},
    )
    response = StreamingHttpResponse(
        exports.audited(chunks, started, produced), content_type=content_type
    )
    return _download(response, selection.file_name(format))


@never_cache
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    require_auditor(request.user)
    form = _export_form(request)
    if not form.is_valid():
        return _render_export_page(request, form, status=400)
    selection = form.selection()
    produced = exports.Produced()
    return _stream_export(
        request,
        selection,
        format="csv",
        rows=selection.case_workers().count(),
        chunks=exports.case_csv(selection, produced),
        produced=produced,
        content_type="text/csv; charset=utf-8",
    )


@never_cache
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    require_auditor(request.user)
    form = _export_form(request)
    if not form.is_valid():
        return _render_export_page(request, form, status=400)
    selection = form.selection()
    rows = selection.case_workers().count()
    if rows > exports.XLSX_MAX_ROWS - 2:  # the header and the totals take two
        messages.error(
            request,
            _(
                "%(rows)s rows do not fit in one worksheet: choose a shorter period or "
                "download the CSV."
            )
            % {"rows": rows},
        )
        return redirect(f"{reverse('audit:export')}?{form.data.urlencode()}")
    produced = exports.Produced()
    return _stream_export(
        request,
        selection,
        format="xlsx",
        rows=rows,
        chunks=exports.case_xlsx(selection, produced),
        produced=produced,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- the case files as a ZIP, built in the background ----------------------------------------


@require_POST
def export_case_files(request: HttpRequest) -> HttpResponse:
    """Queue the ZIP of the case files of the selection (the filters are the page's
    query string); the task worker builds it, the export page shows its progress."""
    require_auditor(request.user)
    form = _export_form(request)
    if not form.is_valid():
        return _render_export_page(request, form, status=400)
    selection = form.selection()
    page = f"{reverse('audit:export')}?{form.data.urlencode()}"
    if not selection.cases().exists():
        messages.error(request, _("No finished cases match: there are no case files to gather."))
        return redirect(page)
    job = exports.queue_job(selection, format=ExportJob.Format.ZIP, by=request.user)
    transaction.on_commit(lambda: exports.build_export_job.enqueue(job.pk))
    messages.success(
        request,
        _("The case files are being gathered into a ZIP. This page shows when it is ready."),
    )
    return redirect(f"{page}#jobs")


@require_POST
def export_job_retry(request: HttpRequest) -> HttpResponse:
    """Try a failed ZIP of one's own again (logged); the page shows its progress."""
    require_auditor(request.user)
    try:
        exports.retry_job(int(request.POST.get("job", "")), by=request.user)
    except (ValueError, ExportJob.DoesNotExist):
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The ZIP is being built again. This page shows when it is ready.")
        )
    return redirect(f"{reverse('audit:export')}#jobs")


@never_cache
@require_safe
def export_job_download(request: HttpRequest) -> HttpResponse:
    """A finished export job's file, as an attachment, to whoever asked for it (or an
    administrator); the download is logged."""
    require_auditor(request.user)
    try:
        pk = int(request.GET.get("job", ""))
    except ValueError:
        raise Http404 from None
    jobs = ExportJob.objects.filter(status=ExportJob.Status.DONE, requested_by=request.user)
    job = get_object_or_404(jobs, pk=pk)
    if not job.file:
        raise Http404
    name = bundles.bundle_name(timezone.localdate(job.finished_at))
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
    if request.method == "GET":
        record(
            Action.DOCUMENT_DOWNLOADED,
            by=request.user,
            obj=job,
            office=request.user.office_id,
            details={
                "document": "case_files",
                "export_job": job.pk,
                "file": name,
                "bytes": job.size,
                "sha256": job.sha256,
            },
        )
    return response


# --- the audit log -------------------------------------------------------------------------


class StaffChoiceField(ListedModelChoiceField):
    """Staff listed as the audit log names them: full name and login name."""

    def label_from_instance(self, user):
        return f"{user.full_name} ({user.username})" if user.full_name else user.username


class StaffFilter(django_filters.ModelChoiceFilter):
    field_class = StaffChoiceField


class DayFilter(django_filters.DateFilter):
    field_class = DayField


class AuditLogForm(forms.Form):
    def clean(self):
        data = super().clean()
        refuse_reversed_period(self, "date_from", "date_to")
        return data


class AuditLogFilter(django_filters.FilterSet):
    actor = StaffFilter(label=gettext_lazy("person"), queryset=User.objects.order_by("username"))
    case = django_filters.CharFilter(label=gettext_lazy("case number"), method="filter_case")
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("kind of event"), choices=AuditEntry.Action.choices
    )
    office = django_filters.ModelChoiceFilter(
        label=gettext_lazy("office"), queryset=Office.objects.order_by("parent_id", "name")
    )
    date_from = DayFilter(label=gettext_lazy("from"), method="filter_from", widget=_date_input())
    date_to = DayFilter(label=gettext_lazy("until"), method="filter_to", widget=_date_input())

    class Meta:
        model = AuditEntry
        fields = []
        form = AuditLogForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actor", "action", "office"):
            self.filters[name].extra["empty_label"] = _("all")

    def filter_case(self, queryset, name, value):
        return queryset.filter(case__number__iexact=value.strip())

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=start_of_day(value + datetime.timedelta(days=1)))

    def describe(self) -> dict:
        """The filters as the audit log keeps them."""
        data = self.form.cleaned_data
        return {
            "actor": data["actor"].username if data.get("actor") else None,
            "case": data.get("case") or None,
            "action": data.get("action") or None,
            "office": data["office"].name if data.get("office") else None,
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
        }


def content_shown(entry: AuditEntry) -> tuple[str, str]:
    """(note, details) as the log shows them: nothing of an open case's content.

    Who did what and when, and a transition's states, are always shown; the
    note and details of an entry about a case that is open now are not.
    """
    if entry.case_id is not None and entry.case.state not in FINISHED_STATES:
        return "", ""
    details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else ""
    return entry.note, details


class Row:
    """One entry as the log page shows it."""

    def __init__(self, entry: AuditEntry, user):
        self.entry = entry
        self.note, details = content_shown(entry)
        case = entry.case
        self.hidden = case is not None and case.state not in FINISHED_STATES
        self.details = [
            (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in (entry.details.items() if details else ())
        ]
        self.source = State(entry.source_state).label if entry.source_state in State else ""
        self.target = State(entry.target_state).label if entry.target_state in State else ""
        # A link only where the reader may open the case.
        self.case_link = case is not None and not self.hidden


# --- the audit log as CSV ------------------------------------------------------------------

LOG_COLUMNS = [
    gettext_lazy("time"),
    gettext_lazy("by (name)"),
    gettext_lazy("action"),
    gettext_lazy("case number"),
    gettext_lazy("office"),
    gettext_lazy("object type"),
    gettext_lazy("object id"),
    gettext_lazy("from state"),
    gettext_lazy("to state"),
    gettext_lazy("note"),
    gettext_lazy("details"),
    gettext_lazy("IP address"),
]


def log_csv(entries, produced: exports.Produced):
    """The entries as CSV chunks (BOM, header, rows), as the log page shows them."""
    header = exports.header_bytes(str(title) for title in LOG_COLUMNS)
    actions = {value: str(label) for value, label in AuditEntry.Action.choices}
    states = {value: str(label) for value, label in State.choices}
    local = timezone.get_default_timezone()

    def cells(entry: AuditEntry) -> list:
        note, details = content_shown(entry)
        return [
            timezone.localtime(entry.at, local).isoformat(timespec="seconds"),
            entry.actor_name,
            actions.get(entry.action, entry.action),
            entry.case.number if entry.case else "",
            entry.office.name if entry.office else "",
            entry.object_type,
            entry.object_id,
            states.get(entry.source_state, entry.source_state),
            states.get(entry.target_state, entry.target_state),
            note,
            details,
            entry.ip or "",
        ]

    def chunks():
        yield header
        yield from exports.python_csv(
            (cells(e) for e in entries.iterator(chunk_size=exports.ITERATOR_CHUNK)),
            [exports.TEXT] * len(LOG_COLUMNS),
            produced,
        )

    return chunks()


def _log_filter(request) -> AuditLogFilter:
    entries = AuditEntry.objects.select_related("case", "office").order_by("-at", "-pk")
    return AuditLogFilter(request.GET, queryset=entries)


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every entry, filtered by person, case, kind of event, office and date."""
    require_auditor(request.user)
    filterset = _log_filter(request)
    entries = filterset.qs
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [Row(entry, request.user) for entry in page],
            "query": query.urlencode(),
            "active_filters": sum(1 for k, v in request.GET.items() if v and k != "page"),
        },
        status=200 if filterset.is_valid() else 400,
    )


@never_cache
@require_GET
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV (streamed, audited like every export)."""
    require_auditor(request.user)
    filterset = _log_filter(request)
    if not filterset.is_valid():
        return redirect("audit:log")
    # The export's own "started" entry is not one of the rows it counted.
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    entries = filterset.qs.filter(pk__lte=last)
    produced = exports.Produced()
    chunks = log_csv(entries, produced)
    started = exports.start(
        by=request.user,
        what="audit_log",
        format="csv",
        filters=filterset.describe(),
        count={"rows": entries.count()},
    )
    response = StreamingHttpResponse(
        exports.audited(chunks, started, produced), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return _download(response, f"audit-log-{stamp}.csv")


# --- retention: the preview of the next run, and an auditor's hold -------------------------


@never_cache
@require_safe
def retention_preview(request: HttpRequest) -> HttpResponse:
    """What the next retention run would anonymise, hold or delete; changes nothing."""
    require_auditor(request.user)
    from . import retention

    plans, exports_due = retention.plan()
    kinds, outcomes = dict(Kind.choices), dict(Outcome.choices)
    periods = [
        (kinds[kind], outcomes.get(outcome, ""), years)
        for (kind, outcome), years in sorted(retention.periods().items())
    ]
    return render(
        request,
        "audit/retention.html",
        {"plans": plans, "exports_due": exports_due, "periods": periods},
    )


@require_POST
def case_audit_hold(request: HttpRequest, number: str) -> HttpResponse:
    """An auditor sets or lifts the hold that keeps a finished case from anonymisation."""
    from cases.models import Case

    require_auditor(request.user)
    hold = request.POST.get("hold") == "on"
    with transaction.atomic():
        case = get_object_or_404(
            Case.objects.visible_to(request.user).select_for_update(), number=number
        )
        if case.audit_hold != hold:
            case.audit_hold = hold
            case.save(update_fields=["audit_hold", "updated_at"])
            record(Action.AUDIT_HOLD, by=request.user, case=case, details={"hold": hold})
    messages.success(request, _("Audit hold set.") if hold else _("Audit hold lifted."))
    return redirect("cases:case", number=case.number)
