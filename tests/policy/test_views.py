"""Views (contributions): who gives them, edits them, answers them, and sees which.

A view record is "<status> [leads] [<owner>]": the world's shared view with its status, its
audience (leads only) and its organisation set in memory; "review: " passes the review
programme, where Partner Charity is not a partner.
"""

from datetime import date

from sqlalchemy import select

from psp import policy
from psp.contributions.models import Contribution
from psp.extensions import db
from psp.organisations.models import Membership
from psp.timeutil import utcnow
from tests.factories import person
from tests.policy.tables import LEADS, NOBODY, PARTNERS, PEOPLE
from tests.policy.test_programmes import programme as the_programme


def view(scene, record):
    """"recorded" makes it a view a coordinator recorded from a group not on the service (held by
    the lead interface); "contact" gives it an email address left with consent."""
    programme = scene.programme("review" if record.startswith("review: ") else "here")
    status, *rest = record.removeprefix("review: ").split()
    flags = {"recorded", "contact"}
    audience = "leads" if "leads" in rest else "partners"
    owner = next((word for word in rest if word not in {"leads", *flags}), "partner")
    found = scene.view(status, audience, owner)
    if "recorded" in rest:
        found.source, found.giver, found.group_name = "paper", "group", "Ward 7 patients' group"
        found.given_on = date(2027, 3, 3)
    if "contact" in rest:
        found.contact_email, found.contact_consent_at = "someone@example.org", utcnow()
    return programme, found


def test_can_edit_view(check):
    check([
        # view                               who may edit it
        ("draft",                            PARTNERS),
        ("received",                         PARTNERS),
        ("received leads",                   PARTNERS),
        ("under_consideration",              NOBODY),
        ("taken_forward",                    NOBODY),
        ("not_taken_forward",                NOBODY),
        ("already_in_place",                 NOBODY),
        ("draft other",                      NOBODY),     # Other Group is no partner here
        ("draft elsewhere",                  NOBODY),     # a partner of another programme
        ("review: draft",                    NOBODY),     # Partner Charity is no partner there
        ("received recorded",                NOBODY),     # the giver's words as a coordinator wrote them
        ("received recorded partner",        NOBODY),
    ], view)


def test_can_open_view_form(check):
    check([
        # view                               who may open its form (answered: to be told why not)
        ("draft",                            PARTNERS),
        ("received",                         PARTNERS),
        ("under_consideration",              PARTNERS),
        ("taken_forward",                    PARTNERS),
        ("draft other",                      NOBODY),       # not a partner here: no form at all
        ("taken_forward other",              {"other_member"}),
        ("taken_forward recorded",           NOBODY),
    ], view)


def test_can_record_view(check):
    check([
        # programme                          who records views given outside the service
        ("here",                             {"coordinator"}),
        ("review",                           {"coordinator"}),
        ("elsewhere",                        {"elsewhere_coordinator"}),
    ], the_programme)


def test_can_see_view_contact(check):
    check([
        # view                               who sees the email address left with it
        ("received recorded contact",        {"coordinator"}),
        ("taken_forward recorded contact",   {"coordinator"}),
        ("received recorded",                NOBODY),     # none was left
    ], view)


def test_can_see_view_author(check):
    check([
        ("received",                         PARTNERS | LEADS),
        ("received other",                   LEADS | {"other_member"}),
        ("review: received",                 PARTNERS | LEADS),
    ], view)


def test_can_answer_view(check):
    check([
        ("received",                         LEADS),
        ("received leads",                   LEADS),
        ("under_consideration",              LEADS),
        ("taken_forward",                    LEADS),
        ("received other",                   {"coordinator"}),   # the NHS lead is a trustee of Other Group
        ("draft",                            NOBODY),
    ], view)


VISITOR = {"Shared and answered"}
PARTNER_SEES = {"Shared and waiting", "For the leads only", "Shared and answered", "Still a draft",
                "Leads only, answered", "Other Group's, waiting"}
VISIBLE = {
    # person                 titles of this programme's views they may see
    "anonymous":             VISITOR,
    "disabled":              VISITOR,
    "no_organisation":       VISITOR,
    "unconfirmed":           VISITOR,
    "asker":                 VISITOR,
    "pending_member":        VISITOR,
    "bystander":             VISITOR,
    "elsewhere_coordinator": VISITOR,
    "elsewhere_lead":        VISITOR,
    "elsewhere_partner":     VISITOR,
    "other_member":          VISITOR | {"Other Group's draft", "Other Group's, waiting"},
    "partner_member":        PARTNER_SEES,
    "organisation_admin":    PARTNER_SEES,
    "coordinator":           {"Shared and waiting", "For the leads only", "Shared and answered",
                              "Leads only, answered", "Other Group's, waiting"},
    "nhs_lead":              {"Shared and waiting", "For the leads only", "Shared and answered",
                              "Leads only, answered", "Other Group's, waiting"},
    "site_admin":            {"Shared and waiting", "Shared and answered", "Other Group's, waiting"},
}


def add_views(world):
    """Beside the world's four views of Partner Charity: an answered one for the leads, and two
    of Other Group's (a partner once), one a draft."""
    template = db.session.get(Contribution, world["view_answered"])
    for title, status, audience, owner in [
            ("Leads only, answered", "taken_forward", "leads", "partner"),
            ("Other Group's draft", "draft", "partners", "other"),
            ("Other Group's, waiting", "received", "partners", "other")]:
        db.session.add(Contribution(
            programme_id=template.programme_id, stage_id=template.stage_id, title=title, body=title,
            organisation_id=world[f"org_id:{owner}"], author_id=world["user:other_member"],
            status=status, audience=audience,
            submitted_at=None if status == "draft" else template.submitted_at))
    db.session.commit()


def test_visible_views(app, policy_world, case):
    assert set(VISIBLE) == set(PEOPLE)
    with app.app_context():
        add_views(policy_world)
    wrong = []
    for kind in PEOPLE:
        with case(kind) as (scene, me):
            programme = scene.programme()
            seen = set(db.session.scalars(select(Contribution.title).where(
                Contribution.programme_id == programme.id, policy.visible_views(me, programme))))
        if seen != VISIBLE[kind]:
            wrong.append(f"  {kind:<22} expected {sorted(VISIBLE[kind])}, got {sorted(seen)}")
    assert not wrong, "visible_views:\n" + "\n".join(wrong)


VIEW_ORGANISATIONS = [
    # person                 programme      organisations they may give a view for
    ("partner_member",       "here",        {"partner"}),
    ("organisation_admin",   "here",        {"partner"}),
    ("two_hats",             "here",        {"partner"}),
    ("two_hats",             "elsewhere",   {"elsewhere"}),
    ("elsewhere_partner",    "elsewhere",   {"elsewhere"}),
    ("partner_member",       "review",      set()),
]  # everyone else, for each of these programmes: none


def test_view_organisations(app, policy_world, case):
    with app.app_context():  # a member of two organisations, each a partner of one programme
        two_hats = person("two.hats@example.org")
        db.session.add(two_hats)
        db.session.flush()
        db.session.add_all([Membership(user_id=two_hats.id, organisation_id=policy_world[f"org_id:{org}"],
                                       status="active") for org in ("partner", "elsewhere")])
        db.session.commit()
        policy_world.ids["user:two_hats"] = two_hats.id
    expected = {(kind, programme): {policy_world[f"org_id:{org}"] for org in orgs}
                for kind, programme, orgs in VIEW_ORGANISATIONS}
    wrong = []
    for kind in [*PEOPLE, "two_hats"]:
        for programme in ("here", "review", "elsewhere"):
            with case(kind) as (scene, me):
                got = policy.view_organisations(me, scene.programme(programme))
            if got != expected.get((kind, programme), set()):
                wrong.append(f"  {kind:<22} {programme:<10} expected "
                             f"{expected.get((kind, programme), set())}, got {got}")
    assert not wrong, "view_organisations:\n" + "\n".join(wrong)
