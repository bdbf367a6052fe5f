"""Updates a programme posts."""

from tests.policy.tables import EVERYONE, INSIDE


def test_can_see_update(check):
    check([
        # update for             who sees it
        ("public",               EVERYONE),
        ("partners",             INSIDE),
    ], lambda scene, audience: (scene.programme(), scene.update(audience)))
