"""Organisations and their members: each operation commits once."""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from psp import audit, mail, policy
from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url as _external
from psp.notifications.services import notify
from psp.organisations.models import (
    ACTIVE,
    ADMIN,
    DECLINED,
    MEMBER,
    PENDING,
    REJECTED,
    REQUESTED,
    VERIFIED,
    Membership,
    Organisation,
    OrganisationArea,
)
from psp.slugs import unique_slug

if TYPE_CHECKING:  # programmes import this module
    from psp.programmes.models import Participation
from psp.timeutil import utcnow

# Reading ------------------------------------------------------------------------

def directory(area: str = "", kind: str = "", search: str = "") -> Select[Organisation]:
    """Verified organisations by name, in an area, of a kind, or whose name contains the search."""
    query = select(Organisation).where(Organisation.status == VERIFIED).order_by(
        Organisation.name, Organisation.id)
    if area:
        query = query.where(select(OrganisationArea.organisation_id).where(
            OrganisationArea.organisation_id == Organisation.id,
            OrganisationArea.area == area).exists())
    if kind:
        query = query.where(Organisation.kind == kind)
    if search:
        query = query.where(func.lower(Organisation.name).contains(search.lower(), autoescape=True))
    return query.options(selectinload(Organisation.areas))


def waiting_to_be_verified() -> Select[Organisation]:
    """Pending organisations, oldest first."""
    return select(Organisation).where(Organisation.status == PENDING).order_by(
        Organisation.created_at, Organisation.id).options(selectinload(Organisation.areas))


def partnerships(organisation: Organisation) -> "Sequence[Participation]":
    """The programmes the organisation is an admitted partner of."""
    from psp.programmes.models import ADMITTED, Participation

    return db.session.scalars(select(Participation).where(
        Participation.organisation_id == organisation.id, Participation.status == ADMITTED)).all()


def members(organisation: Organisation) -> tuple[list[Membership], list[Membership]]:
    """(requests to join, members) in the order they came."""
    rows = db.session.scalars(select(Membership).where(
        Membership.organisation_id == organisation.id,
        Membership.status.in_([ACTIVE, REQUESTED])).order_by(Membership.created_at, Membership.id)).all()
    return [m for m in rows if m.status == REQUESTED], [m for m in rows if m.status == ACTIVE]


# Changing -----------------------------------------------------------------------

def _charity_number_taken(number: str | None, except_id: int | None = None) -> bool:
    if not number:
        return False
    query = select(Organisation.id).where(Organisation.charity_number == number)
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


def _set_fields(organisation: Organisation, data: Mapping[str, Any]) -> None:
    organisation.name = data["name"]
    organisation.kind = data["kind"]
    organisation.charity_number = data.get("charity_number") or None
    organisation.website = data.get("website") or None
    organisation.description = data["description"]
    wanted = set(data["areas"])
    organisation.areas = [a for a in organisation.areas if a.area in wanted] + [
        OrganisationArea(area=code) for code in sorted(wanted - set(organisation.area_codes))]


def register_organisation(person: User, data: Mapping[str, Any]) -> Organisation:
    """The person who registers it becomes its admin; it waits to be verified."""
    if _charity_number_taken(data.get("charity_number")):
        raise Refused("An organisation with this charity number is already registered",
                      field="charity_number")
    organisation = Organisation(slug=unique_slug(Organisation, data["name"]), status=PENDING,
                                created_by_id=person.id)
    _set_fields(organisation, data)
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Membership(user_id=person.id, organisation_id=organisation.id, role=ADMIN,
                              status=ACTIVE, decided_at=utcnow()))
    audit.record("organisation.registered", organisation, actor=person, name=organisation.name)
    _commit_or_refuse()
    policy.forget(person)
    return organisation


def update_organisation(person: User, organisation: Organisation, data: Mapping[str, Any]) -> None:
    if _charity_number_taken(data.get("charity_number"), except_id=organisation.id):
        raise Refused("An organisation with this charity number is already registered",
                      field="charity_number")
    _set_fields(organisation, data)
    audit.record("organisation.updated", organisation, actor=person)
    _commit_or_refuse()


def _commit_or_refuse() -> None:
    """The unique index has the last word when two people register the same number at once."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("An organisation with this charity number is already registered",
                      field="charity_number") from None


def _admin_emails(organisation: Organisation) -> Sequence[str]:
    return db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == ADMIN,
               Membership.status == ACTIVE)).all()


def mark_verified(person: User, organisation: Organisation) -> None:
    """Flushes only; the caller tells the admins and commits.

    A conditional UPDATE: of two coordinators deciding at once, the second is refused.
    """
    _decide(person, organisation, VERIFIED, None)
    audit.record("organisation.verified", organisation, actor=person)


def mark_rejected(person: User, organisation: Organisation, reason: str | None) -> None:
    """Flushes only. Its open requests to take part are declined with the same reason:
    an organisation that is not verified cannot be admitted."""
    from psp.programmes import models as programmes  # programmes build on organisations

    _decide(person, organisation, REJECTED, reason)
    audit.record("organisation.rejected", organisation, actor=person, reason=reason)
    open_requests = db.session.scalars(select(programmes.Participation).where(
        programmes.Participation.organisation_id == organisation.id,
        programmes.Participation.status == programmes.REQUESTED)).all()
    for participation in open_requests:
        participation.status, participation.decline_reason = programmes.DECLINED, reason
        participation.decided_by_id, participation.decided_at = person.id, utcnow()
        audit.record("participation.declined", participation, actor=person,
                     programme_id=participation.programme_id, organisation_id=organisation.id,
                     reason=reason, organisation_rejected=True)
    db.session.flush()


def _decide(person: User, organisation: Organisation, status: str, reason: str | None) -> None:
    decided = cast(CursorResult[Any], db.session.execute(update(Organisation).where(
        Organisation.id == organisation.id, Organisation.status == PENDING).values(
        status=status, decided_by_id=person.id, decided_at=utcnow(), rejection_reason=reason)))
    if decided.rowcount != 1:
        raise Refused("This organisation has already been verified or rejected")


def verify(person: User, organisation: Organisation) -> None:
    mark_verified(person, organisation)
    url = _external("organisations.show", slug=organisation.slug)
    notify(_admin_emails(organisation), "organisations", f"{organisation.name} is verified",
           "mail/organisation_verified.txt", url=url, organisation=organisation)
    db.session.commit()


def reject(person: User, organisation: Organisation, reason: str) -> None:
    mark_rejected(person, organisation, reason)
    notify(_admin_emails(organisation), "organisations", f"{organisation.name} was not verified",
           "mail/organisation_rejected.txt", url=_external("organisations.show", slug=organisation.slug),
           organisation=organisation, reason=reason)
    db.session.commit()


def ask_to_join(person: User, organisation: Organisation) -> None:
    existing = db.session.scalar(select(Membership).where(
        Membership.user_id == person.id, Membership.organisation_id == organisation.id))
    if existing is not None and existing.status in (ACTIVE, REQUESTED):
        raise Refused("You have already asked to join, or are a member")
    if existing is None:
        existing = Membership(user_id=person.id, organisation_id=organisation.id)
        db.session.add(existing)
    existing.status, existing.role, existing.created_at = REQUESTED, MEMBER, utcnow()
    db.session.flush()
    audit.record("membership.requested", existing, actor=person, organisation_id=organisation.id)
    for email in _admin_emails(organisation):
        mail.queue(email, f"{person.name} asked to join {organisation.name}",
                   "mail/membership_requested.txt", person=person, organisation=organisation,
                   url=_external("organisations.members", slug=organisation.slug))
    db.session.commit()
    policy.forget(person)


def get_membership(organisation: Organisation, membership_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.organisation_id == organisation.id))


def decide_membership(person: User, membership: Membership, accept: bool) -> None:
    if membership.status != REQUESTED:
        raise Refused("This request has already been decided")
    membership.status = ACTIVE if accept else DECLINED
    membership.decided_at = utcnow()
    audit.record("membership.accepted" if accept else "membership.declined", membership,
                 actor=person, organisation_id=membership.organisation_id)
    mail.queue(membership.user.email,
               f"Your request to join {membership.organisation.name}",
               "mail/membership_decided.txt", membership=membership, accepted=accept)
    db.session.commit()


def make_admin(person: User, membership: Membership) -> None:
    if membership.status != ACTIVE:
        raise Refused("Only members can be made admins")
    if membership.role == ADMIN:
        raise Refused(f"{membership.user.name} is already an admin")
    membership.role = ADMIN
    audit.record("membership.made_admin", membership, actor=person,
                 organisation_id=membership.organisation_id)
    db.session.commit()


def leave(person: User, organisation: Organisation) -> None:
    """The last admin cannot leave. Admin rows are locked first, so two admins
    leaving at once cannot both pass the check (SQLite serialises writes anyway)."""
    admin_ids = db.session.scalars(select(Membership.id).where(
        Membership.organisation_id == organisation.id, Membership.role == ADMIN,
        Membership.status == ACTIVE).with_for_update()).all()
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == person.id, Membership.organisation_id == organisation.id,
        Membership.status == ACTIVE))
    if membership is None:
        raise Refused("You are not a member of this organisation")
    if membership.role == ADMIN and len(admin_ids) <= 1:
        raise Refused("You are the only admin. Make another member an admin before you leave.")
    db.session.delete(membership)
    audit.record("membership.left", organisation, actor=person)
    db.session.commit()
    policy.forget(person)
