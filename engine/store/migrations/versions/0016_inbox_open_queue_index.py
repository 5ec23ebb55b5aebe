"""inbox at scale: a role's open, unclaimed queue indexed in the inbox's order (deadline, then oldest, then id),
with the party-side flag, so a page and the capped counts walk a queue of 100,000 tasks only as far as needed

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

UNCLAIMED_TASK = "status = 'open' AND assignee_id IS NULL"


def upgrade() -> None:
    op.create_index('ix_human_task_open_queue', 'human_task',
                    ['agency_id', 'candidate_role', 'due_at', 'created_at', 'id'],
                    postgresql_include=['due_party_side'], postgresql_where=sa.text(UNCLAIMED_TASK),
                    sqlite_where=sa.text(UNCLAIMED_TASK))


def downgrade() -> None:
    op.drop_index('ix_human_task_open_queue', table_name='human_task')
