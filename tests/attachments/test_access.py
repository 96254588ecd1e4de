"""Who may list, upload, withdraw and restore attachments; every change is audited."""

import io
import re

import pytest

from tests.attachments.conftest import (
    UPLOAD_PAGE,
    attachment_id_from,
    post_multipart,
    stored_files,
    stored_rows,
    upload,
)
from tests.attachments.documents import pdf_bytes
from tests.auth.conftest import audit_actions, fresh_token, user_row
from tradeportal.auth.models import Role

LIST_PAGE = "/manage/attachments/"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def post_with_token(client, path: str, token_page: str = LIST_PAGE):
    return client.post(path, data={"csrf_token": fresh_token(client, token_page)})


@pytest.mark.parametrize("path", [LIST_PAGE, UPLOAD_PAGE, "/manage/attachments/1"])
def test_the_anonymous_are_sent_to_sign_in(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_anonymous_upload_is_sent_to_sign_in_and_stores_nothing(app):
    client = app.test_client()
    # A token from the sign-in page makes CSRF pass, so only the access check decides.
    token = fresh_token(client, "/login")
    form = {"csrf_token": token, "title": "x", "file": (io.BytesIO(pdf_bytes()), "a.pdf")}
    response = post_multipart(client, UPLOAD_PAGE, form)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert stored_rows(app) == [] and stored_files(app) == []


@pytest.mark.parametrize("path", [LIST_PAGE, UPLOAD_PAGE])
def test_a_viewer_is_refused(app, signed_in, path):
    viewer = signed_in(Role.VIEWER)
    response = viewer.get(path)
    assert response.status_code == 403
    assert "needs the Editor role" in text(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_viewer_cannot_upload(app, signed_in):
    viewer = signed_in(Role.VIEWER)
    token = fresh_token(viewer, "/account")
    form = {"csrf_token": token, "title": "x", "file": (io.BytesIO(pdf_bytes()), "a.pdf")}
    response = post_multipart(viewer, UPLOAD_PAGE, form)
    assert response.status_code == 403
    assert stored_rows(app) == [] and stored_files(app) == []


def test_an_editor_lists_uploads_with_what_to_copy(app, editor):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "IP-1 form.pdf", "Form IP-1"))
    response = editor.get(LIST_PAGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    for expected in ("Form IP-1", "IP-1_form.pdf", "PDF", "bytes", "Editor"):
        assert expected in page
    # The upload time is shown in the portal's time zone, the exact moment kept for machines.
    assert '<time datetime="' in response.get_data(as_text=True)
    assert f"http://localhost/files/{attachment_id}/IP-1_form.pdf" in page
    assert "Uploading the same file again gives back the attachment already here" in page


def test_the_detail_page_offers_the_address_and_a_markdown_link(app, editor):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf", "Form [IP-1]"))
    page = editor.get(f"/manage/attachments/{attachment_id}").get_data(as_text=True)
    address = f"http://localhost/files/{attachment_id}/form.pdf"
    assert f'value="{address}"' in page
    assert f'value="[Form \\[IP-1\\]]({address})"' in page
    assert f"{len(pdf_bytes())} bytes" in page and "bytes)" not in page
    assert "Only a publisher can withdraw a file." in page
    assert "/withdraw" not in page


def test_unknown_attachments_and_bad_pages_are_clear_errors(app, editor):
    assert editor.get("/manage/attachments/99").status_code == 404
    assert editor.get("/manage/attachments/99999999999999999999").status_code == 404
    assert editor.get(LIST_PAGE + "?page=abc").status_code == 400
    assert editor.get(LIST_PAGE + "?page=0").status_code == 400
    assert editor.get(LIST_PAGE + "?page=%C2%B2").status_code == 400  # a superscript two
    assert editor.get(LIST_PAGE + "?page=" + "9" * 5000).status_code == 400
    assert editor.get(LIST_PAGE + "?page=2").status_code == 404
    assert editor.get(LIST_PAGE + "?page=1").status_code == 200


def test_an_editor_cannot_withdraw(app, editor):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf"))
    response = post_with_token(editor, f"/manage/attachments/{attachment_id}/withdraw")
    assert response.status_code == 403
    assert "needs the Publisher role" in text(response)
    assert stored_rows(app)[0].withdrawn_at is None
    assert editor.get(f"/files/{attachment_id}/form.pdf", buffered=True).status_code == 200


def test_a_publisher_withdraws_and_restores_with_audit_events(app, editor, publisher):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf"))
    public = app.test_client()
    detail = f"/manage/attachments/{attachment_id}"
    assert "Withdraw this file" in text(publisher.get(detail))

    response = post_with_token(publisher, f"{detail}/withdraw", detail)
    assert response.status_code == 303
    assert response.headers["Location"] == detail
    assert stored_rows(app)[0].withdrawn_at is not None
    assert public.get(f"/files/{attachment_id}/form.pdf", buffered=True).status_code == 410
    page = text(publisher.get(detail))
    assert "is withdrawn" in page and "Restore" in page
    # Withdrawing keeps the bytes: the record and its file stay for the history.
    assert len(stored_files(app)) == 1

    again = post_with_token(publisher, f"{detail}/withdraw", detail)
    assert again.status_code == 303
    assert "was already withdrawn" in text(publisher.get(detail))

    post_with_token(publisher, f"{detail}/restore", detail)
    assert stored_rows(app)[0].withdrawn_at is None
    assert public.get(f"/files/{attachment_id}/form.pdf", buffered=True).status_code == 200

    publisher_id = user_row(app, "publisher@example.org").id
    events = [e[:4] for e in audit_actions(app) if e[0].startswith("attachment")]
    assert events == [
        ("attachment.uploaded", user_row(app, "editor@example.org").id, "attachment", "1"),
        ("attachment.withdrawn", publisher_id, "attachment", "1"),
        ("attachment.restored", publisher_id, "attachment", "1"),
    ]


def test_an_editor_cannot_restore(app, editor, publisher):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf"))
    post_with_token(publisher, f"/manage/attachments/{attachment_id}/withdraw")
    response = post_with_token(editor, f"/manage/attachments/{attachment_id}/restore")
    assert response.status_code == 403
    assert stored_rows(app)[0].withdrawn_at is not None


def test_withdrawing_an_unknown_attachment_is_a_404(app, publisher):
    assert post_with_token(publisher, "/manage/attachments/5/withdraw").status_code == 404


def test_withdrawing_without_a_token_changes_nothing(app, editor, publisher):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf"))
    response = publisher.post(f"/manage/attachments/{attachment_id}/withdraw")
    assert response.status_code == 400
    assert stored_rows(app)[0].withdrawn_at is None


def test_uploading_bytes_of_a_withdrawn_attachment_says_it_is_withdrawn(app, editor, publisher):
    attachment_id = attachment_id_from(upload(editor, pdf_bytes(), "form.pdf"))
    post_with_token(publisher, f"/manage/attachments/{attachment_id}/withdraw")
    again = upload(editor, pdf_bytes(), "form-again.pdf", "New title")
    assert attachment_id_from(again) == attachment_id
    page = text(editor.get(again.headers["Location"]))
    assert "It is withdrawn" in page and "a publisher can restore it" in page
    assert stored_rows(app)[0].withdrawn_at is not None
