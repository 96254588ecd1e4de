"""Fixtures of the attachment tests: an unseeded app with cheap argon2, signed-in clients.

CSRF protection stays on: uploads carry a token read from the upload form, as a browser's.
"""

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.auth.conftest import CHEAP_HASHING, add_user, fresh_token, sign_in
from tradeportal.attachments.models import Attachment
from tradeportal.auth.models import Role
from tradeportal.db import db

UPLOAD_PAGE = "/manage/attachments/new"


@pytest.fixture
def app(empty_app, request):
    """The migrated (unseeded) app, hashing cheaply unless the test's config says otherwise."""
    marker = request.node.get_closest_marker("config")
    given = marker.kwargs if marker else {}
    empty_app.config.update({k: v for k, v in CHEAP_HASHING.items() if k not in given})
    return empty_app


@pytest.fixture
def signed_in(app):
    """Return a function making a client signed in with a new account of a given role."""
    count = {"n": 0}

    def make(role: Role, email: str | None = None):
        count["n"] += 1
        email = email or f"{role.value}{count['n']}@example.org"
        add_user(app, email, role)
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def editor(signed_in):
    return signed_in(Role.EDITOR, "editor@example.org")


@pytest.fixture
def publisher(signed_in):
    return signed_in(Role.PUBLISHER, "publisher@example.org")


def upload(client, content: bytes, filename: str, title: str = "Import permit form", **extra):
    """Post the upload form as a browser would (token from the form, multipart body)."""
    form = {
        "csrf_token": fresh_token(client, UPLOAD_PAGE),
        "title": title,
        "file": (io.BytesIO(content), filename),
        **extra,
    }
    return post_multipart(client, UPLOAD_PAGE, form)


def post_multipart(client, path: str, form: dict):
    """Post a multipart form encoded in memory; files are (stream, name[, content type]).

    The test client would spool a large body to a temporary file that it never closes
    (a ResourceWarning, an error here).
    """
    fields = {
        name: FileStorage(value[0], value[1], content_type=value[2] if len(value) > 2 else None)
        if isinstance(value, tuple)
        else value
        for name, value in form.items()
    }
    boundary, body = encode_multipart(fields)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored_rows(app) -> list[Attachment]:
    """Return every attachment row, detached, in id order."""
    with app.app_context():
        rows = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def stored_files(app) -> list[Path]:
    """Return every file in the app's attachment folder (temporary ones included)."""
    root = Path(app.instance_path) / "attachments"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def attachment_id_from(response) -> int:
    """Return the attachment id an upload redirected to."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def add_attachment(app, content: bytes, filename: str, title: str = "Import permit form") -> int:
    """Store an attachment through the service (no screens), as editor@example.org."""
    from tradeportal.attachments.services import upload_attachment
    from tradeportal.auth.queries import find_user_by_email

    with app.app_context():
        uploader = find_user_by_email(db.session, "editor@example.org")
        if uploader is None:
            add_user(app, "editor@example.org", Role.EDITOR)
            uploader = find_user_by_email(db.session, "editor@example.org")
        result = upload_attachment(
            db.session, uploader, data=content, original_filename=filename, title=title
        )
        db.session.commit()
        return result.attachment.id
