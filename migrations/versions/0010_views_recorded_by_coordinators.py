"""views recorded by coordinators

Reviewed by hand. Views given on paper, by phone, by email, by letter, at an event or at a
meeting are recorded by a coordinator and then live like any other view. A recorded view
keeps where it came from (source, the day it was given and where), who gave it (a partner
organisation, a group not on the service with its kind and area, or people at an event with
how many took part) and, only with consent recorded, an email address to tell the person of
the answer. A view given through the service has none of these (source is NULL). On SQLite
the batch rebuilds the table to add the check constraints; env.py keeps foreign keys off
during the rebuild so the rows that point at contributions survive.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('given_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('given_where', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('giver', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('group_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('group_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('group_area', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('people', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_consent_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_contributions_source'),
            "source IS NULL OR source IN ('paper', 'phone', 'email', 'letter', 'event', 'meeting')")
        batch_op.create_check_constraint(
            op.f('ck_contributions_recorded_whole'),
            "(source IS NULL AND giver IS NULL AND given_on IS NULL) OR "
            "(source IS NOT NULL AND giver IN ('partner', 'group', 'event') AND given_on IS NOT NULL)")
        batch_op.create_check_constraint(
            op.f('ck_contributions_group_named'), "giver IS NULL OR giver <> 'group' OR group_name <> ''")
        batch_op.create_check_constraint(
            op.f('ck_contributions_people_counted'), "giver IS NULL OR giver <> 'event' OR people > 0")
        batch_op.create_check_constraint(
            op.f('ck_contributions_contact_consented'),
            "contact_email IS NULL OR contact_consent_at IS NOT NULL")
        batch_op.create_index('ix_contributions_programme_source', ['programme_id', 'source', 'giver'],
                              unique=False)
        batch_op.create_index('ix_contributions_contact', ['answered_at'], unique=False,
                              postgresql_where=sa.text('contact_email IS NOT NULL'),
                              sqlite_where=sa.text('contact_email IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_contact')
        batch_op.drop_index('ix_contributions_programme_source')
        batch_op.drop_constraint(op.f('ck_contributions_contact_consented'), type_='check')
        batch_op.drop_constraint(op.f('ck_contributions_people_counted'), type_='check')
        batch_op.drop_constraint(op.f('ck_contributions_group_named'), type_='check')
        batch_op.drop_constraint(op.f('ck_contributions_recorded_whole'), type_='check')
        batch_op.drop_constraint(op.f('ck_contributions_source'), type_='check')
        for column in ('contact_consent_at', 'contact_email', 'people', 'group_area', 'group_kind',
                       'group_name', 'giver', 'given_where', 'given_on', 'source'):
            batch_op.drop_column(column)
