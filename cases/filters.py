"""Queue filters. They live in the URL, so a filtered queue can be bookmarked."""

import datetime

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField, RangeField
from django_filters.widgets import DateRangeWidget

from casework.forms import DayField
from casework.models import Office, Station, User
from casework.periods import start_of_day

from .models import FINISHED_STATES, Case, Channel, Kind, Occupation, Payment, Priority, State

NOT_RECORDED = "none"  # the channel filter's value for cases that recorded none

# Each sort ends on the primary key in its own direction, so that one index
# (Case.Meta.indexes) serves the whole ORDER BY.
SORTS = {
    "-opened": ["-opened_at", "-pk"],
    "opened": ["opened_at", "pk"],
    "due": [F("due_on").asc(nulls_last=True), "pk"],
    # Unique, but ending on the id all the same: an ORDER BY the unique index alone
    # could serve would let the planner take it and fetch each row from the table.
    "number": ["number", "pk"],
    # A queue is all open or all finished: finished_at is all NULL or none.
    "-finished": ["-finished_at", "-pk"],
}


class DateInputs(DateRangeWidget):
    """Two date inputs, `<name>_after` and `<name>_before`, side by side."""

    # django-filter's template puts a bare "-" between them, which the filter box's
    # column layout set on a line of its own.
    template_name = "casework/widgets/date_range.html"

    def __init__(self, attrs=None):
        # A two-input widget has no single id its <label> could point to: each input
        # says which end of the range it is.
        forms.MultiWidget.__init__(
            self,
            (
                forms.DateInput(attrs={"type": "date", "aria-label": _("from")}),
                forms.DateInput(attrs={"type": "date", "aria-label": _("until")}),
            ),
        )


class HiddenDates(DateRangeWidget):
    """The same two dates as hidden inputs: set by the figures page's links, kept
    when the queue is filtered further, not offered in the filter box."""

    # Django's own multi-widget template: django-filter's puts a "-" between the
    # two inputs, which showed as stray dashes above the filter box.
    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, (forms.HiddenInput, forms.HiddenInput))


class DayFilter(django_filters.DateFilter):
    """A day within the years 1900-2999 (casework.forms.DayField): the day after it
    is still a day."""

    field_class = DayField


class DayRangeField(DateRangeField):
    """Two days (`DayField`: 1900-2999), the range from the first one's start to the
    second one's end: a far year no longer overflows the time's conversion to UTC."""

    def __init__(self, *args, **kwargs):
        RangeField.__init__(self, (DayField(), DayField()), *args, **kwargs)


class DayRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = DayRangeField


def _dates(label, method, widget=DateInputs):
    return DayRangeFilter(label=label, method=method, widget=widget)


def _between(name: str, value: slice, *, dates: bool = False) -> Q:
    """`name` between the range's ends (each end optional), as times or as dates."""
    q = Q()
    if value.start is not None:
        q &= Q(**{f"{name}__gte": value.start.date() if dates else value.start})
    if value.stop is not None:
        q &= Q(**{f"{name}__lte": value.stop.date() if dates else value.stop})
    return q


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Case number, name, phone or ID")
    )
    state = django_filters.ChoiceFilter(label=_("state"), choices=State.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)
    priority = django_filters.ChoiceFilter(label=_("priority"), choices=Priority.choices)
    # The assignee and office choices are plain lists read in one query each (see
    # __init__): a model choice field reads its choices through a server-side cursor
    # on PostgreSQL (three round trips) and makes a model instance of each, a fifth of
    # an empty queue page's time for a city supervisor's 45 assignees.
    assignee = django_filters.ChoiceFilter(
        label=_("assignee"),
        choices=[],
        field_name="assignee_id",
        error_messages={
            "invalid_choice": _(
                "Not a colleague in your offices (they may have moved or left): choose another."
            )
        },
    )
    office = django_filters.ChoiceFilter(
        label=_("office"),
        choices=[],
        field_name="office_id",
        error_messages={"invalid_choice": _("Not an office whose cases you may see.")},
    )
    occupation = django_filters.ChoiceFilter(
        label=_("occupation group"), choices=Occupation.choices, method="filter_occupation"
    )
    channel = django_filters.ChoiceFilter(
        label=_("came in by"),
        choices=[*Channel.choices, (NOT_RECORDED, _("not recorded"))],
        method="filter_channel",
        help_text=_("Choose “service station” and filter to pick the station."),
    )
    # Offered once the queue is filtered to cases that came in at a station, so
    # that the other queues cost no query for its choices.
    station = django_filters.ChoiceFilter(
        label=_("service station"), choices=[], field_name="station_id"
    )
    clock = django_filters.ChoiceFilter(
        label=_("deadline"),
        choices=[("overdue", _("overdue")), ("soon", _("due within 3 days"))],
        method="filter_clock",
    )
    # Compared as times from the day's local midnight, not as the time's date, which
    # no index serves: an auditor's "opened from" matching few cases walked all
    # 900,000 finished ones (217 ms at 1M cases).
    opened_after = DayFilter(
        label=_("opened from"),
        method="filter_opened_after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_before = DayFilter(
        label=_("opened until"),
        method="filter_opened_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The figures page links to the cases each figure counts (reports.figures).
    finished = _dates(_("finished"), "filter_finished")
    paid = _dates(_("payment received"), "filter_paid")
    approved = _dates(_("aid approved"), "filter_approved", HiddenDates)
    disbursed = _dates(_("aid disbursed"), "filter_disbursed", HiddenDates)
    issued = _dates(_("card term begins"), "filter_issued", HiddenDates)
    in_force = django_filters.DateFilter(
        label=_("card in force on"), method="filter_in_force", widget=forms.HiddenInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("sort by"),
        choices=[
            ("-opened", _("newest first")),
            ("opened", _("oldest first")),
            ("due", _("deadline soonest")),
            ("number", _("case number")),
            ("-finished", _("finished, newest first")),
        ],
        method="filter_sort",
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        office_ids = user.supervised_office_ids or {user.office_id}
        if user.is_auditor:
            offices = Office.objects.all()
        else:
            offices = Office.objects.filter(pk__in=office_ids)
        self.filters["office"].extra["choices"] = [
            (str(office.pk), str(office)) for office in offices.only("name")
        ]
        assignees = (
            User.objects.filter(
                office__in=offices, groups__name__in=["caseworker", "supervisor"], is_active=True
            )
            .distinct()
            .order_by()
        )
        # By the name shown (the full name, else the user name).
        self.filters["assignee"].extra["choices"] = sorted(
            (
                (str(assignee.pk), str(assignee))
                for assignee in assignees.only("full_name", "username")
            ),
            key=lambda choice: choice[1],
        )
        data = self.data or {}
        if data.get("channel") == Channel.STATION or data.get("station"):
            stations = Station.objects.order_by("name")
            if not user.is_auditor:
                stations = stations.filter(office__in=offices)
            self.filters["station"].extra["choices"] = [
                (str(pk), name) for pk, name in stations.values_list("pk", "name")
            ]
        else:
            del self.filters["station"]
        names = ("state", "kind", "priority", "occupation", "clock", "assignee", "office")
        for name in (*names, "channel", "station"):
            if name in self.filters:
                self.filters[name].extra["empty_label"] = _("all")
        self.filters["sort"].extra["empty_label"] = _("default order")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_queryset(self, queryset):
        # A station, office or assignee the user may not see (or that does not exist)
        # matches nothing, rather than being ignored: the list is never wider than
        # what was asked for.
        if {"station", "office", "assignee"} & set(self.form.errors):
            return queryset.none()
        return super().filter_queryset(queryset)

    def filter_opened_after(self, queryset, name, value):
        return queryset.filter(opened_at__gte=start_of_day(value))

    def filter_opened_before(self, queryset, name, value):
        return queryset.filter(opened_at__lt=start_of_day(value + datetime.timedelta(days=1)))

    def filter_channel(self, queryset, name, value):
        return queryset.filter(channel="" if value == NOT_RECORDED else value)

    def filter_occupation(self, queryset, name, value):
        return queryset.filter(pk__in=Case.objects.filter(workers__occupation=value).values("pk"))

    def filter_finished(self, queryset, name, value):
        return queryset.filter(_between("finished_at", value), state__in=FINISHED_STATES)

    def filter_paid(self, queryset, name, value):
        paid = Payment.objects.valid().filter(_between("paid_on", value, dates=True))
        return queryset.filter(pk__in=paid.values("dispute_id"))

    # Aid and cards extend the case row (multi-table): their fields are reached by
    # name, as the case search reaches the wage models.
    def filter_approved(self, queryset, name, value):
        return queryset.filter(_between("aidapplication__approved_at", value))

    def filter_disbursed(self, queryset, name, value):
        return queryset.filter(_between("aidapplication__disbursed_on", value, dates=True))

    def filter_issued(self, queryset, name, value):
        return queryset.filter(
            _between("cardapplication__valid_from", value, dates=True),
            state__in=[State.CARD_ISSUED, State.CLOSED],
        ).exclude(cardapplication__card_number="")

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(
            state__in=[State.CARD_ISSUED, State.CLOSED],
            cardapplication__valid_from__lte=value,
            cardapplication__valid_to__gte=value,
        ).exclude(cardapplication__card_number="")

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    def filter_clock(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        return queryset.due_within(3, today)
