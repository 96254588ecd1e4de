"""The fan-out: change events become alert emails, reminders and digests (flush only).

Two steps, each committed by its caller (``flask alerts fan-out`` or the worker):

1. :func:`fan_out_event` records, for one committed change event, one
   :class:`AlertDelivery` per subscriber it reaches — a single ``INSERT … SELECT`` over
   the indexed match, however many subscribers there are.
2. :func:`queue_immediate` turns pending immediate deliveries into outbox emails, a batch
   at a time (dedupe key ``alert:{event}:{subscriber}``); :func:`queue_digest` gathers a
   subscriber's daily or weekly deliveries into one email (``digest:{subscriber}:{period}``).

Each email says which subscriptions matched, worked out when it is queued from what the
subscriber follows then: someone who stopped following a code in between gets nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, exists, func, insert, literal, null, select
from sqlalchemy.orm import Session, aliased, selectinload

from tradeportal.alerts.groups import NEVER_ALERTED, is_alerted
from tradeportal.alerts.matching import (
    Reach,
    explain,
    matching_subscriptions,
    reached_subscribers,
)
from tradeportal.alerts.messages import (
    Email,
    alert_email,
    digest_email,
    personalised,
    unsubscribe_headers,
)
from tradeportal.alerts.models import (
    AlertChange,
    AlertDelivery,
    AlertEventTerm,
    AlertFanout,
    DeliveryReason,
    DeliveryStatus,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.cms.models import ChangeEvent, ChangeKind
from tradeportal.db import UtcDateTime
from tradeportal.hs.codes import InvalidHSCode
from tradeportal.hs.prefixes import normalise_prefix
from tradeportal.mail.outbox import queue_email

# Immediate emails queued per batch (one commit each); also keeps IN lists short.
QUEUE_BATCH = 500


def local_day(moment: datetime) -> date:
    """Return the portal's calendar day at ``moment``."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def period_of(frequency: Frequency, moment: datetime) -> str | None:
    """Return the digest period a moment falls in: "2026-11-23" or "2026-W48"; None if immediate."""
    day = local_day(moment)
    if frequency is Frequency.DAILY:
        return day.isoformat()
    if frequency is Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def pending_events(session: Session, limit: int) -> list[ChangeEvent]:
    """Return committed change events not fanned out yet, oldest first."""
    processed = exists().where(AlertFanout.event_id == ChangeEvent.id)
    return list(
        session.scalars(select(ChangeEvent).where(~processed).order_by(ChangeEvent.id).limit(limit))
    )


def _record_deliveries(
    session: Session,
    event: ChangeEvent,
    reason: DeliveryReason,
    reach: Reach,
    now: datetime,
    *extra,
) -> int:
    """Insert one pending delivery per subscriber the change reaches; return how many."""
    ranked = reached_subscribers(reach, *extra).subquery()
    rank = ranked.c.rank
    frequency = case(
        (rank == 0, literal(Frequency.IMMEDIATE.value)),
        (rank == 1, literal(Frequency.DAILY.value)),
        else_=literal(Frequency.WEEKLY.value),
    )
    period = case(
        (rank == 1, literal(period_of(Frequency.DAILY, now))),
        (rank == 2, literal(period_of(Frequency.WEEKLY, now))),
        else_=null(),
    )
    rows = select(
        literal(event.id),
        ranked.c.subscriber_id,
        literal(reason.value),
        frequency,
        period,
        literal(DeliveryStatus.PENDING.value),
        literal(now, UtcDateTime),
    )
    columns = ["event_id", "subscriber_id", "reason", "frequency", "period", "status", "created_at"]
    # On the table, not the entity: the ORM's bulk layer adds nothing to an INSERT … SELECT.
    # Counted from RETURNING: psycopg may report rowcount -1 for an INSERT … SELECT.
    table = AlertDelivery.__table__
    inserted = session.execute(
        insert(table).from_select(columns, rows).returning(table.c.subscriber_id)
    )
    return len(inserted.all())


def _record_terms(session: Session, event: ChangeEvent) -> None:
    """Index the event's prefixes and countries for the feeds."""
    terms = [(SubscriptionKind.HS, prefix) for prefix in sorted(set(event.hs_prefixes))]
    terms += [(SubscriptionKind.COUNTRY, iso3) for iso3 in sorted(set(event.countries))]
    if terms:
        session.execute(
            insert(AlertEventTerm.__table__),
            [{"event_id": event.id, "kind": kind, "value": value} for kind, value in terms],
        )


def fan_out_event(session: Session, event: ChangeEvent, now: datetime) -> int:
    """Record the deliveries of one change event; return how many subscribers it reaches.

    The AlertFanout row is the event's "done" mark: a second process fanning out the same
    event fails on its primary key and rolls back. Editors' working data (search
    references) reaches nobody and no feed.
    """
    reached = 0
    if is_alerted(event.content_type):
        reach = Reach.of(event, AlertChange(event.kind.value), event.published_at)
        reached = _record_deliveries(session, event, DeliveryReason.CHANGE, reach, now)
        _record_terms(session, event)
    session.execute(
        insert(AlertFanout.__table__).values(
            event_id=event.id, fanned_out_at=now, subscribers=reached
        )
    )
    return reached


# --- reminders ---------------------------------------------------------------------------


def due_reminders(session: Session, today: date, days: int) -> list[ChangeEvent]:
    """Return fanned-out changes entering into force within ``days``, not reminded yet.

    Only an item's latest change is reminded: a later amendment or withdrawal replaced it.
    """
    later = aliased(ChangeEvent)
    superseded = exists().where(later.item_id == ChangeEvent.item_id, later.id > ChangeEvent.id)
    statement = (
        select(ChangeEvent)
        .join(AlertFanout, AlertFanout.event_id == ChangeEvent.id)
        .where(
            AlertFanout.reminded_at.is_(None),
            ChangeEvent.kind.in_([ChangeKind.NEW, ChangeKind.AMENDED]),
            ChangeEvent.content_type.not_in(NEVER_ALERTED),
            ChangeEvent.effective_on > today,
            ChangeEvent.effective_on <= today + timedelta(days=days),
            ~superseded,
        )
        .order_by(ChangeEvent.effective_on, ChangeEvent.id)
    )
    return list(session.scalars(statement))


def remind_event(session: Session, event: ChangeEvent, now: datetime, days: int) -> int:
    """Record the reminders of one upcoming change; return how many subscribers get one.

    A change published inside the reminder window was just announced: the subscribers who
    got that announcement are not reminded of it again.
    """
    session.get(AlertFanout, event.id).reminded_at = now
    extra = []
    if local_day(event.published_at) >= event.effective_on - timedelta(days=days):
        announced = exists().where(
            AlertDelivery.event_id == event.id,
            AlertDelivery.reason == DeliveryReason.CHANGE,
            AlertDelivery.subscriber_id == Subscription.subscriber_id,
        )
        extra.append(~announced)
    reach = Reach.of(event, AlertChange.UPCOMING, now)
    count = _record_deliveries(session, event, DeliveryReason.REMINDER, reach, now, *extra)
    session.flush()
    return count


# --- queuing emails ----------------------------------------------------------------------


def _exclusions(event: ChangeEvent) -> set[str]:
    found = set()
    for record in (event.before, event.after):
        for raw in (record or {}).get("hs_exclusions") or []:
            try:
                found.add(normalise_prefix(str(raw)))
            except InvalidHSCode:
                continue
    return found


def _explanations(
    session: Session, delivery: AlertDelivery, subscriber_ids: list[int]
) -> dict[int, list[dict]]:
    """Say, per subscriber, which of their subscriptions the change still reaches, and how.

    ``delivery`` stands for its (event, reason) and fan-out time; the same rules as the
    fan-out apply, to what the subscribers follow now.
    """
    event = delivery.event
    if delivery.reason is DeliveryReason.REMINDER:
        reach = Reach.of(event, AlertChange.UPCOMING, delivery.created_at)
    else:
        reach = Reach.of(event, AlertChange(event.kind.value), event.published_at)
    exclusions = _exclusions(event)
    found: dict[int, list[dict]] = defaultdict(list)
    for match in matching_subscriptions(session, reach, subscriber_ids):
        found[match.subscriber_id].append(explain(match, event.hs_prefixes, exclusions))
    return found


def _mark(deliveries, status: DeliveryStatus, key: str | None, now: datetime) -> None:
    for delivery in deliveries:
        delivery.status, delivery.dedupe_key, delivery.queued_at = status, key, now


def _queue(session: Session, subscriber: Subscriber, email: Email, key: str, kind: str) -> bool:
    queued = queue_email(
        session,
        to=subscriber.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        dedupe_key=key,
        kind=kind,
        language=subscriber.language.value,
        headers=unsubscribe_headers(subscriber),
    )
    return queued is not None


@dataclass
class QueueResult:
    queued: int = 0
    not_sent: int = 0

    def __bool__(self) -> bool:
        return bool(self.queued or self.not_sent)


def queue_immediate(session: Session, now: datetime, limit: int = QUEUE_BATCH) -> QueueResult:
    """Queue the emails of up to ``limit`` pending immediate deliveries (flush only).

    Subscribers with the same language and explanation share one rendering; only the
    unsubscribe link differs.
    """
    deliveries = list(
        session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.status == DeliveryStatus.PENDING,
                AlertDelivery.frequency == Frequency.IMMEDIATE,
            )
            .order_by(AlertDelivery.id)
            .limit(limit)
            .options(selectinload(AlertDelivery.subscriber), selectinload(AlertDelivery.event))
        )
    )
    result = QueueResult()
    day = local_day(now)
    groups: dict[tuple[int, DeliveryReason], list[AlertDelivery]] = defaultdict(list)
    for delivery in deliveries:
        groups[delivery.event_id, delivery.reason].append(delivery)
    for (_, reason), group in groups.items():
        event = group[0].event
        explained = _explanations(session, group[0], [d.subscriber_id for d in group])
        rendered: dict[tuple, Email] = {}
        for delivery in group:
            subscriber, matched = delivery.subscriber, explained.get(delivery.subscriber_id)
            delivery.matched = matched or []
            prefix = "reminder" if reason is DeliveryReason.REMINDER else "alert"
            key = f"{prefix}:{event.id}:{subscriber.id}"
            if not matched or not subscriber.is_active:
                # Stopped following it (or everything) since the fan-out.
                _mark([delivery], DeliveryStatus.NOT_SENT, None, now)
                result.not_sent += 1
                continue
            signature = (subscriber.language.value, repr(matched))
            if signature not in rendered:
                rendered[signature] = alert_email(
                    subscriber.language.value, event, matched, reason, day
                )
            sent = _queue(
                session, subscriber, personalised(rendered[signature], subscriber), key, prefix
            )
            _mark([delivery], DeliveryStatus.QUEUED if sent else DeliveryStatus.NOT_SENT, key, now)
            result.queued += sent
            result.not_sent += not sent
    session.flush()
    return result


# --- digests -----------------------------------------------------------------------------


def due_digests(session: Session, now: datetime) -> list[tuple[int, Frequency, str]]:
    """Return (subscriber id, frequency, period) of digests whose period is over."""
    due = []
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        statement = (
            select(AlertDelivery.subscriber_id, AlertDelivery.period)
            .where(
                AlertDelivery.status == DeliveryStatus.PENDING,
                AlertDelivery.frequency == frequency,
                AlertDelivery.period < period_of(frequency, now),
            )
            .group_by(AlertDelivery.subscriber_id, AlertDelivery.period)
            .order_by(AlertDelivery.period, AlertDelivery.subscriber_id)
        )
        due.extend((sid, frequency, period) for sid, period in session.execute(statement))
    return due


def queue_digest(
    session: Session, subscriber_id: int, frequency: Frequency, period: str, now: datetime
) -> bool:
    """Queue one digest email; return False when nothing was sent (inactive or suppressed)."""
    deliveries = list(
        session.scalars(
            select(AlertDelivery)
            .join(ChangeEvent, ChangeEvent.id == AlertDelivery.event_id)
            .where(
                AlertDelivery.subscriber_id == subscriber_id,
                AlertDelivery.status == DeliveryStatus.PENDING,
                AlertDelivery.frequency == frequency,
                AlertDelivery.period == period,
            )
            .order_by(ChangeEvent.published_at, AlertDelivery.id)
        )
    )
    if not deliveries:
        return False
    subscriber = session.get(Subscriber, subscriber_id)
    kept = []
    for delivery in deliveries:
        matched = _explanations(session, delivery, [subscriber_id])
        delivery.matched = matched.get(subscriber_id, [])
        if delivery.matched:
            kept.append(delivery)
    key = f"digest:{subscriber_id}:{period}"
    sent = False
    if subscriber.is_active and kept:
        email = digest_email(subscriber, frequency, period, kept, local_day(now))
        sent = _queue(session, subscriber, email, key, "digest")
    _mark(kept, DeliveryStatus.QUEUED if sent else DeliveryStatus.NOT_SENT, key, now)
    _mark([d for d in deliveries if d not in kept], DeliveryStatus.NOT_SENT, None, now)
    session.flush()
    return sent


def delivery_counts(session: Session) -> dict[str, int]:
    """Count deliveries per status (``flask alerts status``)."""
    rows = session.execute(
        select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
    )
    return {status.value: count for status, count in rows}
