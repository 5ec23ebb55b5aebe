"""agency document settings: what the agency's documents must print (复议机关, 人民法院, 收款账户, address,
telephone, 印章文字); the party's address (住所（住址）) taken at registration

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

AGENCY_COLUMNS = (
    ('reconsideration_body', 200), ('litigation_court', 200), ('payment_bank', 200), ('payment_account_name', 200),
    ('payment_account_number', 64), ('address', 300), ('telephone', 64), ('seal_text', 200),
)


def upgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        for name, length in AGENCY_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_address', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.drop_column('party_address')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        for name, _length in reversed(AGENCY_COLUMNS):
            batch_op.drop_column(name)
