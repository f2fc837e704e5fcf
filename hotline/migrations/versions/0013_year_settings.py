"""year_settings: per-year overrides of time limits and rate weights, entered by admins

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 14:55:00
"""

from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('year_settings',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=60), nullable=False),
    sa.Column('updated_at', hotline.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', 'kind', name=op.f('pk_year_settings'))
    )


def downgrade() -> None:
    op.drop_table('year_settings')
