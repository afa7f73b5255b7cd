"""whatsapp: each person's channel and 24-hour window, messages held for a template's answer,
the outbox's channel (0008 added its template and variables; a WhatsApp template's name is
longer than a DLT id), relays' read receipts, staff channels (#14)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'contact_channels',
        sa.Column('caller_key', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('whatsapp_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('template_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('caller_key'),
    )
    op.create_table(
        'held_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('caller_key', sa.String(length=64), nullable=False),
        sa.Column('about', sa.String(length=64), nullable=True),
        sa.Column('contact', sa.Text(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('relay_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_held_messages_caller_key', 'held_messages', ['caller_key'])
    op.create_index('ix_held_messages_about', 'held_messages', ['about'])
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=10), nullable=True))
        batch.alter_column('template', existing_type=sa.String(length=40), type_=sa.String(length=60),
                           existing_nullable=True)
    with op.batch_alter_table('relays') as batch:
        batch.add_column(sa.Column('transport_id', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('receipt', sa.String(length=12), nullable=True))
        batch.create_index('ix_relays_transport_id', ['transport_id'])
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('channels', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('channels')
    with op.batch_alter_table('relays') as batch:
        batch.drop_index('ix_relays_transport_id')
        batch.drop_column('receipt')
        batch.drop_column('transport_id')
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('template', existing_type=sa.String(length=60), type_=sa.String(length=40),
                           existing_nullable=True)
        batch.drop_column('channel')
    op.drop_table('held_messages')
    op.drop_table('contact_channels')
