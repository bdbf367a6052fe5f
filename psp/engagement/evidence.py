"""What the product computed about a cycle's engagement, standard by standard.

Every figure is counted from what happened in the cycle: views given on its stages, meetings held
on its stages, its actions, the measures recorded at its Review, requests for other formats made
while it ran. Nine grouped queries, whatever the size of the cycle. A share with nothing to count
is "no data yet", never a division by zero.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import and_, case, exists, func, or_, select, union

from psp.contributions.models import (
    ANSWERS,
    COMMUNITIES,
    DRAFT,
    PARTNER,
    TAKEN,
    Contribution,
    ContributionAction,
    ContributionCommunity,
    ContributionDecision,
)
from psp.cycles.models import DONE, Action, Cycle, OutcomeMeasure, Stage
from psp.documents.models import SENT, FormatRequest
from psp.extensions import db
from psp.meetings.models import AGREED, BOOKED, CANCELLED, Booking, Meeting
from psp.organisations.models import OrganisationArea
from psp.programmes.models import Outcome, Programme, ProgrammeArea
from psp.timeutil import utcnow

ANSWER_DAYS = 28
SHARE, COUNT = "share", "count"


@dataclass
class Figure:
    key: str
    standard: str
    label: str
    kind: str                      # SHARE: part of a whole, in per cent; COUNT: a number
    count: int
    of: int = 0                    # the whole a share is part of
    how: str = ""                  # one sentence: how it is computed
    link: str | None = None        # the list behind it, where one exists
    link_text: str = ""
    leads_only_link: bool = False  # the list is for the coordinators only

    @property
    def value(self) -> int | None:
        """The number compared with a target: a percentage, a count, or None for no data yet."""
        if self.kind == COUNT:
            return self.count
        return round(100 * self.count / self.of) if self.of else None

    @property
    def shown(self) -> str:
        if self.kind == COUNT:
            return f"{self.count:,}"
        if not self.of:
            return "No data yet"
        return f"{self.value}% ({self.count:,} of {self.of:,})"


# The measures an indicator can be chosen from: every figure the product computes.
MEASURES = {
    "organisations": "Organisations that took part",
    "areas-covered": "Programme areas with an organisation taking part",
    "communities-heard": "Communities the views speak for",
    "access-needs-met": "Booked places with access needs whose holder came",
    "formats-sent": "Requests for other formats sent",
    "attendance": "Booked places at held meetings attended",
    "partner-actions": "Actions owned by partners rather than the leads",
    "meetings-held": "Meetings held",
    "views-given": "Views given",
    "views-recorded": "Views recorded from people not on the service",
    "answered-in-time": f"Views answered within {ANSWER_DAYS} days",
    "minutes-agreed": "Held meetings with minutes agreed by those who came",
    "views-linked": "Taken-forward views linked to an action or decision",
    "actions-done": "Actions done",
    "outcomes-measured": "Agreed outcomes measured at Review",
}
KINDS = {"organisations": COUNT, "meetings-held": COUNT, "views-given": COUNT, "views-recorded": COUNT}


@dataclass
class Evidence:
    figures: list[Figure] = field(default_factory=list)

    def by_standard(self, standard: str) -> list[Figure]:
        return [f for f in self.figures if f.standard == standard]

    def get(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _window(cycle: Cycle) -> tuple[datetime, datetime]:
    return cycle.opened_at, cycle.closed_at or utcnow()


def compute(programme: Programme, cycle: Cycle, stages: Sequence[Stage]) -> Evidence:
    """The cycle's figures: nine queries whatever the number of views, meetings, bookings or actions."""
    stage_ids = [s.id for s in stages] or [0]
    review = next((s for s in stages if s.kind == "review"), None)
    now = utcnow()
    leads = (programme.lead_body_id, programme.lead_interface_id)
    views = and_(Contribution.programme_id == programme.id, Contribution.stage_id.in_(stage_ids),
                 Contribution.status != DRAFT)

    # 1. Views: given, answered in time, taken forward, recorded.
    linked = or_(exists().where(ContributionAction.contribution_id == Contribution.id),
                 exists().where(ContributionDecision.contribution_id == Contribution.id))
    v = db.session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((and_(Contribution.status.in_(ANSWERS),
                                          Contribution.days_to_answer <= ANSWER_DAYS), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Contribution.status == TAKEN, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(Contribution.status == TAKEN, linked), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Contribution.source.is_not(None), 1), else_=0)), 0),
    ).where(views)).one()
    given, in_time, taken, taken_linked, recorded = (int(x) for x in v)

    # 2. Communities the views speak for.
    heard = set(db.session.scalars(select(ContributionCommunity.community).distinct().where(
        ContributionCommunity.contribution_id.in_(select(Contribution.id).where(views)))))

    # 3. Organisations that took part (booked a place at a meeting of the cycle, or gave a view on
    # one of its stages), other than the two leads, with the areas they work in.
    meetings = select(Meeting.id).where(Meeting.programme_id == programme.id, Meeting.stage_id.in_(stage_ids))
    took_part = union(
        select(Booking.organisation_id.label("id")).where(
            Booking.meeting_id.in_(meetings), Booking.status == BOOKED, Booking.organisation_id.is_not(None)),
        select(Contribution.organisation_id.label("id")).where(
            views, or_(Contribution.giver.is_(None), Contribution.giver == PARTNER))).subquery()
    rows = db.session.execute(select(took_part.c.id, OrganisationArea.area).outerjoin(
        OrganisationArea, OrganisationArea.organisation_id == took_part.c.id).where(
        took_part.c.id.not_in(leads))).all()
    organisations = {org for org, _ in rows}
    reached_areas = {area for _, area in rows if area}

    # 4. The programme's areas.
    programme_areas = set(db.session.scalars(select(ProgrammeArea.area).where(
        ProgrammeArea.programme_id == programme.id)))

    # 5. Meetings held (started, not cancelled) and those whose minutes were agreed.
    held = and_(Meeting.programme_id == programme.id, Meeting.stage_id.in_(stage_ids),
                Meeting.status != CANCELLED, Meeting.starts_at <= now)
    m = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((Meeting.minutes_state == AGREED, 1), else_=0)), 0))
        .where(held)).one()
    meetings_held, minutes_agreed = int(m[0]), int(m[1])

    # 6. Booked places at held meetings: attended, with access needs, with access needs and came.
    needs = Booking.access_needs != ""
    came = Booking.attended.is_(True)
    b = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((came, 1), else_=0)), 0),
        func.coalesce(func.sum(case((needs, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(needs, came), 1), else_=0)), 0))
        .join(Meeting, Meeting.id == Booking.meeting_id).where(held, Booking.status == BOOKED)).one()
    places, attended, with_needs, needs_came = (int(x) for x in b)

    # 7. Requests for other formats made while the cycle ran.
    start, end = _window(cycle)
    f = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((FormatRequest.status == SENT, 1), else_=0)), 0))
        .where(FormatRequest.programme_id == programme.id, FormatRequest.created_at >= start,
               FormatRequest.created_at <= end)).one()
    formats, formats_sent = int(f[0]), int(f[1])

    # 8. The cycle's actions: done, and owned by partners rather than the leads.
    a = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((Action.status == DONE, 1), else_=0)), 0),
        func.coalesce(func.sum(case((Action.organisation_id.not_in(leads), 1), else_=0)), 0))
        .where(Action.cycle_id == cycle.id)).one()
    actions, done, partner_actions = (int(x) for x in a)

    # 9. Agreed outcomes, and those measured at this cycle's Review.
    o = db.session.execute(select(
        func.count(Outcome.id), func.count(OutcomeMeasure.id)).select_from(Outcome).outerjoin(
        OutcomeMeasure, (OutcomeMeasure.outcome_id == Outcome.id)
        & (OutcomeMeasure.stage_id == (review.id if review else 0)))
        .where(Outcome.programme_id == programme.id)).one()
    outcomes, measured = int(o[0]), int(o[1])

    slug, n = programme.slug, cycle.number
    said = url_for("contributions.you_said_we_did", slug=slug, cycle=n)
    reach = url_for("reach.report", slug=slug)
    past = url_for("meetings.programme_meetings", slug=slug, when="past")
    do = url_for("cycles.stage", slug=slug, number=n, kind="do")
    figures = [
        Figure("organisations", "inclusion", MEASURES["organisations"], COUNT, len(organisations),
               how="Organisations, other than the two leads, that booked a place at a meeting held on one of "
                   "the cycle's stages or gave a view on one of them.",
               link=reach, link_text="Reach report", leads_only_link=True),
        Figure("areas-covered", "inclusion", MEASURES["areas-covered"], SHARE,
               len(reached_areas & programme_areas), len(programme_areas),
               how="Of the community planning areas the programme covers, those in which at least one of the "
                   "organisations that took part works, by its profile.",
               link=reach, link_text="Reach report", leads_only_link=True),
        Figure("communities-heard", "inclusion", MEASURES["communities-heard"], SHARE, len(heard),
               len(COMMUNITIES),
               how="Of the five communities a view can speak for, those that at least one view given on the "
                   "cycle's stages speaks for.",
               link=reach, link_text="Reach report", leads_only_link=True),
        Figure("access-needs-met", "support", MEASURES["access-needs-met"], SHARE, needs_came, with_needs,
               how="Of places booked at meetings held in the cycle where the person stated an access need, "
                   "those whose holder was marked as attending (the service does not record whether each "
                   "need was met, so coming is the sign it was).",
               link=past, link_text="Past meetings"),
        Figure("formats-sent", "support", MEASURES["formats-sent"], SHARE, formats_sent, formats,
               how="Of the requests for a document in another format made while the cycle ran, those the "
                   "coordinators have marked as sent.",
               link=url_for("documents.format_requests", slug=slug), link_text="Requests for other formats",
               leads_only_link=True),
        Figure("attendance", "working-together", MEASURES["attendance"], SHARE, attended, places,
               how="Of places booked at meetings of the cycle that have been held (not cancelled), those "
                   "marked as attended.",
               link=past, link_text="Past meetings"),
        Figure("partner-actions", "working-together", MEASURES["partner-actions"], SHARE, partner_actions,
               actions,
               how="Of the cycle's actions, those owned by an organisation other than the two leads.",
               link=do, link_text="The cycle's actions"),
        Figure("meetings-held", "methods", MEASURES["meetings-held"], COUNT, meetings_held,
               how="Meetings on the cycle's stages that have started and were not cancelled.",
               link=past, link_text="Past meetings"),
        Figure("views-given", "methods", MEASURES["views-given"], COUNT, given,
               how="Views submitted on the cycle's stages, through the service or recorded by coordinators.",
               link=url_for("contributions.index", slug=slug), link_text="Views"),
        Figure("views-recorded", "methods", MEASURES["views-recorded"], COUNT, recorded,
               how="Of those views, the ones coordinators recorded from paper, phone, email, letters, events "
                   "and meetings.",
               link=url_for("contributions.index", slug=slug), link_text="Views"),
        Figure("answered-in-time", "communication", MEASURES["answered-in-time"], SHARE, in_time, given,
               how=f"Of the views given on the cycle's stages, those answered within {ANSWER_DAYS} days of "
                   "being given (a view still waiting counts as not answered in time).",
               link=said, link_text="You said, we did"),
        Figure("minutes-agreed", "communication", MEASURES["minutes-agreed"], SHARE, minutes_agreed,
               meetings_held,
               how="Of the meetings held in the cycle, those whose minutes were agreed by those who came and "
                   "published.",
               link=past, link_text="Past meetings"),
        Figure("views-linked", "impact", MEASURES["views-linked"], SHARE, taken_linked, taken,
               how="Of the views on the cycle's stages taken forward, those linked to an action or decision "
                   "they shaped.",
               link=said, link_text="You said, we did"),
        Figure("actions-done", "impact", MEASURES["actions-done"], SHARE, done, actions,
               how="Of the cycle's actions, those marked done by their owners.",
               link=do, link_text="The cycle's actions"),
        Figure("outcomes-measured", "impact", MEASURES["outcomes-measured"], SHARE, measured, outcomes,
               how="Of the programme's agreed outcomes, those with a measure recorded at this cycle's "
                   "Review.",
               link=url_for("cycles.stage", slug=slug, number=n, kind="review"), link_text="Review stage"),
    ]
    return Evidence(figures)
