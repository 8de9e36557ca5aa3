"""A station's and a membership drive's QR code and posters (public/posters.py).

The codes are read back the way a phone would, with zbar (Debian `zbar-tools`):
the SVG is drawn into a PDF by WeasyPrint and rasterised by pdftoppm (poppler), and
a poster is rasterised as printed. Without zbarimg those tests are skipped and the
SVG is still compared with segno's own encoding of the expected address.
"""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from casework import reference
from members import services as members_services
from public import posters
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "https://casework.example.cn"
A4 = (595.28, 841.89)  # points
A5 = (419.53, 595.28)
needs_zbar = pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbarimg (Debian zbar-tools) is not installed"
)
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="pdftoppm and pdftotext (Debian poppler-utils) are not installed",
)


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def station(office):
    return factories.StationFactory(office=office, name="骑手爱心驿站", address="烈山大道88号")


@pytest.fixture
def event(office, caseworker):
    return members_services.create_event(
        by=caseworker,
        office=office,
        name="外卖骑手集体入会日",
        date=datetime.date(2026, 12, 12),
        place="曾都区工会驿站广场",
    )


def decode_png(path: Path) -> list[str]:
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def decode_pdf(pdf: bytes, tmp_path: Path) -> list[str]:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
    )
    return decode_png(tmp_path / "page.png")


def decode_svg(svg: bytes, tmp_path: Path) -> list[str]:
    from weasyprint import HTML

    image = tmp_path / "qr.svg"
    image.write_bytes(svg)
    html = (
        "<style>@page { size: 120mm; margin: 0 }</style>"
        f'<img src="{image.as_uri()}" style="width: 100mm">'
    )
    return decode_pdf(HTML(string=html).write_pdf(), tmp_path)


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def compact(text: str) -> str:
    """The text without white space: pdftotext puts spaces where the poster spaces
    Chinese letters out."""
    return re.sub(r"\s+", "", text)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        for page in reader.pages
    ]


# --- the addresses --------------------------------------------------------------------


def test_the_addresses_are_the_public_base_url_and_the_public_pages_paths(station, event):
    assert posters.station_url(station) == f"{BASE}/p/station/{station.pk}/"
    assert posters.event_url(event) == f"{BASE}/p/event/{event.public_id}/"


def test_a_trailing_slash_of_the_base_url_gives_no_double_slash(settings, station):
    settings.PUBLIC_BASE_URL = "http://10.0.0.5:8000/"
    assert posters.station_url(station) == f"http://10.0.0.5:8000/p/station/{station.pk}/"


def test_the_printed_address_drops_https_but_keeps_http():
    assert posters.shown_url(f"{BASE}/p/station/3/") == "casework.example.cn/p/station/3/"
    assert posters.shown_url("http://127.0.0.1:8000/p/station/3/") == (
        "http://127.0.0.1:8000/p/station/3/"
    )


# --- the QR code ----------------------------------------------------------------------


def test_the_stations_qr_code_is_segnos_encoding_of_its_address_at_level_q(
    login_as, caseworker, station
):
    response = login_as(caseworker).get(reverse("posters:station_qr", args=[station.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content
    assert svg.startswith(b"<?xml")
    expected = segno.make_qr(f"{BASE}/p/station/{station.pk}/", error="q", boost_error=False)
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=10, border=4, title=expected.designator, xmldecl=True)
    assert expected.error == "Q"
    # The same modules (the path of dark modules) and a four-module quiet zone.
    path = out.getvalue().split(b' d="')[1].split(b'"')[0]
    assert b' d="' + path in svg
    width = (expected.symbol_size(scale=10, border=4))[0]
    assert f'width="{width}"'.encode() in svg


@needs_zbar
@needs_poppler
def test_the_stations_qr_code_reads_as_its_public_page(login_as, caseworker, station, tmp_path):
    response = login_as(caseworker).get(reverse("posters:station_qr", args=[station.pk]))
    assert decode_svg(response.content, tmp_path) == [f"{BASE}/p/station/{station.pk}/"]


@needs_zbar
@needs_poppler
def test_the_drives_qr_code_reads_as_its_public_page_by_public_id(
    login_as, caseworker, event, tmp_path
):
    response = login_as(caseworker).get(reverse("posters:event_qr", args=[event.pk]))
    assert response.status_code == 200
    assert decode_svg(response.content, tmp_path) == [f"{BASE}/p/event/{event.public_id}/"]


# --- the posters ----------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize(("size", "dimensions"), [("a4", A4), ("a5", A5)])
def test_a_station_poster_is_one_page_of_its_size_naming_union_station_and_address(
    login_as, caseworker, station, size, dimensions, tmp_path
):
    url = reverse(f"posters:station_poster_{size}", args=[station.pk])
    response = login_as(caseworker).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"station-{station.pk}-poster-{size}.pdf" in response["Content-Disposition"]
    pdf = response.content
    assert page_sizes(pdf) == [dimensions]
    text = pdf_text(pdf)
    assert reference.current(reference.Key.UNION_NAME) in compact(text)
    assert "骑手爱心驿站" in compact(text) and "烈山大道88号" in compact(text)
    # Chinese first, English below, whatever the language of the page (English here).
    assert "扫码求助·扫码入会" in compact(text)
    assert "Scan to ask for help · Scan to join the union" in text
    assert f"casework.example.cn/p/station/{station.pk}/" in text
    if shutil.which("zbarimg"):
        assert decode_pdf(pdf, tmp_path) == [f"{BASE}/p/station/{station.pk}/"]


@needs_poppler
@pytest.mark.parametrize(("size", "dimensions"), [("a4", A4), ("a5", A5)])
def test_a_drive_poster_names_the_drive_its_date_and_place(
    login_as, caseworker, event, size, dimensions, tmp_path
):
    response = login_as(caseworker).get(reverse(f"posters:event_poster_{size}", args=[event.pk]))
    assert response.status_code == 200
    pdf = response.content
    assert page_sizes(pdf) == [dimensions]
    text = pdf_text(pdf)
    assert "外卖骑手集体入会日" in compact(text)
    assert "2026年12月12日·曾都区工会驿站广场" in compact(text)
    assert "扫码入会" in compact(text) and "Scan to join the union" in text
    assert "扫码求助" not in compact(text)  # a drive is for joining
    if shutil.which("zbarimg"):
        assert decode_pdf(pdf, tmp_path) == [f"{BASE}/p/event/{event.public_id}/"]


@needs_poppler
def test_a_very_long_station_name_still_fits_one_page(office):
    station = factories.StationFactory(
        office=office,
        name="随州市曾都区东城街道办事处户外劳动者服务站暨新就业形态劳动者爱心驿站" * 2,
        address="随州市曾都区烈山大道与明珠路交叉口东南角200米" * 2,
    )
    for size, dimensions in (("a4", A4), ("a5", A5)):
        assert page_sizes(posters.station_poster(station, size)) == [dimensions]


def test_a_poster_of_another_size_is_refused(station):
    with pytest.raises(ValueError):
        posters.station_poster(station, "a3")


# --- who may print them ---------------------------------------------------------------


def urls_of(station, event) -> list[str]:
    return [
        reverse("posters:station_qr", args=[station.pk]),
        reverse("posters:station_poster_a4", args=[station.pk]),
        reverse("posters:station_poster_a5", args=[station.pk]),
        reverse("posters:event_qr", args=[event.pk]),
        reverse("posters:event_poster_a4", args=[event.pk]),
        reverse("posters:event_poster_a5", args=[event.pk]),
    ]


def test_the_urls_are_the_agreed_paths(station, event):
    assert urls_of(station, event) == [
        f"/stations/{station.pk}/qr.svg",
        f"/stations/{station.pk}/poster-a4.pdf",
        f"/stations/{station.pk}/poster-a5.pdf",
        f"/members/events/{event.pk}/qr.svg",
        f"/members/events/{event.pk}/poster-a4.pdf",
        f"/members/events/{event.pk}/poster-a5.pdf",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, station, event):
    for url in urls_of(station, event):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize(
    "who", ["other_caseworker", "other_supervisor", "auditor", "admin_user"], ids=lambda who: who
)
def test_other_offices_staff_auditors_and_roleless_administrators_get_404(
    request, login_as, station, event, who
):
    client = login_as(request.getfixturevalue(who))
    for url in urls_of(station, event):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "city_supervisor"], ids=lambda w: w)
def test_the_offices_staff_and_supervisors_above_get_the_qr_codes(
    request, login_as, station, event, who
):
    client = login_as(request.getfixturevalue(who))
    for url in (
        reverse("posters:station_qr", args=[station.pk]),
        reverse("posters:event_qr", args=[event.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<svg" in response.content


def test_they_are_read_only(login_as, caseworker, station):
    response = login_as(caseworker).post(reverse("posters:station_qr", args=[station.pk]))
    assert response.status_code == 405


def test_a_station_of_no_such_pk_is_404(login_as, caseworker):
    assert login_as(caseworker).get("/stations/999999/qr.svg").status_code == 404


# --- where they are linked from -------------------------------------------------------


def test_the_stations_page_links_each_stations_qr_code_and_posters(login_as, caseworker, station):
    page = login_as(caseworker).get(reverse("stations")).content.decode()
    for name in ("station_qr", "station_poster_a4", "station_poster_a5"):
        assert reverse(f"posters:{name}", args=[station.pk]) in page
    assert "A4 poster" in page and "A5 poster" in page


def test_a_drives_page_shows_its_qr_code_and_links_the_posters(login_as, caseworker, event):
    page = login_as(caseworker).get(reverse("members:event", args=[event.pk])).content.decode()
    assert f'<img class="qr-preview" src="{reverse("posters:event_qr", args=[event.pk])}"' in page
    assert reverse("posters:event_poster_a4", args=[event.pk]) in page
    assert reverse("posters:event_poster_a5", args=[event.pk]) in page


@pytest.fixture
def supervising_admin(city):
    """An administrator who is also the city's supervisor: the one who prints from the admin."""
    return factories.supervisor(
        city, username="admin.liu", full_name="刘管理", is_superuser=True, is_staff=True
    )


def test_the_station_admin_links_the_qr_code_and_posters(client, supervising_admin, station):
    client = factories.sign_in(client, supervising_admin)
    changelist = client.get(reverse("admin:casework_station_changelist")).content.decode()
    change = client.get(reverse("admin:casework_station_change", args=[station.pk])).content
    for page in (changelist, change.decode()):
        assert reverse("posters:station_poster_a4", args=[station.pk]) in page
        assert reverse("posters:station_poster_a5", args=[station.pk]) in page
        assert reverse("posters:station_qr", args=[station.pk]) in page
    poster = client.get(reverse("posters:station_poster_a4", args=[station.pk]))
    assert poster.status_code == 200


def test_the_station_admin_shows_no_links_to_an_administrator_without_a_role(admin_client, station):
    changelist = admin_client.get(reverse("admin:casework_station_changelist")).content.decode()
    change = admin_client.get(reverse("admin:casework_station_change", args=[station.pk]))
    assert change.status_code == 200
    for page in (changelist, change.content.decode()):
        assert reverse("posters:station_qr", args=[station.pk]) not in page


def test_the_links_are_in_chinese_on_the_chinese_interface(client, caseworker, station):
    factories.sign_in(client, caseworker)
    page = client.get(reverse("stations")).content.decode()
    assert "二维码与海报" in page and "A4 海报" in page and "A5 海报" in page
