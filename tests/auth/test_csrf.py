"""Forms posted without this site's token are refused with a clear page; nothing changes."""

import re

import pytest

from tests.auth.conftest import (
    PASSWORD,
    add_user,
    audit_actions,
    fresh_token,
    sign_in,
    user_row,
)
from tradeportal.auth.models import Role
from tradeportal.auth.queries import find_user_by_email
from tradeportal.db import db

EXPIRED = "This form has expired or did not come from this site, so nothing was changed."


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_csrf_is_on_with_a_long_time_limit(app):
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600


@pytest.mark.parametrize("token", [None, "", "forged-token", "ImFiYyI.aGVsbG8.d29ybGQ"])
def test_signing_in_without_a_valid_token_is_refused(app, token):
    add_user(app, "ed@example.org")
    client = app.test_client()
    fresh_token(client)  # the session has a token; the form does not send it
    form = {"email": "ed@example.org", "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    response = client.post("/login", data=form)
    assert response.status_code == 400
    assert EXPIRED in text(response)
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302
    assert not [event for event in audit_actions(app) if event[0].startswith("login")]


def test_a_token_from_another_session_is_refused(app, signed_in):
    admin = signed_in(Role.ADMIN)
    attacker = app.test_client()
    their_token = fresh_token(attacker)
    response = admin.post(
        "/manage/users/new",
        data={
            "csrf_token": their_token,
            "email": "planted@example.org",
            "display_name": "Planted",
            "role": "admin",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 400
    assert EXPIRED in text(response)
    assert "planted@example.org" not in str(audit_actions(app))
    with app.app_context():
        assert find_user_by_email(db.session, "planted@example.org") is None


def test_changing_a_role_without_a_token_changes_nothing(app, signed_in):
    admin = signed_in(Role.ADMIN)
    editor_id = add_user(app, "ed@example.org", Role.EDITOR)
    response = admin.post(f"/manage/users/{editor_id}/role", data={"role": "admin"})
    assert response.status_code == 400
    assert user_row(app, "ed@example.org").role == Role.EDITOR


def test_sign_out_everywhere_without_a_token_keeps_the_session(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    before = user_row(app, "ed@example.org").session_token
    assert client.post("/account/logout-everywhere").status_code == 400
    assert client.post("/logout").status_code == 400
    assert user_row(app, "ed@example.org").session_token == before
    assert client.get("/manage/").status_code == 200


def test_the_token_is_also_read_from_a_header(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    token = fresh_token(client, "/account")
    response = client.post("/logout", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 302
