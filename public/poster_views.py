"""Staff pages for printing: a station's or a membership drive's QR code and posters.

Staff of the station's or drive's office and supervisors of that office or one above
it may print them (the stations' and drives' own scope: `visible_to`); anyone else
gets 404, as for another office's case. That includes an auditor: their remit is
finished cases and the audit log, they have no stations page and no drives page
that would lead here, and a poster is an office's outreach material, not a record
to audit. And an administrator without a role, like everywhere outside the admin
(tests/casework/test_access_matrix.py): the station admin shows the links only to
an administrator who also holds a caseworker's or supervisor's role.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from casework.models import Station
from members.models import MembershipEvent

from . import posters


def _station(request: HttpRequest, pk: int) -> Station:
    return get_object_or_404(Station.objects.visible_to(request.user), pk=pk)


def _event(request: HttpRequest, pk: int) -> MembershipEvent:
    return get_object_or_404(MembershipEvent.objects.visible_to(request.user), pk=pk)


def _svg(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _size(size: str) -> str:
    if size not in posters.SIZES:
        raise Http404
    return size


@require_safe
def station_qr(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    return _svg(posters.qr_svg(posters.station_url(station)), f"station-{station.pk}-qr.svg")


@require_safe
def station_poster(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    size = _size(size)
    station = _station(request, pk)
    return _pdf(posters.station_poster(station, size), f"station-{station.pk}-poster-{size}.pdf")


@require_safe
def event_qr(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return _svg(posters.qr_svg(posters.event_url(event)), f"drive-{event.pk}-qr.svg")


@require_safe
def event_poster(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    size = _size(size)
    event = _event(request, pk)
    return _pdf(posters.event_poster(event, size), f"drive-{event.pk}-poster-{size}.pdf")
