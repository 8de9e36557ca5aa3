"""Files that are either whole or not there: written beside their final name, then renamed.

Django's FileSystemStorage writes straight into the final name, so a full disk or
a killed process leaves half a file under a name the database may point to.
Here a file is written to a hidden temporary file in the same folder (so the rename
is atomic on every POSIX filesystem), flushed to disk, and only then given its
name; on any failure the temporary file is removed. Files are created readable
by their owner only (mkstemp's 0600): they hold personal data.

`AtomicFileSystemStorage` is the project's default storage (case documents,
export files); `Staged` is what it uses, and what the export jobs use to build a
ZIP in place.

`storage_error_message` turns the OSError of a full or unwritable store into what a
user is told.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

PARTIAL_SUFFIX = ".partial"
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def write_chunks(content, out) -> None:
    """Copy a Django File's chunks into an open binary file."""
    for chunk in content.chunks():
        out.write(chunk if isinstance(chunk, bytes) else chunk.encode())


class Staged:
    """A temporary file beside `path`: write to `.file`, then `publish()` gives it the
    name (or, leaving the `with` block unpublished, it is removed).

    `prefix` names the temporary file (`.<prefix>.<random>.partial`), so that a later
    attempt can find what an attempt killed midway left (`leftovers`).
    """

    def __init__(self, path: str | os.PathLike, prefix: str = ""):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{prefix or self.path.name}.", suffix=PARTIAL_SUFFIX
        )
        self.temp = Path(temp)
        self.file = os.fdopen(fd, "w+b")
        self.published = False

    @staticmethod
    def leftovers(path: str | os.PathLike, prefix: str) -> list[Path]:
        folder = Path(path).parent
        return sorted(folder.glob(f".{prefix}.*{PARTIAL_SUFFIX}")) if folder.is_dir() else []

    def publish(self, *, overwrite: bool = True, path: str | os.PathLike | None = None) -> None:
        """Flush to disk and rename. Without `overwrite`, FileExistsError if the name is
        taken (the temporary file stays, to be published under another name)."""
        target = Path(path) if path is not None else self.path
        if self.published and target == self.path:
            return  # already there (a bookkeeping step after it is being retried)
        if not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
        if overwrite:
            os.replace(self.temp, target)
        else:
            try:
                os.link(self.temp, target)  # fails if the name exists, unlike a rename
            except FileExistsError:
                raise
            except OSError as error:
                # A share without hard links (some SMB mounts): check, then rename.
                if error.errno not in NO_HARD_LINKS:
                    raise
                if target.exists():
                    raise FileExistsError(target) from None
                os.replace(self.temp, target)
            else:
                self.temp.unlink()
        self.path, self.published = target, True

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        if not self.published:
            self.temp.unlink(missing_ok=True)

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear whole under their name, or not at all."""

    def _save(self, name, content):
        full_path = self.path(name)
        with Staged(full_path) as staged:
            write_chunks(content, staged.file)
            while True:
                try:
                    staged.publish(overwrite=self._allow_overwrite, path=full_path)
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                else:
                    break
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return os.path.relpath(full_path, self.location).replace("\\", "/")


def is_disk_full(error: OSError) -> bool:
    return error.errno in DISK_FULL


def storage_error_message(error: OSError) -> str:
    """What a user is told when a file could not be stored."""
    if is_disk_full(error):
        return _("The document store is full: the file was not saved. Tell the administrator.")
    return _(
        "The document store cannot be written to: the file was not saved. Tell the administrator."
    )
