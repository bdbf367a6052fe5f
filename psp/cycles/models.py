"""Cycles of Analyse-Plan-Do-Review, their stages, and what each stage holds."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

KINDS = ("analyse", "plan", "do", "review")
KIND_NAMES = {"analyse": "Analyse", "plan": "Plan", "do": "Do", "review": "Review"}
PURPOSES = {
    "analyse": "Identify need: what people and communities need from the service.",
    "plan": "Design actions that meet the need.",
    "do": "Share in delivery: carry out the actions, many of them by third-sector partners.",
    "review": "Monitor and evaluate against the agreed outcomes, then re-frame need.",
}

UPCOMING, OPEN, IN_REVIEW, RETURNED, SIGNED_OFF = "upcoming", "open", "in_review", "returned", "signed_off"
CURRENT = (OPEN, IN_REVIEW, RETURNED)
STATUS_NAMES = {UPCOMING: "Upcoming", OPEN: "Open", IN_REVIEW: "In review", RETURNED: "Returned",
                SIGNED_OFF: "Signed off"}

PLANNED, IN_PROGRESS, DONE, BLOCKED = "planned", "in_progress", "done", "blocked"
ACTION_STATUSES = (PLANNED, IN_PROGRESS, DONE, BLOCKED)
ACTION_STATUS_NAMES = {PLANNED: "Planned", IN_PROGRESS: "In progress", DONE: "Done", BLOCKED: "Blocked"}

_CURRENT_SQL = "status IN ('open', 'in_review', 'returned')"

# Actions are designed at Plan and, where delivery shows a gap, added at Do; owners update
# them while either of those stages is open or returned.
ACTION_STAGES = ("plan", "do")


class Cycle(Model):
    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("programme_id", "number", name="uq_cycles_programme_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    need: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Stage(Model):
    """One step of a cycle. The version column makes a stale form lose, not overwrite."""

    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("cycle_id", "kind", name="uq_stages_cycle_kind"),
        CheckConstraint("kind IN ('analyse', 'plan', 'do', 'review')", name="kind"),
        CheckConstraint("status IN ('upcoming', 'open', 'in_review', 'returned', 'signed_off')",
                        name="status"),
        # Exactly one current stage per programme, whatever the code above it does.
        Index("uq_stages_one_current", "programme_id", unique=True,
              sqlite_where=text(_CURRENT_SQL), postgresql_where=text(_CURRENT_SQL)),
        Index("ix_stages_status", "status"),
        Index("ix_stages_programme_id", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=UPCOMING)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    reframed_need: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    cycle = relationship("Cycle", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def purpose(self) -> str:
        return PURPOSES[self.kind]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT

    @property
    def is_editable(self) -> bool:
        """Coordinators change what a stage holds while it is open or returned, not in review."""
        return self.status in (OPEN, RETURNED)

    @property
    def takes_actions(self) -> bool:
        """Actions are added and updated while Plan or Do is open or returned."""
        return self.kind in ACTION_STAGES and self.is_editable


class StageTransition(Model):
    """The stage's history: who moved it, when, from what, to what, and why."""

    __tablename__ = "stage_transitions"
    __table_args__ = (Index("ix_stage_transitions_stage_id", "stage_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    # A sign-off keeps the signer's declarations of interest as they stood, as text.
    declarations: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User")

    @property
    def from_name(self) -> str:
        return STATUS_NAMES.get(self.from_status or "", "")

    @property
    def to_name(self) -> str:
        return STATUS_NAMES[self.to_status]


class Action(Model):
    """Designed at Plan (or added at Do when delivery shows a gap), carried out at Do, its result
    looked at in Review. It belongs to the cycle, so it travels with it from stage to stage;
    planned_in is the stage where it was designed."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done', 'blocked')", name="status"),
        CheckConstraint("status <> 'blocked' OR blocked_reason <> ''", name="blocked_has_reason"),
        Index("ix_actions_cycle_status", "cycle_id", "status"),
        Index("ix_actions_cycle_due", "cycle_id", "due_on", "id"),
        Index("ix_actions_planned_in_due", "planned_in_id", "due_on", "id"),
        Index("ix_actions_organisation_due", "organisation_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    planned_in_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=PLANNED)
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", innerjoin=True)
    cycle = relationship("Cycle", innerjoin=True)
    planned_in = relationship("Stage")

    @property
    def status_name(self) -> str:
        return ACTION_STATUS_NAMES[self.status]

    def is_overdue(self, today: date) -> bool:
        return self.status != DONE and self.due_on < today


class Decision(Model):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_stage_id", "stage_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    partners_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    stage = relationship("Stage", innerjoin=True)


class Question(Model):
    """A question posed to partners on a stage; views can answer it."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_stage_id", "stage_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str] = mapped_column(Text, default="")
    partners_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutcomeMeasure(Model):
    """How one agreed outcome is doing, recorded at a Review stage."""

    __tablename__ = "outcome_measures"
    __table_args__ = (
        UniqueConstraint("outcome_id", "stage_id", name="uq_outcome_measures_outcome_stage"),
        Index("ix_outcome_measures_stage_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
