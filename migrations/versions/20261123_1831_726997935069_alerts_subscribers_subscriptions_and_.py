"""Alerts: subscribers, subscriptions, fan-out cursor, event terms and deliveries

Revision ID: 726997935069
Revises: d2c1e0a5f001
Create Date: 2026-11-23 18:31:06.178339

A migration must work with the code of the previous release too: deploys migrate first,
then restart the processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '726997935069'
down_revision: str | Sequence[str] | None = 'd2c1e0a5f001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.Enum('en', 'fr', name='language', native_enum=False), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manage_token', sa.String(length=64), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_subscribers_email_is_lower_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
    sa.UniqueConstraint('email', name=op.f('uq_subscribers_email'))
    )
    op.create_table('alert_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('hs', 'country', 'content_type', name='subscriptionkind', native_enum=False, length=20), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('market', sa.String(length=3), nullable=False),
    sa.Column('on_new', sa.Boolean(), nullable=False),
    sa.Column('on_amended', sa.Boolean(), nullable=False),
    sa.Column('on_withdrawn', sa.Boolean(), nullable=False),
    sa.Column('on_upcoming', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.Enum('immediate', 'daily', 'weekly', name='frequency', native_enum=False, length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_alert_subscriptions_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions')),
    sa.UniqueConstraint('subscriber_id', 'kind', 'value', 'market', name=op.f('uq_alert_subscriptions_subscriber_id_kind_value_market'))
    )
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_alert_subscriptions_kind_value', ['kind', 'value'], unique=False)

    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('change', 'reminder', name='deliveryreason', native_enum=False, length=10), nullable=False),
    sa.Column('frequency', sa.Enum('immediate', 'daily', 'weekly', name='frequency', native_enum=False, length=10), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=True),
    sa.Column('matched', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'queued', 'not_sent', name='deliverystatus', native_enum=False, length=10), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['change_events.id'], name=op.f('fk_alert_deliveries_event_id_change_events')),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_alert_deliveries_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
    sa.UniqueConstraint('event_id', 'subscriber_id', 'reason', name=op.f('uq_alert_deliveries_event_id_subscriber_id_reason'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_alert_deliveries_status_frequency_period', ['status', 'frequency', 'period', 'subscriber_id'], unique=False)

    op.create_table('alert_event_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('hs', 'country', 'content_type', name='subscriptionkind', native_enum=False, length=20), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['change_events.id'], name=op.f('fk_alert_event_terms_event_id_change_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_event_terms')),
    sa.UniqueConstraint('event_id', 'kind', 'value', name=op.f('uq_alert_event_terms_event_id_kind_value'))
    )
    with op.batch_alter_table('alert_event_terms', schema=None) as batch_op:
        batch_op.create_index('ix_alert_event_terms_kind_value', ['kind', 'value'], unique=False)

    op.create_table('alert_fanouts',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('fanned_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subscribers', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['change_events.id'], name=op.f('fk_alert_fanouts_event_id_change_events')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_alert_fanouts'))
    )


def downgrade() -> None:
    op.drop_table('alert_fanouts')
    with op.batch_alter_table('alert_event_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_event_terms_kind_value')

    op.drop_table('alert_event_terms')
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_deliveries_status_frequency_period')

    op.drop_table('alert_deliveries')
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_subscriptions_kind_value')

    op.drop_table('alert_subscriptions')
    op.drop_table('subscribers')
