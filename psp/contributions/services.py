"""The rules for views: giving, editing, answering, and what they add up to.

Who sees which view is one SQL condition (policy.visible_views) added to every query
here, so lists, search, CSV and pages cannot disagree. Each operation commits once;
edits and answers lock the view's row and compare the version the person saw.
"""

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar, cast

from sqlalchemy import Row, Select, Table, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from psp import audit, mail, policy
from psp.auth.models import Person, User
from psp.contributions.models import (
    ANSWERS,
    COMMUNITIES,
    DRAFT,
    NOT_TAKEN,
    PARTNER,
    RECEIVED,
    STATUS_NAMES,
    TAKEN,
    Contribution,
    ContributionAction,
    ContributionArea,
    ContributionCommunity,
    ContributionDecision,
    ContributionRevision,
    Response,
    ViewImport,
)
from psp.cycles.models import CURRENT, SIGNED_OFF, Action, Cycle, Decision, Question, Stage
from psp.errors import Refused, Stale
from psp.extensions import db
from psp.links import external_url
from psp.meetings.models import Meeting
from psp.notifications.services import deliveries, notify
from psp.organisations.models import ACTIVE, ADMIN, Membership, Organisation
from psp.pagination import Page, paginate
from psp.places import AREAS
from psp.programmes.models import ADMITTED, Participation, Programme
from psp.spreadsheets import CsvText
from psp.timeutil import format_day, utcnow

CSV_BATCH = 1000
WAITING_CAP = 1000   # "Your work" counts waiting views up to this many
YSWD_PAGE = 100
# The views behind each action or decision, as links: (view id, title).
ViewsBehind = dict[int, list[tuple[int, str]]]


# Reading ------------------------------------------------------------------------

def visible(person: Person, programme: Programme) -> Select[Contribution]:
    return select(Contribution).where(Contribution.programme_id == programme.id,
                                      policy.visible_views(person, programme))


def _beside_each() -> tuple[Any, Any]:
    """What every page of views shows beside each: its organisation, and its stage and cycle."""
    return joinedload(Contribution.organisation), joinedload(Contribution.stage).joinedload(Stage.cycle)


Query = TypeVar("Query", bound=Select)


def shown(query: Query) -> Query:
    """A query of views that loads what is shown beside each."""
    return query.options(*_beside_each())


def listed(person: Person, programme: Programme, filters: "Filters") -> Select[Contribution]:
    """The views the person may see in the programme, filtered, for the list."""
    return shown(filtered(visible(person, programme), filters))


def get_import(programme: Programme, import_id: int) -> ViewImport | None:
    """An import of this programme; another programme's id finds nothing."""
    upload = db.session.get(ViewImport, import_id)
    return upload if upload is not None and upload.programme_id == programme.id else None


def get_visible(person: Person,
                contribution_id: int) -> tuple[Programme, Contribution] | tuple[None, None]:
    """The view and its programme, or (None, None) when it does not exist for this person."""
    row = db.session.execute(shown(select(Contribution, Programme)
                                   .join(Programme, Programme.id == Contribution.programme_id)
                                   .where(Contribution.id == contribution_id)
                                   .options(joinedload(Contribution.author)))).first()
    if row is None:
        return None, None
    contribution, programme = row
    allowed = db.session.scalar(select(Contribution.id).where(
        Contribution.id == contribution.id, policy.visible_views(person, programme)))
    return (programme, contribution) if allowed else (None, None)


@dataclass
class Filters:
    stage: int | None = None
    status: str | None = None
    organisation: int | None = None
    community: str | None = None
    area: str | None = None
    question: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Self:
        """Unknown or malformed values are dropped rather than refused: it is a search form."""
        def number(name: str) -> int | None:
            raw = args.get(name, "")
            return int(raw) if raw.isdigit() and len(raw) < 10 else None

        def known(name: str, allowed: Collection[str]) -> str | None:
            raw = args.get(name, "")
            return raw if raw in allowed else None

        return cls(stage=number("stage"), status=known("status", STATUS_NAMES),
                   organisation=number("organisation"), community=known("community", COMMUNITIES),
                   area=known("area", AREAS), question=number("question"),
                   q=" ".join(args.get("q", "").split())[:100])

    @property
    def active(self) -> bool:
        return any(v for v in (self.stage, self.status, self.organisation, self.community, self.area,
                               self.question, self.q))

    def as_args(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v}


def filtered(query: Select[Contribution], filters: Filters) -> Select[Contribution]:
    if filters.stage:
        query = query.where(Contribution.stage_id == filters.stage)
    if filters.status:
        query = query.where(Contribution.status == filters.status)
    if filters.organisation:
        query = query.where(Contribution.organisation_id == filters.organisation)
    if filters.question:
        query = query.where(Contribution.question_id == filters.question)
    if filters.community:
        query = query.where(exists().where(ContributionCommunity.contribution_id == Contribution.id,
                                           ContributionCommunity.community == filters.community))
    if filters.area:
        query = query.where(exists().where(ContributionArea.contribution_id == Contribution.id,
                                           ContributionArea.area == filters.area))
    if filters.q:
        query = query.where(or_(Contribution.title.icontains(filters.q, autoescape=True),
                                Contribution.body.icontains(filters.q, autoescape=True)))
    return query


def tags(contribution_ids: Iterable[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Communities and areas of several views, in the order the forms list them: two queries."""
    ids = list(contribution_ids)
    found: dict[int, tuple[list[str], list[str]]] = {i: ([], []) for i in ids}
    if not ids:
        return found
    community_order, area_order = list(COMMUNITIES), list(AREAS)
    for row in sorted(db.session.scalars(select(ContributionCommunity).where(
            ContributionCommunity.contribution_id.in_(ids))),
            key=lambda r: community_order.index(r.community)):
        found[row.contribution_id][0].append(COMMUNITIES[row.community])
    for area_row in sorted(db.session.scalars(select(ContributionArea).where(
            ContributionArea.contribution_id.in_(ids))),
            key=lambda r: area_order.index(r.area) if r.area in AREAS else len(area_order)):
        found[area_row.contribution_id][1].append(AREAS.get(area_row.area, area_row.area))
    return found


def tag_keys(contribution: Contribution) -> tuple[Sequence[str], Sequence[str]]:
    """The community and area keys stored for one view, to fill its edit form: two queries."""
    return (db.session.scalars(select(ContributionCommunity.community).where(
                ContributionCommunity.contribution_id == contribution.id)).all(),
            db.session.scalars(select(ContributionArea.area).where(
                ContributionArea.contribution_id == contribution.id)).all())


def latest_responses(contribution_ids: Iterable[int]) -> dict[int, Response]:
    ids = list(contribution_ids)
    if not ids:
        return {}
    newest = select(func.max(Response.id)).where(Response.contribution_id.in_(ids)).group_by(
        Response.contribution_id)
    return {r.contribution_id: r for r in db.session.scalars(select(Response).where(Response.id.in_(newest)))}


def shaped(person: Person, programme: Programme,
           contribution_ids: Iterable[int]) -> tuple[dict[int, list[Action]], dict[int, list[Decision]]]:
    """The actions and decisions each view shaped, as this person may see them: two queries."""
    ids = list(contribution_ids)
    actions: dict[int, list[Action]]
    decisions: dict[int, list[Decision]]
    actions, decisions = {i: [] for i in ids}, {i: [] for i in ids}
    if not ids:
        return actions, decisions
    for link, action in db.session.execute(
            select(ContributionAction, Action).join(Action, Action.id == ContributionAction.action_id)
            .where(ContributionAction.contribution_id.in_(ids)).order_by(Action.id)
            .options(joinedload(Action.cycle), joinedload(Action.organisation))):
        actions[link.contribution_id].append(action)
    query = (select(ContributionDecision, Decision)
             .join(Decision, Decision.id == ContributionDecision.decision_id)
             .where(ContributionDecision.contribution_id.in_(ids)).order_by(Decision.id)
             .options(joinedload(Decision.stage).joinedload(Stage.cycle)))
    if not policy.can_see_partner_items(person, programme):
        query = query.where(Decision.partners_only.is_(False))
    for decision_link, decision in db.session.execute(query):
        decisions[decision_link.contribution_id].append(decision)
    return actions, decisions


def shaped_by(person: Person, programme: Programme, action_ids: Collection[int] = (),
              decision_ids: Collection[int] = ()) -> tuple[ViewsBehind, ViewsBehind]:
    """The views behind some actions and decisions, only those this person may see: two queries."""
    behind_actions: ViewsBehind = {i: [] for i in action_ids}
    behind_decisions: ViewsBehind = {i: [] for i in decision_ids}
    seen = policy.visible_views(person, programme)
    if action_ids:
        for action_id, view_id, title in db.session.execute(
                select(ContributionAction.action_id, Contribution.id, Contribution.title)
                .join(Contribution, Contribution.id == ContributionAction.contribution_id)
                .where(ContributionAction.action_id.in_(list(action_ids)), seen).order_by(Contribution.id)):
            behind_actions[action_id].append((view_id, title))
    if decision_ids:
        for decision_id, view_id, title in db.session.execute(
                select(ContributionDecision.decision_id, Contribution.id, Contribution.title)
                .join(Contribution, Contribution.id == ContributionDecision.contribution_id)
                .where(ContributionDecision.decision_id.in_(list(decision_ids)), seen)
                .order_by(Contribution.id)):
            behind_decisions[decision_id].append((view_id, title))
    return behind_actions, behind_decisions


@dataclass
class Details:
    communities: list[str]
    areas: list[str]
    responses: Sequence[Response]
    revisions: Sequence[ContributionRevision]
    actions: list[Action]
    decisions: list[Decision]
    question: Question | None
    meeting: Meeting | None
    recorded: str = ""      # for a recorded view: by whom, from what, where and when


def _recorded_sentence(programme: Programme, contribution: Contribution) -> str:
    """'Recorded by Morag Henderson (EVOC) from a paper form given at the Leith drop-in on 3 March 2027.'"""
    if not contribution.is_recorded:
        return ""
    interface = db.session.scalar(select(Organisation.name).where(
        Organisation.id == programme.lead_interface_id))
    recorder = contribution.author.name if contribution.author else "a former coordinator"
    where = f" at {contribution.given_where}" if contribution.given_where else ""
    return (f"Recorded by {recorder} ({interface}) from {contribution.source_name} given{where} "
            f"on {format_day(contribution.given_on)}.")


def details(person: Person, programme: Programme, contribution: Contribution) -> Details:
    """Everything the view page shows beside the view: a fixed number of queries."""
    communities, areas = tags([contribution.id])[contribution.id]
    actions, decisions = shaped(person, programme, [contribution.id])
    meeting = None
    if contribution.meeting_id:
        meeting = db.session.get(Meeting, contribution.meeting_id)
        if meeting is not None and not policy.can_see_meeting(person, programme, meeting):
            meeting = None
    return Details(
        communities=communities, areas=areas,
        responses=db.session.scalars(select(Response).where(Response.contribution_id == contribution.id)
                                     .order_by(Response.id.desc())).all(),
        revisions=db.session.scalars(select(ContributionRevision).where(
            ContributionRevision.contribution_id == contribution.id)
            .order_by(ContributionRevision.id.desc())).all(),
        actions=actions[contribution.id], decisions=decisions[contribution.id],
        question=db.session.get(Question, contribution.question_id) if contribution.question_id else None,
        meeting=meeting, recorded=_recorded_sentence(programme, contribution))


# Choices for the forms --------------------------------------------------------------

def stages_so_far(programme: Programme) -> Sequence[Stage]:
    """The current stage and the ones before it, newest first: the stages a view can be on."""
    return db.session.scalars(select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme.id, Stage.status.in_((*CURRENT, SIGNED_OFF)))
        .order_by(Cycle.number.desc(), Stage.position.desc()).options(contains_eager(Stage.cycle))).all()


def programme_questions(programme: Programme, include_partner_items: bool) -> Sequence[Question]:
    query = (select(Question).join(Stage, Stage.id == Question.stage_id)
             .where(Stage.programme_id == programme.id).order_by(Question.id))
    if not include_partner_items:
        query = query.where(Question.partners_only.is_(False))
    return db.session.scalars(query).all()


def recent_meetings(person: Person, programme: Programme, limit: int = 30) -> Sequence[Meeting]:
    """Meetings a view can come from: the latest that have started, which the person may see."""
    from psp.meetings import services as meetings

    return db.session.scalars(meetings.visible(select(Meeting).where(
        Meeting.programme_id == programme.id, Meeting.starts_at <= utcnow()), person)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)).all()


def organisations_named(ids: Collection[int]) -> Sequence[Row[int, str]]:
    if not ids:
        return []
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(sorted(ids))).order_by(Organisation.name)).all()


def status_filters(person: Person) -> dict[str, str]:
    """The statuses a person can filter views by: visitors only ever see answered views."""
    if policy.is_signed_in(person):
        return STATUS_NAMES
    return {k: v for k, v in STATUS_NAMES.items() if k not in (DRAFT, RECEIVED)}


def filter_organisations(person: Person, programme: Programme) -> Sequence[Row[int, str]]:
    """For the organisation filter: the programme's partners and the person's own: one query.

    Listing who has given views would mean a DISTINCT over every view of the programme.
    """
    partners = select(Participation.organisation_id).where(Participation.programme_id == programme.id,
                                                           Participation.status == ADMITTED)
    own = sorted(policy.holdings(person).member_of) if policy.is_signed_in(person) else []
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        or_(Organisation.id.in_(partners), Organisation.id.in_(own))).order_by(Organisation.name)).all()


def link_choices(programme: Programme,
                 contribution: Contribution) -> tuple[Sequence[Action], Sequence[Decision]]:
    """Actions and decisions a view can be linked to: its cycle's and later cycles'."""
    number = contribution.stage.cycle.number
    stage_ids = select(Stage.id).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme.id, Cycle.number >= number)
    cycle_ids = select(Cycle.id).where(Cycle.programme_id == programme.id, Cycle.number >= number)
    actions = db.session.scalars(select(Action).where(Action.cycle_id.in_(cycle_ids))
                                 .order_by(Action.cycle_id, Action.id)).all()
    decisions = db.session.scalars(select(Decision).where(Decision.stage_id.in_(stage_ids))
                                   .order_by(Decision.stage_id, Decision.id)).all()
    return actions, decisions


# Giving and editing ------------------------------------------------------------------

def _check(person: User, programme: Programme, data: Mapping[str, Any]) -> Stage:
    if data["organisation_id"] not in policy.view_organisations(person, programme):
        raise Refused("Select one of your organisations that is a partner of the programme",
                      field="organisation")
    return check_place(person, programme, data.get("stage_id"), data.get("question_id"),
                       data.get("meeting_id"))


def check_place(person: Person, programme: Programme, stage_id: int | None, question_id: int | None,
                meeting_id: int | None) -> Stage:
    """The stage a view is on (current or earlier), and its question and meeting, of this programme."""
    stage = db.session.get(Stage, stage_id) if stage_id else None
    if stage is None or stage.programme_id != programme.id or stage.status not in (*CURRENT, SIGNED_OFF):
        raise Refused("Select the current stage or an earlier one", field="stage")
    if question_id:
        question = db.session.get(Question, question_id)
        if question is None or question.stage_id != stage.id:
            raise Refused("Select a question posed for the stage you chose, or no question",
                          field="question")
    if meeting_id:
        meeting = db.session.get(Meeting, meeting_id)
        if (meeting is None or meeting.programme_id != programme.id
                or not policy.can_see_meeting(person, programme, meeting)):
            raise Refused("Select a meeting of this programme, or no meeting", field="meeting")
    return stage


def set_tags(contribution: Contribution, communities: Iterable[str], areas: Iterable[str]) -> None:
    db.session.execute(cast(Table, ContributionCommunity.__table__).delete().where(
        ContributionCommunity.contribution_id == contribution.id))
    db.session.execute(cast(Table, ContributionArea.__table__).delete().where(
        ContributionArea.contribution_id == contribution.id))
    db.session.add_all([ContributionCommunity(contribution_id=contribution.id, community=c)
                        for c in dict.fromkeys(communities) if c in COMMUNITIES])
    db.session.add_all([ContributionArea(contribution_id=contribution.id, area=a)
                        for a in dict.fromkeys(areas) if a in AREAS])


def _apply(contribution: Contribution, data: Mapping[str, Any]) -> None:
    contribution.organisation_id = data["organisation_id"]
    contribution.stage_id = data["stage_id"]
    contribution.question_id = data.get("question_id")
    contribution.meeting_id = data.get("meeting_id")
    contribution.title, contribution.body = data["title"], data.get("body", "")
    contribution.audience = data["audience"]


def give(person: User, programme: Programme, data: Mapping[str, Any], submit: bool) -> Contribution:
    """A new view, saved as a draft or submitted."""
    _check(person, programme, data)
    contribution = Contribution(programme_id=programme.id, author_id=person.id, status=DRAFT)
    _apply(contribution, data)
    db.session.add(contribution)
    db.session.flush()
    set_tags(contribution, data.get("communities", []), data.get("areas", []))
    if submit:
        contribution.status, contribution.submitted_at = RECEIVED, utcnow()
    audit.record("view.submitted" if submit else "view.drafted", contribution, actor=person,
                 programme_id=programme.id, organisation_id=contribution.organisation_id)
    db.session.commit()
    return contribution


def _locked(contribution: Contribution) -> Contribution:
    return db.session.scalars(shown(select(Contribution).where(Contribution.id == contribution.id))
                              .with_for_update(of=Contribution)
                              .execution_options(populate_existing=True)).one()


def _check_version(contribution: Contribution, seen_version: str | int | None) -> None:
    if seen_version is None or str(seen_version) != str(contribution.version):
        raise Stale(contribution)


def _commit(contribution: Contribution) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Stale(db.session.get_one(Contribution, contribution.id, populate_existing=True,
                                       options=_beside_each())) from None


def update(person: User, programme: Programme, contribution: Contribution, seen_version: str | int | None,
           data: Mapping[str, Any], submit: bool) -> Contribution:
    """Change a draft or a view waiting for an answer; a submitted view keeps its earlier text."""
    contribution = _locked(contribution)
    _check_version(contribution, seen_version)
    if not policy.can_edit_view(person, programme, contribution):
        raise Stale(contribution)
    _check(person, programme, data)
    was_submitted = contribution.status == RECEIVED
    text_changed = (contribution.title, contribution.body) != (data["title"], data.get("body", ""))
    if was_submitted and text_changed:
        db.session.add(ContributionRevision(contribution_id=contribution.id, title=contribution.title,
                                            body=contribution.body, replaced_by_id=person.id))
    _apply(contribution, data)
    set_tags(contribution, data.get("communities", []), data.get("areas", []))
    if submit and contribution.status == DRAFT:
        contribution.status, contribution.submitted_at = RECEIVED, utcnow()
        action = "view.submitted"
    else:
        action = "view.edited" if was_submitted else "view.drafted"
    audit.record(action, contribution, actor=person, programme_id=programme.id,
                 text_changed=text_changed)
    _commit(contribution)
    return contribution


# Answering ---------------------------------------------------------------------------

def answer(person: User, programme: Programme, contribution: Contribution, seen_version: str | int | None,
           status: str, text: str, reason: str = "", action_ids: Iterable[int] = (),
           decision_ids: Iterable[int] = ()) -> Response:
    contribution = _locked(contribution)
    _check_version(contribution, seen_version)
    if not policy.can_answer_view(person, programme, contribution):
        raise Stale(contribution)
    if status not in ANSWERS:
        raise Refused("Select an answer", field="status")
    if status == NOT_TAKEN and not reason:
        raise Refused("Enter the reason it is not taken forward", field="reason")
    action_ids, decision_ids = set(action_ids), set(decision_ids)
    if status == TAKEN:
        actions, decisions = link_choices(programme, contribution)
        if not action_ids <= {a.id for a in actions} or not decision_ids <= {d.id for d in decisions}:
            raise Refused("Select actions and decisions of this programme", field="actions")
        if not action_ids and not decision_ids:
            raise Refused("Select the actions or decisions this view shaped", field="actions")
    else:
        action_ids, decision_ids = set(), set()
    first = contribution.answered_at is None
    now = utcnow()
    response = Response(contribution_id=contribution.id, status=status, text=text,
                        reason=reason if status == NOT_TAKEN else "", responder_id=person.id, created_at=now)
    db.session.add(response)
    contribution.status = status
    if first:
        contribution.answered_at = now
        contribution.days_to_answer = max(0, (now - (contribution.submitted_at or now)).days)
    db.session.execute(cast(Table, ContributionAction.__table__).delete().where(
        ContributionAction.contribution_id == contribution.id))
    db.session.execute(cast(Table, ContributionDecision.__table__).delete().where(
        ContributionDecision.contribution_id == contribution.id))
    db.session.add_all([ContributionAction(contribution_id=contribution.id, action_id=i)
                        for i in sorted(action_ids)])
    db.session.add_all([ContributionDecision(contribution_id=contribution.id, decision_id=i)
                        for i in sorted(decision_ids)])
    db.session.flush()
    audit.record("view.answered", contribution, actor=person, programme_id=programme.id, status=status,
                 actions=sorted(action_ids), decisions=sorted(decision_ids))
    _tell_organisation(programme, contribution, response)
    _commit(contribution)
    return response


def _tell_organisation(programme: Programme, contribution: Contribution, response: Response) -> None:
    """The author and the organisation's admins hear of each answer. For a view recorded from
    someone not on the service, the coordinator who recorded it does, and the person who gave it
    by email where they left an address with consent."""
    told = User.id == contribution.author_id
    if contribution.giver in (None, PARTNER):
        admins = select(Membership.user_id).where(Membership.organisation_id == contribution.organisation_id,
                                                  Membership.status == ACTIVE, Membership.role == ADMIN)
        told = or_(told, User.id.in_(admins))
    people = db.session.scalars(select(User).where(told, User.disabled_at.is_(None)).order_by(User.id)).all()
    url = external_url("contributions.show", contribution_id=contribution.id)
    chosen = deliveries([p.id for p in people])
    for person in people:
        notify([person], "views", f"Your view has an answer: {contribution.title}", "mail/view_answered.txt",
               chosen=chosen,
               person=person, programme=programme, contribution=contribution, response=response, url=url)
    if contribution.contact_email:
        mail.queue(contribution.contact_email, f"Your view has an answer: {contribution.title}",
                   "mail/recorded_view_answered.txt", programme=programme, contribution=contribution,
                   response=response, url=url)


# What it adds up to --------------------------------------------------------------------

@dataclass
class Answering:
    submitted: int = 0
    answered: int = 0
    median_days: float | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.submitted) if self.submitted else 0


def answering(programme: Programme) -> Answering:
    """Share answered and median days to an answer: two indexed queries."""
    submitted, answered, timed = db.session.execute(select(
        func.count(), func.count(case((Contribution.status.in_(ANSWERS), 1))),
        func.count(Contribution.days_to_answer))
        .where(Contribution.programme_id == programme.id, Contribution.status != DRAFT)).one()
    stats = Answering(submitted=submitted, answered=answered)
    if timed:
        middle = db.session.scalars(select(Contribution.days_to_answer).where(
            Contribution.programme_id == programme.id, Contribution.days_to_answer.is_not(None))
            .order_by(Contribution.days_to_answer).offset((timed - 1) // 2)
            .limit(1 if timed % 2 else 2)).all()
        stats.median_days = sum(days or 0 for days in middle) / len(middle)
    return stats


def my_drafts(person: User, limit: int = 50) -> Sequence[Contribution]:
    """Drafts the person started and has not submitted, newest first."""
    return db.session.scalars(shown(select(Contribution).where(
        Contribution.author_id == person.id, Contribution.status == DRAFT)
        .order_by(Contribution.updated_at.desc(), Contribution.id.desc()).limit(limit))).all()


def waiting_query(person: User) -> Select[Contribution]:
    """Views waiting for an answer in the programmes this person leads, oldest first."""
    led = [programme_id for programme_id, role in policy.holdings(person).roles
           if role in ("coordinator", "nhs_lead")]
    return shown(select(Contribution).where(Contribution.programme_id.in_(sorted(set(led))),
                                            Contribution.status == RECEIVED)
                 .order_by(Contribution.submitted_at, Contribution.id))


# Spreadsheet -------------------------------------------------------------------------


CSV_HEADER = ["View", "Submitted (UTC)", "Organisation", "Cycle", "Stage", "Question", "Title", "Text",
              "Communities", "Areas", "Shared with", "Status", "Response", "Reason", "Answered (UTC)",
              "Recorded from", "Given on"]


def csv_lines(person: Person, programme: Programme, filters: Filters) -> Iterator[str]:
    """The views this person may see, in batches, so a large programme streams in constant memory."""
    text = CsvText()
    text.row(CSV_HEADER)
    yield text.take()
    query = filtered(visible(person, programme), filters)
    after = None
    while True:
        batch_query = query.order_by(Contribution.id).limit(CSV_BATCH)
        if after is not None:
            batch_query = batch_query.where(Contribution.id > after)
        batch = db.session.scalars(shown(batch_query)).all()
        if not batch:
            break
        ids = [c.id for c in batch]
        labels = tags(ids)
        answers = latest_responses(ids)
        questions: dict[int | None, str] = dict(db.session.execute(select(Question.id, Question.text).where(
            Question.id.in_({c.question_id for c in batch if c.question_id}))).all())
        for c in batch:
            response = answers.get(c.id)
            text.row([
                c.id, c.submitted_at.strftime("%Y-%m-%d %H:%M") if c.submitted_at else "",
                c.given_by, c.stage.cycle.number, c.stage.name, questions.get(c.question_id, ""),
                c.title, c.body, "; ".join(labels[c.id][0]), "; ".join(labels[c.id][1]),
                "All partners" if c.is_shared else "Leads only", c.status_name,
                response.text if response else "", response.reason if response else "",
                c.answered_at.strftime("%Y-%m-%d %H:%M") if c.answered_at else "",
                c.source_name, c.given_on.isoformat() if c.given_on else ""])
        yield text.take()
        after = ids[-1]
        db.session.expunge_all()


# You said, we did ----------------------------------------------------------------------

@dataclass
class StageRecord:
    stage: Stage
    # (view, response, actions, decisions)
    entries: list[tuple[Contribution, Response | None, list[Action], list[Decision]]] = field(
        default_factory=list)


def you_said_we_did(person: Person, programme: Programme, cycle: Cycle,
                    raw_page: str | None = None) -> tuple[list[StageRecord], Page[Contribution]]:
    """Answered views of one cycle, stage by stage, with what became of them: a fixed number of queries.

    Returns the stage records and the page (a cycle with very many views prints in parts).
    """
    stages = db.session.scalars(select(Stage).where(Stage.cycle_id == cycle.id)
                                .order_by(Stage.position)).all()
    records = {s.id: StageRecord(stage=s) for s in stages}
    page = paginate(visible(person, programme).where(
        Contribution.stage_id.in_(list(records)), Contribution.status.in_(ANSWERS))
        .order_by(Contribution.stage_id, Contribution.id).options(joinedload(Contribution.organisation)),
        raw_page, size=YSWD_PAGE)
    views = page.items
    ids = [v.id for v in views]
    answers = latest_responses(ids)
    actions, decisions = shaped(person, programme, ids)
    for view in views:
        records[view.stage_id].entries.append((view, answers.get(view.id), actions[view.id],
                                               decisions[view.id]))
    return [records[s.id] for s in stages], page


def cycles_of(programme: Programme) -> Sequence[Cycle]:
    return db.session.scalars(select(Cycle).where(Cycle.programme_id == programme.id)
                              .order_by(Cycle.number)).all()

