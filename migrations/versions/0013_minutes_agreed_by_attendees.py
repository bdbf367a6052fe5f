"""minutes agreed by attendees

Reviewed by hand. A meeting's minutes gain a state: 'none' (nothing written), 'sent' (a draft
sent to the attendees for agreement, open until the end of the London day minutes_deadline) and
'agreed' (published). The draft is kept apart from the published text (minutes), so attendees
agree the draft while the meeting page still shows nothing published. minutes_version is
bumped by every change to the agreement: the conditional UPDATE that takes the meeting's row
lock, so a correction and publication never both win.

Meetings whose minutes were published before this change are mapped to 'agreed' (with the
published text as their draft): their minutes stay on the meeting page as before.

Two new tables, each indexed by meeting: minutes_agreements (one per attendee per meeting,
unique) and minutes_corrections (author SET NULL when their account goes: the text stays,
read as a former participant's). Two notification kinds, 'minutes' and 'corrections', join
the check constraints of notifications and notification_preferences.

The kinds before and after include 'documents', which 0012 added.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', 'documents')"
NEW_KINDS = ("kind IN ('organisations', 'partnerships', 'meetings', 'views', 'stages', 'updates', "
             "'documents', 'minutes', 'corrections')")


def _kinds(check):
    for table in ('notifications', 'notification_preferences'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_kind'), check)


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_state', sa.String(length=10), server_default='none',
                                      nullable=False))
        batch_op.add_column(sa.Column('minutes_draft', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('minutes_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('minutes_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('minutes_version', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE meetings SET minutes_state = 'agreed', minutes_draft = minutes "
               "WHERE minutes_published_at IS NOT NULL")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_meetings_minutes_state'),
                                         "minutes_state IN ('none', 'sent', 'agreed')")
        batch_op.create_check_constraint(
            op.f('ck_meetings_minutes_sent_with_deadline'),
            "minutes_state = 'none' OR minutes_deadline IS NOT NULL OR minutes_published_at IS NOT NULL")

    op.create_table(
        'minutes_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_minutes_agreements_meeting_id_meetings'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_minutes_agreements_organisation_id_organisations'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_minutes_agreements_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_agreements')),
        sa.UniqueConstraint('meeting_id', 'user_id', name='uq_minutes_agreements_meeting_user'),
    )
    op.create_index('ix_minutes_agreements_user_id', 'minutes_agreements', ['user_id'], unique=False)

    op.create_table(
        'minutes_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('suggested', 'accepted', 'declined')",
                           name=op.f('ck_minutes_corrections_status')),
        sa.CheckConstraint("status <> 'declined' OR reason <> ''",
                           name=op.f('ck_minutes_corrections_declined_has_reason')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_minutes_corrections_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_minutes_corrections_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_minutes_corrections_meeting_id_meetings'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_minutes_corrections_organisation_id_organisations'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_corrections')),
    )
    op.create_index('ix_minutes_corrections_meeting', 'minutes_corrections', ['meeting_id', 'status', 'id'],
                    unique=False)
    op.create_index('ix_minutes_corrections_author_id', 'minutes_corrections', ['author_id'], unique=False)
    _kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN ('minutes', 'corrections')")
    op.execute("DELETE FROM notification_preferences WHERE kind IN ('minutes', 'corrections')")
    _kinds(OLD_KINDS)
    op.drop_index('ix_minutes_corrections_author_id', table_name='minutes_corrections')
    op.drop_index('ix_minutes_corrections_meeting', table_name='minutes_corrections')
    op.drop_table('minutes_corrections')
    op.drop_index('ix_minutes_agreements_user_id', table_name='minutes_agreements')
    op.drop_table('minutes_agreements')
    # A draft still out for agreement was never published: it leaves no published minutes behind.
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meetings_minutes_sent_with_deadline'), type_='check')
        batch_op.drop_constraint(op.f('ck_meetings_minutes_state'), type_='check')
        batch_op.drop_column('minutes_version')
        batch_op.drop_column('minutes_sent_at')
        batch_op.drop_column('minutes_deadline')
        batch_op.drop_column('minutes_draft')
        batch_op.drop_column('minutes_state')
