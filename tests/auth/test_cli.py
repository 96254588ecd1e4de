"""``flask users …``: accounts from the command line, audited with ``via: cli``."""

from tests.auth.conftest import add_user, audit_actions, sign_in, user_row
from tests.conftest import run_cli
from tradeportal.auth.models import Role


def invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_with_the_password_on_stdin(app):
    result = run_cli_input(
        app, "users", "create", "Ops@Example.org", "--name", "Ops Admin", "--role", "admin",
        "--password-stdin", input="a password from stdin\n",
    )  # fmt: skip
    assert "Created admin account ops@example.org" in result.output
    row = user_row(app, "ops@example.org")
    assert (row.display_name, row.role) == ("Ops Admin", Role.ADMIN)
    assert audit_actions(app) == [
        ("user_created", None, "user", str(row.id), {"role": "admin", "via": "cli"})
    ]
    assert sign_in(app.test_client(), "ops@example.org", "a password from stdin").status_code == 302


def run_cli_input(app, *args, input):
    result = invoke(app, *args, input=input)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_create_asks_for_the_password_twice(app):
    result = run_cli_input(
        app, "users", "create", "ed@example.org", "--name", "Ed", "--role", "editor",
        input="first try password\nsecond try differs\nthe real password\nthe real password\n",
    )  # fmt: skip
    assert "Error: The two entered values do not match." in result.output
    assert sign_in(app.test_client(), "ed@example.org", "the real password").status_code == 302


def test_create_refuses_bad_input_and_changes_nothing(app):
    add_user(app, "taken@example.org")
    cases = [
        (["taken@example.org", "--role", "editor"], "a long password 1", "already exists"),
        (["not-an-email", "--role", "editor"], "a long password 1", "email: Enter an email"),
        (["new@example.org", "--role", "editor"], "short", "password: Use at least 12"),
        (["new@example.org", "--role", "editor"], "", "A password is needed"),
    ]
    for args, password, message in cases:
        result = invoke(
            app, "users", "create", *args, "--name", "X", "--password-stdin", input=password + "\n"
        )
        assert result.exit_code == 1, result.output
        assert message in result.output
    result = invoke(app, "users", "create", "new@example.org", "--name", "X", "--role", "king")
    assert result.exit_code == 2
    assert len(audit_actions(app)) == 1


def test_set_role_disable_enable_and_list(app):
    add_user(app, "boss@example.org", Role.ADMIN)
    add_user(app, "ed@example.org", Role.EDITOR, name="Ed Itor")
    result = run_cli(app, "users", "set-role", "ED@example.org", "publisher")
    assert "ed@example.org is now publisher." in result.output
    assert (
        "already is publisher"
        in run_cli(app, "users", "set-role", "ed@example.org", "publisher").output
    )
    assert (
        "ed@example.org is disabled." in run_cli(app, "users", "disable", "ed@example.org").output
    )
    assert "This account is disabled" in sign_in(app.test_client(), "ed@example.org").get_data(
        as_text=True
    )
    listing = run_cli(app, "users", "list").output.splitlines()
    assert listing[0].split()[:3] == ["boss@example.org", "admin", "active"]
    assert listing[1].split()[:3] == ["ed@example.org", "publisher", "disabled"]
    assert listing[1].endswith("last sign-in never  Ed Itor")
    run_cli(app, "users", "enable", "ed@example.org")
    assert sign_in(app.test_client(), "ed@example.org").status_code == 302
    cli_events = [event for event in audit_actions(app) if event[4].get("via") == "cli"]
    assert [event[0] for event in cli_events] == ["role_changed", "user_disabled", "user_enabled"]
    assert all(event[1] is None for event in cli_events)


def test_the_last_administrator_stays(app):
    add_user(app, "boss@example.org", Role.ADMIN)
    for args in (["set-role", "boss@example.org", "editor"], ["disable", "boss@example.org"]):
        result = invoke(app, "users", *args)
        assert result.exit_code == 1
        assert "last active administrator" in result.output
        assert "Nothing was changed." in result.output
    row = user_row(app, "boss@example.org")
    assert (row.role, row.is_active) == (Role.ADMIN, True)


def test_unknown_accounts_and_an_empty_list(app):
    assert "No accounts yet" in run_cli(app, "users", "list").output
    result = invoke(app, "users", "disable", "ghost@example.org")
    assert result.exit_code == 1
    assert "No account has the email ghost@example.org." in result.output
