"""Attachments: the editors' library of uploaded forms and documents

Revision ID: 0867a549f21c
Revises: b3a74777a49b
Create Date: 2026-11-23 17:30:48.122097

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0867a549f21c'
down_revision: str | Sequence[str] | None = 'b3a74777a49b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=150), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("media_type IN ('application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')", name=op.f('ck_attachments_media_type_is_accepted')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_attachments_sha256_is_64_hex_digits')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_attachments_size_is_positive')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('sha256', name=op.f('uq_attachments_sha256'))
    )


def downgrade() -> None:
    op.drop_table('attachments')
