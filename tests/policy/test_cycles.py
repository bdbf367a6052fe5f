"""Stages and actions.

A stage is "<kind> <status>": cycle 1's stage of that kind in this programme, the status set
in memory; "review: analyse" is the review programme's Analyse as stored (in review). An action
is "<owner>'s, <current stage>": the world's action (planned at Plan) owned by that
organisation, with the programme's current stage as it would be passed; "other cycle plan open"
is a current stage of another cycle, "none" a programme with no current stage.
"""

from tests.policy.tables import NOBODY, PARTNERS


def stage(scene, record):
    if record.startswith("review: "):
        return scene.programme("review"), scene.stage(record.removeprefix("review: "), programme="review")
    return scene.programme(), scene.stage(*record.split())


def action(scene, record):
    owner, current = record.split("'s, ")
    if current == "none":
        current = None
    elif current.startswith("other cycle "):
        current = scene.stage(*current.removeprefix("other cycle ").split(), programme="review")
    else:
        current = scene.stage(*current.split())
    return scene.programme(), scene.action(owner), current


STAGE_WORK = [
    # stage                   who may change what it holds, or submit it for review
    ("analyse open",          {"coordinator"}),
    ("analyse returned",      {"coordinator"}),
    ("analyse in_review",     NOBODY),
    ("analyse upcoming",      NOBODY),
    ("analyse signed_off",    NOBODY),
    ("do open",               {"coordinator"}),
    ("review returned",       {"coordinator"}),
    ("review in_review",      NOBODY),
]


def test_can_change_stage(check):
    check(STAGE_WORK, stage)


def test_can_submit_stage(check):
    check(STAGE_WORK, stage)


def test_can_review_stage(check):
    check([
        ("analyse in_review",     {"nhs_lead"}),
        ("review: analyse",       {"nhs_lead"}),
        ("plan in_review",        {"nhs_lead"}),
        ("analyse open",          NOBODY),
        ("analyse returned",      NOBODY),
        ("analyse upcoming",      NOBODY),
        ("analyse signed_off",    NOBODY),
    ], stage)


def test_can_add_action(check):
    check([
        ("plan open",             {"coordinator"}),
        ("plan returned",         {"coordinator"}),
        ("do open",               {"coordinator"}),
        ("do returned",           {"coordinator"}),
        ("plan in_review",        NOBODY),
        ("do in_review",          NOBODY),
        ("plan upcoming",         NOBODY),
        ("do signed_off",         NOBODY),
        ("analyse open",          NOBODY),
        ("review open",           NOBODY),
        ("review returned",       NOBODY),
    ], stage)


def test_is_action_owner(check):
    check([
        # action                  who owns it
        ("partner's, none",       PARTNERS | {"coordinator"}),
        ("other's, none",         {"other_member", "coordinator"}),
        ("pending's, none",       {"pending_member", "coordinator"}),
        ("elsewhere's, none",     {"elsewhere_partner", "coordinator"}),
    ], lambda scene, record: action(scene, record)[:2])


def test_can_edit_action(check):
    check([
        ("partner's, plan open",             {"coordinator"}),
        ("partner's, plan returned",         {"coordinator"}),
        ("partner's, do open",               {"coordinator"}),
        ("partner's, do returned",           {"coordinator"}),
        ("other's, do open",                 {"coordinator"}),
        ("partner's, plan in_review",        NOBODY),
        ("partner's, do in_review",          NOBODY),
        ("partner's, analyse open",          NOBODY),
        ("partner's, review open",           NOBODY),
        ("partner's, review returned",       NOBODY),
        ("partner's, other cycle plan open", NOBODY),
        ("partner's, none",                  NOBODY),
    ], action)


def test_can_update_action(check):
    check([
        ("partner's, plan open",             PARTNERS | {"coordinator"}),
        ("partner's, plan returned",         PARTNERS | {"coordinator"}),
        ("partner's, do open",               PARTNERS | {"coordinator"}),
        ("partner's, do returned",           PARTNERS | {"coordinator"}),
        ("other's, do open",                 {"other_member", "coordinator"}),
        ("pending's, plan open",             {"pending_member", "coordinator"}),
        ("partner's, plan in_review",        NOBODY),
        ("partner's, do in_review",          NOBODY),
        ("partner's, analyse open",          NOBODY),
        ("partner's, review open",           NOBODY),
        ("partner's, review returned",       NOBODY),
        ("partner's, other cycle plan open", NOBODY),
        ("partner's, none",                  NOBODY),
    ], action)
