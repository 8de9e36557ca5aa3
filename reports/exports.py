"""Exports for auditors: finished-case records as CSV and XLSX, the audit entries
of every export, and the background export jobs (the ZIP of case-file PDFs
builds on them). The audit log's own CSV is in `audit_views`, on these parts.

One QuerySet, `rows()`, defines the rows and columns of a finished-case export
for every path, so the columns are written once:

- CSV on PostgreSQL: that QuerySet's SQL (`query.sql_with_params()`) runs inside
  `COPY (SELECT …) TO STDOUT WITH CSV`, and the response streams COPY's own
  output in large chunks. The outer SELECT neutralises formulas and writes
  dates as ISO text, so no row passes through Python.
- CSV elsewhere (SQLite): the same QuerySet is iterated and written in Python,
  with the same neutralisation (`neutralise`) and formats.
- XLSX: the same QuerySet iterated into openpyxl's write-only workbook, with
  amounts as numbers formatted as yuan and a totals row.

Every export writes an "export started" entry (who, the filters, the row
count) before its first byte and an "export finished" entry (rows, bytes,
SHA-256 of exactly what was produced) after its last: the finish entry is
written by the generator after the last chunk has been handed on, so a
download cut off midway leaves only the first.

Only auditors and administrators export (`require_exporter`); only finished
cases are ever selected (`Selection.case_filter` always holds the finished
states).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from assistance.models import Approval
from cases.models import (
    FINISHED_STATES,
    CaseWorker,
    DisputeCounterparty,
    Kind,
    Occupation,
    Outcome,
    Payment,
)
from cases.models import Case as CaseModel
from casework import audit_chain, task_reaper
from casework.audit import Action, current_ip, record
from casework.models import AuditEntry, District, Office
from casework.periods import start_of_day
from casework.storage import Staged, is_disk_full

from . import bundles
from .models import ExportJob

logger = logging.getLogger(__name__)

BOM = "\ufeff".encode()
# COPY hands over one row at a time; the response gets chunks this large.
CHUNK_BYTES = 256 * 1024
ITERATOR_CHUNK = 2000
# A cell beginning with one of these is read by spreadsheets as a formula
# (OWASP's list: the four the issue names, plus tab and carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
YUAN_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"


def require_exporter(user) -> None:
    # Exports and the audit log hold case content: auditors only, not administrators.
    if not user.is_auditor:
        raise PermissionDenied(_("Only auditors can do this."))


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula, made plain text."""
    return "'" + text if text and text[0] in FORMULA_START else text


def _sql_neutralise(column: str) -> str:
    """`neutralise` as SQL, for the COPY path."""
    starts = ", ".join(f"E'{c.encode('unicode_escape').decode()}'" for c in FORMULA_START)
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


# --- the selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which finished cases an export holds: a period (local dates, both ends
    included) and optional filters; empty filters mean "all"."""

    finished_from: datetime.date | None = None
    finished_to: datetime.date | None = None
    kinds: tuple[str, ...] = ()
    offices: tuple[int, ...] = ()
    outcomes: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()
    districts: tuple[int, ...] = ()

    def case_filter(self, prefix: str = "") -> Q:
        """The conditions on the case row (reached through `prefix`)."""

        def q(**lookups) -> Q:
            return Q(**{prefix + name: value for name, value in lookups.items()})

        condition = q(state__in=FINISHED_STATES, finished_at__isnull=False)
        if self.finished_from:
            condition &= q(finished_at__gte=start_of_day(self.finished_from))
        if self.finished_to:
            condition &= q(finished_at__lt=start_of_day(self.finished_to + datetime.timedelta(1)))
        if self.kinds:
            condition &= q(kind__in=self.kinds)
        if self.offices:
            condition &= q(office_id__in=self.offices)
        if self.outcomes:
            condition &= q(outcome__in=self.outcomes)
        return condition

    def worker_filter(self, prefix: str = "") -> Q:
        """The conditions on the worker of a row."""
        condition = Q()
        if self.occupations:
            condition &= Q(**{prefix + "occupation__in": self.occupations})
        if self.districts:
            condition &= Q(**{prefix + "district_id__in": self.districts})
        return condition

    def case_workers(self):
        """The export's rows before their columns: one per worker of each case."""
        return CaseWorker.objects.filter(self.case_filter("case__"), self.worker_filter("worker__"))

    def cases(self):
        """The finished cases selected (for counts, and the case-file bundle)."""
        cases = CaseModel.objects.filter(self.case_filter())
        if self.occupations or self.districts:
            cases = cases.filter(
                Exists(
                    CaseWorker.objects.filter(self.worker_filter("worker__"), case=OuterRef("pk"))
                )
            )
        return cases

    def counts(self) -> dict[str, int]:
        return {"cases": self.cases().count(), "rows": self.case_workers().count()}

    def as_dict(self) -> dict:
        """JSON for an export job's filters and the audit entry."""
        return {
            "finished_from": self.finished_from.isoformat() if self.finished_from else None,
            "finished_to": self.finished_to.isoformat() if self.finished_to else None,
            "kinds": list(self.kinds),
            "offices": list(self.offices),
            "outcomes": list(self.outcomes),
            "occupations": list(self.occupations),
            "districts": list(self.districts),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Selection:
        def day(value):
            return datetime.date.fromisoformat(value) if value else None

        return cls(
            finished_from=day(data.get("finished_from")),
            finished_to=day(data.get("finished_to")),
            kinds=tuple(data.get("kinds", ())),
            offices=tuple(data.get("offices", ())),
            outcomes=tuple(data.get("outcomes", ())),
            occupations=tuple(data.get("occupations", ())),
            districts=tuple(data.get("districts", ())),
        )

    def describe(self) -> dict:
        """The filters as the audit log keeps them: ids, and the names as they are now
        (an office renamed later does not change what this export was)."""
        data = self.as_dict()
        if self.offices:
            data["office_names"] = list(
                Office.objects.filter(pk__in=self.offices)
                .order_by("pk")
                .values_list("name", flat=True)
            )
        if self.districts:
            data["district_names"] = list(
                District.objects.filter(pk__in=self.districts)
                .order_by("pk")
                .values_list("name", flat=True)
            )
        return data

    def file_name(self, extension: str) -> str:
        period = "-".join(d.isoformat() for d in (self.finished_from, self.finished_to) if d)
        return f"finished-cases{'-' + period if period else ''}.{extension}"


# --- the columns: one QuerySet for every path ----------------------------------------------

TEXT, DATE, AMOUNT, NUMBER = "text", "date", "amount", "number"


@dataclass(frozen=True)
class Column:
    name: str  # the annotation's name, and the column's name in COPY's SELECT
    title: str  # lazily translated: the header in the user's language
    type: str


COLUMNS = [
    Column("case_number", gettext_lazy("case number"), TEXT),
    Column("case_kind", gettext_lazy("kind"), TEXT),
    Column("office_name", gettext_lazy("office"), TEXT),
    Column("worker_name", gettext_lazy("worker"), TEXT),
    Column("id_masked", gettext_lazy("ID number"), TEXT),
    Column("occupation", gettext_lazy("occupation group"), TEXT),
    Column("district", gettext_lazy("district"), TEXT),
    Column("counterparties", gettext_lazy("counterparty"), TEXT),
    Column("credit_codes", gettext_lazy("unified social credit code"), TEXT),
    Column("caseworker", gettext_lazy("assignee"), TEXT),
    Column("opened", gettext_lazy("opened"), DATE),
    Column("finished", gettext_lazy("finished"), DATE),
    Column("days_open", gettext_lazy("days open"), NUMBER),
    Column("outcome", gettext_lazy("outcome"), TEXT),
    Column("claimed", gettext_lazy("amount claimed"), AMOUNT),
    Column("agreed", gettext_lazy("amount agreed"), AMOUNT),
    Column("recovered", gettext_lazy("amount recovered"), AMOUNT),
    Column("approved", gettext_lazy("amount approved"), AMOUNT),
    Column("disbursed", gettext_lazy("amount disbursed"), AMOUNT),
    Column("approvers", gettext_lazy("approved by"), TEXT),
    Column("card_number", gettext_lazy("card number"), TEXT),
    Column("valid_from", gettext_lazy("valid from"), DATE),
    Column("valid_to", gettext_lazy("valid to"), DATE),
]
NAMES = [c.name for c in COLUMNS]
# Rows in the order cases finished; a collective case's workers together.
SORT_KEYS = {"sort_at": F("case__finished_at"), "sort_case": F("case_id"), "sort_row": F("pk")}


class DaysBetween(Func):
    """Whole days from one date to a later one."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _labels(field: str, choices) -> Case:
    """A choice field's label in the active language, chosen in SQL."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


def _name(prefix: str) -> Coalesce:
    """A staff member's full name, or their login name when they have none."""
    return Coalesce(NullIf(F(f"{prefix}full_name"), Value("")), F(f"{prefix}username"))


def _joined(expression, separator: str):
    """The values of a related list, joined in the order they were entered."""
    ordered = {"order_by": "pk"} if connection.features.supports_aggregate_order_by_clause else {}
    return StringAgg(expression, Value(separator), **ordered)


def _for_kind(kind: str, expression, output_field=None) -> Case:
    """`expression` on the rows of one kind of case, NULL on the others (so that a
    correlated subquery runs only where it can find something)."""
    return Case(
        When(case__kind=kind, then=expression),
        default=None,
        output_field=output_field or CharField(),
    )


def _column_expressions() -> dict:
    local = timezone.get_default_timezone()
    amount = DecimalField(max_digits=14, decimal_places=2)
    separator = pgettext("separator of names in an export cell", "; ")
    chain = DisputeCounterparty.objects.filter(dispute_id=OuterRef("case_id")).order_by()
    recovered = (
        Payment.objects.valid()
        .filter(dispute_id=OuterRef("case_id"), worker_id=OuterRef("worker_id"))
        .order_by()
        .values("dispute_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    approvers = (
        Approval.objects.filter(
            application_id=OuterRef("case_id"),
            round=OuterRef("case__aidapplication__approval_round"),
        )
        .order_by()
        .values("application_id")
        .annotate(names=_joined(_name("approver__"), separator))
        .values("names")
    )
    opened = TruncDate("case__opened_at", tzinfo=local)
    finished = TruncDate("case__finished_at", tzinfo=local)
    return {
        "case_number": F("case__number"),
        "case_kind": _labels("case__kind", Kind.choices),
        "office_name": F("case__office__name"),
        "worker_name": F("worker__name"),
        "id_masked": F("worker__id_masked"),
        "occupation": _labels("worker__occupation", Occupation.choices),
        "district": F("worker__district__name"),
        "counterparties": _for_kind(
            Kind.WAGE_DISPUTE,
            Subquery(
                chain.values("dispute_id")
                .annotate(names=_joined(F("counterparty__name"), separator))
                .values("names")
            ),
        ),
        "credit_codes": _for_kind(
            Kind.WAGE_DISPUTE,
            Subquery(
                chain.values("dispute_id")
                .annotate(
                    codes=_joined(
                        Coalesce(NullIf(F("counterparty__credit_code"), Value("")), Value("—")),
                        separator,
                    )
                )
                .values("codes")
            ),
        ),
        "caseworker": _name("case__assignee__"),
        "opened": opened,
        "finished": finished,
        "days_open": DaysBetween(opened, finished),
        "outcome": _labels("case__outcome", Outcome.choices),
        "claimed": F("amount_claimed"),
        "agreed": F("amount_agreed"),
        # Recovered is the sum of valid payments to this worker, never a typed total.
        "recovered": _for_kind(
            Kind.WAGE_DISPUTE,
            Coalesce(Subquery(recovered), Value(Decimal("0.00")), output_field=amount),
            output_field=amount,
        ),
        "approved": F("case__aidapplication__approved_amount"),
        "disbursed": F("case__aidapplication__disbursed_amount"),
        "approvers": _for_kind(Kind.HARDSHIP_AID, Subquery(approvers)),
        "card_number": NullIf(F("case__cardapplication__card_number"), Value("")),
        "valid_from": F("case__cardapplication__valid_from"),
        "valid_to": F("case__cardapplication__valid_to"),
    }


def rows(selection: Selection) -> models.QuerySet:
    """THE export: one tuple per worker of each finished case, the COLUMNS in
    their order followed by the SORT_KEYS (which no output shows).

    Labels (kind, occupation, outcome) are put into the SQL in the active
    language, so build this while the user's language is active.
    """
    return (
        selection.case_workers()
        .annotate(**_column_expressions(), **SORT_KEYS)
        .order_by(*SORT_KEYS)
        .values_list(*NAMES, *SORT_KEYS)
    )


def without_sort_keys(row: tuple) -> tuple:
    """A row of `rows()` as it is shown."""
    return row[: len(NAMES)]


def headers() -> list[str]:
    return [str(c.title) for c in COLUMNS]


def copy_sql(queryset: models.QuerySet) -> tuple[str, tuple]:
    """`COPY (SELECT …) TO STDOUT WITH CSV` around the export QuerySet's own SQL.

    The QuerySet's SQL and parameters come from `sql_with_params()` (never
    `str(query)`, which does not quote parameters); psycopg binds them
    client-side. The outer SELECT formats what Python formats on the other
    path: neutralised text, ISO dates, plain decimals (numeric's own output).
    """
    # OFFSET 0 keeps PostgreSQL from pulling the subquery up into the outer
    # SELECT, which would evaluate each column's correlated subquery once per
    # mention in the neutralising CASE. The outer ORDER BY is what promises the
    # order; the planner sees the subquery is already sorted and does not sort again.
    inner, params = queryset.query.sql_with_params()
    inner = f"{inner} OFFSET 0"
    outer = []
    for column in COLUMNS:
        name = connection.ops.quote_name(column.name)
        if column.type == TEXT:
            outer.append(_sql_neutralise(name))
        elif column.type == DATE:
            outer.append(f"to_char({name}, 'YYYY-MM-DD')")
        else:
            outer.append(name)
    order = ", ".join(connection.ops.quote_name(key) for key in SORT_KEYS)
    # The pieces are the ORM's own compiled SQL (values stay in params) and fixed column
    # names quoted by the backend: no user text reaches the string.
    select = f"SELECT {', '.join(outer)} FROM ({inner}) AS export ORDER BY {order}"  # nosec B608
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params


def csv_cell(value, type_: str) -> str:
    if value is None:
        return ""
    if type_ == TEXT:
        return neutralise(value)
    if type_ == DATE:
        return value.isoformat()
    if type_ == AMOUNT:
        return f"{value.quantize(Decimal('0.01')):f}"
    return str(value)


# --- CSV ----------------------------------------------------------------------------------


@dataclass
class Produced:
    """What a stream produced, filled in as it runs."""

    rows: int = 0
    size: int = 0
    sha256: str = ""


class _Writer:
    """csv.writer into a buffer that is emptied into chunks of CHUNK_BYTES."""

    def __init__(self):
        self.buffer = io.StringIO()
        # "\n" like COPY's CSV, so both paths write the same bytes.
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def row(self, cells) -> bytes | None:
        self.writer.writerow(cells)
        if self.buffer.tell() >= CHUNK_BYTES:
            return self.take()
        return None

    def take(self) -> bytes:
        data = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def header_bytes(titles: Iterable[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(titles)
    return BOM + buffer.getvalue().encode()


def python_csv(rows_iter: Iterable[tuple], types: list[str], produced: Produced) -> Iterator[bytes]:
    writer = _Writer()
    for row in rows_iter:
        produced.rows += 1
        chunk = writer.row([csv_cell(value, t) for value, t in zip(row, types, strict=True)])
        if chunk:
            yield chunk
    tail = writer.take()
    if tail:
        yield tail


@contextmanager
def copy_cursor():
    """A cursor for an export's COPY, in a transaction of its own settings.

    JIT compilation is off: the export's many expressions cost PostgreSQL a
    second or more to compile (in every parallel worker), more than they ever
    save. So are parallel workers: the correlated subqueries run in the leader
    anyway, and the workers would only take CPU from the process streaming
    the response.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield cursor


@contextmanager
def copy_out(cursor, sql: str, params):
    """psycopg's COPY on a Django cursor. Called on psycopg's own cursor: Django's
    debug wrapper (DEBUG, or a test counting queries) takes no parameters for COPY."""
    with connection.wrap_database_errors, cursor.cursor.copy(sql, params) as copy:
        yield copy


def copy_csv(sql: str, params, produced: Produced) -> Iterator[bytes]:
    """COPY's output, gathered into large chunks (it arrives one row at a time)."""
    buffer = bytearray()
    with copy_cursor() as cursor:
        with copy_out(cursor, sql, params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        produced.rows = cursor.cursor.rowcount
    if buffer:
        yield bytes(buffer)


def use_copy() -> bool:
    return connection.vendor == "postgresql"


def case_csv(selection: Selection, produced: Produced, *, via_copy: bool | None = None):
    """The finished-case CSV as chunks of bytes: BOM, header, rows.

    Everything that depends on the request (the language of the header and
    labels) is settled here, before the first chunk is asked for.
    """
    queryset = rows(selection)
    header = header_bytes(headers())
    via_copy = use_copy() if via_copy is None else via_copy
    if via_copy:
        sql, params = copy_sql(queryset)
        body = copy_csv(sql, params, produced)
    else:
        body = python_csv(
            map(without_sort_keys, queryset.iterator(chunk_size=ITERATOR_CHUNK)),
            [c.type for c in COLUMNS],
            produced,
        )

    def chunks():
        yield header
        yield from body

    return chunks()


# --- XLSX ---------------------------------------------------------------------------------


def case_xlsx(selection: Selection, produced: Produced):
    """The same rows as an .xlsx workbook (openpyxl, write-only), as chunks of bytes.

    The workbook is written to a temporary file row by row, then streamed; a
    totals row sums every amount column.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    queryset = rows(selection)
    titles = headers()
    sheet_title = _("Finished cases")[:31]
    total_label = _("Total")
    amount_indexes = [i for i, c in enumerate(COLUMNS) if c.type == AMOUNT]

    def chunks():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(COLUMNS, start=1):
            width = 12 if column.type in (DATE, AMOUNT, NUMBER) else 18
            sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)

        def cell(value, type_, font=None):
            if type_ == TEXT and value is not None:
                value = neutralise(value)
            c = WriteOnlyCell(sheet, value=value)
            if type_ == AMOUNT:
                c.number_format = YUAN_FORMAT
            elif type_ == DATE:
                c.number_format = DATE_FORMAT
            if font:
                c.font = font
            return c

        sheet.append([cell(title, TEXT, bold) for title in titles])
        totals = [Decimal("0.00") for _ in amount_indexes]
        for row in map(without_sort_keys, queryset.iterator(chunk_size=ITERATOR_CHUNK)):
            produced.rows += 1
            sheet.append([cell(v, c.type) for v, c in zip(row, COLUMNS, strict=True)])
            for n, i in enumerate(amount_indexes):
                totals[n] += row[i] or 0
        last = [cell(None, c.type) for c in COLUMNS]
        last[0] = cell(total_label, TEXT, bold)
        for n, i in enumerate(amount_indexes):
            last[i] = cell(totals[n], AMOUNT, bold)
        sheet.append(last)
        with tempfile.TemporaryFile() as file:
            workbook.save(file)
            file.seek(0)
            while chunk := file.read(CHUNK_BYTES):
                yield chunk

    return chunks()


# --- the audit entries of an export ---------------------------------------------------------


@dataclass
class Started:
    entry: AuditEntry
    by: object
    ip: str | None
    details: dict = field(default_factory=dict)


def start(*, by, what: str, format: str, filters: dict, count: dict, obj=None) -> Started:
    """Write "export started" (who, the filters, the count) before the first byte."""
    require_exporter(by)
    details = {"what": what, "format": format, "filters": filters, **count}
    # The chain head as this export found it: kept outside the database with the
    # export's record, it shows later whether the log was rewritten since.
    seq, head_hash = audit_chain.current_head()
    details["audit_chain_head"] = {"seq": seq, "hash": head_hash}
    entry = record(Action.EXPORT_STARTED, by=by, obj=obj, office=by.office_id, details=details)
    return Started(entry, by, current_ip.get(), {"what": what, "format": format})


def finish(started: Started, produced: Produced, obj=None) -> AuditEntry:
    """Write "export finished" with the SHA-256 of what was produced."""
    # Runs while the response streams, after the middleware that set the
    # address has returned: set it again for this entry.
    token = current_ip.set(started.ip)
    try:
        return record(
            Action.EXPORT_FINISHED,
            by=started.by,
            obj=obj,
            office=started.by.office_id,
            details={
                **started.details,
                "started": started.entry.pk,
                "rows": produced.rows,
                "bytes": produced.size,
                "sha256": produced.sha256,
            },
        )
    finally:
        current_ip.reset(token)


def audited(chunks: Iterator[bytes], started: Started, produced: Produced) -> Iterator[bytes]:
    """Pass the chunks on, hashing them; after the last one, write "export finished".

    If the download stops early the generator is closed at a `yield` and the
    finish entry is never written.
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        produced.size += len(chunk)
        yield chunk
    produced.sha256 = digest.hexdigest()
    finish(started, produced)


# --- background export jobs (the seam for the case-file bundle) --------------------------------
#
# A job is queued by `queue_job` (its row and "export started" in one
# transaction), then built by the task `build_export_job` in the worker
# (`manage.py db_worker`): the builder registered for its format in BUILDERS
# receives the job, the selected cases in order, a `progress(done)` callback and
# the open file to write to, a temporary file beside the job's final name
# (casework.storage.Staged). `run_job` hashes it, renames it into place and writes
# "export finished", holding the job's row, and only if this build is still the
# job's latest: no half-written ZIP is ever under the job's name.
#
# Any run may be a re-run (the reaper hands a dead worker's task to another, an
# auditor tries again): a finished job is left as it is, and a new build starts
# from nothing and removes what an earlier killed build left behind. A build that
# fails for a passing reason (TRANSIENT) is queued again after a pause, up to
# EXPORT_MAX_ATTEMPTS builds; then, or at once for any other failure, the job is
# failed with its reason and "export failed" is written.

# format -> builder(job, cases, progress, out) -> None
BUILDERS: dict[str, Callable] = {ExportJob.Format.ZIP: bundles.build_case_files}
# The database restarting, a disk full for a while: worth another try later.
TRANSIENT = (OperationalError, InterfaceError, OSError)
HASH_CHUNK = 1024 * 1024


def job_file_name(job: ExportJob) -> str:
    return f"exports/case-files-{job.pk}.zip"


def _job_path(job: ExportJob) -> str:
    return ExportJob._meta.get_field("file").storage.path(job_file_name(job))


def _locked(job_id: int) -> ExportJob:
    return ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)


def _started_entry(job: ExportJob) -> AuditEntry | None:
    return AuditEntry.objects.filter(
        action=Action.EXPORT_STARTED, object_type="exportjob", object_id=str(job.pk)
    ).first()


@transaction.atomic
def queue_job(selection: Selection, *, format: str, by) -> ExportJob:
    require_exporter(by)
    total = selection.cases().count()
    job = ExportJob.objects.create(
        format=format, filters=selection.as_dict(), requested_by=by, total=total
    )
    start(
        by=by,
        what="case_files",
        format=format,
        filters=selection.describe(),
        count={"cases": total},
        obj=job,
    )
    return job


def _progress(job: ExportJob) -> Callable[[int], None]:
    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)
        task_reaper.beat()  # a long build keeps its claim while it moves on

    return progress


def _with_database(write: Callable[[], ExportJob | None]) -> ExportJob | None:
    """Run a bookkeeping write, riding out a database that is restarting (about a
    minute). Past that the error goes on: the worker dies with the task still
    RUNNING, and the reaper hands it on when a worker starts again."""
    for pause in (1, 2, 4, 8, 15, 30, None):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if pause is None:
                raise
            if not connection.in_atomic_block:  # (as in the worker; a test wraps its own)
                connection.close()  # the next query opens a fresh connection
            time.sleep(pause)
    raise AssertionError("unreachable")


def _begin(job_id: int) -> ExportJob | None:
    """A build begins: the job running, one attempt more, its progress back to zero;
    None when the job is already done or failed (a second run does nothing)."""
    return _with_database(lambda: _begin_once(job_id))


def _begin_once(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = _locked(job_id)
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            logger.info("Export job %s is already %s: nothing to build.", job.pk, job.status)
            return None
        job.status, job.attempts, job.done = ExportJob.Status.RUNNING, job.attempts + 1, 0
        job.save(update_fields=["status", "attempts", "done"])
    return job


def _is_current(job: ExportJob, attempt: int) -> bool:
    current = job.status == ExportJob.Status.RUNNING and job.attempts == attempt
    if not current:
        logger.warning(
            "Export job %s: build %s is no longer the latest (now %s, build %s); it is dropped.",
            job.pk,
            attempt,
            job.status,
            job.attempts,
        )
    return current


def _digest(file) -> tuple[str, int]:
    file.flush()
    file.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := file.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _publish(job_id: int, attempt: int, staged: Staged) -> ExportJob:
    """Rename the built file into place and finish the job, if this build is the latest."""
    sha256, size = _digest(staged.file)
    return _with_database(lambda: _publish_once(job_id, attempt, staged, sha256, size))


def _publish_once(job_id: int, attempt: int, staged: Staged, sha256: str, size: int) -> ExportJob:
    with transaction.atomic():
        job = _locked(job_id)
        if not _is_current(job, attempt):
            return job
        staged.publish()
        job.file.name = job_file_name(job)
        job.status, job.reason, job.error = ExportJob.Status.DONE, "", ""
        job.sha256, job.size, job.finished_at = sha256, size, timezone.now()
        job.save(
            update_fields=["file", "status", "reason", "error", "sha256", "size", "finished_at"]
        )
        started = _started_entry(job)
        record(
            Action.EXPORT_FINISHED,
            by=job.requested_by,
            obj=job,
            office=job.requested_by.office_id,
            details={
                "what": "case_files",
                "format": job.format,
                "started": started.pk if started else None,
                "cases": job.done,
                "bytes": size,
                "sha256": sha256,
                "attempt": attempt,
            },
        )
    return job


def _reason(error: BaseException) -> str:
    if isinstance(error, (OperationalError, InterfaceError)):
        return ExportJob.Reason.DATABASE
    if isinstance(error, OSError):
        return ExportJob.Reason.DISK_FULL if is_disk_full(error) else ExportJob.Reason.STORAGE
    return ExportJob.Reason.ERROR


def _mark_failed(job: ExportJob, reason: str, detail: str) -> ExportJob:
    """Fail a job whose row the caller holds, and write "export failed"."""
    job.status, job.reason, job.error = ExportJob.Status.FAILED, reason, detail[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "reason", "error", "finished_at"])
    started = _started_entry(job)
    record(
        Action.EXPORT_FAILED,
        by=job.requested_by,
        obj=job,
        office=job.requested_by.office_id,
        details={
            "what": "case_files",
            "format": job.format,
            "started": started.pk if started else None,
            "reason": reason,
            "attempts": job.attempts,
            "cases_done": job.done,
        },
    )
    return job


def _fail(job_id: int, attempt: int, error: BaseException) -> ExportJob:
    reason = _reason(error)
    logger.error(
        "Export job %s failed in build %s (%s): %s: %s",
        job_id,
        attempt,
        reason,
        type(error).__name__,
        error,
    )

    def mark() -> ExportJob:
        with transaction.atomic():
            job = _locked(job_id)
            if not _is_current(job, attempt):
                return job
            return _mark_failed(job, reason, f"{type(error).__name__}: {error}")

    return _with_database(mark)


def _enqueue(job_id: int, delay: int = 0) -> None:
    task = build_export_job
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    task.enqueue(job_id)


def _try_later(job_id: int, attempt: int, error: BaseException) -> ExportJob:
    """After a passing failure: queued again after a pause growing fourfold, or failed
    once EXPORT_MAX_ATTEMPTS builds have been tried."""
    if attempt >= settings.EXPORT_MAX_ATTEMPTS:
        return _fail(job_id, attempt, error)
    delay = settings.EXPORT_RETRY_SECONDS * 4 ** (attempt - 1)
    logger.warning(
        "Export job %s: build %s of %s failed (%s: %s); trying again in %s s.",
        job_id,
        attempt,
        settings.EXPORT_MAX_ATTEMPTS,
        type(error).__name__,
        error,
        delay,
    )

    def requeue() -> ExportJob:
        with transaction.atomic():
            job = _locked(job_id)
            if not _is_current(job, attempt):
                return job
            job.status, job.reason = ExportJob.Status.QUEUED, _reason(error)
            job.error = f"Build {attempt}: {type(error).__name__}: {error}"[:2000]
            job.save(update_fields=["status", "reason", "error"])
            transaction.on_commit(lambda: _enqueue(job_id, delay))
            return job

    return _with_database(requeue)


def run_job(job_id: int) -> ExportJob:
    """Build a queued job's file with its format's builder (in the task worker)."""
    job = _begin(job_id)
    if job is None:
        return ExportJob.objects.get(pk=job_id)
    attempt, path, prefix = job.attempts, _job_path(job), f"case-files-{job.pk}"
    # What a build killed midway left (its worker died): never published, now removed.
    for leftover in Staged.leftovers(path, prefix):
        leftover.unlink(missing_ok=True)
    cases = Selection.from_dict(job.filters).cases().order_by("finished_at", "pk")
    try:
        with Staged(path, prefix=prefix) as staged:
            BUILDERS[job.format](job, cases, _progress(job), staged.file)
            return _publish(job.pk, attempt, staged)
    except TRANSIENT as error:
        return _try_later(job.pk, attempt, error)
    except Exception as error:
        _fail(job.pk, attempt, error)
        raise


@transaction.atomic
def retry_job(job_id: int, *, by) -> ExportJob:
    """An auditor tries a failed job of theirs again; logged. ExportJob.DoesNotExist when
    it is not theirs, ValidationError when it has not failed."""
    require_exporter(by)
    job = ExportJob.objects.select_for_update().get(pk=job_id, requested_by=by)
    if job.status != ExportJob.Status.FAILED:
        raise ValidationError(_("Only a ZIP that failed can be tried again."))
    reason = job.reason
    job.status, job.attempts, job.done = ExportJob.Status.QUEUED, 0, 0
    job.reason, job.error, job.finished_at = "", "", None
    job.save(update_fields=["status", "attempts", "done", "reason", "error", "finished_at"])
    record(
        Action.EXPORT_RETRIED,
        by=by,
        obj=job,
        office=by.office_id,
        details={"what": "case_files", "format": job.format, "reason": reason},
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_given_up(task_row, reason: str) -> None:
    """The reaper gave up the task building a job (its worker died each time): the job
    is failed, so that the auditor sees it and can try again. In the reaper's
    transaction."""
    job_id = task_row.args_kwargs["args"][0]
    job = (
        ExportJob.objects.select_for_update()
        .select_related("requested_by")
        .filter(pk=job_id)
        .first()
    )
    if job is not None and job.status not in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
        _mark_failed(job, ExportJob.Reason.WORKER_LOST, reason)


@task
def build_export_job(job_id: int) -> None:
    """Enqueue with `build_export_job.enqueue(job.pk)` once the job's row is committed
    (`transaction.on_commit`)."""
    run_job(job_id)
