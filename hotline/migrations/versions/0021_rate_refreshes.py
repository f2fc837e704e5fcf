"""rate_refreshes: rate facts judged again in the background after time limits or official days change

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 21:00:00
"""

from alembic import op
import sqlalchemy as sa

from hotline.db import UTCDateTime


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_refreshes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=120), nullable=False),
        sa.Column('start_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('end_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('next_day', sa.Date(), nullable=False),
        sa.Column('after_ticket_id', sa.Integer(), nullable=False),
        sa.Column('refreshed', sa.Integer(), nullable=False),
        sa.Column('requested_by', sa.String(length=60), nullable=True),
        sa.Column('requested_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_refreshes')),
    )
    with op.batch_alter_table('rate_refreshes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_refreshes_finished_at'), ['finished_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_refreshes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_refreshes_finished_at'))
    op.drop_table('rate_refreshes')
