"""Subscribers, what they follow, and which change events reached whom.

A subscriber is a member of the public (no staff account): an address confirmed by double
opt-in. A subscription follows one HS prefix (optionally in one market), one country or one
content type. The fan-out records one :class:`AlertDelivery` per (event, subscriber,
reason); that row, not the outbox, is what makes a second fan-out pass queue nothing new.
"""

import enum
import hashlib
import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradeportal.cms.models import ChangeEvent
from tradeportal.db import Base, UtcDateTime, utcnow, value_enum


class Language(enum.Enum):
    EN = "en"
    FR = "fr"

    @property
    def label(self) -> str:
        """The language's name in itself, as language menus show it."""
        return {"en": "English", "fr": "Français"}[self.value]


class Frequency(enum.Enum):
    """How soon a subscriber hears of a change; the order is from soonest to latest."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        """The frequency for people, in the language shown."""
        if self is Frequency.IMMEDIATE:
            return _("As it happens")
        if self is Frequency.DAILY:
            return _("Daily digest")
        return _("Weekly digest")

    @property
    def rank(self) -> int:
        return list(Frequency).index(self)


class SubscriptionKind(enum.Enum):
    HS = "hs"
    COUNTRY = "country"
    CONTENT_TYPE = "content_type"


class AlertChange(enum.Enum):
    """The kinds of change a subscription can ask for; UPCOMING are entry-into-force reminders."""

    NEW = "new"
    AMENDED = "amended"
    WITHDRAWN = "withdrawn"
    UPCOMING = "upcoming"

    @property
    def label(self) -> str:
        """The kind of change for people, in the language shown."""
        return {
            "new": _("New"),
            "amended": _("Amended"),
            "withdrawn": _("Withdrawn"),
            "upcoming": _("Entering into force soon"),
        }[self.value]


class DeliveryReason(enum.Enum):
    CHANGE = "change"  # the publication itself
    REMINDER = "reminder"  # a few days before it enters into force


class DeliveryStatus(enum.Enum):
    PENDING = "pending"  # waits for the subscriber's digest
    QUEUED = "queued"  # in the outbox, alone or in a digest
    NOT_SENT = "not_sent"  # the outbox refused it: the address is suppressed


def new_manage_token() -> str:
    """Return a random secret that a subscriber's sign-in sessions and links are bound to."""
    return secrets.token_urlsafe(32)


class Subscriber(Base):
    """A confirmed address that receives alerts.

    Two things stop its alerts: ``disabled_at``, it unsubscribed from everything (its
    subscriptions are gone); ``bounced_at``, the outbox suppressed the address after
    repeated hard bounces (its subscriptions are kept for when mail works again).
    """

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    language: Mapped[Language] = mapped_column(value_enum(Language, 2), default=Language.EN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set with the address's suppression; cleared when the subscriber opens an emailed
    # link again (proof that mail arrives), never by the admin's unsuppress alone.
    bounced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Links and sessions carry a fingerprint of it: replacing it voids them all at once.
    manage_token: Mapped[str] = mapped_column(String(64), default=new_manage_token)
    # Sign-in links issued before this moment no longer work (each one works once).
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    subscriptions: Mapped[list["Subscription"]] = relationship(
        back_populates="subscriber",
        cascade="all, delete-orphan",
        order_by="Subscription.id",
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_is_lower_case"),)

    @property
    def is_active(self) -> bool:
        """Tell whether alerts go to this address."""
        return self.can_sign_in and self.bounced_at is None

    @property
    def can_sign_in(self) -> bool:
        """Tell whether the preference centre opens (also while alerts are paused by bounces)."""
        return self.confirmed_at is not None and self.disabled_at is None

    @property
    def fingerprint(self) -> str:
        """Return a short digest of the manage token, safe to put in signed links."""
        return hashlib.sha256(self.manage_token.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        state = "active" if self.is_active else "bounced" if self.bounced_at else "inactive"
        return f"<Subscriber {self.id} {self.email} {state}>"


ANY_MARKET = ""  # not NULL, so the unique constraint also holds for "any market"


class Subscription(Base):
    """One thing a subscriber follows, with the kinds of change and how often."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    kind: Mapped[SubscriptionKind] = mapped_column(value_enum(SubscriptionKind))
    # HS digits (2–10), an ISO alpha-3 code or a content type name.
    value: Mapped[str] = mapped_column(String(40))
    # For an HS subscription: only changes naming this market (ISO alpha-3); "" for any.
    market: Mapped[str] = mapped_column(String(3), default=ANY_MARKET)
    on_new: Mapped[bool] = mapped_column(default=True)
    on_amended: Mapped[bool] = mapped_column(default=True)
    on_withdrawn: Mapped[bool] = mapped_column(default=True)
    on_upcoming: Mapped[bool] = mapped_column(default=True)
    frequency: Mapped[Frequency] = mapped_column(
        value_enum(Frequency, 10), default=Frequency.IMMEDIATE
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")

    __table_args__ = (
        UniqueConstraint("subscriber_id", "kind", "value", "market"),
        # The fan-out's lookup: equality on kind, IN or a range on value.
        Index("ix_alert_subscriptions_kind_value", "kind", "value"),
    )

    @property
    def changes(self) -> list[AlertChange]:
        return [change for change in AlertChange if getattr(self, f"on_{change.value}")]

    def __repr__(self) -> str:
        market = f" in {self.market}" if self.market else ""
        return f"<Subscription {self.subscriber_id} {self.kind.value}={self.value}{market}>"


class AlertFanout(Base):
    """A change event the fan-out has processed (its cursor), and its reminder."""

    __tablename__ = "alert_fanouts"

    event_id: Mapped[int] = mapped_column(ForeignKey("change_events.id"), primary_key=True)
    fanned_out_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    subscribers: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    event: Mapped[ChangeEvent] = relationship()

    def __repr__(self) -> str:
        return f"<AlertFanout event={self.event_id} subscribers={self.subscribers}>"


class AlertEventTerm(Base):
    """An HS prefix or country a processed event names, indexed for the Atom feeds."""

    __tablename__ = "alert_event_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("change_events.id"))
    kind: Mapped[SubscriptionKind] = mapped_column(value_enum(SubscriptionKind))
    value: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        UniqueConstraint("event_id", "kind", "value"),
        Index("ix_alert_event_terms_kind_value", "kind", "value"),
    )

    def __repr__(self) -> str:
        return f"<AlertEventTerm event={self.event_id} {self.kind.value}={self.value}>"


class AlertDelivery(Base):
    """One event for one subscriber: why it matched and which email carries it."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("change_events.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    reason: Mapped[DeliveryReason] = mapped_column(value_enum(DeliveryReason, 10))
    frequency: Mapped[Frequency] = mapped_column(value_enum(Frequency, 10))
    # The digest period it belongs to: "2026-11-23" (daily) or "2026-W48" (weekly).
    period: Mapped[str | None] = mapped_column(String(10))
    # Which subscriptions matched and how, worked out when the email is queued:
    # [{"kind", "value", "market", "applies_to", "how"}]; None while pending.
    matched: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(value_enum(DeliveryStatus, 10))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    event: Mapped[ChangeEvent] = relationship()
    subscriber: Mapped[Subscriber] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "subscriber_id", "reason"),
        # What is due (pending immediate ones, digests of a period, per subscriber). One
        # index only: the fan-out writes thousands of rows at once and pays for each.
        Index(
            "ix_alert_deliveries_status_frequency_period",
            "status",
            "frequency",
            "period",
            "subscriber_id",
        ),
    )

    def __repr__(self) -> str:
        return (
            f"<AlertDelivery event={self.event_id} subscriber={self.subscriber_id} "
            f"{self.reason.value} {self.status.value}>"
        )
