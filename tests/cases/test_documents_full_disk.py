"""An upload when the document store is full or cannot be written to: the user is told
next to the file field, and neither a Document row nor a file (whole or half) is left.

The store is the project's own (casework.storage.AtomicFileSystemStorage) on a real
folder; only its copying of the bytes is made to fail as a full disk does, after
half the file has reached the disk.
"""

import errno

import pytest

from cases.models import Document, State
from casework import storage
from casework.models import AuditEntry
from tests.cases.test_documents import PDF, stored_files, upload
from tests.factories import wage_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediating(office, caseworker, document_storage):
    return wage_dispute(office, by=caseworker, state=State.MEDIATING)


@pytest.fixture
def failing_store(monkeypatch):
    """`failing_store(errno)`: every file written from now on fails with that error,
    once half of it is on disk (ENOSPC), or before a byte is written (others)."""

    def fail_with(code: int):
        def write_chunks(content, out):
            if code == errno.ENOSPC:
                data = b"".join(content.chunks())
                out.write(data[: len(data) // 2])
                out.flush()
            raise OSError(code, "simulated: " + errno.errorcode[code])

        monkeypatch.setattr(storage, "write_chunks", write_chunks)

    return fail_with


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            errno.ENOSPC,
            "The document store is full: the file was not saved. Tell the administrator.",
        ),
        (
            errno.EROFS,
            "The document store cannot be written to: the file was not saved. "
            "Tell the administrator.",
        ),
        (
            errno.EACCES,
            "The document store cannot be written to: the file was not saved. "
            "Tell the administrator.",
        ),
    ],
)
def test_an_upload_to_a_full_or_read_only_store_says_so_and_leaves_nothing_behind(
    login_as, caseworker, mediating, document_storage, failing_store, shown_field, code, message
):
    failing_store(code)

    response = upload(login_as(caseworker), mediating, "劳动合同.pdf", PDF)

    assert response.status_code == 400
    errors, _ = shown_field(response, "upload")
    assert errors == [message]
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(action="document_uploaded").exists()
    assert stored_files(document_storage) == []  # not the half file, not a temporary one


def test_the_full_store_message_is_in_chinese_by_default(
    client, caseworker, mediating, document_storage, failing_store
):
    failing_store(errno.ENOSPC)
    client.force_login(caseworker)

    response = upload(client, mediating, "劳动合同.pdf", PDF)

    assert "文档存储空间已满，文件没有保存。请告知管理员。" in response.content.decode()


def test_once_there_is_room_again_the_same_upload_is_kept(
    login_as, caseworker, mediating, document_storage, monkeypatch, failing_store
):
    real = storage.write_chunks
    failing_store(errno.ENOSPC)
    client = login_as(caseworker)
    upload(client, mediating, "劳动合同.pdf", PDF)
    monkeypatch.setattr(storage, "write_chunks", real)

    response = upload(client, mediating, "劳动合同.pdf", PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    [stored] = stored_files(document_storage)
    assert stored.read_bytes() == PDF
    assert document.file.path == str(stored)
    assert AuditEntry.objects.filter(action="document_uploaded").count() == 1
