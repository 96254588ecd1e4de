"""User administration in /manage/users: create, change roles, disable, and their rules."""

import re

from tests.auth.conftest import (
    add_user,
    audit_actions,
    fresh_token,
    sign_in,
    user_row,
)
from tradeportal.auth.models import Role
from tradeportal.auth.queries import find_user_by_email
from tradeportal.auth.services import AccountRuleError, change_role, set_active
from tradeportal.db import db


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def post(client, path, data, token_from):
    return client.post(path, data={"csrf_token": fresh_token(client, token_from), **data})


def test_the_list_shows_every_account(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    add_user(app, "gone@example.org", Role.EDITOR, name="Gone Person", active=False)
    page = text(admin.get("/manage/users"))
    assert "admin@example.org" in page
    assert "Gone Person gone@example.org Editor Disabled Never" in page


def test_creating_an_account_with_a_chosen_password(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    response = post(
        admin,
        "/manage/users/new",
        {
            "email": " New.Editor@Example.org ",
            "display_name": "  Nadia   Editor ",
            "role": "publisher",
            "password": "a chosen password 1",
        },
        "/manage/users/new",
    )
    assert response.status_code == 200
    assert "can now sign in as Publisher" in text(response)
    assert "shown only this once" not in text(response)
    created = user_row(app, "new.editor@example.org")
    assert (created.display_name, created.role, created.is_active) == (
        "Nadia Editor",
        Role.PUBLISHER,
        True,
    )
    admin_id = user_row(app, "admin@example.org").id
    assert (
        "user_created",
        admin_id,
        "user",
        str(created.id),
        {"role": "publisher", "via": "web"},
    ) in audit_actions(app)
    assert (
        sign_in(app.test_client(), "new.editor@example.org", "a chosen password 1").status_code
        == 302
    )


def test_a_generated_password_is_shown_once_and_works(app, signed_in):
    admin = signed_in(Role.ADMIN)
    response = post(
        admin,
        "/manage/users/new",
        {"email": "gen@example.org", "display_name": "Gen", "role": "editor", "password": ""},
        "/manage/users/new",
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True))
    assert password and len(password.group(1)) >= 20
    with admin.session_transaction() as session:
        assert password.group(1) not in str(dict(session))
    assert sign_in(app.test_client(), "gen@example.org", password.group(1)).status_code == 302


def test_bad_fields_get_messages_next_to_them_and_nothing_is_created(app, signed_in):
    admin = signed_in(Role.ADMIN)
    response = post(
        admin,
        "/manage/users/new",
        {"email": "not-an-email", "display_name": " ", "role": "king", "password": "short"},
        "/manage/users/new",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for field, message in [
        ("email", "Enter an email address like name@example.org."),
        ("display_name", "Enter the person&#39;s name."),
        ("role", "Choose one of: viewer, editor, publisher, admin."),
        ("password", "Use at least 12 characters"),
    ]:
        assert re.search(rf'id="error-{field}">{re.escape(message)}', body), field
    assert 'value="not-an-email"' in body  # what was typed is kept, except the password
    assert 'value="short"' not in body
    assert [event[0] for event in audit_actions(app)] == ["user_created", "login"]


def test_an_email_is_taken_whatever_its_case(app, signed_in):
    admin = signed_in(Role.ADMIN)
    add_user(app, "taken@example.org")
    response = post(
        admin,
        "/manage/users/new",
        {"email": "TAKEN@example.org", "display_name": "Again", "role": "editor", "password": ""},
        "/manage/users/new",
    )
    assert response.status_code == 409
    assert "An account with this email already exists." in text(response)
    assert "shown only this once" not in text(response)


def test_changing_a_role(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    editor_id = add_user(app, "ed@example.org", Role.EDITOR)
    page = f"/manage/users/{editor_id}"
    response = post(admin, f"{page}/role", {"role": "publisher"}, page)
    assert response.status_code == 302
    assert response.headers["Location"] == page
    assert "ed@example.org is now Publisher." in text(admin.get(page))
    assert user_row(app, "ed@example.org").role == Role.PUBLISHER
    event = audit_actions(app)[-1]
    assert event[0] == "role_changed"
    assert event[4] == {"before": "editor", "after": "publisher", "via": "web"}


def test_a_role_change_takes_effect_on_the_next_request(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    other = signed_in(Role.ADMIN, "other@example.org")
    assert other.get("/manage/users").status_code == 200
    other_id = user_row(app, "other@example.org").id
    post(admin, f"/manage/users/{other_id}/role", {"role": "editor"}, f"/manage/users/{other_id}")
    assert other.get("/manage/users").status_code == 403
    assert other.get("/manage/").status_code == 200


def test_an_administrator_cannot_change_their_own_role_or_disable_themselves(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    add_user(app, "second@example.org", Role.ADMIN)  # so "last admin" is not the reason
    own = f"/manage/users/{user_row(app, 'admin@example.org').id}"
    response = post(admin, f"{own}/role", {"role": "editor"}, own)
    assert response.status_code == 409
    assert "You cannot change your own role" in text(response)
    response = post(admin, f"{own}/disable", {}, own)
    assert response.status_code == 409
    assert "You cannot disable your own account." in text(response)
    row = user_row(app, "admin@example.org")
    assert (row.role, row.is_active) == (Role.ADMIN, True)


def test_the_last_active_administrator_cannot_be_demoted_or_disabled(app):
    add_user(app, "only@example.org", Role.ADMIN)
    add_user(app, "disabled-admin@example.org", Role.ADMIN, active=False)
    with app.app_context():
        only = find_user_by_email(db.session, "only@example.org")
        for attempt in (
            lambda: change_role(db.session, None, only, Role.EDITOR),
            lambda: set_active(db.session, None, only, False),
        ):
            try:
                attempt()
            except AccountRuleError as error:
                assert "last active administrator" in error.message
            else:
                raise AssertionError("the last administrator was removed")
            db.session.rollback()
        assert (only.role, only.is_active) == (Role.ADMIN, True)
        # With a second active administrator, the first may go.
        second = find_user_by_email(db.session, "disabled-admin@example.org")
        set_active(db.session, None, second, True)
        change_role(db.session, None, only, Role.EDITOR)
        db.session.commit()
    assert user_row(app, "only@example.org").role == Role.EDITOR


def test_disabling_ends_sessions_and_blocks_sign_in(app, signed_in):
    admin = signed_in(Role.ADMIN, "admin@example.org")
    editor = signed_in(Role.EDITOR, "ed@example.org")
    assert editor.get("/manage/").status_code == 200
    page = f"/manage/users/{user_row(app, 'ed@example.org').id}"
    response = post(admin, f"{page}/disable", {}, page)
    assert response.status_code == 302
    assert editor.get("/manage/").status_code == 302
    assert "This account is disabled" in text(sign_in(app.test_client(), "ed@example.org"))
    assert audit_actions(app)[-2][0] == "user_disabled"
    # Enabled again: signing in works, the old session stays ended.
    post(admin, f"{page}/enable", {}, page)
    assert editor.get("/manage/").status_code == 302
    assert sign_in(app.test_client(), "ed@example.org").status_code == 302
    assert [event[0] for event in audit_actions(app)][-2:] == ["user_enabled", "login"]


def test_an_unknown_account_number_is_a_404(app, signed_in):
    admin = signed_in(Role.ADMIN)
    assert admin.get("/manage/users/999").status_code == 404
    assert post(admin, "/manage/users/999/disable", {}, "/manage/users").status_code == 404
    assert admin.get("/manage/users/99999999999999999999999").status_code == 404
