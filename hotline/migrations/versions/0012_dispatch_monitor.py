"""dispatch monitor: labelled outcomes of auto-dispatched tickets and the monitor's events

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:00:00
"""

from alembic import op
import sqlalchemy as sa

import hotline.db


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispatch_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=80), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('model_threshold', sa.Float(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('right_department', sa.String(length=40), nullable=True),
    sa.Column('decided_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_dispatch_outcomes_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_outcomes')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_dispatch_outcomes_ticket_id'))
    )
    with op.batch_alter_table('dispatch_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_outcomes_model_version'), ['model_version'], unique=False)

    op.create_table('dispatch_monitor_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('model_version', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('threshold_before', sa.Float(), nullable=False),
    sa.Column('threshold_after', sa.Float(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('outcomes', sa.Integer(), nullable=False),
    sa.Column('wrong', sa.Integer(), nullable=False),
    sa.Column('precision', sa.Float(), nullable=False),
    sa.Column('lower_bound', sa.Float(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_monitor_events'))
    )
    with op.batch_alter_table('dispatch_monitor_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_monitor_events_model_version'), ['model_version'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dispatch_monitor_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_monitor_events_model_version'))
    op.drop_table('dispatch_monitor_events')
    with op.batch_alter_table('dispatch_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_outcomes_model_version'))
    op.drop_table('dispatch_outcomes')
