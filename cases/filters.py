"""Queue filters. They live in the URL, so a filtered queue can be bookmarked."""

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Office, User
from casework.widgets import FastSelect

from .models import Case, Kind, Occupation, Priority, State

# Each sort ends on the primary key in its own direction, so that one index
# (Case.Meta.indexes) serves the whole ORDER BY.
SORTS = {
    "-opened": ["-opened_at", "-pk"],
    "opened": ["opened_at", "pk"],
    "due": [F("due_on").asc(nulls_last=True), "pk"],
    "number": ["number"],
    # A queue is all open or all finished: finished_at is all NULL or none.
    "-finished": ["-finished_at", "-pk"],
}


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Case number, name, phone or ID")
    )
    state = django_filters.ChoiceFilter(label=_("state"), choices=State.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Kind.choices)
    priority = django_filters.ChoiceFilter(label=_("priority"), choices=Priority.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("assignee"), queryset=User.objects.none())
    office = django_filters.ModelChoiceFilter(label=_("office"), queryset=Office.objects.none())
    occupation = django_filters.ChoiceFilter(
        label=_("occupation group"), choices=Occupation.choices, method="filter_occupation"
    )
    clock = django_filters.ChoiceFilter(
        label=_("deadline"),
        choices=[("overdue", _("overdue")), ("soon", _("due within 3 days"))],
        method="filter_clock",
    )
    opened_after = django_filters.DateFilter(
        label=_("opened from"),
        field_name="opened_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_before = django_filters.DateFilter(
        label=_("opened until"),
        field_name="opened_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
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
        self.filters["office"].queryset = offices
        self.filters["assignee"].queryset = User.objects.filter(
            office__in=offices, groups__name__in=["caseworker", "supervisor"], is_active=True
        ).distinct()
        for name in ("state", "kind", "priority", "occupation", "clock", "assignee", "office"):
            self.filters[name].extra["empty_label"] = _("all")
        self.filters["sort"].extra["empty_label"] = _("default order")
        for filter_ in self.filters.values():
            if issubclass(filter_.field_class, forms.ChoiceField):
                filter_.extra.setdefault("widget", FastSelect)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_occupation(self, queryset, name, value):
        return queryset.filter(pk__in=Case.objects.filter(workers__occupation=value).values("pk"))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    def filter_clock(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        return queryset.due_within(3, today)
