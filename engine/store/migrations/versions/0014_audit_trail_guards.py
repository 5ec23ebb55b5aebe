"""an agency may name the agency above it (agency.parent_id, `zhifa agency create … --parent CODE`); the
full-process record cannot be wiped quietly on PostgreSQL: TRUNCATE of audit_record is refused like its
UPDATE and DELETE, and the chain's head (audit_chain) only moves forward — no rewind, no DELETE, no TRUNCATE — even
for the owner, who must first disable the trigger, a deliberate step (the application's role may not: see
engine/store/grants.py, applied after every upgrade)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agency_parent_id_agency'), 'agency', ['parent_id'], ['id'])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
        FOR EACH STATEMENT EXECUTE FUNCTION audit_record_append_only()""")
    op.execute("""
        CREATE FUNCTION audit_chain_forward_only() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND (
               (NEW.last_id IS NOT DISTINCT FROM OLD.last_id AND NEW.last_hash = OLD.last_hash)
               OR (OLD.last_id IS NULL AND NEW.last_id IS NOT NULL)
               OR NEW.last_id > OLD.last_id) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'audit_chain only moves forward (% refused)', TG_OP;
        END; $$ LANGUAGE plpgsql""")
    op.execute("""
        CREATE TRIGGER audit_chain_no_rewind BEFORE UPDATE OR DELETE ON audit_chain
        FOR EACH ROW EXECUTE FUNCTION audit_chain_forward_only()""")
    op.execute("""
        CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
        FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_forward_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_chain_no_truncate ON audit_chain")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_no_rewind ON audit_chain")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_forward_only()")
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_record")
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agency_parent_id_agency'), type_='foreignkey')
        batch_op.drop_column('parent_id')
