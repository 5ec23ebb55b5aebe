"""dashboard at scale: partial indexes for overdue clocks and unclaimed tasks, oldest first; open cases by stage;
joins the designer (0007) and admin console (0008) branches

Revision ID: 0009
Revises: 0007, 0008
Create Date: 2026-11-21 11:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = ('0007', '0008')
branch_labels = None
depends_on = None

UNCLAIMED_TASK = "status = 'open' AND assignee_id IS NULL"
OPEN_CLOCK = "status IN ('running', 'overdue')"


def upgrade() -> None:
    op.create_index('ix_human_task_unclaimed', 'human_task', ['created_at', 'id'],
                    postgresql_where=sa.text(UNCLAIMED_TASK), sqlite_where=sa.text(UNCLAIMED_TASK))
    op.create_index('ix_case_deadline_open_due', 'case_deadline', ['due_at', 'id'],
                    postgresql_where=sa.text(OPEN_CLOCK), sqlite_where=sa.text(OPEN_CLOCK))
    op.create_index('ix_enforcement_case_stage', 'enforcement_case', ['status', 'agency_id', 'stage'])


def downgrade() -> None:
    op.drop_index('ix_enforcement_case_stage', table_name='enforcement_case')
    op.drop_index('ix_case_deadline_open_due', table_name='case_deadline')
    op.drop_index('ix_human_task_unclaimed', table_name='human_task')
