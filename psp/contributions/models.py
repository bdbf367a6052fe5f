"""Views given by partners, their earlier text, the programme's answers, and what they shaped."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psp.extensions import Model
from psp.timeutil import utcnow

DRAFT, RECEIVED = "draft", "received"
CONSIDERING, TAKEN, NOT_TAKEN, IN_PLACE = (
    "under_consideration", "taken_forward", "not_taken_forward", "already_in_place")
ANSWERS = (CONSIDERING, TAKEN, NOT_TAKEN, IN_PLACE)
STATUS_NAMES = {DRAFT: "Draft", RECEIVED: "Waiting for an answer", CONSIDERING: "Under consideration",
                TAKEN: "Taken forward", NOT_TAKEN: "Not taken forward", IN_PLACE: "Already in place"}
STATUS_COLOURS = {DRAFT: "grey", RECEIVED: "yellow", CONSIDERING: "blue", TAKEN: "green",
                  NOT_TAKEN: "red", IN_PLACE: "turquoise"}
SHARED, LEADS = "partners", "leads"
COMMUNITIES = {
    "service-users": "People who use the services",
    "families-carers": "Families and carers",
    "staff": "Staff",
    "residents": "Local residents",
    "third-sector": "Third-sector organisations",
}
# Where a recorded view came from, and who gave it; a view given through the service has neither.
SOURCES = {
    "paper": "a paper form",
    "phone": "a phone call",
    "email": "an email",
    "letter": "a letter",
    "event": "an event or drop-in",
    "meeting": "a meeting",
}
SOURCE_LABELS = {key: label[0].upper() + label[1:] for key, label in SOURCES.items()}   # "A paper form"
PARTNER, GROUP, EVENT = "partner", "group", "event"
GIVERS = {
    PARTNER: "A partner organisation",
    GROUP: "A group or organisation not on the service",
    EVENT: "People at an event",
}
_STATUS_SQL = ("status IN ('draft', 'received', 'under_consideration', 'taken_forward', "
               "'not_taken_forward', 'already_in_place')")


class Contribution(Model):
    """A view. Answered once it has its first response; then its text no longer changes."""

    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint(_STATUS_SQL, name="status"),
        CheckConstraint("audience IN ('partners', 'leads')", name="audience"),
        Index("ix_contributions_programme", "programme_id", "id"),
        Index("ix_contributions_programme_status", "programme_id", "status", "id"),
        Index("ix_contributions_programme_waiting", "programme_id", "status", "submitted_at", "id"),
        Index("ix_contributions_programme_stage", "programme_id", "stage_id", "id"),
        Index("ix_contributions_programme_organisation", "programme_id", "organisation_id", "id"),
        Index("ix_contributions_programme_question", "programme_id", "question_id", "id"),
        Index("ix_contributions_programme_days", "programme_id", "days_to_answer"),
        # Covering indexes: the visibility condition and the dashboard figures read no table rows.
        Index("ix_contributions_programme_visibility", "programme_id", "audience", "status",
              "organisation_id", "id"),
        Index("ix_contributions_programme_answering", "programme_id", "status", "days_to_answer"),
        Index("ix_contributions_waiting", "status", "submitted_at", "id"),
        Index("ix_contributions_stage", "stage_id", "id"),
        Index("ix_contributions_meeting", "meeting_id"),
        Index("ix_contributions_author", "author_id"),
        Index("ix_contributions_organisation", "organisation_id"),
        CheckConstraint("source IS NULL OR source IN ('paper', 'phone', 'email', 'letter', 'event', "
                        "'meeting')", name="source"),
        CheckConstraint("(source IS NULL AND giver IS NULL AND given_on IS NULL) OR "
                        "(source IS NOT NULL AND giver IN ('partner', 'group', 'event') "
                        "AND given_on IS NOT NULL)", name="recorded_whole"),
        CheckConstraint("giver IS NULL OR giver <> 'group' OR group_name <> ''", name="group_named"),
        CheckConstraint("giver IS NULL OR giver <> 'event' OR people > 0", name="people_counted"),
        CheckConstraint("contact_email IS NULL OR contact_consent_at IS NOT NULL", name="contact_consented"),
        Index("ix_contributions_programme_source", "programme_id", "source", "giver"),
        Index("ix_contributions_import", "import_id", "status"),
        Index("ix_contributions_message", "message_id"),
        # Contact details waiting to be forgotten, 30 days after the answer.
        Index("ix_contributions_contact", "answered_at", postgresql_where=text("contact_email IS NOT NULL"),
              sqlite_where=text("contact_email IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(10), default=SHARED)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    days_to_answer: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Recorded by a coordinator (author_id is then the coordinator); organisation_id holds the
    # partner that gave it, or the programme's lead interface for anyone not on the service.
    source: Mapped[str | None] = mapped_column(String(10))
    given_on: Mapped[date | None] = mapped_column(Date)
    given_where: Mapped[str | None] = mapped_column(String(200))
    giver: Mapped[str | None] = mapped_column(String(10))
    group_name: Mapped[str | None] = mapped_column(String(200))
    group_kind: Mapped[str | None] = mapped_column(String(40))
    group_area: Mapped[str | None] = mapped_column(String(40))
    people: Mapped[int | None] = mapped_column(Integer)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("view_imports.id", ondelete="SET NULL"))
    import_row: Mapped[int | None] = mapped_column(Integer)     # its row in the imported file
    # Made from a message of a discussion: what was said informally, entering "you said, we did".
    message_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_messages.id", ondelete="SET NULL"))

    organisation = relationship("Organisation", innerjoin=True)
    stage = relationship("Stage", innerjoin=True)
    author = relationship("User")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def is_shared(self) -> bool:
        return self.audience == SHARED

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERS

    @property
    def is_recorded(self) -> bool:
        return self.source is not None

    @property
    def source_name(self) -> str:
        return SOURCES.get(self.source or "", "")

    @property
    def group_labels(self) -> list[str]:
        """A group not on the service: its kind and area, where known."""
        from psp.places import AREAS, ORGANISATION_KINDS

        return [label for label in (ORGANISATION_KINDS.get(self.group_kind or ""),
                                    AREAS.get(self.group_area or "")) if label]

    @property
    def given_by(self) -> str:
        """Who gave the view, as the page names them."""
        if self.giver == GROUP:
            return self.group_name or ""
        if self.giver == EVENT:
            return f"{self.people} {'person' if self.people == 1 else 'people'} at an event"
        return self.organisation.name


class ContributionCommunity(Model):
    __tablename__ = "contribution_communities"
    __table_args__ = (
        CheckConstraint("community IN ('service-users', 'families-carers', 'staff', 'residents', "
                        "'third-sector')", name="community"),
        Index("ix_contribution_communities_community", "community", "contribution_id"),
    )

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    community: Mapped[str] = mapped_column(String(20), primary_key=True)


class ContributionArea(Model):
    __tablename__ = "contribution_areas"
    __table_args__ = (Index("ix_contribution_areas_area", "area", "contribution_id"),)

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    area: Mapped[str] = mapped_column(String(40), primary_key=True)


class ContributionRevision(Model):
    """The text a view had before an edit."""

    __tablename__ = "contribution_revisions"
    __table_args__ = (Index("ix_contribution_revisions_contribution", "contribution_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Response(Model):
    """The programme's answer to a view, written for the public. Every answer is kept."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("status IN ('under_consideration', 'taken_forward', 'not_taken_forward', "
                        "'already_in_place')", name="status"),
        CheckConstraint("status <> 'not_taken_forward' OR reason <> ''", name="not_taken_has_reason"),
        Index("ix_responses_contribution", "contribution_id", "id"),
        Index("ix_responses_responder", "responder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]


class ContributionAction(Model):
    """A taken-forward view and an action it shaped."""

    __tablename__ = "contribution_actions"
    __table_args__ = (Index("ix_contribution_actions_action", "action_id", "contribution_id"),)

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True)


class ContributionDecision(Model):
    """A taken-forward view and a decision it shaped."""

    __tablename__ = "contribution_decisions"
    __table_args__ = (Index("ix_contribution_decisions_decision", "decision_id", "contribution_id"),)

    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"),
                                             primary_key=True)


PREVIEW, IMPORTED, UNDONE = "preview", "imported", "undone"


class ViewImport(Model):
    """A spreadsheet of recorded views: checked and previewed, then imported in one go, and
    undone within a day while none of its views has an answer. The file is kept only until it is
    imported or undone; its digest refuses the same file twice."""

    __tablename__ = "view_imports"
    __table_args__ = (
        CheckConstraint("status IN ('preview', 'imported', 'undone')", name="status"),
        Index("ix_view_imports_programme", "programme_id", "id"),
        Index("uq_view_imports_digest", "programme_id", "digest", unique=True,
              postgresql_where=text("status = 'imported'"), sqlite_where=text("status = 'imported'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=PREVIEW)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
