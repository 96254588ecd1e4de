"""tariffs schedules lines preferences taxes

Revision ID: 050604ba6176
Revises: 469eaa8623d8
Create Date: 2026-11-23 13:04:15.842793

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '050604ba6176'
down_revision: str | Sequence[str] | None = '469eaa8623d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('internal_taxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.Enum('vat', 'excise', 'other', name='taxkind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('rate_text', sa.String(length=300), nullable=False),
    sa.Column('rate_kind', sa.Enum('free', 'ad_valorem', 'specific', 'compound', 'mixed', 'seasonal', 'entry_price', 'unparsed', name='ratekind', native_enum=False, length=20), nullable=False),
    sa.Column('ad_valorem_pct', sa.Float(), nullable=True),
    sa.Column('rate_parts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_internal_taxes_validity_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internal_taxes')),
    sa.UniqueConstraint('country_iso3', 'name', 'valid_from', name=op.f('uq_internal_taxes_country_iso3_name_valid_from'))
    )
    with op.batch_alter_table('internal_taxes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internal_taxes_country_iso3'), ['country_iso3'], unique=False)

    op.create_table('tariff_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reporter', sa.String(length=20), nullable=False),
    sa.Column('nomenclature', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_tariff_schedules_validity_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_schedules')),
    sa.UniqueConstraint('code', name=op.f('uq_tariff_schedules_code'))
    )
    op.create_table('internal_tax_links',
    sa.Column('tax_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_internal_tax_links_prefix_length')),
    sa.ForeignKeyConstraint(['tax_id'], ['internal_taxes.id'], name=op.f('fk_internal_tax_links_tax_id_internal_taxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_internal_tax_links')),
    sa.UniqueConstraint('tax_id', 'prefix', name=op.f('uq_internal_tax_links_tax_id_prefix'))
    )
    with op.batch_alter_table('internal_tax_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_internal_tax_links_prefix'), ['prefix'], unique=False)

    op.create_table('preferential_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=40), nullable=False),
    sa.Column('agreement_name', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('rate_text', sa.String(length=300), nullable=False),
    sa.Column('rate_kind', sa.Enum('free', 'ad_valorem', 'specific', 'compound', 'mixed', 'seasonal', 'entry_price', 'unparsed', name='ratekind', native_enum=False, length=20), nullable=False),
    sa.Column('ad_valorem_pct', sa.Float(), nullable=True),
    sa.Column('rate_parts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_preferential_rates_validity_ordered')),
    sa.ForeignKeyConstraint(['schedule_id'], ['tariff_schedules.id'], name=op.f('fk_preferential_rates_schedule_id_tariff_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preferential_rates')),
    sa.UniqueConstraint('schedule_id', 'scheme_code', 'valid_from', name=op.f('uq_preferential_rates_schedule_id_scheme_code_valid_from'))
    )
    op.create_table('tariff_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('trade_remedy', sa.Boolean(), nullable=True),
    sa.Column('suspension', sa.Boolean(), nullable=True),
    sa.Column('quota', sa.Boolean(), nullable=True),
    sa.Column('eu_rate_retained', sa.Boolean(), nullable=True),
    sa.Column('change_note', sa.String(length=40), nullable=True),
    sa.Column('rate_text', sa.String(length=300), nullable=False),
    sa.Column('rate_kind', sa.Enum('free', 'ad_valorem', 'specific', 'compound', 'mixed', 'seasonal', 'entry_price', 'unparsed', name='ratekind', native_enum=False, length=20), nullable=False),
    sa.Column('ad_valorem_pct', sa.Float(), nullable=True),
    sa.Column('rate_parts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(code) IN (8, 10)', name=op.f('ck_tariff_lines_national_code_length')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_tariff_lines_validity_ordered')),
    sa.ForeignKeyConstraint(['schedule_id'], ['tariff_schedules.id'], name=op.f('fk_tariff_lines_schedule_id_tariff_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_lines')),
    sa.UniqueConstraint('schedule_id', 'code', name=op.f('uq_tariff_lines_schedule_id_code'))
    )
    op.create_table('tariff_schedule_markets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('market', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_tariff_schedule_markets_validity_ordered')),
    sa.ForeignKeyConstraint(['schedule_id'], ['tariff_schedules.id'], name=op.f('fk_tariff_schedule_markets_schedule_id_tariff_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_schedule_markets')),
    sa.UniqueConstraint('schedule_id', 'market', 'valid_from', name=op.f('uq_tariff_schedule_markets_schedule_id_market_valid_from'))
    )
    op.create_table('preference_origins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rate_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['rate_id'], ['preferential_rates.id'], name=op.f('fk_preference_origins_rate_id_preferential_rates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preference_origins')),
    sa.UniqueConstraint('rate_id', 'origin', name=op.f('uq_preference_origins_rate_id_origin'))
    )
    with op.batch_alter_table('preference_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preference_origins_origin'), ['origin'], unique=False)

    op.create_table('preferential_rate_links',
    sa.Column('rate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_preferential_rate_links_prefix_length')),
    sa.ForeignKeyConstraint(['rate_id'], ['preferential_rates.id'], name=op.f('fk_preferential_rate_links_rate_id_preferential_rates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preferential_rate_links')),
    sa.UniqueConstraint('rate_id', 'prefix', name=op.f('uq_preferential_rate_links_rate_id_prefix'))
    )
    with op.batch_alter_table('preferential_rate_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preferential_rate_links_prefix'), ['prefix'], unique=False)

    op.create_table('tariff_line_links',
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('nomenclature', sa.String(length=20), nullable=False),
    sa.Column('split', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_tariff_line_links_prefix_length')),
    sa.ForeignKeyConstraint(['line_id'], ['tariff_lines.id'], name=op.f('fk_tariff_line_links_line_id_tariff_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_line_links')),
    sa.UniqueConstraint('line_id', 'prefix', name=op.f('uq_tariff_line_links_line_id_prefix'))
    )
    with op.batch_alter_table('tariff_line_links', schema=None) as batch_op:
        batch_op.create_index('ix_tariff_line_links_nomenclature_prefix', ['nomenclature', 'prefix'], unique=False)
        batch_op.create_index(batch_op.f('ix_tariff_line_links_prefix'), ['prefix'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tariff_line_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariff_line_links_prefix'))
        batch_op.drop_index('ix_tariff_line_links_nomenclature_prefix')

    op.drop_table('tariff_line_links')
    with op.batch_alter_table('preferential_rate_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preferential_rate_links_prefix'))

    op.drop_table('preferential_rate_links')
    with op.batch_alter_table('preference_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preference_origins_origin'))

    op.drop_table('preference_origins')
    op.drop_table('tariff_schedule_markets')
    op.drop_table('tariff_lines')
    op.drop_table('preferential_rates')
    with op.batch_alter_table('internal_tax_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_internal_tax_links_prefix'))

    op.drop_table('internal_tax_links')
    op.drop_table('tariff_schedules')
    with op.batch_alter_table('internal_taxes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_internal_taxes_country_iso3'))

    op.drop_table('internal_taxes')
