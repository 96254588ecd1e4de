"""The fan-out: one email per (event, subscriber), digests, reminders, dedupe, suppression."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import delete, func, select

from tests.alerts.conftest import (
    COFFEE_FOR_UK,
    fan_out,
    publish_amendment,
    publish_new,
    subscribe_directly,
    users_of,
    withdraw_record,
)
from tests.conftest import run_cli
from tradeportal.alerts.cli import run_alerts_pass
from tradeportal.alerts.fanout import local_day, period_of
from tradeportal.alerts.models import (
    AlertChange,
    AlertDelivery,
    DeliveryReason,
    DeliveryStatus,
    Frequency,
    Language,
    Subscription,
    SubscriptionKind,
)
from tradeportal.alerts.tokens import read_unsubscribe_token
from tradeportal.cms.workflow import EditConflict, approve, create_draft, submit_for_review
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.db import db, utcnow
from tradeportal.mail.models import MailSuppression, OutboundEmail
from tradeportal.public_links import public_url
from tradeportal.validity import today

HS, COUNTRY, TYPE = SubscriptionKind.HS, SubscriptionKind.COUNTRY, SubscriptionKind.CONTENT_TYPE


def outbox(app, kind: str | None = None) -> list[OutboundEmail]:
    with app.app_context():
        statement = select(OutboundEmail).order_by(OutboundEmail.id)
        if kind:
            statement = statement.where(OutboundEmail.kind == kind)
        emails = list(db.session.scalars(statement))
        db.session.expunge_all()
        return emails


def deliveries(app) -> list[tuple[int, int, DeliveryReason, DeliveryStatus, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(
                AlertDelivery.event_id,
                AlertDelivery.subscriber_id,
                AlertDelivery.reason,
                AlertDelivery.status,
                AlertDelivery.dedupe_key,
            ).order_by(AlertDelivery.id)
        )
        return [tuple(row) for row in rows]


def alerts_pass(app, now):
    with app.app_context():
        return run_alerts_pass(db.session, now)


def test_fanning_out_twice_queues_nothing_new(app, editors):
    follower = subscribe_directly(app, "coffee@example.org", (HS, "0901"), (COUNTRY, "GBR"))
    other = subscribe_directly(app, "sugar@example.org", (HS, "17"))
    event = publish_new(app, editors, COFFEE_FOR_UK)
    assert "1 change event(s) fanned out to 1 subscriber(s)" in fan_out(app)
    (email,) = outbox(app, "alert")
    assert email.dedupe_key == f"alert:{event}:{follower}"
    assert email.to_address == "coffee@example.org"
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert deliveries(app) == [
        (event, follower, DeliveryReason.CHANGE, DeliveryStatus.QUEUED, email.dedupe_key)
    ]
    assert other != follower
    # A second pass (a restarted worker, a second process) finds nothing to do.
    assert "0 change event(s) fanned out" in fan_out(app)
    assert len(outbox(app, "alert")) == 1
    assert len(deliveries(app)) == 1


def test_amendments_and_withdrawals_reach_those_who_asked_for_them(app, editors):
    everything = subscribe_directly(app, "all@example.org", (HS, "09"))
    only_withdrawals = subscribe_directly(
        app, "withdrawn@example.org", (HS, "0901"), changes=[AlertChange.WITHDRAWN]
    )
    created = publish_new(app, editors, COFFEE_FOR_UK)
    amended = publish_amendment(app, editors, COFFEE_FOR_UK | {"fees": "MUR 500"})
    withdrawn = withdraw_record(app, editors, COFFEE_FOR_UK["slug"], today_of(app))
    fan_out(app)
    reached = {(event, subscriber) for event, subscriber, *_ in deliveries(app)}
    assert reached == {
        (created, everything),
        (amended, everything),
        (withdrawn, everything),
        (withdrawn, only_withdrawals),
    }
    subjects = sorted(email.subject for email in outbox(app, "alert"))
    assert subjects[0].startswith("Amended: Phytosanitary certificate")
    assert subjects[1].startswith("New: Phytosanitary certificate")
    assert subjects[2].startswith("Withdrawn: Phytosanitary certificate")
    withdrawal = next(e for e in outbox(app, "alert") if e.subject.startswith("Withdrawn"))
    assert f"Withdrawn from {long_day(today_of(app))}." in withdrawal.body_text
    day_before = (today_of(app) - timedelta(days=1)).isoformat()
    assert f"date={day_before}" in withdrawal.body_text  # shown as it was, its last day


def long_day(day: date, language: str = "en") -> str:
    """A day as emails write it for reading: "2 December 2026" / "2 décembre 2026"."""
    # The portal writes English the British way (day before month).
    return format_date(day, "long", locale={"en": "en_GB"}.get(language, language))


def today_of(app) -> date:
    with app.app_context():
        return today()


def test_digests_group_a_subscribers_changes_per_day_and_per_week(app, editors):
    daily = subscribe_directly(
        app, "daily@example.org", (HS, "0901"), frequency=Frequency.DAILY, language=Language.FR
    )
    weekly = subscribe_directly(
        app, "weekly@example.org", (COUNTRY, "GBR"), frequency=Frequency.WEEKLY
    )
    publish_new(app, editors, COFFEE_FOR_UK)
    publish_amendment(app, editors, COFFEE_FOR_UK | {"fees": "MUR 500"})
    now = utcnow()
    alerts_pass(app, now)
    assert outbox(app) == []  # waiting for the end of the day and of the week
    assert {status for *_, status, _ in deliveries(app)} == {DeliveryStatus.PENDING}

    tomorrow = now + timedelta(days=1)
    report = alerts_pass(app, tomorrow)
    with app.app_context():
        day = period_of(Frequency.DAILY, now)
        week = period_of(Frequency.WEEKLY, now)
        week_is_over = period_of(Frequency.WEEKLY, tomorrow) != week
    assert report.digests == 1 + week_is_over
    digest = next(e for e in outbox(app, "digest") if e.to_address == "daily@example.org")
    assert digest.dedupe_key == f"digest:{daily}:{day}"
    french_day = long_day(date.fromisoformat(day), "fr")
    assert digest.subject == f"Vos alertes du jour : 2 modifications le {french_day}"
    assert f"Modifications publiées le {french_day} qui correspondent" in digest.body_text
    assert "1. Nouveau : Phytosanitary certificate" in digest.body_text
    assert "2. Modifié : Phytosanitary certificate" in digest.body_text
    assert digest.body_text.count("Vous suivez 0901 → ceci s'applique à 0901.21.") == 2
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    a_week_later = now + timedelta(days=8)
    alerts_pass(app, a_week_later)
    weekly_digest = next(e for e in outbox(app, "digest") if e.to_address == "weekly@example.org")
    assert weekly_digest.dedupe_key == f"digest:{weekly}:{week}"
    assert weekly_digest.subject == f"Your weekly alerts: 2 changes in week {week}"
    assert "You follow GBR → this change names GBR." in weekly_digest.body_text
    # Each digest goes once, however often the pass runs.
    alerts_pass(app, a_week_later)
    assert len(outbox(app, "digest")) == 2
    assert {status for *_, status, _ in deliveries(app)} == {DeliveryStatus.QUEUED}


def test_reminders_go_out_days_before_entry_into_force_once(app, editors):
    start = today_of(app) + timedelta(days=20)
    follower = subscribe_directly(app, "upcoming@example.org", (HS, "0901"))
    reminders_only = subscribe_directly(
        app, "reminders@example.org", (COUNTRY, "GBR"), changes=[AlertChange.UPCOMING]
    )
    event = publish_new(app, editors, COFFEE_FOR_UK | {"valid_from": start.isoformat()})
    now = utcnow()
    alerts_pass(app, now)
    (announcement,) = outbox(app, "alert")
    assert announcement.to_address == "upcoming@example.org"
    assert f"Enters into force on {long_day(start)}." in announcement.body_text
    # Not yet within ALERT_REMINDER_DAYS (7): no reminder.
    assert alerts_pass(app, now + timedelta(days=12)).reminders == 0
    # Six days before, both get a reminder, once.
    later = now + timedelta(days=14)
    assert alerts_pass(app, later).reminders == 2
    assert alerts_pass(app, later + timedelta(hours=1)).reminders == 0
    reminders = {email.to_address: email for email in outbox(app, "reminder")}
    assert set(reminders) == {"upcoming@example.org", "reminders@example.org"}
    with app.app_context():
        days = (start - local_day(later)).days
    assert reminders["upcoming@example.org"].dedupe_key == f"reminder:{event}:{follower}"
    assert reminders["reminders@example.org"].subject.startswith(
        f"Enters into force on {long_day(start)}: Phytosanitary certificate"
    )
    assert (
        f"this change enters into force in {days} days"
        in reminders["reminders@example.org"].body_text
    )
    assert reminders_only


def test_a_change_published_days_before_it_applies_is_not_reminded_to_those_just_told(app, editors):
    start = today_of(app) + timedelta(days=3)
    subscribe_directly(app, "told@example.org", (HS, "0901"))
    subscribe_directly(app, "reminders@example.org", (HS, "0901"), changes=[AlertChange.UPCOMING])
    publish_new(app, editors, COFFEE_FOR_UK | {"valid_from": start.isoformat()})
    report = alerts_pass(app, utcnow())
    assert report.reminders == 1
    assert [e.to_address for e in outbox(app, "alert")] == ["told@example.org"]
    assert [e.to_address for e in outbox(app, "reminder")] == ["reminders@example.org"]


def test_a_suppressed_or_unsubscribed_address_gets_no_alert(app, editors):
    subscribe_directly(app, "bounces@example.org", (HS, "0901"))
    subscribe_directly(app, "fine@example.org", (HS, "0901"))
    with app.app_context():
        db.session.add(
            MailSuppression(
                address="bounces@example.org",
                hard_bounces=3,
                reason="550 no such user",
                suppressed_at=utcnow(),
            )
        )
        db.session.commit()
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    assert [e.to_address for e in outbox(app, "alert")] == ["fine@example.org"]
    statuses = sorted(status.value for *_, status, _ in deliveries(app))
    assert statuses == ["not_sent", "queued"]


def test_status_command_and_the_worker_deliver_alerts_as_eml_files(app, editors):
    subscribe_directly(app, "files@example.org", (HS, "0901"))
    publish_new(app, editors, COFFEE_FOR_UK)
    status = run_cli(app, "alerts", "status").output
    assert "subscribers: 1 active, 0 paused after hard bounces, 0 unsubscribed" in status
    assert "subscriptions: 1 hs" in status
    assert "change events waiting for the fan-out: 1" in status
    # The worker fans out, then sends with the file transport of the embedded mode.
    run_cli(app, "worker", "--once")
    run_cli(app, "worker", "--once")
    files = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: files@example.org" in text
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    status = run_cli(app, "alerts", "status").output
    assert "change events waiting for the fan-out: 0" in status
    assert "deliveries: 1 queued" in status
    with app.app_context():
        assert db.session.scalar(select(func.count(AlertDelivery.id))) == 1


def test_a_double_clicked_approval_publishes_and_alerts_once(app, editors):
    """Both clicks carry the version the review page showed: the second one is refused."""
    subscribe_directly(app, "once@example.org", (HS, "0901"))
    with app.app_context():
        editor, publisher = users_of(editors)
        item = create_draft(db.session, editor, CONTENT_TYPES["regulations"], COFFEE_FOR_UK)
        submit_for_review(db.session, editor, item, item.version)
        db.session.commit()
        shown_version = item.version
        approve(db.session, publisher, item, shown_version, None)
        db.session.commit()
        with pytest.raises(EditConflict):
            approve(db.session, publisher, item, shown_version, None)
        db.session.rollback()
    fan_out(app)
    assert [email.to_address for email in outbox(app, "alert")] == ["once@example.org"]


def test_subscribers_sharing_an_email_each_get_their_own_unsubscribe_link(app, editors):
    first = subscribe_directly(app, "first@example.org", (HS, "0901"))
    second = subscribe_directly(app, "second@example.org", (HS, "0901"))
    publish_new(app, editors, COFFEE_FOR_UK)
    fan_out(app)
    emails = {email.to_address: email for email in outbox(app, "alert")}
    prefix = public_url_in(app, "alerts.unsubscribe", token="TOKEN").removesuffix("TOKEN")
    link = re.compile(re.escape(prefix) + r"([A-Za-z0-9_.\-]+)")
    for address, subscriber in (("first@example.org", first), ("second@example.org", second)):
        email = emails[address]
        for part in (email.body_text, email.body_html, email.headers["List-Unsubscribe"]):
            tokens = set(link.findall(part))
            assert tokens, part
            with app.app_context():
                # Each link names its own subscriber (tokens carry a timestamp: read, not compare).
                assert {read_unsubscribe_token(token)[0] for token in tokens} == {subscriber}
        assert "UNSUBSCRIBE-LINK" not in email.body_text + email.body_html


def public_url_in(app, endpoint: str, **values) -> str:
    with app.app_context():
        return public_url(endpoint, **values)


def test_a_change_no_longer_followed_when_its_digest_is_due_is_not_sent(app, editors):
    subscriber = subscribe_directly(
        app, "changed-mind@example.org", (HS, "0901"), frequency=Frequency.DAILY
    )
    publish_new(app, editors, COFFEE_FOR_UK)
    now = utcnow()
    alerts_pass(app, now)
    with app.app_context():
        db.session.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber))
        db.session.commit()
    report = alerts_pass(app, now + timedelta(days=1))
    assert report.digests == 0
    assert outbox(app) == []
    assert [status for *_, status, _ in deliveries(app)] == [DeliveryStatus.NOT_SENT]
