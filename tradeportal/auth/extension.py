"""Wiring accounts into the app: sign-in sessions, CSRF protection and rate limits.

``limiter`` is importable by any area that limits a route::

    from tradeportal.auth.extension import limiter

    @bp.post("/subscribe")
    @limiter.limit("10 per hour")
    def subscribe(): ...

Flask-Limiter keeps its storage on the ``Limiter`` object, so one process serves one app
(as gunicorn and the CLI do); tests create their apps one after another.
"""

from datetime import timedelta

from flask import Flask, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, user_loaded_from_cookie
from flask_wtf.csrf import CSRFError, CSRFProtect

from tradeportal.config import ConfigError
from tradeportal.db import db
from tradeportal.errors import render_error
from tradeportal.i18n import N_

MAX_REMEMBER = timedelta(days=14)

login_manager = LoginManager()
login_manager.session_protection = "strong"  # the app's SESSION_PROTECTION wins
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

# English in the API's JSON; the error page shows it in the language of the page.
CSRF_MESSAGE = N_(
    "This form has expired or did not come from this site, so nothing was changed. "
    "Go back, reload the page and send the form again."
)


@login_manager.user_loader
def load_user(token: str):
    from tradeportal.auth.queries import find_user_by_token

    return find_user_by_token(db.session, token)


@user_loaded_from_cookie.connect
def bind_restored_session(_app, user) -> None:
    """Tie a session restored from a remember-me cookie to this browser and address.

    Flask-Login 0.6.3 restores it without the identifier that "strong" protection
    compares, so the next request would drop the session and the remember-me cookie
    (flask-login#685, #248).
    """
    session["_id"] = login_manager._session_identifier_generator()


@login_manager.unauthorized_handler
def unauthorized():
    from tradeportal.auth.access import login_redirect

    return login_redirect()


def init_app(app: Flask) -> None:
    """Set up sign-in, CSRF and rate limits, and register the auth pages and commands."""
    from tradeportal.auth import manage, manage_audit, manage_users, views  # noqa: F401
    from tradeportal.auth.cli import users_cli
    from tradeportal.auth.models import Role

    _secure_cookies(app)
    # The limiter's check runs before CSRF's, so rejected forms count against the limit.
    limiter.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    @app.errorhandler(CSRFError)
    def refuse_forged_form(error: CSRFError):
        if request.path.startswith("/api/"):
            return {"error": {"status": 400, "message": CSRF_MESSAGE}}, 400
        return render_error(400, CSRF_MESSAGE)

    app.add_template_global(Role, "Role")
    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    app.cli.add_command(users_cli)


def _secure_cookies(app: Flask) -> None:
    config = app.config
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(key) is None:
            config[key] = bool(config["PRODUCTION"])
    duration = config["REMEMBER_COOKIE_DURATION"]
    if not isinstance(duration, timedelta):
        duration = timedelta(seconds=int(duration))
    if not timedelta(0) < duration <= MAX_REMEMBER:
        raise ConfigError("REMEMBER_COOKIE_DURATION must be more than 0 and at most 14 days.")
    config["REMEMBER_COOKIE_DURATION"] = duration
