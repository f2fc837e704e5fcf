"""tickets: a partial index on merged_into_id (hotspot sizes and a dispatch's reports look up merged tickets)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 19:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_merged_into', ['merged_into_id'], unique=False,
                              postgresql_where=sa.text('merged_into_id IS NOT NULL'),
                              sqlite_where=sa.text('merged_into_id IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_merged_into')
