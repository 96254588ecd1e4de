"""Password reset by email: a signed link that works once, for a limited time.

The token names the account and a fingerprint of its password hash and session token, so
it stops working as soon as the password changes (it was used) or the account signs out
everywhere. Nothing is stored: the signature and the fingerprint are the whole state.
"""

import hashlib

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from tradeportal.auth.audit import record_audit
from tradeportal.auth.models import User
from tradeportal.auth.queries import find_user_by_email
from tradeportal.i18n import chosen_language
from tradeportal.mail.outbox import queue_email
from tradeportal.public_links import public_url

SALT = "tradeportal.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    text = f"{user.password_hash}|{user.session_token}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fingerprint": _fingerprint(user)})


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active account a reset token is valid for, or None (expired, used, forged)."""
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = session.get(User, data["user"])
    if user is None or not user.is_active or data.get("fingerprint") != _fingerprint(user):
        return None
    return user


def request_reset(session: Session, email: str) -> bool:
    """Queue a reset email when ``email`` names an active account; flush, never commit.

    The caller answers the same whatever this returns, so nobody learns which emails exist.
    Accounts store no language: the email is in the language the reset was asked in.
    """
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        return False
    token = reset_token(user)
    link = public_url("auth.reset_password", token=token)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60
    context = {"user": user, "link": link, "minutes": minutes}
    queue_email(
        session,
        to=user.email,
        subject=_("Reset your password for the trade portal"),
        text=render_template("auth/email/reset.txt", **context),
        html=render_template("auth/email/reset.html", **context),
        dedupe_key="password_reset:" + hashlib.sha256(token.encode()).hexdigest()[:40],
        kind="password_reset",
        language=chosen_language(),
    )
    record_audit(session, None, "password_reset_requested", user)
    return True
