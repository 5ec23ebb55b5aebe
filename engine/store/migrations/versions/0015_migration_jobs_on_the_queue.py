"""migration jobs move onto the job queue the scheduler works: a job is claimed with a lease (claimed_by,
claim_expires_at), like a bulk operation, instead of running in a thread of the web process

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:10:00
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('migration_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claim_expires_at', engine.store.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_migration_job_pending', ['status', 'claim_expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('migration_job', schema=None) as batch_op:
        batch_op.drop_index('ix_migration_job_pending')
        batch_op.drop_column('claim_expires_at')
        batch_op.drop_column('claimed_by')
