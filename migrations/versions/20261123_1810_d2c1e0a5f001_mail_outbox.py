"""Mail outbox: outbound emails and suppressed addresses

Revision ID: d2c1e0a5f001
Revises: 0867a549f21c
Create Date: 2026-11-23 18:06:14.810392

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'd2c1e0a5f001'
down_revision: str | Sequence[str] | None = '0867a549f21c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mail_suppressions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('hard_bounces', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('last_bounce_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('suppressed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('address = lower(address)', name=op.f('ck_mail_suppressions_address_is_lower_case')),
    sa.CheckConstraint('hard_bounces >= 0', name=op.f('ck_mail_suppressions_hard_bounces_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_suppressions')),
    sa.UniqueConstraint('address', name=op.f('uq_mail_suppressions_address'))
    )
    op.create_table('outbound_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'suppressed', name='mailstatus', native_enum=False, length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbound_emails_attempts_not_negative')),
    sa.CheckConstraint('to_address = lower(to_address)', name=op.f('ck_outbound_emails_to_address_is_lower_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_emails')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_emails_dedupe_key')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbound_emails_message_id'))
    )
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_emails_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_emails_to_address'), ['to_address'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_emails_to_address'))
        batch_op.drop_index('ix_outbound_emails_status_next_attempt_at')

    op.drop_table('outbound_emails')
    op.drop_table('mail_suppressions')
