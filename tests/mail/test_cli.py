"""``flask mail send`` and ``flask mail status``, and the worker's mail job."""

import pytest

from tests.conftest import run_cli
from tests.mail.conftest import RETRY_CONFIG, later, outbox, queue
from tradeportal.db import db
from tradeportal.mail.models import MailStatus
from tradeportal.mail.sender import send_due
from tradeportal.worker import run_pass


def test_mail_send_sends_everything_due_and_says_so(smtp_app, sink):
    with smtp_app.app_context():
        for index in range(5):
            queue(index, to=f"trader{index}@example.org")
    result = run_cli(smtp_app, "mail", "send", "--batch", "2")
    assert f"mail via smtp://127.0.0.1:{sink.port}: 5 sent, 0 to retry, 0 failed" in result.output
    assert "in 3 pass(es)" in result.output
    assert len(sink.handler.messages) == 5
    assert len(sink.handler.ehlos) == 3  # one connection per batch
    result = run_cli(smtp_app, "mail", "send")
    assert "0 sent" in result.output and "0 claimed" in result.output


@pytest.mark.config(**RETRY_CONFIG)
def test_mail_send_lists_the_problems_and_stops(smtp_app, sink):
    sink.handler.refuse_rcpt["busy@example.org"] = "421 4.7.0 Too many connections"
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user"
    with smtp_app.app_context():
        queue(1, to="busy@example.org")
        queue(2, to="gone@example.org")
    result = run_cli(smtp_app, "mail", "send")
    assert "0 sent, 1 to retry, 1 failed" in result.output
    assert "RCPT refused: 421 4.7.0 Too many connections" in result.output
    assert "RCPT refused: 550 5.1.1 No such user" in result.output


@pytest.mark.config(**RETRY_CONFIG)
def test_mail_status_counts_and_lists_failures(smtp_app, sink):
    result = run_cli(smtp_app, "mail", "status")
    assert "outbox: 0 queued, 0 sending, 0 sent, 0 failed, 0 suppressed" in result.output
    assert "oldest queued: none waiting." in result.output
    assert "no failed emails." in result.output
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user"
    with smtp_app.app_context():
        queue(1, to="gone@example.org", kind="confirm")
        queue(2, to="trader@example.org")
        send_due(db.session, now=later(seconds=1))
        queue(3, to="late@example.org")
    result = run_cli(smtp_app, "mail", "status")
    assert "outbox: 1 queued, 0 sending, 1 sent, 1 failed, 0 suppressed" in result.output
    assert "oldest queued: waiting 0 s." in result.output
    assert "suppressed addresses: 0." in result.output
    assert "last 1 failure(s), newest first:" in result.output
    assert "#1 confirm to gone@example.org, 1 tries" in result.output
    assert "RCPT refused: 550 5.1.1 No such user" in result.output


def test_the_worker_pass_sends_mail(smtp_app, sink):
    with smtp_app.app_context():
        queue(1)
        run_pass()
        assert [row.status for row in outbox()] == [MailStatus.SENT]
    assert len(sink.handler.messages) == 1
