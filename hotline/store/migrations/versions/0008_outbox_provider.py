"""outbox: the provider each send would have used, and a DLT SMS's template and variables (#15)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('template', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('variables', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('variables')
        batch_op.drop_column('template')
        batch_op.drop_column('provider')
