"""ticket text signatures and LSH bands for the duplicate check; caller and address indexes by recency

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_signatures',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('received_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('minhash', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_signatures_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_signatures'))
    )
    with op.batch_alter_table('ticket_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_signatures_received_at'), ['received_at'], unique=False)

    op.create_table('ticket_text_bands',
    sa.Column('band_key', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('received_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_text_bands_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band_key', 'ticket_id', name=op.f('pk_ticket_text_bands'))
    )
    with op.batch_alter_table('ticket_text_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_text_bands_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_caller_phone')
        batch_op.create_index('ix_tickets_caller_phone_received', ['caller_phone', 'received_at'], unique=False)
        batch_op.create_index('ix_tickets_address_received', ['address', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_address_received')
        batch_op.drop_index('ix_tickets_caller_phone_received')
        batch_op.create_index('ix_tickets_caller_phone', ['caller_phone'], unique=False)
    with op.batch_alter_table('ticket_text_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_text_bands_received_at'))
    op.drop_table('ticket_text_bands')
    with op.batch_alter_table('ticket_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_signatures_received_at'))
    op.drop_table('ticket_signatures')
