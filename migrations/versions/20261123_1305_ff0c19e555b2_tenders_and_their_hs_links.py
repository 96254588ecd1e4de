"""tenders and their HS links

Revision ID: ff0c19e555b2
Revises: 050604ba6176
Create Date: 2026-11-23 13:05:21.929080

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'ff0c19e555b2'
down_revision: str | Sequence[str] | None = '050604ba6176'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tenders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ocid', sa.String(length=200), nullable=False),
    sa.Column('release_id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('buyer_name', sa.String(length=300), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_is_derived', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('planning', 'planned', 'active', 'cancelled', 'unsuccessful', 'complete', 'withdrawn', name='tenderstatus', native_enum=False, length=20), nullable=True),
    sa.Column('procurement_method', sa.String(length=40), nullable=True),
    sa.Column('main_category', sa.String(length=40), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True),
    sa.Column('value_currency', sa.String(length=3), nullable=True),
    sa.Column('value_basis', sa.String(length=20), nullable=True),
    sa.Column('tender_period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tender_period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.Column('classifications', sa.JSON(), nullable=False),
    sa.Column('unlinked_reason', sa.String(length=200), nullable=True),
    sa.Column('licence_note', sa.String(length=300), nullable=False),
    sa.Column('sample_files', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint("language IN ('en', 'fr')", name=op.f('ck_tenders_language_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenders')),
    sa.UniqueConstraint('ocid', 'release_id', name=op.f('uq_tenders_ocid_release_id'))
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenders_country_iso3'), ['country_iso3'], unique=False)

    op.create_table('tender_hs_links',
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('cpv_code', sa.String(length=12), nullable=False),
    sa.Column('cpv_prefix', sa.String(length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_tender_hs_links_prefix_length')),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_tender_hs_links_tender_id_tenders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_hs_links')),
    sa.UniqueConstraint('tender_id', 'prefix', name=op.f('uq_tender_hs_links_tender_id_prefix'))
    )
    with op.batch_alter_table('tender_hs_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_hs_links_prefix'), ['prefix'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_hs_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_hs_links_prefix'))

    op.drop_table('tender_hs_links')
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenders_country_iso3'))

    op.drop_table('tenders')
