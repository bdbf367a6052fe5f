"""A cycle's engagement plan and its review against the National Standards for Community Engagement."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

# The seven National Standards for Community Engagement, in their published order.
STANDARDS = {
    "inclusion": "Inclusion",
    "support": "Support",
    "planning": "Planning",
    "working-together": "Working together",
    "methods": "Methods",
    "communication": "Communication",
    "impact": "Impact",
}
STANDARD_AIMS = {
    "inclusion": "We will identify and involve the people and organisations affected by the focus of the "
                 "engagement.",
    "support": "We will identify and overcome any barriers to participation.",
    "planning": "There is a clear purpose for the engagement, which is based on a shared understanding of "
                "community needs and ambitions.",
    "working-together": "We will work effectively together to achieve the aims of the engagement.",
    "methods": "We will use methods of engagement that are fit for purpose.",
    "communication": "We will communicate clearly and regularly with the people, organisations and "
                     "communities affected by the engagement.",
    "impact": "We will assess the impact of the engagement and use what we have learned to improve our "
              "future community engagement.",
}
MET, PARTLY, NOT_MET = "met", "partly-met", "not-met"
RATINGS = {MET: "Met", PARTLY: "Partly met", NOT_MET: "Not met"}
RATING_COLOURS = {MET: "green", PARTLY: "yellow", NOT_MET: "red"}
RATING_SCORES = {MET: 2, PARTLY: 1, NOT_MET: 0}

METHODS = {
    "meetings": "Meetings",
    "discussions": "Discussions",
    "views": "Views given through the service",
    "recorded-views": "Views recorded from paper, phone, email and events",
    "events": "Events and drop-ins",
}
SUPPORT = {
    "access-needs": "Meeting access needs",
    "travel-costs": "Travel costs",
    "alternative-formats": "Documents in other formats",
}
LEVELS = {
    "information": "Information",
    "consultation": "Consultation",
    "shared-decision-making": "Shared decision-making",
}
MANUAL = "manual"

_STANDARD_SQL = ("standard IN ('inclusion', 'support', 'planning', 'working-together', 'methods', "
                 "'communication', 'impact')")
_RATING_SQL = "rating IN ('met', 'partly-met', 'not-met')"
_LEVEL_SQL = "{column} IN ('information', 'consultation', 'shared-decision-making')"


def codes(text: str) -> list[str]:
    """Codes kept comma-separated in one column (as a booking's access needs are)."""
    return [code for code in (text or "").split(",") if code]


class EngagementPlan(Model):
    """What the engagement in a cycle aims for, who must be involved, how, with what support, how far
    people share in each stage, and the indicators that will show it. One per cycle."""

    __tablename__ = "engagement_plans"
    __table_args__ = (
        UniqueConstraint("cycle_id", name="uq_engagement_plans_cycle"),
        CheckConstraint(_LEVEL_SQL.format(column="level_analyse"), name="level_analyse"),
        CheckConstraint(_LEVEL_SQL.format(column="level_plan"), name="level_plan"),
        CheckConstraint(_LEVEL_SQL.format(column="level_do"), name="level_do"),
        CheckConstraint(_LEVEL_SQL.format(column="level_review"), name="level_review"),
        Index("ix_engagement_plans_programme", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    aims: Mapped[str] = mapped_column(Text)
    communities: Mapped[str] = mapped_column(String(200), default="")   # codes, comma-separated
    areas: Mapped[str] = mapped_column(String(300), default="")         # codes, comma-separated
    who_else: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[str] = mapped_column(String(200), default="")
    support: Mapped[str] = mapped_column(String(200), default="")
    support_other: Mapped[str] = mapped_column(Text, default="")
    level_analyse: Mapped[str] = mapped_column(String(30))
    level_plan: Mapped[str] = mapped_column(String(30))
    level_do: Mapped[str] = mapped_column(String(30))
    level_review: Mapped[str] = mapped_column(String(30))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    def level(self, kind: str) -> str:
        return LEVELS[getattr(self, f"level_{kind}")]


class EngagementIndicator(Model):
    """A target the plan sets: a measure the product computes (measure names it), or one written by
    hand (measure 'manual') whose value a coordinator enters at Review."""

    __tablename__ = "engagement_indicators"
    __table_args__ = (
        CheckConstraint("target >= 0", name="target_not_negative"),
        CheckConstraint("value IS NULL OR measure = 'manual'", name="value_only_by_hand"),
        CheckConstraint("measure <> 'manual' OR title <> ''", name="manual_named"),
        Index("ix_engagement_indicators_plan", "plan_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("engagement_plans.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    target: Mapped[int] = mapped_column(Integer)
    value: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def by_hand(self) -> bool:
        return self.measure == MANUAL


class EngagementReview(Model):
    """A cycle's review against the standards; finished by a coordinator before Review is submitted."""

    __tablename__ = "engagement_reviews"
    __table_args__ = (
        UniqueConstraint("cycle_id", name="uq_engagement_reviews_cycle"),
        Index("ix_engagement_reviews_programme", "programme_id", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class EngagementAssessment(Model):
    """The coordinators' rating of one standard and what was learnt. Two coordinators editing one
    assessment: the version column makes the second lose, as stages do."""

    __tablename__ = "engagement_assessments"
    __table_args__ = (
        UniqueConstraint("review_id", "standard", name="uq_engagement_assessments_review_standard"),
        CheckConstraint(_STANDARD_SQL, name="standard"),
        CheckConstraint(_RATING_SQL, name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("engagement_reviews.id", ondelete="CASCADE"))
    standard: Mapped[str] = mapped_column(String(20))
    rating: Mapped[str] = mapped_column(String(12))
    learnt: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def rating_name(self) -> str:
        return RATINGS[self.rating]

    @property
    def colour(self) -> str:
        return RATING_COLOURS[self.rating]


class PartnerRating(Model):
    """A partner organisation's own rating and comment on one standard: one per organisation per
    standard, changed by its members until the coordinators finish the review."""

    __tablename__ = "engagement_partner_ratings"
    __table_args__ = (
        UniqueConstraint("review_id", "standard", "organisation_id",
                         name="uq_engagement_partner_ratings_review_standard_organisation"),
        CheckConstraint(_STANDARD_SQL, name="standard"),
        CheckConstraint(_RATING_SQL, name="rating"),
        Index("ix_engagement_partner_ratings_organisation", "organisation_id"),
        Index("ix_engagement_partner_ratings_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("engagement_reviews.id", ondelete="CASCADE"))
    standard: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", innerjoin=True)

    @property
    def rating_name(self) -> str:
        return RATINGS[self.rating]

    @property
    def colour(self) -> str:
        return RATING_COLOURS[self.rating]
