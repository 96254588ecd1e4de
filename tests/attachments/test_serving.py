"""Public addresses: always a download with safe headers, cached by content, 410 once withdrawn."""

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from tests.attachments.conftest import add_attachment
from tests.attachments.documents import DOCX_TYPE, XLSX_TYPE, docx_bytes, pdf_bytes, xlsx_bytes
from tradeportal.attachments.models import Attachment
from tradeportal.db import db, utcnow


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def fetch(client, path: str, **kwargs):
    # Buffered, so the test client closes the file it was sent (as a WSGI server would).
    return client.get(path, buffered=True, **kwargs)


def test_a_pdf_is_served_as_a_download_with_safe_headers(app, client):
    content = pdf_bytes()
    attachment_id = add_attachment(app, content, "Import permit.pdf")
    response = fetch(client, f"/files/{attachment_id}/Import_permit.pdf")
    assert response.status_code == 200
    assert response.get_data() == content
    headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment; filename=Import_permit.pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert headers["Content-Length"] == str(len(content))


def test_office_documents_get_their_sniffed_types(app, client):
    docx_id = add_attachment(app, docx_bytes(), "form.docx")
    xlsx_id = add_attachment(app, xlsx_bytes(), "fees.xlsx")
    assert fetch(client, f"/files/{docx_id}/form.docx").headers["Content-Type"] == DOCX_TYPE
    assert fetch(client, f"/files/{xlsx_id}/fees.xlsx").headers["Content-Type"] == XLSX_TYPE


def test_a_matching_etag_answers_304_without_the_body(app, client):
    content = pdf_bytes()
    attachment_id = add_attachment(app, content, "form.pdf")
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    response = fetch(client, f"/files/{attachment_id}/form.pdf", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    other = fetch(client, f"/files/{attachment_id}/form.pdf", headers={"If-None-Match": '"x"'})
    assert other.status_code == 200


def test_a_range_request_gets_part_of_the_file(app, client):
    content = pdf_bytes()
    attachment_id = add_attachment(app, content, "form.pdf")
    response = fetch(client, f"/files/{attachment_id}/form.pdf", headers={"Range": "bytes=0-7"})
    assert response.status_code == 206
    assert response.get_data() == content[:8]


def test_a_wrong_file_name_redirects_permanently_to_the_right_one(app, client):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf")
    response = fetch(client, f"/files/{attachment_id}/old-name.pdf")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/files/{attachment_id}/form.pdf"


def test_unknown_files_are_404(app, client):
    assert fetch(client, "/files/1/form.pdf").status_code == 404
    assert fetch(client, "/files/99999999999999999999999/form.pdf").status_code == 404
    assert fetch(client, "/files/0/form.pdf").status_code == 404
    assert fetch(client, "/files/abc/form.pdf").status_code == 404


def test_a_withdrawn_file_answers_410_with_a_clear_page(app, client):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf", "Form IP-1")
    with app.app_context():
        db.session.execute(update(Attachment).values(withdrawn_at=utcnow()))
        db.session.commit()
    for name in ("form.pdf", "other.pdf"):
        response = fetch(client, f"/files/{attachment_id}/{name}")
        assert response.status_code == 410
        assert response.headers["Content-Type"].startswith("text/html")
        page = text(response)
        assert "This file has been withdrawn" in page
        assert "“Form IP-1” (form.pdf) was withdrawn on" in page
        assert b"%PDF" not in response.get_data()


def test_a_non_ascii_name_gets_an_rfc_6266_filename_star(app, client):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf")
    with app.app_context():
        db.session.execute(update(Attachment).values(filename="Règlement.pdf"))
        db.session.commit()
    response = fetch(client, f"/files/{attachment_id}/R%C3%A8glement.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=Reglement.pdf; filename*=UTF-8''R%C3%A8glement.pdf"
    )


def test_a_missing_file_is_a_clear_error_page_not_a_crash(app, client):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf")
    for path in (Path(app.instance_path) / "attachments").rglob("*"):
        if path.is_file():
            path.unlink()
    response = fetch(client, f"/files/{attachment_id}/form.pdf")
    assert response.status_code == 500
    assert "This file cannot be found on the server" in text(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_files_are_served_from_the_configured_folder(app, client, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "elsewhere")
    content = pdf_bytes()
    attachment_id = add_attachment(app, content, "form.pdf")
    digest = hashlib.sha256(content).hexdigest()
    assert (tmp_path / "elsewhere" / digest[:2] / digest).read_bytes() == content
    assert not (Path(app.instance_path) / "attachments").exists()
    assert fetch(client, f"/files/{attachment_id}/form.pdf").get_data() == content


def test_a_withdrawn_file_page_in_french_gives_the_day_in_french(app, client):
    attachment_id = add_attachment(app, pdf_bytes(), "form.pdf", "Form IP-1")
    with app.app_context():
        db.session.execute(
            update(Attachment).values(withdrawn_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
        )
        db.session.commit()
    response = client.get(f"/files/{attachment_id}/form.pdf", headers={"Accept-Language": "fr"})
    assert response.status_code == 410
    page = text(response)
    assert "Ce fichier a été retiré" in page
    assert "« Form IP-1 » (form.pdf) a été retiré le 2 décembre 2026" in page
    assert "Erreur 410 (supprimé)." in page
