"""Reads of the outbox for the admin screen and ``flask mail status``."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradeportal.mail.models import MailStatus, MailSuppression, OutboundEmail


def counts_by_status(session: Session) -> dict[MailStatus, int]:
    """Return how many emails are in each status, every status listed."""
    counts = dict.fromkeys(MailStatus, 0)
    rows = session.execute(
        select(OutboundEmail.status, func.count(OutboundEmail.id)).group_by(OutboundEmail.status)
    )
    for status, count in rows:
        counts[status] = count
    return counts


def recent_failures(session: Session, limit: int = 20) -> list[OutboundEmail]:
    """Return the failed emails, most recently queued first."""
    return list(
        session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.status == MailStatus.FAILED)
            .order_by(OutboundEmail.id.desc())
            .limit(limit)
        )
    )


def suppressed_addresses(session: Session, limit: int = 200) -> list[MailSuppression]:
    """Return the suppressed addresses, most recently suppressed first."""
    return list(
        session.scalars(
            select(MailSuppression)
            .where(MailSuppression.suppressed_at.is_not(None))
            .order_by(MailSuppression.suppressed_at.desc(), MailSuppression.id.desc())
            .limit(limit)
        )
    )


def count_suppressed(session: Session) -> int:
    statement = select(func.count(MailSuppression.id)).where(
        MailSuppression.suppressed_at.is_not(None)
    )
    return session.scalar(statement) or 0


def get_email(session: Session, email_id: int) -> OutboundEmail | None:
    return session.get(OutboundEmail, email_id)


def get_suppression(session: Session, suppression_id: int) -> MailSuppression | None:
    return session.get(MailSuppression, suppression_id)
