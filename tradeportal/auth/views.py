"""Signing in and out, and the account page (blueprint ``auth``)."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_required, login_user, logout_user
from marshmallow import ValidationError

from tradeportal.auth.access import home_for, local_path, no_store
from tradeportal.auth.audit import record_audit
from tradeportal.auth.extension import limiter
from tradeportal.auth.passwords import verify_password
from tradeportal.auth.queries import normalise_email
from tradeportal.auth.reset import request_reset, user_for_token
from tradeportal.auth.schemas import LoginInput, PasswordChangeInput, PasswordResetInput
from tradeportal.auth.services import authenticate, change_password, log_out_everywhere
from tradeportal.db import db
from tradeportal.i18n import N_

bp = Blueprint("auth", __name__)
bp.after_request(no_store)

# The same words for an unknown email and a wrong password: no hint which emails exist.
WRONG_CREDENTIALS = N_("The email or password is wrong.")
DISABLED = N_("This account is disabled. Ask an administrator to enable it.")


def _people(message) -> str:
    """A form message in the language of the page: the schemas' messages are translated
    when raised or lazy; marshmallow's own English ones are looked up in the catalog."""
    return _(message) if isinstance(message, str) else str(message)


def form_messages(error: ValidationError) -> dict[str, list[str]]:
    """Turn a marshmallow error into {field: [messages]}; form-wide ones under "_form"."""
    messages = error.messages if isinstance(error.messages, dict) else {"_form": error.messages}
    return {
        ("_form" if field == "_schema" else field): [
            _people(message) for message in (found if isinstance(found, list) else [found])
        ]
        for field, found in messages.items()
    }


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_rate_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _submitted_account() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed_sign_in(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(
    _account_rate_limit,
    methods=["POST"],
    key_func=_submitted_account,
    deduct_when=_failed_sign_in,
)
def login():
    """Show the sign-in form; sign in with an email and password."""
    next_path = local_path(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated and login_fresh():
            return redirect(next_path or home_for(current_user))
        email = current_user.email if current_user.is_authenticated else ""
        return _login_form(email=email, next_path=next_path)

    try:
        data = LoginInput().load(request.form.to_dict())
    except ValidationError as error:
        email = request.form.get("email", "")
        return _login_form(email, next_path, form_messages(error), status=422)
    result = authenticate(db.session, data["email"], data["password"])
    db.session.commit()  # the attempt is in the audit log either way
    if not result.ok:
        g.sign_in_failed = True
        message = DISABLED if result.disabled else WRONG_CREDENTIALS
        return _login_form(data["email"], next_path, {"_form": [_(message)]})
    # A new session: nothing set before signing in (by anyone) survives into it.
    session.clear()
    login_user(result.user, remember=data["remember"])
    return redirect(next_path or home_for(result.user))


def _login_form(email: str, next_path: str | None, errors=None, status: int = 200):
    days = current_app.config["REMEMBER_COOKIE_DURATION"].days
    return render_template(
        "auth/login.html",
        email=email,
        next_path=next_path,
        errors=errors or {},
        remember_days=days,
    ), status


@bp.post("/logout")
def logout():
    """Sign out here; the remember-me cookie is removed too."""
    if current_user.is_authenticated:
        record_audit(db.session, current_user, "logout")
        db.session.commit()
    # Clear first: clearing after logout_user() would keep the remember-me cookie
    # (flask-login#600), because logout_user() leaves its removal order in the session.
    session.clear()
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    """Show the signed-in account, with password change and sign out everywhere."""
    return render_template("auth/account.html", user=current_user)


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of this account, on every device, including this one."""
    log_out_everywhere(db.session, current_user)
    db.session.commit()
    session.clear()
    logout_user()
    flash(_("You are signed out on every device. Sign in again to continue here."))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_rate_limit, methods=["POST"])
def password():
    """Change your own password; every other session of the account ends."""
    if request.method == "GET":
        return render_template("auth/password.html", errors={})
    try:
        data = PasswordChangeInput().load(request.form.to_dict())
    except ValidationError as error:
        return render_template("auth/password.html", errors=form_messages(error)), 422
    user = current_user._get_current_object()
    if not verify_password(user.password_hash, data["current_password"]):
        errors = {"current_password": [_("This is not your current password.")]}
        return render_template("auth/password.html", errors=errors), 422
    remember = _remembered()
    change_password(db.session, user, data["new_password"])
    db.session.commit()
    # The old token is gone, so this browser signs in again with the new one.
    session.clear()
    login_user(user, remember=remember)
    flash(_("Your password is changed. Other devices have been signed out."))
    return redirect(url_for("auth.account"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(_account_rate_limit, key_func=_submitted_account, methods=["POST"])
def request_password_reset():
    """Email a reset link; the answer is the same whether the address has an account."""
    if request.method == "GET":
        return render_template("auth/reset_request.html", errors={}, sent=False)
    email = normalise_email(request.form.get("email", ""))[:254]
    if not email:
        errors = {"email": [_("Enter your email address.")]}
        return render_template("auth/reset_request.html", errors=errors, sent=False), 422
    request_reset(db.session, email)
    db.session.commit()
    return render_template("auth/reset_request.html", errors={}, sent=True)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password from an emailed link; every session of the account ends."""
    user = user_for_token(db.session, token[:500])
    if user is None:
        flash(_("This reset link has expired or was already used. Ask for a new one."))
        return redirect(url_for("auth.request_password_reset"))
    if request.method == "GET":
        return render_template("auth/reset.html", errors={}, token=token)
    try:
        data = PasswordResetInput().load(request.form.to_dict())
    except ValidationError as error:
        errors = form_messages(error)
        return render_template("auth/reset.html", errors=errors, token=token), 422
    change_password(db.session, user, data["new_password"])
    record_audit(db.session, user, "password_reset", user)
    db.session.commit()
    session.clear()
    logout_user()
    flash(_("Your password is set. Sign in with it."))
    return redirect(url_for("auth.login"))
