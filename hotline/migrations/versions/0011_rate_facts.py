"""rate_facts: one row per countable fact of a ticket, kept by every move, for SQL rates

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:40:00

Existing tickets get their facts with `flask --app hotline rates rebuild` after the upgrade.
"""

from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.String(length=20), nullable=False),
    sa.Column('at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=True),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('received', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('citizens', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('resolved_on_call', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('dispatched', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('signed_on_time', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('returned', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('responded', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('due', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('replied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('replied_on_time', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('overdue', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('to_follow_up', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('followed_up', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('valid_follow_ups', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('solved', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('partly_solved', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('satisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('basically_satisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('dissatisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('reopened', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('repeat_dissatisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('urged', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('supervised', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('online_ratings', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('online_satisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('online_basically_satisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('online_dissatisfied', sa.SmallInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_rate_facts_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_facts'))
    )
    with op.batch_alter_table('rate_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_facts_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_facts_at'), ['at'], unique=False)
        batch_op.create_index('ix_rate_facts_department_at', ['department', 'at'], unique=False)
        batch_op.create_index('ix_rate_facts_district_at', ['district', 'at'], unique=False)


def downgrade() -> None:
    op.drop_table('rate_facts')
