"""A small world of people and records, built with psp.builders, for access tests."""

import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pyotp
from sqlalchemy import select, update

from psp import builders
from psp.auth import twofactor
from psp.auth.models import SecondFactor, User
from psp.auth.passwords import hash_password
from psp.cycles.models import Stage
from psp.cycles.services import start_cycle
from psp.discussions.models import Report
from psp.documents.models import FormatRequest
from psp.documents.services import new_key
from psp.extensions import db
from psp.interests.models import Declaration
from psp.storage import storage
from psp.timeutil import utcnow

PASSWORD = "correct horse battery staple"
# Who decides, and so signs in with a second factor in the test world (policy.needs_second_factor).
WITH_FACTOR = ("coordinator", "nhs_lead", "site_admin")
APP = {}  # the test app, set by conftest's app fixture, for code_for outside a request
KINDS = ["anonymous", "no_organisation", "pending_member", "partner_member", "other_member",
         "organisation_admin", "coordinator", "nhs_lead", "site_admin"]


def organisation(name, kind="charity", status="verified", areas=("city-of-edinburgh",), number=None):
    return builders.organisation(name, kind=kind, status=status, areas=areas, number=number)


def person(email, name=None, **fields):
    """A confirmed account whose password is PASSWORD."""
    return builders.person(email, name, password_hash=_hash(), **fields)


_HASH = {}


def _hash():
    if "value" not in _HASH:
        _HASH["value"] = hash_password(PASSWORD)
    return _HASH["value"]


def secret_for(email):
    """The TOTP secret a test account's authenticator app holds: fixed per address."""
    return base64.b32encode(hashlib.sha256(email.lower().encode()).digest()[:20]).decode()


def give_factor(user):
    """An authenticator app already set up for the account (flushes; the caller commits)."""
    twofactor.install_totp(user, secret_for(user.email))


def code_for(email):
    """The current code of the account's authenticator app (its secret read from the database, so
    demo accounts work too), for the second step of signing in.

    Tests sign the same person in many times a minute, and a code is refused at or below the step
    last used (no replay): so this first forgets the step last used, as if the next 30 seconds had
    come. Needs the app: from an app context, or the one conftest's app fixture recorded."""
    def run():
        row = db.session.scalar(select(SecondFactor).join(User, User.id == SecondFactor.user_id)
                                .where(User.email == email.lower()))
        assert row is not None, f"{email} has no authenticator app"
        secret = row.secret
        db.session.execute(update(SecondFactor).where(SecondFactor.id == row.id).values(last_step=None))
        db.session.commit()
        return secret

    from flask import has_app_context

    if has_app_context():
        secret = run()
    else:
        with APP["app"].app_context():
            secret = run()
    return pyotp.TOTP(secret).at(time.time())


@dataclass
class World:
    ids: dict

    def __getitem__(self, key):
        return self.ids[key]


def _stage(programme_id, kind):
    return db.session.scalar(select(Stage).where(Stage.programme_id == programme_id, Stage.kind == kind))


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
    for kind in WITH_FACTOR:
        give_factor(people[kind])

    def member(who, org, role="member", status="active"):
        row = builders.membership(people[who].id, orgs[org].id, role=role, status=status)
        db.session.add(row)
        return row

    member("pending_member", "pending", role="admin")
    member("partner_member", "partner")
    member("organisation_admin", "partner", role="admin")
    member("other_member", "other")
    member("bystander", "asking", role="admin")
    join_request = member("asker", "partner", status="requested")
    leads = {"lead_body_id": orgs["public_body"].id, "lead_interface_id": orgs["interface"].id}
    programme = builders.programme("test-programme", title="Test programme", summary="For tests.",
                                   areas=["city-of-edinburgh"], **leads)
    db.session.add(programme)
    db.session.flush()
    start_cycle(programme.id, 1, "What people leaving hospital need from community services.")
    db.session.add_all([
        builders.role(programme.id, people["coordinator"].id, "coordinator"),
        builders.role(programme.id, people["nhs_lead"].id, "nhs_lead"),
        builders.participation(programme.id, orgs["partner"].id),
    ])
    asking = builders.participation(programme.id, orgs["asking"].id, status="requested")
    db.session.add(asking)
    analyse, plan = _stage(programme.id, "analyse"), _stage(programme.id, "plan")
    action = builders.action(plan.cycle_id, plan.id, orgs["partner"].id, "Map services", date(2027, 3, 1))
    decision = builders.decision(analyse.id, "Meet monthly")
    question = builders.question(analyse.id, "What gets in the way?")
    outcome = builders.outcome(programme.id, 1, "People feel involved")
    db.session.add_all([action, decision, question, outcome])
    reviewing = builders.programme("review-programme", title="Review programme", summary="In review.",
                                   **leads)
    db.session.add(reviewing)
    db.session.flush()
    start_cycle(reviewing.id, 1)
    in_review = _stage(reviewing.id, "analyse")
    in_review.status, in_review.summary = "in_review", "Ready."
    soon = utcnow().replace(microsecond=0, second=0) + timedelta(days=10)
    public_meeting = builders.meeting(programme.id, "Open forum", soon, venue="Testshire Hall", capacity=20)
    partners_meeting = builders.meeting(programme.id, "Partners' workshop", soon + timedelta(days=2),
                                        online_link="https://meet.example.org/secret-room",
                                        audience="partners")
    db.session.add_all([public_meeting, partners_meeting])
    db.session.flush()
    db.session.add(builders.booking(partners_meeting.id, people["partner_member"].id,
                                    organisation_id=orgs["partner"].id))
    db.session.add_all([
        builders.role(reviewing.id, people["coordinator"].id, "coordinator"),
        builders.role(reviewing.id, people["nhs_lead"].id, "nhs_lead"),
    ])
    views = {}
    for key, title, status, audience in [
            ("view_shared", "Shared and waiting", "received", "partners"),
            ("view_leads", "For the leads only", "received", "leads"),
            ("view_answered", "Shared and answered", "under_consideration", "partners"),
            ("view_draft", "Still a draft", "draft", "partners")]:
        views[key] = builders.view(programme.id, analyse.id, orgs["partner"].id, title, status=status,
                                   audience=audience, author_id=people["partner_member"].id,
                                   answered_at=utcnow() if status == "under_consideration" else None)
    db.session.add_all(views.values())
    db.session.flush()
    db.session.add(builders.response(views["view_answered"].id, "under_consideration",
                                     "We are looking at it.", responder_id=people["coordinator"].id))
    author = people["coordinator"].id
    updates = {
        "update_public": builders.update(programme.id, author, "News for everyone", "The **first** update."),
        "update_partners": builders.update(programme.id, author, "News for partners", "Inside news.",
                                           audience="partners")}
    db.session.add_all(updates.values())
    db.session.flush()
    meeting, lead_view = public_meeting.id, views["view_leads"].id
    documents = {
        "doc_public": stored_document(programme.id, "Agenda pack", meeting_id=meeting),
        "doc_partners": stored_document(programme.id, "Options appraisal", "partners", meeting_id=meeting),
        "doc_leads": stored_document(programme.id, "Draft specification", "leads", meeting_id=meeting),
        "doc_stage": stored_document(programme.id, "Analyse report", category="report", stage_id=analyse.id),
        "doc_update": stored_document(programme.id, "Newsletter", category="attachment",
                                      update_id=updates["update_partners"].id),
        "doc_view": stored_document(programme.id, "Survey results", category="attachment",
                                    contribution_id=lead_view),
    }
    db.session.add_all(documents.values())
    db.session.flush()
    asked = FormatRequest(programme_id=programme.id, document_id=documents["doc_public"].id,
                          requester_id=people["partner_member"].id, format="easy-read")
    db.session.add(asked)
    # Cycle 1's engagement plan, with a computed indicator and one written by hand; the review
    # programme's plan too (its Analyse is in review, so it had one to be submitted).
    plan = builders.engagement_plan(programme.id, analyse.cycle_id)
    db.session.add_all([plan, builders.engagement_plan(reviewing.id, in_review.cycle_id)])
    db.session.flush()
    indicator = builders.engagement_indicator(plan.id, "answered-in-time", 80)
    by_hand = builders.engagement_indicator(plan.id, "manual", 70, title="People who felt listened to")
    db.session.add_all([indicator, by_hand])
    db.session.flush()
    talk = discussions(programme, reviewing, people, orgs)
    # The register of interests: the coordinator declared nothing to declare; Partner Charity's admin
    # declared for it that it may bid; the NHS lead is a trustee of Other Group.
    declared = {
        "declaration_coordinator": Declaration(programme_id=programme.id, user_id=people["coordinator"].id,
                                               kind="none"),
        "declaration_org": Declaration(programme_id=programme.id, user_id=people["organisation_admin"].id,
                                       organisation_id=orgs["partner"].id, kind="may-bid",
                                       interest_organisation_id=orgs["partner"].id),
        "declaration_lead": Declaration(programme_id=programme.id, user_id=people["nhs_lead"].id,
                                        kind="role-elsewhere", interest_organisation_id=orgs["other"].id),
    }
    db.session.add_all(declared.values())
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
    ids.update({key: document.id for key, document in documents.items()})
    ids["format_request"] = asked.id
    ids.update({"plan": plan.id, "indicator": indicator.id, "indicator_by_hand": by_hand.id})
    ids.update({key: record.id for key, record in talk.items()})
    ids.update({key: record.id for key, record in declared.items()})
    return World(ids)


def discussions(programme, reviewing, people, orgs):
    """A partners-only discussion here (a message from Partner Charity's member, one from the
    coordinator, one hidden), a public one with a message reported by the NHS lead, a closed one,
    and a partners-only one in the review programme."""
    partner, coordinator = people["partner_member"].id, people["coordinator"].id
    found = {
        "disc_partners": builders.discussion(programme.id, "Getting home from hospital", partner, messages=3),
        "disc_public": builders.discussion(programme.id, "Open questions about the new service", partner,
                                           audience="public", messages=1),
        "disc_closed": builders.discussion(programme.id, "Meeting dates", coordinator, messages=1,
                                           closed_at=utcnow(), closed_by_id=coordinator,
                                           closing_summary="We meet monthly."),
        "disc_review": builders.discussion(reviewing.id, "Review programme talk", coordinator, messages=1),
    }
    db.session.add_all(found.values())
    db.session.flush()
    org = orgs["partner"].id
    found.update({
        "msg_partners": builders.message(found["disc_partners"].id, 1, partner, "Transport is the problem.",
                                         org),
        "msg_coordinator": builders.message(found["disc_partners"].id, 2, coordinator, "Say more?",
                                            author_role="coordinator"),
        "msg_hidden": builders.message(found["disc_partners"].id, 3, partner, "Something rude.", org,
                                       status="hidden", hidden_reason="Personal remarks",
                                       hidden_by_id=coordinator),
        "msg_public": builders.message(found["disc_public"].id, 1, partner, "What changes first?", org),
        "msg_closed": builders.message(found["disc_closed"].id, 1, coordinator, "Which dates suit?",
                                       author_role="coordinator"),
        "msg_review": builders.message(found["disc_review"].id, 1, coordinator, "Inside the review.",
                                       author_role="coordinator"),
    })
    db.session.add_all(v for k, v in found.items() if k.startswith("msg_"))
    db.session.flush()
    found["report"] = Report(programme_id=programme.id, message_id=found["msg_public"].id,
                             reporter_id=people["nhs_lead"].id, reason="Off topic", status="open")
    found["report_review"] = Report(programme_id=reviewing.id, message_id=found["msg_review"].id,
                                    reporter_id=people["nhs_lead"].id, reason="Test", status="open")
    db.session.add_all([found["report"], found["report_review"]])
    db.session.flush()
    return found


PDF_BYTES = b"%PDF-1.4\n% a test document\n%%EOF\n"


def stored_document(programme_id, title, audience="public", category="papers", **parent):
    """A document row and its file in the app's storage."""
    key = new_key()
    storage().save(key, BytesIO(PDF_BYTES), "application/pdf")
    return builders.document(programme_id, title, key, audience=audience, category=category,
                             size=len(PDF_BYTES), **parent)


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
