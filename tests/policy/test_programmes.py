"""Roles on programmes, partners, and asking to take part."""

from tests.policy.tables import INSIDE, LEADS, NOBODY, PARTNERS


def programme(scene, which):
    return (scene.programme(which),)


def test_is_coordinator(check):
    check([
        # programme        who is its coordinator
        ("here",           {"coordinator"}),
        ("review",         {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def test_is_nhs_lead(check):
    check([
        ("here",           {"nhs_lead"}),
        ("review",         {"nhs_lead"}),
        ("elsewhere",      {"elsewhere_lead"}),
    ], programme)


def test_is_coordinator_anywhere(check):
    check([("(no record)", {"coordinator", "elsewhere_coordinator"})])


def test_can_create_programme(check):
    check([("(no record)", {"site_admin"})])


def test_can_appoint(check):
    check([
        ("here",           {"site_admin"}),
        ("elsewhere",      {"site_admin"}),
    ], programme)


def test_can_decide_participation(check):
    check([
        ("here",           {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def test_is_partner(check):
    check([
        ("here",           PARTNERS),
        ("review",         NOBODY),         # Partner Charity is not admitted there
        ("elsewhere",      {"elsewhere_partner"}),
    ], programme)


def test_can_see_partner_items(check):
    check([
        ("here",           INSIDE),
        ("elsewhere",      {"elsewhere_partner", "elsewhere_coordinator", "elsewhere_lead", "site_admin"}),
    ], programme)


def test_can_ask_any_to_take_part(check):
    # Admins of any organisation, verified or not; which of theirs may ask is the next rule.
    check([("(no record)", {"organisation_admin", "pending_member", "bystander"})])


def test_can_ask_to_take_part(check):
    check([
        # organisation (status)                 who may ask for it to take part here
        ("partner",                             {"organisation_admin"}),
        ("asking",                              {"bystander"}),
        ("other",                               NOBODY),          # its member is no admin
        ("pending",                             {"pending_member"}),  # asks at once, verified later
        ("pending verified",                    {"pending_member"}),
        ("asking rejected",                     NOBODY),
    ], lambda scene, record: (scene.programme(), scene.organisation(*record.split())))


def test_can_verify_and_admit(check):
    check([
        ("here",           {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def _put_forward(scene, record):
    """"<organisation> [<status of its request to this programme>]"; "none" is no organisation."""
    from psp.programmes.models import Participation

    key, *request = record.split()
    organisation = None if key == "none" else scene.organisation(key)
    participation = Participation(status=request[0]) if request else None
    return scene.programme(), organisation, participation


def test_can_put_forward(check):
    check([
        # organisation, its request here        who may put it forward now
        ("asking",                              {"bystander"}),
        ("asking declined",                     {"bystander"}),   # may ask again
        ("asking requested",                    NOBODY),          # already asking
        ("asking admitted",                     NOBODY),          # already a partner
        ("pending",                             {"pending_member"}),
        ("none",                                NOBODY),
    ], _put_forward)


def test_can_manage_meetings(check):
    check([
        ("here",           {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def test_can_post_updates(check):
    check([
        ("here",           {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def test_can_see_reach(check):
    check([
        ("here",           {"coordinator"}),
        ("elsewhere",      {"elsewhere_coordinator"}),
    ], programme)


def test_is_programme_lead(check):
    check([
        ("here",           LEADS),
        ("elsewhere",      {"elsewhere_coordinator", "elsewhere_lead"}),
    ], programme)


def test_can_answer_views(check):
    check([
        ("here",           LEADS),
        ("elsewhere",      {"elsewhere_coordinator", "elsewhere_lead"}),
    ], programme)


def test_can_download_views(check):
    check([
        ("here",           LEADS),
        ("elsewhere",      {"elsewhere_coordinator", "elsewhere_lead"}),
    ], programme)


def test_can_give_view(check):
    check([
        ("here",           PARTNERS),
        ("review",         NOBODY),
        ("elsewhere",      {"elsewhere_partner"}),
    ], programme)
