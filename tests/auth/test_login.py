"""Signing in and out: sessions, remember-me, rate limits, no user enumeration."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from tests.auth.conftest import (
    PASSWORD,
    add_user,
    audit_actions,
    fresh_token,
    post_form,
    sign_in,
    user_row,
)
from tradeportal.auth import passwords
from tradeportal.auth.models import Role
from tradeportal.db import db

REMEMBER = "remember_token"


def page_text(response) -> str:
    body = response.get_data(as_text=True)
    body = re.sub(r'name="csrf_token" value="[^"]+"', "", body)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_signing_in_lands_on_the_dashboard_and_records_it(app):
    user_id = add_user(app, "ed@example.org", Role.EDITOR, name="Edith Editor")
    client = app.test_client()
    response = sign_in(client, "ED@Example.org")  # the email's case does not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    dashboard = client.get("/manage/")
    assert dashboard.status_code == 200
    assert "Signed in as Edith Editor (Editor)" in page_text(dashboard)
    assert user_row(app, "ed@example.org").last_login_at is not None
    assert ("login", user_id, "user", str(user_id), {}) in audit_actions(app)


def test_a_viewer_lands_on_the_account_page(app):
    add_user(app, "viewer@example.org", Role.VIEWER)
    response = sign_in(app.test_client(), "viewer@example.org")
    assert response.headers["Location"] == "/account"


def test_unknown_email_and_wrong_password_get_the_same_answer(app):
    add_user(app, "ed@example.org")
    wrong_password = sign_in(app.test_client(), "ed@example.org", "not the password at all")
    unknown_email = sign_in(app.test_client(), "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert "The email or password is wrong." in page_text(wrong_password)
    assert page_text(wrong_password).replace("ed@example.org", "EMAIL") == page_text(
        unknown_email
    ).replace("nobody@example.org", "EMAIL")
    # Both attempts are in the audit log; the unknown email itself is not kept.
    failed = [event for event in audit_actions(app) if event[0] == "login_failed"]
    assert [event[4]["reason"] for event in failed] == ["wrong password", "unknown email"]
    assert "nobody" not in str(failed)
    assert user_row(app, "ed@example.org").failed_logins == 1


def test_an_unknown_email_costs_an_argon2_verification_too(app):
    add_user(app, "ed@example.org")
    passwords._decoy_hash.cache_clear()
    sign_in(app.test_client(), "ed@example.org", "wrong password here")
    assert passwords._decoy_hash.cache_info().misses == 0  # a real hash was checked
    sign_in(app.test_client(), "nobody@example.org", "wrong password here")
    sign_in(app.test_client(), "nobody2@example.org", "wrong password here")
    info = passwords._decoy_hash.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # made once, then reused


def test_empty_fields_get_messages_next_to_them(app):
    client = app.test_client()
    response = client.post(
        "/login", data={"csrf_token": fresh_token(client), "email": " ", "password": ""}
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Enter your email address." in text
    assert "Enter a password." in text
    assert audit_actions(app) == []


def test_a_disabled_account_cannot_sign_in(app):
    add_user(app, "gone@example.org", active=False)
    client = app.test_client()
    response = sign_in(client, "gone@example.org")
    assert response.status_code == 200
    assert "This account is disabled" in page_text(response)
    assert client.get("/manage/").status_code == 302
    # With a wrong password it is answered like any other failure.
    wrong = sign_in(app.test_client(), "gone@example.org", "not the password at all")
    assert "The email or password is wrong." in page_text(wrong)


def test_signing_in_starts_a_new_session(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    token_before = fresh_token(client)
    client.post(
        "/login",
        data={"csrf_token": token_before, "email": "ed@example.org", "password": PASSWORD},
    )
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_fresh"] is True
    # The form token of the signed-out session does not work in the new one.
    response = client.post("/account/logout-everywhere", data={"csrf_token": token_before})
    assert response.status_code == 400


def test_a_session_used_from_another_browser_is_dropped(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    assert client.get("/manage/").status_code == 200
    stolen = client.get("/manage/", headers={"User-Agent": "Another browser/1.0"})
    assert stolen.status_code == 302
    assert stolen.headers["Location"].startswith("/login")


def test_remember_me_lasts_at_most_fourteen_days_and_is_http_only(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org", remember=True)
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # the embedded mode is plain HTTP; production is Secure
    lifetime = cookie.expires - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)
    session_cookie = client.get_cookie("session")
    assert session_cookie.http_only and session_cookie.same_site == "Lax"
    assert session_cookie.expires is None  # gone when the browser closes


def test_without_remember_me_there_is_no_remember_cookie(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    assert client.get_cookie(REMEMBER) is None


def test_the_remember_cookie_signs_in_again_but_admin_pages_ask_for_the_password(app):
    add_user(app, "admin@example.org", Role.ADMIN)
    client = app.test_client()
    sign_in(client, "admin@example.org", remember=True)
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/manage/").status_code == 200
    users_page = client.get("/manage/users")
    assert users_page.status_code == 302
    assert users_page.headers["Location"] == "/login?next=/manage/users"
    confirm = client.get("/login?next=/manage/users")
    assert "Confirm your password to open this page." in page_text(confirm)
    assert 'value="admin@example.org"' in confirm.get_data(as_text=True)
    response = sign_in(client, "admin@example.org", next_path="/manage/users")
    assert response.headers["Location"] == "/manage/users"
    assert client.get("/manage/users").status_code == 200


def test_signing_out_removes_the_remember_cookie(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org", remember=True)
    assert client.get_cookie(REMEMBER) is not None
    response = post_form(client, "/logout", token_from="/account")
    assert response.status_code == 302
    assert client.get_cookie(REMEMBER) is None
    assert client.get("/manage/").status_code == 302
    assert audit_actions(app)[-1][0] == "logout"


def test_a_remember_cookie_kept_after_sign_out_no_longer_works(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org", remember=True)
    kept = client.get_cookie(REMEMBER).value
    post_form(client, "/logout", token_from="/account")
    # Signing out does not rotate the token: a copied cookie works until "sign out
    # everywhere" or a password change, which is what those are for.
    thief = app.test_client()
    thief.set_cookie(REMEMBER, kept)
    assert thief.get("/manage/").status_code == 200
    post_form(thief, "/account/logout-everywhere", token_from="/account")
    other = app.test_client()
    other.set_cookie(REMEMBER, kept)
    assert other.get("/manage/").status_code == 302


def test_the_password_hash_is_upgraded_when_the_cost_changes(app):
    add_user(app, "ed@example.org")
    old_hash = PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        from sqlalchemy import update

        from tradeportal.auth.models import User

        db.session.execute(update(User).values(password_hash=old_hash))
        db.session.commit()
    assert sign_in(app.test_client(), "ed@example.org").status_code == 302
    new_hash = user_row(app, "ed@example.org").password_hash
    assert new_hash != old_hash
    assert "$m=8192,t=1,p=1$" in new_hash
    assert sign_in(app.test_client(), "ed@example.org").status_code == 302


def test_signing_in_is_rate_limited_per_address(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "ed@example.org", "wrong password x").status_code == 200
    blocked = sign_in(client, "ed@example.org")  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many requests" in page_text(blocked)
    assert "Retry-After" in blocked.headers
    assert client.get("/manage/").status_code == 302
    # Showing the form is not limited; another address is not affected.
    assert client.get("/login").status_code == 200
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(elsewhere, "ed@example.org").status_code == 302


@pytest.mark.config(LOGIN_RATE_LIMIT="100 per minute;3 per hour")
def test_the_hourly_limit_applies_too(app):
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "x@example.org", "wrong password x").status_code == 200
    assert sign_in(client, "x@example.org", "wrong password x").status_code == 429


@pytest.mark.config(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
def test_failed_sign_ins_are_limited_per_account_across_addresses(app):
    add_user(app, "target@example.org")
    add_user(app, "other@example.org")
    for number in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        assert sign_in(client, "target@example.org", "guess number x").status_code == 200
    fourth = app.test_client()
    fourth.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert sign_in(fourth, "TARGET@example.org").status_code == 429
    # Other accounts, and successful sign-ins, do not count against it.
    for _ in range(4):
        assert sign_in(app.test_client(), "other@example.org").status_code == 302
