"""Error pages: every failure gets a clear page with a way forward, never a stack trace."""

import logging

from flask import Flask, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from tradeportal.i18n import N_, number

logger = logging.getLogger(__name__)

# English: the API says these too (tradeportal.api.http); pages translate them.
MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("There is no page at this address."),
    405: N_("This address does not accept that kind of request."),
    413: N_("What you sent is too large."),
    429: N_("Too many requests; please wait a moment and try again."),
    500: N_("Something went wrong on our side. It has been logged; please try again later."),
    503: N_("The service is briefly unavailable; please try again in a moment."),
}
# Seconds a client is asked to wait when the database cannot be reached (a restart).
RETRY_AFTER_SECONDS = 5
UNKNOWN_FAILURE = N_("The request could not be completed.")


class NulCharacter(BadRequest):
    """A NUL character in a submitted field, or one PostgreSQL was asked to compare.

    No field needs one, PostgreSQL cannot store one in text, and SQLite would keep junk:
    a posted form or JSON body holding one is refused before any view runs, the same way
    on both databases. (Search boxes drop control characters themselves.)
    """

    description = N_("The request contains a NUL character, which no field accepts.")


def refuse_nul_characters() -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if any("\x00" in value for _, values in request.form.lists() for value in values):
        raise NulCharacter()
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        raise NulCharacter()


def people_message(error) -> str:
    """An error's message (an exception or a message string) in the language shown.

    Errors and messages that carry ``template`` and ``values`` (an English message with
    ``%(name)s`` placeholders, marked with ``N_``; see ``tradeportal.content.fields.Message``)
    are translated before the values go in; others are looked up as they are, and stay
    English when the catalog does not know them.
    """
    template = getattr(error, "template", None)
    if template:
        values = getattr(error, "values", None) or {}
        return gettext(template, **{key: _shown(value) for key, value in values.items()})
    message = str(error)
    return gettext(message) if message else ""


def _shown(value):
    """A value of a message as the page reads it: nested messages translated, 10 000."""
    if getattr(value, "template", None):
        return people_message(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return value


def render_error(status: int, message: str | Exception | None = None, **context):
    """Render the shared error page with a status and a message for people.

    An English ``message`` the catalog knows (marked with ``N_`` or ``_l``) is shown in
    the language of the page; an already translated one is shown as it is. Pass the
    exception itself (``render_error(400, error)``) to translate a message with values.
    """
    if isinstance(message, Exception) or getattr(message, "template", None):
        message = people_message(message)
    else:
        message = gettext(message or MESSAGES.get(status, UNKNOWN_FAILURE))
    return render_template("error.html", status=status, message=message, **context), status


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            from tradeportal.api.http import http_error_response  # the API's one error shape

            return http_error_response(error)
        if isinstance(error, NulCharacter):
            return render_error(400, error.description)
        return render_error(error.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def handle_database_unavailable(error: Exception):
        # The database restarting or out of connections: a clear, retryable 503, not a
        # 500. The pool's pre-ping replaces dead connections, so the next request recovers.
        logger.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
        from tradeportal.db import db

        try:
            db.session.rollback()  # the error page must not meet a failed transaction
        except Exception:  # the connection is gone; the session is discarded at teardown
            logger.debug("rollback after a database error failed too", exc_info=True)
        response = app.make_response(handle_http_error(ServiceUnavailable()))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(DataError)
    def handle_data_error(error: DataError):
        # A NUL character from the address reached PostgreSQL (SQLite compares it and
        # finds nothing): the request's fault, so a 400 rather than a 500.
        if "NUL" not in str(error.orig):
            return handle_unexpected(error)
        from tradeportal.db import db

        db.session.rollback()
        return handle_http_error(NulCharacter())

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return handle_http_error(InternalServerError())
