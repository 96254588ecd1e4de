"""Claims: two senders never take the same row; a late sender cannot overwrite a takeover."""

from datetime import timedelta

import pytest

from tests.mail.conftest import later, outbox, queue
from tradeportal.db import db
from tradeportal.mail.models import MailStatus
from tradeportal.mail.sender import claim_due, count_due, mark_claimed, send_due


def test_senders_claim_disjoint_rows(ctx):
    ids = [queue(index, to=f"t{index}@example.org").id for index in range(3)]
    now = later(seconds=1)
    assert count_due(db.session, now=now) == 3
    first = claim_due(db.session, batch=2, now=now, worker_id="a")
    db.session.commit()
    second = claim_due(db.session, batch=5, now=now, worker_id="b")
    db.session.commit()
    assert first == ids[:2] and second == ids[2:]
    assert claim_due(db.session, batch=5, now=now, worker_id="c") == []
    rows = outbox()
    assert [(row.status, row.claimed_by, row.attempts) for row in rows] == [
        (MailStatus.SENDING, "a", 1),
        (MailStatus.SENDING, "a", 1),
        (MailStatus.SENDING, "b", 1),
    ]
    assert count_due(db.session, now=now) == 0


@pytest.mark.config(MAIL_CLAIM_TIMEOUT=300)
def test_a_sender_that_lost_its_claim_does_not_mark_the_row(ctx):
    email_id = queue(1).id
    now = later(seconds=1)
    claim_due(db.session, batch=1, now=now, worker_id="slow")
    db.session.commit()
    assert claim_due(db.session, batch=1, now=now + timedelta(seconds=300), worker_id="b") == []
    takeover = now + timedelta(seconds=301)
    assert claim_due(db.session, batch=1, now=takeover, worker_id="b") == [email_id]
    db.session.commit()
    # The slow sender finally hears back from its relay: its claim is gone.
    failed, sent = {"status": MailStatus.FAILED}, {"status": MailStatus.SENT}
    assert not mark_claimed(db.session, email_id, failed, worker_id="slow", claimed_at=now)
    assert mark_claimed(db.session, email_id, sent, worker_id="b", claimed_at=takeover)
    db.session.commit()
    [row] = outbox()
    assert (row.status, row.claimed_by, row.attempts) == (MailStatus.SENT, "b", 2)


@pytest.mark.config(MAIL_MAX_ATTEMPTS=2, MAIL_CLAIM_TIMEOUT=300)
def test_a_message_whose_sender_dies_every_time_ends_failed(ctx, sink):
    queue(1)
    now = later(seconds=1)
    for round_ in range(2):  # two senders die after claiming it
        moment = now + timedelta(seconds=301 * round_)
        assert claim_due(db.session, batch=1, now=moment, worker_id=f"dies{round_}")
        db.session.commit()
    report = send_due(db.session, now=now + timedelta(seconds=602))
    assert report.failed == 1
    [row] = outbox()
    assert row.status is MailStatus.FAILED
    assert row.last_error.startswith("gave up after 2 tries")
    assert sink.handler.messages == []
