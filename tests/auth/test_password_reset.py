"""Password reset by email: the link arrives through the outbox, works once, then expires."""

import email
import re
from pathlib import Path

from tests.auth.conftest import PASSWORD, add_user, audit_actions, fresh_token, sign_in
from tests.conftest import run_cli

NEW_PASSWORD = "a brand new passphrase for testing"
LINK = re.compile(r"http://localhost:5000(/password/reset/[A-Za-z0-9_.\-]+)")


def sent_emails(app) -> list[email.message.EmailMessage]:
    """Send the outbox with the file transport and read what it wrote."""
    result = run_cli(app, "mail", "send")
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "mail"
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def reset_link(message) -> str:
    found = LINK.search(message.get_body(("plain",)).get_content())
    assert found, "the email has no reset link"
    return found.group(1)


def ask_for_reset(client, address: str):
    token = fresh_token(client, "/password/reset")
    return client.post("/password/reset", data={"csrf_token": token, "email": address})


def choose(client, path: str, password: str = NEW_PASSWORD):
    token = fresh_token(client, path)
    return client.post(
        path,
        data={"csrf_token": token, "new_password": password, "new_password_again": password},
    )


def test_a_reset_link_sets_a_new_password_once(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    answer = ask_for_reset(client, "Ed@Example.org")
    assert answer.status_code == 200
    assert "If an account uses that address" in answer.text
    [message] = sent_emails(app)
    assert message["To"] == "ed@example.org"
    assert message["Message-ID"]
    path = reset_link(message)

    assert choose(client, path).status_code == 302
    assert sign_in(app.test_client(), "ed@example.org", NEW_PASSWORD).status_code == 302
    assert sign_in(app.test_client(), "ed@example.org", PASSWORD).status_code != 302
    # Used: the same link no longer works.
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"].startswith("/password/reset")
    actions = [action for action, *_ in audit_actions(app)]
    assert "password_reset_requested" in actions and "password_reset" in actions


def test_unknown_and_disabled_addresses_get_the_same_answer_and_no_email(app):
    add_user(app, "gone@example.org", active=False)
    client = app.test_client()
    for address in ("nobody@example.org", "gone@example.org"):
        answer = ask_for_reset(client, address)
        assert answer.status_code == 200
        assert "If an account uses that address" in answer.text
    assert sent_emails(app) == []


def test_forged_or_tampered_links_are_refused(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    ask_for_reset(client, "ed@example.org")
    path = reset_link(sent_emails(app)[0])
    for forged in (
        path[:-3] + "abc",
        "/password/reset/not-a-token",
        "/password/reset/" + "x" * 5000,
    ):
        assert client.get(forged).status_code == 302
        form = {"csrf_token": fresh_token(client, "/password/reset")}
        form |= {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
        assert client.post(forged, data=form).status_code == 302, forged
    assert sign_in(app.test_client(), "ed@example.org", PASSWORD).status_code == 302


def test_a_link_stops_working_after_signing_out_everywhere(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    ask_for_reset(client, "ed@example.org")
    path = reset_link(sent_emails(app)[0])
    signed = app.test_client()
    sign_in(signed, "ed@example.org")
    signed.post("/account/logout-everywhere", data={"csrf_token": fresh_token(signed, "/account")})
    assert client.get(path).status_code == 302


def test_a_weak_new_password_is_refused_with_the_reason(app):
    add_user(app, "ed@example.org")
    client = app.test_client()
    ask_for_reset(client, "ed@example.org")
    path = reset_link(sent_emails(app)[0])
    weak = choose(client, path, "short")
    assert weak.status_code == 422
    assert "at least" in weak.text
    assert client.get(path).status_code == 200  # still usable


def test_the_expiry_is_enforced(app):
    add_user(app, "ed@example.org")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    client = app.test_client()
    ask_for_reset(client, "ed@example.org")
    path = reset_link(sent_emails(app)[0])
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/password/reset")


def test_reset_requests_are_rate_limited(app):
    client = app.test_client()
    statuses = [ask_for_reset(client, "someone@example.org").status_code for _ in range(8)]
    assert statuses[0] == 200 and 429 in statuses
