"""Error pages: every failure gets a clear page with a way forward, never a stack trace."""

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many requests; please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; please try again later.",
}


def render_error(status: int, message: str | None = None, **context):
    """Render the shared error page with a status and a message for people."""
    message = message or MESSAGES.get(status, "The request could not be completed.")
    return render_template("error.html", status=status, message=message, **context), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            from tradeportal.api.http import http_error_response  # the API's one error shape

            return http_error_response(error)
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return handle_http_error(InternalServerError())
