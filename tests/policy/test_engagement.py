"""Engagement plans and reviews.

A plan row is "<current stage> <status>": the programme's current stage as it would be passed (cycle 1
of this programme, the status set in memory), checked against cycle 1; "other cycle analyse open" is
a current stage of another cycle; "none" a programme with no current stage. A review row is
"<Review status>, <review>": cycle 1's Review with the status set in memory, and no review yet, one
open or one finished.
"""

from datetime import datetime

from psp.engagement.models import EngagementReview
from tests.policy.tables import EVERYONE, INSIDE, NOBODY, PARTNERS


def plan(scene, record):
    here = scene.stage("analyse")
    if record == "none":
        current = None
    elif record.startswith("other cycle "):
        current = scene.stage(*record.removeprefix("other cycle ").split(), programme="review")
    else:
        current = scene.stage(*record.split())
    return scene.programme(), current, here.cycle_id


def test_can_write_engagement_plan(check):
    check([
        ("analyse open",             {"coordinator"}),
        ("analyse returned",         {"coordinator"}),
        ("plan open",                {"coordinator"}),
        ("plan returned",            {"coordinator"}),
        ("analyse in_review",        NOBODY),
        ("plan in_review",           NOBODY),
        ("do open",                  NOBODY),
        ("review open",              NOBODY),
        ("other cycle analyse open", NOBODY),
        ("none",                     NOBODY),
    ], plan)


def review(scene, record):
    status, state = record.split(", ")
    found = {"none": None, "open": EngagementReview(),
             "finished": EngagementReview(finished_at=datetime(2027, 1, 1))}[state]
    return scene.programme(), scene.stage("review", status), found


ASSESSING = [
    ("open, none",            "who"),
    ("open, open",            "who"),
    ("returned, open",        "who"),
    ("open, finished",        NOBODY),
    ("in_review, open",       NOBODY),
    ("upcoming, none",        NOBODY),
    ("signed_off, finished",  NOBODY),
]


def test_can_assess_engagement(check):
    check([(row, {"coordinator"} if who == "who" else who) for row, who in ASSESSING], review)


def test_can_rate_engagement(check):
    check([(row, PARTNERS if who == "who" else who) for row, who in ASSESSING], review)


def test_can_see_engagement_review(check):
    check([("this programme", INSIDE)], lambda scene, record: (scene.programme(),))


def test_can_see_engagement_report(check):
    check([
        ("review signed_off",  EVERYONE),
        ("review in_review",   INSIDE),
        ("review open",        INSIDE),
        ("review upcoming",    INSIDE),
    ], lambda scene, record: (scene.programme(), scene.stage(*record.split())))
