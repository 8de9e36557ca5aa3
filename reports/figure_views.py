"""The figures page, its tables as CSV and XLSX, the counting rules, and the
leadership report (工作简报) as PDF.

Caseworkers, supervisors and auditors read figures, each within their scope
(`figures.scope_for`); the pages only read, and every download (a table, the
report) is written to the audit log.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from cases.models import Kind, Occupation
from casework.audit import Action, record
from casework.forms import DayField, ListedModelChoiceField
from casework.models import Office, Station
from members.figures import new_members
from reminders import clocks

from . import charts, figures, periods, summary
from .exports import BOM, YUAN_FORMAT, neutralise
from .figure_tables import CHANGE, DAYS, MONEY, TEXT, Table, plain, tables


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FiguresForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("period"), choices=periods.CHOICES)
    start = DayField(label=gettext_lazy("from"), required=False, widget=_date_input())
    end = DayField(label=gettext_lazy("until"), required=False, widget=_date_input())
    office = ListedModelChoiceField(
        label=gettext_lazy("office"), queryset=Office.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind"), required=False)
    occupation = forms.ChoiceField(label=gettext_lazy("occupation group"), required=False)
    station = ListedModelChoiceField(
        label=gettext_lazy("service station"), queryset=Station.objects.none(), required=False
    )

    def __init__(self, data, *, scope: figures.Scope):
        super().__init__(data)
        self.scope = scope
        offices = Office.objects.order_by("parent_id", "name")
        if scope.office_ids is not None:
            offices = offices.filter(pk__in=scope.office_ids)
        self.fields["office"].queryset = offices
        self.fields["office"].empty_label = _("all")
        self.fields["kind"].choices = [("", _("all")), *Kind.choices]
        self.fields["occupation"].choices = [("", _("all")), *Occupation.choices]
        stations = Station.objects.order_by("office_id", "name")
        if scope.office_ids is not None:
            stations = stations.for_offices(scope.office_ids)
        self.fields["station"].queryset = stations
        self.fields["station"].empty_label = _("all")

    @staticmethod
    def defaults(user) -> QueryDict:
        """The last 12 months: the period the federation reports upward."""
        data = QueryDict(mutable=True)
        data["period"] = periods.LAST_12_MONTHS
        return data

    def clean(self):
        data = super().clean()
        if data.get("period") == periods.CUSTOM:
            for name in ("start", "end"):
                if not data.get(name):
                    self.add_error(name, _("A custom period needs its first and last day."))
            if data.get("start") and data.get("end") and data["start"] > data["end"]:
                self.add_error("end", _("The end of the period is before its start."))
        return data

    def chosen_period(self, today) -> periods.Period:
        data = self.cleaned_data
        return periods.period_for(data["period"], today, data.get("start"), data.get("end"))

    def filters(self) -> figures.Filters:
        data = self.cleaned_data
        return figures.Filters(
            scope=self.scope,
            office=data["office"].pk if data.get("office") else None,
            station=data["station"].pk if data.get("station") else None,
            kind=data.get("kind") or "",
            occupation=data.get("occupation") or "",
        )

    def describe(self) -> dict:
        data = self.cleaned_data
        return {
            name: (str(value.pk) if hasattr(value, "pk") else str(value))
            for name, value in data.items()
            if value
        }


def _compute(request, form: FiguresForm, today, **kwargs) -> figures.Figures:
    result = summary.compute(form.filters(), form.chosen_period(today), today, **kwargs)
    user = request.user
    if user.is_caseworker or user.is_supervisor:
        result.stations_link = reverse("stations")
    if clocks.scope_for(user) is not None:  # auditors have no deadlines page
        result.deadlines_link = reverse("reminders:deadlines")
    return result


def _form(request) -> FiguresForm:
    scope = figures.scope_for(request.user)
    data = request.GET if request.GET.get("period") else FiguresForm.defaults(request.user)
    return FiguresForm(data, scope=scope)


def chart_set(result: figures.Figures, font: str = charts.SCREEN_FONT) -> list[tuple[str, str]]:
    """The charts of the page and the report: (title, SVG)."""
    months = [m.strftime("%Y-%m") for m in result.months()]
    kinds = result.kinds
    made = []

    def add(title, draw, *args, **kwargs):
        made.append((title, draw(title, *args, font=font, **kwargs)))

    add(
        _("Cases opened per month, by kind"),
        charts.bar_chart,
        months,
        [charts.Series(str(label), result.opened_per_month(k)) for k, label in kinds],
    )
    add(
        _("Cases finished per month, by kind"),
        charts.bar_chart,
        months,
        [charts.Series(str(label), result.finished_per_month(k)) for k, label in kinds],
    )
    if result.filters.allows_kind(Kind.WAGE_DISPUTE):
        add(
            _("Amount recovered per month (yuan)"),
            charts.bar_chart,
            months,
            [charts.Series(_("recovered"), result.recovered_per_month())],
            money=True,
        )
    add(
        _("Cases opened, by occupation group"),
        charts.hbar_chart,
        [(str(r["label"]), r["cases"]) for r in result.by_occupation()],
    )
    add(
        _("Cases opened, by office"),
        charts.hbar_chart,
        [(r["name"], r["opened"]) for r in result.by_office()],
    )
    if result.current.by_station:
        add(
            _("Person-visits, by service station"),
            charts.hbar_chart,
            [(r["name"], r["visits"]) for r in result.by_station()],
        )
    return made


@require_safe
def figures_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/figures.html", {"form": form}, status=400)
    today = timezone.localdate()
    result = _compute(request, form, today)
    built = tables(result)
    query = form.data.urlencode()
    return render(
        request,
        "reports/figures.html",
        {
            "form": form,
            "figures": result,
            "headline": built.pop("headline"),
            "tables": list(built.values()),
            "charts": chart_set(result),
            "query": query,
            "past": result.period.end < today,
            "new_members": new_members_of(form, result),
        },
    )


def new_members_of(form, result) -> int:
    """Members who joined in the period, of the offices chosen (issue 15)."""
    filters = form.filters()
    offices = {filters.office} if filters.office else filters.scope.office_ids
    return new_members(offices, result.period.start, result.period.end)


@require_safe
def figure_rules(request: HttpRequest) -> HttpResponse:
    figures.scope_for(request.user)
    return render(request, "reports/figure_rules.html")


# --- downloads -----------------------------------------------------------------------------


def _file_name(result: figures.Figures, name: str, extension: str) -> str:
    p = result.period
    return f"figures-{name}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.{extension}"


def _csv_value(cell) -> object:
    if cell.type == TEXT:
        return neutralise(str(cell.value))
    value = plain(cell)
    return "" if value is None else value


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([heading for heading, _type in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(c) for c in row])
    return BOM + buffer.getvalue().encode()


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, type_, font=None):
        if type_ == TEXT and value is not None:
            value = neutralise(str(value))
        c = WriteOnlyCell(sheet, value=value)
        if type_ == MONEY:
            c.number_format = YUAN_FORMAT
        elif type_ in (DAYS, CHANGE):
            c.number_format = "0.0"
        if font:
            c.font = font
        return c

    sheet.append([cell(heading, TEXT, bold) for heading, _type in table.columns])
    for row in table.rows:
        sheet.append([cell(plain(c) if c.type != TEXT else c.value, c.type) for c in row])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        return file.read()


FORMATS = {
    "csv": (table_csv, "text/csv; charset=utf-8"),
    "xlsx": (table_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@never_cache
@require_GET
def figures_download(request: HttpRequest, table: str, format: str) -> HttpResponse:
    """One table of the page as CSV or XLSX, for the page's filters; logged."""
    form = _form(request)
    if format not in FORMATS or not form.is_valid():
        raise Http404
    today = timezone.localdate()
    result = _compute(request, form, today)
    built = tables(result)
    if table not in built:
        raise Http404
    write, content_type = FORMATS[format]
    body = write(built[table])
    name = _file_name(result, table, format)
    record(
        Action.DOCUMENT_DOWNLOADED,
        by=request.user,
        office=request.user.office_id,
        details={
            "document": "figures_table",
            "table": table,
            "format": format,
            "filters": form.describe(),
            "file": name,
            "bytes": len(body),
        },
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- the leadership report -------------------------------------------------------------------


def scope_name(form: FiguresForm, user) -> str:
    """Whose figures the report gives: the office chosen, the reader's office, or the city."""
    office = form.cleaned_data.get("office")
    if office is not None:
        return office.name
    if form.scope.office_ids is None:
        root = Office.objects.filter(parent__isnull=True).order_by("pk").first()
        return root.name if root else ""
    return user.office.name if user.office_id else ""


@never_cache
@require_GET
def figures_report(request: HttpRequest) -> HttpResponse:
    """The leadership report (工作简报) of the page's period and filters, as PDF; logged."""
    from . import leadership

    form = _form(request)
    if not form.is_valid():
        raise Http404
    today = timezone.localdate()
    result = _compute(request, form, today, with_previous=True)
    body = leadership.report_pdf(
        result, scope_name=scope_name(form, request.user), chart_set=chart_set
    )
    name = _file_name(result, "report", "pdf")
    record(
        Action.DOCUMENT_DOWNLOADED,
        by=request.user,
        office=request.user.office_id,
        details={
            "document": "figures_report",
            "filters": form.describe(),
            "file": name,
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        },
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
