"""escalation risk: each escalation's risk level and the reasons for it (#17)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('risk_reasons', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('risk_reasons')
        batch_op.drop_column('risk')
