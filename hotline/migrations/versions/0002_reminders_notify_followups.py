"""reminders, notifications, outbox, follow-up tasks

Revision ID: 0002_reminders
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0002_reminders'
down_revision = '0001'
branch_labels = None
depends_on = None

UTC = hotline.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('deadline_at', UTC, nullable=False),
    sa.Column('start_at', UTC, nullable=False),
    sa.Column('remind_at', UTC, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('sent_at', UTC, nullable=True),
    sa.Column('skipped_at', UTC, nullable=True),
    sa.Column('skip_reason', sa.String(length=30), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_reminders_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('ticket_id', 'deadline', 'deadline_at', 'kind', name='uq_reminders_key')
    )
    pending = sa.text('sent_at IS NULL AND skipped_at IS NULL')
    op.create_index('ix_reminders_pending_due', 'reminders', ['remind_at'], unique=False,
                    sqlite_where=pending, postgresql_where=pending)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('read_at', UTC, nullable=True),
    sa.Column('read_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_notifications_department_id_departments')),
    sa.ForeignKeyConstraint(['read_by_id'], ['users.id'], name=op.f('fk_notifications_read_by_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_notifications_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    op.create_index('ix_notifications_department_unread', 'notifications', ['department_id', 'read_at'], unique=False)
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_index(op.f('ix_notifications_ticket_id'), 'notifications', ['ticket_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=160), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('next_attempt_at', UTC, nullable=False),
    sa.Column('claimed_at', UTC, nullable=True),
    sa.Column('sent_at', UTC, nullable=True),
    sa.Column('provider_id', sa.String(length=120), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    unsent = sa.text("status IN ('pending', 'sending')")
    op.create_index('ix_outbox_unsent_next', 'outbox', ['next_attempt_at'], unique=False,
                    sqlite_where=unsent, postgresql_where=unsent)
    op.create_table('follow_up_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=15), nullable=False),
    sa.Column('sampled', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('due_at', UTC, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('attempt_times', sa.JSON(), nullable=False),
    sa.Column('next_attempt_at', UTC, nullable=True),
    sa.Column('closed_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_follow_up_tasks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_tasks')),
    sa.UniqueConstraint('ticket_id', 'cycle', name='uq_follow_up_tasks_cycle')
    )
    op.create_index('ix_follow_up_tasks_status_due', 'follow_up_tasks', ['status', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_table('follow_up_tasks')
    op.drop_index('ix_outbox_unsent_next', table_name='outbox')
    op.drop_table('outbox')
    op.drop_table('notifications')
    op.drop_index('ix_reminders_pending_due', table_name='reminders')
    op.drop_table('reminders')
