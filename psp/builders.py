"""Plain builders of records with sensible defaults, shared by the test factories, the demo and
the benchmark, so all three build people, organisations, programmes and the rest one way.

A `*_values` function returns the column values of one row: `Model(**values)` builds it
unsaved, and `insert(Model)` takes a list of them for bulk loading. Every call returns the
same keys whatever its arguments (a bulk INSERT needs that), and a time stamp left out is
"now" rather than NULL. The function without `_values` returns the unsaved model, with its
areas or outcomes attached where the model holds them. Nothing here adds to the session or
applies a rule: where a service exists for something, the application goes through it.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slugify import slugify

from psp.auth.models import User
from psp.contributions.models import DRAFT, Contribution, Response
from psp.cycles.models import PLANNED, Action, Decision, Question
from psp.discussions.models import Discussion, Message
from psp.documents.models import Document
from psp.meetings.models import BOOKED, PUBLIC, Booking, Meeting
from psp.organisations.models import ACTIVE, MEMBER, VERIFIED, Membership, Organisation, OrganisationArea
from psp.programmes.models import ADMITTED, Outcome, Participation, Programme, ProgrammeArea, ProgrammeRole
from psp.timeutil import utcnow
from psp.updates.models import Update

if TYPE_CHECKING:
    from psp.engagement.models import EngagementIndicator, EngagementPlan

Row = dict[str, Any]  # the column values of one row

# People and organisations ------------------------------------------------------------


def person_values(email: str, name: str | None = None, *, password_hash: str, **fields: Any) -> Row:
    """A confirmed account; the name defaults to the address's first part."""
    return {"email": email, "name": name or email.split("@")[0].title(),
            "password_hash": password_hash, "email_confirmed_at": utcnow(), **fields}


def person(email: str, name: str | None = None, *, password_hash: str, **fields: Any) -> User:
    return User(**person_values(email, name, password_hash=password_hash, **fields))


def organisation_values(name: str, kind: str = "charity", status: str = VERIFIED, number: str | None = None,
                        description: str | None = None, **fields: Any) -> Row:
    return {"slug": slugify(name), "name": name, "kind": kind, "status": status,
            "charity_number": number, "description": description or f"About {name}.", **fields}


def organisation(name: str, kind: str = "charity", status: str = VERIFIED,
                 areas: Iterable[str] = ("city-of-edinburgh",), number: str | None = None,
                 description: str | None = None, **fields: Any) -> Organisation:
    return Organisation(**organisation_values(name, kind, status, number, description, **fields),
                        areas=[OrganisationArea(area=a) for a in areas])


def membership_values(user_id: int, organisation_id: int, role: str = MEMBER, status: str = ACTIVE,
                      **fields: Any) -> Row:
    return {"user_id": user_id, "organisation_id": organisation_id, "role": role, "status": status,
            **fields}


def membership(user_id: int, organisation_id: int, role: str = MEMBER, status: str = ACTIVE,
               **fields: Any) -> Membership:
    return Membership(**membership_values(user_id, organisation_id, role, status, **fields))


# Programmes ----------------------------------------------------------------------------


def programme(slug: str, lead_body_id: int, lead_interface_id: int, title: str | None = None,
              summary: str = "", areas: Iterable[str] = (), outcomes: Iterable[str] = (),
              **fields: Any) -> Programme:
    """A programme with its areas and agreed outcomes; its cycle comes from
    psp.cycles.services.start_cycle."""
    return Programme(slug=slug, title=title or slug.replace("-", " ").capitalize(), summary=summary,
                     lead_body_id=lead_body_id, lead_interface_id=lead_interface_id,
                     areas=[ProgrammeArea(area=a) for a in areas],
                     outcomes=[Outcome(position=n, title=t) for n, t in enumerate(outcomes, start=1)],
                     **fields)


def outcome(programme_id: int, position: int, title: str) -> Outcome:
    return Outcome(programme_id=programme_id, position=position, title=title)


def role(programme_id: int, user_id: int, role: str) -> ProgrammeRole:
    return ProgrammeRole(programme_id=programme_id, user_id=user_id, role=role)


def participation_values(programme_id: int, organisation_id: int, status: str = ADMITTED,
                         **fields: Any) -> Row:
    return {"programme_id": programme_id, "organisation_id": organisation_id, "status": status,
            **fields}


def participation(programme_id: int, organisation_id: int, status: str = ADMITTED,
                  **fields: Any) -> Participation:
    return Participation(**participation_values(programme_id, organisation_id, status, **fields))


# What a stage holds --------------------------------------------------------------------


def action_values(cycle_id: int, planned_in_id: int, organisation_id: int, title: str, due_on: date,
                  status: str = PLANNED, **fields: Any) -> Row:
    return {"cycle_id": cycle_id, "planned_in_id": planned_in_id, "organisation_id": organisation_id,
            "title": title, "due_on": due_on, "status": status, **fields}


def action(cycle_id: int, planned_in_id: int, organisation_id: int, title: str, due_on: date,
           status: str = PLANNED, **fields: Any) -> Action:
    return Action(**action_values(cycle_id, planned_in_id, organisation_id, title, due_on, status,
                                  **fields))


def decision(stage_id: int, title: str, detail: str = "", **fields: Any) -> Decision:
    return Decision(stage_id=stage_id, title=title, detail=detail, **fields)


def question(stage_id: int, text: str, detail: str = "", **fields: Any) -> Question:
    return Question(stage_id=stage_id, text=text, detail=detail, **fields)


# Meetings ------------------------------------------------------------------------------


def meeting_values(programme_id: int, title: str, starts_at: datetime, hours: float = 2,
                   audience: str = PUBLIC, **fields: Any) -> Row:
    return {"programme_id": programme_id, "title": title, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours), "audience": audience, **fields}


def meeting(programme_id: int, title: str, starts_at: datetime, hours: float = 2, audience: str = PUBLIC,
            **fields: Any) -> Meeting:
    return Meeting(**meeting_values(programme_id, title, starts_at, hours, audience, **fields))


def booking_values(meeting_id: int, user_id: int, status: str = BOOKED,
                   requested_at: datetime | None = None, **fields: Any) -> Row:
    return {"meeting_id": meeting_id, "user_id": user_id, "status": status,
            "requested_at": requested_at or utcnow(), **fields}


def booking(meeting_id: int, user_id: int, status: str = BOOKED, requested_at: datetime | None = None,
            **fields: Any) -> Booking:
    return Booking(**booking_values(meeting_id, user_id, status, requested_at, **fields))


# Views ---------------------------------------------------------------------------------


def view_values(programme_id: int, stage_id: int, organisation_id: int, title: str, body: str | None = None,
                *, status: str = "received", audience: str = "partners", author_id: int | None = None,
                submitted_at: datetime | None = None, answered_at: datetime | None = None,
                **fields: Any) -> Row:
    """A view, submitted now unless it is a draft; days to answer follow from answered_at."""
    if status != DRAFT:
        submitted_at = submitted_at or utcnow()
    created_at = submitted_at or utcnow()
    return {"programme_id": programme_id, "stage_id": stage_id, "organisation_id": organisation_id,
            "author_id": author_id, "title": title,
            "body": f"{title}: the text." if body is None else body,
            "audience": audience, "status": status, "created_at": created_at, "updated_at": created_at,
            "submitted_at": submitted_at, "answered_at": answered_at,
            "days_to_answer": max(0, (answered_at - submitted_at).days) if answered_at and submitted_at
            else None,
            "version": 1, **fields}


def view(programme_id: int, stage_id: int, organisation_id: int, title: str, body: str | None = None,
         **fields: Any) -> Contribution:
    return Contribution(**view_values(programme_id, stage_id, organisation_id, title, body, **fields))


def view_tags(contribution_id: int, communities: Iterable[str] = (),
              areas: Iterable[str] = ()) -> tuple[list[Row], list[Row]]:
    """The view's communities and areas: (ContributionCommunity values, ContributionArea values)."""
    return ([{"contribution_id": contribution_id, "community": c} for c in communities],
            [{"contribution_id": contribution_id, "area": a} for a in areas])


def response_values(contribution_id: int, status: str, text: str, reason: str = "",
                    responder_id: int | None = None, created_at: datetime | None = None) -> Row:
    return {"contribution_id": contribution_id, "status": status, "text": text, "reason": reason,
            "responder_id": responder_id, "created_at": created_at or utcnow()}


def response(contribution_id: int, status: str, text: str, reason: str = "",
             responder_id: int | None = None, created_at: datetime | None = None) -> Response:
    return Response(**response_values(contribution_id, status, text, reason, responder_id, created_at))


# Updates -------------------------------------------------------------------------------


def update(programme_id: int, author_id: int, title: str, body: str = "", audience: str = PUBLIC) -> Update:
    return Update(programme_id=programme_id, author_id=author_id, title=title, body=body,
                  audience=audience)


# Documents -------------------------------------------------------------------------------


def document(programme_id: int, title: str, storage_key: str, audience: str = PUBLIC,
             category: str = "papers", size: int = 1024, pages: int | None = 1, **parent: int) -> Document:
    """A PDF's row on one parent (meeting_id=, stage_id=, update_id= or contribution_id=); the
    caller stores its file under storage_key."""
    return Document(programme_id=programme_id, title=title, storage_key=storage_key, audience=audience,
                    category=category, kind="PDF", mime="application/pdf", extension=".pdf", size=size,
                    pages=pages, version=1, summary="", **parent)


# Engagement ----------------------------------------------------------------------------

def engagement_plan(programme_id: int, cycle_id: int,
                    aims: str = "Hear from every area before options are drawn up.",
                    **fields: Any) -> "EngagementPlan":
    from psp.engagement.models import EngagementPlan

    values = {"communities": "service-users,families-carers", "areas": "city-of-edinburgh",
              "who_else": "",
              "methods": "meetings,views", "support": "access-needs", "support_other": "",
              "level_analyse": "consultation", "level_plan": "shared-decision-making",
              "level_do": "shared-decision-making", "level_review": "consultation", **fields}
    return EngagementPlan(programme_id=programme_id, cycle_id=cycle_id, aims=aims, **values)


def engagement_indicator(plan_id: int, measure: str, target: int, title: str = "",
                         value: int | None = None) -> "EngagementIndicator":
    from psp.engagement.models import EngagementIndicator

    return EngagementIndicator(plan_id=plan_id, measure=measure, target=target, title=title, value=value,
                               note="")


# Discussions -----------------------------------------------------------------------------


def discussion_values(programme_id: int, title: str, author_id: int | None, audience: str = "partners",
                      messages: int = 0, last_message_at: datetime | None = None, **fields: Any) -> Row:
    """A discussion row; message_count must match the messages built for it (``messages``)."""
    now = utcnow()
    return {"programme_id": programme_id, "title": title, "author_id": author_id, "audience": audience,
            "message_count": messages, "created_at": fields.pop("created_at", now),
            "last_message_at": last_message_at or now, "pinned": fields.pop("pinned", False),
            "closing_summary": fields.pop("closing_summary", ""), **fields}


def discussion(programme_id: int, title: str, author_id: int | None, audience: str = "partners",
               messages: int = 0, **fields: Any) -> Discussion:
    return Discussion(**discussion_values(programme_id, title, author_id, audience, messages, **fields))


def message_values(discussion_id: int, number: int, author_id: int | None, body: str,
                   organisation_id: int | None = None, author_role: str = "partner",
                   created_at: datetime | None = None, **fields: Any) -> Row:
    return {"discussion_id": discussion_id, "number": number, "author_id": author_id, "body": body,
            "organisation_id": organisation_id, "author_role": author_role,
            "created_at": created_at or utcnow(), "status": fields.pop("status", "shown"),
            "hidden_reason": fields.pop("hidden_reason", ""), "version": 0,
            "reply_to_id": fields.pop("reply_to_id", None), **fields}


def message(discussion_id: int, number: int, author_id: int | None, body: str,
            organisation_id: int | None = None, author_role: str = "partner", **fields: Any) -> Message:
    return Message(**message_values(discussion_id, number, author_id, body, organisation_id, author_role,
                                    **fields))
