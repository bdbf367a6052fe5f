"""What a person holds, read once per request: the facts every rule stands on."""

from psp import policy
from tests.policy.tables import PEOPLE

HELD = {
    # person                 what they hold (anything not named is empty)
    "anonymous":             {},
    "disabled":              {},   # their membership and role count for nothing while disabled
    "no_organisation":       {},
    "unconfirmed":           {},
    "site_admin":            {},
    "asker":                 {"asked_to_join": {"partner"}},
    "pending_member":        {"member_of": {"pending"}, "admin_of": {"pending"}},
    "bystander":             {"member_of": {"asking"}, "admin_of": {"asking"}},  # asked, not admitted
    "other_member":          {"member_of": {"other"}},                           # declined at partner
    "partner_member":        {"member_of": {"partner"}, "partner_in": {"here"},
                              "partner_orgs": {("here", "partner")}},
    "organisation_admin":    {"member_of": {"partner"}, "admin_of": {"partner"}, "partner_in": {"here"},
                              "partner_orgs": {("here", "partner")}},
    "elsewhere_partner":     {"member_of": {"elsewhere"}, "partner_in": {"elsewhere"},
                              "partner_orgs": {("elsewhere", "elsewhere")}},
    "coordinator":           {"roles": {("here", "coordinator"), ("review", "coordinator")}},
    "nhs_lead":              {"roles": {("here", "nhs_lead"), ("review", "nhs_lead")}},
    "elsewhere_coordinator": {"roles": {("elsewhere", "coordinator")}},
    "elsewhere_lead":        {"roles": {("elsewhere", "nhs_lead")}},
}


def in_ids(world, field, names):
    """The table's names as the ids Holdings keeps."""
    org, programme = (lambda n: world[f"org_id:{n}"]), (lambda n: world[f"programme_id:{n}"])
    if field == "roles":
        return {(programme(p), role) for p, role in names}
    if field == "partner_in":
        return {programme(p) for p in names}
    if field == "partner_orgs":
        return {(programme(p), org(o)) for p, o in names}
    return {org(o) for o in names}


def test_holdings(policy_world, case):
    assert set(HELD) == set(PEOPLE)
    fields = ("member_of", "admin_of", "asked_to_join", "roles", "partner_in", "partner_orgs")
    wrong = []
    for kind in PEOPLE:
        with case(kind) as (scene, me):
            held = policy.holdings(me)
        for field in fields:
            want = in_ids(policy_world, field, HELD[kind].get(field, set()))
            if getattr(held, field) != want:
                wrong.append(f"  {kind:<22} {field:<14} expected {want}, got {getattr(held, field)}")
    assert not wrong, "holdings:\n" + "\n".join(wrong)


def test_holdings_are_read_once_per_request(app, policy_world, case, count_queries):
    """Two queries the first time in a request, none after; forget reads them afresh."""
    with case("organisation_admin") as (scene, me):
        first, queries = count_queries(lambda: policy.holdings(me))
        assert queries == 2
        again, queries = count_queries(lambda: policy.holdings(me))
        assert (again is first, queries) == (True, 0)
        policy.forget(me)
        afresh, queries = count_queries(lambda: policy.holdings(me))
        assert (afresh is not first, afresh == first, queries) == (True, True, 2)
    with case("organisation_admin") as (scene, me):   # the next request reads them again
        _, queries = count_queries(lambda: policy.holdings(me))
        assert queries == 2
    with case("anonymous") as (scene, me):
        _, queries = count_queries(lambda: policy.holdings(me))
        assert queries == 0


def test_audience_is_everything_the_rules_read_and_nothing_that_names_the_person(app, policy_world, case):
    """Every kind of person has an audience of their own; two people holding the same things
    share one; a role, a declaration or a second factor makes it another."""
    from psp.auth.models import User
    from psp.extensions import db
    from psp.interests.models import Declaration
    from psp.organisations.models import Membership
    from tests.factories import give_factor, person

    signed_in = [kind for kind in PEOPLE if kind not in ("anonymous", "disabled")]
    audiences = {}
    for kind in signed_in:
        with case(kind) as (scene, me):
            audiences[kind] = policy.audience(me)
    assert len(set(audiences.values())) == len(signed_in)
    with app.app_context():
        twin = person("twin@example.org")
        db.session.add(twin)
        db.session.flush()
        db.session.add(Membership(user_id=twin.id, organisation_id=policy_world["org_id:partner"],
                                  status="active"))
        db.session.commit()
        policy_world.ids["user:twin"] = twin.id
    with case("twin") as (scene, me):
        assert policy.audience(me) == audiences["partner_member"]
    with app.app_context():
        give_factor(db.session.get(User, policy_world["user:twin"]))
        db.session.commit()
    with case("twin") as (scene, me):
        assert policy.audience(me) not in audiences.values()
    with case("coordinator") as (scene, me):
        db.session.add(Declaration(programme_id=policy_world["programme_id:here"], user_id=me.id,
                                   kind="role-elsewhere", description="Trustee",
                                   interest_organisation_id=policy_world["org_id:other"]))
        db.session.commit()
    with case("coordinator") as (scene, me):
        assert policy.audience(me) != audiences["coordinator"]
