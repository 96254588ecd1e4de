"""Alerts: content-type subscriptions follow groups; subscribers paused by hard bounces

Revision ID: ffdec7d59ed6
Revises: 726997935069
Create Date: 2026-12-02 06:27:00

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes. The previous code ignores ``bounced_at`` (the outbox still
refuses the address) and matches group names only where they equal a content type
("regulations", "tenders"…) until the new code starts.

Content-type subscriptions stored the raw CMS type ("tariff-lines"); they now store the
group a subscriber understands ("tariffs"). Several raw subscriptions of one subscriber
that land in the same group merge into one: the kinds of change asked for by any of
them, the soonest frequency, the earliest start. The mapping is copied here, not imported,
so that this migration keeps meaning what it meant when the app's groups change.
Downgrade maps each group back to all the raw types it stands for (a superset of what
was followed: which ones were is not kept), news and events to "pages".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ffdec7d59ed6"
down_revision: str | Sequence[str] | None = "726997935069"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Raw content type → the groups that now carry it; [] for editors' data, never alerted.
GROUPS_OF_RAW = {
    "regulations": ["regulations"],
    "procedures": ["procedures"],
    "agencies": ["procedures"],
    "tariff-schedules": ["tariffs"],
    "tariff-schedule-markets": ["tariffs"],
    "tariff-lines": ["tariffs"],
    "preferential-rates": ["tariffs"],
    "internal-taxes": ["tariffs"],
    "agreements": ["agreements"],
    "origin-schemes": ["agreements"],
    "origin-rules": ["agreements"],
    "countries": ["countries"],
    "country-profiles": ["countries"],
    "tenders": ["tenders"],
    # "pages" held news, events and free pages: its followers keep news and events.
    "pages": ["news", "events"],
    "search-references": [],
}
RAW_OF_GROUP = {
    "regulations": ["regulations"],
    "procedures": ["procedures", "agencies"],
    "tariffs": [
        "tariff-schedules",
        "tariff-schedule-markets",
        "tariff-lines",
        "preferential-rates",
        "internal-taxes",
    ],
    "agreements": ["agreements", "origin-schemes", "origin-rules"],
    "countries": ["countries", "country-profiles"],
    "tenders": ["tenders"],
    "news": ["pages"],
    "events": ["pages"],
}
CHANGES = ("on_new", "on_amended", "on_withdrawn", "on_upcoming")
FREQUENCIES = ("immediate", "daily", "weekly")  # soonest first

subscriptions = sa.table(
    "alert_subscriptions",
    sa.column("id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("market", sa.String),
    *(sa.column(name, sa.Boolean) for name in CHANGES),
    sa.column("frequency", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _remap(mapping: dict[str, list[str]]) -> None:
    """Replace content-type subscriptions by those of ``mapping``, merged per subscriber."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(subscriptions)
        .where(subscriptions.c.kind == "content_type", subscriptions.c.value.in_(list(mapping)))
        .order_by(subscriptions.c.id)
    ).mappings()
    merged: dict[tuple, dict] = {}
    for row in rows:
        for value in mapping[row["value"]]:
            key = (row["subscriber_id"], value, row["market"])
            if key not in merged:
                merged[key] = {**row, "value": value}
                continue
            kept = merged[key]
            for name in CHANGES:
                kept[name] = kept[name] or row[name]
            kept["frequency"] = min(kept["frequency"], row["frequency"], key=FREQUENCIES.index)
            kept["created_at"] = min(kept["created_at"], row["created_at"])
    connection.execute(
        subscriptions.delete().where(
            subscriptions.c.kind == "content_type", subscriptions.c.value.in_(list(mapping))
        )
    )
    # A subscriber may already follow a target under its new name (unmapped, so kept).
    existing = {
        tuple(row)
        for row in connection.execute(
            sa.select(
                subscriptions.c.subscriber_id, subscriptions.c.value, subscriptions.c.market
            ).where(subscriptions.c.kind == "content_type")
        )
    }
    values = [
        {name: value for name, value in row.items() if name != "id"}
        for key, row in merged.items()
        if key not in existing
    ]
    if values:
        connection.execute(subscriptions.insert(), values)


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True))
    # Addresses already suppressed pause their subscriber from the moment of suppression.
    op.execute(
        """
        UPDATE subscribers SET bounced_at = (
            SELECT mail_suppressions.suppressed_at FROM mail_suppressions
            WHERE mail_suppressions.address = subscribers.email
        )
        WHERE EXISTS (
            SELECT 1 FROM mail_suppressions
            WHERE mail_suppressions.address = subscribers.email
              AND mail_suppressions.suppressed_at IS NOT NULL
        )
        """
    )
    _remap(GROUPS_OF_RAW)


def downgrade() -> None:
    _remap(RAW_OF_GROUP)
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("bounced_at")
