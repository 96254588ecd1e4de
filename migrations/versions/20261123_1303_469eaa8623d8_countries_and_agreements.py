"""countries and agreements

Revision ID: 469eaa8623d8
Revises: 1dc0f861ae52
Create Date: 2026-11-23 13:03:04.117287

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '469eaa8623d8'
down_revision: str | Sequence[str] | None = '1dc0f861ae52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('countries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('iso2', sa.String(length=2), nullable=False),
    sa.Column('numeric', sa.String(length=3), nullable=False),
    sa.Column('m49', sa.String(length=3), nullable=True),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('short_name_en', sa.String(length=200), nullable=True),
    sa.Column('formal_name_en', sa.String(length=300), nullable=True),
    sa.Column('cldr_name', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=60), nullable=True),
    sa.Column('subregion', sa.String(length=60), nullable=True),
    sa.Column('currency_code', sa.String(length=20), nullable=True),
    sa.Column('currency_name', sa.String(length=120), nullable=True),
    sa.Column('capital', sa.String(length=100), nullable=True),
    sa.Column('sovereignty', sa.String(length=40), nullable=True),
    sa.Column('is_sids', sa.Boolean(), nullable=False),
    sa.Column('is_ldc', sa.Boolean(), nullable=False),
    sa.Column('is_lldc', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(iso2) = 2', name=op.f('ck_countries_iso2_has_two_letters')),
    sa.CheckConstraint('length(iso3) = 3', name=op.f('ck_countries_iso3_has_three_letters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_countries')),
    sa.UniqueConstraint('iso2', name=op.f('uq_countries_iso2')),
    sa.UniqueConstraint('iso3', name=op.f('uq_countries_iso3'))
    )
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_countries_region'), ['region'], unique=False)

    op.create_table('country_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=20), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_country_group_members')),
    sa.UniqueConstraint('group_code', 'country_iso3', 'valid_from', name=op.f('uq_country_group_members_group_code_country_iso3_valid_from'))
    )
    with op.batch_alter_table('country_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_country_group_members_country_iso3'), ['country_iso3'], unique=False)
        batch_op.create_index('ix_country_group_members_group_code_valid_from', ['group_code', 'valid_from'], unique=False)

    op.create_table('country_profile_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.Enum('economy', 'trade_facts', 'market_access', 'contacts', name='profilekind', native_enum=False, length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint("language IN ('en', 'fr')", name=op.f('ck_country_profile_sections_language_is_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_country_profile_sections')),
    sa.UniqueConstraint('country_iso3', 'kind', 'language', name=op.f('uq_country_profile_sections_country_iso3_kind_language'))
    )
    op.create_table('eu_access_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('cn_codes', sa.Integer(), nullable=False),
    sa.Column('duty_free_codes', sa.Integer(), nullable=False),
    sa.Column('duty_free_share', sa.Float(), nullable=False),
    sa.Column('average_ad_valorem', sa.Float(), nullable=False),
    sa.Column('arrangements', sa.Text(), nullable=True),
    sa.Column('codes_with_anti_dumping', sa.Integer(), nullable=False),
    sa.Column('codes_with_additional_duty', sa.Integer(), nullable=False),
    sa.Column('licence', sa.String(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eu_access_profiles')),
    sa.UniqueConstraint('country_iso3', name=op.f('uq_eu_access_profiles_country_iso3'))
    )
    op.create_table('preference_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('market_iso3', sa.String(length=3), nullable=False),
    sa.Column('is_unilateral', sa.Boolean(), nullable=False),
    sa.Column('proofs', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('ord_title', sa.Text(), nullable=True),
    sa.Column('ord_version', sa.String(length=20), nullable=True),
    sa.Column('ord_date', sa.String(length=40), nullable=True),
    sa.Column('footnote', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preference_schemes')),
    sa.UniqueConstraint('code', name=op.f('uq_preference_schemes_code'))
    )
    op.create_table('trade_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agreement_type', sa.String(length=20), nullable=True),
    sa.Column('coverage', sa.String(length=30), nullable=True),
    sa.Column('status', sa.String(length=60), nullable=False),
    sa.Column('notification', sa.String(length=80), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('entry_into_force_goods_on', sa.Date(), nullable=True),
    sa.Column('entry_into_force_services_on', sa.Date(), nullable=True),
    sa.Column('inactive_on', sa.Date(), nullable=True),
    sa.Column('composition', sa.String(length=60), nullable=True),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('is_accession', sa.Boolean(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_agreements')),
    sa.UniqueConstraint('name', 'valid_from', name=op.f('uq_trade_agreements_name_valid_from'))
    )
    with op.batch_alter_table('trade_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trade_agreements_agreement_type'), ['agreement_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_trade_agreements_status'), ['status'], unique=False)

    op.create_table('agreement_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('wto_name', sa.String(length=120), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=True),
    sa.Column('group_code', sa.String(length=20), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.CheckConstraint('country_iso3 IS NULL OR group_code IS NULL', name=op.f('ck_agreement_parties_country_or_group_not_both')),
    sa.ForeignKeyConstraint(['agreement_id'], ['trade_agreements.id'], name=op.f('fk_agreement_parties_agreement_id_trade_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_parties')),
    sa.UniqueConstraint('agreement_id', 'wto_name', name=op.f('uq_agreement_parties_agreement_id_wto_name'))
    )
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_parties_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_parties_country_iso3'), ['country_iso3'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_parties_group_code'), ['group_code'], unique=False)

    op.create_table('origin_rule_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=40), nullable=False),
    sa.Column('chapter', sa.Integer(), nullable=False),
    sa.Column('code_min', sa.String(length=10), nullable=False),
    sa.Column('code_max', sa.String(length=10), nullable=False),
    sa.Column('subdivision', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('code_min <= code_max', name=op.f('ck_origin_rule_sets_range_is_ordered')),
    sa.ForeignKeyConstraint(['scheme_id'], ['preference_schemes.id'], name=op.f('fk_origin_rule_sets_scheme_id_preference_schemes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_origin_rule_sets')),
    sa.UniqueConstraint('scheme_id', 'position', name=op.f('uq_origin_rule_sets_scheme_id_position'))
    )
    with op.batch_alter_table('origin_rule_sets', schema=None) as batch_op:
        batch_op.create_index('ix_origin_rule_sets_code_max', ['code_max'], unique=False)
        batch_op.create_index('ix_origin_rule_sets_code_min', ['code_min'], unique=False)

    op.create_table('scheme_countries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('source_code', sa.String(length=10), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=True),
    sa.Column('group_code', sa.String(length=20), nullable=True),
    sa.CheckConstraint('country_iso3 IS NULL OR group_code IS NULL', name=op.f('ck_scheme_countries_country_or_group_not_both')),
    sa.ForeignKeyConstraint(['scheme_id'], ['preference_schemes.id'], name=op.f('fk_scheme_countries_scheme_id_preference_schemes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_countries')),
    sa.UniqueConstraint('scheme_id', 'source_code', name=op.f('uq_scheme_countries_scheme_id_source_code'))
    )
    with op.batch_alter_table('scheme_countries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheme_countries_country_iso3'), ['country_iso3'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheme_countries_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('origin_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_set_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rule_class', sa.String(length=200), nullable=True),
    sa.Column('operator', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['rule_set_id'], ['origin_rule_sets.id'], name=op.f('fk_origin_rules_rule_set_id_origin_rule_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_origin_rules')),
    sa.UniqueConstraint('rule_set_id', 'position', name=op.f('uq_origin_rules_rule_set_id_position'))
    )
    with op.batch_alter_table('origin_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_origin_rules_rule_set_id'), ['rule_set_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('origin_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_origin_rules_rule_set_id'))

    op.drop_table('origin_rules')
    with op.batch_alter_table('scheme_countries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheme_countries_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_scheme_countries_country_iso3'))

    op.drop_table('scheme_countries')
    with op.batch_alter_table('origin_rule_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_origin_rule_sets_code_min')
        batch_op.drop_index('ix_origin_rule_sets_code_max')

    op.drop_table('origin_rule_sets')
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_parties_group_code'))
        batch_op.drop_index(batch_op.f('ix_agreement_parties_country_iso3'))
        batch_op.drop_index(batch_op.f('ix_agreement_parties_agreement_id'))

    op.drop_table('agreement_parties')
    with op.batch_alter_table('trade_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trade_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_trade_agreements_agreement_type'))

    op.drop_table('trade_agreements')
    op.drop_table('preference_schemes')
    op.drop_table('eu_access_profiles')
    op.drop_table('country_profile_sections')
    with op.batch_alter_table('country_group_members', schema=None) as batch_op:
        batch_op.drop_index('ix_country_group_members_group_code_valid_from')
        batch_op.drop_index(batch_op.f('ix_country_group_members_country_iso3'))

    op.drop_table('country_group_members')
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_countries_region'))

    op.drop_table('countries')
