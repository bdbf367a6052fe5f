"""discussions between partners

Reviewed by hand. Five new tables and one new column:

- discussions: a thread on a programme, optionally on a stage, meeting or question (each SET NULL
  when that goes: the talk outlives its hook). audience 'partners' (default) or 'public'.
  message_count is the thread's sequence: a reply takes the next number with a conditional UPDATE
  of the discussion's row. A closed discussion must carry its closing summary (check constraint).
  Indexed for the programme's list by last activity, pinned ones, and by stage, meeting, question.
- discussion_messages: number unique within the discussion (two replies at once cannot share a
  place); status shown, withdrawn or hidden, a hidden one always with its reason (check); author
  SET NULL, though erasure keeps the account row as "Former member" so the text stays attributed
  to the organisation's partnership work.
- discussion_readers: per person and discussion, following or not and how many messages they have
  seen (the unread markers). Cascades with the person and the discussion.
- discussion_mentions: organisations drawn in by a message.
- discussion_reports: reports of a message, with at most one open report per person and message
  (a partial unique index, on PostgreSQL and SQLite alike).
- contributions.message_id: a view made from a message, linked back (SET NULL), indexed.

Two notification kinds, 'discussions' and 'moderation', join the check constraints of
notifications and notification_preferences; the full list before and after is spelt out.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OLD_KINDS = ("kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', "
             "'documents', 'minutes', 'corrections')")
NEW_KINDS = ("kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', "
             "'documents', 'minutes', 'corrections', 'discussions', 'moderation')")


def _kinds(check):
    for table in ('notifications', 'notification_preferences'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_kind'), check)


def upgrade():
    op.create_table(
        'discussions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=True),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('audience', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_message_at', sa.DateTime(), nullable=False),
        sa.Column('message_count', sa.Integer(), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closing_summary', sa.Text(), nullable=False),
        sa.CheckConstraint("audience IN ('partners', 'public')", name=op.f('ck_discussions_audience')),
        sa.CheckConstraint("closed_at IS NULL OR closing_summary <> ''",
                           name=op.f('ck_discussions_closed_with_summary')),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_discussions_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_discussions_stage_id_stages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_discussions_meeting_id_meetings'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'],
                                name=op.f('fk_discussions_question_id_questions'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_discussions_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_discussions_closed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussions')),
    )
    op.create_index('ix_discussions_programme_activity', 'discussions',
                    ['programme_id', 'last_message_at', 'id'], unique=False)
    op.create_index('ix_discussions_programme_pinned', 'discussions', ['programme_id', 'pinned'], unique=False)
    op.create_index('ix_discussions_stage', 'discussions', ['stage_id'], unique=False)
    op.create_index('ix_discussions_meeting', 'discussions', ['meeting_id'], unique=False)
    op.create_index('ix_discussions_question', 'discussions', ['question_id'], unique=False)
    op.create_index('ix_discussions_author', 'discussions', ['author_id'], unique=False)
    op.create_index('ix_discussions_closed_by', 'discussions', ['closed_by_id'], unique=False)

    op.create_table(
        'discussion_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('author_role', sa.String(length=12), nullable=False),
        sa.Column('reply_to_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('edited_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_reason', sa.Text(), nullable=False),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.Column('hidden_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('shown', 'withdrawn', 'hidden')",
                           name=op.f('ck_discussion_messages_status')),
        sa.CheckConstraint("author_role IN ('partner', 'coordinator', 'nhs_lead')",
                           name=op.f('ck_discussion_messages_author_role')),
        sa.CheckConstraint("status <> 'hidden' OR hidden_reason <> ''",
                           name=op.f('ck_discussion_messages_hidden_with_reason')),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'],
                                name=op.f('fk_discussion_messages_discussion_id_discussions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_discussion_messages_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_discussion_messages_organisation_id_organisations'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reply_to_id'], ['discussion_messages.id'],
                                name=op.f('fk_discussion_messages_reply_to_id_discussion_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'],
                                name=op.f('fk_discussion_messages_hidden_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_messages')),
        sa.UniqueConstraint('discussion_id', 'number', name='uq_discussion_messages_number'),
    )
    op.create_index('ix_discussion_messages_author', 'discussion_messages', ['author_id'], unique=False)
    op.create_index('ix_discussion_messages_reply_to', 'discussion_messages', ['reply_to_id'], unique=False)
    op.create_index('ix_discussion_messages_hidden_by', 'discussion_messages', ['hidden_by_id'], unique=False)
    op.create_index('ix_discussion_messages_recent', 'discussion_messages', ['discussion_id', 'created_at'],
                    unique=False)

    op.create_table(
        'discussion_readers',
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('following', sa.Boolean(), nullable=False),
        sa.Column('seen_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'],
                                name=op.f('fk_discussion_readers_discussion_id_discussions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_discussion_readers_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discussion_id', 'user_id', name=op.f('pk_discussion_readers')),
    )
    op.create_index('ix_discussion_readers_user', 'discussion_readers', ['user_id', 'discussion_id'],
                    unique=False)

    op.create_table(
        'discussion_mentions',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['discussion_messages.id'],
                                name=op.f('fk_discussion_mentions_message_id_discussion_messages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_discussion_mentions_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'organisation_id', name=op.f('pk_discussion_mentions')),
    )
    op.create_index('ix_discussion_mentions_organisation', 'discussion_mentions', ['organisation_id'],
                    unique=False)

    op.create_table(
        'discussion_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('reporter_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name=op.f('ck_discussion_reports_status')),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_discussion_reports_programme_id_programmes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['discussion_messages.id'],
                                name=op.f('fk_discussion_reports_message_id_discussion_messages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_discussion_reports_reporter_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_discussion_reports_decided_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_reports')),
    )
    op.create_index('ix_discussion_reports_programme_open', 'discussion_reports', ['programme_id', 'status', 'id'],
                    unique=False)
    op.create_index('ix_discussion_reports_message', 'discussion_reports', ['message_id'], unique=False)
    op.create_index('ix_discussion_reports_reporter', 'discussion_reports', ['reporter_id'], unique=False)
    op.create_index('ix_discussion_reports_decided_by', 'discussion_reports', ['decided_by_id'], unique=False)
    op.create_index('uq_discussion_reports_open', 'discussion_reports', ['message_id', 'reporter_id'], unique=True,
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contributions_message_id_discussion_messages'),
                                    'discussion_messages', ['message_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_contributions_message', ['message_id'], unique=False)
    _kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN ('discussions', 'moderation')")
    op.execute("DELETE FROM notification_preferences WHERE kind IN ('discussions', 'moderation')")
    _kinds(OLD_KINDS)
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_message')
        batch_op.drop_constraint(batch_op.f('fk_contributions_message_id_discussion_messages'), type_='foreignkey')
        batch_op.drop_column('message_id')
    op.drop_table('discussion_reports')
    op.drop_table('discussion_mentions')
    op.drop_table('discussion_readers')
    op.drop_table('discussion_messages')
    op.drop_table('discussions')
