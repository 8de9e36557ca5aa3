"""Pages for service stations: the list of a user's stations and a day's tally."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import TallyDayForm, TallyForm
from .models import ServiceTally, Station, tally_editable_until
from .stations import (
    counts_of,
    editable_refusal,
    get_station_for,
    may_record_tallies,
    record_tally,
)

RECENT_DAYS = 14


def station_list(request: HttpRequest) -> HttpResponse:
    """The stations of the user's offices, with this month's person-visits."""
    if not may_record_tallies(request.user):
        raise PermissionDenied(_("Only caseworkers and supervisors record station tallies."))
    today = timezone.localdate()
    month = Q(tallies__day__gte=today.replace(day=1), tallies__day__lte=today)
    stations = (
        Station.objects.visible_to(request.user)
        .select_related("office")
        .annotate(
            month_visits=Sum("tallies__count", filter=month, default=0),
            recorded_today=Count("tallies", filter=Q(tallies__day=today)),
        )
        .order_by("-is_active", "office__name", "name")
    )
    return render(request, "casework/stations.html", {"stations": stations, "today": today})


def _day(request: HttpRequest) -> datetime.date:
    form = TallyDayForm(request.GET)
    return form.cleaned_data["day"] if form.is_valid() else timezone.localdate()


def station_tally(request: HttpRequest, pk: int) -> HttpResponse:
    """A station's tally of one day: one row per service, editable for 7 days."""
    station = get_station_for(request.user, pk)
    day = _day(request)
    refusal = editable_refusal(day)
    counts = counts_of(station, day)
    form = TallyForm(request.POST if request.method == "POST" else None, counts=counts)
    here = f"{reverse('station_tally', args=[station.pk])}?day={day.isoformat()}"
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            changed = record_tally(station=station, day=day, counts=form.counts(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(
                    request,
                    _("Tally of %(day)s saved for %(station)s.")
                    % {"day": day.isoformat(), "station": station.name},
                )
            else:
                messages.info(request, _("Nothing changed: the tally is as it was."))
            return redirect(here)
    return render(
        request,
        "casework/station_tally.html",
        {
            "station": station,
            "day": day,
            "form": form,
            "refusal": refusal,
            "rows": [(form[s], counts[s]) for s in ServiceTally.Service.values],
            "total": sum(n for n in counts.values() if n),
            "editable_until": tally_editable_until(day),
            "recent": _recent_days(station),
            "day_form": TallyDayForm(initial={"day": day}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _recent_days(station: Station) -> list[tuple[datetime.date, int | None, bool]]:
    """The last days' totals (None: nothing recorded) and whether each is still editable."""
    today = timezone.localdate()
    first = today - datetime.timedelta(days=RECENT_DAYS - 1)
    totals = dict(
        ServiceTally.objects.filter(station=station)
        .in_period(first, today)
        .values("day")
        .annotate(total=Sum("count"))
        .values_list("day", "total")
    )
    days = [today - datetime.timedelta(days=n) for n in range(RECENT_DAYS)]
    return [(d, totals.get(d), not editable_refusal(d, today)) for d in days]
