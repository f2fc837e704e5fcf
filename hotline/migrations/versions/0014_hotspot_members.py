"""hotspot_members and hotspot_terms: each ticket placed in a hotspot cluster at intake

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 15:00:00

Existing tickets are placed with `flask --app hotline rates hotspots --days 90` after the upgrade.
"""

from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hotspot_members',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('received_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('places', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_hotspot_members_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_hotspot_members'))
    )
    with op.batch_alter_table('hotspot_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotspot_members_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index('ix_hotspot_members_received_cluster', ['received_at', 'cluster_id'], unique=False)
        batch_op.create_index('ix_hotspot_members_district_received', ['district', 'received_at'], unique=False)

    op.create_table('hotspot_terms',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('received_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_hotspot_terms_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'term', name=op.f('pk_hotspot_terms'))
    )
    with op.batch_alter_table('hotspot_terms', schema=None) as batch_op:
        batch_op.create_index('ix_hotspot_terms_lookup', ['district', 'term', 'received_at'], unique=False)


def downgrade() -> None:
    op.drop_table('hotspot_terms')
    op.drop_table('hotspot_members')
