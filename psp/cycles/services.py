"""The Analyse-Plan-Do-Review rules: transitions, what stages hold, and what they add up to.

Each operation commits once. Transitions lock the stage row and compare the
version the person saw, so of two people acting at once the first wins and the
second is told the stage changed; the partial unique index on stages is the
last word on "exactly one current stage".
"""

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import url_for
from sqlalchemy import ColumnElement, Row, Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from psp import audit
from psp.auth.models import User
from psp.cycles.models import (
    BLOCKED,
    CURRENT,
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    KIND_NAMES,
    KINDS,
    OPEN,
    PLANNED,
    RETURNED,
    SIGNED_OFF,
    UPCOMING,
    Action,
    Cycle,
    Decision,
    OutcomeMeasure,
    Question,
    Stage,
    StageTransition,
)
from psp.errors import Refused, Stale, commit_or_refuse
from psp.extensions import db
from psp.links import external_url as _external
from psp.notifications.services import deliveries, notify
from psp.organisations.models import ACTIVE, Membership, Organisation
from psp.programmes.models import ADMITTED, Outcome, Participation, Programme, ProgrammeRole
from psp.timeutil import london, utcnow

DUE_SOON = timedelta(days=14)
# What a stage holds besides actions: each is saved the same way.
Item = TypeVar("Item", Decision, Question)


def stage_url(programme: Programme, stage: Stage, external: bool = False) -> str:
    values = dict(slug=programme.slug, number=stage.cycle.number, kind=stage.kind)
    return _external("cycles.stage", **values) if external else url_for("cycles.stage", **values)


def today() -> date:
    return london(utcnow()).date()


# Cycles -------------------------------------------------------------------------

def start_cycle(programme_id: int, number: int, need: str = "", actor: User | None = None) -> Cycle:
    """Create a cycle with its four stages and open Analyse. Flushes only."""
    cycle = Cycle(programme_id=programme_id, number=number, need=need or "")
    db.session.add(cycle)
    db.session.flush()
    stages = [Stage(programme_id=programme_id, cycle_id=cycle.id, kind=kind, position=n,
                    status=UPCOMING) for n, kind in enumerate(KINDS, start=1)]
    db.session.add_all(stages)
    db.session.flush()
    _move(stages[0], OPEN, actor, f"Cycle {number} started")
    stages[0].opened_at = utcnow()
    db.session.flush()
    return cycle


def _move(stage: Stage, to_status: str, actor: User | None, reason: str = "") -> StageTransition:
    from_status = stage.status
    transition = StageTransition(stage_id=stage.id, actor_id=getattr(actor, "id", None),
                                 from_status=from_status, to_status=to_status, reason=reason or "")
    stage.status = to_status
    db.session.add(transition)
    audit.record(f"stage.{to_status}", stage, actor=actor, programme_id=stage.programme_id,
                 cycle=stage.cycle.number if stage.cycle else None, stage=stage.kind,
                 from_status=from_status, to_status=to_status, reason=reason or "")
    return transition


def find_stage(programme: Programme, number: int, kind: str) -> Stage | None:
    return db.session.scalar(select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme.id, Cycle.number == number, Stage.kind == kind)
        .options(contains_eager(Stage.cycle)))


def current_stage(programme: Programme) -> Stage | None:
    return db.session.scalar(select(Stage).where(Stage.programme_id == programme.id,
                                                 Stage.status.in_(CURRENT))
                             .options(joinedload(Stage.cycle)))


def all_stages(programme: Programme) -> Sequence[Stage]:
    """Every stage of every cycle, with its cycle, for the timeline: one query."""
    return db.session.scalars(select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme.id).order_by(Cycle.number, Stage.position)
        .options(contains_eager(Stage.cycle))).all()


def _locked(stage: Stage) -> Stage:
    """Re-read the stage under a row lock (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises."""
    return db.session.scalars(select(Stage).where(Stage.id == stage.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _check_version(stage: Stage, seen_version: str | int | None) -> None:
    if seen_version is None or int(seen_version) != stage.version:
        raise Stale(stage)


def _commit_transition(stage: Stage) -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Stale(db.session.get_one(Stage, stage.id, populate_existing=True,
                                       options=[joinedload(Stage.cycle)])) from None


# Transitions --------------------------------------------------------------------

def submit(person: User, programme: Programme, stage: Stage, seen_version: str | int | None,
           summary: str) -> Stage:
    stage = _locked(stage)
    _check_version(stage, seen_version)
    if stage.status not in (OPEN, RETURNED):
        raise Stale(stage)
    if stage.kind == "review":
        missing = _unmeasured_outcomes(programme, stage)
        if missing:
            raise Refused("Record a measure for every agreed outcome before you submit Review: "
                          + "; ".join(o.title for o in missing), field="summary")
        if not stage.reframed_need.strip():
            raise Refused("Write the re-framed need before you submit Review", field="summary")
    from psp.engagement.services import refusal_to_submit

    engagement = refusal_to_submit(stage)
    if engagement:
        raise Refused(engagement, field="summary")
    stage.summary = summary
    stage.submitted_at = utcnow()
    _move(stage, IN_REVIEW, person, summary)
    _notify(programme, stage, "submitted", person, summary, roles=("nhs_lead",))
    _commit_transition(stage)
    return stage


def return_stage(person: User, programme: Programme, stage: Stage, seen_version: str | int | None,
                 reason: str) -> Stage:
    stage = _locked(stage)
    _check_version(stage, seen_version)
    if stage.status != IN_REVIEW:
        raise Stale(stage)
    _move(stage, RETURNED, person, reason)
    _notify(programme, stage, "returned", person, reason, roles=("coordinator", "nhs_lead"))
    _commit_transition(stage)
    return stage


def sign_off(person: User, programme: Programme, stage: Stage, seen_version: str | int | None,
             note: str = "") -> Stage:
    """Sign off and open what comes next: the next stage, or Analyse of the next cycle."""
    stage = _locked(stage)
    _check_version(stage, seen_version)
    if stage.status != IN_REVIEW:
        raise Stale(stage)
    from psp.interests.services import snapshot  # the register builds on programmes, not on cycles

    now = utcnow()
    _move(stage, SIGNED_OFF, person, note).declarations = snapshot(person, programme)
    stage.signed_off_at = now
    db.session.flush()  # the old stage stops being current before the next one starts
    if stage.kind == "review":
        cycle = stage.cycle
        cycle.closed_at = now
        opened = start_cycle(programme.id, cycle.number + 1, stage.reframed_need, actor=person)
        next_stage = db.session.scalars(select(Stage).where(Stage.cycle_id == opened.id,
                                                            Stage.kind == "analyse")).one()
    else:
        next_stage = db.session.scalars(select(Stage).where(
            Stage.cycle_id == stage.cycle_id, Stage.position == stage.position + 1)
            .with_for_update()).one()
        _move(next_stage, OPEN, person, f"{stage.name} signed off")
        next_stage.opened_at = now
    _notify(programme, stage, "signed_off", person, note, roles=("coordinator", "nhs_lead"),
            next_stage=next_stage)
    _commit_transition(stage)
    return next_stage


def _people_with_roles(programme: Programme, roles: Collection[str]) -> Sequence[User]:
    return db.session.scalars(select(User).join(ProgrammeRole, ProgrammeRole.user_id == User.id).where(
        ProgrammeRole.programme_id == programme.id, ProgrammeRole.role.in_(roles),
        User.disabled_at.is_(None)).distinct().order_by(User.id)).all()


SUBJECTS = {
    "submitted": "{stage} stage of {programme} is ready for your review",
    "returned": "{stage} stage of {programme} was returned",
    "signed_off": "{stage} stage of {programme} is signed off",
}


def _notify(programme: Programme, stage: Stage, event: str, actor: User, text: str, roles: Collection[str],
            next_stage: Stage | None = None) -> None:
    subject = SUBJECTS[event].format(stage=stage.name, programme=programme.title)
    people = [p for p in _people_with_roles(programme, roles) if p.id != getattr(actor, "id", None)]
    chosen = deliveries([p.id for p in people])
    for person in people:
        notify([person], "stages", subject, f"mail/stage_{event}.txt", chosen=chosen, person=person,
               actor=actor, programme=programme, stage=stage, text=text, next_stage=next_stage,
               url=stage_url(programme, next_stage or stage, external=True))


# What a stage holds ----------------------------------------------------------------

def _editable(stage: Stage) -> Stage:
    stage = _locked(stage)
    if not stage.is_editable:
        raise Stale(stage)
    return stage


def partner_organisations(programme: Programme) -> Sequence[Row[int, str]]:
    """Organisations that may own an action: admitted partners and the two leads."""
    partners = select(Participation.organisation_id).where(
        Participation.programme_id == programme.id, Participation.status == ADMITTED)
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        (Organisation.id.in_(partners)) | (Organisation.id.in_(
            [programme.lead_body_id, programme.lead_interface_id]))).order_by(Organisation.name)).all()


def _check_owner(programme: Programme, organisation_id: int) -> None:
    allowed = {row.id for row in partner_organisations(programme)}
    if organisation_id not in allowed:
        raise Refused("Select an organisation that takes part in the programme", field="organisation")


def _taking_actions(stage: Stage) -> Stage:
    """Lock the stage and check actions may still be added or changed there."""
    stage = _locked(stage)
    if not stage.takes_actions:
        raise Stale(stage)
    return stage


def save_action(person: User, programme: Programme, stage: Stage, action: Action | None, title: str,
                organisation_id: int, due_on: date) -> Action:
    """Plan an action at the stage (action is None), or change one of the stage's cycle."""
    stage = _taking_actions(stage)
    _check_owner(programme, organisation_id)
    if action is None:
        action = Action(cycle_id=stage.cycle_id, planned_in_id=stage.id, status=PLANNED,
                        created_by_id=person.id)
        db.session.add(action)
    elif action.cycle_id != stage.cycle_id:
        raise Stale(stage)
    action.title, action.organisation_id, action.due_on = title, organisation_id, due_on
    db.session.flush()
    audit.record("action.saved", action, actor=person, stage_id=stage.id, cycle_id=stage.cycle_id,
                 title=title,
                 organisation_id=organisation_id, due_on=due_on.isoformat())
    db.session.commit()
    return action


def action_stage(programme: Programme, action: Action) -> Stage | None:
    """Where the action can be changed now: the programme's current stage, when it is the Plan or
    Do of the action's cycle and open or returned; None otherwise."""
    stage = current_stage(programme)
    if stage is None or stage.cycle_id != action.cycle_id or not stage.takes_actions:
        return None
    return stage


def update_action_status(person: User, programme: Programme, action: Action, status: str, reason: str = "",
                         result: str = "") -> Action:
    stage = current_stage(programme)
    if stage is None or stage.cycle_id != action.cycle_id:
        raise Stale(stage or action.planned_in)
    _taking_actions(stage)
    if status == BLOCKED and not reason:
        raise Refused("Enter what is blocking the action", field="blocked_reason")
    before = action.status
    action.status = status
    action.blocked_reason = reason if status == BLOCKED else ""
    action.result = result or ""
    audit.record("action.status_changed", action, actor=person, from_status=before, to_status=status,
                 reason=action.blocked_reason, stage=stage.kind)
    db.session.commit()
    return action


def save_item(person: User, stage: Stage, item: Item | None, model: type[Item], **fields: Any) -> Item:
    """Record a decision or pose a question (item is None), or change one."""
    stage = _editable(stage)
    if item is None:
        item = model(stage_id=stage.id, created_by_id=person.id)
        db.session.add(item)
    for name, value in fields.items():
        setattr(item, name, value)
    db.session.flush()
    audit.record(f"{model.__name__.lower()}.saved", item, actor=person, stage_id=stage.id)
    db.session.commit()
    return item


def set_dates(person: User, stage: Stage, start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise Refused("Planned end must be the same as or after the planned start", field="planned_end")
    stage = _locked(stage)
    if stage.status == SIGNED_OFF:
        raise Stale(stage)
    stage.planned_start, stage.planned_end = start, end
    audit.record("stage.dates_planned", stage, actor=person,
                 planned_start=start.isoformat() if start else None,
                 planned_end=end.isoformat() if end else None)
    db.session.commit()


def record_measure(person: User, stage: Stage, outcome: Outcome, measure: str, note: str | None) -> None:
    stage = _editable(stage)
    row = db.session.scalar(select(OutcomeMeasure).where(
        OutcomeMeasure.outcome_id == outcome.id, OutcomeMeasure.stage_id == stage.id))
    if row is None:
        row = OutcomeMeasure(outcome_id=outcome.id, stage_id=stage.id)
        db.session.add(row)
    row.measure, row.note, row.recorded_by_id = measure, note or "", person.id
    db.session.flush()
    audit.record("outcome.measured", row, actor=person, outcome_id=outcome.id, stage_id=stage.id,
                 measure=measure)
    commit_or_refuse("Someone recorded this measure a moment ago: check it and try again", "measure")


def set_reframed_need(person: User, stage: Stage, need: str) -> None:
    stage = _editable(stage)
    stage.reframed_need = need
    audit.record("stage.need_reframed", stage, actor=person)
    db.session.commit()


def _unmeasured_outcomes(programme: Programme, stage: Stage) -> Sequence[Outcome]:
    measured = select(OutcomeMeasure.outcome_id).where(OutcomeMeasure.stage_id == stage.id)
    return db.session.scalars(select(Outcome).where(Outcome.programme_id == programme.id,
                                                    Outcome.id.not_in(measured))
                              .order_by(Outcome.position)).all()


# What it adds up to -------------------------------------------------------------

class Progress:
    """A stage's progress, counted from its actions and decisions."""

    def __init__(self, counts: Mapping[str, int], decisions: int = 0) -> None:
        self.counts = {status: counts.get(status, 0) for status in (PLANNED, IN_PROGRESS, DONE, BLOCKED)}
        self.decisions = decisions

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[DONE]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _stage_actions(stage: Stage) -> ColumnElement[bool]:
    """Which actions a stage shows and measures: Plan those designed in it; Do and Review every
    action of the cycle, wherever it was planned; Analyse none."""
    if stage.kind == "plan":
        return Action.planned_in_id == stage.id
    if stage.kind in ("do", "review"):
        return Action.cycle_id == stage.cycle_id
    return false()


def progress(stage: Stage) -> Progress:
    """Two aggregate queries, whatever the number of actions."""
    counts = dict(db.session.execute(select(Action.status, func.count()).where(
        _stage_actions(stage)).group_by(Action.status)).all())
    decisions = db.session.scalar(select(func.count()).select_from(Decision).where(
        Decision.stage_id == stage.id)) or 0
    return Progress(counts, decisions)


def actions_query(stage: Stage) -> Select[Action]:
    """The stage's actions with their owners, whose names the list shows."""
    return (select(Action).where(_stage_actions(stage)).order_by(Action.due_on, Action.id)
            .options(joinedload(Action.organisation)))


def stage_names(cycle_id: int) -> dict[int, str]:
    """{stage id: name} for one cycle, to say where each of its actions was planned."""
    return {stage_id: KIND_NAMES[kind] for stage_id, kind in db.session.execute(
        select(Stage.id, Stage.kind).where(Stage.cycle_id == cycle_id)).all()}


def decisions(stage: Stage, include_partner_items: bool) -> Sequence[Decision]:
    query = select(Decision).where(Decision.stage_id == stage.id)
    if not include_partner_items:
        query = query.where(Decision.partners_only.is_(False))
    return db.session.scalars(query.order_by(Decision.id)).all()


def questions(stage: Stage, include_partner_items: bool) -> Sequence[Question]:
    query = select(Question).where(Question.stage_id == stage.id)
    if not include_partner_items:
        query = query.where(Question.partners_only.is_(False))
    return db.session.scalars(query.order_by(Question.id)).all()


def history(stage: Stage) -> Sequence[StageTransition]:
    """The stage's transitions, oldest first, with who made each."""
    return db.session.scalars(select(StageTransition).where(StageTransition.stage_id == stage.id)
                              .order_by(StageTransition.id).options(joinedload(StageTransition.actor))).all()


def outcomes_with_measures(programme: Programme,
                           stage: Stage | None = None) -> list[tuple[Outcome, OutcomeMeasure | None]]:
    """Each outcome with its latest measure, or the measure of the given Review stage."""
    if stage is not None:
        chosen = select(OutcomeMeasure.id).where(OutcomeMeasure.stage_id == stage.id)
    else:
        chosen = select(func.max(OutcomeMeasure.id)).join(
            Outcome, Outcome.id == OutcomeMeasure.outcome_id).where(
            Outcome.programme_id == programme.id).group_by(OutcomeMeasure.outcome_id)
    rows = db.session.execute(select(Outcome, OutcomeMeasure).outerjoin(
        OutcomeMeasure, (OutcomeMeasure.outcome_id == Outcome.id) & OutcomeMeasure.id.in_(chosen))
        .where(Outcome.programme_id == programme.id).order_by(Outcome.position)).all()
    return [(outcome, measure) for outcome, measure in rows]


def get_action(programme: Programme, action_id: int) -> Action | None:
    """The action with its cycle, owner and where it was planned, which its pages show."""
    return db.session.scalar(select(Action).join(Cycle, Cycle.id == Action.cycle_id).where(
        Action.id == action_id, Cycle.programme_id == programme.id)
        .options(contains_eager(Action.cycle), joinedload(Action.organisation),
                 joinedload(Action.planned_in)))


def get_decision(programme: Programme, decision_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).join(Stage, Stage.id == Decision.stage_id).where(
        Decision.id == decision_id, Stage.programme_id == programme.id))


def get_question(programme: Programme, question_id: int) -> Question | None:
    return db.session.scalar(select(Question).join(Stage, Stage.id == Question.stage_id).where(
        Question.id == question_id, Stage.programme_id == programme.id))


def get_stage(stage_id: int) -> Stage | None:
    return db.session.get(Stage, stage_id, options=[joinedload(Stage.cycle)])


def get_outcome(programme: Programme, outcome_id: int) -> Outcome | None:
    return db.session.scalar(select(Outcome).where(Outcome.id == outcome_id,
                                                   Outcome.programme_id == programme.id))


# What waits for a person --------------------------------------------------------

def stages_waiting(person: User, role: str, status: str) -> Sequence[Row[Stage, Programme]]:
    """Current stages in a given status on the programmes where the person holds a role."""
    from psp.programmes.models import Programme

    return db.session.execute(select(Stage, Programme).join(
        Programme, Programme.id == Stage.programme_id).join(
        ProgrammeRole, (ProgrammeRole.programme_id == Stage.programme_id)
        & (ProgrammeRole.user_id == person.id) & (ProgrammeRole.role == role)).where(
        Stage.status == status).order_by(Stage.submitted_at, Stage.id).limit(100)
        .options(joinedload(Stage.cycle))).all()


def _my_organisations(person: User) -> Select[int]:
    return select(Membership.organisation_id).where(Membership.user_id == person.id,
                                                    Membership.status == ACTIVE)


def my_actions_query(person: User) -> Select[Action]:
    """Every open action of the person's organisations in a cycle still running: overdue first,
    then by due date, then any without a date."""
    return (select(Action).join(Cycle, Cycle.id == Action.cycle_id)
            .where(Action.organisation_id.in_(_my_organisations(person)), Action.status != DONE,
                   Cycle.closed_at.is_(None))
            .order_by(Action.due_on.asc().nulls_last(), Action.id)
            .options(contains_eager(Action.cycle), joinedload(Action.organisation)))


MY_QUESTIONS = 50


def my_open_questions(person: User) -> Sequence[Row[Question, Stage, Programme]]:
    """Questions on the current stages of the person's programmes that none of their partner
    organisations has answered with a submitted view yet: one query, the soonest posed first."""
    from psp.contributions.models import DRAFT, Contribution
    from psp.programmes.models import Programme

    partner_orgs = select(Participation.organisation_id, Participation.programme_id).where(
        Participation.status == ADMITTED,
        Participation.organisation_id.in_(_my_organisations(person))).subquery()
    answered = select(Contribution.id).where(
        Contribution.question_id == Question.id, Contribution.status != DRAFT,
        Contribution.organisation_id.in_(select(partner_orgs.c.organisation_id).where(
            partner_orgs.c.programme_id == Stage.programme_id)))
    return db.session.execute(
        select(Question, Stage, Programme).join(Stage, Stage.id == Question.stage_id)
        .join(Programme, Programme.id == Stage.programme_id)
        .where(Stage.status.in_(CURRENT), Stage.programme_id.in_(select(partner_orgs.c.programme_id)),
               ~answered.exists())
        .order_by(Question.id).limit(MY_QUESTIONS).options(joinedload(Stage.cycle))).all()


def programme_names(programme_ids: Collection[int]) -> dict[int, Row[int, str, str]]:
    """Slug and title for a page of rows, in one query."""
    from psp.programmes.models import Programme

    if not programme_ids:
        return {}
    rows = db.session.execute(select(Programme.id, Programme.slug, Programme.title).where(
        Programme.id.in_(set(programme_ids)))).all()
    return {row.id: row for row in rows}


class Dashboard:
    """What the programme page shows about the cycle: a fixed number of queries."""

    def __init__(self, programme: Programme, include_partner_items: bool) -> None:
        self.stages = all_stages(programme)
        self.current = next((s for s in self.stages if s.is_current), None)
        self.cycle_stages = [s for s in self.stages if self.current and s.cycle_id == self.current.cycle_id]
        self.cycles: list[tuple[Cycle, list[Stage]]] = []
        for stage in self.stages:
            if not self.cycles or self.cycles[-1][0].id != stage.cycle_id:
                self.cycles.append((stage.cycle, []))
            self.cycles[-1][1].append(stage)
        self.progress = progress(self.current) if self.current else None
        self.questions = questions(self.current, include_partner_items) if self.current else []
        self.outcomes = outcomes_with_measures(programme)
