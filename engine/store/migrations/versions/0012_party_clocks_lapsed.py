"""a party's window that ran out is 'lapsed', not the agency's 'overdue': existing party-side clocks flagged
overdue are relabelled (the column is free text; no schema change)

Revision ID: 0012
Revises: 0010, 0011
Create Date: 2026-12-02 06:12:00
"""
from alembic import op


revision = '0012'
down_revision = ('0010', '0011')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE case_deadline SET status = 'lapsed' WHERE party_side = true AND status = 'overdue'")


def downgrade() -> None:
    op.execute("UPDATE case_deadline SET status = 'overdue' WHERE party_side = true AND status = 'lapsed'")
