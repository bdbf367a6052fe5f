"""documents and format requests

Reviewed by hand. A document hangs from exactly one parent (meeting, stage, update or view:
a check constraint counts the non-null parent columns) and holds its current file's
description; each file it replaced is a document_versions row (unique per number, so two
replacements at once cannot both become the same version). Files live in storage under
random keys (storage_key), never under the uploaded name. format_requests are people asking
for a document in another format. Notifications gain the "documents" kind.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates')"
NEW_KINDS = "kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', 'documents')"
ONE_PARENT = ("(CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END"
              " + CASE WHEN stage_id IS NULL THEN 0 ELSE 1 END"
              " + CASE WHEN update_id IS NULL THEN 0 ELSE 1 END"
              " + CASE WHEN contribution_id IS NULL THEN 0 ELSE 1 END) = 1")


def _file_columns():
    return [
        sa.Column('storage_key', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('mime', sa.String(length=120), nullable=False),
        sa.Column('extension', sa.String(length=10), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        *_file_columns(),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('stage_id', sa.Integer(), nullable=True),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('contribution_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('audience', sa.String(length=10), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(ONE_PARENT, name=op.f('ck_documents_one_parent')),
        sa.CheckConstraint("audience IN ('public', 'partners', 'leads')", name=op.f('ck_documents_audience')),
        sa.CheckConstraint("category IN ('attachment', 'evidence', 'minutes', 'papers', 'presentation', "
                           "'report')", name=op.f('ck_documents_category')),
        sa.CheckConstraint('size >= 0', name=op.f('ck_documents_size')),
        sa.CheckConstraint('version >= 1', name=op.f('ck_documents_version')),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_documents_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_documents_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_documents_stage_id_stages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_documents_update_id_updates'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'],
                                name=op.f('fk_documents_contribution_id_contributions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    )
    op.create_index('ix_documents_meeting', 'documents', ['meeting_id', 'id'], unique=False)
    op.create_index('ix_documents_stage', 'documents', ['stage_id', 'id'], unique=False)
    op.create_index('ix_documents_update', 'documents', ['update_id', 'id'], unique=False)
    op.create_index('ix_documents_contribution', 'documents', ['contribution_id', 'id'], unique=False)
    op.create_index('ix_documents_programme', 'documents', ['programme_id', 'id'], unique=False)
    op.create_index('ix_documents_uploaded_by', 'documents', ['uploaded_by_id'], unique=False)

    op.create_table(
        'document_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        *_file_columns(),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('replaced_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_document_versions_uploaded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    )
    op.create_index('ix_document_versions_document', 'document_versions', ['document_id', 'number'], unique=True)
    op.create_index('ix_document_versions_uploaded_by', 'document_versions', ['uploaded_by_id'], unique=False)

    op.create_table(
        'format_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.CheckConstraint("format IN ('large-print', 'easy-read', 'audio', 'bsl', 'language', 'other')",
                           name=op.f('ck_format_requests_format')),
        sa.CheckConstraint("status IN ('requested', 'sent')", name=op.f('ck_format_requests_status')),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_format_requests_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_format_requests_document_id_documents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requester_id'], ['users.id'],
                                name=op.f('fk_format_requests_requester_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_format_requests_sent_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_format_requests')),
    )
    op.create_index('ix_format_requests_programme', 'format_requests', ['programme_id', 'status', 'id'],
                    unique=False)
    op.create_index('ix_format_requests_document', 'format_requests', ['document_id'], unique=False)
    op.create_index('ix_format_requests_requester', 'format_requests', ['requester_id'], unique=False)

    _kinds(NEW_KINDS)


def _kinds(condition):
    for table in ('notifications', 'notification_preferences'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_kind'), condition)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'documents'")
    op.execute("DELETE FROM notification_preferences WHERE kind = 'documents'")
    _kinds(OLD_KINDS)
    op.drop_table('format_requests')
    op.drop_table('document_versions')
    op.drop_table('documents')
