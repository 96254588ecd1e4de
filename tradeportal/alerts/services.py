"""Writes of the alerts area: sign-up, confirmation, preferences, unsubscribing (flush only).

Nothing is stored for a sign-up until its address is confirmed: the confirmation link
carries what was asked for, so an address typed by someone else never gets a row, let
alone an alert.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradeportal.alerts.groups import group_label, legacy_groups
from tradeportal.alerts.messages import confirm_email, sign_in_email
from tradeportal.alerts.models import (
    ANY_MARKET,
    AlertChange,
    Frequency,
    Language,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.alerts.tokens import (
    ExpiredLink,
    FollowRequest,
    InvalidLink,
    read_sign_in_token,
    sign_in_stamp,
)
from tradeportal.hs.codes import format_code
from tradeportal.mail.models import OutboundEmail
from tradeportal.mail.outbox import is_suppressed, queue_email


class TooManySubscriptions(ValueError):
    """The subscriber follows as many things as one address may."""


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email == email.strip().lower()))


def subscriber_for_session(session: Session, subscriber_id: int, fingerprint: str):
    """Return the subscriber a preference-centre session names, or None.

    A subscriber whose alerts are paused by bounces still gets in, to be told why.
    """
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or not subscriber.can_sign_in:
        return None
    if not secrets.compare_digest(subscriber.fingerprint, fingerprint):
        return None
    return subscriber


def describe_follow(kind: str, value: str, market: str = ANY_MARKET) -> dict[str, str]:
    """Return a follow with the display form of its value (0901.21, GBR, Tariffs and taxes)."""
    display = value
    if kind == SubscriptionKind.HS.value:
        display = format_code(value)
    elif kind == SubscriptionKind.CONTENT_TYPE.value:
        display = group_label(value)
    return {"kind": kind, "value": value, "market": market, "value_display": display}


def current_follows(follows) -> list[tuple[str, str, str]]:
    """Return (kind, value, market) follows with old content-type names as their groups.

    Confirmation links issued before the groups carry raw names ("tariff-lines"); one
    that names no group any more ("search-references") is dropped.
    """
    kept = []
    for kind, value, market in follows:
        values = [value]
        if kind == SubscriptionKind.CONTENT_TYPE.value:
            values = legacy_groups(value)
        for follow in ((kind, each, market) for each in values):
            if follow not in kept:
                kept.append(follow)
    return kept


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def request_subscription(session: Session, request: FollowRequest) -> OutboundEmail | None:
    """Queue the double opt-in email for a sign-up; store nothing else until it is confirmed."""
    follows = [describe_follow(*follow) for follow in request.follows]
    email = confirm_email(request, follows)
    return queue_email(
        session,
        to=request.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        # Each sign-up sends its own email (the rate limit bounds how many).
        dedupe_key=f"confirm:{_address_digest(request.email)}:{secrets.token_hex(8)}",
        kind="confirm",
        language=request.language,
    )


def add_subscription(
    session: Session,
    subscriber: Subscriber,
    kind: SubscriptionKind,
    value: str,
    *,
    market: str = ANY_MARKET,
    changes: list[AlertChange] | None = None,
    frequency: Frequency = Frequency.IMMEDIATE,
    replace: bool = True,
) -> tuple[Subscription, bool]:
    """Follow something; an existing subscription gets the new settings when ``replace``.

    Return (subscription, created). Raise TooManySubscriptions at the configured limit.
    """
    existing = session.scalar(
        select(Subscription).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == kind,
            Subscription.value == value,
            Subscription.market == market,
        )
    )
    wanted = set(changes if changes is not None else AlertChange)
    if existing is not None:
        if replace:
            _set_changes(existing, wanted)
            existing.frequency = frequency
        return existing, False
    limit = int(current_app.config["ALERTS_MAX_SUBSCRIPTIONS"])
    if len(subscriber.subscriptions) >= limit:
        raise TooManySubscriptions(
            ngettext(
                "An address can follow at most %(num)s thing.",
                "An address can follow at most %(num)s things.",
                limit,
            )
        )
    subscription = Subscription(
        subscriber=subscriber, kind=kind, value=value, market=market, frequency=frequency
    )
    _set_changes(subscription, wanted)
    session.add(subscription)
    session.flush()
    return subscription, True


def _set_changes(subscription: Subscription, wanted: set[AlertChange]) -> None:
    for change in AlertChange:
        setattr(subscription, f"on_{change.value}", change in wanted)


@dataclass
class Confirmation:
    subscriber: Subscriber
    added: int


def confirm_subscription(session: Session, request: FollowRequest, now: datetime) -> Confirmation:
    """Confirm an address (creating its subscriber) and add what the sign-up asked for.

    Confirming twice adds nothing new; an address that unsubscribed is active again, as
    it just opted in again; one paused by bounces resumes (the link arrived) unless the
    address is still suppressed.
    """
    subscriber = find_subscriber(session, request.email)
    if subscriber is None:
        subscriber = Subscriber(email=request.email, created_at=now)
        session.add(subscriber)
    if not subscriber.is_active:
        subscriber.language = Language(request.language)
        subscriber.confirmed_at = now
        subscriber.disabled_at = None
        still_refused = is_suppressed(session, subscriber.email)
        subscriber.bounced_at = (subscriber.bounced_at or now) if still_refused else None
    session.flush()
    frequency = Frequency(request.frequency)
    added = 0
    for kind, value, market in current_follows(request.follows):
        _, created = add_subscription(
            session,
            subscriber,
            SubscriptionKind(kind),
            value,
            market=market,
            frequency=frequency,
            replace=False,
        )
        added += created
    return Confirmation(subscriber, added)


def remove_subscription(session: Session, subscriber: Subscriber, subscription_id: int) -> bool:
    """Stop following one thing; False when it is not one of this subscriber's."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.subscriber_id != subscriber.id:
        return False
    subscriber.subscriptions.remove(subscription)
    session.flush()
    return True


def update_settings(
    session: Session, subscriber: Subscriber, language: Language, frequency: Frequency | None
) -> None:
    """Set the language of the emails, and one frequency for every subscription if given."""
    subscriber.language = language
    if frequency is not None:
        for subscription in subscriber.subscriptions:
            subscription.frequency = frequency
    session.flush()


def unsubscribe_all(session: Session, subscriber: Subscriber, now: datetime) -> bool:
    """Stop every alert to this address; False when it was already unsubscribed.

    The subscriptions go (nothing is kept that the person asked us to forget); the row
    stays, disabled, so a repeated one-click POST answers the same.
    """
    if subscriber.disabled_at is not None:
        return False
    subscriber.disabled_at = now
    subscriber.subscriptions.clear()
    session.flush()
    return True


def request_sign_in(session: Session, email: str) -> OutboundEmail | None:
    """Email a sign-in link to a subscriber; nothing (and no hint) for other addresses.

    A subscriber paused by bounces may ask too: the outbox sends nothing while the address
    is suppressed, and once it is not, the link is how alerts resume.
    """
    subscriber = find_subscriber(session, email)
    if subscriber is None or not subscriber.can_sign_in:
        return None
    message = sign_in_email(subscriber)
    return queue_email(
        session,
        to=subscriber.email,
        subject=message.subject,
        text=message.text,
        html=message.html,
        dedupe_key=f"sign-in:{subscriber.id}:{secrets.token_hex(8)}",
        kind="sign_in",
        language=subscriber.language.value,
    )


def use_sign_in_link(session: Session, token: str, now: datetime) -> Subscriber:
    """Return the subscriber a sign-in link opens, once; raise InvalidLink or ExpiredLink."""
    subscriber_id, fingerprint, stamp = read_sign_in_token(token)
    subscriber = subscriber_for_session(session, subscriber_id, fingerprint)
    if subscriber is None:
        raise InvalidLink(token)
    if stamp != sign_in_stamp(subscriber):  # a link made before the last sign-in: spent
        raise ExpiredLink(token)
    subscriber.last_sign_in_at = now
    session.flush()
    return subscriber


def pause_bounced_subscriber(session: Session, address: str, now: datetime) -> None:
    """Stop the alerts of the subscriber at a just-suppressed address (flush only).

    Called by the outbox in the transaction that suppresses the address; what it follows
    is kept, so alerts resume as they were.
    """
    session.execute(
        update(Subscriber)
        .where(Subscriber.email == address, Subscriber.bounced_at.is_(None))
        .values(bounced_at=now)
    )


def resume_after_bounces(session: Session, subscriber: Subscriber) -> bool:
    """Resume the alerts of a subscriber paused by bounces, once mail to it is allowed again.

    Called when the subscriber opens an emailed link: the mailbox works, and the admin has
    lifted the suppression. Return True when alerts resumed.
    """
    if subscriber.bounced_at is None or is_suppressed(session, subscriber.email):
        return False
    subscriber.bounced_at = None
    session.flush()
    return True
