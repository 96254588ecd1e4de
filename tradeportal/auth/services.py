"""Changing accounts: sign-in checks, creation, roles, activation, passwords (flush only).

Every change writes an audit event in the same transaction; the route or command commits.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tradeportal.auth.audit import record_audit
from tradeportal.auth.models import Role, User, new_session_token
from tradeportal.auth.passwords import (
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from tradeportal.auth.queries import active_admin_ids, find_user_by_email
from tradeportal.db import utcnow


class AccountRuleError(ValueError):
    """A change that would break a rule about accounts; nothing was changed."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt found: the account when it may sign in."""

    user: User | None
    disabled: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(session: Session, email: str, password: str) -> SignInResult:
    """Check an email and password and record the attempt.

    Unknown emails cost the same argon2 work as wrong passwords, and both give the same
    answer, so the result does not tell which emails have accounts. A disabled account
    is only reported as disabled to someone who knows its password.
    """
    user = find_user_by_email(session, email)
    if user is None:
        spend_verification_time(password)
        # The typed email is not kept: people type their password there by mistake.
        record_audit(session, None, "login_failed", reason="unknown email")
        return SignInResult(None)
    if not verify_password(user.password_hash, password):
        user.failed_logins = User.failed_logins + 1
        user.last_failed_login_at = utcnow()
        record_audit(session, None, "login_failed", user, reason="wrong password")
        return SignInResult(None)
    if not user.is_active:
        record_audit(session, None, "login_failed", user, reason="account disabled")
        return SignInResult(None, disabled=True)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    record_audit(session, user, "login", user)
    return SignInResult(user)


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    via: str = "web",
) -> User:
    """Create an active account; the email must not be taken (in any case)."""
    if find_user_by_email(session, email) is not None:
        raise AccountRuleError(_("An account with this email already exists."), field="email")
    user = User(
        email=email.strip().lower(),
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record_audit(session, actor, "user_created", user, role=role, via=via)
    return user


def change_role(
    session: Session, actor: User | None, user: User, role: Role, *, via: str = "web"
) -> bool:
    """Give ``user`` another role; return False when it already has it."""
    if role == user.role:
        return False
    if actor is not None and actor.id == user.id:
        raise AccountRuleError(_("You cannot change your own role; ask another administrator."))
    if user.role == Role.ADMIN and user.is_active:
        _keep_another_admin(session, user, "demoted")
    previous = user.role
    user.role = role
    session.flush()
    record_audit(session, actor, "role_changed", user, before=previous, after=role, via=via)
    return True


def set_active(
    session: Session, actor: User | None, user: User, active: bool, *, via: str = "web"
) -> bool:
    """Enable or disable ``user``; return False when nothing changes.

    Disabling also ends the account's sessions, so enabling it later does not revive them.
    """
    if user.is_active == active:
        return False
    if not active:
        if actor is not None and actor.id == user.id:
            raise AccountRuleError(_("You cannot disable your own account."))
        if user.role == Role.ADMIN:
            _keep_another_admin(session, user, "disabled")
        user.session_token = new_session_token()
    user.is_active = active
    session.flush()
    record_audit(session, actor, "user_enabled" if active else "user_disabled", user, via=via)
    return True


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password and end every other session of the account."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    session.flush()
    record_audit(session, user, "password_changed", user)


def log_out_everywhere(session: Session, user: User) -> None:
    """End every session and remember-me cookie of ``user`` by replacing its token."""
    user.session_token = new_session_token()
    session.flush()
    record_audit(session, user, "logout_everywhere", user)


def _keep_another_admin(session: Session, user: User, change: str) -> None:
    if not active_admin_ids(session, lock=True) - {user.id}:
        if change == "demoted":
            message = _(
                "%(email)s is the last active administrator and cannot be demoted; "
                "make someone else an administrator first.",
                email=user.email,
            )
        else:
            message = _(
                "%(email)s is the last active administrator and cannot be disabled; "
                "make someone else an administrator first.",
                email=user.email,
            )
        raise AccountRuleError(message)
