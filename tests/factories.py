"""A small world of people and records, built through the models, for access tests."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from psp.auth.models import User
from psp.auth.passwords import hash_password
from psp.contributions.models import Contribution, Response
from psp.cycles.models import Action, Decision, Question, Stage
from psp.cycles.services import start_cycle
from psp.extensions import db
from psp.meetings.models import Booking, Meeting
from psp.organisations.models import Membership, Organisation, OrganisationArea
from psp.programmes.models import Outcome, Participation, Programme, ProgrammeArea, ProgrammeRole
from psp.timeutil import utcnow
from psp.updates.models import Update

PASSWORD = "correct horse battery staple"
KINDS = ["anonymous", "no_organisation", "pending_member", "partner_member", "other_member",
         "organisation_admin", "coordinator", "nhs_lead", "site_admin"]


def organisation(name, kind="charity", status="verified", areas=("city-of-edinburgh",), number=None):
    from slugify import slugify

    return Organisation(slug=slugify(name), name=name, kind=kind, status=status,
                        charity_number=number, description=f"About {name}.",
                        areas=[OrganisationArea(area=a) for a in areas])


def person(email, name=None, **fields):
    return User(email=email, name=name or email.split("@")[0].title(),
                password_hash=_hash(), email_confirmed_at=utcnow(), **fields)


_HASH = {}


def _hash():
    if "value" not in _HASH:
        _HASH["value"] = hash_password(PASSWORD)
    return _HASH["value"]


@dataclass
class World:
    ids: dict

    def __getitem__(self, key):
        return self.ids[key]


def build_world():
    """Every kind of person, a programme with a partner, another organisation, a pending one."""
    people = {kind: person(f"{kind.replace('_', '.')}@example.org") for kind in KINDS[1:]}
    people["site_admin"].is_site_admin = True
    people["asker"] = person("asker@example.org")
    people["bystander"] = person("bystander@example.org")
    orgs = {
        "public_body": organisation("NHS Testshire", kind="public-body"),
        "interface": organisation("Testshire Voluntary Action", kind="third-sector-interface"),
        "partner": organisation("Partner Charity", number="SC000001"),
        "other": organisation("Other Group", kind="voluntary-group", areas=("midlothian",)),
        "pending": organisation("Pending Project", status="pending"),
        "asking": organisation("Asking Association"),
    }
    db.session.add_all(list(people.values()) + list(orgs.values()))
    db.session.flush()

    def member(who, org, role="member", status="active"):
        row = Membership(user_id=people[who].id, organisation_id=orgs[org].id, role=role,
                         status=status)
        db.session.add(row)
        return row

    member("pending_member", "pending", role="admin")
    member("partner_member", "partner")
    member("organisation_admin", "partner", role="admin")
    member("other_member", "other")
    member("bystander", "asking", role="admin")
    join_request = member("asker", "partner", status="requested")
    programme = Programme(slug="test-programme", title="Test programme", summary="For tests.",
                          strategy="", lead_body_id=orgs["public_body"].id,
                          lead_interface_id=orgs["interface"].id,
                          areas=[ProgrammeArea(area="city-of-edinburgh")])
    db.session.add(programme)
    db.session.flush()
    start_cycle(programme.id, 1, "What people leaving hospital need from community services.")
    db.session.add_all([
        ProgrammeRole(programme_id=programme.id, user_id=people["coordinator"].id, role="coordinator"),
        ProgrammeRole(programme_id=programme.id, user_id=people["nhs_lead"].id, role="nhs_lead"),
        Participation(programme_id=programme.id, organisation_id=orgs["partner"].id, status="admitted"),
    ])
    asking = Participation(programme_id=programme.id, organisation_id=orgs["asking"].id)
    db.session.add(asking)
    analyse = db.session.scalar(select(Stage).where(Stage.programme_id == programme.id,
                                                    Stage.kind == "analyse"))
    plan = db.session.scalar(select(Stage).where(Stage.programme_id == programme.id, Stage.kind == "plan"))
    action = Action(cycle_id=plan.cycle_id, planned_in_id=plan.id, organisation_id=orgs["partner"].id,
                    title="Map services", due_on=date(2027, 3, 1))
    decision = Decision(stage_id=analyse.id, title="Meet monthly", detail="")
    question = Question(stage_id=analyse.id, text="What gets in the way?", detail="")
    outcome = Outcome(programme_id=programme.id, position=1, title="People feel involved")
    db.session.add_all([action, decision, question, outcome])
    reviewing = Programme(slug="review-programme", title="Review programme", summary="In review.",
                          strategy="", lead_body_id=orgs["public_body"].id,
                          lead_interface_id=orgs["interface"].id)
    db.session.add(reviewing)
    db.session.flush()
    start_cycle(reviewing.id, 1)
    in_review = db.session.scalar(select(Stage).where(Stage.programme_id == reviewing.id,
                                                      Stage.kind == "analyse"))
    in_review.status, in_review.summary = "in_review", "Ready."
    soon = utcnow().replace(microsecond=0, second=0) + timedelta(days=10)
    public_meeting = Meeting(programme_id=programme.id, title="Open forum", starts_at=soon,
                             ends_at=soon + timedelta(hours=2), venue="Testshire Hall", capacity=20,
                             audience="public")
    partners_meeting = Meeting(programme_id=programme.id, title="Partners' workshop",
                               starts_at=soon + timedelta(days=2), ends_at=soon + timedelta(days=2, hours=2),
                               online_link="https://meet.example.org/secret-room", audience="partners")
    db.session.add_all([public_meeting, partners_meeting])
    db.session.flush()
    db.session.add(Booking(meeting_id=partners_meeting.id, user_id=people["partner_member"].id,
                           status="booked", organisation_id=orgs["partner"].id))
    db.session.add_all([
        ProgrammeRole(programme_id=reviewing.id, user_id=people["coordinator"].id, role="coordinator"),
        ProgrammeRole(programme_id=reviewing.id, user_id=people["nhs_lead"].id, role="nhs_lead"),
    ])
    views = {}
    for key, title, status, audience in [
            ("view_shared", "Shared and waiting", "received", "partners"),
            ("view_leads", "For the leads only", "received", "leads"),
            ("view_answered", "Shared and answered", "under_consideration", "partners"),
            ("view_draft", "Still a draft", "draft", "partners")]:
        views[key] = Contribution(programme_id=programme.id, stage_id=analyse.id, organisation_id=orgs[
            "partner"].id, author_id=people["partner_member"].id, title=title, body=f"{title}: the text.",
            audience=audience, status=status, submitted_at=None if status == "draft" else utcnow())
    db.session.add_all(views.values())
    db.session.flush()
    answered = views["view_answered"]
    answered.answered_at, answered.days_to_answer = utcnow(), 0
    db.session.add(Response(contribution_id=answered.id, status="under_consideration",
                            text="We are looking at it.", responder_id=people["coordinator"].id))
    author = people["coordinator"].id
    updates = {
        "update_public": Update(programme_id=programme.id, author_id=author, title="News for everyone",
                                body="The **first** update.", audience="public"),
        "update_partners": Update(programme_id=programme.id, author_id=author, title="News for partners",
                                  body="Inside news.", audience="partners")}
    db.session.add_all(updates.values())
    db.session.commit()
    ids = {f"user:{k}": v.id for k, v in people.items()}
    ids.update({key: update.id for key, update in updates.items()})
    ids.update({f"org:{k}": v.slug for k, v in orgs.items()})
    ids.update({f"org_id:{k}": v.id for k, v in orgs.items()})
    ids.update({"programme": programme.slug, "programme_id": programme.id,
                "join_request": join_request.id, "participation_request": asking.id,
                "action": action.id, "decision": decision.id, "question": question.id,
                "outcome": outcome.id, "meeting_public": public_meeting.id,
                "meeting_partners": partners_meeting.id})
    ids.update({key: view.id for key, view in views.items()})
    return World(ids)


def move_to(programme_id, kind):
    """Put the programme's cycle 1 at the given stage, open, with the stages before it signed off
    (set directly: the transitions themselves are tested through the pages)."""
    stages = db.session.scalars(select(Stage).where(Stage.programme_id == programme_id)
                                .order_by(Stage.position)).all()
    reached = [s.kind for s in stages].index(kind)
    for n, stage in enumerate(stages):
        stage.status = "signed_off" if n < reached else "open" if n == reached else "upcoming"
        db.session.flush()
    db.session.commit()
