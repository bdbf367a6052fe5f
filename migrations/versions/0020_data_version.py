"""data version for kept pages

Reviewed by hand.

- data_version: one row (id 1) whose value every transaction that changes shown data replaces with a
  random one (psp.cache); kept pages are looked up under it. Starts at 0.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('data_version')
