"""Uploading through the editor screen: accepted files are stored once, refusals store nothing."""

import hashlib
import io
import re
from pathlib import Path

import pytest

from tests.attachments.conftest import (
    UPLOAD_PAGE,
    attachment_id_from,
    post_multipart,
    stored_files,
    stored_rows,
    upload,
)
from tests.attachments.documents import (
    DOCX_TYPE,
    HTML_PAGE,
    LEGACY_WORD,
    WINDOWS_PROGRAM,
    XLSX_TYPE,
    docx_bytes,
    docx_members,
    pdf_bytes,
    xlsx_bytes,
    zip_bytes,
)
from tests.auth.conftest import audit_actions, fresh_token, user_row
from tradeportal.auth.models import Role


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def field_errors(response, field: str) -> list[str]:
    """Return the messages shown next to a form field."""
    page = response.get_data(as_text=True)
    return re.findall(rf'<p class="field-error" id="error-{field}">([^<]*)</p>', page)


def test_the_upload_form_has_a_file_field_and_says_duplicates_give_the_existing_file(editor):
    page = editor.get(UPLOAD_PAGE)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in body
    assert 'name="file" type="file"' in body
    assert 'name="csrf_token"' in body
    assert "gives back the existing attachment" in body
    assert "at most 10.0 MiB" in body


@pytest.mark.parametrize(
    ("content", "filename", "media_type"),
    [
        (pdf_bytes(), "Import permit.pdf", "application/pdf"),
        (docx_bytes(), "form-ip1.docx", DOCX_TYPE),
        (xlsx_bytes(), "fees 2026.xlsx", XLSX_TYPE),
    ],
)
def test_an_editor_uploads_a_document(app, editor, content, filename, media_type):
    response = upload(editor, content, filename, title="  Import   permit form ")
    attachment_id = attachment_id_from(response)
    [row] = stored_rows(app)
    digest = hashlib.sha256(content).hexdigest()
    assert (row.id, row.sha256, row.media_type) == (attachment_id, digest, media_type)
    assert row.title == "Import permit form"
    assert row.filename == filename.replace(" ", "_")
    assert row.size_bytes == len(content)
    assert row.uploaded_by_id == user_row(app, "editor@example.org").id
    assert row.withdrawn_at is None
    stored = Path(app.instance_path) / "attachments" / digest[:2] / digest
    assert stored_files(app) == [stored]
    assert stored.read_bytes() == content
    [event] = [e for e in audit_actions(app) if e[0].startswith("attachment")]
    assert event[:4] == ("attachment.uploaded", row.uploaded_by_id, "attachment", str(row.id))
    assert event[4]["sha256"] == digest
    page = editor.get(response.headers["Location"])
    assert "is uploaded" in text(page)
    assert f"http://localhost/files/{row.id}/{row.filename}" in page.get_data(as_text=True)


def test_the_same_bytes_uploaded_again_give_back_the_same_attachment(app, editor, signed_in):
    first = attachment_id_from(upload(editor, pdf_bytes(), "permit.pdf", title="Permit"))
    other_editor = signed_in(Role.EDITOR)
    again = upload(other_editor, pdf_bytes(), "copy of permit.pdf", title="Another title")
    assert attachment_id_from(again) == first
    [row] = stored_rows(app)
    assert (row.title, row.filename) == ("Permit", "permit.pdf")
    assert len(stored_files(app)) == 1
    uploads = [e for e in audit_actions(app) if e[0] == "attachment.uploaded"]
    assert len(uploads) == 1
    page = text(other_editor.get(again.headers["Location"]))
    assert "This exact file was already uploaded" in page
    assert "nothing new was stored" in page


def test_different_bytes_make_different_attachments(app, editor):
    first = attachment_id_from(upload(editor, pdf_bytes("one"), "one.pdf"))
    second = attachment_id_from(upload(editor, pdf_bytes("two"), "one.pdf"))
    assert first != second
    assert len(stored_rows(app)) == 2
    assert len(stored_files(app)) == 2


DISGUISES = [
    (HTML_PAGE, "report.pdf", "HTML page"),
    (WINDOWS_PROGRAM, "report.pdf", "Windows program"),
    (zip_bytes({"[Content_Types].xml": "<Types/>", "a.txt": "x"}), "form.docx", "ZIP archive"),
    (docx_bytes(), "fees.xlsx", "really a Word document (DOCX)"),
    (pdf_bytes(), "form.docx", "really a PDF document"),
    (LEGACY_WORD, "form.doc", "legacy Microsoft Office file"),
    (b"", "empty.pdf", "is empty"),
    (
        zip_bytes({**docx_members(), "word/media/pad.bin": b"\x00" * (20 * 2**20)}),
        "form.docx",
        "zip bomb",
    ),
]


@pytest.mark.parametrize(("content", "filename", "expected"), DISGUISES)
def test_disguised_uploads_are_refused_next_to_the_field_and_nothing_is_stored(
    app, editor, content, filename, expected
):
    response = upload(editor, content, filename)
    assert response.status_code == 422
    [message] = field_errors(response, "file")
    assert expected in message
    assert "Nothing was stored" in text(response)
    # The title typed is kept, so only the file has to be chosen again.
    assert 'value="Import permit form"' in response.get_data(as_text=True)
    assert stored_rows(app) == []
    assert stored_files(app) == []
    assert not [e for e in audit_actions(app) if e[0].startswith("attachment")]


def test_the_browser_content_type_is_ignored(app, editor):
    form = {
        "csrf_token": fresh_token(editor, UPLOAD_PAGE),
        "title": "Looks like a PDF",
        "file": (io.BytesIO(HTML_PAGE), "report.pdf", "application/pdf"),
    }
    response = post_multipart(editor, UPLOAD_PAGE, form)
    assert response.status_code == 422
    assert "HTML page" in field_errors(response, "file")[0]
    assert stored_rows(app) == []


def test_a_missing_title_and_a_bad_file_are_both_reported(app, editor):
    response = upload(editor, HTML_PAGE, "report.pdf", title="   ")
    assert response.status_code == 422
    assert field_errors(response, "title") == [
        "Give the file a title, e.g. “Application for an import permit”."
    ]
    assert "HTML page" in field_errors(response, "file")[0]
    assert stored_rows(app) == [] and stored_files(app) == []


def test_a_good_file_with_a_too_long_title_is_not_stored(app, editor):
    response = upload(editor, pdf_bytes(), "permit.pdf", title="x" * 201)
    assert response.status_code == 422
    assert field_errors(response, "title") == ["Use at most 200 characters (this is 201)."]
    assert field_errors(response, "file") == []
    assert stored_rows(app) == [] and stored_files(app) == []


def test_no_file_chosen_is_reported(app, editor):
    token = fresh_token(editor, UPLOAD_PAGE)
    response = editor.post(UPLOAD_PAGE, data={"csrf_token": token, "title": "Permit"})
    assert response.status_code == 422
    assert field_errors(response, "file") == ["Choose a PDF, DOCX or XLSX file to upload."]
    assert stored_rows(app) == []


def test_markup_in_a_title_is_shown_as_text(app, editor):
    attachment_id_from(upload(editor, pdf_bytes(), "permit.pdf", title="<script>alert(1)</script>"))
    page = editor.get("/manage/attachments/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_file_over_the_default_cap_gets_a_413_page_and_nothing_is_stored(app, editor):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 10 * 2**20
    too_large = pdf_bytes() + b"\x00" * (10 * 2**20)
    response = upload(editor, too_large, "scan.pdf")
    assert response.status_code == 413
    assert "at most 10.0 MiB can be uploaded" in field_errors(response, "file")[0]
    assert stored_rows(app) == [] and stored_files(app) == []


@pytest.mark.config(ATTACHMENT_MAX_BYTES=2048)
def test_the_cap_comes_from_the_configuration(app, editor):
    exactly = pdf_bytes() + b" " * (2048 - len(pdf_bytes()) - 8) + b"\n%%EOF\n\n"
    assert len(exactly) == 2048
    assert attachment_id_from(upload(editor, exactly, "ok.pdf")) == 1
    response = upload(editor, exactly + b"\n", "big.pdf")
    assert response.status_code == 413
    assert len(stored_rows(app)) == 1


@pytest.mark.config(MAX_CONTENT_LENGTH=200 * 1024)
def test_a_body_over_the_request_cap_gets_a_clear_413_page(app, editor):
    response = upload(editor, pdf_bytes() + b"\x00" * (300 * 1024), "scan.pdf")
    assert response.status_code == 413
    page = text(response)
    assert "larger than the 136 KiB that can be uploaded, so nothing was stored" in page
    assert "Traceback" not in page
    assert stored_rows(app) == [] and stored_files(app) == []


@pytest.mark.config(MAX_CONTENT_LENGTH=None)
def test_without_a_request_cap_one_is_set_from_the_attachment_cap(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 2**20 + 64 * 1024


def test_an_upload_without_the_csrf_token_is_refused_and_stores_nothing(app, editor):
    form = {"title": "Permit", "file": (io.BytesIO(pdf_bytes()), "permit.pdf")}
    response = post_multipart(editor, UPLOAD_PAGE, form)
    assert response.status_code == 400
    assert "did not come from this site, so nothing was changed" in text(response)
    assert stored_rows(app) == [] and stored_files(app) == []


def test_an_upload_with_a_forged_token_is_refused(app, editor):
    response = upload(editor, pdf_bytes(), "permit.pdf", csrf_token="forged")
    assert response.status_code == 400
    assert stored_rows(app) == [] and stored_files(app) == []


def test_the_upload_form_and_its_errors_in_french(editor):
    page = editor.get(UPLOAD_PAGE + "?lang=fr").get_data(as_text=True)
    assert "Téléverser un fichier" in page and "10,0 Mio au plus" in page.replace("\xa0", " ")
    response = upload(editor, pdf_bytes(), "form.pdf", title="")
    assert response.status_code == 422
    [message] = field_errors(response, "title")
    assert message.startswith("Donnez un titre au fichier")
    assert "Rien n'a été enregistré" in text(response)


def test_an_upload_is_confirmed_in_french(editor):
    editor.get(UPLOAD_PAGE + "?lang=fr")
    page = upload(editor, pdf_bytes(), "form.pdf", "Formulaire IP-1")
    followed = editor.get(page.headers["Location"])
    body = text(followed)
    assert "« Formulaire IP-1 » est téléversé." in body
    assert "Adresse publique" in body and "Téléversé par" in body


def test_a_disguised_file_is_refused_in_french(app, editor):
    editor.get(UPLOAD_PAGE + "?lang=fr")
    response = upload(editor, WINDOWS_PROGRAM, "report.pdf", "Rapport")
    assert response.status_code == 422
    assert field_errors(response, "file") == [
        "« report.pdf » est en réalité un programme Windows (EXE ou DLL). Seuls les fichiers "
        "PDF, Word (DOCX) et Excel (XLSX) peuvent être téléversés."
    ]
    assert stored_rows(app) == []


def test_a_too_long_title_and_a_too_large_file_are_explained_in_french(app, editor):
    editor.get(UPLOAD_PAGE + "?lang=fr")
    response = upload(editor, pdf_bytes(), "form.pdf", "x" * 201)
    assert field_errors(response, "title") == [
        "Utilisez au plus 200 caractères (celui-ci en compte 201)."
    ]
    response = upload(editor, pdf_bytes() + b"\x00" * (10 * 2**20), "scan.pdf")
    assert response.status_code == 413
    [message] = field_errors(response, "file")
    assert message.replace("\xa0", " ").startswith("Le fichier fait 10,0 Mio ;")
    assert "on ne peut téléverser que 10,0 Mio au plus" in message.replace("\xa0", " ")
