"""Fixtures of the mail tests: an unseeded app, a real SMTP server, queuing helpers."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.auth.conftest import CHEAP_HASHING, add_user, sign_in
from tests.mail.smtp_sink import SmtpSink, make_self_signed_cert
from tradeportal.auth.models import Role
from tradeportal.db import db
from tradeportal.mail.models import MailSuppression, OutboundEmail
from tradeportal.mail.outbox import queue_email

# Round numbers make the expected retry times easy to read in the tests.
RETRY_CONFIG = {"MAIL_RETRY_BASE": 60, "MAIL_RETRY_MAX": 600, "MAIL_MAX_ATTEMPTS": 4}


@pytest.fixture
def app(empty_app, request):
    """The migrated (unseeded) app, hashing cheaply unless the test's config says otherwise."""
    marker = request.node.get_closest_marker("config")
    given = marker.kwargs if marker else {}
    empty_app.config.update({k: v for k, v in CHEAP_HASHING.items() if k not in given})
    return empty_app


@pytest.fixture
def signed_in(app):
    """Return a function making a client signed in with a new account of a given role."""
    count = {"n": 0}

    def make(role: Role, email: str | None = None):
        count["n"] += 1
        email = email or f"{role.value}{count['n']}@example.org"
        add_user(app, email, role)
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def sink():
    """A plain SMTP server on a free loopback port; unexpected SMTP fails the test."""
    server = SmtpSink().start()
    yield server
    server.stop()
    assert not server.handler.problems, server.handler.problems


@pytest.fixture
def tls_sink(tmp_path):
    """An SMTP server that demands STARTTLS (self-signed certificate) and AUTH."""
    server = SmtpSink(tls_dir=make_self_signed_cert(tmp_path / "tls")).start()
    yield server
    server.stop()
    assert not server.handler.problems, server.handler.problems


@pytest.fixture
def smtps_sink(tmp_path):
    """An SMTP server speaking TLS from the first byte (smtps://, port 465 style) with AUTH."""
    tls_dir = make_self_signed_cert(tmp_path / "tls")
    server = SmtpSink(tls_dir=tls_dir, implicit_tls=True).start()
    yield server
    server.stop()
    assert not server.handler.problems, server.handler.problems


@pytest.fixture
def smtp_app(app, sink):
    """The app sending through ``sink``."""
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=sink.url)
    return app


@pytest.fixture
def ctx(smtp_app):
    with smtp_app.app_context():
        yield smtp_app


def queue(index: int | str, to: str = "trader@example.org", **overrides) -> OutboundEmail:
    """Queue one email with readable defaults and commit it; fail if it was not queued."""
    fields = {
        "to": to,
        "subject": f"Change {index} to a regulation you follow",
        "text": f"Plain text of email {index}.",
        "html": f"<p>HTML of email <b>{index}</b>.</p>",
        "dedupe_key": f"event:{index}:{to}",
        "kind": "alert",
    }
    fields.update(overrides)
    email = queue_email(db.session, **fields)
    assert email is not None, fields
    db.session.commit()
    return email


def outbox() -> list[OutboundEmail]:
    """Read every outbox row afresh, in id order."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))


def suppression_of(address: str) -> MailSuppression | None:
    db.session.expire_all()
    return db.session.scalar(select(MailSuppression).where(MailSuppression.address == address))


def later(**delta) -> datetime:
    """Return a moment after every row queued so far (rows are due from their queuing)."""
    return datetime.now(UTC) + timedelta(**delta)
