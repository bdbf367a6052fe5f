"""Rules about the person alone, and about accounts."""

from tests.policy.tables import CONFIRMED, NOBODY, SIGNED_IN


def test_is_signed_in(check):
    check([("(no record)", SIGNED_IN)])


def test_is_confirmed(check):
    check([("(no record)", CONFIRMED)])


def test_is_site_admin(check):
    check([("(no record)", {"site_admin"})])


def test_can_manage_accounts(check):
    check([("(no record)", {"site_admin"})])


def test_can_read_audit_log(check):
    check([("(no record)", {"site_admin"})])


def test_can_see_my_work(check):
    check([("(no record)", SIGNED_IN)])


def test_can_see_notifications(check):
    check([("(no record)", SIGNED_IN)])


def test_can_disable_account(check):
    check([
        # account                      who may disable it
        ("someone else's",             {"site_admin"}),
        ("a disabled site admin's",    {"site_admin"}),
        ("their own",                  NOBODY),
    ], lambda scene, account: (
        scene.me if account == "their own"
        else scene.person("disabled" if account == "a disabled site admin's" else "bystander"),))


DECIDERS = {"coordinator", "nhs_lead", "site_admin", "elsewhere_coordinator", "elsewhere_lead"}


def test_needs_second_factor(check):
    check([("(no record)", DECIDERS)])


def test_has_second_factor(check):
    # The world's coordinator, NHS lead and site admin have an authenticator app; nobody else does.
    check([("(no record)", {"coordinator", "nhs_lead", "site_admin"})])


def test_is_held_back_for_second_factor(check):
    check([("(no record)", {"elsewhere_coordinator", "elsewhere_lead"})])


def test_can_reset_second_factor(check):
    check([
        # account                      who may reset its second factor
        ("someone else's",             {"site_admin"}),
        ("their own",                  NOBODY),
    ], lambda scene, account: (scene.me if account == "their own" else scene.person("coordinator"),))


def test_can_turn_off_second_factor(check):
    check([("(no record)", SIGNED_IN - DECIDERS)])
