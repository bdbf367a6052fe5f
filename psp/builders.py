"""Plain builders of records with sensible defaults, shared by the test factories, the demo and
the benchmark, so all three build people, organisations, programmes and the rest one way.

A `*_values` function returns the column values of one row: `Model(**values)` builds it
unsaved, and `insert(Model)` takes a list of them for bulk loading. Every call returns the
same keys whatever its arguments (a bulk INSERT needs that), and a time stamp left out is
"now" rather than NULL. The function without `_values` returns the unsaved model, with its
areas or outcomes attached where the model holds them. Nothing here adds to the session or
applies a rule: where a service exists for something, the application goes through it.
"""

from datetime import timedelta

from slugify import slugify

from psp.auth.models import User
from psp.contributions.models import DRAFT, Contribution, Response
from psp.cycles.models import PLANNED, Action, Decision, Question
from psp.meetings.models import BOOKED, PUBLIC, Booking, Meeting
from psp.organisations.models import ACTIVE, MEMBER, VERIFIED, Membership, Organisation, OrganisationArea
from psp.programmes.models import ADMITTED, Outcome, Participation, Programme, ProgrammeArea, ProgrammeRole
from psp.timeutil import utcnow
from psp.updates.models import Update

# People and organisations ------------------------------------------------------------


def person_values(email, name=None, *, password_hash, **fields):
    """A confirmed account; the name defaults to the address's first part."""
    return {"email": email, "name": name or email.split("@")[0].title(),
            "password_hash": password_hash, "email_confirmed_at": utcnow(), **fields}


def person(email, name=None, *, password_hash, **fields):
    return User(**person_values(email, name, password_hash=password_hash, **fields))


def organisation_values(name, kind="charity", status=VERIFIED, number=None, description=None,
                        **fields):
    return {"slug": slugify(name), "name": name, "kind": kind, "status": status,
            "charity_number": number, "description": description or f"About {name}.", **fields}


def organisation(name, kind="charity", status=VERIFIED, areas=("city-of-edinburgh",), number=None,
                 description=None, **fields):
    return Organisation(**organisation_values(name, kind, status, number, description, **fields),
                        areas=[OrganisationArea(area=a) for a in areas])


def membership_values(user_id, organisation_id, role=MEMBER, status=ACTIVE, **fields):
    return {"user_id": user_id, "organisation_id": organisation_id, "role": role, "status": status,
            **fields}


def membership(user_id, organisation_id, role=MEMBER, status=ACTIVE, **fields):
    return Membership(**membership_values(user_id, organisation_id, role, status, **fields))


# Programmes ----------------------------------------------------------------------------


def programme(slug, lead_body_id, lead_interface_id, title=None, summary="", areas=(), outcomes=(),
              **fields):
    """A programme with its areas and agreed outcomes; its cycle comes from
    psp.cycles.services.start_cycle."""
    return Programme(slug=slug, title=title or slug.replace("-", " ").capitalize(), summary=summary,
                     lead_body_id=lead_body_id, lead_interface_id=lead_interface_id,
                     areas=[ProgrammeArea(area=a) for a in areas],
                     outcomes=[Outcome(position=n, title=t) for n, t in enumerate(outcomes, start=1)],
                     **fields)


def outcome(programme_id, position, title):
    return Outcome(programme_id=programme_id, position=position, title=title)


def role(programme_id, user_id, role):
    return ProgrammeRole(programme_id=programme_id, user_id=user_id, role=role)


def participation_values(programme_id, organisation_id, status=ADMITTED, **fields):
    return {"programme_id": programme_id, "organisation_id": organisation_id, "status": status,
            **fields}


def participation(programme_id, organisation_id, status=ADMITTED, **fields):
    return Participation(**participation_values(programme_id, organisation_id, status, **fields))


# What a stage holds --------------------------------------------------------------------


def action_values(cycle_id, planned_in_id, organisation_id, title, due_on, status=PLANNED, **fields):
    return {"cycle_id": cycle_id, "planned_in_id": planned_in_id, "organisation_id": organisation_id,
            "title": title, "due_on": due_on, "status": status, **fields}


def action(cycle_id, planned_in_id, organisation_id, title, due_on, status=PLANNED, **fields):
    return Action(**action_values(cycle_id, planned_in_id, organisation_id, title, due_on, status,
                                  **fields))


def decision(stage_id, title, detail="", **fields):
    return Decision(stage_id=stage_id, title=title, detail=detail, **fields)


def question(stage_id, text, detail="", **fields):
    return Question(stage_id=stage_id, text=text, detail=detail, **fields)


# Meetings ------------------------------------------------------------------------------


def meeting_values(programme_id, title, starts_at, hours=2, audience=PUBLIC, **fields):
    return {"programme_id": programme_id, "title": title, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours), "audience": audience, **fields}


def meeting(programme_id, title, starts_at, hours=2, audience=PUBLIC, **fields):
    return Meeting(**meeting_values(programme_id, title, starts_at, hours, audience, **fields))


def booking_values(meeting_id, user_id, status=BOOKED, requested_at=None, **fields):
    return {"meeting_id": meeting_id, "user_id": user_id, "status": status,
            "requested_at": requested_at or utcnow(), **fields}


def booking(meeting_id, user_id, status=BOOKED, requested_at=None, **fields):
    return Booking(**booking_values(meeting_id, user_id, status, requested_at, **fields))


# Views ---------------------------------------------------------------------------------


def view_values(programme_id, stage_id, organisation_id, title, body=None, *, status="received",
                audience="partners", author_id=None, submitted_at=None, answered_at=None, **fields):
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


def view(programme_id, stage_id, organisation_id, title, body=None, **fields):
    return Contribution(**view_values(programme_id, stage_id, organisation_id, title, body, **fields))


def view_tags(contribution_id, communities=(), areas=()):
    """The view's communities and areas: (ContributionCommunity values, ContributionArea values)."""
    return ([{"contribution_id": contribution_id, "community": c} for c in communities],
            [{"contribution_id": contribution_id, "area": a} for a in areas])


def response_values(contribution_id, status, text, reason="", responder_id=None, created_at=None):
    return {"contribution_id": contribution_id, "status": status, "text": text, "reason": reason,
            "responder_id": responder_id, "created_at": created_at or utcnow()}


def response(contribution_id, status, text, reason="", responder_id=None, created_at=None):
    return Response(**response_values(contribution_id, status, text, reason, responder_id, created_at))


# Updates -------------------------------------------------------------------------------


def update(programme_id, author_id, title, body="", audience=PUBLIC):
    return Update(programme_id=programme_id, author_id=author_id, title=title, body=body,
                  audience=audience)
