"""imports of recorded views

Reviewed by hand. A coordinator imports a spreadsheet of views gathered at an event: the file
is kept (view_imports.content) only between the preview and the import or its undoing; each
imported view points at its import (contributions.import_id, set NULL if the import row goes),
so an import can be undone in one DELETE, with its row in the file (import_row). A partial unique index refuses importing the same
file (by SHA-256) twice into a programme while the first import stands.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'view_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=True),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('preview', 'imported', 'undone')", name=op.f('ck_view_imports_status')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_view_imports_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_view_imports_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_view_imports_stage_id_stages'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_view_imports')),
    )
    op.create_index('ix_view_imports_programme', 'view_imports', ['programme_id', 'id'], unique=False)
    op.create_index(op.f('ix_view_imports_created_by_id'), 'view_imports', ['created_by_id'], unique=False)
    op.create_index('uq_view_imports_digest', 'view_imports', ['programme_id', 'digest'], unique=True,
                    postgresql_where=sa.text("status = 'imported'"), sqlite_where=sa.text("status = 'imported'"))
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('import_row', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_contributions_import_id_view_imports'), 'view_imports',
                                    ['import_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_contributions_import', ['import_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_import')
        batch_op.drop_constraint(op.f('fk_contributions_import_id_view_imports'), type_='foreignkey')
        batch_op.drop_column('import_row')
        batch_op.drop_column('import_id')
    op.drop_index('uq_view_imports_digest', table_name='view_imports')
    op.drop_index(op.f('ix_view_imports_created_by_id'), table_name='view_imports')
    op.drop_index('ix_view_imports_programme', table_name='view_imports')
    op.drop_table('view_imports')
