"""Views given outside the service (on paper, by phone, at events), recorded by coordinators.

Once recorded, a view is like any other: answered, linked to what it shaped, counted. What is
kept besides is where it came from and who gave it, and an email address only with consent,
forgotten 30 days after the answer.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from psp import audit, policy
from psp.auth.models import User
from psp.contributions.models import (
    EVENT,
    GIVERS,
    GROUP,
    PARTNER,
    PREVIEW,
    RECEIVED,
    SOURCES,
    Contribution,
    ViewImport,
)
from psp.contributions.services import check_place, set_tags
from psp.errors import Refused
from psp.extensions import db
from psp.places import AREAS, ORGANISATION_KINDS
from psp.programmes.models import ADMITTED, Participation, Programme
from psp.timeutil import london, utcnow

CONTACT_KEPT_DAYS = 30


@dataclass
class Recording:
    """What a coordinator typed: the view, and where and from whom it came."""

    stage_id: int | None
    question_id: int | None
    meeting_id: int | None
    title: str
    body: str
    communities: list[str]
    areas: list[str]
    audience: str
    source: str
    given_on: date | None
    giver: str
    given_where: str = ""
    organisation_id: int | None = None
    group_name: str = ""
    group_kind: str = ""
    group_area: str = ""
    people: int | None = None
    contact_email: str = ""
    consent: bool = False


def partners(programme: Programme) -> list[tuple[int, str]]:
    """The programme's partner organisations, for "who gave it"."""
    from psp.organisations.models import Organisation

    return [(row.id, row.name) for row in db.session.execute(
        select(Organisation.id, Organisation.name).join(
            Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.programme_id == programme.id, Participation.status == ADMITTED)
        .order_by(Organisation.name))]


def _holder(programme: Programme, given: Recording) -> int:
    """The organisation the view is held under: the partner that gave it, else the lead interface."""
    if given.giver != PARTNER:
        return programme.lead_interface_id
    admitted = db.session.scalar(select(Participation.id).where(
        Participation.programme_id == programme.id, Participation.organisation_id == given.organisation_id,
        Participation.status == ADMITTED))
    if given.organisation_id is None or admitted is None:
        raise Refused("Select a partner organisation of this programme", field="organisation")
    return given.organisation_id


def _check(given: Recording) -> None:
    """Rules the form checks too; checked again here because a service may be called without it."""
    if given.source not in SOURCES:
        raise Refused("Select where the view came from", field="source")
    if given.giver not in GIVERS:
        raise Refused("Select who gave the view", field="giver")
    if given.given_on is None or given.given_on > london(utcnow()).date():
        raise Refused("The date it was given must be today or in the past", field="given_on")
    if given.giver == GROUP and not given.group_name:
        raise Refused("Enter the name of the group or organisation", field="group_name")
    if given.group_kind and given.group_kind not in ORGANISATION_KINDS:
        raise Refused("Select a kind of group from the list", field="group_kind")
    if given.group_area and given.group_area not in AREAS:
        raise Refused("Select an area from the list", field="group_area")
    if given.giver == EVENT and not (given.people and given.people > 0):
        raise Refused("Enter how many people took part, as a whole number of 1 or more", field="people")
    if given.contact_email and not given.consent:
        raise Refused("Confirm the person agreed to be emailed about the answer, or leave the email "
                      "address out", field="consent")


def record(person: User, programme: Programme, given: Recording) -> Contribution:
    """A view given outside the service, entered as received: it waits for an answer at once."""
    if not policy.can_record_view(person, programme):
        raise Refused("Only the programme's coordinators record views")
    _check(given)
    organisation_id = _holder(programme, given)
    check_place(person, programme, given.stage_id, given.question_id, given.meeting_id)
    now = utcnow()
    group = given.giver == GROUP
    contribution = Contribution(
        programme_id=programme.id, author_id=person.id, organisation_id=organisation_id,
        stage_id=given.stage_id, question_id=given.question_id, meeting_id=given.meeting_id,
        title=given.title, body=given.body, audience=given.audience, status=RECEIVED, submitted_at=now,
        source=given.source, given_on=given.given_on, given_where=given.given_where or None,
        giver=given.giver, group_name=given.group_name if group else None,
        group_kind=(given.group_kind or None) if group else None,
        group_area=(given.group_area or None) if group else None,
        people=given.people if given.giver == EVENT else None,
        contact_email=given.contact_email or None, contact_consent_at=now if given.contact_email else None)
    db.session.add(contribution)
    db.session.flush()
    set_tags(contribution, given.communities, given.areas)
    audit.record("view.recorded", contribution, actor=person, programme_id=programme.id,
                 source=given.source, giver=given.giver, contact=bool(given.contact_email))
    db.session.commit()
    return contribution


def forget_contacts() -> int:
    """Email addresses of views answered more than 30 days ago are deleted, and spreadsheets
    previewed but never imported within a day (they hold other people's views). Run daily from cron."""
    stale = cast(CursorResult[Any], db.session.execute(
        delete(ViewImport).where(ViewImport.status == PREVIEW,
                                 ViewImport.created_at < utcnow() - timedelta(days=1))
        .execution_options(synchronize_session=False))).rowcount
    if stale:
        audit.record("views.previews_deleted", None, count=stale)
    cutoff = utcnow() - timedelta(days=CONTACT_KEPT_DAYS)
    forgotten = cast(CursorResult[Any], db.session.execute(
        update(Contribution).where(Contribution.contact_email.is_not(None),
                                   Contribution.answered_at.is_not(None), Contribution.answered_at < cutoff)
        .values(contact_email=None, contact_consent_at=None)
        .execution_options(synchronize_session=False))).rowcount
    if forgotten:
        audit.record("views.contacts_forgotten", None, count=forgotten)
    db.session.commit()
    return forgotten
