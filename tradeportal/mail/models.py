"""The outbox of emails to send, and the addresses that bounced too often to mail again."""

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tradeportal.db import Base, UtcDateTime, utcnow, value_enum


class MailStatus(enum.Enum):
    """Where an outbox row is on its way: queued → sending → sent, or failed / suppressed."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"

    @property
    def label(self) -> str:
        """The status for people, in the language shown ("Queued" / "En attente")."""
        return {
            "queued": _("Queued"),
            "sending": _("Sending"),
            "sent": _("Sent"),
            "failed": _("Failed"),
            "suppressed": _("Suppressed"),
        }[self.value]


class OutboundEmail(Base):
    """One email to one recipient, written in the transaction of the change behind it.

    ``dedupe_key`` names the (event, recipient) pair: queuing it twice keeps one row.
    ``message_id`` is derived from it, so a message sent again after a crash between
    sending and marking carries the same Message-ID and the duplicate is detectable.
    """

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(998))  # RFC 5322 line limit
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(10), default="en")
    status: Mapped[MailStatus] = mapped_column(
        value_enum(MailStatus, length=12), default=MailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_outbound_emails_status_next_attempt_at", "status", "next_attempt_at"),
        CheckConstraint("to_address = lower(to_address)", name="to_address_is_lower_case"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    def audit_target(self) -> tuple[str, str, str]:
        return ("outbound_email", str(self.id), self.to_address)

    def __repr__(self) -> str:
        return (
            f"<OutboundEmail {self.id} {self.kind} to {self.to_address} "
            f"({self.status.value if self.status else None}, {self.attempts} attempts)>"
        )


class MailSuppression(Base):
    """The hard bounces of one address; at the limit it is suppressed and mailed no more.

    ``suppressed_at`` stays empty while the address is only counting bounces.
    """

    __tablename__ = "mail_suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    hard_bounces: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(String(1000))
    last_bounce_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suppressed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("address = lower(address)", name="address_is_lower_case"),
        CheckConstraint("hard_bounces >= 0", name="hard_bounces_not_negative"),
    )

    @property
    def is_suppressed(self) -> bool:
        return self.suppressed_at is not None

    def audit_target(self) -> tuple[str, str, str]:
        return ("mail_suppression", str(self.id), self.address)

    def __repr__(self) -> str:
        state = "suppressed" if self.is_suppressed else "counting"
        return f"<MailSuppression {self.address} {self.hard_bounces} bounces ({state})>"
