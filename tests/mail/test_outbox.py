"""Queuing: one row per dedupe key, a stable Message-ID, checked input, no commit."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.mail.conftest import later, outbox, queue
from tradeportal.db import db
from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail
from tradeportal.mail.outbox import (
    is_suppressed,
    message_id_for,
    oldest_queued_age,
    queue_email,
)


def _count() -> int:
    return db.session.scalar(select(func.count(OutboundEmail.id)))


def test_the_same_dedupe_key_queues_one_row(ctx):
    first = queue(1)
    again = queue_email(
        db.session,
        to="TRADER@example.org",
        subject="A second fan-out of the same event",
        text="Other text",
        dedupe_key=first.dedupe_key,
        kind="alert",
    )
    db.session.commit()
    assert again is None
    assert _count() == 1
    assert outbox()[0].subject == "Change 1 to a regulation you follow"


def test_a_key_queued_earlier_in_the_same_transaction_is_seen(ctx):
    fields = {"to": "a@example.org", "subject": "S", "text": "T", "kind": "alert"}
    assert queue_email(db.session, dedupe_key="k", **fields) is not None
    assert queue_email(db.session, dedupe_key="k", **fields) is None
    db.session.commit()
    assert _count() == 1


def test_a_row_is_queued_with_what_the_sender_needs(ctx):
    email = queue(
        7,
        to="  Exporter@Example.ORG ",
        language="fr",
        headers={"List-Unsubscribe": "<https://portal.example/u/abc>"},
        kind="digest",
    )
    row = outbox()[0]
    assert row.id == email.id
    assert row.to_address == "exporter@example.org"
    assert row.status is MailStatus.QUEUED
    assert row.attempts == 0
    assert row.kind == "digest"
    assert row.language == "fr"
    assert row.headers == {"List-Unsubscribe": "<https://portal.example/u/abc>"}
    assert row.next_attempt_at <= later()
    assert row.created_at.tzinfo is not None


def test_the_message_id_derives_from_the_dedupe_key(ctx):
    email = queue(3)
    digest = hashlib.sha256(email.dedupe_key.encode()).hexdigest()[:32]
    assert email.message_id == f"<{digest}@localhost>"  # the domain of MAIL_FROM
    assert message_id_for(email.dedupe_key, "localhost") == email.message_id
    assert message_id_for("another key", "localhost") != email.message_id


@pytest.mark.config(MAIL_MESSAGE_ID_DOMAIN="mail.trade.example")
def test_the_message_id_domain_can_be_set(ctx):
    assert queue(1).message_id.endswith("@mail.trade.example>")


@pytest.mark.config(MAIL_FROM="Portail <alertes@commerce.example>")
def test_the_message_id_domain_follows_mail_from_by_default(ctx):
    assert queue(1).message_id.endswith("@commerce.example>")


def test_a_subject_is_kept_on_one_line(ctx):
    email = queue(1, subject="New rule\r\n  for coffee\n")
    assert email.subject == "New rule for coffee"


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"to": "not an address"}, "not a single email address"),
        ({"to": "a@example.org, b@example.org"}, "not a single email address"),
        ({"to": "a@example.org\r\nBcc: victim@example.org"}, "not a single email address"),
        ({"dedupe_key": ""}, "dedupe_key"),
        ({"dedupe_key": "k" * 201}, "dedupe_key"),
        ({"kind": ""}, "kind"),
        ({"language": "French"}, "language"),
        ({"headers": {"Bcc": "victim@example.org"}}, "written by the sender"),
        ({"headers": {"message-id": "<x@y>"}}, "written by the sender"),
        ({"headers": {"X-Note": "one\r\nBcc: victim@example.org"}}, "one line"),
        ({"headers": {"Bad Name": "x"}}, "not a valid header name"),
    ],
)
def test_malformed_input_is_refused_and_queues_nothing(ctx, overrides, complaint):
    fields = {
        "to": "trader@example.org",
        "subject": "S",
        "text": "T",
        "dedupe_key": "k1",
        "kind": "alert",
    }
    fields.update(overrides)
    with pytest.raises(ValueError, match=complaint):
        queue_email(db.session, **fields)
    db.session.commit()
    assert _count() == 0


def test_queue_email_does_not_commit(ctx):
    queue_email(db.session, to="a@example.org", subject="S", text="T", dedupe_key="k", kind="alert")
    db.session.rollback()
    assert _count() == 0


def test_a_suppressed_address_gets_nothing_queued(ctx):
    db.session.add(
        MailSuppression(
            address="gone@example.org", hard_bounces=3, reason="550 no such user",
            suppressed_at=later(),
        )
    )  # fmt: skip
    db.session.add(MailSuppression(address="flaky@example.org", hard_bounces=2))
    db.session.commit()
    assert is_suppressed(db.session, "Gone@Example.org")
    assert not is_suppressed(db.session, "flaky@example.org")
    assert not is_suppressed(db.session, "nobody@example.org")
    fields = {"subject": "S", "text": "T", "kind": "alert"}
    assert queue_email(db.session, to="GONE@example.org", dedupe_key="a", **fields) is None
    assert queue_email(db.session, to="flaky@example.org", dedupe_key="b", **fields) is not None
    db.session.commit()
    assert [row.to_address for row in outbox()] == ["flaky@example.org"]


def test_oldest_queued_age(ctx):
    assert oldest_queued_age(db.session) is None
    email = queue(1)
    queue(2)
    age = oldest_queued_age(db.session, now=email.created_at + timedelta(minutes=5))
    assert age == timedelta(minutes=5)
    for row in outbox():
        row.status = MailStatus.SENT
    db.session.commit()
    assert oldest_queued_age(db.session) is None
