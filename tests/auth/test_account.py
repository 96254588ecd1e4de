"""The account page: changing your password and signing out everywhere."""

import re

from tests.auth.conftest import PASSWORD, add_user, audit_actions, fresh_token, sign_in, user_row
from tradeportal.auth.models import Role

NEW_PASSWORD = "a brand new pass phrase"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/account/password",
        data={
            "csrf_token": fresh_token(client, "/account/password"),
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def test_the_account_page_shows_who_is_signed_in(app):
    add_user(app, "ed@example.org", Role.PUBLISHER, name="Pat Publisher")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    page = text(client.get("/account"))
    assert "Name Pat Publisher Email ed@example.org Role Publisher" in page


def test_changing_the_password_rotates_the_token_and_keeps_this_browser_signed_in(app):
    add_user(app, "ed@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "ed@example.org", remember=True)
    sign_in(elsewhere, "ed@example.org", remember=True)
    old_cookie = elsewhere.get_cookie("remember_token").value
    before = user_row(app, "ed@example.org")
    response = change_password(here)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    after = user_row(app, "ed@example.org")
    assert after.session_token != before.session_token
    assert after.password_hash != before.password_hash
    assert after.password_changed_at > before.password_changed_at
    assert "Your password is changed." in text(here.get("/account"))
    assert here.get("/manage/").status_code == 200
    assert here.get_cookie("remember_token").value != old_cookie  # re-issued for the new token
    # The other browser, its session and its remember-me cookie, are signed out.
    assert elsewhere.get("/manage/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("remember_token", old_cookie)
    assert replay.get("/manage/").status_code == 302
    # Only the new password works now.
    assert sign_in(app.test_client(), "ed@example.org", NEW_PASSWORD).status_code == 302
    assert sign_in(app.test_client(), "ed@example.org", PASSWORD).status_code == 200
    assert "password_changed" in [event[0] for event in audit_actions(app)]


def test_a_wrong_current_password_changes_nothing(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    before = user_row(app, "ed@example.org")
    response = change_password(client, current="not my password at all")
    assert response.status_code == 422
    assert "This is not your current password." in text(response)
    after = user_row(app, "ed@example.org")
    assert (after.session_token, after.password_hash) == (
        before.session_token,
        before.password_hash,
    )


def test_new_passwords_must_be_long_enough_agree_and_differ(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    short = change_password(client, new="too short")
    assert short.status_code == 422
    assert "Use at least 12 characters" in text(short)
    differ = change_password(client, again="something else entirely")
    assert "The two new passwords differ." in text(differ)
    same = change_password(client, new=PASSWORD)
    assert "Choose a password you have not used here." in text(same)
    assert "password_changed" not in [event[0] for event in audit_actions(app)]


def test_sign_out_everywhere_ends_every_session_including_this_one(app):
    add_user(app, "ed@example.org")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "ed@example.org", remember=True)
    sign_in(laptop, "ed@example.org")
    assert phone.get("/manage/").status_code == 200
    response = laptop.post(
        "/account/logout-everywhere", data={"csrf_token": fresh_token(laptop, "/account")}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You are signed out on every device." in text(laptop.get("/login"))
    assert laptop.get("/manage/").status_code == 302
    assert phone.get("/manage/").status_code == 302  # its remember-me cookie too
    assert "logout_everywhere" in [event[0] for event in audit_actions(app)]
    assert sign_in(app.test_client(), "ed@example.org").status_code == 302
