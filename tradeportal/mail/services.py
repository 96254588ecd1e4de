"""Writes on the outbox besides queuing: bounces, suppressions, retries (flush, never commit)."""

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradeportal.auth.audit import record_audit
from tradeportal.db import utcnow
from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail
from tradeportal.mail.outbox import is_suppressed


class MailRuleError(Exception):
    """An admin action that does not apply to this email or address."""


# Areas keeping state about an address (the alerts area's subscribers) register here; each
# is called with (session, address, when) in the transaction that suppresses it.
SuppressionListener = Callable[[Session, str, datetime], None]
SUPPRESSION_LISTENERS: list[SuppressionListener] = []


def on_address_suppressed(listener: SuppressionListener) -> SuppressionListener:
    """Register ``listener`` to run when an address is suppressed (flush only, no commit)."""
    if listener not in SUPPRESSION_LISTENERS:
        SUPPRESSION_LISTENERS.append(listener)
    return listener


def record_hard_bounce(
    session: Session, address: str, reason: str, *, limit: int, now: datetime | None = None
) -> MailSuppression:
    """Count one permanent refusal of ``address``; at ``limit`` bounces suppress it.

    The bounce that suppresses the address tells the registered listeners, once.
    """
    now = now or utcnow()
    values = {"reason": reason[:1000], "last_bounce_at": now}
    # Counted in SQL, so two senders bouncing the same address at once both count.
    counted = session.execute(
        update(MailSuppression)
        .where(MailSuppression.address == address)
        .values(hard_bounces=MailSuppression.hard_bounces + 1, **values),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not counted:
        try:
            with session.begin_nested():
                session.add(MailSuppression(address=address, hard_bounces=1, **values))
        except IntegrityError:  # another sender recorded this address's first bounce
            return record_hard_bounce(session, address, reason, limit=limit, now=now)
    suppressed = session.execute(
        update(MailSuppression)
        .where(
            MailSuppression.address == address,
            MailSuppression.hard_bounces >= limit,
            MailSuppression.suppressed_at.is_(None),
        )
        .values(suppressed_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if suppressed:
        for listener in SUPPRESSION_LISTENERS:
            listener(session, address, now)
    suppression = session.scalar(select(MailSuppression).where(MailSuppression.address == address))
    session.refresh(suppression)
    return suppression


def forget_bounces(session: Session, address: str) -> None:
    """Clear the bounce count of an address that accepted mail (bounces must be repeated)."""
    session.execute(
        update(MailSuppression)
        .where(
            MailSuppression.address == address,
            MailSuppression.suppressed_at.is_(None),
            MailSuppression.hard_bounces > 0,
        )
        .values(hard_bounces=0),
        execution_options={"synchronize_session": False},
    )


RETRYABLE = (MailStatus.FAILED, MailStatus.SUPPRESSED)


def retry_email(session: Session, actor, email: OutboundEmail) -> None:
    """Queue a failed (or suppressed) email again, with a fresh count of tries."""
    if email.status not in RETRYABLE:
        raise MailRuleError(
            _(
                "Email %(id)s is %(status)s; only failed or suppressed ones can be retried.",
                id=email.id,
                status=email.status.label.lower(),
            )
        )
    if is_suppressed(session, email.to_address):
        raise MailRuleError(
            _(
                "%(address)s is suppressed after repeated hard bounces; "
                "unsuppress the address before retrying.",
                address=email.to_address,
            )
        )
    previous = email.status
    email.status = MailStatus.QUEUED
    email.attempts = 0
    email.next_attempt_at = utcnow()
    email.claimed_at = None
    email.claimed_by = None
    session.flush()
    record_audit(
        session,
        actor,
        "mail.retried",
        email,
        to=email.to_address,
        kind=email.kind,
        previous_status=previous,
        last_error=email.last_error,
    )


def unsuppress_address(session: Session, actor, suppression: MailSuppression) -> None:
    """Allow mail to an address again, with its bounce count cleared.

    Listeners are not told: whoever paused on the suppression resumes only on proof that
    mail arrives (an alerts subscriber opens a freshly emailed link).
    """
    if not suppression.is_suppressed:
        raise MailRuleError(_("%(address)s is not suppressed.", address=suppression.address))
    bounces = suppression.hard_bounces
    suppression.suppressed_at = None
    suppression.hard_bounces = 0
    session.flush()
    record_audit(
        session,
        actor,
        "mail.unsuppressed",
        suppression,
        address=suppression.address,
        hard_bounces=bounces,
        reason=suppression.reason,
    )
