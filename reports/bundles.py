"""The case-file bundle: a ZIP of the case-file PDFs of a selection of finished cases,
with a manifest of each file's SHA-256, built by an export job in the task worker.

The builder is `exports.BUILDERS`' entry for ZIP (see `exports.run_job`, which gives it
a temporary file beside the job's final name, then hashes it, renames it into place and
writes "export finished"). It renders one case at a time, each in no transaction of
its own (rendering takes locks on nothing and may take seconds a case), writes each
PDF into the ZIP as soon as it exists, and moves the job's progress on after every
case. Only the case numbers are read up front; each case is loaded again when its
turn comes, and a case that is no longer finished by then (a supervisor reopened it)
is left out, so an open case is never in the bundle.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

from django.conf import settings
from django.utils import timezone, translation

from cases.documents import case_file

from .models import ExportJob

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["case_number", "file", "sha256", "bytes"]


def member_name(number: str) -> str:
    return f"{number}-case-file.pdf"


def bundle_name(day=None) -> str:
    return f"case-files-{(day or timezone.localdate()).isoformat()}.zip"


def build_case_files(job: ExportJob, cases, progress, out) -> None:
    """The ZIP of `cases` (a QuerySet of finished cases, in order), written into the
    open binary file `out`: each case's case file as `<case number>-case-file.pdf`,
    and `manifest.csv` (UTF-8 with a BOM, one row a file: case number, file name,
    SHA-256, size)."""
    pks = list(cases.values_list("pk", flat=True))
    ExportJob.objects.filter(pk=job.pk).update(total=len(pks))
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle,
        translation.override(settings.LANGUAGE_CODE),
    ):
        done = 0
        for pk in pks:
            # Loaded again, through the same filter: still finished now.
            case = cases.filter(pk=pk).first()
            if case is not None:
                pdf, _sha256 = case_file(case)  # a finished case's is kept: see StoredCaseFile
                name = member_name(case.number)
                bundle.writestr(name, pdf)
                writer.writerow([case.number, name, hashlib.sha256(pdf).hexdigest(), len(pdf)])
            done += 1
            progress(done)
        bundle.writestr(MANIFEST, "\ufeff" + manifest.getvalue())
