"""Service stations' daily tallies: who may record them, for how long, and the write.

A station keeper's tally is the count of each service a station gave on one
day (rest, charging, water, …); the figures call their sum "person-visits".
A day's tally is recorded or corrected until seven days after the day; each
save is one audit entry with the counts before and after.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import Action, record
from .models import ServiceTally, Station, User, tally_editable_until

Counts = dict[str, int | None]  # service -> count; None: not recorded


def may_record_tallies(user: User) -> bool:
    return user.is_caseworker or user.is_supervisor


def get_station_for(user: User, pk: int) -> Station:
    """A station whose tallies the user records: 403 for a role without tallies,
    404 for a station outside the user's offices."""
    if not may_record_tallies(user):
        raise PermissionDenied(_("Only caseworkers and supervisors record station tallies."))
    station = Station.objects.visible_to(user).select_related("office").filter(pk=pk).first()
    if station is None:
        raise Http404
    return station


def editable_refusal(day: date, today: date | None = None) -> str:
    """Why the tally of `day` cannot be changed today ("" when it can)."""
    today = today or timezone.localdate()
    if day > today:
        return _("A tally is recorded on or after its day, not before.")
    until = tally_editable_until(day)
    if today > until:
        return _(
            "The tally of %(day)s can no longer be changed: a tally is editable for 7 days "
            "after its day (until %(until)s)."
        ) % {"day": day.isoformat(), "until": until.isoformat()}
    return ""


def counts_of(station: Station, day: date) -> Counts:
    """The stored counts of a station's day, every service named (None: not recorded)."""
    stored = dict(
        ServiceTally.objects.filter(station=station, day=day).values_list("service", "count")
    )
    return {service: stored.get(service) for service in ServiceTally.Service.values}


@transaction.atomic
def record_tally(*, station: Station, day: date, counts: Counts, by: User) -> bool:
    """Store a station's counts for a day, replacing what was recorded; a service
    left empty is not recorded (a count of 0 is). Returns whether anything changed."""
    # Locking the station serialises every write to its tallies.
    station = Station.objects.select_for_update().get(pk=station.pk)
    if not Station.objects.visible_to(by).filter(pk=station.pk).exists() or not (
        may_record_tallies(by)
    ):
        raise PermissionDenied(_("You may record tallies only for stations of your offices."))
    refusal = editable_refusal(day)
    if refusal:
        raise ValidationError(refusal, code="not_editable")
    unknown = set(counts) - set(ServiceTally.Service.values)
    if unknown:
        raise ValueError(f"record_tally got unknown services {sorted(unknown)}")
    before = counts_of(station, day)
    after = {**before, **counts}
    if after == before:
        return False
    rows = ServiceTally.objects.filter(station=station, day=day)
    rows.filter(service__in=[s for s, n in after.items() if n is None]).delete()
    for service, count in after.items():
        if count is not None and count != before[service]:
            ServiceTally.objects.update_or_create(
                station=station,
                day=day,
                service=service,
                defaults={"count": count, "recorded_by": by},
            )
    record(
        Action.TALLY_RECORDED,
        by=by,
        obj=station,
        office=station.office_id,
        details={
            "station": station.name,
            "day": day.isoformat(),
            "before": before,
            "after": after,
        },
    )
    return True
