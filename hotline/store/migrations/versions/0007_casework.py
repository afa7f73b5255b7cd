"""casework: Domestic Incident Reports and their forwarding, court orders, offline contacts (#18)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dirs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('content', sa.Text(), nullable=True),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finalised_by', sa.Integer(), sa.ForeignKey('staff.id'), nullable=True),
        sa.Column('reduced', sa.Boolean(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dirs_case_id', 'dirs', ['case_id'])
    op.create_table(
        'dir_forwardings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dir_id', sa.Integer(), sa.ForeignKey('dirs.id'), nullable=False),
        sa.Column('to', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('via', sa.String(length=20), nullable=False),
        sa.Column('sent_on', sa.String(length=10), nullable=False),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id'), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dir_forwardings_dir_id', 'dir_forwardings', ['dir_id'])
    op.create_table(
        'court_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('court', sa.String(length=200), nullable=False),
        sa.Column('applied_on', sa.String(length=10), nullable=True),
        sa.Column('decided_on', sa.String(length=10), nullable=True),
        sa.Column('expires_on', sa.String(length=10), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('followup_id', sa.Integer(), sa.ForeignKey('followups.id', ondelete='SET NULL'), nullable=True),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id'), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_court_orders_case_id', 'court_orders', ['case_id'])
    op.create_index('ix_court_orders_expires_on', 'court_orders', ['expires_on'])
    op.create_table(
        'offline_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id'), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_offline_contacts_case_id', 'offline_contacts', ['case_id'])


def downgrade() -> None:
    op.drop_table('offline_contacts')
    op.drop_table('court_orders')
    op.drop_table('dir_forwardings')
    op.drop_table('dirs')
