"""hotspot_members.counted: a ticket that leaves the counts (invalid, merged, excluded) leaves its cluster's

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 15:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hotspot_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.execute("UPDATE hotspot_members SET counted = false WHERE ticket_id IN (SELECT id FROM tickets WHERE "
               "invalid OR excluded OR status = 'merged')")


def downgrade() -> None:
    with op.batch_alter_table('hotspot_members', schema=None) as batch_op:
        batch_op.drop_column('counted')
