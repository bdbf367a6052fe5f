"""actions belong to their cycle

Reviewed by hand. An action used to hang on the stage it was added to, so the actions
designed at Plan stayed behind when Do opened. Each action now belongs to its cycle
(cycle_id, filled from its stage) and records the stage it was planned in (stage_id
renamed planned_in_id, so existing links from views to actions are untouched); owners
may write what came of it (result). On SQLite the batch rebuilds the table: env.py turns
foreign keys off for the migration so dropping the old table cannot cascade to
contribution_actions, and checks them afterwards.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=False, server_default=''))
    op.execute("UPDATE actions SET cycle_id = "
               "(SELECT stages.cycle_id FROM stages WHERE stages.id = actions.stage_id)")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_stage_status')
        batch_op.drop_index('ix_actions_stage_due')
        batch_op.drop_constraint('fk_actions_stage_id_stages', type_='foreignkey')
        batch_op.alter_column('stage_id', new_column_name='planned_in_id',
                              existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column('cycle_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_actions_planned_in_id_stages'), 'stages',
                                    ['planned_in_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(op.f('fk_actions_cycle_id_cycles'), 'cycles',
                                    ['cycle_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_actions_cycle_status', ['cycle_id', 'status'], unique=False)
        batch_op.create_index('ix_actions_cycle_due', ['cycle_id', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_actions_planned_in_due', ['planned_in_id', 'due_on', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_planned_in_due')
        batch_op.drop_index('ix_actions_cycle_due')
        batch_op.drop_index('ix_actions_cycle_status')
        batch_op.drop_constraint(op.f('fk_actions_cycle_id_cycles'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_actions_planned_in_id_stages'), type_='foreignkey')
        batch_op.alter_column('planned_in_id', new_column_name='stage_id',
                              existing_type=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_actions_stage_id_stages', 'stages', ['stage_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_actions_stage_due', ['stage_id', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_actions_stage_status', ['stage_id', 'status'], unique=False)
        batch_op.drop_column('result')
        batch_op.drop_column('cycle_id')
