"""Organisation services called directly, for the refusals the pages seldom reach."""

import pytest
from sqlalchemy import func, select

from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import db
from psp.organisations import services
from psp.organisations.models import ACTIVE, ADMIN, DECLINED, MEMBER, REQUESTED, Membership, Organisation


def _user(world, kind):
    return db.session.get(User, world[f"user:{kind}"])


def _organisation(world, key):
    return db.session.get(Organisation, world[f"org_id:{key}"])


def _membership(world, kind, org):
    return db.session.scalar(select(Membership).where(
        Membership.user_id == world[f"user:{kind}"], Membership.organisation_id == world[f"org_id:{org}"]))


def _memberships_of(world, kind):
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == world[f"user:{kind}"]))


def test_an_update_cannot_take_another_organisations_charity_number(world, app_ctx):
    """Two organisations with one charity number would make verification meaningless."""
    other = _organisation(world, "other")
    data = {"name": other.name, "kind": other.kind, "charity_number": "SC000001",
            "website": "", "description": "Now claiming a number.", "areas": other.area_codes}
    with pytest.raises(Refused, match="charity number is already registered") as refused:
        services.update_organisation(_user(world, "other_member"), other, data)
    assert refused.value.field == "charity_number"
    db.session.rollback()
    again = _organisation(world, "other")
    assert (again.charity_number, again.description) == (None, "About Other Group.")


@pytest.mark.parametrize("kind", ["asker", "partner_member"])
def test_asking_to_join_twice_or_as_a_member_is_refused(world, app_ctx, kind):
    """A pending request or an active membership is not duplicated by asking again."""
    before = _memberships_of(world, kind)
    with pytest.raises(Refused, match="already asked to join, or are a member"):
        services.ask_to_join(_user(world, kind), _organisation(world, "partner"))
    db.session.rollback()
    assert _memberships_of(world, kind) == before


def test_asking_again_after_a_decline_reopens_the_same_request(world, app_ctx):
    """Someone turned down may ask again; their old row becomes a fresh request."""
    admin = _user(world, "organisation_admin")
    declined = db.session.get(Membership, world["join_request"])
    services.decide_membership(admin, declined, accept=False)
    assert db.session.get(Membership, world["join_request"]).status == DECLINED

    services.ask_to_join(_user(world, "asker"), _organisation(world, "partner"))
    again = _membership(world, "asker", "partner")
    assert (again.id, again.status, again.role) == (world["join_request"], REQUESTED, MEMBER)
    assert _memberships_of(world, "asker") == 1


def test_a_decided_request_cannot_be_decided_again(world, app_ctx):
    """Accepting a request an admin already declined (another tab) is refused."""
    admin = _user(world, "organisation_admin")
    services.decide_membership(admin, db.session.get(Membership, world["join_request"]), accept=False)
    with pytest.raises(Refused, match="already been decided"):
        services.decide_membership(admin, db.session.get(Membership, world["join_request"]), accept=True)
    db.session.rollback()
    assert db.session.get(Membership, world["join_request"]).status == DECLINED


def test_only_active_members_can_be_made_admins(world, app_ctx):
    """Someone still asking to join cannot be handed the organisation."""
    with pytest.raises(Refused, match="Only members can be made admins"):
        services.make_admin(_user(world, "organisation_admin"),
                            db.session.get(Membership, world["join_request"]))
    db.session.rollback()
    request = db.session.get(Membership, world["join_request"])
    assert (request.role, request.status) == (MEMBER, REQUESTED)


def test_an_admin_cannot_be_made_admin_again(world, app_ctx):
    """Promoting an admin says so by name instead of recording a change that is none."""
    membership = _membership(world, "organisation_admin", "partner")
    name = membership.user.name
    with pytest.raises(Refused, match=f"{name} is already an admin"):
        services.make_admin(_user(world, "organisation_admin"), membership)
    db.session.rollback()
    after = _membership(world, "organisation_admin", "partner")
    assert (after.role, after.status) == (ADMIN, ACTIVE)


@pytest.mark.parametrize("kind", ["no_organisation", "asker"])
def test_leaving_an_organisation_one_is_not_a_member_of_is_refused(world, app_ctx, kind):
    """Only an active member can leave; an open request to join is not a membership."""
    before = _memberships_of(world, kind)
    with pytest.raises(Refused, match="You are not a member of this organisation"):
        services.leave(_user(world, kind), _organisation(world, "partner"))
    db.session.rollback()
    assert _memberships_of(world, kind) == before
