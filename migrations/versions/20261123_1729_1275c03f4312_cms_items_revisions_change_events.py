"""CMS items, their revisions and change events

Revision ID: 1275c03f4312
Revises: 1cc99253c2f0
Create Date: 2026-11-23 17:29:32.222853

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "1275c03f4312"
down_revision: str | Sequence[str] | None = "1cc99253c2f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cms_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=600), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column(
            "live_state",
            sa.Enum(
                "unpublished",
                "published",
                "withdrawn",
                name="livestate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "draft_state",
            sa.Enum(
                "draft", "in_review", "scheduled", name="draftstate", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("draft_author_id", sa.Integer(), nullable=True),
        sa.Column("draft_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_cms_items_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["draft_author_id"], ["users.id"], name=op.f("fk_cms_items_draft_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_cms_items_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cms_items")),
        sa.UniqueConstraint(
            "content_type", "record_key", name=op.f("uq_cms_items_content_type_record_key")
        ),
    )
    with op.batch_alter_table("cms_items", schema=None) as batch_op:
        batch_op.create_index("ix_cms_items_draft_state", ["draft_state"], unique=False)

    op.create_table(
        "cms_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "baseline",
                "saved",
                "submitted",
                "returned",
                "scheduled",
                "published",
                "withdrawn",
                "restored",
                "conflict",
                "discarded",
                name="revisionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_cms_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["cms_items.id"], name=op.f("fk_cms_revisions_item_id_cms_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cms_revisions")),
        sa.UniqueConstraint("item_id", "number", name=op.f("uq_cms_revisions_item_id_number")),
    )
    op.create_table(
        "change_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("new", "amended", "withdrawn", name="changekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("hs_prefixes", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["cms_items.id"], name=op.f("fk_change_events_item_id_cms_items")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_change_events_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["cms_revisions.id"],
            name=op.f("fk_change_events_revision_id_cms_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_events")),
    )
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.create_index("ix_change_events_published_at", ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.drop_index("ix_change_events_published_at")

    op.drop_table("change_events")
    op.drop_table("cms_revisions")
    with op.batch_alter_table("cms_items", schema=None) as batch_op:
        batch_op.drop_index("ix_cms_items_draft_state")

    op.drop_table("cms_items")
