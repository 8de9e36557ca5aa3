"""The QR codes and printable posters of stations and membership drives.

Each station and each drive has a public entry page: `/p/station/<pk>/` and
`/p/event/<public_id>/` (a drive's public id, so its pk is not shown). The QR
code and the poster carry the page's absolute address: `settings.PUBLIC_BASE_URL`
and the path. A poster printed today keeps working as long as those paths do, so
they are written here once and never change.

The code is an SVG (it prints sharp at any size) with error correction Q: a
quarter of it may be scuffed, covered by tape or badly lit and it still reads,
which a poster on a station's wall needs more than a smaller code. The quiet
zone of four modules the standard asks for is part of the image, so a poster
may put the code anywhere.

A poster is an A4 or A5 PDF from the project's PDF engine (`casework.pdf`): the
union's name, the station or the drive (its date and place), the code large in
the middle, a call to action in Chinese with English below, and the address
under the code for those who cannot scan. It says the same in both languages
whatever the language of the person printing it.
"""

import io

import segno
from django.conf import settings
from django.utils.translation import override

from casework import reference
from casework.models import Station
from casework.pdf import render_pdf
from members.models import MembershipEvent

ERROR_CORRECTION = "q"
QUIET_ZONE = 4  # modules: what ISO/IEC 18004 asks for around a QR code
SIZES = ("a4", "a5")


def station_path(station: Station) -> str:
    return f"/p/station/{station.pk}/"


def event_path(event: MembershipEvent) -> str:
    return f"/p/event/{event.public_id}/"


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def station_url(station: Station) -> str:
    return absolute(station_path(station))


def event_url(event: MembershipEvent) -> str:
    return absolute(event_path(event))


def shown_url(url: str) -> str:
    """The address as printed for typing: without "https://", which a phone's browser
    adds by itself (an http:// address keeps its scheme, or the browser would try https)."""
    return url.removeprefix("https://")


def qr_code(url: str) -> segno.QRCode:
    # boost_error=False: the level stays Q, so every code of the same length of
    # address has the same version and prints at the same module size.
    return segno.make_qr(url, error=ERROR_CORRECTION, boost_error=False)


def qr_svg(url: str) -> bytes:
    """The QR code as a standalone SVG file (10 px a module, quiet zone included)."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=10, border=QUIET_ZONE, title=url, xmldecl=True)
    return out.getvalue()


def qr_inline(url: str) -> str:
    """The QR code as an `<svg>` element for a poster, sized by its stylesheet."""
    return qr_code(url).svg_inline(border=QUIET_ZONE, omitsize=True, svgclass="qr")


def _poster(*, size: str, url: str, title: str, lines: list[str], kind: str) -> bytes:
    if size not in SIZES:
        raise ValueError(f"A poster is {' or '.join(SIZES)}, not {size!r}")
    context = {
        "size": size,
        "kind": kind,  # "station" or "event": which call to action
        "union_name": reference.current(reference.Key.UNION_NAME),
        "title": title,
        "lines": [line for line in lines if line],
        "qr": qr_inline(url),
        "url": url,
        "shown_url": shown_url(url),
    }
    # Chinese first whatever the language of the page it was printed from: the
    # template writes the English line under each Chinese one itself.
    with override("zh-hans"):
        return render_pdf("pdf/poster.html", context)


def station_poster(station: Station, size: str) -> bytes:
    return _poster(
        size=size,
        url=station_url(station),
        title=station.name,
        lines=[station.address],
        kind="station",
    )


def event_poster(event: MembershipEvent, size: str) -> bytes:
    when = f"{event.date.year}年{event.date.month}月{event.date.day}日"
    return _poster(
        size=size,
        url=event_url(event),
        title=event.name,
        lines=[f"{when} · {event.place}"],
        kind="event",
    )
