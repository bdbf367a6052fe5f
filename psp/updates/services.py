"""Posting updates, and which ones a person sees (public, or partners-only for those inside)."""

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from sqlalchemy import Select, func, or_, select

from psp import audit, policy
from psp.auth.models import Person, User
from psp.extensions import db
from psp.links import external_url
from psp.notifications.services import notify
from psp.organisations.models import ACTIVE, Membership
from psp.programmes.models import ADMITTED, Participation, Programme, ProgrammeRole
from psp.text import render_markdown
from psp.updates.models import PUBLIC, Update

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def visible(person: Person, programme: Programme) -> Select[Update]:
    query = select(Update).where(Update.programme_id == programme.id)
    if not policy.can_see_partner_items(person, programme):
        query = query.where(Update.audience == PUBLIC)
    return query.order_by(Update.posted_at.desc(), Update.id.desc())


def get_update(update_id: int) -> tuple[Programme | None, Update | None]:
    """(programme, update) for the update id, or (None, None): one query."""
    row = db.session.execute(select(Update, Programme).join(Programme, Programme.id == Update.programme_id)
                             .where(Update.id == update_id)).first()
    return (row[1], row[0]) if row else (None, None)


def latest(person: Person, programme: Programme, limit: int) -> Sequence[Update]:
    """The newest updates the person may see, for the programme page and the feed."""
    return db.session.scalars(visible(person, programme).limit(limit)).all()


def last_changed(programme: Programme) -> datetime:
    """When the programme's updates last changed, partners-only ones included, so that a public
    update turned partners-only also makes the visitor's feed newer (the feed's Last-Modified)."""
    newest = db.session.scalar(select(func.max(Update.updated_at)).where(Update.programme_id == programme.id))
    return newest or programme.created_at


def post(person: User, programme: Programme, title: str, body: str, audience: str,
         update: Update | None = None) -> Update:
    """A new update (update is None) or a change to one."""
    new = update is None
    if update is None:
        update = Update(programme_id=programme.id, author_id=person.id)
        db.session.add(update)
    update.title, update.body, update.audience = title, body, audience
    db.session.flush()
    audit.record("update.posted" if new else "update.changed", update,
                 actor=person, programme_id=programme.id, audience=audience)
    if new:
        notify([p for p in _insiders(programme) if p.id != person.id], "updates",
               f"{programme.title}: {update.title}", "mail/update_posted.txt", programme=programme,
               update=update, url=external_url("updates.show", update_id=update.id))
    db.session.commit()
    return update


def _insiders(programme: Programme) -> Sequence[User]:
    """Members of partner organisations, and the programme's coordinators and NHS leads."""
    partners = select(Participation.organisation_id).where(Participation.programme_id == programme.id,
                                                           Participation.status == ADMITTED)
    members = select(Membership.user_id).where(Membership.organisation_id.in_(partners),
                                               Membership.status == ACTIVE)
    leads = select(ProgrammeRole.user_id).where(ProgrammeRole.programme_id == programme.id)
    return db.session.scalars(select(User).where(or_(User.id.in_(members), User.id.in_(leads)),
                                                 User.disabled_at.is_(None)).order_by(User.id)).all()


def _when(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"   # stored in UTC


def atom(programme: Programme, updates: Sequence[Update]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of the given updates, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    page = external_url("updates.index", slug=programme.slug)
    add(feed, "id", page)
    add(feed, "title", f"{programme.title}: updates")
    add(feed, "updated", _when(max((u.updated_at for u in updates), default=programme.created_at)))
    add(feed, "link", href=page, rel="alternate", type="text/html")
    add(feed, "link", href=external_url("updates.feed", slug=programme.slug), rel="self",
        type="application/atom+xml")
    add(add(feed, "author"), "name", programme.title)
    for update in updates:
        entry = add(feed, "entry")
        url = external_url("updates.show", update_id=update.id)
        add(entry, "id", url)
        add(entry, "title", update.title)
        add(entry, "published", _when(update.posted_at))
        add(entry, "updated", _when(update.updated_at))
        add(entry, "link", href=url, rel="alternate", type="text/html")
        add(entry, "content", str(render_markdown(update.body)), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
