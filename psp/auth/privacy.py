"""People's data rights: everything held about a person, as JSON; and erasing their account.

EXPORT names every table that points at a person (a user id, or their email address).
A test compares it with the models, so a new model with a user reference fails the
suite until it is added here (and, if it holds personal details, to erase()).
"""

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, cast, delete, func, or_, select, update

from psp import audit
from psp.auth.models import Passkey, RecoveryCode, SecondFactor, User, UserSession
from psp.errors import Refused
from psp.extensions import db
from psp.timeutil import utcnow

# table -> the columns that hold the person's id; BY_EMAIL: tables found by email address.
EXPORT = {
    "user_sessions": ["user_id"],
    "second_factors": ["user_id"],
    "recovery_codes": ["user_id"],
    "passkeys": ["user_id"],
    "memberships": ["user_id"],
    "programme_roles": ["user_id"],
    "bookings": ["user_id"],
    "contributions": ["author_id"],
    "contribution_revisions": ["replaced_by_id"],
    "responses": ["responder_id"],
    "updates": ["author_id"],
    "organisations": ["created_by_id", "decided_by_id"],
    "participations": ["requested_by_id", "decided_by_id"],
    "role_invitations": ["invited_by_id"],
    "actions": ["created_by_id"],
    "decisions": ["created_by_id"],
    "questions": ["created_by_id"],
    "meetings": ["created_by_id"],
    "stage_transitions": ["actor_id"],
    "outcome_measures": ["recorded_by_id"],
    "audit_entries": ["actor_id"],
    "notifications": ["user_id"],
    "notification_preferences": ["user_id"],
    "view_imports": ["created_by_id"],
    "documents": ["uploaded_by_id"],
    "document_versions": ["uploaded_by_id"],
    "format_requests": ["requester_id", "sent_by_id"],
    "minutes_agreements": ["user_id"],
    "minutes_corrections": ["author_id", "decided_by_id"],
    "engagement_plans": ["created_by_id"],
    "engagement_reviews": ["finished_by_id"],
    "engagement_assessments": ["updated_by_id"],
    "engagement_partner_ratings": ["author_id"],
    "discussions": ["author_id", "closed_by_id"],
    "discussion_messages": ["author_id", "hidden_by_id"],
    "discussion_readers": ["user_id"],
    "discussion_reports": ["reporter_id", "decided_by_id"],
    "declarations": ["user_id"],
}
BY_EMAIL = {"outbox_messages": "recipient", "role_invitations": "email"}
# Secrets (a passkey's key material and counter too), and a spreadsheet
# of other people's views waiting for its import: not the person's information.
# Where a file is stored is the service's business, not information about the person.
NEVER = {("users", "password_hash"), ("user_sessions", "id"), ("view_imports", "content"),
         ("second_factors", "secret"), ("recovery_codes", "code_hash"),
         ("passkeys", "credential_id"), ("passkeys", "public_key"), ("passkeys", "sign_count"),
         ("passkeys", "transports"),
         ("documents", "storage_key"), ("document_versions", "storage_key")}
ERASED_NAME = "Former member"
# A correction to minutes keeps its text when its author goes, and reads as "a former participant".
# Messages in discussions keep their text too (written for the organisation's partnership work), under
# "Former member"; what they follow and have read goes, and "@Their Name" in others' messages is removed.


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _rows(table: Table, condition: ColumnElement[bool]) -> list[dict[str, object]]:
    columns = [c for c in table.columns if (table.name, c.name) not in NEVER]
    result = db.session.execute(select(*columns).where(condition).order_by(*table.primary_key.columns))
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in result]


def export(person: User) -> dict[str, Any]:
    """Every row that refers to the person, table by table."""
    tables = db.metadata.tables
    found: dict[str, Any] = {"account": _rows(tables["users"], tables["users"].c.id == person.id)[0],
             "exported_at": utcnow().isoformat()}
    for name, columns in EXPORT.items():
        table = tables[name]
        condition = or_(*[table.c[column] == person.id for column in columns])
        if name in BY_EMAIL:
            condition = or_(condition, table.c[BY_EMAIL[name]] == person.email)
        found[name] = _rows(table, condition)
    for name, column in BY_EMAIL.items():
        if name not in EXPORT:
            found[name] = _rows(tables[name], tables[name].c[column] == person.email)
    return found


def blockers(person: User) -> list[str]:
    """Organisations that would be left with members but no admin."""
    from psp.organisations.models import ACTIVE, ADMIN, Membership, Organisation

    mine = select(Membership.organisation_id).where(Membership.user_id == person.id,
                                                    Membership.status == ACTIVE, Membership.role == ADMIN)
    others = db.session.execute(
        select(Organisation.name, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Organisation.id.in_(mine), Membership.user_id != person.id, Membership.status == ACTIVE)).all()
    orgs: dict[str, bool] = {}
    for name, role in others:
        orgs[name] = orgs.get(name, False) or role == ADMIN
    return sorted(name for name, has_admin in orgs.items() if not has_admin)


def erase(person: User) -> None:
    """Erase the person's details; what they did for organisations stays, as "Former member".

    One transaction: places they held go to the next on each waiting list, their
    memberships, roles, sessions and emails go, their name and address are replaced,
    and the audit log records the erasure without the erased details.
    """
    from psp.discussions.models import Message, Reader
    from psp.documents.models import FormatRequest
    from psp.engagement.models import PartnerRating
    from psp.interests.services import erase as erase_declarations
    from psp.mail import OutboxMessage
    from psp.meetings.models import Booking, MinutesCorrection
    from psp.meetings.services import release_places
    from psp.notifications.models import Notification, NotificationPreference
    from psp.organisations.models import Membership
    from psp.programmes.models import ProgrammeRole, RoleInvitation

    stuck = blockers(person)
    if stuck:
        raise Refused("Make someone else an admin of " + ", ".join(stuck) + " first, so it is not left "
                      "without one.", field="password")
    person = db.session.scalars(select(User).where(User.id == person.id).with_for_update()).one()
    email = person.email
    release_places(person)
    db.session.execute(update(Booking).where(Booking.user_id == person.id).values(
        access_needs="", access_other=""))
    db.session.execute(update(MinutesCorrection).where(MinutesCorrection.author_id == person.id).values(
        author_id=None))
    # A rating of the engagement is their organisation's: it stays, without who wrote it.
    db.session.execute(update(PartnerRating).where(PartnerRating.author_id == person.id).values(
        author_id=None))
    # Declarations of interest: their own go; those made for an organisation are the organisation's
    # and stay on the register, without who made them.
    erase_declarations(person.id)
    db.session.execute(delete(Membership).where(Membership.user_id == person.id))
    db.session.execute(delete(ProgrammeRole).where(ProgrammeRole.user_id == person.id))
    db.session.execute(delete(RoleInvitation).where(RoleInvitation.email == email))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == email))
    db.session.execute(delete(UserSession).where(UserSession.user_id == person.id))
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == person.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == person.id))
    db.session.execute(delete(Passkey).where(Passkey.user_id == person.id))
    db.session.execute(delete(Notification).where(Notification.user_id == person.id))
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == person.id))
    db.session.execute(delete(FormatRequest).where(FormatRequest.requester_id == person.id))
    db.session.execute(delete(Reader).where(Reader.user_id == person.id))
    if person.name.strip():
        named = f"@{person.name.strip()}"
        db.session.execute(update(Message).where(Message.body.contains(named, autoescape=True)).values(
            body=func.replace(Message.body, named, f"@{ERASED_NAME}")).execution_options(
            synchronize_session=False))
    _scrub_audit(person.id, email)
    person.name, person.email = ERASED_NAME, f"erased-{person.id}@erased.invalid"
    person.password_hash = "erased:" + secrets.token_hex(16)   # matches no password
    person.email_confirmed_at, person.last_signed_in_at = None, None
    person.is_site_admin = False
    person.disabled_at = utcnow()
    person.session_version += 1
    audit.record("account.erased", person, actor=person).ip_address = None
    db.session.commit()


def _scrub_audit(user_id: int, email: str) -> None:
    """Keep what happened and when; drop the details and addresses that name the person."""
    from psp.audit import AuditEntry

    entries = db.session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user_id,
        (AuditEntry.target_type == "User") & (AuditEntry.target_id == user_id)))).all()
    for entry in entries:
        entry.details, entry.ip_address = {"erased": True}, None
    # Failed sign-ins and the like may name the address without pointing at the account.
    naming = select(AuditEntry).where(cast(AuditEntry.details, Text).contains(email, autoescape=True))
    for entry in db.session.scalars(naming):
        entry.details, entry.ip_address = {"erased": True}, None
