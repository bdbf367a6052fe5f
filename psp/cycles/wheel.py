"""Geometry for the Analyse-Plan-Do-Review wheel, drawn as inline SVG (no script, no inline style)."""

import math
from collections.abc import Iterable
from typing import TypedDict

from psp.cycles.models import IN_REVIEW, OPEN, RETURNED, SIGNED_OFF, Stage

# A 260-unit square (viewBox "0 0 260 260" in templates/cycles/_macros.html) that the page
# scales to its column. The ring is wide enough that the longest name and status ("Analyse",
# "Signed off") sit inside their quarter with room for wide fonts: a tighter ring clipped them.
CENTRE, OUTER, INNER, LABEL = 130, 126, 44, 84
# Fill and text colours, each pair at least 4.5:1 contrast.
COLOURS = {
    SIGNED_OFF: ("#00703c", "#ffffff"),
    OPEN: ("#1d70b8", "#ffffff"),
    IN_REVIEW: ("#4c2c92", "#ffffff"),
    RETURNED: ("#942514", "#ffffff"),
}
UPCOMING_COLOURS = ("#f3f2f1", "#0b0c0c")


class Segment(TypedDict):
    stage: Stage
    path: str
    fill: str
    ink: str
    x: float
    y: float
    current: bool


def _point(radius: float, degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return round(CENTRE + radius * math.cos(radians), 2), round(CENTRE + radius * math.sin(radians), 2)


def segments(stages: Iterable[Stage]) -> list[Segment]:
    """One ring segment per stage, clockwise from the top: Analyse, Plan, Do, Review."""
    drawn: list[Segment] = []
    for index, stage in enumerate(sorted(stages, key=lambda s: s.position)):
        start, end = -90 + 90 * index, 90 * index
        (ox1, oy1), (ox2, oy2) = _point(OUTER, start), _point(OUTER, end)
        (ix1, iy1), (ix2, iy2) = _point(INNER, end), _point(INNER, start)
        path = (f"M{ox1} {oy1} A{OUTER} {OUTER} 0 0 1 {ox2} {oy2} L{ix1} {iy1} "
                f"A{INNER} {INNER} 0 0 0 {ix2} {iy2} Z")
        fill, ink = COLOURS.get(stage.status, UPCOMING_COLOURS)
        x, y = _point(LABEL, start + 45)
        drawn.append({"stage": stage, "path": path, "fill": fill, "ink": ink, "x": x, "y": y,
                      "current": stage.is_current})
    return drawn
