"""The register of interests, and the conflict that stops a lead answering a view."""

from psp.interests.models import Declaration
from tests.policy.tables import NOBODY, PARTNERS

DECLARERS = {"coordinator", "nhs_lead", "organisation_admin"}


def test_has_conflict(check):
    check([
        # organisation               who has a conflict with it here
        ("partner",                  PARTNERS),                       # they belong to it
        ("other",                    {"other_member", "nhs_lead"}),   # the NHS lead declared a trusteeship
        ("pending",                  {"pending_member"}),
        ("interface",                NOBODY),
        ("none",                     NOBODY),
    ], lambda scene, org: (scene.programme(), None if org == "none" else scene.world[f"org_id:{org}"]))


def test_can_declare_interest(check):
    check([
        # programme                  who keeps its register
        ("here",                     DECLARERS),
        ("review",                   {"coordinator", "nhs_lead"}),   # Partner Charity is not a partner there
        ("elsewhere",                {"elsewhere_coordinator", "elsewhere_lead"}),   # its partner is a member
    ], lambda scene, which: (scene.programme(which),))


def test_can_declare_for(check):
    check([
        # for                        who may declare for it here
        ("themselves",               DECLARERS),
        ("partner",                  {"organisation_admin"}),
        ("asking",                   NOBODY),     # its admin's organisation only asked to take part
        ("other",                    NOBODY),     # not a partner; its member is no admin
    ], lambda scene, org: (scene.programme(), None if org == "themselves" else scene.world[f"org_id:{org}"]))


def _declaration(scene, record):
    owner, programme = record.split("@")
    world = scene.world
    if owner == "partner":
        return Declaration(programme_id=world[f"programme_id:{programme}"],
                           user_id=world["user:organisation_admin"], organisation_id=world["org_id:partner"],
                           kind="may-bid", interest_organisation_id=world["org_id:partner"])
    return Declaration(programme_id=world[f"programme_id:{programme}"], user_id=world[f"user:{owner}"],
                       kind="none")


def test_can_withdraw_declaration(check):
    check([
        # declaration@programme      who may withdraw it here
        ("coordinator@here",         {"coordinator"}),
        ("partner_member@here",      {"partner_member"}),     # their own, though they could not declare now
        ("partner@here",             {"organisation_admin"}),
        ("coordinator@review",       NOBODY),                 # another programme's, through this one
    ], lambda scene, record: (scene.programme(), _declaration(scene, record)))
