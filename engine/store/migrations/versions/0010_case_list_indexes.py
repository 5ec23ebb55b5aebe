"""case list (案件台账): the case's legal basis as a column, filled from the record; indexes for the newest cases
per agency and across agencies, and for the cases of an officer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:00:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('enforcement_case', sa.Column('legal_basis', sa.Text(), nullable=True))
    _fill_legal_basis()
    op.create_index('ix_enforcement_case_agency_created', 'enforcement_case', ['agency_id', 'created_at'])
    op.create_index('ix_enforcement_case_created', 'enforcement_case', ['created_at'])
    op.create_index('ix_human_task_officer_assignee', 'human_task', ['assignee_id', 'case_id'])
    op.create_index('ix_human_task_officer_completed', 'human_task', ['completed_by_id', 'case_id'])
    op.create_index('ix_case_duty_user', 'case_duty', ['user_id', 'case_id'])


def _fill_legal_basis() -> None:
    """Each case takes the legal basis of its latest completed task that named one (as the product does now)."""
    connection = op.get_bind()
    latest: dict[int, str] = {}
    for case_id, data in connection.execute(sa.text(
            "SELECT case_id, data FROM audit_record WHERE action = 'task_completed' AND case_id IS NOT NULL "
            "AND data LIKE '%legal_basis%' ORDER BY id")):
        try:
            basis = (json.loads(data) or {}).get('legal_basis') if data else None
        except (TypeError, ValueError):
            continue
        if isinstance(basis, str) and basis.strip():
            latest[case_id] = basis
    update = sa.text("UPDATE enforcement_case SET legal_basis = :basis WHERE id = :id")
    for case_id, basis in latest.items():
        connection.execute(update, {"basis": basis, "id": case_id})


def downgrade() -> None:
    op.drop_index('ix_case_duty_user', table_name='case_duty')
    op.drop_index('ix_human_task_officer_completed', table_name='human_task')
    op.drop_index('ix_human_task_officer_assignee', table_name='human_task')
    op.drop_index('ix_enforcement_case_created', table_name='enforcement_case')
    op.drop_index('ix_enforcement_case_agency_created', table_name='enforcement_case')
    with op.batch_alter_table('enforcement_case') as batch:
        batch.drop_column('legal_basis')
