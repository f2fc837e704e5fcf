"""kb_imports: uploaded knowledge-base import files and their background job's progress

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 17:40:00
"""

from alembic import op
import sqlalchemy as sa

from hotline.db import UTCDateTime


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kb_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('fmt', sa.String(length=10), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('dry_run', sa.Boolean(), nullable=False),
        sa.Column('article_status', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('processed', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('rejected', sa.Integer(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('unknown_columns', sa.JSON(), nullable=False),
        sa.Column('failure', sa.String(length=500), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_name', sa.String(length=60), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('kb_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_imports_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kb_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_imports_state'))
        batch_op.drop_index(batch_op.f('ix_kb_imports_created_at'))
    op.drop_table('kb_imports')
