"""Alerts fixtures: the seeded app, a real SMTP server, editors who publish, subscribers.

Changes are published through the CMS workflow functions (draft → review → approval by a
second person), as the editor screens do; emails travel through the real outbox and
sender to an aiosmtpd server on 127.0.0.1.
"""

import re
from datetime import date
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.auth.conftest import CHEAP_HASHING, add_user, csrf_token_from
from tests.conftest import run_cli
from tests.mail.smtp_sink import SmtpSink
from tradeportal.alerts.models import (
    AlertChange,
    Frequency,
    Language,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from tradeportal.alerts.services import add_subscription
from tradeportal.auth.models import Role, User
from tradeportal.cms.models import ChangeEvent, CmsItem
from tradeportal.cms.records import key_of
from tradeportal.cms.workflow import (
    approve,
    create_draft,
    open_item,
    save_draft,
    submit_for_review,
    withdraw,
)
from tradeportal.content.registry import CONTENT_TYPES
from tradeportal.db import db, utcnow

# A regulation on green coffee (0901.21) for goods shipped to the United Kingdom.
COFFEE_FOR_UK = {
    "slug": "green-coffee-uk-phytosanitary-certificate",
    "title_en": "Phytosanitary certificate for green coffee to the United Kingdom",
    "kind": "sps",
    "direction": "export",
    "country_iso3": "MUS",
    "partners": "GBR",
    "hs_prefixes": "090121",
    "agency": "mra-customs",
    "valid_from": "2026-01-01",
    "summary": "Each consignment travels with a phytosanitary certificate.",
}
LINK = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture
def app(app):
    """The seeded app: cheap password hashing, no inline search drain (no index here)."""
    app.config.update(CHEAP_HASHING, SEARCH_DRAIN_INLINE=False)
    return app


@pytest.fixture
def sink():
    """A real SMTP server on a free loopback port; unexpected SMTP fails the test."""
    server = SmtpSink().start()
    yield server
    server.stop()
    assert not server.handler.problems, server.handler.problems


@pytest.fixture
def smtp_app(app, sink):
    """The seeded app, mailing through ``sink``."""
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_URL=sink.url)
    return app


@pytest.fixture
def editors(app):
    """An editor and a publisher (the two-person rule needs both); returns their ids."""
    return (
        add_user(app, "editor@ministry.example", Role.EDITOR),
        add_user(app, "publisher@ministry.example", Role.PUBLISHER),
    )


def users_of(editors) -> tuple[User, User]:
    return db.session.get(User, editors[0]), db.session.get(User, editors[1])


def publish_new(app, editors, payload: dict, content_type: str = "regulations") -> int:
    """Draft, submit and approve a new record; return the change event id."""
    with app.app_context():
        editor, publisher = users_of(editors)
        item = create_draft(db.session, editor, CONTENT_TYPES[content_type], payload)
        submit_for_review(db.session, editor, item, item.version)
        event = approve(db.session, publisher, item, item.version, None)
        db.session.commit()
        return event.id


def publish_amendment(app, editors, payload: dict, content_type: str = "regulations") -> int:
    """Edit a live record (loaded or published before), submit and approve; return the event."""
    kind = CONTENT_TYPES[content_type]
    with app.app_context():
        editor, publisher = users_of(editors)
        record = kind.input_schema().load(payload)
        item = open_item(db.session, kind, key_of(kind, record))
        save_draft(db.session, editor, item, payload, item.version)
        submit_for_review(db.session, editor, item, item.version)
        event = approve(db.session, publisher, item, item.version, None)
        db.session.commit()
        return event.id


def withdraw_record(app, editors, slug: str, day: date) -> int:
    with app.app_context():
        _, publisher = users_of(editors)
        item = db.session.scalar(select(CmsItem).where(CmsItem.record_key == f'["{slug}"]'))
        event = withdraw(db.session, publisher, item, item.version, "No longer required", day)
        db.session.commit()
        return event.id


def subscribe_directly(
    app,
    email: str,
    *follows: tuple[SubscriptionKind, str] | tuple[SubscriptionKind, str, str],
    language: Language = Language.EN,
    frequency: Frequency = Frequency.IMMEDIATE,
    changes: list[AlertChange] | None = None,
) -> int:
    """Make a confirmed subscriber following ``follows`` (kind, value[, market]); its id."""
    with app.app_context():
        now = utcnow()
        subscriber = Subscriber(email=email, language=language, confirmed_at=now, created_at=now)
        db.session.add(subscriber)
        db.session.flush()
        for kind, value, *market in follows:
            add_subscription(
                db.session,
                subscriber,
                kind,
                value,
                market=market[0] if market else "",
                changes=changes,
                frequency=frequency,
            )
        db.session.commit()
        return subscriber.id


def subscriptions_of(app, email: str) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Subscription.kind, Subscription.value, Subscription.market)
            .join(Subscriber)
            .where(Subscriber.email == email)
            .order_by(Subscription.kind, Subscription.value)
        )
        return [(kind.value, value, market) for kind, value, market in rows]


def event_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ChangeEvent.id).order_by(ChangeEvent.id)))


def fan_out(app) -> str:
    return run_cli(app, "alerts", "fan-out").output


def send_mail(app) -> str:
    return run_cli(app, "mail", "send").output


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return LINK.findall(text_of(message))


def path_of(url: str) -> str:
    """Return the path (and query) of an absolute link, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def post_with_token(client, page: str, action: str, data: dict | None = None):
    """Post ``data`` to ``action`` with the CSRF token of the form on ``page``."""
    token = csrf_token_from(client.get(page))
    return client.post(action, data={"csrf_token": token, **(data or {})})
