"""Structured logs: with ``LOG_FORMAT = "json"`` every log line is one JSON object.

Log collectors (journald → Loki, Elasticsearch…) then read fields instead of parsing
text, and a message with line breaks or quotes cannot forge a second record.
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

from tradeportal.config import ConfigError

# A request id from the proxy (nginx: proxy_set_header X-Request-ID $request_id) is kept
# when it looks like one; anything else a client sent is replaced, not logged.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id() -> str:
    """Return the current request's id: the proxy's X-Request-ID, else one made here."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time, level, logger, message and context."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = request_id()
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    """Send every log record to stderr as JSON when the app's LOG_FORMAT is "json"."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in ("text", "json"):
        raise ConfigError(f'LOG_FORMAT must be "text" or "json", not {log_format!r}.')
    if log_format == "text":
        return
    # Flask's own handler on app.logger would print each app record a second time, as text.
    app.logger.removeHandler(default_handler)
    root = logging.getLogger()
    # create_app may run more than once in a process (tests): replace our handler, once.
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    # Without a level the worker's progress lines (INFO) would never be written.
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # Alembic announces its plugins at INFO each time a process imports it: noise.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
