"""Documents on file: checked by content, size-limited, stored outside the web root and
served only through the case's own permission check, each download logged."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Document, State
from casework.models import AuditEntry
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

NOT_A_DOCUMENT = "This file is not a PDF, JPEG or PNG (its content was checked, not its name)."
WRONG_NAME = "The file's name does not match its content; rename it and try again."


@pytest.fixture
def mediating(office, caseworker, document_storage):
    return wage_dispute(office, by=caseworker, state=State.MEDIATING)


def upload(client, case, name, content, **fields):
    data = {
        "doc_type": "evidence",
        "title": "工资流水截图",
        "upload": SimpleUploadedFile(name, content),
        **fields,
    }
    return client.post(f"/cases/{case.number}/record/document/", data)


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("劳动合同.pdf", PDF, "application/pdf", "pdf"),
        ("转账记录.PNG", PNG, "image/png", "png"),
        ("工牌.jpg", JPEG, "image/jpeg", "jpg"),
        ("工牌.jpeg", JPEG, "image/jpeg", "jpg"),
    ],
)
def test_a_pdf_png_or_jpeg_is_kept_on_file_with_its_checksum(
    login_as, caseworker, mediating, document_storage, name, content, content_type, extension
):
    client = login_as(caseworker)

    response = upload(client, mediating, name, content)

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{mediating.number}/"
    document = Document.objects.get(case_id=mediating.pk)
    assert (document.title, document.doc_type, document.original_name) == (
        "工资流水截图",
        "evidence",
        name,
    )
    assert (document.content_type, document.size) == (content_type, len(content))
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == caseworker
    [stored] = stored_files(document_storage)
    assert stored.read_bytes() == content
    assert stored.suffix == f".{extension}"
    # The stored name carries nothing of the uploaded one (names can hold personal data).
    assert Path(name).stem not in document.file.name
    entry = AuditEntry.objects.get(action="document_uploaded", case_id=mediating.pk)
    assert (entry.actor, entry.object_id) == (caseworker, str(document.pk))
    assert entry.details["sha256"] == document.sha256
    page = client.get(f"/cases/{mediating.number}/").content.decode()
    assert f'<a href="/cases/{mediating.number}/documents/{document.pk}/">工资流水截图</a>' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", b"This is plain text pretending to be a PDF.", NOT_A_DOCUMENT),
        ("合同.pdf", b"<html><script>alert(1)</script></html>", NOT_A_DOCUMENT),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00", NOT_A_DOCUMENT),
        ("截图.pdf", PNG, WRONG_NAME),  # a PNG renamed .pdf
        ("截图.png", JPEG, WRONG_NAME),
        ("合同.jpg", PDF, WRONG_NAME),
        ("合同", PDF, WRONG_NAME),  # no extension at all
        ("合同.pdf.exe", PDF, WRONG_NAME),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_not_stored(
    login_as, caseworker, mediating, document_storage, shown_field, name, content, message
):
    client = login_as(caseworker)

    response = upload(client, mediating, name, content)

    assert response.status_code == 400
    assert shown_field(response, "upload")[0] == [message]
    # The rest of the form is kept for another try.
    assert 'value="工资流水截图"' in shown_field(response, "title")[1]
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []
    assert not AuditEntry.objects.filter(action="document_uploaded").exists()


def test_a_file_over_the_size_limit_is_refused(
    login_as, caseworker, mediating, document_storage, settings, shown_field
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    too_big = PDF + b"0" * (1024 * 1024 + 1 - len(PDF))

    response = upload(login_as(caseworker), mediating, "扫描件.pdf", too_big)

    assert response.status_code == 400
    assert shown_field(response, "upload")[0] == ["The file is larger than 1.0\xa0MB."]
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_a_file_of_exactly_the_size_limit_is_kept(
    login_as, caseworker, mediating, document_storage, settings
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    just_fits = PDF + b"0" * (1024 * 1024 - len(PDF))

    response = upload(login_as(caseworker), mediating, "扫描件.pdf", just_fits)

    assert response.status_code == 302
    assert Document.objects.get().size == 1024 * 1024


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"doc_type": "selfie"}, "doc_type", "Select a valid choice."),
        ({"upload": ""}, "upload", "This field is required."),
    ],
)
def test_a_document_without_a_title_type_or_file_is_refused(
    login_as, caseworker, mediating, document_storage, shown_field, fields, field, message
):
    client = login_as(caseworker)
    data = {"doc_type": "evidence", "title": "收据", "upload": SimpleUploadedFile("a.pdf", PDF)}
    data.update(fields)

    response = client.post(f"/cases/{mediating.number}/record/document/", data)

    assert response.status_code == 400
    errors = shown_field(response, field)[0]
    assert len(errors) == 1 and errors[0].startswith(message)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_an_empty_file_is_refused(login_as, caseworker, mediating, document_storage, shown_field):
    response = upload(login_as(caseworker), mediating, "空.pdf", b"")

    assert response.status_code == 400
    assert shown_field(response, "upload")[0] == ["The submitted file is empty."]
    assert stored_files(document_storage) == []


def test_no_document_can_be_added_to_a_finished_case(
    login_as, caseworker, office, document_storage
):
    finished = wage_dispute(office, by=caseworker, state=State.DECLINED)

    client = login_as(caseworker)

    response = upload(client, finished, "补充.pdf", PDF)

    assert response.status_code == 302
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert shown == ["That cannot be recorded in the case's current state."]
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


@pytest.mark.parametrize(("who", "status"), [("admin_user", 404), ("caseworker2", 404)])
def test_someone_not_working_the_case_cannot_add_a_document(
    request, login_as, mediating, document_storage, who, status
):
    response = upload(login_as(request.getfixturevalue(who)), mediating, "证据.pdf", PDF)

    assert response.status_code == status
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


# --- downloads --------------------------------------------------------------------------------


@pytest.fixture
def on_file(login_as, caseworker, mediating):
    upload(login_as(caseworker), mediating, "张三工资条.pdf", PDF)
    return Document.objects.get()


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "city_supervisor"])
def test_a_permitted_user_downloads_the_file_named_after_the_case_and_it_is_logged(
    request, login_as, mediating, on_file, who
):
    user = request.getfixturevalue(who)
    client = login_as(user)

    response = client.get(f"/cases/{mediating.number}/documents/{on_file.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{mediating.number}-{on_file.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.get(action="document_downloaded")
    assert (entry.actor, entry.case_id, entry.object_id) == (
        user,
        mediating.pk,
        str(on_file.pk),
    )


@pytest.mark.parametrize("who", ["other_caseworker", "other_supervisor", "caseworker2", "auditor"])
def test_a_user_who_may_not_see_the_case_cannot_download_its_documents(
    request, login_as, mediating, on_file, who
):
    client = login_as(request.getfixturevalue(who))

    response = client.get(f"/cases/{mediating.number}/documents/{on_file.pk}/")

    assert response.status_code == 404
    assert PDF not in response.content
    assert not AuditEntry.objects.filter(action="document_downloaded").exists()


def test_a_document_number_guessed_under_another_case_is_not_served(
    login_as, caseworker, office, mediating, on_file
):
    mine_too = wage_dispute(office, by=caseworker, state=State.ACCEPTED)

    response = login_as(caseworker).get(f"/cases/{mine_too.number}/documents/{on_file.pk}/")

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="document_downloaded").exists()


def test_an_auditor_downloads_a_document_of_a_finished_case(
    login_as, caseworker, auditor, mediating, on_file
):
    walk_to(mediating, State.WITHDRAWN, caseworker, via=State.MEDIATING)

    response = login_as(auditor).get(f"/cases/{mediating.number}/documents/{on_file.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="document_downloaded", actor=auditor).count() == 1


# --- where files live ---------------------------------------------------------------------------


def test_documents_are_stored_where_the_storage_setting_says(on_file, document_storage):
    assert Path(on_file.file.path).is_relative_to(document_storage)
    assert Path(on_file.file.path).read_bytes() == PDF


def test_the_document_folder_is_outside_the_static_files_and_the_code():
    location = Path(django_settings.STORAGES["default"]["OPTIONS"]["location"]).resolve()
    web_roots = [Path(django_settings.STATIC_ROOT), *map(Path, django_settings.STATICFILES_DIRS)]

    for root in web_roots:
        root = root.resolve()
        assert not location.is_relative_to(root)
        assert not root.is_relative_to(location)
    assert not location.is_relative_to(Path(django_settings.BASE_DIR) / "templates")
    # Nothing but the download view serves files: no media URL is configured.
    assert not getattr(django_settings, "MEDIA_URL", "").strip("/")


def test_a_stored_file_cannot_be_fetched_by_its_path(login_as, caseworker, on_file):
    client = login_as(caseworker)
    name = on_file.file.name

    for url in (f"/static/{name}", f"/media/{name}", f"/{name}", f"/documents/{name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))
