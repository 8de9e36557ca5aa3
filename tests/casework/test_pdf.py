"""PDF rendering (casework.pdf) and what every printable document shares: A4, fonts
embedded with a CJK face among them, rare name characters drawn as real glyphs, the
case number and "page X of Y" on every page, dates from the case's own data, and
the same bytes every time a finished case is printed. Nothing is fetched from the
network or from outside templates/pdf/.

The helpers at the top read the PDFs (pypdf); tests/cases/test_documents_pdf.py uses
them too.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader
from stdnum.cn import ric

from cases import services
from cases.documents import render_document
from cases.models import Payment, State
from casework import pdf, pdf_fonts
from casework.models import AuditEntry, DibaoLine
from tests import factories
from tests.assistance import steps

# --- reading PDFs ---------------------------------------------------------------------------


def reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-"), content[:40]
    return PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in reader(content).pages]


def text(content: bytes) -> str:
    return "\n".join(page_texts(content))


def squeezed(value: str) -> str:
    """Without any white space: a table cell may wrap a phrase over two lines."""
    return re.sub(r"\s+", "", value)


def fonts(content: bytes) -> dict[str, dict]:
    """Every font the pages use: {base font name: {"embedded": the FontFile keys present}}."""
    found = {}
    for page in reader(content).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for face in descendants:
                descriptor = face["/FontDescriptor"].get_object()
                found[str(font["/BaseFont"])] = {
                    "embedded": sorted(k for k in descriptor if k.startswith("/FontFile")),
                    "to_unicode": font.get("/ToUnicode"),
                }
    return found


_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def glyphs_for(content: bytes, char: str) -> set[tuple[str, int]]:
    """(font, glyph id) pairs that the fonts' ToUnicode maps say stand for `char`."""
    found = set()
    for name, font in fonts(content).items():
        if font["to_unicode"] is None:
            continue
        cmap = font["to_unicode"].get_object().get_data().decode("ascii")
        for block in _BFCHAR.findall(cmap):
            for glyph, utf16 in _PAIR.findall(block):
                if bytes.fromhex(utf16).decode("utf-16-be") == char:
                    found.add((name, int(glyph, 16)))
    return found


def transition_lines(case) -> list[str]:
    """Each state change of the case as the documents show it: "Intake → accepted"."""
    entries = AuditEntry.objects.filter(case_id=case.pk, action=AuditEntry.Action.TRANSITION)
    lines = []
    for source, target in entries.order_by("at", "pk").values_list("source_state", "target_state"):
        source = str(State(source).label)
        lines.append(f"{source[:1].upper()}{source[1:]} → {State(target).label}")
    return lines


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- cases to print ---------------------------------------------------------------------------

RARE = "堃喆昇珺玥䶮𠇔"


@pytest.fixture
def finished_dispute(office, caseworker):
    """王𠇔's dispute: agreed ¥12,800.00, paid ¥3,000 + ¥9,800 with a voided ¥2,000 between."""
    rider = factories.WorkerFactory(office=office, created_by=caseworker, name="王𠇔")
    dispute = factories.wage_dispute(
        office,
        by=caseworker,
        workers=[rider],
        claimed=Decimal("12800.00"),
        state=State.AGREEMENT,
    )
    today = timezone.localdate()
    payments = [("3000.00", "网银流水0001"), ("2000.00", "重复录入"), ("9800.00", "")]
    for amount, reference in payments:
        payment = services.record_payment(
            case=dispute,
            by=caseworker,
            worker=rider,
            paid_on=today,
            amount=Decimal(amount),
            method=Payment.Method.BANK,
            reference=reference,
        )
        if reference == "重复录入":
            services.void_payment(payment=payment, by=caseworker, reason="与网银流水重复")
    services.run_transition(case=dispute, name="mark_performed", by=caseworker)
    services.run_transition(case=dispute, name="close", by=caseworker, outcome_note="全部履行")
    return type(dispute).objects.get(pk=dispute.pk)


@pytest.fixture
def collective(office, caseworker):
    workers = [
        factories.WorkerFactory(office=office, created_by=caseworker, name=name)
        for name in ["李堃", "张喆", "陈昇"]
    ]
    return factories.wage_dispute(office, by=caseworker, workers=workers, state=State.AGREEMENT)


@pytest.fixture
def aid_and_card(office, caseworker):
    """赵珺's hardship aid (two approvals) and 刘玥's medical card covering her son 刘䶮."""
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    zhao = factories.WorkerFactory(office=office, created_by=caseworker, name="赵珺")
    aid = steps.aid_at(
        State.APPROVED, office=office, by=caseworker, worker=zhao, amount=Decimal("6000.00")
    )
    liu = steps.member_worker(office, caseworker, name="刘玥")
    born = timezone.localdate() - datetime.timedelta(days=6 * 365)
    son = {"name": "刘䶮", "relation": "child", "id_number": id_born(born), "guardian_name": "刘玥"}
    card = steps.card_at(State.CARD_ISSUED, office=office, by=caseworker, worker=liu, family=[son])
    return aid, card


def id_born(born: datetime.date) -> str:
    """A valid ID number of someone born on `born`."""
    first_17 = f"421302{born:%Y%m%d}123"
    return first_17 + ric.calc_check_digit(first_17 + "0")


# --- what every document shares ----------------------------------------------------------------


def test_a_case_file_is_a4_with_every_font_embedded_and_a_cjk_font_among_them(
    finished_dispute,
):
    content = render_document(finished_dispute, "case-file")

    for page in reader(content).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    found = fonts(content)
    assert found, "no fonts in the PDF"
    for name, font in found.items():
        assert font["embedded"], f"{name} is not embedded"
    assert any("CJK" in name for name in found), sorted(found)


def test_names_with_rare_characters_are_drawn_with_real_glyphs(
    finished_dispute, collective, aid_and_card
):
    aid, card = aid_and_card
    documents = [
        render_document(finished_dispute, "case-file"),
        render_document(collective, "case-file"),
        render_document(aid, "aid-approval"),
        render_document(card, "case-file"),
    ]

    for char in RARE:
        holders = [d for d in documents if char in text(d)]
        assert holders, f"{char} is not in any document's text"
        for content in holders:
            glyphs = glyphs_for(content, char)
            # Glyph 0 is .notdef, the empty box a font draws for a character it lacks.
            assert glyphs and all(gid != 0 for _font, gid in glyphs), (char, glyphs)
            assert all("CJK" in font for font, _gid in glyphs), (char, glyphs)


def test_common_text_is_set_in_the_face_cut_to_gb2312_and_rarer_characters_in_the_whole_face(
    finished_dispute,
):
    with translation.override("zh-hans"):
        content = render_document(finished_dispute, "case-file")

    # 王 and 案 are in GB 2312; 𠇔 is not, and falls through to the whole SC face.
    for char in "王案":
        used = glyphs_for(content, char)
        assert used and all("-GB2312" in font for font, _gid in used), (char, used)
    assert {font.split("+")[-1] for font, _gid in glyphs_for(content, "𠇔")} == {
        "Noto-Serif-CJK-SC"
    }
    assert "Noto-Serif-CJK-SC-GB2312-Bold" in {name.split("+")[-1] for name in fonts(content)}


def test_the_cut_faces_are_made_once_and_hold_gb2312_and_symbols(tmp_path, settings):
    import uharfbuzz as hb

    settings.PDF_FONT_DIR = tmp_path
    css = pdf_fonts.font_face_css()

    made = sorted(tmp_path.iterdir())
    assert [path.name.split("-")[2] for path in made] == ["bold", "normal"]
    assert all(path.as_uri() in css for path in made)
    face = hb.Face(hb.Blob.from_file_path(str(made[1])))
    chars = set(face.unicodes)
    assert pdf_fonts.gb2312() <= chars and len(pdf_fonts.gb2312()) == 7445  # 6,763 hanzi
    assert {ord(c) for c in "¥·—→①○×（）：、。"} <= chars
    assert ord("𠇔") not in chars and ord("堃") not in chars
    assert face.glyph_count < 9000  # the whole SC face has 65,535
    times = [path.stat().st_mtime_ns for path in made]
    assert pdf_fonts.font_face_css() == css  # made once, then found
    assert [path.stat().st_mtime_ns for path in made] == times


def test_without_the_cut_faces_documents_use_the_whole_face(
    finished_dispute, tmp_path, settings, monkeypatch
):
    def fail(source, target):
        raise OSError("read-only file system")

    settings.PDF_FONT_DIR = tmp_path
    monkeypatch.setattr(pdf_fonts, "cut", fail)
    assert pdf_fonts.font_face_css() == ""
    monkeypatch.setattr(pdf, "_font_config", None)  # as in a new process

    content = render_document(finished_dispute, "case-file")

    assert {name.split("+")[-1] for name in fonts(content)} == {
        "Noto-Serif-CJK-SC",
        "Noto-Serif-CJK-SC-Bold",
    }


def test_every_page_shows_the_case_number_and_page_x_of_y(finished_dispute):
    with translation.override("en"):
        pages = page_texts(render_document(finished_dispute, "case-file"))

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert finished_dispute.number in page
        assert f"Page {number} of {len(pages)}" in page


def test_the_footer_follows_the_word_order_of_the_translation():
    assert pdf.page_counter_content("第 %(page)s 页 / 共 %(pages)s 页") == (
        '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    )
    assert pdf.page_counter_content('Page %(page)s of "%(pages)s"') == (
        '"Page " counter(page) " of \\"" counter(pages) "\\""'
    )


def test_a_case_file_prints_in_chinese_by_default_with_chinese_dates(finished_dispute):
    with translation.override("zh-hans"):
        content = text(render_document(finished_dispute, "case-file"))
        closed = str(State.CLOSED.label)

    assert chinese_date(timezone.localdate(finished_dispute.finished_at)) in content
    assert closed in content
    assert "¥12,800.00" in content


def test_the_pdf_dates_come_from_the_case_and_it_has_no_random_identifier(finished_dispute):
    content = render_document(finished_dispute, "case-file")

    info = reader(content).metadata
    opened = timezone.localtime(finished_dispute.opened_at)
    assert info["/CreationDate"].startswith(f"D:{opened:%Y%m%d%H%M%S}")
    last_change = max(
        finished_dispute.finished_at,
        AuditEntry.objects.filter(case_id=finished_dispute.pk).latest("at").at,
    )
    assert info["/ModDate"].startswith(f"D:{timezone.localtime(last_change):%Y%m%d}")
    assert finished_dispute.number in info["/Title"]
    # No file identifier at all (optional without encryption), so none that could differ.
    assert "/ID" not in reader(content).trailer


def test_a_finished_case_prints_to_the_same_bytes_days_later_and_after_being_downloaded(
    finished_dispute, caseworker, monkeypatch
):
    first = render_document(finished_dispute, "case-file")
    from casework.audit import record

    record(
        AuditEntry.Action.DOCUMENT_DOWNLOADED,
        by=caseworker,
        case=finished_dispute,
        details={"document": "case-file"},
    )
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    second = render_document(finished_dispute, "case-file")

    assert first == second


# --- no network, no stray files ------------------------------------------------------------------


def test_documents_load_only_files_of_the_pdf_templates_folder_and_the_cut_fonts(settings):
    fetcher = pdf._local_fetcher()

    response = fetcher.fetch(pdf.STYLESHEET.as_uri())
    assert b"@page" in response.read()
    response.close()
    pdf_fonts.font_face_css()
    font = next(settings.PDF_FONT_DIR.glob("*.otf"))
    response = fetcher.fetch(font.as_uri())
    assert response.read(4) == b"OTTO"
    response.close()
    for url in [
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/casework/app.css",
        "file:///etc/passwd",
        (pdf.PDF_TEMPLATES / ".." / "base.html").as_uri(),
        (settings.PDF_FONT_DIR / ".." / "casework.sqlite3").as_uri(),
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_one_font_configuration_serves_every_render(finished_dispute):
    render_document(finished_dispute, "intake-record")
    first = pdf._font_config

    render_document(finished_dispute, "intake-record")

    assert first is not None and pdf._font_config is first


def test_pdf_dates_are_w3c_times_in_china_time():
    moment = datetime.datetime(2026, 11, 29, 6, 5, 4, 123456, tzinfo=datetime.UTC)

    assert pdf.w3c_datetime(moment) == "2026-11-29T14:05:04+08:00"
    assert pdf.w3c_datetime(None) == ""
