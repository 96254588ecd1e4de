"""/healthz and /readyz: real failures (a missing index, an unreachable database, mail
stuck in the outbox) give 503 with a short reason, never a 500 or a stack trace."""

import shutil
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from tradeportal import create_app
from tradeportal.db import db, utcnow
from tradeportal.mail.models import MailStatus, OutboundEmail
from tradeportal.search.extension import search_store


def _readyz(client):
    response = client.get("/readyz")
    assert response.status_code in (200, 503), response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Traceback" not in response.get_data(as_text=True)
    return response, response.get_json()["checks"]


def _queue_email(app, *, age_seconds: int, status=MailStatus.QUEUED, key="health-test"):
    with app.app_context():
        db.session.add(
            OutboundEmail(
                dedupe_key=key,
                message_id=f"<{key}@example.org>",
                kind="alert",
                to_address="someone@example.org",
                subject="A change you follow",
                body_text="Hello",
                status=status,
                created_at=utcnow() - timedelta(seconds=age_seconds),
            )
        )
        db.session.commit()


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_routes_set_no_cookie(indexed_app):
    client = indexed_app.test_client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
    assert client.get_cookie("session") is None


def test_readyz_ready_on_an_indexed_app(indexed_app):
    response, checks = _readyz(indexed_app.test_client())
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert set(checks) == {"database", "search_index", "mail_outbox"}
    assert all(check["ok"] for check in checks.values())
    assert checks["search_index"]["documents"] > 0
    assert checks["mail_outbox"]["oldest_queued_seconds"] is None


def test_readyz_fails_without_a_search_index(client):
    response, checks = _readyz(client)  # the `app` fixture never built an index
    assert response.status_code == 503
    assert response.get_json()["status"] == "fail"
    assert checks["search_index"]["ok"] is False
    assert "search index" in checks["search_index"]["reason"]
    assert checks["database"]["ok"] is True


def test_readyz_fails_when_the_index_directory_is_removed(indexed_app):
    client = indexed_app.test_client()
    assert client.get("/readyz").status_code == 200  # a searcher is now pooled
    with indexed_app.app_context():
        search_store().close()
        shutil.rmtree(search_store().root)
    response, checks = _readyz(client)
    assert response.status_code == 503
    assert checks["search_index"]["ok"] is False
    assert "search index" in checks["search_index"]["reason"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once it is closed


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_readyz_fails_when_the_database_is_unreachable(tmp_path, backend):
    gone = tmp_path / "gone"
    if backend == "sqlite":
        url = f"sqlite:///{gone / 'tradeportal.db'}"
    else:
        url = f"postgresql+psycopg://portal@127.0.0.1:{_closed_port()}/portal"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": url,
            "DATABASE_CONNECT_TIMEOUT": 2,
        }
    )
    # The engine made the folder of the SQLite file; take it away again.
    shutil.rmtree(gone, ignore_errors=True)
    try:
        client = app.test_client()
        response, checks = _readyz(client)
        assert response.status_code == 503
        assert checks["database"] == {
            "ok": False,
            "reason": "database check failed: OperationalError",
        }
        assert checks["mail_outbox"]["ok"] is False  # it needs the database too
        # Liveness does not depend on the database: the process itself is fine.
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
    assert not Path(gone).exists()  # nothing recreated the database behind our back


def test_readyz_fails_when_queued_mail_is_older_than_the_limit(indexed_app):
    _queue_email(indexed_app, age_seconds=1000)  # the default limit is 900 s
    response, checks = _readyz(indexed_app.test_client())
    assert response.status_code == 503
    mail = checks["mail_outbox"]
    assert mail["ok"] is False
    assert "oldest queued email has waited 1000 s" in mail["reason"]
    assert checks["database"]["ok"] and checks["search_index"]["ok"]


def test_readyz_reports_recent_queued_mail_and_ignores_failed(indexed_app):
    _queue_email(indexed_app, age_seconds=120, key="recent")
    _queue_email(indexed_app, age_seconds=86400, status=MailStatus.FAILED, key="given-up")
    response, checks = _readyz(indexed_app.test_client())
    assert response.status_code == 200
    assert 120 <= checks["mail_outbox"]["oldest_queued_seconds"] < 900


@pytest.mark.config(READY_MAIL_MAX_AGE_SECONDS=60)
def test_the_mail_age_limit_is_configurable(indexed_app):
    _queue_email(indexed_app, age_seconds=120)
    response, checks = _readyz(indexed_app.test_client())
    assert response.status_code == 503
    assert "more than 60 s" in checks["mail_outbox"]["reason"]


@pytest.mark.config(READY_MAIL_MAX_AGE_SECONDS=0)
def test_a_zero_mail_age_limit_only_reports(indexed_app):
    _queue_email(indexed_app, age_seconds=86400)
    response, checks = _readyz(indexed_app.test_client())
    assert response.status_code == 200
    assert checks["mail_outbox"]["oldest_queued_seconds"] >= 86400
