"""JSON log lines (LOG_FORMAT = "json"): one parseable object per record."""

import io
import json
import logging
import sys

import pytest

from tradeportal.config import ConfigError
from tradeportal.logs import JsonFormatter, configure_logging


def _record(message="worker: %d sent", args=(3,), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(
        "tradeportal.worker", logging.INFO, __file__, 1, message, args, exc_info
    )


def test_a_record_outside_a_request_is_one_json_line():
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "tradeportal.worker"
    assert entry["message"] == "worker: 3 sent"
    assert entry["time"].endswith("+00:00")
    assert "request_id" not in entry and "exception" not in entry


def test_line_breaks_in_a_message_cannot_forge_a_second_record():
    line = JsonFormatter().format(_record('a\n{"level": "ERROR"}', ()))
    assert "\n" not in line
    assert json.loads(line)["message"] == 'a\n{"level": "ERROR"}'


def test_the_exception_text_is_kept():
    try:
        raise ValueError("bad row 7")
    except ValueError:
        record = _record("import failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: bad row 7" in entry["exception"]


def test_a_request_adds_its_id_and_path(app):
    formatter = JsonFormatter()
    with app.test_request_context("/hs/0901?lang=fr", headers={"X-Request-ID": "abc-123"}):
        entry = json.loads(formatter.format(_record()))
        assert entry["request_id"] == "abc-123"
        assert entry["path"] == "/hs/0901"
        assert entry["method"] == "GET"
    with app.test_request_context("/", headers={"X-Request-ID": "<script> " * 3}):
        first = json.loads(formatter.format(_record()))["request_id"]
        second = json.loads(formatter.format(_record()))["request_id"]
    assert first == second  # one id for every line of the request
    assert len(first) == 32 and "<" not in first


@pytest.fixture
def root_logger():
    """The root logger, with its handlers and level put back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_json_format_sends_app_records_through_the_formatter(app, root_logger):
    app.config["LOG_FORMAT"] = "json"
    configure_logging(app)
    configure_logging(app)  # create_app again in the same process: still one handler
    ours = [h for h in root_logger.handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(ours) == 1
    stream = io.StringIO()
    ours[0].setStream(stream)
    with app.test_request_context("/search"):
        app.logger.info("searched")
        logging.getLogger("tradeportal.worker").warning("job failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["logger"], e["message"], e["path"]) for e in lines] == [
        (app.logger.name, "searched", "/search"),
        ("tradeportal.worker", "job failed", "/search"),
    ]


def test_text_format_leaves_logging_alone(app, root_logger):
    handlers = list(root_logger.handlers)
    configure_logging(app)  # LOG_FORMAT defaults to "text"
    assert root_logger.handlers == handlers


def test_an_unknown_format_is_refused(app):
    app.config["LOG_FORMAT"] = "yaml"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        configure_logging(app)
