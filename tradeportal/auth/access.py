"""Who may open what: role checks, the sign-in redirect and its safe ``next`` address."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh
from werkzeug.urls import iri_to_uri

from tradeportal.auth.models import Role
from tradeportal.errors import render_error

MAX_NEXT_LENGTH = 2000


def local_path(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, otherwise None.

    Accepted: printable ASCII starting with a single "/", without a scheme, a host, a
    backslash (browsers read it as "/"), whitespace or control characters (browsers drop
    tabs and newlines, turning "/\\t/evil" into "//evil"), or "." and ".." segments.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if any(not 33 <= ord(character) <= 126 for character in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    segments = unquote(parts.path).split("/")
    if any(segment in (".", "..") for segment in segments) or "\\" in unquote(parts.path):
        return None
    return target


def login_redirect(message: str | None = None):
    """Send the visitor to the sign-in page, coming back here afterwards when safe.

    ``message`` (default "Sign in to open this page.") is flashed, in the language shown.
    """
    next_path = None
    if request.method in ("GET", "HEAD"):
        next_path = local_path(iri_to_uri(request.full_path).rstrip("?"))
    flash(message or _("Sign in to open this page."))
    return redirect(url_for("auth.login", next=next_path))


def forbidden(role: Role):
    """Answer 403 for a signed-in account whose role is too low."""
    return render_error(
        403,
        _(
            "This page needs the %(role)s role; your account is %(yours)s. "
            "Ask an administrator if you need it.",
            role=role.label,
            yours=current_user.role.label,
        ),
    )


def check_access(role: Role, *, fresh: bool = False):
    """Return the response that refuses the current request, or None to let it through.

    ``fresh`` asks for a password typed in this session, not a remember-me cookie.
    """
    if not current_user.is_authenticated:
        return login_redirect()
    if not current_user.can(role):
        return forbidden(role)
    if fresh and not login_fresh():
        return login_redirect(_("Confirm your password to open this page."))
    return None


def role_required(role: Role, *, fresh: bool = False) -> Callable:
    """Decorate a view so only active accounts with ``role`` or higher reach it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            refusal = check_access(role, fresh=fresh)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        guarded.required_role = role
        return guarded

    return decorator


def guard_blueprint(blueprint: Blueprint, role: Role) -> None:
    """Refuse every route of ``blueprint`` to accounts below ``role``, before any view runs.

    Editor blueprints call this once, so a route added later cannot forget the check.
    """
    blueprint.before_request(lambda: check_access(role))
    blueprint.after_request(no_store)


def no_store(response):
    """Keep pages for signed-in people out of browser and proxy caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


def home_for(user) -> str:
    """Return where an account lands after signing in."""
    if user.can(Role.EDITOR):
        return url_for("manage.dashboard")
    return url_for("auth.account")
