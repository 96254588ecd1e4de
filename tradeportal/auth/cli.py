"""``flask users create|set-role|disable|enable|list``: accounts from the command line."""

import sys

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from tradeportal.auth.models import Role, User
from tradeportal.auth.queries import find_user_by_email, list_users
from tradeportal.auth.schemas import RoleChangeInput, UserCreateInput
from tradeportal.auth.services import AccountRuleError, change_role, create_user, set_active
from tradeportal.db import db

users_cli = AppGroup("users", help="Editor accounts: create, change roles, disable, list.")

ROLE_NAMES = [role.value for role in Role]


def _problems(error: ValidationError) -> str:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return "; ".join(
        f"{field}: {' '.join(found) if isinstance(found, list) else found}"
        for field, found in messages.items()
    )


def _account(email: str) -> User:
    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, shown in the editor screens.")
@click.option("--role", required=True, type=click.Choice(ROLE_NAMES), help="What they may do.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def create_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account for EMAIL (the password is asked twice unless --password-stdin)."""
    password = _read_password(password_stdin)
    if not password:
        raise click.ClickException("A password is needed; nothing was created.")
    try:
        data = UserCreateInput().load(
            {"email": email, "display_name": name, "role": role, "password": password}
        )
        user = create_user(
            db.session,
            None,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            password=data["password"],
            via="cli",
        )
    except ValidationError as error:
        raise click.ClickException(f"{_problems(error)} Nothing was created.") from None
    except AccountRuleError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} Nothing was created.") from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_NAMES))
def set_role_command(email: str, role: str) -> None:
    """Give the account EMAIL another ROLE."""
    user = _account(email)
    try:
        changed = change_role(
            db.session, None, user, RoleChangeInput().load({"role": role})["role"], via="cli"
        )
    except AccountRuleError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} Nothing was changed.") from None
    db.session.commit()
    if changed:
        click.echo(f"{user.email} is now {user.role.value}.")
    else:
        click.echo(f"{user.email} already is {user.role.value}; nothing changed.")


def _set_active(email: str, active: bool) -> None:
    user = _account(email)
    try:
        changed = set_active(db.session, None, user, active, via="cli")
    except AccountRuleError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} Nothing was changed.") from None
    db.session.commit()
    state = "enabled" if active else "disabled"
    click.echo(f"{user.email} is {state}." if changed else f"{user.email} already is {state}.")


@users_cli.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Disable the account EMAIL: it can no longer sign in, its sessions end."""
    _set_active(email, False)


@users_cli.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Enable the disabled account EMAIL again."""
    _set_active(email, True)


@users_cli.command("list")
def list_command() -> None:
    """List every account: email, role, state, last sign-in."""
    users = list_users(db.session)
    if not users:
        click.echo("No accounts yet; create one with `flask users create`.")
        return
    width = max(len(user.email) for user in users)
    for user in users:
        state = "active" if user.is_active else "disabled"
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        click.echo(
            f"{user.email:<{width}}  {user.role.value:<9}  {state:<8}  "
            f"last sign-in {last}  {user.display_name}"
        )
