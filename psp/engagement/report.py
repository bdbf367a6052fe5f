"""The engagement report's charts (server-rendered SVG, as in the reach report) and its CSV."""

from psp.contributions.models import STATUS_NAMES
from psp.engagement.evidence import SHARE
from psp.engagement.models import RATINGS, STANDARDS
from psp.engagement.services import ReviewPage
from psp.reach.services import Chart, bars
from psp.spreadsheets import CsvText


def charts(page: ReviewPage) -> dict[str, Chart]:
    """Shares of the evidence in per cent (no data drawn as nothing), and partners' ratings by standard."""
    shares = [(f.label, f.value or 0) for f in page.evidence.figures if f.kind == SHARE]
    met = [(name, sum(1 for r in page.ratings[key] if r.rating == "met")) for key, name in STANDARDS.items()]
    return {"shares": bars(shares), "partners": bars(met)}


def report_csv(page: ReviewPage) -> str:
    """The report's figures: evidence, indicators, assessments and partners' ratings, one row each."""
    text = CsvText()
    text.row(["Section", "Standard", "Item", "Value", "Count", "Out of", "Target", "Detail"])
    for f in page.evidence.figures:
        text.row(["Evidence", STANDARDS[f.standard], f.label,
                  "" if f.value is None else f.value, f.count, f.of if f.kind == SHARE else "",
                  "", f.how])
    for r in page.indicators:
        met = "" if r.met is None else ("Met" if r.met else "Not met")
        text.row(["Indicator", "", r.label, "" if r.value is None else r.value, "", "", r.indicator.target,
                  met or "No data yet"])
    for key, name in STANDARDS.items():
        found = page.assessments.get(key)
        if found:
            text.row(["Assessment", name, "Coordinators", RATINGS[found.rating], "", "", "", found.learnt])
        for rating in page.ratings[key]:
            text.row(["Partner rating", name, rating.organisation.name, RATINGS[rating.rating], "", "", "",
                      rating.comment])
    for status, count in page.answers.counts.items():
        text.row(["You said, we did", "", STATUS_NAMES[status], count, "", "", "", ""])
    return text.take()
