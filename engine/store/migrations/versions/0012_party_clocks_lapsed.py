"""a party's window that ran out is 'lapsed', not the agency's 'overdue': existing party-side clocks flagged
overdue are relabelled; a task keeps the unit of the clock it is due by (a working-day clock counts down in
working days)

Revision ID: 0012
Revises: 0010, 0011
Create Date: 2026-12-02 06:12:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = ('0010', '0011')
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_unit', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('due_party_side', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE case_deadline SET status = 'lapsed' WHERE party_side = true AND status = 'overdue'")


def downgrade() -> None:
    op.execute("UPDATE case_deadline SET status = 'overdue' WHERE party_side = true AND status = 'lapsed'")
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('due_party_side')
        batch_op.drop_column('due_unit')
