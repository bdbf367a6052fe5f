"""Organisations: who belongs, who sees one before it is verified, who checks and runs it.

Records are the world's organisations: partner (Partner Charity), other (Other Group), pending
(Pending Project), asking (Asking Association); a second word sets its status in memory.
"""

from tests.policy.tables import CONFIRMED, EVERYONE, NOBODY, PARTNERS, VERIFIERS


def organisation(scene, record):
    return (scene.organisation(*record.split()),)


def test_can_register_organisation(check):
    check([("(no record)", CONFIRMED)])


def test_can_verify_organisations(check):
    check([("(no record)", VERIFIERS)])


def test_is_member(check):
    check([
        # organisation           who is a member
        ("partner",              PARTNERS),            # asker only asked; other_member was declined
        ("other",                {"other_member"}),
        ("pending",              {"pending_member"}),
        ("asking",               {"bystander"}),
        ("elsewhere",            {"elsewhere_partner"}),
    ], organisation)


def test_is_organisation_admin(check):
    check([
        ("partner",              {"organisation_admin"}),
        ("other",                NOBODY),
        ("pending",              {"pending_member"}),
        ("asking",               {"bystander"}),
    ], organisation)


def test_can_view_organisation(check):
    check([
        ("partner",              EVERYONE),
        ("other",                EVERYONE),
        ("pending",              VERIFIERS | {"pending_member"}),
        ("pending rejected",     VERIFIERS | {"pending_member"}),
        ("partner pending",      VERIFIERS | PARTNERS | {"asker"}),   # asking to join counts too
        ("partner rejected",     VERIFIERS | PARTNERS | {"asker"}),
    ], organisation)


def test_can_verify_organisation(check):
    check([
        ("pending",              VERIFIERS),
        ("pending rejected",     NOBODY),
        ("partner",              NOBODY),              # verified already
    ], organisation)


def test_can_edit_organisation(check):
    check([
        ("partner",              {"organisation_admin", "site_admin"}),
        ("other",                {"site_admin"}),
        ("pending",              {"pending_member", "site_admin"}),
        ("asking",               {"bystander", "site_admin"}),
    ], organisation)


def test_can_ask_to_join(check):
    check([
        ("partner",              CONFIRMED - PARTNERS - {"asker"}),   # declined may ask again
        ("other",                CONFIRMED - {"other_member"}),
        ("pending",              NOBODY),
        ("pending rejected",     NOBODY),
        ("other rejected",       NOBODY),
    ], organisation)


def test_is_asking_to_join(check):
    check([
        ("partner",              {"asker"}),      # asked, not yet decided
        ("other",                NOBODY),
    ], organisation)


def test_can_manage_members(check):
    check([
        ("partner",              {"organisation_admin"}),
        ("other",                NOBODY),
        ("pending",              {"pending_member"}),
        ("asking",               {"bystander"}),
    ], organisation)


def test_can_leave(check):
    check([
        ("partner",              PARTNERS),
        ("other",                {"other_member"}),
        ("pending",              {"pending_member"}),
        ("elsewhere",            {"elsewhere_partner"}),
    ], organisation)
