"""Which subscriptions a change reaches, decided in SQL (never by looping over subscribers).

An HS subscription to P matches a change naming the prefix E when P is E or one of its
ancestors (``P IN prefixes_of(E)``) or when P lies under E (``E < P < E || ':'``, ":"
sorting right after "9"); both use the (kind, value) index. A content-type subscription
names a group (``groups.py``): the change's group is worked out once, before the query.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from tradeportal.alerts.groups import groups_of, is_alerted
from tradeportal.alerts.models import (
    ANY_MARKET,
    AlertChange,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.cms.models import ChangeEvent
from tradeportal.hs.prefixes import prefixes_of


def outermost(prefixes: Iterable[str]) -> list[str]:
    """Drop the prefixes that lie under another one of the list (their range is covered)."""
    ordered = sorted(set(prefixes), key=lambda prefix: (len(prefix), prefix))
    kept: list[str] = []
    for prefix in ordered:
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return sorted(kept)


def under(column, prefix: str) -> ColumnElement[bool]:
    """SQL condition: ``column`` holds a code strictly below ``prefix``."""
    return (column > prefix) & (column < prefix + ":")


def hs_value_conditions(column, prefixes: Sequence[str]) -> list[ColumnElement[bool]]:
    """SQL conditions, any of which puts ``column`` at, above or below one of ``prefixes``.

    Kept as separate terms: the caller puts each one beside the equality on ``kind``, so
    that every term of the final OR is one index search (SQLite's multi-index OR).
    """
    if not prefixes:
        return []
    ancestors = sorted({ancestor for prefix in prefixes for ancestor in prefixes_of(prefix)})
    return [column.in_(ancestors), *(under(column, prefix) for prefix in outermost(prefixes))]


def reach_condition(
    content_type: str,
    prefixes: Sequence[str],
    countries: Sequence[str],
    record: dict[str, Any] | None = None,
) -> ColumnElement[bool]:
    """SQL condition on Subscription: it follows something this change names.

    ``record`` (the changed record) tells news from events among pages.
    """
    if not is_alerted(content_type):
        return false()
    countries = sorted(set(countries))
    market = Subscription.market == ANY_MARKET
    if countries:
        market = market | Subscription.market.in_(countries)
    terms = [
        and_(Subscription.kind == SubscriptionKind.HS, values, market)
        for values in hs_value_conditions(Subscription.value, prefixes)
    ]
    if countries:
        terms.append(
            and_(Subscription.kind == SubscriptionKind.COUNTRY, Subscription.value.in_(countries))
        )
    groups = groups_of(content_type, record)
    if groups:
        terms.append(
            and_(Subscription.kind == SubscriptionKind.CONTENT_TYPE, Subscription.value.in_(groups))
        )
    return or_(*terms) if terms else false()


def active_subscriber() -> ColumnElement[bool]:
    """SQL condition on Subscriber: alerts go to it (``Subscriber.is_active``)."""
    return (
        Subscriber.confirmed_at.is_not(None)
        & Subscriber.disabled_at.is_(None)
        & Subscriber.bounced_at.is_(None)
    )


@dataclass(frozen=True)
class Match:
    """One subscription that a change reaches."""

    subscription_id: int
    subscriber_id: int
    kind: SubscriptionKind
    value: str
    market: str
    frequency: Frequency


@dataclass(frozen=True)
class Reach:
    """What a change offers to match: the names it carries and the kind of change it is.

    Subscriptions made after ``followed_before`` (the publication) are left out: a new
    subscriber is not sent the backlog. ``record`` is the changed record (its kind puts a
    page among news or events).
    """

    content_type: str
    prefixes: tuple[str, ...]
    countries: tuple[str, ...]
    change: AlertChange
    followed_before: datetime
    record: dict[str, Any] | None = None

    @classmethod
    def of(cls, event: ChangeEvent, change: AlertChange, followed_before: datetime) -> "Reach":
        return cls(
            event.content_type,
            tuple(event.hs_prefixes),
            tuple(event.countries),
            change,
            followed_before,
            event.after or event.before,
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on Subscription (joined to Subscriber) of a reached subscription."""
        return [
            reach_condition(self.content_type, self.prefixes, self.countries, self.record),
            getattr(Subscription, f"on_{self.change.value}").is_(True),
            Subscription.created_at <= self.followed_before,
            active_subscriber(),
        ]


def matching_statement(reach: Reach, subscriber_ids: Sequence[int] | None = None):
    """Build the query of the subscriptions a change reaches (of some subscribers only)."""
    statement = (
        select(
            Subscription.id,
            Subscription.subscriber_id,
            Subscription.kind,
            Subscription.value,
            Subscription.market,
            Subscription.frequency,
        )
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(*reach.conditions())
        .order_by(Subscription.subscriber_id, Subscription.id)
    )
    if subscriber_ids is not None:
        statement = statement.where(Subscription.subscriber_id.in_(subscriber_ids))
    return statement


def matching_subscriptions(
    session: Session, reach: Reach, subscriber_ids: Sequence[int] | None = None
) -> list[Match]:
    """Return the subscriptions a change reaches, ordered by subscriber."""
    return [Match(*row) for row in session.execute(matching_statement(reach, subscriber_ids))]


# The soonest frequency of a subscriber's matching subscriptions wins (0 is immediate).
FREQUENCY_RANK = case(
    (Subscription.frequency == Frequency.IMMEDIATE, 0),
    (Subscription.frequency == Frequency.DAILY, 1),
    else_=2,
)


def reached_subscribers(reach: Reach, *extra: ColumnElement[bool]):
    """Build the query of (subscriber id, soonest frequency rank) a change reaches."""
    return (
        select(Subscription.subscriber_id, func.min(FREQUENCY_RANK).label("rank"))
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(*reach.conditions(), *extra)
        .group_by(Subscription.subscriber_id)
    )


def count_audience(session: Session, change: dict) -> int:
    """Count the active subscribers a change would reach (the CMS impact preview asks).

    Without the record ("after" or "before") a page may be news or an event: both count.
    """
    record = change.get("after") or change.get("before")
    statement = (
        select(func.count(func.distinct(Subscription.subscriber_id)))
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(
            reach_condition(
                change["content_type"],
                change.get("hs_prefixes", []),
                change.get("countries", []),
                record,
            ),
            active_subscriber(),
        )
    )
    return session.scalar(statement) or 0


def explain(match: Match, prefixes: Sequence[str], exclusions: Collection[str] = ()) -> dict:
    """Say how a subscription matched: which followed value, and what of the change it hits.

    ``how`` is "same" (the change names what is followed), "under" (it names a code below
    the followed prefix: "you follow 0901 → this applies to 0901.21"), "over" (it names a
    broader code that includes the followed one) or "excluded" (it names the code only as
    an exception to a broader link).
    """
    found = {"kind": match.kind.value, "value": match.value, "market": match.market}
    if match.kind is not SubscriptionKind.HS:
        return found | {"applies_to": match.value, "how": "same"}
    included = [prefix for prefix in prefixes if prefix not in exclusions]
    below = [prefix for prefix in included if prefix.startswith(match.value)]
    if below:
        applies_to = max(below, key=len)
        return found | {
            "applies_to": applies_to,
            "how": "same" if applies_to == match.value else "under",
        }
    above = [prefix for prefix in included if match.value.startswith(prefix)]
    if above:
        return found | {"applies_to": max(above, key=len), "how": "over"}
    excepted = [
        prefix
        for prefix in prefixes
        if prefix.startswith(match.value) or match.value.startswith(prefix)
    ]
    return found | {"applies_to": max(excepted, key=len, default=match.value), "how": "excluded"}
