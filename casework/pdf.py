"""Printable documents: HTML templates in `templates/pdf/` rendered to A4 PDF by WeasyPrint.

- Fonts are the system's Noto CJK faces (Debian `fonts-noto-cjk`), found by
  fontconfig and read from disk; WeasyPrint subsets them with HarfBuzz
  (`libharfbuzz-subset0`) and embeds the subsets, so a file looks the same on
  any computer.
- One `FontConfiguration` serves every render of the process: WeasyPrint
  otherwise sets up fontconfig and Pango afresh each time and the process
  grows with every render. Pango's font map is not safe to share between
  threads, so renders take turns (one lasts a fraction of a second).
- Text is set in Noto Serif CJK SC cut down to GB 2312 (`casework/pdf_fonts.py`):
  embedding the whole face took a third of the time of a case file.
- The print stylesheet `templates/pdf/pdf.css` is read from disk and parsed
  once (again when the file changes). Documents may refer to files in
  `templates/pdf/` and to the cut fonts, and nothing else: no network, no other file.
- The output depends only on the template and its context: WeasyPrint writes
  no dates unless the document gives them (`created`, `modified`), and no file
  identifier (optional in an unencrypted PDF; pydyf would compress every
  stream a second time to digest them). The same case gives the same bytes
  every time.
- The cyclic garbage collector is paused while a document is built (see
  `gc_paused`): it otherwise takes a quarter of the time.

WeasyPrint is imported when a document is first printed, not when Django starts.
"""

import atexit
import contextlib
import datetime
import gc
import logging
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import pgettext

from casework import pdf_fonts

PDF_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "pdf"
STYLESHEET = PDF_TEMPLATES / "pdf.css"

# WeasyPrint reports each step of each render at INFO: seven lines per document.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_lock = threading.Lock()
_font_config = None
_stylesheet = None  # (mtime, CSS)
_fetcher = None
_fonts = None  # the @font-face rules of the cut faces, parsed
_footers = {}  # CSS `content` of the page footer -> its parsed stylesheet


def _local_fetcher():
    """A URL fetcher that serves files of `templates/pdf/` and the cut fonts, and nothing else."""
    from weasyprint.urls import URLFetcher

    allowed = (PDF_TEMPLATES.resolve(), Path(settings.PDF_FONT_DIR).resolve())

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"Printable documents load nothing over the network: {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(directory) for directory in allowed):
                raise ValueError(f"Printable documents load only files of {allowed}: {url}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file",), allow_redirects=False)


def _setup():
    """The process's font configuration, URL fetcher and parsed stylesheets (lock held)."""
    global _font_config, _stylesheet, _fetcher, _fonts
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
        _fetcher = _local_fetcher()
        _fonts = CSS(
            string=pdf_fonts.font_face_css(), font_config=_font_config, url_fetcher=_fetcher
        )
    mtime = STYLESHEET.stat().st_mtime_ns
    if _stylesheet is None or _stylesheet[0] != mtime:
        css = CSS(
            filename=str(STYLESHEET),
            base_url=str(PDF_TEMPLATES) + "/",
            url_fetcher=_fetcher,
            font_config=_font_config,
        )
        _stylesheet = (mtime, css)
    return _font_config, _fetcher, [_fonts, _stylesheet[1]]


@atexit.register
def _forget_fonts():
    """Let the font configuration go while the interpreter still runs: it then deletes
    its temporary copies of the cut fonts (WeasyPrint copies `@font-face` files)."""
    global _font_config, _fonts, _stylesheet
    _font_config = _fonts = _stylesheet = None
    _footers.clear()


def _footer(content: str):
    """The page footer ("第 X 页 / 共 Y 页") in the active language, parsed once per language."""
    from weasyprint import CSS

    if content not in _footers:
        _footers[content] = CSS(
            string=f"@page {{ @bottom-center {{ content: {content}; }} }}",
            font_config=_font_config,
            url_fetcher=_fetcher,
        )
    return _footers[content]


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while a document is built.

    WeasyPrint allocates a few hundred thousand objects for a document of a few
    pages, and each batch of allocations sets off a collection that walks the
    whole heap of a Django process: about a quarter of the render time. Almost
    all of those objects are freed by reference counting when the render ends,
    and the collector runs again as soon as the last pause (of any thread) ends.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def w3c_datetime(value: datetime.datetime | None) -> str:
    """A time as the W3C date WeasyPrint reads from `dcterms.*` meta tags, in China time."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def page_counter_content(text: str) -> str:
    """A CSS `content` value from a translated "Page %(page)s of %(pages)s".

    The word order differs between languages, so the counters are put where the
    translation has its placeholders.
    """
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return quoted.replace("%(page)s", '" counter(page) "').replace(
        "%(pages)s", '" counter(pages) "'
    )


def render_pdf(
    template_name: str,
    context: dict,
    *,
    created: datetime.datetime | None = None,
    modified: datetime.datetime | None = None,
) -> bytes:
    """Render a template of `templates/pdf/` to PDF bytes in the active language.

    `created` and `modified` become the PDF's dates (omitted when None): pass
    times from the document's own data, never the time of printing. Never call
    this inside a database transaction: it takes a while and needs no locks.
    """
    from weasyprint import HTML

    with gc_paused():
        html = render_to_string(
            template_name,
            {
                **context,
                "pdf_created": w3c_datetime(created),
                "pdf_modified": w3c_datetime(modified),
            },
        )
        footer = page_counter_content(pgettext("pdf footer", "Page %(page)s of %(pages)s"))
        with _lock:
            font_config, fetcher, stylesheets = _setup()
            document = HTML(string=html, base_url=str(PDF_TEMPLATES) + "/", url_fetcher=fetcher)
            return document.write_pdf(
                stylesheets=[*stylesheets, _footer(footer)], font_config=font_config
            )
