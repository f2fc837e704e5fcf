"""districts: the city's districts in the database (admin-editable), seeded from the departments' districts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    districts = op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('code', name=op.f('uq_districts_code')),
    sa.UniqueConstraint('name', name=op.f('uq_districts_name'))
    )
    # A database that already has district governments keeps accepting their districts at intake.
    names = op.get_bind().execute(sa.text(
        "SELECT DISTINCT district FROM departments WHERE district IS NOT NULL ORDER BY district")).scalars().all()
    op.bulk_insert(districts, [{"code": f"district_{n}", "name": name, "active": True}
                               for n, name in enumerate(names, start=1)])


def downgrade() -> None:
    op.drop_table('districts')
