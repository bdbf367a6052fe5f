"""Direct policy tests: each rule called with real rows from the database, no HTTP.

Each kind of person is checked in a request of their own, so what they hold is read afresh
(policy.holdings caches it per request). Record states a row needs are set in memory, never
flushed (the database would refuse some, such as two current stages), and undone before the
next row; whatever is left goes with the request's session.
"""

from contextlib import contextmanager

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from psp import policy
from psp.auth.models import User
from psp.contributions.models import Contribution
from psp.cycles.models import Action, Stage
from psp.extensions import db
from psp.meetings.models import Booking, Meeting
from psp.organisations.models import Membership, Organisation
from psp.programmes.models import Participation, Programme, ProgrammeRole
from psp.timeutil import utcnow
from psp.updates.models import Update
from tests.factories import organisation, person
from tests.policy.tables import PEOPLE

CHECKED = {}  # rule name -> number of person x record cases checked, for the summary


def extend_world(world):
    """Add the people in tables.EXTRA and what they need: another programme with its own
    coordinator, NHS lead and partner; an unconfirmed and a disabled account."""
    ids = world.ids
    here = db.session.get(Programme, ids["programme_id"])
    review = db.session.scalar(select(Programme).where(Programme.slug == "review-programme"))
    elsewhere = Programme(slug="elsewhere-programme", title="Elsewhere programme", summary="Another.",
                          strategy="", lead_body_id=here.lead_body_id,
                          lead_interface_id=here.lead_interface_id)
    trust = organisation("Elsewhere Trust", areas=("midlothian",))
    people = {kind: person(f"{kind.replace('_', '.')}@example.org")
              for kind in ("unconfirmed", "disabled", "elsewhere_coordinator", "elsewhere_lead",
                           "elsewhere_partner")}
    people["unconfirmed"].email_confirmed_at = None
    people["disabled"].is_site_admin = True
    people["disabled"].disabled_at = utcnow()
    db.session.add_all([elsewhere, trust, *people.values()])
    db.session.flush()
    db.session.add_all([
        ProgrammeRole(programme_id=elsewhere.id, user_id=people["elsewhere_coordinator"].id,
                      role="coordinator"),
        ProgrammeRole(programme_id=elsewhere.id, user_id=people["elsewhere_lead"].id, role="nhs_lead"),
        ProgrammeRole(programme_id=here.id, user_id=people["disabled"].id, role="coordinator"),
        Participation(programme_id=elsewhere.id, organisation_id=trust.id, status="admitted"),
        Membership(user_id=people["elsewhere_partner"].id, organisation_id=trust.id, status="active"),
        Membership(user_id=people["disabled"].id, organisation_id=ids["org_id:partner"], status="active"),
        # Other Group's member once asked to join Partner Charity and was turned down.
        Membership(user_id=ids["user:other_member"], organisation_id=ids["org_id:partner"],
                   status="declined"),
    ])
    db.session.commit()
    ids.update({f"user:{k}": v.id for k, v in people.items()})
    ids.update({"programme_id:here": here.id, "programme_id:review": review.id,
                "programme_id:elsewhere": elsewhere.id, "org_id:elsewhere": trust.id})
    return world


class Scene:
    """The world's records, loaded into the case's own session. It keeps them, so a record
    loaded once in a request is not loaded again (the session holds records only weakly), and
    loads them without their eager relationships: rules read columns (a relationship a rule
    reads still loads, lazily)."""

    def __init__(self, world):
        self.world = world
        self.me = None
        self.kept = {}

    def get(self, model, key):
        if (model, key) not in self.kept:
            self.kept[model, key] = db.session.get(model, key, options=[lazyload("*")])
        return self.kept[model, key]

    def person(self, kind):
        if kind == "anonymous":
            return AnonymousUserMixin()
        return self.get(User, self.world[f"user:{kind}"])

    def programme(self, which="here"):
        return self.get(Programme, self.world[f"programme_id:{which}"])

    def organisation(self, key, status=None):
        found = self.get(Organisation, self.world[f"org_id:{key}"])
        if status:
            found.status = status
        return found

    def stage(self, kind, status=None, programme="here"):
        """Cycle 1's stage of that kind; the status set in memory only (the one-current-stage
        index would refuse most of these states if they were written)."""
        key = (Stage, programme, kind)
        if key not in self.kept:
            self.kept[key] = db.session.scalar(select(Stage).options(lazyload("*")).where(
                Stage.programme_id == self.world[f"programme_id:{programme}"], Stage.kind == kind))
        found = self.kept[key]
        if status:
            found.status = status
        return found

    def action(self, owner="partner"):
        found = self.get(Action, self.world["action"])
        found.organisation_id = self.world[f"org_id:{owner}"]
        return found

    def meeting(self, audience):
        return self.get(Meeting, self.world[f"meeting_{audience}"])

    def booking(self, status):
        """The person's own booking of the partners' meeting, as the meeting page loads it."""
        if status is None or not policy.is_signed_in(self.me):
            return None
        return Booking(meeting_id=self.world["meeting_partners"], user_id=self.me.id, status=status)

    def view(self, status, audience="partners", owner="partner"):
        found = self.get(Contribution, self.world["view_shared"])
        found.status, found.audience = status, audience
        found.organisation_id = self.world[f"org_id:{owner}"]
        return found

    def update(self, audience):
        return self.get(Update, self.world[f"update_{audience}"])


@pytest.fixture
def policy_world(app, world):
    with app.app_context():
        return extend_world(world)


@pytest.fixture
def case(app, policy_world):
    """case(kind) -> a context giving (scene, person) in a fresh request of its own."""

    @contextmanager
    def run(kind):
        with app.test_request_context(), db.session.no_autoflush:
            scene = Scene(policy_world)
            scene.me = scene.person(kind)
            yield scene, scene.me

    return run


@pytest.fixture
def check(request, case):
    """check(table, records): the rule named by the test (test_<rule>) against every row of the
    table for every kind of person. records(scene, record) gives the arguments after the person.

    Each kind of person gets one request (what they hold is read once, as in the app); each row
    then undoes the states it set in memory, so the next row reads the records as stored."""
    name = request.function.__name__.removeprefix("test_")
    assert name in policy.RULES, f"{request.function.__name__} names no rule in psp/policy.py"
    rule = policy.RULES[name]

    def run(table, records=lambda scene, record: ()):
        named = set().union(*(allowed for _, allowed in table))
        assert named <= set(PEOPLE), f"{name}: unknown kinds of person {named - set(PEOPLE)}"
        both = {kind in allowed for _, allowed in table for kind in PEOPLE}
        assert both == {True, False}, f"{name}: the table must expect both True and False"
        wrong = []
        for kind in PEOPLE:
            with case(kind) as (scene, person):
                for record, allowed in table:
                    got = rule(person, *records(scene, record))
                    for changed in list(db.session.dirty):
                        db.session.expire(changed)
                    if got is not (kind in allowed):
                        wrong.append(f"  {record:<34} {kind:<22} expected {kind in allowed}, got {got!r}")
        CHECKED[name] = CHECKED.get(name, 0) + len(table) * len(PEOPLE)
        if wrong:
            pytest.fail(f"{name}: {len(wrong)} of {len(table) * len(PEOPLE)} cases wrong\n"
                        + "\n".join(sorted(wrong)), pytrace=False)

    return run


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        terminalreporter.write_line(f"policy: {sum(CHECKED.values())} person x record cases "
                                    f"over {len(CHECKED)} rules")
