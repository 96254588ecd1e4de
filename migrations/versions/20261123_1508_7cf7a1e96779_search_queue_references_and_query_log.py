"""Search queue, references and query log

Revision ID: 7cf7a1e96779
Revises: af07d6184961
Create Date: 2026-11-23 15:08:42.794277

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '7cf7a1e96779'
down_revision: str | Sequence[str] | None = 'af07d6184961'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_query_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=3), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('zero_results', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('followed', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_query_log')),
    sa.UniqueConstraint('query', name=op.f('uq_search_query_log_query'))
    )
    with op.batch_alter_table('search_query_log', schema=None) as batch_op:
        batch_op.create_index('ix_search_query_log_zero_results', ['zero_results'], unique=False)

    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('op', sa.Enum('upsert', 'delete', name='queueop', native_enum=False, length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue'))
    )
    op.create_table('search_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint("language IN ('en', 'fr')", name=op.f('ck_search_references_language_is_known')),
    sa.CheckConstraint('length(code) IN (2, 4, 6, 8, 10)', name=op.f('ck_search_references_code_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_references')),
    sa.UniqueConstraint('term', 'language', 'code', name=op.f('uq_search_references_term_language_code'))
    )
    with op.batch_alter_table('search_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_references_code'), ['code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('search_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_references_code'))

    op.drop_table('search_references')
    op.drop_table('search_queue')
    with op.batch_alter_table('search_query_log', schema=None) as batch_op:
        batch_op.drop_index('ix_search_query_log_zero_results')

    op.drop_table('search_query_log')
