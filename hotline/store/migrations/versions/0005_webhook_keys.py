"""webhook keys: a webhook Twilio may post again is acted on once

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_keys',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('webhook_keys', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_keys_at', ['at'])


def downgrade() -> None:
    op.drop_table('webhook_keys')
