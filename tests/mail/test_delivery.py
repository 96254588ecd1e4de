"""Delivery through a real SMTP server: content, retries, failures, bounces, suppression."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.mail.conftest import RETRY_CONFIG, later, outbox, queue, suppression_of
from tests.mail.smtp_sink import SmtpSink, free_port
from tradeportal.db import db
from tradeportal.mail import services
from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail
from tradeportal.mail.outbox import queue_email
from tradeportal.mail.sender import retry_delay, send_due
from tradeportal.mail.services import record_hard_bounce

FRENCH_TEXT = "Le café vert (0901.11) : nouvelle règle — voir https://portal.example/r/12\n"
FRENCH_HTML = '<p>Le café vert : <a href="https://portal.example/r/12">nouvelle règle</a></p>'
UNSUBSCRIBE = {
    "List-Unsubscribe": "<mailto:unsubscribe@portal.example?subject=u-abc>, "
    "<https://portal.example/alerts/unsubscribe/abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def test_a_message_is_multipart_with_its_headers(ctx, sink):
    email = queue(
        1,
        subject="Café : une règle change",
        text=FRENCH_TEXT,
        html=FRENCH_HTML,
        language="fr",
        headers=UNSUBSCRIBE,
    )
    report = send_due(db.session, now=later(seconds=1))
    assert (report.claimed, report.sent) == (1, 1)
    [received] = sink.handler.messages
    assert received.recipients == ["trader@example.org"]
    assert received.mail_from == "no-reply@localhost"
    message = received.message
    assert message["From"] == "Trade portal <no-reply@localhost>"
    assert message["To"] == "trader@example.org"
    assert message["Subject"] == "Café : une règle change"
    assert message["Message-ID"] == email.message_id
    assert message["Date"]
    assert message["Content-Language"] == "fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] == UNSUBSCRIBE["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    # SMTP carries CRLF line ends; the text is otherwise what was queued.
    assert text_part.get_content().replace("\r\n", "\n") == FRENCH_TEXT
    assert html_part.get_content_type() == "text/html"
    assert html_part.get_content().strip() == FRENCH_HTML
    # Every line short and 7-bit, whatever the relay supports.
    assert all(byte < 128 for byte in received.data)
    [row] = outbox()
    assert row.status is MailStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None and row.last_error is None


def test_a_text_only_email_is_a_single_part(ctx, sink):
    queue(1, html=None)
    send_due(db.session, now=later(seconds=1))
    message = sink.handler.messages[0].message
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Plain text of email 1.\r\n"


def test_a_batch_uses_one_connection_and_goes_out_in_queue_order(ctx, sink):
    for index in range(5):
        queue(index, to=f"trader{index}@example.org")
    report = send_due(db.session, now=later(seconds=1), batch=3)
    assert report.sent == 3
    assert len(sink.handler.ehlos) == 1
    report = send_due(db.session, now=later(seconds=1), batch=3)
    assert report.sent == 2
    assert len(sink.handler.ehlos) == 2
    assert [m.recipients[0] for m in sink.handler.messages] == [
        f"trader{index}@example.org" for index in range(5)
    ]
    assert send_due(db.session, now=later(seconds=1)).claimed == 0


def test_an_email_is_not_sent_before_it_is_due(ctx, sink):
    email = queue(1)
    assert send_due(db.session, now=email.created_at - timedelta(seconds=1)).claimed == 0
    assert sink.handler.messages == []


@pytest.mark.config(**RETRY_CONFIG)
def test_a_temporary_refusal_is_retried_with_growing_waits_then_fails(ctx, sink):
    sink.handler.refuse_rcpt["busy@example.org"] = "451 4.3.0 Mailbox busy, try later"
    queue(1, to="busy@example.org")
    now = later(seconds=1)
    waits = []
    for attempt in range(1, 4):
        report = send_due(db.session, now=now)
        assert (report.claimed, report.retrying) == (1, 1), attempt
        [row] = outbox()
        assert row.status is MailStatus.QUEUED
        assert row.attempts == attempt
        assert "451" in row.last_error and "Mailbox busy" in row.last_error
        waits.append(row.next_attempt_at - now)
        # Not due a second early, due at the time.
        assert send_due(db.session, now=row.next_attempt_at - timedelta(seconds=1)).claimed == 0
        now = row.next_attempt_at
    # MAIL_RETRY_BASE 60 s doubling per try.
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    report = send_due(db.session, now=now)
    assert report.failed == 1
    [row] = outbox()
    assert row.status is MailStatus.FAILED
    assert row.attempts == 4  # MAIL_MAX_ATTEMPTS
    assert row.last_error.startswith("gave up after 4 tries: RCPT refused: 451")
    assert sink.handler.messages == []
    assert suppression_of("busy@example.org") is None  # a 4xx is no bounce


def test_the_wait_is_capped():
    waits = [retry_delay(n, base=60, cap=600).total_seconds() for n in range(1, 8)]
    assert waits == [60, 120, 240, 480, 600, 600, 600]
    assert retry_delay(10_000, base=60, cap=600) == timedelta(seconds=600)


@pytest.mark.config(**RETRY_CONFIG)
def test_a_temporary_refusal_then_acceptance_delivers(ctx, sink):
    sink.handler.refuse_data["later@example.org"] = "452 4.3.1 Insufficient storage"
    queue(1, to="later@example.org")
    now = later(seconds=1)
    assert send_due(db.session, now=now).retrying == 1
    del sink.handler.refuse_data["later@example.org"]
    assert send_due(db.session, now=now + timedelta(seconds=60)).sent == 1
    [row] = outbox()
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)
    assert len(sink.handler.messages) == 1


def test_a_permanent_refusal_fails_at_once_and_counts_a_hard_bounce(ctx, sink):
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user here"
    queue(1, to="gone@example.org")
    queue(2, to="trader@example.org")
    report = send_due(db.session, now=later(seconds=1))
    assert (report.failed, report.sent) == (1, 1)
    gone, fine = outbox()
    assert gone.status is MailStatus.FAILED
    assert gone.attempts == 1
    assert gone.last_error == "RCPT refused: 550 5.1.1 No such user here"
    assert fine.status is MailStatus.SENT
    suppression = suppression_of("gone@example.org")
    assert suppression.hard_bounces == 1
    assert suppression.reason == "RCPT refused: 550 5.1.1 No such user here"
    assert suppression.suppressed_at is None
    assert send_due(db.session, now=later(hours=1)).claimed == 0  # never retried


def test_a_permanent_refusal_of_the_data_is_a_hard_bounce_too(ctx, sink):
    sink.handler.refuse_data["full@example.org"] = "552 5.2.2 Mailbox full for good"
    queue(1, to="full@example.org")
    assert send_due(db.session, now=later(seconds=1)).failed == 1
    assert outbox()[0].last_error == "DATA refused: 552 5.2.2 Mailbox full for good"
    assert suppression_of("full@example.org").hard_bounces == 1


def test_three_hard_bounces_suppress_the_address(ctx, sink):
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user here"
    for index in range(3):
        queue(index, to="gone@example.org")
    queue(9, to="trader@example.org")
    report = send_due(db.session, now=later(seconds=1))
    assert (report.failed, report.sent) == (3, 1)
    suppression = suppression_of("gone@example.org")
    assert suppression.hard_bounces == 3
    assert suppression.suppressed_at is not None
    refused = queue_email(
        db.session,
        to="gone@example.org",
        subject="S",
        text="T",
        dedupe_key="event:10:gone@example.org",
        kind="alert",
    )
    assert refused is None


def test_queued_mail_to_an_address_suppressed_meanwhile_is_not_sent(ctx, sink):
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user here"
    for index in range(5):
        queue(index, to="gone@example.org")
    report = send_due(db.session, now=later(seconds=1))
    # The third refusal suppresses the address; the two after it are not even tried.
    assert (report.failed, report.suppressed) == (3, 2)
    statuses = [row.status for row in outbox()]
    assert statuses == [MailStatus.FAILED] * 3 + [MailStatus.SUPPRESSED] * 2
    assert "suppressed" in outbox()[-1].last_error


def test_the_bounce_that_suppresses_an_address_tells_the_listeners_once(ctx, sink, monkeypatch):
    heard = []

    def listener(session, address, when):
        # Called inside the sender's transaction: the suppression is already visible.
        heard.append((address, session.scalar(select(MailSuppression.hard_bounces))))

    monkeypatch.setattr(services, "SUPPRESSION_LISTENERS", [listener])
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user here"
    for index in range(3):
        queue(index, to="gone@example.org")
    send_due(db.session, now=later(seconds=1))
    assert heard == [("gone@example.org", 3)]
    # A bounce of an address already suppressed tells nobody again.
    record_hard_bounce(db.session, "gone@example.org", "550 again", limit=3)
    db.session.commit()
    assert heard == [("gone@example.org", 3)]


def test_a_delivery_between_bounces_starts_the_count_again(ctx, sink):
    sink.handler.refuse_rcpt["flaky@example.org"] = "550 5.7.1 Refused for now"
    queue(1, to="flaky@example.org")
    queue(2, to="flaky@example.org")
    send_due(db.session, now=later(seconds=1))
    assert suppression_of("flaky@example.org").hard_bounces == 2
    del sink.handler.refuse_rcpt["flaky@example.org"]
    queue(3, to="flaky@example.org")
    assert send_due(db.session, now=later(seconds=1)).sent == 1
    assert suppression_of("flaky@example.org").hard_bounces == 0


@pytest.mark.config(**RETRY_CONFIG)
def test_smtp_down_loses_nothing_and_delivers_when_it_returns(app):
    """The relay is unreachable during a publication; every email goes out once it is back."""
    port = free_port()
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=f"smtp://127.0.0.1:{port}")
    with app.app_context():
        for index in range(3):
            queue(index, to=f"trader{index}@example.org")
        now = later(seconds=1)
        report = send_due(db.session, now=now)
        assert (report.claimed, report.retrying, report.sent) == (3, 3, 0)
        assert any("cannot connect" in error for error in report.errors)
        assert {row.status for row in outbox()} == {MailStatus.QUEUED}
        assert all("cannot connect to smtp://127.0.0.1" in row.last_error for row in outbox())
        sink = SmtpSink(port).start()
        try:
            report = send_due(db.session, now=now + timedelta(seconds=60))
        finally:
            sink.stop()
        assert report.sent == 3
        assert sorted(m.recipients[0] for m in sink.handler.messages) == [
            f"trader{index}@example.org" for index in range(3)
        ]
        assert not sink.handler.problems


def test_starttls_and_auth(app, tls_sink):
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=tls_sink.url)
    with app.app_context():
        message_id = queue(1).message_id
        report = send_due(db.session, now=later(seconds=1))
        assert report.sent == 1, report.errors
    [received] = tls_sink.handler.messages
    assert received.message_id == message_id
    assert tls_sink.auth_logins == ["portal"]
    assert tls_sink.handler.ehlos == ["portal.test", "portal.test"]  # before and after TLS


# aiosmtpd cannot tell that smtps:// is TLS from the first byte, and warns that AUTH is
# allowed without TLS: untrue here, the client cannot even connect without TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_and_auth(app, smtps_sink):
    assert smtps_sink.url.startswith("smtps://")
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=smtps_sink.url)
    with app.app_context():
        queue(1)
        report = send_due(db.session, now=later(seconds=1))
        assert report.sent == 1, report.errors
    assert len(smtps_sink.handler.messages) == 1
    assert smtps_sink.auth_logins == ["portal"]
    assert smtps_sink.handler.ehlos == ["portal.test"]


def test_a_certificate_the_sender_does_not_trust_keeps_the_mail_queued(app, tls_sink):
    # The same server, without the cafile that vouches for its self-signed certificate.
    url = tls_sink.url.replace(f"&cafile={tls_sink.tls_dir / 'cert.pem'}", "")
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=url)
    with app.app_context():
        queue(1)
        report = send_due(db.session, now=later(seconds=1))
        assert report.retrying == 1
        assert "CERTIFICATE_VERIFY_FAILED" in outbox()[0].last_error
    assert tls_sink.handler.messages == []
    # The server saw the client give up the handshake: expected here, and only that.
    assert tls_sink.handler.problems == ["SMTP server error: TLSSetupException()"]
    tls_sink.handler.problems.clear()


def test_an_international_address_the_relay_cannot_carry_fails_without_a_bounce(ctx, sink):
    queue(1, to="josé@example.org")  # the sink does not offer SMTPUTF8
    queue(2)
    report = send_due(db.session, now=later(seconds=1))
    assert (report.failed, report.sent) == (1, 1)
    international, plain = outbox()
    assert international.status is MailStatus.FAILED
    assert "the relay cannot carry this message" in international.last_error
    assert suppression_of("josé@example.org") is None
    assert plain.status is MailStatus.SENT


def test_a_row_that_cannot_become_a_message_fails_with_the_reason(ctx, sink):
    # Written past queue_email, as an old release or a manual fix might have.
    db.session.add(
        OutboundEmail(
            dedupe_key="manual",
            message_id="<manual@localhost>",
            kind="alert",
            to_address="trader@example.org",
            subject="S",
            body_text="T",
            headers={"X-Note": "two\nlines"},
        )
    )
    db.session.commit()
    queue(2)
    report = send_due(db.session, now=later(seconds=1))
    assert (report.failed, report.sent) == (1, 1)
    broken = outbox()[0]
    assert broken.status is MailStatus.FAILED
    assert broken.last_error.startswith("the message cannot be built:")
    assert len(sink.handler.messages) == 1


def _raw_header(data: bytes, name: str) -> str:
    """Return a header as it went over the wire, continuation lines joined."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = head.split("\r\n")
    for index, line in enumerate(lines):
        if line.lower().startswith(name.lower() + ":"):
            value = [line]
            for following in lines[index + 1 :]:
                if not following[:1].isspace():
                    break
                value.append(following)
            return "\r\n".join(value)
    raise AssertionError(f"no {name} header")


def test_long_header_urls_go_out_as_they_are(ctx, sink):
    token = "WzEsImJkZDYxMjQ0NDNkODZkYTAiXQ.awSHPw.STiCB1S3288h_UZU3mzYaphBRpw" * 3
    unsubscribe = (
        f"<mailto:unsubscribe@portal.example?subject=unsubscribe%20{token}>, "
        f"<https://portal.example/alerts/unsubscribe/{token}>"
    )
    long_text = "Une règle change pour le café vert. " * 60
    queue(
        1,
        headers={"List-Unsubscribe": unsubscribe},
        subject="Café " + "très " * 40,
        text=long_text,
        html=f"<p>{long_text}</p>",
    )
    send_due(db.session, now=later(seconds=1))
    [received] = sink.handler.messages
    raw = _raw_header(received.data, "List-Unsubscribe")
    assert "=?" not in raw  # no RFC 2047 encoded words a mail client cannot follow
    assert received.message["List-Unsubscribe"] == unsubscribe
    # Non-ASCII text is still encoded, and no line passes RFC 5322's 998 characters.
    assert "=?utf-8?" in _raw_header(received.data, "Subject")
    assert received.message["Subject"] == ("Café " + "très " * 40).strip()
    assert max(len(line) for line in received.data.split(b"\r\n")) <= 998
    # The bodies keep quoted-printable's 76-character lines.
    body = received.data.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert received.message.get_body(("plain",)).get_content().strip() == long_text.strip()
