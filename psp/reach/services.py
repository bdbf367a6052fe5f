"""The reach report: a fixed number of queries whatever the programme's size.

An organisation has taken part when, in the programme (or the chosen stage), it booked a
place, attended a meeting, or gave a view. Its areas and kind come from its profile.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from sqlalchemy import Select, func, or_, select

from psp.contributions.models import (
    COMMUNITIES,
    DRAFT,
    EVENT,
    GROUP,
    PARTNER,
    SOURCE_LABELS,
    Contribution,
    ContributionCommunity,
)
from psp.cycles.models import Stage
from psp.extensions import db
from psp.meetings.models import BOOKED, Booking, Meeting
from psp.organisations.models import Organisation, OrganisationArea
from psp.places import AREAS, ORGANISATION_KINDS
from psp.programmes.models import Programme, ProgrammeArea
from psp.spreadsheets import CsvText

ACTIVITIES = {"booked": "Booked a place", "attended": "Attended", "views": "Gave views"}
LEAD_KINDS = ("public-body", "third-sector-interface")   # leads, not the partners we reach


@dataclass
class Row:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)    # activity -> organisations
    any: int = 0
    expected: bool = True                          # an area of the programme, a partner kind

    @property
    def is_gap(self) -> bool:
        return self.expected and self.any == 0


@dataclass
class Group:
    """A group not on the service whose views a coordinator recorded."""

    name: str
    kind: str
    area: str
    views: int


@dataclass
class Voices:
    """How the views came: through the service, or recorded by coordinators (and from whom)."""

    through_service: int = 0
    recorded: int = 0
    by_source: dict[str, int] = field(default_factory=dict)   # label -> recorded views
    event_views: int = 0
    people_at_events: int = 0
    groups: list[Group] = field(default_factory=list)


GROUPS_SHOWN = 200


@dataclass
class Report:
    areas: list[Row]
    kinds: list[Row]
    communities: list[tuple[str, str, int]]        # (key, label, views)
    organisations: int       # that took part in any way
    voices: Voices = field(default_factory=Voices)

    @property
    def area_gaps(self) -> list[str]:
        return [r.label for r in self.areas if r.is_gap]

    @property
    def kind_gaps(self) -> list[str]:
        return [r.label for r in self.kinds if r.is_gap]

    @property
    def community_gaps(self) -> list[str]:
        return [label for _, label, views in self.communities if views == 0]


def _org_ids(query: Select[Any]) -> set[int]:
    return set(db.session.scalars(query.distinct()).all())


def report(programme: Programme, stage: Stage | None = None) -> Report:
    meetings = select(Meeting.id).where(Meeting.programme_id == programme.id)
    views = select(Contribution).where(Contribution.programme_id == programme.id,
                                       Contribution.status != DRAFT)
    if stage is not None:
        meetings = meetings.where(Meeting.stage_id == stage.id)
        views = views.where(Contribution.stage_id == stage.id)
    booked = select(Booking.organisation_id).where(Booking.meeting_id.in_(meetings), Booking.status == BOOKED,
                                                   Booking.organisation_id.is_not(None))
    took_part = {
        "booked": _org_ids(booked),
        "attended": _org_ids(booked.where(Booking.attended.is_(True))),
        # A view recorded from someone not on the service is held by the lead interface, not given by it.
        "views": _org_ids(views.with_only_columns(Contribution.organisation_id).where(
            or_(Contribution.giver.is_(None), Contribution.giver == PARTNER))),
    }
    everyone = set().union(*took_part.values())
    profiles = db.session.execute(
        select(Organisation.id, Organisation.kind, OrganisationArea.area)
        .outerjoin(OrganisationArea, OrganisationArea.organisation_id == Organisation.id)
        .where(Organisation.id.in_(sorted(everyone) or [0]))).all()
    areas_of: dict[int, set[str]] = {}
    kind_of: dict[int, str] = {}
    for org_id, kind, area in profiles:
        kind_of[org_id] = kind
        if area:
            areas_of.setdefault(org_id, set()).add(area)
    programme_areas = set(db.session.scalars(select(ProgrammeArea.area).where(
        ProgrammeArea.programme_id == programme.id)))

    def rows(labels: Mapping[str, str], belongs: Callable[[int, str], bool],
             expected: Callable[[str], bool]) -> list[Row]:
        found = []
        for key, label in labels.items():
            members = {o for o in everyone if belongs(o, key)}
            found.append(Row(key, label, {a: len(members & took_part[a]) for a in ACTIVITIES}, len(members),
                             expected(key)))
        return found

    community_views = dict(db.session.execute(
        select(ContributionCommunity.community, func.count())
        .where(ContributionCommunity.contribution_id.in_(views.with_only_columns(Contribution.id)))
        .group_by(ContributionCommunity.community)).all())
    return Report(
        areas=rows(AREAS, lambda o, a: a in areas_of.get(o, ()), lambda a: a in programme_areas),
        kinds=[r for r in rows(ORGANISATION_KINDS, lambda o, k: kind_of.get(o) == k,
                               lambda k: k not in LEAD_KINDS) if r.expected or r.any],
        communities=[(key, label, community_views.get(key, 0)) for key, label in COMMUNITIES.items()],
        organisations=len(everyone), voices=_voices(views))


def _voices(views: Select[Any]) -> Voices:
    """Two grouped queries: views by source and giver, and the groups not on the service."""
    found = Voices()
    for source, giver, count, people in db.session.execute(
            views.with_only_columns(Contribution.source, Contribution.giver, func.count(),
                                    func.coalesce(func.sum(Contribution.people), 0))
            .group_by(Contribution.source, Contribution.giver)).all():
        if source is None:
            found.through_service += count
            continue
        found.recorded += count
        label = SOURCE_LABELS[source]
        found.by_source[label] = found.by_source.get(label, 0) + count
        if giver == EVENT:
            found.event_views += count
            found.people_at_events += int(people or 0)
    found.by_source = dict(sorted(found.by_source.items()))
    found.groups = [Group(name or "", ORGANISATION_KINDS.get(kind or "", "Not known"),
                          AREAS.get(area or "", "Not known"), count)
                    for name, kind, area, count in db.session.execute(
                        views.with_only_columns(Contribution.group_name, Contribution.group_kind,
                                                Contribution.group_area, func.count())
                        .where(Contribution.giver == GROUP)
                        .group_by(Contribution.group_name, Contribution.group_kind, Contribution.group_area)
                        .order_by(Contribution.group_name).limit(GROUPS_SHOWN)).all()]
    return found


# Spreadsheets ------------------------------------------------------------------------

TABLES = {   # the name in the address -> what the table is, said after "Download this table of"
    "areas": "organisations by area",
    "kinds": "organisations by kind",
    "communities": "views by community",
}


def table_csv(found: Report, table: str) -> str:
    """One of the report's tables as CSV, with the same figures and gaps as the page."""
    text = CsvText()
    if table == "communities":
        text.row(["Community", "Views", "Gap"])
        rows: list[tuple[object, ...]] = [(label, views, views == 0) for _, label, views in found.communities]
    else:
        text.row(["Area" if table == "areas" else "Kind", *ACTIVITIES.values(), "Took part in any way",
                  "Gap"])
        rows = [(r.label, *(r.counts[a] for a in ACTIVITIES), r.any, r.is_gap)
                for r in (found.areas if table == "areas" else found.kinds)]
    for *values, gap in rows:
        text.row([*values, "Yes" if gap else "No"])
    return text.take()


# Charts ------------------------------------------------------------------------------

BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 10, 230, 640


class Bar(TypedDict):
    y: int
    text_y: float
    width: float
    label: str
    value: int
    value_x: float


class Chart(TypedDict):
    bars: list[Bar]
    height: int
    width: int
    label_width: int
    bar_height: int


def bars(pairs: Sequence[tuple[str, int]]) -> Chart:
    """Horizontal bars as plain numbers for the SVG template, from (label, value) pairs."""
    top = max([1, *[value for _, value in pairs]])
    span = CHART_WIDTH - LABEL_WIDTH - 60
    drawn: list[Bar] = []
    for index, (label, value) in enumerate(pairs):
        y = index * (BAR_HEIGHT + GAP)
        width = round(span * value / top, 1)
        drawn.append({"y": y, "text_y": y + BAR_HEIGHT * 0.7, "width": width, "label": label, "value": value,
                      "value_x": LABEL_WIDTH + width + 6})
    return {"bars": drawn, "height": len(pairs) * (BAR_HEIGHT + GAP), "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT}
