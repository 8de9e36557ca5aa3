"""What the browser journeys share: finding things by what the user reads, and a few steps.

Names are looked up in the project's catalogue under zh-hans and the English
source is accepted too, so the tests hold while the Chinese catalogue is being
written and after it is compiled, and the same steps run in either language.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

from django.utils import translation
from playwright.sync_api import Dialog, Download, Locator, Page, expect
from pypdf import PdfReader
from stdnum.cn import ric

from casework.models import DibaoLine, User
from tests import factories
from tests.browser.conftest import login

# --- finding things by what the user reads --------------------------------------------


def in_language(language: str, message: str, **params) -> str:
    """`message` as the interface shows it in `language` ("zh-hans" or "en")."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % params if params else text


def zh(message: str, **params) -> str:
    """`message` as the Chinese interface shows it (the English source while untranslated)."""
    return in_language("zh-hans", message, **params)


def exactly(message: str, **params) -> re.Pattern:
    """An accessible name: the Chinese text or the English source, and nothing more."""
    english = message % params if params else message
    return re.compile(f"^({re.escape(zh(message, **params))}|{re.escape(english)})$")


def label(message: str, **params) -> re.Pattern:
    """A field's label, which may be capitalised and followed by "(required)"."""
    english = message % params if params else message
    return re.compile(f"{re.escape(zh(message, **params))}|{re.escape(english)}", re.IGNORECASE)


def only_label(message: str, **params) -> re.Pattern:
    """A field's whole label: the text, capitalised or not, and at most its required mark."""
    english = message % params if params else message
    required = f"{re.escape(zh('(required)'))}|{re.escape('(required)')}"
    return re.compile(
        f"^({re.escape(zh(message, **params))}|{re.escape(english)})\\s*\\*?\\s*({required})?$",
        re.IGNORECASE,
    )


def said_count(singular: str, plural: str, count: int, **params) -> re.Pattern:
    """A message with a count (`{% blocktranslate count %}`) anywhere in a text, in
    Chinese or in the English source; `count` is also passed as `counter`."""
    params = {"counter": count, **params}
    with translation.override("zh-hans"):
        chinese = translation.ngettext(singular, plural, count) % params
    english = (singular if count == 1 else plural) % params
    return re.compile(f"{re.escape(chinese)}|{re.escape(english)}")


def choice(label, language: str = "zh-hans") -> str:
    """A model choice's label (`State.CLOSED.label`, lazily translated) in `language`."""
    with translation.override(language):
        return str(label)


def yuan(amount) -> str:
    return f"¥{Decimal(amount):,.2f}"


def disclosure(page: Page, title: str) -> Locator:
    """One of the case page's disclosures ("What you can do now"), open or not."""
    # A <details> group takes no name from its <summary>: find it through the summary.
    summary = page.locator("summary").filter(has_text=exactly(title))
    return page.get_by_role("group").filter(has=summary)


def open_action(page: Page, title: str) -> Locator:
    """Open one of the case page's disclosures, unless it is open already, and return it."""
    group = disclosure(page, title)
    if group.get_attribute("open") is None:
        group.locator("summary").first.click()
    return group


def action_offered(page: Page, title: str) -> Locator:
    """Every way the case page offers `title`: a disclosure's summary or a button."""
    summaries = page.locator("summary").filter(has_text=exactly(title))
    return summaries.or_(page.get_by_role("button", name=exactly(title)))


def take_step(page: Page, title: str, *, to_state: str) -> None:
    """Run a transition whose form needs nothing but its button, and check the new state."""
    action = open_action(page, title)
    action.get_by_role("button", name=exactly(title)).click()
    expect_state(page, to_state)


def expect_state(page: Page, state: str) -> None:
    """The page says the case moved to `state` (in Chinese or English), and its heading shows it."""
    done = "Done: the case is now “%(state)s”."
    message = re.compile(
        f"{re.escape(zh(done, state=zh(state)))}|{re.escape(done % {'state': state})}"
    )
    expect(page.get_by_role("status").get_by_text(message)).to_be_visible()
    # The badge capitalises the state's first letter.
    shown = re.compile(f"{re.escape(zh(state))}|{re.escape(state)}", re.IGNORECASE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(shown)


def expect_message(page: Page, message: str, **params) -> None:
    """The page's messages say `message`, in Chinese or in the English source."""
    expect(page.get_by_role("status").get_by_text(said(message, **params))).to_be_visible()


def fact(page: Page, term: str) -> Locator:
    """The value (<dd>) shown for `term` (<dt>) in one of the page's lists of facts."""
    # A <dt>/<dd> pair has no accessible relation Playwright exposes: pair them by order.
    name = exactly(term)
    return page.get_by_role("term").filter(has_text=name).locator("xpath=following-sibling::dd[1]")


def money_totals(page: Page) -> Locator:
    """The "Total" row of the workers-and-money table: claimed, agreed, recovered, outstanding."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=exactly("Total")))


def totals_pattern(claimed, agreed, recovered, outstanding) -> re.Pattern:
    return re.compile(
        r"\s*".join(re.escape(yuan(a)) for a in (claimed, agreed, recovered, outstanding))
    )


def field_block(control: Locator) -> Locator:
    """The box a form control sits in with its label, help and error (includes/field.html)."""
    return control.locator("xpath=..")


def said(message: str, **params) -> re.Pattern:
    """`message` anywhere in a text, in Chinese or in the English source."""
    english = message % params if params else message
    return re.compile(f"{re.escape(zh(message, **params))}|{re.escape(english)}")


def expect_refused(control: Locator, message: str, **params) -> None:
    """The control is marked invalid, and its own block shows `message` as its error,
    which is also what a screen reader reads out with it."""
    expect(field_block(control)).to_contain_text(said(message, **params))
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_accessible_description(said(message, **params))


def screenshot(page: Page, artifacts_dir, name: str) -> None:
    page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)


def fits_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


# --- steps -------------------------------------------------------------------------------


def choose_language(page: Page, language: str) -> None:
    """On the login page, switch the interface to `language` with the top bar's button."""
    page.goto("/login/")
    html = page.locator("html")
    if html.get_attribute("lang") != language:
        name = {"en": "English", "zh-hans": "中文"}[language]
        page.get_by_role("button", name=name, exact=True).click()
    expect(html).to_have_attribute("lang", language)


def log_out(page: Page) -> None:
    page.get_by_role("button", name=exactly("Log out")).click()
    expect(page).to_have_url(re.compile(r"/login/"))


def switch_to(page: Page, user: User) -> None:
    """Log out whoever is in, and log `user` in through the form."""
    log_out(page)
    login(page, user.username, factories.PASSWORD)


def answer_confirmations(page: Page) -> list[str]:
    """Accept every "are you sure?" the page asks; returns the list of questions asked."""
    asked: list[str] = []

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    return asked


def csrf_token(page: Page) -> str:
    """The CSRF token the browser holds, as a forger with the user's session would use it."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def pdf_text(download: Download) -> str:
    """The text of a downloaded PDF, without white space: a table cell may wrap a phrase."""
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-"), content[:40]
    pages = PdfReader(io.BytesIO(content)).pages
    return squeezed("".join(page.extract_text() for page in pages))


def pdf_text_of(content: bytes) -> str:
    """The text of a PDF's bytes (a member of a downloaded ZIP), without white space."""
    assert content.startswith(b"%PDF-"), content[:40]
    return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def csv_rows(download: Download) -> list[list[str]]:
    """The rows of a downloaded CSV, after checking and stripping its UTF-8 byte-order mark."""
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"))))


def squeezed(text: str) -> str:
    """`text` without white space, to look for in `pdf_text`."""
    return re.sub(r"\s+", "", text)


# --- data ----------------------------------------------------------------------------------


def dibao_lines() -> None:
    """City-wide 低保 lines of ¥720 (urban) and ¥560 (rural) a person a month.

    The live server's flush removes the data migration's rows, so each test makes its own.
    """
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    DibaoLine.objects.create(district=None, residence="rural", monthly_amount=Decimal("560.00"))


def id_number_born(born: datetime.date, sequence: int = 1, region: str = "421303") -> str:
    """A valid ID number (nobody's) of someone born on `born`."""
    first_17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first_17 + ric.calc_check_digit(first_17 + "0")


def with_wrong_check_character(number: str) -> str:
    """`number` with a check character that does not match the other 17."""
    right = number[-1]
    wrong = next(c for c in "0123456789X" if c != right)
    return number[:-1] + wrong
