"""The register of interests: declaring, confirming, withdrawing, the yearly reminder, and what other
pages show of it (partners who may bid, conflicts, the signer's declarations). Each operation commits once."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload

from psp import audit, policy
from psp.auth.models import Person, User
from psp.errors import Refused
from psp.extensions import db
from psp.interests.models import (
    KIND_NAMES,
    MAY_BID,
    NEEDS_DESCRIPTION,
    NONE,
    REMIND_AFTER_DAYS,
    ROLE_ELSEWHERE,
    Declaration,
)
from psp.links import external_url
from psp.notifications.services import notify
from psp.organisations.models import Organisation
from psp.programmes.models import ADMITTED, Participation, Programme, ProgrammeRole
from psp.timeutil import utcnow

NAMES_AN_ORGANISATION = (MAY_BID, ROLE_ELSEWHERE)


def register(programme: Programme) -> Sequence[Declaration]:
    """Every declaration on the programme, with who made it and the organisations it names: one query."""
    return db.session.scalars(
        select(Declaration).where(Declaration.programme_id == programme.id)
        .options(joinedload(Declaration.user), joinedload(Declaration.organisation),
                 joinedload(Declaration.interest_organisation))
        .order_by(Declaration.organisation_id.is_(None), Declaration.id)).all()


def may_bid(programme_id: int) -> set[int]:
    """The organisations declared as possible bidders for the programme's service: one query."""
    return set(db.session.scalars(select(Declaration.interest_organisation_id).where(
        Declaration.programme_id == programme_id, Declaration.kind == MAY_BID).distinct()))


def involved(programme: Programme) -> list[tuple[int, str]]:
    """The organisations involved in the programme (its two leads and its partners), by name."""
    partners = select(Participation.organisation_id).where(
        Participation.programme_id == programme.id, Participation.status == ADMITTED)
    return [(row.id, row.name) for row in db.session.execute(
        select(Organisation.id, Organisation.name).where(or_(
            Organisation.id.in_(partners),
            Organisation.id.in_([programme.lead_body_id, programme.lead_interface_id])))
        .order_by(Organisation.name, Organisation.id))]


def declare(person: User, programme: Programme, data: Mapping[str, Any]) -> Declaration:
    """Add a declaration. ``data``: kind, on_behalf ("" or an organisation id the caller checked with
    policy.can_declare_for), organisation ("" or the organisation named), description."""
    kind = data["kind"]
    on_behalf = int(data["on_behalf"]) if data.get("on_behalf") else None
    named: int | None = None
    if kind == MAY_BID and on_behalf is not None:
        named = on_behalf
    elif kind in NAMES_AN_ORGANISATION:
        choices = dict(involved(programme))
        raw = str(data.get("organisation") or "")
        named = int(raw) if raw.isdigit() and int(raw) in choices else None
        if named is None:
            raise Refused("Select the organisation", field="organisation")
    description = (data.get("description") or "").strip()
    if kind in NEEDS_DESCRIPTION and not description:
        raise Refused("Describe the interest", field="description")
    if kind == NONE:
        description = ""
    now = utcnow()
    declaration = Declaration(programme_id=programme.id, user_id=person.id, organisation_id=on_behalf,
                              kind=kind, interest_organisation_id=named, description=description,
                              declared_at=now, confirmed_at=now)
    db.session.add(declaration)
    db.session.flush()
    audit.record("interest.declared", declaration, actor=person, programme_id=programme.id, kind=kind,
                 organisation_id=on_behalf, named=named)
    db.session.commit()
    policy.forget(person)
    return declaration


def confirm(person: User, programme: Programme) -> int:
    """Confirm that the person's declarations (and those they made for their organisations) still stand:
    the 12 months start again. Returns how many were confirmed."""
    confirmed = cast(CursorResult[Any], db.session.execute(update(Declaration).where(
        Declaration.programme_id == programme.id, Declaration.user_id == person.id)
        .values(confirmed_at=utcnow(), reminded_at=None))).rowcount
    audit.record("interest.confirmed", programme, actor=person, count=confirmed)
    db.session.commit()
    return confirmed


def withdraw(person: User, programme: Programme, declaration: Declaration) -> None:
    audit.record("interest.withdrawn", declaration, actor=person, programme_id=programme.id,
                 kind=declaration.kind)
    db.session.delete(declaration)
    db.session.commit()


def mine(person: User, programme: Programme) -> Sequence[Declaration]:
    return db.session.scalars(select(Declaration).where(
        Declaration.programme_id == programme.id, Declaration.user_id == person.id)
        .options(joinedload(Declaration.organisation), joinedload(Declaration.interest_organisation))
        .order_by(Declaration.id)).all()


def describe(declaration: Declaration) -> str:
    """One line of text for a declaration, as the register shows it."""
    text = KIND_NAMES[declaration.kind]
    if declaration.organisation is not None:
        text = f"For {declaration.organisation.name}: {text[0].lower()}{text[1:]}"
    if declaration.kind == ROLE_ELSEWHERE and declaration.interest_organisation is not None:
        text += f": {declaration.interest_organisation.name}"
    elif declaration.kind == MAY_BID and declaration.organisation is None \
            and declaration.interest_organisation is not None:
        text += f" ({declaration.interest_organisation.name})"
    if declaration.description:
        text += f". {declaration.description}"
    return text


def snapshot(person: User, programme: Programme) -> str:
    """The person's declarations as text, kept on a transition they make (flushes nothing)."""
    lines = [f"- {describe(d)} (confirmed {d.confirmed_at:%-d %B %Y})" for d in mine(person, programme)]
    return "\n".join(lines) if lines else "No declarations on the register."


def conflict_reason(person: User, programme: Programme, organisation: Organisation) -> str:
    """Why a lead may not answer a view from the organisation."""
    if organisation.id in policy.holdings(person).member_of:
        return f"you belong to {organisation.name}"
    return f"you declared an interest in {organisation.name}"


def who_else_can_answer(programme: Programme, organisation_id: int) -> list[User]:
    """The programme's coordinators and NHS leads with no conflict with the organisation: two queries."""
    from psp.organisations.models import ACTIVE, Membership

    members = select(Membership.user_id).where(Membership.organisation_id == organisation_id,
                                               Membership.status == ACTIVE)
    declared = select(Declaration.user_id).where(Declaration.programme_id == programme.id,
                                                 Declaration.interest_organisation_id == organisation_id,
                                                 Declaration.user_id.is_not(None))
    return list(db.session.scalars(
        select(User).join(ProgrammeRole, ProgrammeRole.user_id == User.id).where(
            ProgrammeRole.programme_id == programme.id, User.disabled_at.is_(None),
            User.id.not_in(members), User.id.not_in(declared)).distinct().order_by(User.name, User.id)))


def due_for_reminder(now: datetime | None = None) -> list[tuple[int, int]]:
    cutoff = (now or utcnow()) - timedelta(days=REMIND_AFTER_DAYS)
    return [(int(row[0] or 0), row[1]) for row in db.session.execute(
        select(Declaration.user_id, Declaration.programme_id).where(
            Declaration.user_id.is_not(None), Declaration.reminded_at.is_(None),
            Declaration.confirmed_at < cutoff)
        .group_by(Declaration.user_id, Declaration.programme_id)
        .order_by(Declaration.user_id, Declaration.programme_id))]


def send_reminders(now: datetime | None = None) -> int:
    """Remind everyone whose declarations on a programme are over 11 months old, once per period:
    each person and programme is claimed with a conditional UPDATE in its own transaction, so two
    runs at once never both send. Returns how many reminders were sent."""
    now = now or utcnow()
    due = due_for_reminder(now)
    db.session.rollback()   # end the read
    cutoff = now - timedelta(days=REMIND_AFTER_DAYS)
    sent = 0
    for user_id, programme_id in due:
        claimed = cast(CursorResult[Any], db.session.execute(update(Declaration).where(
            Declaration.user_id == user_id, Declaration.programme_id == programme_id,
            Declaration.reminded_at.is_(None), Declaration.confirmed_at < cutoff)
            .values(reminded_at=now))).rowcount
        if not claimed:   # another run got there first, or they confirmed meanwhile
            db.session.rollback()
            continue
        person = db.session.get(User, user_id)
        programme = db.session.get(Programme, programme_id)
        if person is not None and programme is not None:
            notify([person], "interests", f"Confirm your declarations of interest on {programme.title}",
                   "mail/interests_reminder.txt", url=external_url("interests.index", slug=programme.slug),
                   person=person, programme=programme)
            sent += 1
        db.session.commit()
    return sent


def erase(user_id: int) -> None:
    """On erasure: personal declarations go; those made for an organisation stay, without who made
    them (flushes only; the erasure commits)."""
    db.session.execute(delete(Declaration).where(Declaration.user_id == user_id,
                                                 Declaration.organisation_id.is_(None)))
    db.session.execute(update(Declaration).where(Declaration.user_id == user_id).values(user_id=None))


def answer_conflict(person: User, programme: Programme, contribution: Any) -> tuple[str, list[User]] | None:
    """For a lead who may not answer a view because of a conflict: why, and who else can answer."""
    if (contribution.status == "draft" or contribution.is_recorded
            or not policy.can_answer_views(person, programme)
            or not policy.has_conflict(person, programme, contribution.organisation_id)):
        return None
    return (conflict_reason(person, programme, contribution.organisation),
            who_else_can_answer(programme, contribution.organisation_id))


def own_state(person: Person, slug: str) -> str:
    """The person's own declarations on the programme, which they alone may withdraw (a kept
    register's key, psp.cache.for_audience)."""
    return repr(list(db.session.scalars(
        select(Declaration.id).join(Programme, Programme.id == Declaration.programme_id)
        .where(Programme.slug == slug, Declaration.user_id == person.id,
               Declaration.organisation_id.is_(None))
        .order_by(Declaration.id))))
