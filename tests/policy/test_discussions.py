"""Discussions: who reads, starts, replies, edits, withdraws, reports, moderates, follows and
turns a message into a view."""

from datetime import timedelta

from psp.discussions.models import Discussion, Message
from psp.timeutil import utcnow
from tests.policy.tables import CONFIRMED, INSIDE, LEADS, NOBODY, PARTNERS, SIGNED_IN

EVERYONE_READS = {"anonymous", "disabled"} | SIGNED_IN


def _discussion(scene, which, closed=False):
    found = scene.get(Discussion, scene.world[f"disc_{which}"])
    found.closed_at = utcnow() if closed else None
    return found


def _message(scene, which="partners", status="shown", minutes=1):
    found = scene.get(Message, scene.world[f"msg_{which}"])
    found.status, found.created_at = status, utcnow() - timedelta(minutes=minutes)
    return found


def test_can_see_discussion(check):
    check([
        ("public",      EVERYONE_READS),
        ("partners",    INSIDE),
    ], lambda scene, which: (scene.programme(), _discussion(scene, which)))


def test_can_start_discussion(check):
    check([
        ("here",        PARTNERS | LEADS),   # not site admins: they read, but are not partners
        ("elsewhere",   {"elsewhere_partner", "elsewhere_coordinator", "elsewhere_lead"}),
    ], lambda scene, which: (scene.programme(which),))


def test_can_post_message(check):
    check([
        (("partners", False),   PARTNERS | LEADS),
        (("public", False),     PARTNERS | LEADS),   # visitors read a public one, never post
        (("partners", True),    NOBODY),             # closed
        (("review", False),     NOBODY),             # another programme's discussion, ids changed
    ], lambda scene, row: (scene.programme(), _discussion(scene, row[0], row[1])))


def test_is_message_author(check):
    check([
        ("partners",    {"partner_member"}),
        ("coordinator", {"coordinator"}),
    ], lambda scene, which: (_message(scene, which),))


def test_can_edit_message(check):
    check([
        # message status, minutes since posted, discussion closed
        (("shown", 1, False),     {"partner_member"}),
        (("shown", 29, False),    {"partner_member"}),
        (("shown", 31, False),    NOBODY),    # fixed after 30 minutes
        (("hidden", 1, False),    NOBODY),
        (("withdrawn", 1, False), NOBODY),
        (("shown", 1, True),      NOBODY),    # the discussion is closed
    ], lambda scene, row: (scene.programme(), _discussion(scene, "partners", row[2]),
                           _message(scene, "partners", row[0], row[1])))


def test_can_withdraw_message(check):
    check([
        ("shown",       {"partner_member"}),
        ("hidden",      NOBODY),
        ("withdrawn",   NOBODY),
    ], lambda scene, status: (_message(scene, "partners", status),))


def test_can_report_message(check):
    check([
        (("partners", "partners", "shown"),   INSIDE - {"partner_member"}),   # not its author
        (("public", "public", "shown"),       CONFIRMED - {"partner_member"}),
        (("partners", "partners", "hidden"),  NOBODY),
        (("public", "partners", "shown"),     NOBODY),   # a message of another discussion
    ], lambda scene, row: (scene.programme(), _discussion(scene, row[0]), _message(scene, row[1], row[2])))


def test_can_moderate_discussions(check):
    check([
        ("here",        {"coordinator"}),
        ("elsewhere",   {"elsewhere_coordinator"}),
    ], lambda scene, which: (scene.programme(which),))


def test_can_hide_message(check):
    check([
        ("shown",       {"coordinator"}),
        ("hidden",      NOBODY),
        ("withdrawn",   NOBODY),
    ], lambda scene, status: (scene.programme(), _message(scene, "partners", status)))


def test_can_restore_message(check):
    check([
        ("hidden",      {"coordinator"}),
        ("shown",       NOBODY),
    ], lambda scene, status: (scene.programme(), _message(scene, "partners", status)))


def test_can_close_discussion(check):
    check([
        (False,         {"coordinator"}),
        (True,          NOBODY),
    ], lambda scene, closed: (scene.programme(), _discussion(scene, "partners", closed)))


def test_can_pin_discussion(check):
    check([
        ("here",        {"coordinator"}),
        ("elsewhere",   {"elsewhere_coordinator"}),
    ], lambda scene, which: (scene.programme(which), _discussion(scene, "partners")))


def test_can_follow_discussion(check):
    check([
        ("public",      CONFIRMED),
        ("partners",    INSIDE),
    ], lambda scene, which: (scene.programme(), _discussion(scene, which)))


def test_can_make_view_of_message(check):
    check([
        (("partners", "shown"),     PARTNERS | {"coordinator"}),
        (("partners", "hidden"),    NOBODY),
        (("coordinator", "shown"),  NOBODY),   # a lead's message speaks for no partner organisation
    ], lambda scene, row: (scene.programme(), _message(scene, row[0], row[1])))
