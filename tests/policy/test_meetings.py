"""Meetings: who sees them, books them, and sees the online link."""

from tests.policy.tables import CONFIRMED, EVERYONE, INSIDE, LEADS, PARTNERS, SIGNED_IN


def meeting(scene, audience):
    return scene.programme(), scene.meeting(audience)


def test_can_see_meeting(check):
    check([
        # meeting for            who sees it
        ("public",               EVERYONE),
        ("partners",             INSIDE),
    ], meeting)


def test_can_book(check):
    check([
        ("public",               CONFIRMED),
        ("partners",             PARTNERS | LEADS),   # site admins see it but do not book
    ], meeting)


def test_can_see_online_link(check):
    check([
        # their own booking       who sees the link
        ("booked",               SIGNED_IN),           # a visitor has no booking
        ("waiting",              {"coordinator"}),
        ("cancelled",            {"coordinator"}),
        ("none",                 {"coordinator"}),
    ], lambda scene, status: (scene.programme(), scene.booking(None if status == "none" else status)))
