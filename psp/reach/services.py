"""The reach report: a fixed number of queries whatever the programme's size.

An organisation has taken part when, in the programme (or the chosen stage), it booked a
place, attended a meeting, or gave a view. Its areas and kind come from its profile.
"""

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from sqlalchemy import Select, func, select

from psp.contributions.models import COMMUNITIES, DRAFT, Contribution, ContributionCommunity
from psp.cycles.models import Stage
from psp.extensions import db
from psp.meetings.models import BOOKED, Booking, Meeting
from psp.organisations.models import Organisation, OrganisationArea
from psp.places import AREAS, ORGANISATION_KINDS
from psp.programmes.models import Programme, ProgrammeArea
from psp.spreadsheets import cell

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
class Report:
    areas: list[Row]
    kinds: list[Row]
    communities: list[tuple[str, str, int]]        # (key, label, views)
    organisations: int       # that took part in any way

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
        "views": _org_ids(views.with_only_columns(Contribution.organisation_id)),
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
        organisations=len(everyone))


# Spreadsheets ------------------------------------------------------------------------

TABLES = {   # the name in the address -> what the table is, said after "Download this table of"
    "areas": "organisations by area",
    "kinds": "organisations by kind",
    "communities": "views by community",
}


def table_csv(found: Report, table: str) -> str:
    """One of the report's tables as CSV, with the same figures and gaps as the page."""
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "communities":
        writer.writerow(["Community", "Views", "Gap"])
        rows: list[tuple[object, ...]] = [(label, views, views == 0) for _, label, views in found.communities]
    else:
        writer.writerow(["Area" if table == "areas" else "Kind", *ACTIVITIES.values(), "Took part in any way",
                         "Gap"])
        rows = [(r.label, *(r.counts[a] for a in ACTIVITIES), r.any, r.is_gap)
                for r in (found.areas if table == "areas" else found.kinds)]
    for *values, gap in rows:
        writer.writerow([cell(v) for v in (*values, "Yes" if gap else "No")])
    return out.getvalue()


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
