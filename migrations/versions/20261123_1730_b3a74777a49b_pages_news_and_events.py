"""Pages, news and events

Revision ID: b3a74777a49b
Revises: 1cc99253c2f0
Create Date: 2026-11-23 17:30:12.987524

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b3a74777a49b'
down_revision: str | Sequence[str] | None = '1275c03f4312'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('page', 'news', 'event', name='pagekind', native_enum=False, length=20), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_fr', sa.String(length=300), nullable=True),
    sa.Column('summary_en', sa.String(length=500), nullable=True),
    sa.Column('summary_fr', sa.String(length=500), nullable=True),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.Column('body_fr', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('event_starts_on', sa.Date(), nullable=True),
    sa.Column('event_ends_on', sa.Date(), nullable=True),
    sa.Column('event_location', sa.String(length=300), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind != 'event' OR event_starts_on IS NOT NULL", name=op.f('ck_pages_events_have_a_start')),
    sa.CheckConstraint("kind = 'event' OR (event_starts_on IS NULL AND event_ends_on IS NULL AND event_location IS NULL)", name=op.f('ck_pages_event_fields_only_on_events')),
    sa.CheckConstraint('event_ends_on IS NULL OR event_ends_on >= event_starts_on', name=op.f('ck_pages_event_ends_after_start')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_pages_validity_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pages')),
    sa.UniqueConstraint('slug', name=op.f('uq_pages_slug'))
    )
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index('ix_pages_kind_event_starts_on', ['kind', 'event_starts_on'], unique=False)
        batch_op.create_index('ix_pages_kind_published_on', ['kind', 'published_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index('ix_pages_kind_published_on')
        batch_op.drop_index('ix_pages_kind_event_starts_on')

    op.drop_table('pages')
