"""``flask alerts fan-out`` and ``flask alerts status``, and the worker's alerts job.

One pass fans out the change events not processed yet (a commit after each), then queues
the reminders and the digests that are due (a commit after each).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradeportal.alerts.fanout import (
    delivery_counts,
    due_digests,
    due_reminders,
    fan_out_event,
    local_day,
    pending_events,
    queue_digest,
    queue_immediate,
    remind_event,
)
from tradeportal.alerts.models import AlertFanout, Subscriber, Subscription
from tradeportal.cms.models import ChangeEvent
from tradeportal.db import db, utcnow

logger = logging.getLogger(__name__)


@dataclass
class PassReport:
    events: int = 0
    reached: int = 0  # subscribers the fanned-out events reach
    reminders: int = 0
    queued: int = 0  # immediate alerts and reminders put in the outbox
    not_sent: int = 0  # refused by the outbox (suppressed address) or no longer followed
    digests: int = 0
    skipped: int = 0  # events (or reminders) another process handled at the same time

    def __bool__(self) -> bool:
        return bool(self.events or self.reminders or self.queued or self.not_sent or self.digests)

    def summary(self) -> str:
        return (
            f"alerts: {self.events} change event(s) fanned out to {self.reached} subscriber(s); "
            f"{self.reminders} reminder(s) due; {self.queued} email(s) and {self.digests} "
            f"digest(s) queued, {self.not_sent} not sent."
        )


def run_alerts_pass(session: Session, now: datetime | None = None) -> PassReport:
    """Fan out pending events, record due reminders, queue emails and due digests.

    Each event, each reminder, each batch of emails and each digest is committed on its
    own: a crash loses at most the unit in progress, which the next pass does again.
    """
    now = now or utcnow()
    report = PassReport()
    for event in pending_events(session, int(current_app.config["ALERTS_FANOUT_BATCH"])):
        try:
            reached = fan_out_event(session, event, now)
            session.commit()
        except IntegrityError:
            # Another worker processed this event first: its deliveries stand.
            session.rollback()
            report.skipped += 1
            continue
        report.events += 1
        report.reached += reached
    days = int(current_app.config["ALERT_REMINDER_DAYS"])
    for event in due_reminders(session, local_day(now), days):
        try:
            report.reminders += remind_event(session, event, now, days)
            session.commit()
        except IntegrityError:
            session.rollback()  # another process recorded these reminders first
            report.skipped += 1
    while batch := queue_immediate(session, now):
        session.commit()
        report.queued += batch.queued
        report.not_sent += batch.not_sent
    for subscriber_id, frequency, period in due_digests(session, now):
        report.digests += queue_digest(session, subscriber_id, frequency, period, now)
        session.commit()
    return report


def fan_out_alerts() -> None:
    """Worker job: one alerts pass (fan-out, reminders, digests)."""
    report = run_alerts_pass(db.session)
    if report:
        logger.info("%s", report.summary())


@click.command("fan-out")
@with_appcontext
def fan_out_command() -> None:
    """Match new change events to subscriptions and queue the alert emails (one pass)."""
    report = run_alerts_pass(db.session)
    click.echo(report.summary())
    if report.skipped:
        click.echo(f"  {report.skipped} event(s) were fanned out by another process.")


@click.command("status")
@with_appcontext
def status_command() -> None:
    """Show subscribers, subscriptions, events waiting for the fan-out and deliveries."""
    session = db.session
    processed = select(AlertFanout.event_id)
    waiting = session.scalar(
        select(func.count(ChangeEvent.id)).where(ChangeEvent.id.not_in(processed))
    )
    signed_up = select(func.count(Subscriber.id)).where(
        Subscriber.confirmed_at.is_not(None), Subscriber.disabled_at.is_(None)
    )
    active = session.scalar(signed_up.where(Subscriber.bounced_at.is_(None)))
    paused = session.scalar(signed_up.where(Subscriber.bounced_at.is_not(None)))
    unsubscribed = session.scalar(
        select(func.count(Subscriber.id)).where(Subscriber.disabled_at.is_not(None))
    )
    kinds = session.execute(
        select(Subscription.kind, func.count())
        .group_by(Subscription.kind)
        .order_by(Subscription.kind)
    ).all()
    click.echo(
        f"subscribers: {active} active, {paused} paused after hard bounces, "
        f"{unsubscribed} unsubscribed"
    )
    click.echo(
        "subscriptions: " + (", ".join(f"{count} {kind.value}" for kind, count in kinds) or "none")
    )
    click.echo(f"change events waiting for the fan-out: {waiting}")
    counts = delivery_counts(session)
    click.echo(
        "deliveries: " + (", ".join(f"{n} {status}" for status, n in counts.items()) or "none")
    )
