"""A sender killed mid-batch: nothing is lost, and a duplicate keeps its Message-ID.

A real ``flask mail send`` process is killed (SIGKILL) while the SMTP server holds its
reply to a message it has already received: the crash between "sent" and "marked".
"""

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest

from tests.mail.conftest import later, outbox, queue
from tradeportal.config import ROOT
from tradeportal.db import db
from tradeportal.mail.models import MailStatus
from tradeportal.mail.sender import send_due

CLAIM_TIMEOUT = 600


def _start_sender(app, smtp_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRADEPORTAL_INSTANCE_PATH": app.instance_path,
        "TRADEPORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "TRADEPORTAL_SECRET_KEY": "test-secret-key",
        "TRADEPORTAL_MAIL_TRANSPORT": "smtp",
        "TRADEPORTAL_SMTP_URL": smtp_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.config(MAIL_CLAIM_TIMEOUT=CLAIM_TIMEOUT)
def test_a_killed_sender_is_taken_over_and_the_duplicate_has_the_same_message_id(smtp_app, sink):
    with smtp_app.app_context():
        for name in ("first", "held", "third"):
            queue(name, to=f"{name}@example.org")
    sink.handler.hold_recipient = "held@example.org"
    sender = _start_sender(smtp_app, sink.url)
    try:
        held = sink.handler.holding.wait(60)
        assert held, sender.stderr.read().decode() if sender.poll() is not None else "no DATA"
        sender.kill()
        sender.wait(30)
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait(30)
        sender.stderr.close()
    sink.handler.hold_recipient = None
    sink.handler.release.set()  # the server now answers a client that is gone

    with smtp_app.app_context():
        first, held, third = outbox()
        assert first.status is MailStatus.SENT
        # The claim was committed before sending: both rows still belong to the dead sender.
        assert held.status is third.status is MailStatus.SENDING
        assert held.claimed_by == third.claimed_by != "test-worker"
        claimed_at = held.claimed_at

        # Another sender leaves a fresh claim alone...
        assert send_due(db.session, worker_id="test-worker", now=later(seconds=1)).claimed == 0
        # ...and takes it over once it is older than MAIL_CLAIM_TIMEOUT.
        takeover = claimed_at + timedelta(seconds=CLAIM_TIMEOUT + 1)
        report = send_due(db.session, worker_id="test-worker", now=takeover)
        assert (report.claimed, report.sent) == (2, 2)
        rows = {row.to_address: row for row in outbox()}
        assert {row.status for row in rows.values()} == {MailStatus.SENT}
        assert rows["held@example.org"].attempts == 2
        assert rows["third@example.org"].attempts == 2
        assert rows["first@example.org"].attempts == 1
        expected_ids = {address: row.message_id for address, row in rows.items()}

    received = sink.handler.messages
    by_id = Counter(message.message_id for message in received)
    # Every email arrived; the one delivered twice carries the same Message-ID both times.
    assert set(by_id) == set(expected_ids.values())
    assert by_id == {
        expected_ids["first@example.org"]: 1,
        expected_ids["held@example.org"]: 2,
        expected_ids["third@example.org"]: 1,
    }
    before, after = sink.handler.received_by("held@example.org")
    assert before.data == after.data  # byte for byte the same message
