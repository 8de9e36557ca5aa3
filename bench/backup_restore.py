"""A backup restored on a fresh database is whole: the drill of docs/deploy.md, run.

    .venv/bin/python bench/backup_restore.py

On the local PostgreSQL server (127.0.0.1:5432, user postgres) it builds a source
database with the demo data (migrate, seed_demo: cases of every kind, documents,
an audit log with its hash chain) and a document folder, then backs both up the
way the deployment guide says — `pg_dump --format=custom` and a tar of
DOCUMENT_ROOT — restores them into a new database and a new folder, and checks:

- `manage.py verify_audit_chain` passes on the restored database;
- every table has the same number of rows as the source;
- the documents are the same files (SHA-256 of each);
- `manage.py migrate --check` finds nothing to apply.

It prints each check and the time each step took, and drops both databases at the
end (`--keep` keeps them). Exit status 1 if a check fails.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
SERVER = "postgres://postgres@127.0.0.1:5432"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]

# Three documents uploaded through the service the case page uses, on the first cases
# that a caseworker is working on.
UPLOADS = """
from django.core.files.uploadedfile import SimpleUploadedFile
from cases.models import Case
from cases.services import add_document
working = Case.objects.exclude(assignee=None).filter(finished_at=None).order_by("pk")
for n, case in enumerate(working[:3]):
    body = ("%PDF-1.4 证据材料 " + case.number + " " * 2000).encode()
    upload = SimpleUploadedFile(f"evidence-{n}.pdf", body, "application/pdf")
    add_document(case=case, by=case.assignee, upload=upload, content_type="application/pdf",
                 doc_type="evidence", title=f"证据材料 {n}")
"""


def run(command, env=None, check=True, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=env, check=check, **kwargs)


def manage(db: str, documents: Path, *args, capture=False, check=True):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"{SERVER}/{db}",
        "DOCUMENT_ROOT": str(documents),
        "DEMO_PASSWORD": "casework-demo",
    }
    return run([PY, "manage.py", *args], env=env, check=check, capture_output=capture, text=True)


def psql(db: str, sql: str) -> str:
    return run(
        ["psql", *PG, "-d", db, "-X", "-A", "-t", "-c", sql], capture_output=True, text=True
    ).stdout


def row_counts(db: str) -> dict[str, int]:
    tables = psql(
        db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).split()
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    return {
        name: int(count)
        for name, count in (line.split("|") for line in psql(db, union).splitlines() if line)
    }


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="cw_backup_source")
    parser.add_argument("--target", default="cw_backup_restored")
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casework-backup-"))
    source_docs, target_docs = work / "documents", work / "restored-documents"
    dump, archive = work / "casework.dump", work / "documents.tar.gz"
    failed = []
    timings = []

    def step(name, function):
        began = time.perf_counter()
        result = function()
        timings.append((name, time.perf_counter() - began))
        return result

    def check(name, ok, detail=""):
        print(f"  {'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        if not ok:
            failed.append(name)

    for db in (args.source, args.target):
        run(["dropdb", *PG, "--if-exists", "--force", db])
    try:
        run(["createdb", *PG, args.source])
        step("migrate the source", lambda: manage(args.source, source_docs, "migrate", "-v0"))
        step("demo data", lambda: manage(args.source, source_docs, "seed_demo", capture=True))
        step(
            "documents",
            lambda: manage(args.source, source_docs, "shell", "-c", UPLOADS, capture=True),
        )
        step(
            "back up: pg_dump",
            lambda: run(["pg_dump", *PG, "--format=custom", f"--file={dump}", args.source]),
        )

        def tar_documents():
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(source_docs, arcname="documents")

        step("back up: documents", tar_documents)
        run(["createdb", *PG, args.target])
        step(
            "restore: pg_restore",
            lambda: run(["pg_restore", *PG, "--no-owner", f"--dbname={args.target}", str(dump)]),
        )

        def untar_documents():
            with tarfile.open(archive) as tar:
                tar.extractall(work / "restore", filter="data")
            (work / "restore" / "documents").rename(target_docs)

        step("restore: documents", untar_documents)

        print(
            f"backup of {args.source} ({dump.stat().st_size:,} bytes, documents "
            f"{archive.stat().st_size:,} bytes) restored into {args.target}:"
        )
        verify = manage(args.target, target_docs, "verify_audit_chain", capture=True, check=False)
        check("the audit chain verifies", verify.returncode == 0, verify.stdout.strip())
        before, after = row_counts(args.source), row_counts(args.target)
        differing = [t for t in before if before[t] != after.get(t)]
        check(
            "every table has the same rows",
            not differing and before.keys() == after.keys(),
            f"{len(before)} tables, {sum(before.values()):,} rows"
            + (f"; differ: {', '.join(differing)}" if differing else ""),
        )
        source_files, target_files = digests(source_docs), digests(target_docs)
        check(
            "the documents are the same files",
            source_files == target_files,
            f"{len(source_files)} files",
        )
        pending = manage(args.target, target_docs, "migrate", "--check", capture=True, check=False)
        check("no migration left to apply", pending.returncode == 0)
    except subprocess.CalledProcessError as error:
        print(f"  FAIL {error.cmd[0:3]}: exit {error.returncode}\n{error.stderr or ''}")
        failed.append("a step")
    finally:
        if not args.keep:
            for db in (args.source, args.target):
                run(["dropdb", *PG, "--if-exists", "--force", db])
    for name, seconds in timings:
        print(f"  {name:<24} {seconds:6.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
