"""rate_days: the rate facts summed per local day and group, kept with the facts, for a year's rates

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 17:40:00

Filled here from the existing facts (one GROUP BY per grouping); `flask --app hotline rates rebuild`
recomputes it as well.
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COUNTS = ('received', 'citizens', 'resolved_on_call', 'dispatched', 'signed_on_time', 'returned', 'responded',
          'due', 'replied', 'replied_on_time', 'overdue', 'to_follow_up', 'followed_up', 'valid_follow_ups',
          'solved', 'partly_solved', 'satisfied', 'basically_satisfied', 'dissatisfied', 'reopened',
          'repeat_dissatisfied', 'urged', 'supervised', 'online_ratings', 'online_satisfied',
          'online_basically_satisfied', 'online_dissatisfied')
GROUPINGS = ('department', 'district', 'kind', 'channel')


def upgrade() -> None:
    op.create_table('rate_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('group_by', sa.String(length=10), nullable=False),
    sa.Column('group_key', sa.String(length=40), nullable=True),
    sa.Column('facts', sa.Integer(), server_default='0', nullable=False),
    *(sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in COUNTS),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_days'))
    )
    with op.batch_alter_table('rate_days', schema=None) as batch_op:
        batch_op.create_index('ix_rate_days_group_by_day', ['group_by', 'day'], unique=False)
    # Asia/Shanghai has kept UTC+8 without daylight saving since 1991; SQLite stores naive UTC text.
    day = ("(at AT TIME ZONE 'Asia/Shanghai')::date" if op.get_bind().dialect.name == 'postgresql'
           else "date(at, '+8 hours')")
    sums = ', '.join(f'coalesce(sum({c}), 0)' for c in COUNTS)
    for grouping in GROUPINGS:
        op.execute(f"INSERT INTO rate_days (day, group_by, group_key, facts, {', '.join(COUNTS)}) "
                   f"SELECT {day}, '{grouping}', {grouping}, count(*), {sums} FROM rate_facts "
                   f"GROUP BY {day}, {grouping}")


def downgrade() -> None:
    op.drop_table('rate_days')
