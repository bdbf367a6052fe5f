"""Engagement plans and reviews: each operation commits once, or rolls back and says why.

The plan changes while its cycle's Analyse or Plan is the current stage, open or returned; the
review while the cycle's Review is open or returned and not finished. Each write takes the stage's
row (as stage transitions do), so a change racing a sign-off or submission loses. Assessments carry
a version: of two coordinators editing one, the second is told and nothing is overwritten.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from psp import audit
from psp.auth.models import User
from psp.contributions.models import ANSWERS, DRAFT, IN_PLACE, NOT_TAKEN, RECEIVED, TAKEN, Contribution
from psp.cycles.models import CURRENT, Cycle, Stage
from psp.engagement import evidence
from psp.engagement.models import (
    MANUAL,
    RATING_SCORES,
    STANDARDS,
    EngagementAssessment,
    EngagementIndicator,
    EngagementPlan,
    EngagementReview,
    PartnerRating,
)
from psp.errors import Refused, Stale
from psp.extensions import db
from psp.programmes.models import Programme
from psp.timeutil import utcnow

PLAN_FIELDS = ("aims", "communities", "areas", "who_else", "methods", "support", "support_other",
               "level_analyse", "level_plan", "level_do", "level_review")
MAX_INDICATORS = 12


@dataclass
class CycleScope:
    programme: Programme
    cycle: Cycle
    stages: list[Stage]

    def stage(self, kind: str) -> Stage:
        return next(s for s in self.stages if s.kind == kind)


def scope(programme: Programme, number: int) -> CycleScope | None:
    """The cycle of that number with its four stages: one query."""
    stages = list(db.session.scalars(select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme.id, Cycle.number == number).order_by(Stage.position)
        .options(contains_eager(Stage.cycle))))
    if not stages:
        return None
    return CycleScope(programme, stages[0].cycle, stages)


def _locked(stage: Stage) -> Stage:
    """The stage re-read under its row lock, as the cycle's own transitions take it."""
    from psp.cycles.services import _locked as locked

    return locked(stage)


def current_stage(programme: Programme) -> Stage | None:
    return db.session.scalar(select(Stage).where(Stage.programme_id == programme.id,
                                                 Stage.status.in_(CURRENT)))


def plan_of(cycle_id: int) -> EngagementPlan | None:
    return db.session.scalar(select(EngagementPlan).where(EngagementPlan.cycle_id == cycle_id))


def indicators(plan: EngagementPlan | None) -> Sequence[EngagementIndicator]:
    if plan is None:
        return []
    return db.session.scalars(select(EngagementIndicator).where(EngagementIndicator.plan_id == plan.id)
                              .order_by(EngagementIndicator.id)).all()


def review_of(cycle_id: int) -> EngagementReview | None:
    return db.session.scalar(select(EngagementReview).where(EngagementReview.cycle_id == cycle_id))


def get_indicator(plan: EngagementPlan | None, indicator_id: int) -> EngagementIndicator | None:
    if plan is None:
        return None
    return db.session.scalar(select(EngagementIndicator).where(EngagementIndicator.id == indicator_id,
                                                               EngagementIndicator.plan_id == plan.id))


# The plan --------------------------------------------------------------------------

def _planning(programme: Programme, cycle: Cycle) -> Stage:
    """Lock the current stage and check it is still this cycle's Analyse or Plan, open or returned."""
    current = current_stage(programme)
    if current is None:
        raise Refused("The engagement plan can no longer change: Plan of this cycle is signed off")
    current = _locked(current)
    if current.cycle_id != cycle.id or current.kind not in ("analyse", "plan") or not current.is_editable:
        raise Stale(current)
    return current


def save_plan(person: User, programme: Programme, cycle: Cycle, plan: EngagementPlan | None,
              seen_version: str | int | None, data: Mapping[str, Any]) -> EngagementPlan:
    """Write the cycle's plan (plan is None) or change it; a plan changed since the form was opened loses."""
    _planning(programme, cycle)
    if plan is None:
        if plan_of(cycle.id) is not None:
            raise Stale(plan_of(cycle.id))
        plan = EngagementPlan(programme_id=programme.id, cycle_id=cycle.id, created_by_id=person.id)
        db.session.add(plan)
    elif str(seen_version) != str(plan.version):
        raise Stale(plan)
    for name in PLAN_FIELDS:
        value = data[name]
        setattr(plan, name, ",".join(value) if isinstance(value, list | tuple) else value)
    db.session.flush()
    audit.record("engagement_plan.saved", plan, actor=person, programme_id=programme.id, cycle=cycle.number)
    _commit(plan)
    return plan


def _commit(record: Any) -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        model = type(record)
        fresh = (db.session.get(model, record.id, populate_existing=True) if record.id else None)
        raise Stale(fresh if fresh is not None else record) from None


def save_indicator(person: User, programme: Programme, cycle: Cycle, plan: EngagementPlan,
                   indicator: EngagementIndicator | None, measure: str, title: str, target: int) -> None:
    _planning(programme, cycle)
    if measure != MANUAL and measure not in evidence.MEASURES:
        raise Refused("Select a measure from the list, or write your own", field="measure")
    if measure == MANUAL and not title:
        raise Refused("Enter what the indicator measures", field="title")
    if evidence.KINDS.get(measure, evidence.SHARE) == evidence.SHARE and measure != MANUAL and target > 100:
        raise Refused("A share cannot be more than 100 per cent", field="target")
    if indicator is None:
        if len(indicators(plan)) >= MAX_INDICATORS:
            raise Refused(f"A plan can have at most {MAX_INDICATORS} indicators", field="measure")
        indicator = EngagementIndicator(plan_id=plan.id)
        db.session.add(indicator)
    indicator.measure, indicator.title, indicator.target = measure, title if measure == MANUAL else "", target
    db.session.flush()
    audit.record("engagement_indicator.saved", indicator, actor=person, programme_id=programme.id,
                 cycle=cycle.number, measure=measure, target_value=target)
    db.session.commit()


def delete_indicator(person: User, programme: Programme, cycle: Cycle,
                     indicator: EngagementIndicator) -> None:
    _planning(programme, cycle)
    audit.record("engagement_indicator.deleted", indicator, actor=person, programme_id=programme.id,
                 cycle=cycle.number, measure=indicator.measure)
    db.session.delete(indicator)
    db.session.commit()


# The review ------------------------------------------------------------------------

def _reviewing(stage: Stage) -> tuple[Stage, EngagementReview]:
    """Lock the Review stage, check it is open or returned, and the review not finished; the review is
    made on first use."""
    stage = _locked(stage)
    if stage.kind != "review" or not stage.is_editable:
        raise Stale(stage)
    review = review_of(stage.cycle_id)
    if review is None:
        review = EngagementReview(programme_id=stage.programme_id, cycle_id=stage.cycle_id)
        db.session.add(review)
        db.session.flush()
    if review.finished_at is not None:
        raise Refused("The coordinators have finished this review, so it can no longer change")
    return stage, review


def assessment(review: EngagementReview | None, standard: str) -> EngagementAssessment | None:
    if review is None:
        return None
    return db.session.scalar(select(EngagementAssessment).where(EngagementAssessment.review_id == review.id,
                                                                EngagementAssessment.standard == standard))


def save_assessment(person: User, stage: Stage, standard: str, seen_version: str | int | None,
                    rating: str, learnt: str) -> EngagementAssessment:
    """Assess one standard. The version the coordinator saw must still be the assessment's: an empty
    one means they saw none, so an assessment written meanwhile by someone else wins."""
    stage, review = _reviewing(stage)
    found = assessment(review, standard)
    if found is None:
        if seen_version not in (None, "", "0", 0):
            raise Refused("This assessment is no longer there: reload the page")
        found = EngagementAssessment(review_id=review.id, standard=standard)
        db.session.add(found)
    elif str(seen_version) != str(found.version):
        raise Stale(found)
    found.rating, found.learnt, found.updated_by_id = rating, learnt, person.id
    db.session.flush()
    audit.record("engagement_assessment.saved", found, actor=person, programme_id=stage.programme_id,
                 standard=standard, rating=rating)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Stale(assessment(review_of(stage.cycle_id), standard)) from None
    return found


def save_partner_rating(person: User, stage: Stage, standard: str, organisation_id: int, rating: str,
                        comment: str) -> PartnerRating:
    from psp import policy

    stage, review = _reviewing(stage)
    programme = db.session.get_one(Programme, stage.programme_id)
    if organisation_id not in policy.view_organisations(person, programme):
        raise Refused("Select one of your organisations that takes part in the programme",
                      field="organisation")
    found = db.session.scalar(select(PartnerRating).where(
        PartnerRating.review_id == review.id, PartnerRating.standard == standard,
        PartnerRating.organisation_id == organisation_id))
    if found is None:
        found = PartnerRating(review_id=review.id, standard=standard, organisation_id=organisation_id)
        db.session.add(found)
    found.rating, found.comment, found.author_id = rating, comment, person.id
    db.session.flush()
    audit.record("engagement_rating.saved", found, actor=person, programme_id=stage.programme_id,
                 standard=standard, organisation_id=organisation_id, rating=rating)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("Someone from your organisation rated this standard a moment ago: check it and "
                      "try again", field="rating") from None
    return found


def own_rating(review: EngagementReview | None, standard: str,
               organisation_ids: set[int]) -> PartnerRating | None:
    if review is None or not organisation_ids:
        return None
    return db.session.scalar(select(PartnerRating).where(
        PartnerRating.review_id == review.id, PartnerRating.standard == standard,
        PartnerRating.organisation_id.in_(sorted(organisation_ids))).order_by(PartnerRating.id))


def enter_value(person: User, stage: Stage, indicator: EngagementIndicator, value: int, note: str) -> None:
    """The value of an indicator written by hand, entered at Review."""
    stage, _review = _reviewing(stage)
    if not indicator.by_hand:
        raise Refused("The service computes this indicator's value", field="value")
    indicator.value, indicator.note = value, note
    audit.record("engagement_indicator.valued", indicator, actor=person, programme_id=stage.programme_id,
                 value=value)
    db.session.commit()


def finish_review(person: User, stage: Stage) -> EngagementReview:
    """Finish the review: every standard assessed and every hand-written indicator valued."""
    stage, review = _reviewing(stage)
    assessed = set(db.session.scalars(select(EngagementAssessment.standard).where(
        EngagementAssessment.review_id == review.id)))
    missing = [name for key, name in STANDARDS.items() if key not in assessed]
    if missing:
        raise Refused("Assess every standard before you finish the review: " + ", ".join(missing))
    unvalued = [i.title for i in indicators(plan_of(stage.cycle_id)) if i.by_hand and i.value is None]
    if unvalued:
        raise Refused("Enter the value of every indicator written by hand: " + "; ".join(unvalued))
    review.finished_at, review.finished_by_id = utcnow(), person.id
    audit.record("engagement_review.finished", review, actor=person, programme_id=stage.programme_id)
    db.session.commit()
    return review


# What the stage rules ask ------------------------------------------------------------

def refusal_to_submit(stage: Stage) -> str | None:
    """Why the stage cannot be submitted yet for its engagement, or None. Called under the stage's lock."""
    if stage.kind == "analyse" and plan_of(stage.cycle_id) is None:
        return "Write the engagement plan before you submit Analyse"
    if stage.kind == "review":
        review = review_of(stage.cycle_id)
        if review is None or review.finished_at is None:
            return "Finish the engagement review against the National Standards before you submit Review"
    return None


# Pages -------------------------------------------------------------------------------

@dataclass
class Result:
    indicator: EngagementIndicator
    label: str
    value: int | None
    unit: str

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.indicator.target

    @property
    def shown(self) -> str:
        return "No data yet" if self.value is None else f"{self.value}{self.unit}"

    @property
    def target_shown(self) -> str:
        return f"{self.indicator.target}{self.unit}"


def _unit(indicator: EngagementIndicator) -> str:
    share = evidence.KINDS.get(indicator.measure, evidence.SHARE) == evidence.SHARE
    return "%" if share and not indicator.by_hand else ""


def results(found: Sequence[EngagementIndicator], computed: evidence.Evidence) -> list[Result]:
    out = []
    for i in found:
        if i.by_hand:
            out.append(Result(i, i.title, i.value, ""))
        else:
            figure = computed.get(i.measure)
            out.append(Result(i, figure.label, figure.value, "%" if figure.kind == evidence.SHARE else ""))
    return out


@dataclass
class Answers:
    """You said, we did, in numbers: the cycle's views by their answer."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def answers(programme: Programme, stages: Sequence[Stage]) -> Answers:
    from sqlalchemy import func

    rows = db.session.execute(select(Contribution.status, func.count()).where(
        Contribution.programme_id == programme.id, Contribution.stage_id.in_([s.id for s in stages]),
        Contribution.status != DRAFT).group_by(Contribution.status)).all()
    found = dict(rows)
    return Answers({status: int(found.get(status, 0)) for status in (RECEIVED, *ANSWERS)})


ANSWER_ORDER = (TAKEN, IN_PLACE, NOT_TAKEN)


@dataclass
class ReviewPage:
    """Everything the review page and the report show: a fixed number of queries."""

    scope: CycleScope
    plan: EngagementPlan | None
    indicators: list[Result]
    evidence: evidence.Evidence
    review: EngagementReview | None
    assessments: dict[str, EngagementAssessment]
    ratings: dict[str, list[PartnerRating]]
    answers: Answers


def review_page(found: CycleScope) -> ReviewPage:
    from sqlalchemy.orm import joinedload

    plan = plan_of(found.cycle.id)
    computed = evidence.compute(found.programme, found.cycle, found.stages)
    review = review_of(found.cycle.id)
    assessed: dict[str, EngagementAssessment] = {}
    ratings: dict[str, list[PartnerRating]] = {key: [] for key in STANDARDS}
    if review is not None:
        assessed = {a.standard: a for a in db.session.scalars(select(EngagementAssessment).where(
            EngagementAssessment.review_id == review.id))}
        for rating in db.session.scalars(select(PartnerRating).where(PartnerRating.review_id == review.id)
                                         .options(joinedload(PartnerRating.organisation))
                                         .order_by(PartnerRating.id)):
            ratings[rating.standard].append(rating)
    return ReviewPage(found, plan, results(indicators(plan), computed), computed, review, assessed, ratings,
                      answers(found.programme, found.stages))


# Across cycles -----------------------------------------------------------------------

@dataclass
class Movement:
    cycles: list[int]
    ratings: dict[str, dict[int, str]]          # standard -> cycle number -> rating

    def change(self, standard: str, number: int) -> str:
        """"better", "worse", "same" or "" against the cycle before it that was assessed."""
        row = self.ratings.get(standard, {})
        earlier = [n for n in self.cycles if n < number and n in row]
        if number not in row or not earlier:
            return ""
        before, now = RATING_SCORES[row[earlier[-1]]], RATING_SCORES[row[number]]
        return "better" if now > before else "worse" if now < before else "same"


def movement(programme: Programme, published_only: bool) -> Movement:
    """Each standard's assessment in every cycle whose review is finished (and, for visitors, whose
    Review is signed off): one query."""
    query = (select(Cycle.number, EngagementAssessment.standard, EngagementAssessment.rating)
             .join(EngagementReview, EngagementReview.id == EngagementAssessment.review_id)
             .join(Cycle, Cycle.id == EngagementReview.cycle_id)
             .where(EngagementReview.programme_id == programme.id, EngagementReview.finished_at.is_not(None)))
    if published_only:
        query = query.join(Stage, (Stage.cycle_id == Cycle.id) & (Stage.kind == "review")).where(
            Stage.status == "signed_off")
    ratings: dict[str, dict[int, str]] = {}
    cycles: set[int] = set()
    for number, standard, rating in db.session.execute(query).all():
        ratings.setdefault(standard, {})[number] = rating
        cycles.add(number)
    return Movement(sorted(cycles), ratings)


def organisation_names(ids: set[int]) -> dict[int, str]:
    from psp.organisations.models import Organisation

    if not ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(sorted(ids))).order_by(Organisation.name)).all())


@dataclass
class StageSection:
    """The engagement plan as the cycle's stage pages show it: three queries at most."""

    plan: EngagementPlan | None
    results: list[Result]
    review: EngagementReview | None
    may_change: bool
    levels: Mapping[str, str] = field(default_factory=dict)
    methods: Mapping[str, str] = field(default_factory=dict)
    support: Mapping[str, str] = field(default_factory=dict)
    communities: Mapping[str, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)


def stage_section(plan_allowed: bool, stage: Stage) -> StageSection:
    from psp.contributions.models import COMMUNITIES
    from psp.engagement.models import LEVELS, METHODS, SUPPORT
    from psp.places import AREAS

    plan = plan_of(stage.cycle_id)
    listed = [Result(i, i.title if i.by_hand else evidence.MEASURES[i.measure], None, _unit(i))
              for i in indicators(plan)]
    review = review_of(stage.cycle_id) if stage.kind == "review" else None
    return StageSection(plan, listed, review, plan_allowed, LEVELS, METHODS, SUPPORT, COMMUNITIES, AREAS)
