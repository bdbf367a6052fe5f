"""Telling people about events: a notification row always, an email as each person prefers.

notify() only adds to the caller's unit of work, so the notification commits (or not)
with the event that caused it. Digests claim each person's pending items with one
conditional UPDATE, so two senders at once never send an item twice or skip one.
"""

import secrets
from collections.abc import Collection, Iterable, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from psp import mail
from psp.auth.models import Person, User
from psp.extensions import db
from psp.links import external_url
from psp.notifications.models import (
    DIGEST,
    IMMEDIATE,
    KINDS,
    NONE,
    PENDING,
    SENT,
    Notification,
    NotificationPreference,
)
from psp.pagination import Page, paginate
from psp.timeutil import utcnow


def deliveries(user_ids: Collection[int]) -> dict[int, dict[str, str]]:
    """{user id: {kind: delivery}} for the people given: one query."""
    found: dict[int, dict[str, str]] = {}
    if user_ids:
        for row in db.session.scalars(select(NotificationPreference).where(
                NotificationPreference.user_id.in_(sorted(set(user_ids))))):
            found.setdefault(row.user_id, {})[row.kind] = row.delivery
    return found


def preferences(person: User) -> dict[str, str]:
    """{kind: delivery} the person chose; kinds they never chose are left out."""
    return dict(deliveries([person.id]).get(person.id, {}))


def notify(recipients: Iterable[User | str], kind: str, subject: str, template: str, url: str = "",
           attachment: tuple[str, str, str] | None = None,
           chosen: Mapping[int, Mapping[str, str]] | None = None, **context: Any) -> None:
    """Tell people (accounts, or email addresses) about something; flushes only.

    An address with no account (an invitation, say) is simply emailed. A caller that
    tells several people one by one (each email differs) passes ``chosen``, their
    deliveries() read once, rather than one query per person.
    """
    assert kind in KINDS, kind
    people = [r for r in recipients if not isinstance(r, str)]
    addresses = [r for r in recipients if isinstance(r, str)]
    if addresses:
        people += db.session.scalars(select(User).where(User.email.in_(addresses))).all()
        known = {p.email for p in people}
        for address in dict.fromkeys(addresses):
            if address not in known:
                mail.queue(address, subject, template, attachment=attachment, url=url, **context)
    people = [p for p in {p.id: p for p in people}.values() if p.disabled_at is None]
    if chosen is None:
        chosen = deliveries([p.id for p in people])
    for person in people:
        delivery = chosen.get(person.id, {}).get(kind, IMMEDIATE)
        db.session.add(Notification(user_id=person.id, kind=kind, title=subject[:300], url=_path(url),
                                    digest=PENDING if delivery == DIGEST else NONE))
        if delivery == IMMEDIATE:
            mail.queue(person.email, subject, template, attachment=attachment, url=url, **context)


def _path(url: str | None) -> str:
    """Links in the centre stay on whichever address the person is using."""
    parts = urlsplit(url or "")
    return (parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment
                                                                         else ""))[:500]


def unread_count(person: Person) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == person.id, Notification.read_at.is_(None))) or 0


def page(person: User, raw_page: str | None) -> Page[Notification]:
    return paginate(select(Notification).where(Notification.user_id == person.id)
                    .order_by(Notification.id.desc()), raw_page)


def mark_all_read(person: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == person.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


def save_preferences(person: User, chosen: Mapping[str, str]) -> None:
    """chosen: {kind: delivery}; a person with no row gets email at once."""
    existing = {p.kind: p for p in db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == person.id))}
    for kind in KINDS:
        delivery = chosen.get(kind, IMMEDIATE)
        if kind in existing:
            existing[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=person.id, kind=kind, delivery=delivery))
    db.session.commit()


def send_digests(limit: int = 1000) -> int:
    """Queue one digest email per person with pending items; returns how many were queued."""
    people = db.session.scalars(select(Notification.user_id).where(Notification.digest == PENDING)
                                .distinct().order_by(Notification.user_id).limit(limit)).all()
    db.session.rollback()   # end the read; each person's digest is its own transaction
    queued = 0
    for user_id in people:
        claim = secrets.token_hex(16)
        claimed = cast(CursorResult[Any], db.session.execute(update(Notification).where(
            Notification.user_id == user_id, Notification.digest == PENDING)
            .values(digest=SENT, digest_claim=claim))).rowcount
        if not claimed:   # another sender got there first
            db.session.rollback()
            continue
        items = db.session.scalars(select(Notification).where(Notification.digest_claim == claim)
                                   .order_by(Notification.id)).all()
        person = db.session.get(User, user_id)
        if person is not None and person.disabled_at is None:
            subject = f"Your daily digest: {len(items)} new notification" + ("" if len(items) == 1 else "s")
            mail.queue(person.email, subject, "mail/digest.txt", person=person, items=items,
                       url=external_url("notifications.index"),
                       base_url=current_app.config["BASE_URL"].rstrip("/"))
            queued += 1
        db.session.commit()
    return queued

