"""provider records: the sids of Twilio's Message and Call records of her, sealed, so DELETE, the
safe word and retention delete them at Twilio too (#26 item 5)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'provider_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('caller_key', sa.String(length=64), nullable=False),
        sa.Column('record', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_provider_records_caller_key', 'provider_records', ['caller_key'])


def downgrade() -> None:
    op.drop_index('ix_provider_records_caller_key', table_name='provider_records')
    op.drop_table('provider_records')
