"""Programmes, their people and their partners: each operation commits once."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Row, Select, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from psp import audit, mail, policy
from psp.auth.models import User
from psp.errors import Refused, commit_or_refuse
from psp.extensions import db
from psp.links import external_url as _external
from psp.notifications.services import notify
from psp.organisations.models import ACTIVE, ADMIN, PENDING, VERIFIED, Membership, Organisation
from psp.programmes.models import (
    ADMITTED,
    DECLINED,
    REQUESTED,
    ROLE_NAMES,
    Outcome,
    Participation,
    Programme,
    ProgrammeArea,
    ProgrammeRole,
    RoleInvitation,
)
from psp.slugs import unique_slug
from psp.timeutil import utcnow

# An organisation the person administers, and its request to take part (None before it asks).
TakePart = tuple[Organisation, Participation | None]


def shown() -> tuple[Any, ...]:
    """Loader options for a programme's own page: its two leads and its areas."""
    return (joinedload(Programme.lead_body), joinedload(Programme.lead_interface),
            selectinload(Programme.areas))


def listing() -> Select[Programme]:
    """Every programme, by title, for the home page."""
    return select(Programme).order_by(Programme.title, Programme.id)


def partners(programme: Programme) -> Select[Participation]:
    """The programme's admitted partners, by organisation name, for its page."""
    return (select(Participation).where(Participation.programme_id == programme.id,
                                        Participation.status == ADMITTED)
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .order_by(Organisation.name, Participation.id)
            .options(contains_eager(Participation.organisation)))


def lead_choices(kind: str) -> Sequence[Row[int, str]]:
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.status == VERIFIED, Organisation.kind == kind).order_by(Organisation.name)).all()


def create_programme(person: User, data: Mapping[str, Any], outcomes: Sequence[str]) -> Programme:
    from psp.cycles.services import start_cycle  # cycles build on programmes

    lead_body = db.session.get(Organisation, int(data["lead_body"]))
    lead_interface = db.session.get(Organisation, int(data["lead_interface"]))
    if lead_body is None or lead_body.kind != "public-body" or not lead_body.is_verified:
        raise Refused("Select a verified public body", field="lead_body")
    if lead_interface is None or lead_interface.kind != "third-sector-interface" \
            or not lead_interface.is_verified:
        raise Refused("Select a verified third-sector interface", field="lead_interface")
    programme = Programme(
        slug=unique_slug(Programme, data["title"]), title=data["title"], summary=data["summary"],
        strategy=data.get("strategy") or "", lead_body_id=lead_body.id,
        lead_interface_id=lead_interface.id,
        areas=[ProgrammeArea(area=code) for code in sorted(set(data["areas"]))],
        outcomes=[Outcome(position=n, title=text) for n, text in enumerate(outcomes, start=1)])
    db.session.add(programme)
    db.session.flush()
    audit.record("programme.created", programme, actor=person, title=programme.title)
    start_cycle(programme.id, 1, data.get("need") or "", actor=person)
    db.session.commit()
    return programme


def appoint(person: User, programme: Programme, email: str, role: str) -> str:
    """An existing account gets the role now; an unknown address gets an invitation."""
    user = db.session.scalar(select(User).where(User.email == email))
    role_name = ROLE_NAMES[role]
    if user is not None:
        exists = db.session.scalar(select(ProgrammeRole.id).where(
            ProgrammeRole.programme_id == programme.id, ProgrammeRole.user_id == user.id,
            ProgrammeRole.role == role))
        if exists:
            raise Refused(f"{user.name} is already {role_name.lower()} of this programme", field="email")
        db.session.add(ProgrammeRole(programme_id=programme.id, user_id=user.id, role=role))
        audit.record("programme.role_granted", programme, actor=person, user_id=user.id, role=role)
        mail.queue(user.email, f"You are now {role_name.lower()} of {programme.title}",
                   "mail/role_granted.txt", user=user, programme=programme, role_name=role_name,
                   url=_external("programmes.show", slug=programme.slug))
        result = f"{user.name} is now {role_name.lower()}."
    else:
        exists = db.session.scalar(select(RoleInvitation.id).where(
            RoleInvitation.programme_id == programme.id, RoleInvitation.email == email,
            RoleInvitation.role == role, RoleInvitation.accepted_at.is_(None)))
        if exists:
            raise Refused(f"{email} has already been invited as {role_name.lower()}", field="email")
        invitation = RoleInvitation(programme_id=programme.id, email=email, role=role,
                                    invited_by_id=person.id)
        db.session.add(invitation)
        db.session.flush()
        audit.record("programme.role_invited", programme, actor=person, invitation_id=invitation.id,
                     role=role)
        mail.queue(email, f"You are invited to be {role_name.lower()} of {programme.title}",
                   "mail/role_invitation.txt", programme=programme, role_name=role_name,
                   url=_external("auth.register"))
        result = f"We have emailed an invitation to {email}. The role is theirs when they register."
    commit_or_refuse("That person was appointed a moment ago", "email")
    return result


def grant_invitations(user: User) -> int:
    """Called when someone confirms their email: roles waiting for that address become theirs.

    Flushes only; the caller commits.
    """
    invitations = db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.email == user.email, RoleInvitation.accepted_at.is_(None))).all()
    for invitation in invitations:
        invitation.accepted_at = utcnow()
        db.session.add(ProgrammeRole(programme_id=invitation.programme_id, user_id=user.id,
                                     role=invitation.role))
        audit.record("programme.role_granted", invitation, actor=user, user_id=user.id,
                     role=invitation.role, programme_id=invitation.programme_id)
    db.session.flush()
    return len(invitations)


def roles_and_invitations(programme: Programme) -> tuple[Sequence[ProgrammeRole], Sequence[RoleInvitation]]:
    roles = db.session.scalars(select(ProgrammeRole).where(
        ProgrammeRole.programme_id == programme.id).order_by(ProgrammeRole.role, ProgrammeRole.id)
        .options(joinedload(ProgrammeRole.user))).all()
    invitations = db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.programme_id == programme.id, RoleInvitation.accepted_at.is_(None))
        .order_by(RoleInvitation.id)).all()
    return roles, invitations


def take_part_choices(person: User, programme: Programme) -> tuple[list[TakePart], list[TakePart]]:
    """The organisations this person administers, split into those that may ask now and the
    others, each other with its request (or None): one query.

    An organisation may ask while it waits to be verified, and again after a decline.
    """
    rows = db.session.execute(select(Organisation, Participation).join(
        Membership, Membership.organisation_id == Organisation.id).outerjoin(
        Participation, (Participation.organisation_id == Organisation.id)
        & (Participation.programme_id == programme.id)).where(
        Membership.user_id == person.id, Membership.role == ADMIN, Membership.status == ACTIVE)
        .order_by(Organisation.name, Organisation.id)).all()
    may_ask: list[TakePart] = []
    others: list[TakePart] = []
    for organisation, participation in rows:
        if policy.can_put_forward(person, programme, organisation, participation):
            may_ask.append((organisation, participation))
        else:
            others.append((organisation, participation))
    return may_ask, others


def ask_to_take_part(person: User, programme: Programme, organisation: Organisation) -> None:
    """Ask now, even while the organisation waits to be verified: the coordinators are told
    which, and verify and admit it in one decision."""
    existing = db.session.scalar(select(Participation).where(
        Participation.programme_id == programme.id,
        Participation.organisation_id == organisation.id))
    if existing is not None and existing.status in (REQUESTED, ADMITTED):
        raise Refused(f"{organisation.name} has already asked or is a partner", field="organisation")
    if existing is None:
        existing = Participation(programme_id=programme.id, organisation_id=organisation.id)
        db.session.add(existing)
    existing.status, existing.requested_by_id = REQUESTED, person.id
    existing.decline_reason, existing.created_at = None, utcnow()
    existing.decided_by_id = existing.decided_at = None
    db.session.flush()
    audit.record("participation.requested", existing, actor=person, programme_id=programme.id,
                 organisation_id=organisation.id, organisation_verified=organisation.is_verified)
    template = ("mail/participation_requested.txt" if organisation.is_verified
                else "mail/participation_requested_unverified.txt")
    for coordinator in coordinators(programme):
        mail.queue(coordinator.email, f"{organisation.name} asks to join {programme.title}",
                   template, organisation=organisation, programme=programme,
                   url=_external("programmes.requests", slug=programme.slug))
    commit_or_refuse(f"{organisation.name} has already asked", "organisation")


def coordinators(programme: Programme) -> Sequence[User]:
    return db.session.scalars(select(User).join(ProgrammeRole, ProgrammeRole.user_id == User.id).where(
        ProgrammeRole.programme_id == programme.id, ProgrammeRole.role == "coordinator")).all()


def open_requests(programme: Programme, limit: int = 100) -> Sequence[Participation]:
    """Requests waiting for a decision, oldest first, with what the page shows loaded:
    a fixed number of queries however many there are."""
    return db.session.scalars(select(Participation).where(
        Participation.programme_id == programme.id, Participation.status == REQUESTED)
        .options(joinedload(Participation.organisation).selectinload(Organisation.areas),
                 selectinload(Participation.requested_by))
        .order_by(Participation.created_at, Participation.id).limit(limit)).all()


def get_request(programme: Programme, participation_id: int) -> Participation | None:
    return db.session.scalar(select(Participation).where(
        Participation.id == participation_id, Participation.programme_id == programme.id)
        .options(joinedload(Participation.organisation), joinedload(Participation.programme)))


def decide(person: User, participation: Participation, admit: bool, reason: str | None = None) -> None:
    """Admit or decline a request from a verified organisation."""
    organisation = participation.organisation
    if admit and not organisation.is_verified:
        raise Refused(f"{organisation.name} is waiting to be verified: verify and admit it, or reject it")
    _settle(person, participation, admit, reason)
    notify(_admin_emails(organisation), "partnerships",
           f"{organisation.name} and {participation.programme.title}",
           "mail/participation_decided.txt", participation=participation, admitted=admit,
           url=_external("programmes.show", slug=participation.programme.slug))
    db.session.commit()
    policy.forget(person)


def verify_and_decide(person: User, participation: Participation, admit: bool,
                      reason: str | None = None) -> None:
    """One decision on a request from an organisation waiting to be verified: verify it and
    admit it, or reject it (not verified, so the request is declined) with the reason.

    One transaction, audited, and one email to its admins rather than two.
    """
    from psp.organisations import services as organisation_services

    organisation, programme = participation.organisation, participation.programme
    if participation.status != REQUESTED:
        raise Refused("This request has already been decided")
    if organisation.status != PENDING:
        raise Refused(f"{organisation.name} was verified or rejected a moment ago: "
                      "decide its request as it stands now")
    try:
        _settle(person, participation, admit, reason)
        if admit:
            organisation_services.mark_verified(person, organisation)
        else:
            organisation_services.mark_rejected(person, organisation, reason)
    except Refused as refusal:
        db.session.rollback()
        raise Refused(str(refusal)) from None
    url = (_external("programmes.show", slug=programme.slug) if admit
           else _external("organisations.show", slug=organisation.slug))
    subject = (f"{organisation.name} is verified and a partner in {programme.title}" if admit
               else f"{organisation.name} was not verified")
    notify(_admin_emails(organisation), "partnerships", subject,
           "mail/participation_verified_decided.txt", organisation=organisation,
           programme=programme, admitted=admit, reason=reason, url=url)
    db.session.commit()
    policy.forget(person)


def _settle(person: User, participation: Participation, admit: bool, reason: str | None) -> None:
    """Flushes only. A conditional UPDATE: of two coordinators deciding at once, the second
    is refused rather than deciding again."""
    settled = cast(CursorResult[Any], db.session.execute(update(Participation).where(
        Participation.id == participation.id, Participation.status == REQUESTED).values(
        status=ADMITTED if admit else DECLINED, decline_reason=None if admit else reason,
        decided_by_id=person.id, decided_at=utcnow())))
    if settled.rowcount != 1:
        raise Refused("This request has already been decided")
    audit.record("participation.admitted" if admit else "participation.declined", participation,
                 actor=person, programme_id=participation.programme_id,
                 organisation_id=participation.organisation_id, reason=reason)


def _admin_emails(organisation: Organisation) -> Sequence[str]:
    return db.session.scalars(select(User.email).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == organisation.id, Membership.role == ADMIN,
        Membership.status == ACTIVE)).all()
