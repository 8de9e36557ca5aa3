"""The endpoints. Each write goes through the pages' own form and service, so the
same input gets the same refusal, transition and audit entries as on the pages."""

import dataclasses
import datetime

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases import services as case_services
from cases.forms import IntakeForm, WorkerForm
from cases.models import Case, Kind, Occupation, Worker
from casework import identity
from casework.models import Office, Station
from casework.money import AmountField
from members.models import MembershipApplication
from public import codes
from public import services as public_services
from public.forms import RequestForm
from reports import exports, figures, periods, summary
from reports.figure_tables import TEXT, plain, tables
from reports.figure_views import FiguresForm, new_members_of
from reports.views import ExportForm

from .auth import form_errors
from .base import ApiView
from .models import Scope
from .schema import form_data, from_form

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
CURSOR_SALT = "api.cursor"


# --- what answers look like ------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=gettext_lazy("Errors of no field.")
    )


def answers(ok_status: int, ok_serializer, *codes) -> dict:
    """The responses of an endpoint: its success, and the refusals it can give."""
    described = {
        400: gettext_lazy("Refused input: each field's errors under its name."),
        401: gettext_lazy("No key, or one unknown, expired or revoked."),
        403: gettext_lazy("This token's scope does not cover this call."),
        404: gettext_lazy("No such record within the token's offices."),
        429: gettext_lazy("Too many calls: wait as Retry-After says."),
    }
    responses = {ok_status: ok_serializer}
    for code in (401, 403, 429, *codes):
        responses[code] = OpenApiResponse(
            response=ErrorSerializer if code == 400 else DetailSerializer,
            description=described[code],
        )
    return responses


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StageSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    office = serializers.CharField()
    opened_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def stage(case: Case) -> dict:
    return StageSerializer(
        {
            "number": case.number,
            "kind": case.kind,
            "kind_label": case.get_kind_display(),
            "state": case.state,
            "state_label": case.get_state_display(),
            "office": case.office.name,
            "opened_at": case.opened_at,
            "due_on": case.due_on,
            "finished_at": case.finished_at,
        }
    ).data


def refuse(errors: dict):
    raise ValidationError(errors)


def json_object(request) -> dict:
    if not isinstance(request.data, dict):
        refuse({"detail": [_("Send a JSON object.")]})
    return request.data


# --- cursors ---------------------------------------------------------------------------


def read_cursor(request) -> list | None:
    text = request.query_params.get("cursor")
    if not text:
        return None
    try:
        return signing.loads(text, salt=CURSOR_SALT)
    except signing.BadSignature:
        refuse({"cursor": [_("This cursor is not one the API gave out.")]})


def page_size(request) -> int:
    text = request.query_params.get("page_size", "")
    if not text:
        return PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        refuse({"page_size": [_("Ask for 1 to %(max)d rows.") % {"max": MAX_PAGE_SIZE}]})
    return int(text)


def next_link(request, position: list | None) -> str | None:
    if position is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = signing.dumps(position, salt=CURSOR_SALT)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def after(position: list, fields: list[str]) -> Q:
    """Rows after `position` in the order of `fields` (all ascending): a keyset."""
    condition = Q()
    for n, name in enumerate(fields):
        step = Q(**{f"{name}__gt": position[n]})
        for earlier, value in zip(fields[:n], position[:n], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    return condition


def cursor_page(request, rows, keys: list[str], key_of) -> tuple[list, str | None]:
    """The page of `rows` (ordered by `keys`, the first a time) after the request's
    cursor, and the link to the next page (None on the last). `key_of(row)` gives a
    row's values of `keys`."""
    size = page_size(request)
    position = read_cursor(request)
    if position is not None:
        try:
            at = datetime.datetime.fromisoformat(position[0])
            rows = rows.filter(after([at, *position[1:]], keys))
        except (TypeError, ValueError, IndexError):
            refuse({"cursor": [_("This cursor is not one the API gave out.")]})
    found = list(rows[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    at, *rest = key_of(found[-1])
    return found, next_link(request, [at.isoformat(), *rest])


CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", str, description=gettext_lazy("From the previous page's next.")),
    OpenApiParameter("page_size", int, description=gettext_lazy("1 to 500; 100 if not given.")),
]


# --- intake: the hotline ---------------------------------------------------------------


WorkerIn = from_form(
    "WorkerIn",
    WorkerForm,
    amount_claimed=serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Yuan owed to this worker, if known."),
    ),
)
IntakeIn = from_form(
    "IntakeIn",
    IntakeForm,
    exclude=("office",),
    workers=WorkerIn(
        many=True,
        help_text=gettext_lazy(
            "The workers of the application, the applicant first. A worker already "
            "registered with the ID number given (or, without one, with the same mobile "
            "and name) is taken as on file."
        ),
    ),
)


class IntakeView(ApiView):
    scopes = (Scope.INTAKE,)

    @extend_schema(
        operation_id="intake_create",
        summary=gettext_lazy("Record a wage-dispute application"),
        description=gettext_lazy(
            "As the intake page: the case lands unassigned in the token's office's "
            "intake queue, with the same checks and audit entries."
        ),
        request=IntakeIn,
        responses=answers(201, StageSerializer, 400),
    )
    def post(self, request):
        payload = json_object(request)
        user = request.user
        office = request.auth.office
        data, errors = form_data(payload, IntakeForm, skip=("workers", "office"))
        data["office"] = str(office.pk)
        form = IntakeForm(data, offices=Office.objects.filter(pk=office.pk))
        if not form.is_valid():
            errors |= form_errors(form)
        claims, worker_errors = self._workers(payload.get("workers"))
        if worker_errors:
            errors["workers"] = worker_errors
        if errors:
            refuse(errors)
        fields = dict(form.cleaned_data)
        fields.pop("office")
        priority = fields.pop("priority")
        with transaction.atomic():
            resolved = [(self._worker(user, office, worker), amount) for worker, amount in claims]
            dispute = case_services.open_wage_dispute(
                by=user, office=office, claims=resolved, priority=priority, **fields
            )
        return Response(stage(dispute), status=201)

    def _workers(self, items) -> tuple[list, list | None]:
        """Each worker as on file or as a checked WorkerForm, with the amount claimed."""
        if not isinstance(items, list) or not items:
            return [], [_("Add at least one worker to the application.")]
        claims, errors, failed = [], [], False
        for item in items:
            if not isinstance(item, dict):
                errors.append({"detail": [_("Send each worker as a JSON object.")]})
                failed = True
                continue
            data, item_errors = form_data(item, WorkerForm, skip=("amount_claimed",))
            claimed = None
            try:
                claimed = AmountField(required=False).clean(amount_text(item.get("amount_claimed")))
            except DjangoValidationError as error:
                item_errors["amount_claimed"] = error.messages
            known = self._known(data)
            if known is None:
                form = WorkerForm(data)
                if not form.is_valid():
                    item_errors |= form_errors(form)
                known = form
            errors.append(item_errors)
            failed = failed or bool(item_errors)
            claims.append((known, claimed))
        return claims, (errors if failed else None)

    @staticmethod
    def _known(data: dict) -> Worker | None:
        """The worker on file with this ID number, or else with this mobile and name
        (a caller who rang before); None: a new worker, for the form to check."""
        id_number, phone = data.get("id_number") or "", data.get("phone") or ""
        try:
            if id_number:
                number = identity.validate_id_number(id_number)
                return Worker.objects.with_id_number(number).first()
            if phone and isinstance(data.get("name"), str):
                phone = identity.validate_phone(phone)
                return Worker.objects.filter(phone=phone, name=data["name"].strip()).first()
        except DjangoValidationError:
            return None  # refused by the form, next to the field
        return None

    @staticmethod
    def _worker(user, office, known) -> Worker:
        if isinstance(known, Worker):
            return known
        data = dict(known.cleaned_data)
        data.pop("consent")
        return case_services.register_worker(
            by=user, office=office, id_number=data.pop("id_number"), **data
        )


def amount_text(value):
    """An amount as the form field takes it: JSON numbers as their digits."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        return "?"  # refused by the field as no amount
    return None if value is None else str(value)


OnlineRequestIn = from_form(
    "OnlineRequestIn",
    RequestForm,
    station=serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The service station the person called about, if any."),
    ),
)


class OnlineRequestOut(serializers.Serializer):
    tracking_code = serializers.CharField(
        help_text=gettext_lazy(
            "Tell the person: with their mobile's last four digits it "
            "shows the request's stage on the status page."
        )
    )
    state = serializers.CharField()
    received_at = serializers.DateTimeField()


class OnlineRequestView(ApiView):
    scopes = (Scope.INTAKE,)

    @extend_schema(
        operation_id="online_request_create",
        summary=gettext_lazy("Record a request for help"),
        description=gettext_lazy(
            "As the public help page: it waits in the office's online requests for a "
            "caseworker to open it as a case or decline it."
        ),
        request=OnlineRequestIn,
        responses=answers(201, OnlineRequestOut, 400),
    )
    def post(self, request):
        payload = json_object(request)
        office = request.auth.office
        data, errors = form_data(payload, RequestForm, skip=("station",))
        station = None
        if payload.get("station") is not None:
            station = office_station(office, payload["station"])
            if station is None:
                errors["station"] = [_("No active station of this office has this number.")]
        form = RequestForm(data)
        if not form.is_valid():
            errors |= form_errors(form)
        if errors:
            refuse(errors)
        online = public_services.submit_request(
            office=office, station=station, **form.request_fields()
        )
        shown = {
            "tracking_code": codes.display(online.tracking_code),
            "state": online.state,
            "received_at": online.received_at,
        }
        return Response(OnlineRequestOut(shown).data, status=201)


def office_station(office: Office, value) -> Station | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return Station.objects.active().filter(office=office, pk=value).first()


# --- a case's stage ----------------------------------------------------------------------


class CaseStageView(ApiView):
    scopes = (Scope.INTAKE, Scope.FINISHED)

    @extend_schema(
        operation_id="case_stage",
        summary=gettext_lazy("A case's stage"),
        description=gettext_lazy(
            "Its kind, state and dates, not its content: for cases of the token's "
            "offices (finished ones only for a finished-cases token)."
        ),
        responses=answers(200, StageSerializer, 404),
    )
    def get(self, request, number: str):
        cases = Case.objects.filter(office_id__in=request.auth.office_ids())
        if request.auth.scope == Scope.FINISHED:
            cases = cases.finished()
        return Response(stage(get_object_or_404(cases.select_related("office"), number=number)))


# --- finished cases: the auditors' export ---------------------------------------------------


def _row_field(column: exports.Column) -> serializers.Field:
    kinds = {
        exports.DATE: lambda: serializers.DateField(allow_null=True, label=column.title),
        exports.AMOUNT: lambda: serializers.DecimalField(
            max_digits=14, decimal_places=2, allow_null=True, label=column.title
        ),
        exports.NUMBER: lambda: serializers.IntegerField(allow_null=True, label=column.title),
    }
    return kinds.get(
        column.type, lambda: serializers.CharField(allow_null=True, label=column.title)
    )()


FinishedRow = type(
    "FinishedRow",
    (serializers.Serializer,),
    {column.name: _row_field(column) for column in exports.COLUMNS},
)


class FinishedPage(serializers.Serializer):
    results = FinishedRow(many=True)
    next = serializers.URLField(allow_null=True)


class FinishedCaseOut(serializers.Serializer):
    stage = StageSerializer()
    rows = FinishedRow(many=True)


def export_form(request, data) -> ExportForm:
    form = ExportForm(data)
    form.fields["offices"].queryset = Office.objects.filter(pk__in=request.auth.office_ids())
    return form


def selection_for(request, form: ExportForm) -> exports.Selection:
    selection = form.selection()
    if not selection.offices:
        selection = dataclasses.replace(selection, offices=tuple(sorted(request.auth.office_ids())))
    return selection


def as_rows(queryset) -> list[dict]:
    return [
        dict(zip(exports.NAMES, exports.without_sort_keys(row), strict=True)) for row in queryset
    ]


EXPORT_PARAMETERS = [
    OpenApiParameter("finished_from", datetime.date, required=True),
    OpenApiParameter("finished_to", datetime.date, required=True),
    *(
        OpenApiParameter(name, str, many=True, explode=True)
        for name in ("kinds", "outcomes", "occupations")
    ),
    *(OpenApiParameter(name, int, many=True, explode=True) for name in ("offices", "districts")),
]


class FinishedCasesView(ApiView):
    scopes = (Scope.FINISHED,)
    query_parameters = (*EXPORT_PARAMETERS, *CURSOR_PARAMETERS)

    @extend_schema(
        operation_id="finished_cases",
        summary=gettext_lazy("Finished cases of a period"),
        description=gettext_lazy(
            "The rows and rules of the auditors' export (one row per worker of each "
            "case, in the order cases finished), a page at a time by cursor."
        ),
        parameters=[*EXPORT_PARAMETERS, *CURSOR_PARAMETERS],
        responses=answers(200, FinishedPage, 400),
    )
    def get(self, request):
        form = export_form(request, request.query_params)
        if not form.is_valid():
            refuse(form_errors(form))
        found, following = cursor_page(
            request,
            exports.rows(selection_for(request, form)),
            list(exports.SORT_KEYS),
            key_of=lambda row: row[len(exports.NAMES) :],
        )
        return Response(FinishedPage({"results": as_rows(found), "next": following}).data)


class FinishedCaseView(ApiView):
    scopes = (Scope.FINISHED,)

    @extend_schema(
        operation_id="finished_case",
        summary=gettext_lazy("One finished case"),
        description=gettext_lazy("Its stage and its rows of the auditors' export."),
        responses=answers(200, FinishedCaseOut, 404),
    )
    def get(self, request, number: str):
        case = get_object_or_404(
            Case.objects.finished()
            .filter(office_id__in=request.auth.office_ids())
            .select_related("office"),
            number=number,
        )
        selection = exports.Selection(offices=(case.office_id,))
        rows = exports.rows(selection).filter(case_id=case.pk)
        return Response(FinishedCaseOut({"stage": stage(case), "rows": as_rows(rows)}).data)


# --- the figures page ---------------------------------------------------------------------


class ColumnOut(serializers.Serializer):
    heading = serializers.CharField()
    type = serializers.ChoiceField(choices=["count", "money", "days", "text", "change"])


class TableOut(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnOut(many=True)
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True)),
        help_text=gettext_lazy(
            "Cells in the columns' order: counts as integers, money in yuan and days "
            "as decimal strings, changes as percentages; null where there is none."
        ),
    )
    note = serializers.CharField(allow_blank=True)


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class FiguresOut(serializers.Serializer):
    period = PeriodOut()
    as_of = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("When the summary was taken; null: counted now.")
    )
    new_members = serializers.IntegerField()
    tables = TableOut(many=True)


def _cell(cell):
    value = plain(cell)
    if cell.type == TEXT:
        return None if value is None else str(value)
    return None if value is None else (value if isinstance(value, int) else str(value))


FIGURE_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=[value for value, _label in periods.CHOICES],
        description=gettext_lazy("The last 12 months if not given; custom: from start to end."),
    ),
    OpenApiParameter("start", datetime.date),
    OpenApiParameter("end", datetime.date),
    OpenApiParameter("office", int),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("occupation", str, enum=Occupation.values),
    OpenApiParameter("station", int),
]


class FiguresView(ApiView):
    scopes = (Scope.FIGURES,)
    query_parameters = tuple(FIGURE_PARAMETERS)

    @extend_schema(
        operation_id="figures",
        summary=gettext_lazy("The figures page's tables"),
        description=gettext_lazy(
            "The same tables as the figures page and its downloads, for the token's "
            "offices; the last 12 months unless a period is given."
        ),
        parameters=FIGURE_PARAMETERS,
        responses=answers(200, FiguresOut, 400),
    )
    def get(self, request):
        scope = figures.scope_of(request.auth.office_ids())
        data = request.query_params.copy()
        data.setdefault("period", FiguresForm.defaults(None)["period"])
        form = FiguresForm(data, scope=scope)
        if not form.is_valid():
            refuse(form_errors(form))
        today = timezone.localdate()
        result = summary.compute(form.filters(), form.chosen_period(today), today)
        built = [
            {
                "name": table.name,
                "title": table.title,
                "columns": [{"heading": h, "type": t} for h, t in table.columns],
                "rows": [[_cell(c) for c in row] for row in table.rows],
                "note": table.note,
            }
            for table in tables(result).values()
        ]
        return Response(
            FiguresOut(
                {
                    "period": {"start": result.period.start, "end": result.period.end},
                    "as_of": result.as_of,
                    "new_members": new_members_of(form, result),
                    "tables": built,
                }
            ).data
        )


# --- membership applications ------------------------------------------------------------------


class ApplicationOut(serializers.Serializer):
    id = serializers.IntegerField()
    office = serializers.CharField(source="office.name")
    name = serializers.CharField()
    mobile = serializers.CharField()
    id_masked = serializers.CharField()
    occupation = serializers.CharField()
    employer = serializers.CharField()
    district = serializers.CharField(source="district.name", allow_null=True, default=None)
    source = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    consent_contact = serializers.BooleanField()
    membership_number = serializers.CharField(source="member.number", allow_null=True, default=None)


class ApplicationPage(serializers.Serializer):
    results = ApplicationOut(many=True)
    next = serializers.URLField(allow_null=True)


APPLICATION_STATES = [
    value for value, _label in MembershipApplication._meta.get_field("state").choices
]
APPLICATION_PARAMETERS = [
    OpenApiParameter("state", str, enum=APPLICATION_STATES),
    *CURSOR_PARAMETERS,
]


class ApplicationsView(ApiView):
    scopes = (Scope.MEMBERSHIP,)
    query_parameters = tuple(APPLICATION_PARAMETERS)

    @extend_schema(
        operation_id="membership_applications",
        summary=gettext_lazy("Membership applications"),
        description=gettext_lazy(
            "Applications to join of the token's offices, oldest first, a page at a "
            "time by cursor; `state` picks pending, approved or declined ones."
        ),
        parameters=APPLICATION_PARAMETERS,
        responses=answers(200, ApplicationPage, 400),
    )
    def get(self, request):
        applications = MembershipApplication.objects.filter(
            office_id__in=request.auth.office_ids()
        ).select_related("office", "district", "member")
        state = request.query_params.get("state", "")
        if state:
            if state not in APPLICATION_STATES:
                refuse(
                    {
                        "state": [
                            _("Choose one of: %(states)s.")
                            % {"states": ", ".join(APPLICATION_STATES)}
                        ]
                    }
                )
            applications = applications.filter(state=state)
        found, following = cursor_page(
            request,
            applications.order_by("submitted_at", "pk"),
            ["submitted_at", "pk"],
            key_of=lambda application: (application.submitted_at, application.pk),
        )
        return Response(ApplicationPage({"results": found, "next": following}).data)
