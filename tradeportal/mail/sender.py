"""Delivering the outbox: claim due rows, send each, mark it; at least once, never lost.

A pass commits its claim before sending, so a second sender skips those rows; it marks
each message (sent, queued again, failed) in its own commit right after the attempt. A
sender that dies between sending and marking leaves its rows ``sending``; once they are
older than MAIL_CLAIM_TIMEOUT another pass claims and sends them again, with the same
Message-ID, so the receiver can tell the duplicate.
"""

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError
from email.message import Message
from functools import cache

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from tradeportal.db import utcnow
from tradeportal.mail.messages import build_message
from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail
from tradeportal.mail.services import forget_bounces, record_hard_bounce
from tradeportal.mail.transports import DeliveryError, envelope_sender, transport_from_config

logger = logging.getLogger(__name__)

# 2**62 seconds is past any cap; keeps the arithmetic finite for silly MAIL_MAX_ATTEMPTS.
MAX_BACKOFF_EXPONENT = 62


def default_worker_id() -> str:
    """Name this process in ``claimed_by``: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass
class SendReport:
    """What one or more passes did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    lost_claims: int = 0  # taken over by another sender before we could mark them
    passes: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "SendReport") -> None:
        for name in ("claimed", "sent", "retrying", "failed", "suppressed", "lost_claims"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.passes += other.passes
        self.errors.extend(other.errors)

    def summary(self) -> str:
        return (
            f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
            f"{self.suppressed} suppressed ({self.claimed} claimed in {self.passes} pass(es))"
        )


@dataclass(frozen=True)
class _Outgoing:
    """What the loop needs of a claimed row, read once: marking commits expire the ORM."""

    id: int
    to_address: str
    attempts: int
    message: Message | None
    unbuildable: str | None = None  # why no message could be built from the row


def retry_delay(attempts: int, *, base: float, cap: float) -> timedelta:
    """Return how long to wait after the ``attempts``-th failed try: base × 2^(tries−1)."""
    exponent = min(max(attempts - 1, 0), MAX_BACKOFF_EXPONENT)
    return timedelta(seconds=min(base * 2**exponent, cap))


def _is_due(now: datetime, claim_timeout: float):
    stale_before = now - timedelta(seconds=claim_timeout)
    return or_(
        and_(OutboundEmail.status == MailStatus.QUEUED, OutboundEmail.next_attempt_at <= now),
        and_(OutboundEmail.status == MailStatus.SENDING, OutboundEmail.claimed_at < stale_before),
    )


def count_due(session: Session, *, now: datetime | None = None) -> int:
    """Count the emails a pass at ``now`` would claim, batches aside."""
    due = _is_due(now or utcnow(), float(current_app.config["MAIL_CLAIM_TIMEOUT"]))
    return session.scalar(select(func.count(OutboundEmail.id)).where(due)) or 0


def claim_due(session: Session, *, batch: int, now: datetime, worker_id: str) -> list[int]:
    """Mark up to ``batch`` due emails as being sent by ``worker_id`` (no commit).

    On SQLite one UPDATE … WHERE id IN (SELECT …) takes the write lock at once, so two
    senders cannot both read the same rows. On PostgreSQL the rows are first locked
    with SELECT … FOR UPDATE SKIP LOCKED and then updated: inside an UPDATE the planner
    may rescan a LIMIT subquery and so claim more than ``batch`` rows.
    """
    due = _is_due(now, float(current_app.config["MAIL_CLAIM_TIMEOUT"]))
    candidates = (
        select(OutboundEmail.id)
        .where(due)
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        chosen = list(session.scalars(candidates.with_for_update(skip_locked=True)))
        if not chosen:
            return []
        candidates = chosen
    else:
        candidates = candidates.scalar_subquery()
    claimed = session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(candidates), due)
        .values(
            status=MailStatus.SENDING,
            claimed_at=now,
            claimed_by=worker_id,
            # Counted at the claim: a message that kills its sender still runs out of tries.
            attempts=OutboundEmail.attempts + 1,
        )
        .returning(OutboundEmail.id),
        execution_options={"synchronize_session": False},
    )
    return sorted(claimed.scalars())


def send_due(
    session: Session,
    *,
    batch: int = 50,
    now: datetime | None = None,
    worker_id: str | None = None,
    transport=None,
) -> SendReport:
    """Claim due emails (committed), send them over one connection, mark each (committed).

    ``now`` fixes the clock of the whole pass (tests); by default the real one is read.
    """
    if transport is None:  # before claiming: a bad setting must not strand claimed rows
        transport = transport_from_config(current_app.config, current_app.instance_path)
    clock = (lambda: now) if now is not None else utcnow
    started = clock()
    worker_id = worker_id or default_worker_id()
    report = SendReport(passes=1)
    ids = claim_due(session, batch=batch, now=started, worker_id=worker_id)
    session.commit()
    if not ids:
        return report
    report.claimed = len(ids)
    pass_ = _Pass(session, report, started, worker_id, clock)
    pass_.deliver(transport, pass_.load(ids))
    if report.errors:
        logger.warning("mail: %s; %s", report.summary(), "; ".join(report.errors[:5]))
    return report


class _Pass:
    """The marking side of one pass: every mark is fenced by our claim and committed."""

    def __init__(self, session, report, claimed_at, worker_id, clock):
        config = current_app.config
        self.session = session
        self.report = report
        self.claimed_at = claimed_at
        self.worker_id = worker_id
        self.clock = clock
        self.mail_from = config["MAIL_FROM"]
        self.sender = envelope_sender(self.mail_from)
        self.max_attempts = int(config["MAIL_MAX_ATTEMPTS"])
        self.bounce_limit = int(config["MAIL_HARD_BOUNCE_LIMIT"])
        self.retry_base = float(config["MAIL_RETRY_BASE"])
        self.retry_cap = float(config["MAIL_RETRY_MAX"])
        self.suppressed: set[str] = set()
        self.bouncing: set[str] = set()

    def load(self, ids: list[int]) -> list[_Outgoing]:
        emails = self.session.scalars(
            select(OutboundEmail).where(OutboundEmail.id.in_(ids)).order_by(OutboundEmail.id)
        ).all()
        addresses = {email.to_address for email in emails}
        for row in self.session.scalars(
            select(MailSuppression).where(MailSuppression.address.in_(addresses))
        ):
            (self.suppressed if row.is_suppressed else self.bouncing).add(row.address)
        outgoing = [self._prepare(email) for email in emails]
        self.session.commit()  # ends the read transaction before the slow network part
        return outgoing

    def _prepare(self, email: OutboundEmail) -> _Outgoing:
        try:
            message = build_message(email, mail_from=self.mail_from)
        except (ValueError, TypeError, MessageError) as error:
            # Trying again cannot help a message that cannot be written: fail it, say why.
            return _Outgoing(email.id, email.to_address, email.attempts, None, str(error))
        return _Outgoing(email.id, email.to_address, email.attempts, message)

    def deliver(self, transport, outgoing: list[_Outgoing]) -> None:
        remaining = list(outgoing)
        try:
            with transport.connect() as connection:
                while remaining:
                    email = remaining[0]
                    self.send_one(connection, email)
                    remaining.pop(0)
        except DeliveryError as error:
            # The relay cannot be reached: nothing more goes out in this pass.
            self.report.errors.append(error.reason)
            for email in remaining:
                self.failed_try(email, error)

    def send_one(self, connection, email: _Outgoing) -> None:
        if email.to_address in self.suppressed:
            self.mark(
                email,
                "suppressed",
                status=MailStatus.SUPPRESSED,
                last_error="not sent: the address is suppressed after repeated hard bounces",
            )
            return
        if email.message is None:
            reason = f"the message cannot be built: {email.unbuildable}"
            self.report.errors.append(f"email {email.id}: {reason}")
            self.mark(email, "failed", status=MailStatus.FAILED, last_error=reason)
            return
        if email.attempts > self.max_attempts:  # its sender died on each of its tries
            self.mark(
                email,
                "failed",
                status=MailStatus.FAILED,
                last_error=f"gave up after {self.max_attempts} tries; the sender stopped "
                "while sending it",
            )
            return
        try:
            connection.send(
                email.message, sender=self.sender, recipient=email.to_address, email_id=email.id
            )
        except DeliveryError as error:
            if error.stage == "connect":
                raise
            self.report.errors.append(f"email {email.id}: {error.reason}")
            self.failed_try(email, error)
            return
        if email.to_address in self.bouncing:
            forget_bounces(self.session, email.to_address)
            self.bouncing.discard(email.to_address)
        self.mark(email, "sent", status=MailStatus.SENT, sent_at=self.clock(), last_error=None)

    def failed_try(self, email: _Outgoing, error: DeliveryError) -> None:
        if error.hard_bounce:
            suppression = record_hard_bounce(
                self.session,
                email.to_address,
                error.reason,
                limit=self.bounce_limit,
                now=self.clock(),
            )
            if suppression.is_suppressed:
                self.suppressed.add(email.to_address)
        if error.permanent:
            self.mark(email, "failed", status=MailStatus.FAILED, last_error=error.reason)
        elif email.attempts >= self.max_attempts:
            reason = f"gave up after {email.attempts} tries: {error.reason}"
            self.mark(email, "failed", status=MailStatus.FAILED, last_error=reason)
        else:
            delay = retry_delay(email.attempts, base=self.retry_base, cap=self.retry_cap)
            self.mark(
                email,
                "retrying",
                status=MailStatus.QUEUED,
                next_attempt_at=self.clock() + delay,
                claimed_at=None,
                claimed_by=None,
                last_error=error.reason,
            )

    def mark(self, email: _Outgoing, outcome: str, **values) -> None:
        marked = mark_claimed(
            self.session, email.id, values, worker_id=self.worker_id, claimed_at=self.claimed_at
        )
        self.session.commit()
        if marked:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        else:
            self.report.lost_claims += 1


@cache
def _marking(names: tuple[str, ...]):
    """Build, once per set of columns, the fenced UPDATE that marks one claimed row.

    Marking runs once per message: building the statement anew each time cost more than
    the UPDATE and its commit (bench/mail_delivery.py).
    """
    table = OutboundEmail.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("mark_id"),
            table.c.status == bindparam("mark_sending"),
            table.c.claimed_by == bindparam("mark_worker"),
            table.c.claimed_at == bindparam("mark_claimed_at"),
        )
        .values({name: bindparam(f"new_{name}") for name in names})
    )


def mark_claimed(
    session: Session, email_id: int, values: dict, *, worker_id: str, claimed_at: datetime
) -> bool:
    """Write ``values`` on a row we claimed, unless another sender took it over (no commit).

    A row is ours while it is ``sending`` with our name and claim time; a sender too slow
    for MAIL_CLAIM_TIMEOUT may find it reclaimed, and then the new owner decides.
    """
    values = dict(values)
    if values.get("last_error"):
        values["last_error"] = values["last_error"][:1000]
    names = tuple(sorted(values))
    parameters = {f"new_{name}": values[name] for name in names} | {
        "mark_id": email_id,
        "mark_sending": MailStatus.SENDING,
        "mark_worker": worker_id,
        "mark_claimed_at": claimed_at,
    }
    result = session.execute(_marking(names), parameters)
    return result.rowcount == 1


def send_all_due(
    session: Session,
    *,
    batch: int,
    max_batches: int | None = None,
    worker_id: str | None = None,
    transport=None,
) -> SendReport:
    """Send what is due now, a batch per pass; emails that fail wait for a later run.

    The number of passes is fixed by what was due at the start, so a relay that keeps
    answering 4xx cannot keep this loop going.
    """
    due = count_due(session)
    session.commit()
    passes = -(-due // batch)
    if max_batches is not None:
        passes = min(passes, max_batches)
    total = SendReport()
    for _ in range(passes):
        report = send_due(session, batch=batch, worker_id=worker_id, transport=transport)
        total.add(report)
        if report.claimed < batch:
            break
    return total


# A worker pass sends at most this many batches, so publications and the search drain
# are not held up behind a large digest run; the rest goes out in the next passes.
WORKER_MAX_BATCHES = 20


def send_mail_pass(session: Session) -> SendReport:
    """Send what is due, bounded for one pass of ``flask worker``."""
    return send_all_due(
        session,
        batch=int(current_app.config["MAIL_SEND_BATCH"]),
        max_batches=WORKER_MAX_BATCHES,
    )
