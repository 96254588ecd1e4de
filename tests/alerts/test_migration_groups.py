"""The migration to content groups and bounce pauses, on a database holding old rows."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, bindparam, inspect, text

from tests.conftest import dispose, make_app, run_cli
from tradeportal.db import db

BEFORE = "726997935069"  # alerts, with raw content types in subscriptions
# Raw SQL, typed through SQLAlchemy so that it runs on SQLite and PostgreSQL alike.
FLAGS = ("new", "amended", "withdrawn", "upcoming")
TYPED = [bindparam("day", type_=DateTime()), *(bindparam(f, type_=Boolean()) for f in FLAGS)]
SUBSCRIBERS = [(1, "mixed@example.org"), (2, "bounced@example.org"), (3, "counting@example.org")]
# (value, on_new, on_amended, on_withdrawn, on_upcoming, frequency, day created)
FOLLOWS = [
    ("tariff-lines", 1, 0, 0, 0, "weekly", 3),
    ("internal-taxes", 0, 0, 1, 0, "daily", 2),
    ("regulations", 1, 1, 1, 1, "immediate", 1),
    ("pages", 1, 1, 0, 0, "weekly", 4),
    ("origin-rules", 1, 1, 1, 1, "weekly", 5),
    ("search-references", 1, 1, 1, 1, "immediate", 1),
]


def content_follows(connection) -> dict[str, tuple]:
    rows = connection.execute(
        text(
            "SELECT value, on_new, on_amended, on_withdrawn, on_upcoming, frequency, created_at "
            "FROM alert_subscriptions WHERE subscriber_id = 1 AND kind = 'content_type'"
        )
    )
    return {
        value: (*map(int, flags), frequency, day_of(created))
        for value, *flags, frequency, created in rows
    }


def day(number: int) -> datetime:
    return datetime(2026, 1, number)


def day_of(stored) -> str:
    """The day of a stored timestamp: a string on SQLite, a datetime on PostgreSQL."""
    return str(stored)[:10] if stored else ""


def insert_old_rows(connection) -> None:
    for number, email in SUBSCRIBERS:
        connection.execute(
            text(
                "INSERT INTO subscribers (id, email, language, created_at, confirmed_at, "
                "manage_token) VALUES (:id, :email, 'en', :day, :day, :token)"
            ).bindparams(TYPED[0]),
            {"id": number, "email": email, "day": day(1), "token": f"t{number}"},
        )
    for value, new, amended, withdrawn, upcoming, frequency, created in FOLLOWS:
        connection.execute(
            text(
                "INSERT INTO alert_subscriptions (subscriber_id, kind, value, market, on_new, "
                "on_amended, on_withdrawn, on_upcoming, frequency, created_at) VALUES "
                "(1, 'content_type', :value, '', :new, :amended, :withdrawn, :upcoming, "
                ":frequency, :day)"
            ).bindparams(*TYPED),
            dict(
                value=value,
                new=bool(new),
                amended=bool(amended),
                withdrawn=bool(withdrawn),
                upcoming=bool(upcoming),
                frequency=frequency,
                day=day(created),
            ),
        )
    connection.execute(
        text(
            "INSERT INTO alert_subscriptions (subscriber_id, kind, value, market, on_new, "
            "on_amended, on_withdrawn, on_upcoming, frequency, created_at) VALUES "
            "(2, 'hs', '0901', '', TRUE, TRUE, TRUE, TRUE, 'immediate', :day)"
        ).bindparams(TYPED[0]),
        {"day": day(1)},
    )
    for address, bounces, suppressed in [
        ("bounced@example.org", 3, day(6)),
        ("counting@example.org", 1, None),
    ]:
        connection.execute(
            text(
                "INSERT INTO mail_suppressions (address, hard_bounces, suppressed_at) "
                "VALUES (:address, :bounces, :suppressed)"
            ).bindparams(bindparam("suppressed", type_=DateTime())),
            {"address": address, "bounces": bounces, "suppressed": suppressed},
        )


def test_old_subscriptions_move_to_their_groups_and_back(tmp_path):
    app = make_app(tmp_path)
    try:
        run_cli(app, "db", "upgrade", BEFORE)
        with app.app_context(), db.engine.begin() as connection:
            insert_old_rows(connection)

        run_cli(app, "db", "upgrade")
        with app.app_context(), db.engine.connect() as connection:
            # Raw types of one group merge: any kind of change, the soonest frequency,
            # the earliest start; "pages" becomes news and events; search references go.
            assert content_follows(connection) == {
                "regulations": (1, 1, 1, 1, "immediate", "2026-01-01"),
                "tariffs": (1, 0, 1, 0, "daily", "2026-01-02"),
                "news": (1, 1, 0, 0, "weekly", "2026-01-04"),
                "events": (1, 1, 0, 0, "weekly", "2026-01-04"),
                "agreements": (1, 1, 1, 1, "weekly", "2026-01-05"),
            }
            # Only the suppressed address pauses its subscriber, from its suppression.
            paused = connection.execute(
                text("SELECT email, bounced_at FROM subscribers ORDER BY id")
            ).all()
            assert [(email, day_of(at)) for email, at in paused] == [
                ("mixed@example.org", ""),
                ("bounced@example.org", "2026-01-06"),
                ("counting@example.org", ""),
            ]
        run_cli(app, "db", "check")

        run_cli(app, "db", "downgrade", BEFORE)
        with app.app_context(), db.engine.connect() as connection:
            assert "bounced_at" not in {
                column["name"] for column in inspect(connection).get_columns("subscribers")
            }
            # Each group becomes every raw type it stands for: a superset of the old rows.
            tariffs = (1, 0, 1, 0, "daily", "2026-01-02")
            agreements = (1, 1, 1, 1, "weekly", "2026-01-05")
            assert content_follows(connection) == {
                "regulations": (1, 1, 1, 1, "immediate", "2026-01-01"),
                "tariff-schedules": tariffs,
                "tariff-schedule-markets": tariffs,
                "tariff-lines": tariffs,
                "preferential-rates": tariffs,
                "internal-taxes": tariffs,
                "pages": (1, 1, 0, 0, "weekly", "2026-01-04"),
                "agreements": agreements,
                "origin-schemes": agreements,
                "origin-rules": agreements,
            }
        run_cli(app, "db", "upgrade")
        with app.app_context(), db.engine.connect() as connection:
            assert set(content_follows(connection)) == {
                "regulations",
                "tariffs",
                "news",
                "events",
                "agreements",
            }
    finally:
        dispose(app)
