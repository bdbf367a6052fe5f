"""engagement plans and reviews

Reviewed by hand. Five new tables, nothing changed in the old ones:

- engagement_plans: one per cycle (unique cycle_id), its aims, who must be involved (community and
  area codes, comma-separated as a booking's access needs are, and free text), methods, support
  offered, the level of involvement aimed for at each stage (checked against the three levels) and
  a version column for optimistic locking. Indexed by programme.
- engagement_indicators: a plan's indicators: a computed measure or 'manual' (then named, with a
  value entered at Review; the check keeps values for hand-written ones only), a target >= 0.
- engagement_reviews: one per cycle (unique cycle_id); finished_at set when the coordinators finish.
- engagement_assessments: one per review per standard (unique), the rating checked against
  met/partly-met/not-met, what was learnt, a version column (two coordinators editing one: the
  second loses, as stages do).
- engagement_partner_ratings: one per review, standard and organisation (unique), author SET NULL
  when their account goes; indexed by organisation and author for erasure and export.

No notification kind is added.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-20 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

STANDARDS = ("standard IN ('inclusion', 'support', 'planning', 'working-together', 'methods', "
             "'communication', 'impact')")
RATINGS = "rating IN ('met', 'partly-met', 'not-met')"


def _level(column):
    return sa.CheckConstraint(f"{column} IN ('information', 'consultation', 'shared-decision-making')",
                              name=op.f(f'ck_engagement_plans_{column}'))


def upgrade():
    op.create_table(
        'engagement_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('aims', sa.Text(), nullable=False),
        sa.Column('communities', sa.String(length=200), nullable=False),
        sa.Column('areas', sa.String(length=300), nullable=False),
        sa.Column('who_else', sa.Text(), nullable=False),
        sa.Column('methods', sa.String(length=200), nullable=False),
        sa.Column('support', sa.String(length=200), nullable=False),
        sa.Column('support_other', sa.Text(), nullable=False),
        sa.Column('level_analyse', sa.String(length=30), nullable=False),
        sa.Column('level_plan', sa.String(length=30), nullable=False),
        sa.Column('level_do', sa.String(length=30), nullable=False),
        sa.Column('level_review', sa.String(length=30), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        _level('level_analyse'), _level('level_plan'), _level('level_do'), _level('level_review'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_engagement_plans_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_engagement_plans_cycle_id_cycles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_engagement_plans_programme_id_programmes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_plans')),
        sa.UniqueConstraint('cycle_id', name='uq_engagement_plans_cycle'),
    )
    op.create_index('ix_engagement_plans_programme', 'engagement_plans', ['programme_id'], unique=False)

    op.create_table(
        'engagement_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('target', sa.Integer(), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.CheckConstraint('target >= 0', name=op.f('ck_engagement_indicators_target_not_negative')),
        sa.CheckConstraint("value IS NULL OR measure = 'manual'",
                           name=op.f('ck_engagement_indicators_value_only_by_hand')),
        sa.CheckConstraint("measure <> 'manual' OR title <> ''", name=op.f('ck_engagement_indicators_manual_named')),
        sa.ForeignKeyConstraint(['plan_id'], ['engagement_plans.id'],
                                name=op.f('fk_engagement_indicators_plan_id_engagement_plans'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_indicators')),
    )
    op.create_index('ix_engagement_indicators_plan', 'engagement_indicators', ['plan_id', 'id'], unique=False)

    op.create_table(
        'engagement_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('finished_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_engagement_reviews_cycle_id_cycles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['finished_by_id'], ['users.id'],
                                name=op.f('fk_engagement_reviews_finished_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_engagement_reviews_programme_id_programmes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_reviews')),
        sa.UniqueConstraint('cycle_id', name='uq_engagement_reviews_cycle'),
    )
    op.create_index('ix_engagement_reviews_programme', 'engagement_reviews', ['programme_id', 'cycle_id'],
                    unique=False)

    op.create_table(
        'engagement_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('standard', sa.String(length=20), nullable=False),
        sa.Column('rating', sa.String(length=12), nullable=False),
        sa.Column('learnt', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint(STANDARDS, name=op.f('ck_engagement_assessments_standard')),
        sa.CheckConstraint(RATINGS, name=op.f('ck_engagement_assessments_rating')),
        sa.ForeignKeyConstraint(['review_id'], ['engagement_reviews.id'],
                                name=op.f('fk_engagement_assessments_review_id_engagement_reviews'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_engagement_assessments_updated_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_assessments')),
        sa.UniqueConstraint('review_id', 'standard', name='uq_engagement_assessments_review_standard'),
    )

    op.create_table(
        'engagement_partner_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('standard', sa.String(length=20), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('rating', sa.String(length=12), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(STANDARDS, name=op.f('ck_engagement_partner_ratings_standard')),
        sa.CheckConstraint(RATINGS, name=op.f('ck_engagement_partner_ratings_rating')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_engagement_partner_ratings_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_engagement_partner_ratings_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['engagement_reviews.id'],
                                name=op.f('fk_engagement_partner_ratings_review_id_engagement_reviews'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_partner_ratings')),
        sa.UniqueConstraint('review_id', 'standard', 'organisation_id',
                            name='uq_engagement_partner_ratings_review_standard_organisation'),
    )
    op.create_index('ix_engagement_partner_ratings_organisation', 'engagement_partner_ratings',
                    ['organisation_id'], unique=False)
    op.create_index('ix_engagement_partner_ratings_author', 'engagement_partner_ratings', ['author_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_engagement_partner_ratings_author', table_name='engagement_partner_ratings')
    op.drop_index('ix_engagement_partner_ratings_organisation', table_name='engagement_partner_ratings')
    op.drop_table('engagement_partner_ratings')
    op.drop_table('engagement_assessments')
    op.drop_index('ix_engagement_reviews_programme', table_name='engagement_reviews')
    op.drop_table('engagement_reviews')
    op.drop_index('ix_engagement_indicators_plan', table_name='engagement_indicators')
    op.drop_table('engagement_indicators')
    op.drop_index('ix_engagement_plans_programme', table_name='engagement_plans')
    op.drop_table('engagement_plans')
