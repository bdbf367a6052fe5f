"""register of interests

Reviewed by hand.

- declarations: one row per interest declared on a programme (programme CASCADE), by a person (user_id,
  SET NULL when the account goes: erasure deletes personal declarations and keeps those made for an
  organisation), optionally on behalf of an organisation (organisation_id, CASCADE), the kind checked
  against may-bid, role-elsewhere, financial, other, none; the organisation it names
  (interest_organisation_id, CASCADE; required for role-elsewhere by a check constraint); a description;
  declared_at, confirmed_at, and reminded_at (claimed by the yearly reminder with a conditional UPDATE).
  Indexed by programme, by person and programme, by organisation and by the organisation named.
- stage_transitions.declarations: nullable text, the signer's declarations as they stood at a sign-off.
- A notification kind, 'interests', joins the check constraints of notifications and
  notification_preferences (recreated with the full list, as 0014 does).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OLD_KINDS = ("kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', "
             "'documents', 'minutes', 'corrections', 'discussions', 'moderation')")
NEW_KINDS = ("kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', "
             "'documents', 'minutes', 'corrections', 'discussions', 'moderation', 'interests')")


def _kinds(check):
    for table in ('notifications', 'notification_preferences'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_kind'), check)


def upgrade():
    op.create_table(
        'declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('interest_organisation_id', sa.Integer(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('declared_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('may-bid', 'role-elsewhere', 'financial', 'other', 'none')",
                           name=op.f('ck_declarations_kind')),
        sa.CheckConstraint("kind != 'role-elsewhere' OR interest_organisation_id IS NOT NULL",
                           name=op.f('ck_declarations_role_names_organisation')),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_declarations_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_declarations_user_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_declarations_organisation_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['interest_organisation_id'], ['organisations.id'],
                                name=op.f('fk_declarations_interest_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    )
    op.create_index('ix_declarations_programme', 'declarations', ['programme_id', 'id'], unique=False)
    op.create_index('ix_declarations_user', 'declarations', ['user_id', 'programme_id'], unique=False)
    op.create_index('ix_declarations_organisation', 'declarations', ['organisation_id'], unique=False)
    op.create_index('ix_declarations_interest_organisation', 'declarations', ['interest_organisation_id'],
                    unique=False)
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declarations', sa.Text(), nullable=True))
    _kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'interests'")
    op.execute("DELETE FROM notification_preferences WHERE kind = 'interests'")
    _kinds(OLD_KINDS)
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.drop_column('declarations')
    op.drop_index('ix_declarations_interest_organisation', table_name='declarations')
    op.drop_index('ix_declarations_organisation', table_name='declarations')
    op.drop_index('ix_declarations_user', table_name='declarations')
    op.drop_index('ix_declarations_programme', table_name='declarations')
    op.drop_table('declarations')
