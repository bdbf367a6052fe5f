"""Discussions: who sees which, starting and replying, editing and withdrawing, reports and
moderation, following and unread markers, and turning a message into a draft view.

Each change is one unit of work: it writes the records, the audit entry and the notifications,
and commits once. Changes to a message are conditional UPDATEs on its status, so a moderator's
hide and its author's edit or withdrawal never both win: whichever lands second sees the other's
result and is refused (or, for the hide, finds nothing left to hide).
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from psp import audit, policy
from psp.auth.models import Person, User
from psp.contributions.models import DRAFT, SHARED, Contribution
from psp.cycles.models import Question, Stage
from psp.discussions.models import (
    COORDINATOR,
    DISMISSED,
    EDIT_MINUTES,
    HIDDEN,
    NHS_LEAD,
    OPEN,
    PARTNER,
    PUBLIC,
    SHOWN,
    UPHELD,
    WITHDRAWN,
    Discussion,
    Mention,
    Message,
    Reader,
    Report,
)
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url
from psp.meetings.models import Meeting
from psp.notifications.services import notify
from psp.organisations.models import ACTIVE, Membership, Organisation
from psp.pagination import PAGE_SIZE, Page, paginate
from psp.programmes.models import ADMITTED, Participation, Programme, ProgrammeRole
from psp.timeutil import utcnow

MESSAGES_PER_PAGE = 50
ACTIVE_DAYS = 30      # "most active": most messages in this many days
CLOSED = "This discussion is closed to new replies"
HIDDEN_WHILE_EDITING = ("This message was hidden by the coordinator while you were changing it, so your "
                        "change was not saved")
EDIT_OVER = f"Messages can be changed for {EDIT_MINUTES} minutes after posting; this one is now fixed"


# What people see ---------------------------------------------------------------------

def _audience(person: Person, programme: Programme) -> ColumnElement[bool] | None:
    """None when the person sees every discussion of the programme."""
    return None if policy.can_see_partner_items(person, programme) else Discussion.audience == PUBLIC


def visible(person: Person, programme: Programme) -> Select[Discussion]:
    query = select(Discussion).where(Discussion.programme_id == programme.id)
    condition = _audience(person, programme)
    return query if condition is None else query.where(condition)


@dataclass
class Filters:
    q: str = ""
    stage: int | None = None
    meeting: int | None = None
    question: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.stage or self.meeting or self.question)

    def as_args(self) -> dict[str, object]:
        return {k: v for k, v in (("q", self.q), ("stage", self.stage), ("meeting", self.meeting),
                                  ("question", self.question)) if v}


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 2**31 else None


def filters_from(args: Any, q: str) -> Filters:
    return Filters(q=q, stage=_number(args.get("stage")), meeting=_number(args.get("meeting")),
                   question=_number(args.get("question")))


def _filtered(query: Select[Any], filters: Filters) -> Select[Any]:
    if filters.stage:
        query = query.where(Discussion.stage_id == filters.stage)
    if filters.meeting:
        query = query.where(Discussion.meeting_id == filters.meeting)
    if filters.question:
        query = query.where(Discussion.question_id == filters.question)
    if filters.q:
        said = exists().where(Message.discussion_id == Discussion.id, Message.status == SHOWN,
                              Message.body.icontains(filters.q, autoescape=True))
        query = query.where(or_(Discussion.title.icontains(filters.q, autoescape=True), said))
    return query


@dataclass
class Listed:
    discussion: Discussion
    unread: int          # messages the person has not seen; 0 for visitors
    following: bool


@dataclass
class DiscussionPage:
    items: list[Listed]
    total: int
    after: str | None    # cursor for the next (older activity) page
    first: bool          # this is the first page


def _cursor(discussion: Discussion) -> str:
    return f"{discussion.last_message_at.strftime('%Y%m%d%H%M%S%f')}-{discussion.id}"


def _parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw or "-" not in raw or len(raw) > 40:
        return None
    when, _, ident = raw.partition("-")
    try:
        return datetime.strptime(when, "%Y%m%d%H%M%S%f"), int(ident)
    except ValueError:
        return None


def _with_reader(person: Person, query: Select[Any]) -> Select[Any]:
    if not policy.is_signed_in(person):
        return query.add_columns(literal(0), literal(False))
    return (query.outerjoin(Reader, (Reader.discussion_id == Discussion.id) & (Reader.user_id == person.id))
            .add_columns(func.coalesce(Reader.seen_count, 0), func.coalesce(Reader.following, False)))


def _listed(person: Person, rows: Iterable[Any]) -> list[Listed]:
    signed_in = policy.is_signed_in(person)
    return [Listed(d, max(d.message_count - seen, 0) if signed_in else 0, bool(following))
            for d, seen, following in rows]


def listing(person: Person, programme: Programme, filters: Filters, raw_after: str | None,
            size: int = PAGE_SIZE) -> DiscussionPage:
    """Newest activity first, by keyset on (last activity, id): a deep page costs what the first
    does. Two queries: the count and the page (one row more than shown, to know if more follow)."""
    query = _filtered(visible(person, programme), filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    after = _parse_cursor(raw_after)
    if after is not None:
        when, ident = after
        query = query.where(or_(Discussion.last_message_at < when,
                                and_(Discussion.last_message_at == when, Discussion.id < ident)))
    rows = db.session.execute(_with_reader(person, query).order_by(
        Discussion.last_message_at.desc(), Discussion.id.desc()).limit(size + 1)).all()
    items = _listed(person, rows[:size])
    return DiscussionPage(items, total, _cursor(items[-1].discussion) if len(rows) > size else None,
                          after is None)


def pinned(person: Person, programme: Programme, limit: int = 5) -> list[Listed]:
    rows = db.session.execute(_with_reader(person, visible(person, programme).where(Discussion.pinned))
                              .order_by(Discussion.last_message_at.desc(), Discussion.id.desc())
                              .limit(limit)).all()
    return _listed(person, rows)


def most_active(person: Person, programme: Programme, limit: int = 3) -> list[Listed]:
    """The discussions with the most messages in the last 30 days, then the latest activity: one query."""
    recent = (select(Message.discussion_id, func.count().label("recent"))
              .where(Message.created_at >= utcnow() - timedelta(days=ACTIVE_DAYS))
              .group_by(Message.discussion_id).subquery())
    query = (visible(person, programme).outerjoin(recent, recent.c.discussion_id == Discussion.id)
             .where(Discussion.closed_at.is_(None))
             .order_by(func.coalesce(recent.c.recent, 0).desc(), Discussion.last_message_at.desc(),
                       Discussion.id.desc()).limit(limit))
    return _listed(person, db.session.execute(_with_reader(person, query)).all())


def get_discussion(discussion_id: int) -> tuple[Programme | None, Discussion | None]:
    """(programme, discussion), or (None, None): one query, with what the page shows it is on."""
    row = db.session.execute(
        select(Discussion, Programme).join(Programme, Programme.id == Discussion.programme_id)
        .where(Discussion.id == discussion_id)
        .options(joinedload(Discussion.stage).joinedload(Stage.cycle), joinedload(Discussion.meeting),
                 joinedload(Discussion.question))).first()
    return (row[1], row[0]) if row else (None, None)


def get_message(message_id: int) -> tuple[Programme | None, Discussion | None, Message | None]:
    row = db.session.execute(
        select(Message, Discussion, Programme).join(Discussion, Discussion.id == Message.discussion_id)
        .join(Programme, Programme.id == Discussion.programme_id).where(Message.id == message_id)
        .options(joinedload(Message.author), joinedload(Message.organisation))).first()
    return (row[2], row[1], row[0]) if row else (None, None, None)


def get_report(programme: Programme, report_id: int) -> Report | None:
    """A report of this programme only: an id from another is not found."""
    return db.session.scalar(select(Report).where(Report.id == report_id,
                                                  Report.programme_id == programme.id))


def page_of(message_number: int) -> int:
    return (message_number - 1) // MESSAGES_PER_PAGE + 1


@dataclass
class Thread:
    """One page of a discussion: its messages in order, what each mentions, views made of them,
    and how far the person had read before this visit."""

    messages: list[Message]
    number: int
    pages: int
    mentions: dict[int, list[Organisation]] = field(default_factory=dict)
    views: dict[int, Contribution] = field(default_factory=dict)
    seen: int = 0
    following: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def thread(person: Person, programme: Programme, discussion: Discussion, raw_page: str | None,
           seen: tuple[int, bool] = (0, False)) -> Thread:
    """Three queries whatever the length: the page of messages (by their numbers, so a deep page
    costs what the first does) with authors and what they reply to, mentions, and views made of
    them. ``seen``: how far the person had read, and whether they follow it (see mark_seen)."""
    from psp.pagination import page_number

    pages = max(1, page_of(max(discussion.message_count, 1)))
    number = min(page_number(raw_page), pages)
    first = (number - 1) * MESSAGES_PER_PAGE + 1
    quoted = joinedload(Message.reply_to)
    messages = list(db.session.scalars(
        select(Message).where(Message.discussion_id == discussion.id, Message.number >= first,
                              Message.number < first + MESSAGES_PER_PAGE).order_by(Message.number)
        .options(joinedload(Message.author), joinedload(Message.organisation),
                 quoted.joinedload(Message.author), quoted.joinedload(Message.organisation))).unique())
    ids = [m.id for m in messages]
    found = Thread(messages, number, pages, seen=seen[0], following=seen[1])
    for mention in db.session.scalars(select(Mention).where(Mention.message_id.in_(ids))
                                      .options(joinedload(Mention.organisation))
                                      .order_by(Mention.message_id, Mention.organisation_id)):
        found.mentions.setdefault(mention.message_id, []).append(mention.organisation)
    # By id through the message index: with the visibility test's OR beside it, SQLite would
    # otherwise scan every view.
    made = select(Contribution.id).where(Contribution.message_id.in_(ids)).scalar_subquery()
    for view in db.session.scalars(select(Contribution).where(
            Contribution.id.in_(made), policy.visible_views(person, programme))):
        if view.message_id is not None:
            found.views[view.message_id] = view
    return found


def own_state(person: Person, slug: str) -> str:
    """All the discussions list shows of the person's own: how far they read each discussion and
    which they follow (a kept page's key, psp.cache.for_audience)."""
    rows = db.session.execute(
        select(Reader.discussion_id, Reader.seen_count, Reader.following)
        .join(Discussion, Discussion.id == Reader.discussion_id)
        .join(Programme, Programme.id == Discussion.programme_id)
        .where(Reader.user_id == person.id, Programme.slug == slug).order_by(Reader.discussion_id)).all()
    return repr([tuple(row) for row in rows])


def thread_state(person: Person, discussion: Discussion, seen: tuple[int, bool] | None) -> str:
    """All a discussion's page shows of the person's own: how far they had read, whether they
    follow it, and which messages are theirs (they may change or withdraw them)."""
    mine = list(db.session.scalars(select(Message.number).where(
        Message.discussion_id == discussion.id, Message.author_id == person.id).order_by(Message.number)))
    return repr((seen, mine))


def seen_before(person: Person, discussion: Discussion) -> tuple[int, bool] | None:
    """How far the person had read, and whether they follow it; None when they never opened it."""
    if not policy.is_signed_in(person):
        return None
    reader = db.session.get(Reader, (discussion.id, person.id))
    return (reader.seen_count, reader.following) if reader is not None else None


def mark_seen(person: User, discussion_id: int, count: int, before: tuple[int, bool] | None) -> None:
    """Remember how far the person has read (the unread markers): a read receipt, not a change
    anyone else sees. The page calls it once drawn, as its commit expires what the session holds:
    one conditional UPDATE, or an insert on their first visit."""
    if before is None:
        db.session.add(Reader(discussion_id=discussion_id, user_id=person.id, following=False,
                              seen_count=count))
    elif before[0] < count:
        db.session.execute(update(Reader).where(Reader.discussion_id == discussion_id,
                                                Reader.user_id == person.id, Reader.seen_count < count)
                           .values(seen_count=count).execution_options(synchronize_session=False))
    else:
        return
    try:
        db.session.commit()
    except IntegrityError:   # the same person in two tabs at once
        db.session.rollback()


def mention_choices(programme: Programme) -> Sequence[Any]:
    """(id, name) of the programme's partner organisations, by name."""
    return db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Participation.programme_id == programme.id, Participation.status == ADMITTED)
        .order_by(Organisation.name)).all()


def place_choices(programme: Programme, partner_items: bool) -> tuple[Sequence[Stage], Sequence[Meeting],
                                                                       Sequence[Question]]:
    stages = db.session.scalars(select(Stage).where(Stage.programme_id == programme.id)
                                .options(joinedload(Stage.cycle))
                                .order_by(Stage.cycle_id, Stage.position)).all()
    meetings = select(Meeting).where(Meeting.programme_id == programme.id)
    questions = (select(Question).join(Stage, Stage.id == Question.stage_id)
                 .where(Stage.programme_id == programme.id))
    if not partner_items:
        meetings = meetings.where(Meeting.audience == "public")
        questions = questions.where(Question.partners_only.is_(False))
    return (stages, db.session.scalars(meetings.order_by(Meeting.starts_at.desc()).limit(30)).all(),
            db.session.scalars(questions.order_by(Question.id.desc()).limit(30)).all())


def reports(programme: Programme, raw_page: str | None) -> Page[Report]:
    """Open reports, oldest first, with the message, its discussion and author: two queries."""
    return paginate(select(Report).where(Report.programme_id == programme.id, Report.status == OPEN)
                    .order_by(Report.id)
                    .options(joinedload(Report.reporter),
                             joinedload(Report.message).joinedload(Message.discussion),
                             joinedload(Report.message).joinedload(Message.author),
                             joinedload(Report.message).joinedload(Message.organisation)), raw_page)


# Starting and replying -----------------------------------------------------------------

def role_of(person: User, programme: Programme) -> tuple[str, int | None]:
    """The role a message is marked with, and the organisation a partner speaks for (their first
    partner organisation in the programme, by id)."""
    if policy.is_coordinator(person, programme):
        return COORDINATOR, None
    if policy.is_nhs_lead(person, programme):
        return NHS_LEAD, None
    organisations = policy.view_organisations(person, programme)
    return PARTNER, min(organisations) if organisations else None


def _check_place(programme: Programme, data: dict[str, Any]) -> None:
    """The stage, meeting or question must be this programme's; a partners-only meeting or
    question keeps its discussion partners-only."""
    stage_id, meeting_id, question_id = data.get("stage_id"), data.get("meeting_id"), data.get("question_id")
    if stage_id and not db.session.scalar(select(Stage.id).where(Stage.id == stage_id,
                                                                  Stage.programme_id == programme.id)):
        raise Refused("Choose a stage of this programme", field="stage")
    if meeting_id:
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id,
                                                          Meeting.programme_id == programme.id))
        if meeting is None:
            raise Refused("Choose a meeting of this programme", field="meeting")
        if meeting.audience != "public" and data["audience"] == PUBLIC:
            raise Refused("A discussion of a partners-only meeting is for partners only", field="audience")
    if question_id:
        question = db.session.scalar(select(Question).join(Stage, Stage.id == Question.stage_id).where(
            Question.id == question_id, Stage.programme_id == programme.id))
        if question is None:
            raise Refused("Choose a question of this programme", field="question")
        if question.partners_only and data["audience"] == PUBLIC:
            raise Refused("A discussion of a partners-only question is for partners only", field="audience")
        data["stage_id"] = question.stage_id


def _mentions(programme: Programme, organisation_ids: Collection[int]) -> list[int]:
    chosen = sorted(set(organisation_ids))
    if not chosen:
        return []
    partners = set(db.session.scalars(select(Participation.organisation_id).where(
        Participation.programme_id == programme.id, Participation.status == ADMITTED,
        Participation.organisation_id.in_(chosen))))
    if partners != set(chosen):
        raise Refused("Mention only partner organisations of this programme", field="mentions")
    return chosen


def _follow(discussion_id: int, person_id: int, seen: int) -> None:
    reader = db.session.get(Reader, (discussion_id, person_id))
    if reader is None:
        db.session.add(Reader(discussion_id=discussion_id, user_id=person_id, following=True,
                              seen_count=seen))
    else:
        reader.following, reader.seen_count = True, max(reader.seen_count, seen)


def _claim_place(discussion: Discussion) -> int:
    """Take the next number in the thread: a conditional UPDATE of the discussion's row while it
    is open, so replies at once queue on the row and each gets its own place, in order."""
    now = utcnow()
    claimed = cast(CursorResult[Any], db.session.execute(
        update(Discussion).where(Discussion.id == discussion.id, Discussion.closed_at.is_(None))
        .values(message_count=Discussion.message_count + 1, last_message_at=now)
        .execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise Refused(CLOSED, field="body")
    number = db.session.scalar(select(Discussion.message_count).where(Discussion.id == discussion.id))
    return cast(int, number)


def _post(person: User, programme: Programme, discussion: Discussion, body: str, reply_to: Message | None,
          mentions: list[int]) -> Message:
    role, organisation_id = role_of(person, programme)
    number = _claim_place(discussion)
    message = Message(discussion_id=discussion.id, number=number, author_id=person.id,
                      organisation_id=organisation_id, author_role=role, body=body,
                      reply_to_id=reply_to.id if reply_to else None, status=SHOWN, version=0,
                      hidden_reason="")
    db.session.add(message)
    db.session.flush()
    for organisation_id in mentions:
        db.session.add(Mention(message_id=message.id, organisation_id=organisation_id))
    _follow(discussion.id, person.id, number)
    return message


def _message_url(message: Message) -> str:
    return external_url("discussions.show", discussion_id=message.discussion_id, page=page_of(message.number),
                        _anchor=f"message-{message.number}")


def _tell(person: User, programme: Programme, discussion: Discussion, message: Message,
          mentions: list[int], first: bool) -> None:
    """Followers hear of a reply; members of mentioned organisations who may read it, of the mention."""
    url = _message_url(message)
    followers = [] if first else list(db.session.scalars(
        select(User).join(Reader, Reader.user_id == User.id)
        .where(Reader.discussion_id == discussion.id, Reader.following.is_(True), User.id != person.id)))
    if followers:
        notify(followers, "discussions", f"New reply: {discussion.title}", "mail/discussion_reply.txt",
               url=url, programme=programme, discussion=discussion, message=message, author=person)
    if mentions:
        told = {f.id for f in followers} | {person.id}
        drawn = [p for p in db.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id.in_(mentions), Membership.status == ACTIVE).distinct())
            if p.id not in told]
        if drawn:
            notify(drawn, "discussions", f"Your organisation is mentioned: {discussion.title}",
                   "mail/discussion_mention.txt", url=url, programme=programme, discussion=discussion,
                   message=message, author=person)


def start(person: User, programme: Programme, data: dict[str, Any]) -> Discussion:
    """A new discussion with its first message; its author follows it."""
    _check_place(programme, data)
    mentions = _mentions(programme, data.get("mentions") or [])
    discussion = Discussion(programme_id=programme.id, author_id=person.id, title=data["title"],
                            audience=data["audience"], stage_id=data.get("stage_id"),
                            meeting_id=data.get("meeting_id"), question_id=data.get("question_id"),
                            message_count=0, pinned=False, closing_summary="")
    db.session.add(discussion)
    db.session.flush()
    message = _post(person, programme, discussion, data["body"], None, mentions)
    audit.record("discussion.started", discussion, actor=person, programme_id=programme.id,
                 audience=discussion.audience)
    _tell(person, programme, discussion, message, mentions, first=True)
    db.session.commit()
    return discussion


def reply(person: User, programme: Programme, discussion: Discussion, body: str,
          reply_to_id: int | None, mention_ids: Collection[int]) -> Message:
    reply_to = None
    if reply_to_id:
        reply_to = db.session.scalar(select(Message).where(Message.id == reply_to_id,
                                                           Message.discussion_id == discussion.id))
        if reply_to is None:
            raise Refused("The message you are replying to is not in this discussion", field="body")
    mentions = _mentions(programme, mention_ids)
    message = _post(person, programme, discussion, body, reply_to, mentions)
    audit.record("discussion.replied", message, actor=person, discussion_id=discussion.id)
    _tell(person, programme, discussion, message, mentions, first=False)
    db.session.commit()
    return message


# Changing a message --------------------------------------------------------------------

def _now_status(message: Message) -> str:
    return cast(str, db.session.scalar(select(Message.status).where(Message.id == message.id)
                                       .execution_options(populate_existing=True)))


def why_fixed(discussion: Discussion, message: Message) -> str:
    """Why the author can no longer change their message, in words they can act on."""
    if message.status == HIDDEN:
        return HIDDEN_WHILE_EDITING
    if message.status == WITHDRAWN:
        return "You have withdrawn this message, so it can no longer be changed"
    if discussion.closed_at is not None:
        return "This discussion is closed, so its messages can no longer be changed"
    return EDIT_OVER


def edit(person: User, message: Message, body: str) -> None:
    """The author's change within 30 minutes, only while the message is still shown: a hide that
    landed first wins and the edit is refused, saying so."""
    window = utcnow() - timedelta(minutes=EDIT_MINUTES)
    changed = cast(CursorResult[Any], db.session.execute(
        update(Message).where(Message.id == message.id, Message.author_id == person.id,
                              Message.status == SHOWN, Message.created_at > window)
        .values(body=body, edited_at=utcnow(), version=Message.version + 1)
        .execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        status = _now_status(message)
        db.session.rollback()
        if status == HIDDEN:
            raise Refused(HIDDEN_WHILE_EDITING, field="body")
        if status == WITHDRAWN:
            raise Refused("You have withdrawn this message, so it can no longer be changed", field="body")
        raise Refused(EDIT_OVER, field="body")
    audit.record("discussion.message_edited", message, actor=person)
    db.session.commit()


def withdraw(person: User, message: Message) -> None:
    """The author takes their message back: it reads "withdrawn by the author", its text is gone."""
    changed = cast(CursorResult[Any], db.session.execute(
        update(Message).where(Message.id == message.id, Message.author_id == person.id,
                              Message.status == SHOWN)
        .values(status=WITHDRAWN, body="", version=Message.version + 1)
        .execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Refused("This message can no longer be withdrawn: it was hidden or withdrawn already")
    db.session.execute(delete(Mention).where(Mention.message_id == message.id))
    audit.record("discussion.message_withdrawn", message, actor=person)
    db.session.commit()


def report(person: User, programme: Programme, message: Message, reason: str) -> bool:
    """True when reported now; False when this person's report of it is already waiting."""
    if db.session.scalar(select(Report.id).where(Report.message_id == message.id,
                                                 Report.reporter_id == person.id, Report.status == OPEN)):
        return False
    entry = Report(programme_id=programme.id, message_id=message.id, reporter_id=person.id, reason=reason,
                   status=OPEN)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    audit.record("discussion.message_reported", entry, actor=person, message_id=message.id)
    coordinators = db.session.scalars(
        select(User).join(ProgrammeRole, ProgrammeRole.user_id == User.id)
        .where(ProgrammeRole.programme_id == programme.id, ProgrammeRole.role == "coordinator")).all()
    notify(coordinators, "moderation", f"A message is reported: {message.discussion.title}",
           "mail/discussion_reported.txt", programme=programme, message=message, reason=reason,
           url=external_url("discussions.reports", slug=programme.slug))
    db.session.commit()
    return True


def hide(person: User, programme: Programme, message: Message, reason: str) -> None:
    """Hide a shown message with the reason shown in its place; its open reports are upheld and
    its author is told why."""
    changed = cast(CursorResult[Any], db.session.execute(
        update(Message).where(Message.id == message.id, Message.status == SHOWN)
        .values(status=HIDDEN, hidden_reason=reason, hidden_by_id=person.id, hidden_at=utcnow(),
                version=Message.version + 1).execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Refused("This message is no longer shown: it was hidden or withdrawn already", field="reason")
    _decide_reports(person, message, UPHELD)
    audit.record("discussion.message_hidden", message, actor=person, reason=reason)
    if message.author is not None:
        discussion = message.discussion
        notify([message.author], "moderation", f"Your message is hidden: {discussion.title}",
               "mail/discussion_hidden.txt", person=message.author, programme=programme,
               discussion=discussion, reason=reason, url=_message_url(message))
    db.session.commit()


def restore(person: User, programme: Programme, message: Message) -> None:
    changed = cast(CursorResult[Any], db.session.execute(
        update(Message).where(Message.id == message.id, Message.status == HIDDEN)
        .values(status=SHOWN, hidden_reason="", hidden_by_id=None, hidden_at=None,
                version=Message.version + 1)
        .execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Refused("This message is not hidden")
    audit.record("discussion.message_restored", message, actor=person)
    db.session.commit()


def _decide_reports(person: User, message: Message, status: str) -> None:
    db.session.execute(update(Report).where(Report.message_id == message.id, Report.status == OPEN)
                       .values(status=status, decided_by_id=person.id, decided_at=utcnow())
                       .execution_options(synchronize_session=False))


def dismiss(person: User, report_: Report) -> None:
    changed = cast(CursorResult[Any], db.session.execute(
        update(Report).where(Report.id == report_.id, Report.status == OPEN)
        .values(status=DISMISSED, decided_by_id=person.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Refused("This report has already been decided")
    audit.record("discussion.report_dismissed", report_, actor=person)
    db.session.commit()


# The discussion as a whole ------------------------------------------------------------------

def close(person: User, programme: Programme, discussion: Discussion, summary: str) -> None:
    changed = cast(CursorResult[Any], db.session.execute(
        update(Discussion).where(Discussion.id == discussion.id, Discussion.closed_at.is_(None))
        .values(closed_at=utcnow(), closed_by_id=person.id, closing_summary=summary)
        .execution_options(synchronize_session=False)))
    if changed.rowcount != 1:
        db.session.rollback()
        raise Refused("This discussion is already closed", field="summary")
    audit.record("discussion.closed", discussion, actor=person)
    followers = db.session.scalars(select(User).join(Reader, Reader.user_id == User.id).where(
        Reader.discussion_id == discussion.id, Reader.following.is_(True), User.id != person.id)).all()
    notify(followers, "discussions", f"Discussion closed: {discussion.title}", "mail/discussion_closed.txt",
           programme=programme, discussion=discussion, summary=summary,
           url=external_url("discussions.show", discussion_id=discussion.id))
    db.session.commit()


def pin(person: User, discussion: Discussion, pinned: bool) -> None:
    discussion.pinned = pinned
    audit.record("discussion.pinned" if pinned else "discussion.unpinned", discussion, actor=person)
    db.session.commit()


def follow(person: User, discussion: Discussion, following: bool) -> None:
    reader = db.session.get(Reader, (discussion.id, person.id))
    if reader is None:
        db.session.add(Reader(discussion_id=discussion.id, user_id=person.id, following=following,
                              seen_count=0))
    else:
        reader.following = following
    try:
        db.session.commit()
    except IntegrityError:   # a double click: the first one made the row
        db.session.rollback()
        follow(person, discussion, following)


# A message becomes a view ---------------------------------------------------------------------

def view_stage(programme: Programme, discussion: Discussion) -> Stage | None:
    """The stage the discussion is on, or the programme's current stage."""
    if discussion.stage_id is not None:
        return db.session.get(Stage, discussion.stage_id)
    return db.session.scalar(select(Stage).where(Stage.programme_id == programme.id,
                                                 Stage.status.in_(("open", "in_review", "returned"))))


def make_view(person: User, programme: Programme, discussion: Discussion, message: Message,
              title: str, body: str) -> Contribution:
    """A draft view for the author's organisation, linked back to the message; the organisation's
    members check it and submit it, and it is answered like any other view."""
    if message.status != SHOWN or message.organisation_id is None:
        raise Refused("Only a message still shown, written for a partner organisation, can become a view",
                      field="title")
    if db.session.scalar(select(Contribution.id).where(Contribution.message_id == message.id)):
        raise Refused("This message has already become a view", field="title")
    stage = view_stage(programme, discussion)
    if stage is None:
        raise Refused("The programme has no current stage for a view", field="title")
    view = Contribution(programme_id=programme.id, stage_id=stage.id, organisation_id=message.organisation_id,
                        author_id=person.id, title=title, body=body, audience=SHARED, status=DRAFT,
                        question_id=discussion.question_id, meeting_id=discussion.meeting_id,
                        message_id=message.id)
    db.session.add(view)
    db.session.flush()
    audit.record("view.drafted_from_discussion", view, actor=person, message_id=message.id,
                 organisation_id=message.organisation_id)
    members = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == message.organisation_id, Membership.status == ACTIVE,
        User.id != person.id)).all()
    notify(members, "discussions", f"A draft view from a discussion: {title}", "mail/discussion_view.txt",
           programme=programme, discussion=discussion, view=view,
           url=external_url("contributions.show", contribution_id=view.id))
    db.session.commit()
    return view



def my_reports(person: User, limit: int = 50) -> Sequence[Any]:
    """For "Your work": (programme, open reports) where the person coordinates: one query."""
    return db.session.execute(
        select(Programme, func.count(Report.id)).join(Report, Report.programme_id == Programme.id)
        .join(ProgrammeRole, (ProgrammeRole.programme_id == Programme.id)
              & (ProgrammeRole.user_id == person.id) & (ProgrammeRole.role == "coordinator"))
        .where(Report.status == OPEN).group_by(Programme.id).order_by(Programme.title).limit(limit)).all()
