"""A roster for collective joining (集体入会), read from XLSX and checked row by row.

Nothing is saved while reading: `read_roster` returns every row with its problems
(a missing name, a bad ID checksum, the same ID twice in the file, already a
member), so the caseworker sees them all before confirming; the confirm saves
only the good rows, all at once (`members.services.import_roster`).
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from cases.models import Occupation, Worker
from casework.identity import (
    keyed_hash,
    normalize_id_number,
    validate_id_number,
    validate_phone,
)

# The template's columns, in order: what each header says and the row key it fills.
COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("id_number", gettext_lazy("ID number")),
    ("mobile", gettext_lazy("Mobile")),
    ("occupation", gettext_lazy("Occupation group")),
    ("employer", gettext_lazy("Platform or employer")),
]
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Row:
    line: int
    values: dict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Roster")
    sheet.append([str(label) for _key, label in COLUMNS])
    sheet.append(["张伟", "", "13912345678", str(Occupation.RIDER.label), "美团"])
    for column, width in zip("ABCDE", (12, 22, 15, 18, 24), strict=True):
        sheet.column_dimensions[column].width = width
    choices = book.create_sheet(_("Occupation groups"))
    for _value, label in Occupation.choices:
        choices.append([str(label)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _occupation(text: str) -> str:
    text = text.strip()
    for value, label in Occupation.choices:
        if text in (value, str(label)):
            return value
    return ""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile typed as a number
    return str(value).strip()


def read_roster(data: bytes) -> list[Row]:
    """Every data row of the first sheet, checked; ValidationError if unreadable."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise ValidationError(_("This is not an XLSX file; start from the template.")) from None
    sheet = book.worksheets[0]
    rows, seen = [], {}
    for line, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = [_cell(c) for c in (cells or ())][: len(COLUMNS)]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(_("A roster holds at most 2000 rows."))
        values = dict(zip([key for key, _label in COLUMNS], cells + [""] * 5, strict=False))
        rows.append(check_row(Row(line, values), seen))
    book.close()
    if not rows:
        raise ValidationError(_("The roster has no rows under its header."))
    _mark_members(rows)
    return rows


def check_row(row: Row, seen: dict) -> Row:
    values = row.values
    if not values["name"]:
        row.problems.append(_("The name is missing."))
    elif len(values["name"]) > 50:
        row.problems.append(_("The name is longer than 50 characters."))
    try:
        values["id_number"] = validate_id_number(values["id_number"])
    except ValidationError:
        values["id_number"] = normalize_id_number(values["id_number"])
        row.problems.append(_("The ID number is not valid (check the last character)."))
    else:
        if values["id_number"] in seen:
            row.problems.append(
                _("The same ID number is on row %(line)s.") % {"line": seen[values["id_number"]]}
            )
        else:
            seen[values["id_number"]] = row.line
    try:
        values["mobile"] = validate_phone(values["mobile"])
    except ValidationError:
        row.problems.append(_("The mobile number is not valid."))
    occupation = _occupation(values["occupation"])
    if not occupation:
        row.problems.append(_("Choose an occupation group from the template's list."))
    values["occupation"] = occupation or values["occupation"]
    values["employer"] = values["employer"][:100]
    return row


def _mark_members(rows: list[Row]) -> None:
    hashes = {keyed_hash(r.values["id_number"]): r for r in rows if r.values["id_number"]}
    members = Worker.objects.filter(id_hash__in=hashes, is_member=True)
    for worker in members.only("id_hash", "membership_number"):
        hashes[worker.id_hash].problems.append(
            _("Already a union member (%(number)s).") % {"number": worker.membership_number}
        )
