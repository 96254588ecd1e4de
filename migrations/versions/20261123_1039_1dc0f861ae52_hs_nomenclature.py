"""hs nomenclature

Revision ID: 1dc0f861ae52
Revises: 
Create Date: 2026-11-23 10:39:05.326959

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '1dc0f861ae52'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_loads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset', sa.String(length=40), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('rows_changed', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_loads')),
    sa.UniqueConstraint('dataset', name=op.f('uq_data_loads_dataset'))
    )
    op.create_table('nomenclatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('hs', 'national', name='nomenclaturekind', native_enum=False, length=20), nullable=False),
    sa.Column('base_id', sa.Integer(), nullable=True),
    sa.Column('country_iso3', sa.String(length=3), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("(kind = 'hs' AND base_id IS NULL AND country_iso3 IS NULL) OR (kind = 'national' AND base_id IS NOT NULL AND country_iso3 IS NOT NULL)", name=op.f('ck_nomenclatures_national_has_base_and_country')),
    sa.ForeignKeyConstraint(['base_id'], ['nomenclatures.id'], name=op.f('fk_nomenclatures_base_id_nomenclatures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomenclatures')),
    sa.UniqueConstraint('code', name=op.f('uq_nomenclatures_code'))
    )
    op.create_table('hs_correspondences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_nomenclature_id', sa.Integer(), nullable=False),
    sa.Column('old_code', sa.String(length=10), nullable=False),
    sa.Column('new_nomenclature_id', sa.Integer(), nullable=False),
    sa.Column('new_code', sa.String(length=10), nullable=False),
    sa.Column('relationship', sa.String(length=3), nullable=False),
    sa.CheckConstraint("relationship IN ('1:1', '1:n', 'n:1', 'n:n')", name=op.f('ck_hs_correspondences_relationship_known')),
    sa.ForeignKeyConstraint(['new_nomenclature_id'], ['nomenclatures.id'], name=op.f('fk_hs_correspondences_new_nomenclature_id_nomenclatures')),
    sa.ForeignKeyConstraint(['old_nomenclature_id'], ['nomenclatures.id'], name=op.f('fk_hs_correspondences_old_nomenclature_id_nomenclatures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hs_correspondences')),
    sa.UniqueConstraint('old_nomenclature_id', 'old_code', 'new_nomenclature_id', 'new_code', name=op.f('uq_hs_correspondences_old_nomenclature_id_old_code_new_nomenclature_id_new_code'))
    )
    with op.batch_alter_table('hs_correspondences', schema=None) as batch_op:
        batch_op.create_index('ix_hs_correspondences_new', ['new_nomenclature_id', 'new_code'], unique=False)

    op.create_table('hs_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nomenclature_id', sa.Integer(), nullable=False),
    sa.Column('numeral', sa.String(length=5), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('title_fr', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['nomenclature_id'], ['nomenclatures.id'], name=op.f('fk_hs_sections_nomenclature_id_nomenclatures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hs_sections')),
    sa.UniqueConstraint('nomenclature_id', 'numeral', name=op.f('uq_hs_sections_nomenclature_id_numeral'))
    )
    op.create_table('hs_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nomenclature_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('length(code) = level', name=op.f('ck_hs_nodes_code_length_matches_level')),
    sa.CheckConstraint('level IN (2, 4, 6, 8, 10)', name=op.f('ck_hs_nodes_level_is_known')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_hs_nodes_validity_ordered')),
    sa.ForeignKeyConstraint(['nomenclature_id'], ['nomenclatures.id'], name=op.f('fk_hs_nodes_nomenclature_id_nomenclatures')),
    sa.ForeignKeyConstraint(['parent_id'], ['hs_nodes.id'], name=op.f('fk_hs_nodes_parent_id_hs_nodes')),
    sa.ForeignKeyConstraint(['section_id'], ['hs_sections.id'], name=op.f('fk_hs_nodes_section_id_hs_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hs_nodes')),
    sa.UniqueConstraint('nomenclature_id', 'code', name=op.f('uq_hs_nodes_nomenclature_id_code'))
    )
    with op.batch_alter_table('hs_nodes', schema=None) as batch_op:
        batch_op.create_index('ix_hs_nodes_code', ['code'], unique=False)
        batch_op.create_index('ix_hs_nodes_parent_id', ['parent_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hs_nodes', schema=None) as batch_op:
        batch_op.drop_index('ix_hs_nodes_parent_id')
        batch_op.drop_index('ix_hs_nodes_code')

    op.drop_table('hs_nodes')
    op.drop_table('hs_sections')
    with op.batch_alter_table('hs_correspondences', schema=None) as batch_op:
        batch_op.drop_index('ix_hs_correspondences_new')

    op.drop_table('hs_correspondences')
    op.drop_table('nomenclatures')
    op.drop_table('data_loads')
