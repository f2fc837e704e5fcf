"""dispatch monitor: a supervisor or admin resumes a paused model version (who, why, where the window restarts)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 17:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dispatch_monitor_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('window_after', sa.Integer(), nullable=True))
        batch_op.alter_column('precision', existing_type=sa.Float(), nullable=True)
        batch_op.alter_column('lower_bound', existing_type=sa.Float(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_dispatch_monitor_events_actor_id_users'), 'users',
                                    ['actor_id'], ['id'])


def downgrade() -> None:
    op.execute("DELETE FROM dispatch_monitor_events WHERE action = 'resume'")
    with op.batch_alter_table('dispatch_monitor_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dispatch_monitor_events_actor_id_users'), type_='foreignkey')
        batch_op.alter_column('lower_bound', existing_type=sa.Float(), nullable=False)
        batch_op.alter_column('precision', existing_type=sa.Float(), nullable=False)
        batch_op.drop_column('window_after')
        batch_op.drop_column('reason')
        batch_op.drop_column('actor_name')
        batch_op.drop_column('actor_id')
