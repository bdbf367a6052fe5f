"""two-factor sign-in

Reviewed by hand. Two new tables, nothing changed in the old ones:

- second_factors: a person's authenticator app (kind 'totp'; one per person and kind, unique), its
  base32 secret (kept in the clear: protect the database and its backups accordingly), the last
  time-step accepted (a code is refused at or below it, so a code cannot be replayed), when set-up
  was confirmed (NULL while it is in progress) and last used. Deleted with the account (CASCADE).
- recovery_codes: ten per person, each the SHA-256 of a random code of 12 characters (about 59 bits), used_at once used.
  Indexed by person; deleted with the account (CASCADE).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'second_factors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_second_factors_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factors')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_second_factors_user_id')),
    )
    op.create_index(op.f('ix_second_factors_user_id'), 'second_factors', ['user_id'], unique=False)
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_second_factors_user_id'), table_name='second_factors')
    op.drop_table('second_factors')
