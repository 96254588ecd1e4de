"""regulations procedures and agencies

Revision ID: af07d6184961
Revises: ff0c19e555b2
Create Date: 2026-11-23 13:06:00.148370

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'af07d6184961'
down_revision: str | Sequence[str] | None = 'ff0c19e555b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('authority', 'enquiry_point', name='agencykind', native_enum=False, length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('slug', name=op.f('uq_agencies_slug'))
    )
    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_fr', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('direction', sa.Enum('import', 'export', 'transit', name='direction', native_enum=False, length=20), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('slug', name=op.f('uq_procedures_slug'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_country_iso3'), ['country_iso3'], unique=False)

    op.create_table('procedure_hs_links',
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_procedure_hs_links_prefix_length')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_hs_links_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_hs_links')),
    sa.UniqueConstraint('procedure_id', 'prefix', name=op.f('uq_procedure_hs_links_procedure_id_prefix'))
    )
    with op.batch_alter_table('procedure_hs_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_hs_links_prefix'), ['prefix'], unique=False)

    op.create_table('procedure_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=True),
    sa.Column('fee', sa.String(length=200), nullable=True),
    sa.Column('expected_time', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_procedure_steps_agency_id_agencies')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_steps_procedure_id_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_steps')),
    sa.UniqueConstraint('procedure_id', 'position', name=op.f('uq_procedure_steps_procedure_id_position'))
    )
    with op.batch_alter_table('procedure_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_steps_agency_id'), ['agency_id'], unique=False)

    op.create_table('regulations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_fr', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('kind', sa.Enum('licence_permit', 'prohibition', 'sps', 'tbt_standard', 'quota', 'certificate_document', 'other', name='regulationkind', native_enum=False), nullable=False),
    sa.Column('direction', sa.Enum('import', 'export', 'transit', name='direction', native_enum=False, length=20), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=True),
    sa.Column('legal_basis_url', sa.String(length=500), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('fees', sa.Text(), nullable=True),
    sa.Column('processing_time', sa.String(length=200), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('issued_by', sa.String(length=200), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('last_verified_by', sa.String(length=120), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_regulations_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulations')),
    sa.UniqueConstraint('slug', name=op.f('uq_regulations_slug'))
    )
    with op.batch_alter_table('regulations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regulations_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_regulations_country_iso3_direction', ['country_iso3', 'direction'], unique=False)
        batch_op.create_index('ix_regulations_title_en', ['title_en'], unique=False)

    op.create_table('procedure_regulations',
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('regulation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_procedure_regulations_procedure_id_procedures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['regulation_id'], ['regulations.id'], name=op.f('fk_procedure_regulations_regulation_id_regulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('procedure_id', 'regulation_id', name=op.f('pk_procedure_regulations'))
    )
    with op.batch_alter_table('procedure_regulations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_regulations_regulation_id'), ['regulation_id'], unique=False)

    op.create_table('regulation_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regulation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('form_number', sa.String(length=60), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('issuing_agency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issuing_agency_id'], ['agencies.id'], name=op.f('fk_regulation_documents_issuing_agency_id_agencies')),
    sa.ForeignKeyConstraint(['regulation_id'], ['regulations.id'], name=op.f('fk_regulation_documents_regulation_id_regulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulation_documents')),
    sa.UniqueConstraint('regulation_id', 'position', name=op.f('uq_regulation_documents_regulation_id_position'))
    )
    with op.batch_alter_table('regulation_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regulation_documents_issuing_agency_id'), ['issuing_agency_id'], unique=False)

    op.create_table('regulation_hs_links',
    sa.Column('regulation_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(prefix) IN (2, 4, 6, 8, 10)', name=op.f('ck_regulation_hs_links_prefix_length')),
    sa.ForeignKeyConstraint(['regulation_id'], ['regulations.id'], name=op.f('fk_regulation_hs_links_regulation_id_regulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulation_hs_links')),
    sa.UniqueConstraint('regulation_id', 'prefix', name=op.f('uq_regulation_hs_links_regulation_id_prefix'))
    )
    with op.batch_alter_table('regulation_hs_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regulation_hs_links_prefix'), ['prefix'], unique=False)

    op.create_table('regulation_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regulation_id', sa.Integer(), nullable=False),
    sa.Column('country_iso3', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['regulation_id'], ['regulations.id'], name=op.f('fk_regulation_partners_regulation_id_regulations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulation_partners')),
    sa.UniqueConstraint('regulation_id', 'country_iso3', name=op.f('uq_regulation_partners_regulation_id_country_iso3'))
    )


def downgrade() -> None:
    op.drop_table('regulation_partners')
    with op.batch_alter_table('regulation_hs_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regulation_hs_links_prefix'))

    op.drop_table('regulation_hs_links')
    with op.batch_alter_table('regulation_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regulation_documents_issuing_agency_id'))

    op.drop_table('regulation_documents')
    with op.batch_alter_table('procedure_regulations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_regulations_regulation_id'))

    op.drop_table('procedure_regulations')
    with op.batch_alter_table('regulations', schema=None) as batch_op:
        batch_op.drop_index('ix_regulations_title_en')
        batch_op.drop_index('ix_regulations_country_iso3_direction')
        batch_op.drop_index(batch_op.f('ix_regulations_agency_id'))

    op.drop_table('regulations')
    with op.batch_alter_table('procedure_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_steps_agency_id'))

    op.drop_table('procedure_steps')
    with op.batch_alter_table('procedure_hs_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_hs_links_prefix'))

    op.drop_table('procedure_hs_links')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_country_iso3'))

    op.drop_table('procedures')
    op.drop_table('agencies')
