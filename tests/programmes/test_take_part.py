"""A new organisation asks to take part at once; the coordinator verifies and admits it in one
decision, or rejects it with a reason; its admins are told what happens next and by email."""

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, text

from psp import policy
from psp.audit import AuditEntry
from psp.auth.models import User
from psp.extensions import db
from psp.notifications.models import Notification
from psp.organisations.models import Membership, Organisation
from psp.programmes import services
from psp.programmes.models import Participation, Programme, ProgrammeRole
from tests.conftest import Forms, second_step
from tests.factories import KINDS, organisation

TAKE_PART = "/programmes/test-programme/take-part"
REQUESTS = "/programmes/test-programme/requests"


def ask(app, world, sign_in_as):
    """Pending Project's admin asks for it to take part; returns the request's id."""
    admin = sign_in_as("pending.member@example.org")
    response = admin.forms.post(TAKE_PART, {"organisation": str(world["org_id:pending"])})
    assert response.status_code == 302
    return _request_of(app, world["org_id:pending"])


def _request_of(app, organisation_id):
    with app.app_context():
        return db.session.scalar(select(Participation.id).where(
            Participation.organisation_id == organisation_id))


def _state(app, participation_id):
    with app.app_context():
        participation = db.session.get(Participation, participation_id)
        return (participation.status, participation.decline_reason, participation.organisation.status,
                participation.organisation.rejection_reason)


def _actions(app):
    """What was done to organisations and requests, in order."""
    with app.app_context():
        return [a for a in db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
                if a.startswith(("participation.", "organisation."))]


def test_a_pending_organisation_asks_at_once_and_is_told_what_happens_next(app, world, sign_in_as,
                                                                          smtp_server):
    admin = sign_in_as("pending.member@example.org")
    page = admin.get(TAKE_PART).get_data(as_text=True)
    assert "Pending Project" in page and "Waiting to be verified. It can ask now" in page
    assert "What happens next" in page and "check it is real" in page
    response = admin.forms.post(TAKE_PART, {"organisation": str(world["org_id:pending"])})
    assert response.status_code == 302 and response.headers["Location"] == TAKE_PART
    with app.app_context():
        participation = db.session.scalar(select(Participation).where(
            Participation.organisation_id == world["org_id:pending"]))
        assert participation.status == "requested"
        assert participation.requested_by_id == world["user:pending_member"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participation.requested"))
        assert entry.actor_id == world["user:pending_member"]
        assert entry.details["organisation_verified"] is False
    mails = smtp_server.to("coordinator@example.org")
    assert len(mails) == 1 and "Pending Project asks to join Test programme" in mails[0]["Subject"]
    body = smtp_server.body(mails[0])
    assert "waiting to be verified" in body and REQUESTS in body
    after = admin.get(TAKE_PART).get_data(as_text=True)
    assert "Pending Project has asked to take part" in after  # the confirmation
    assert "we will email you when they have" in after
    assert "Where your organisations stand" in after
    assert "Waiting to be verified: the coordinators will check it is real, then decide." in after
    assert "None of the organisations you are an admin of can ask now" in after
    assert 'href="/organisations/new"' in after  # a next step, not a dead end
    again = admin.forms.post(TAKE_PART, {"organisation": str(world["org_id:pending"])})
    assert again.status_code == 403  # no longer one it may put forward
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation).where(
            Participation.organisation_id == world["org_id:pending"])) == 1


def test_coordinator_sees_what_verification_needs_and_verifies_and_admits_at_once(
        app, world, sign_in_as, smtp_server):
    with app.app_context():
        pending = db.session.get(Organisation, world["org_id:pending"])
        pending.charity_number, pending.website = "SC000777", "https://pending.example.org"
        db.session.commit()
    participation_id = ask(app, world, sign_in_as)
    smtp_server.clear()
    coordinator = sign_in_as("coordinator@example.org")
    page = coordinator.get(REQUESTS).get_data(as_text=True)
    assert "Waiting to be verified" in page and "by Pending.Member." in page
    for shown in ("SC000777", "About Pending Project.", "City of Edinburgh", "https://pending.example.org",
                  "Verify and admit Pending Project", "Reason for rejecting Pending Project"):
        assert shown in page, shown
    assert "Admit Pending Project as a partner" not in page
    # The plain admit of a verified organisation's request cannot skip verification.
    plain = coordinator.forms.post(f"{REQUESTS}/{participation_id}/admit", {}, page=REQUESTS)
    assert plain.status_code == 302
    assert "waiting to be verified: verify and admit it" in coordinator.get(REQUESTS).get_data(as_text=True)
    assert _state(app, participation_id)[::2] == ("requested", "pending")

    response = coordinator.forms.post(f"{REQUESTS}/{participation_id}/verify-and-admit", {},
                                      page=REQUESTS)
    assert response.status_code == 302 and response.headers["Location"] == REQUESTS
    assert "Pending Project is verified and now a partner." in coordinator.get(REQUESTS).get_data(
        as_text=True)
    assert _state(app, participation_id) == ("admitted", None, "verified", None)
    with app.app_context():
        organisation = db.session.get(Organisation, world["org_id:pending"])
        participation = db.session.get(Participation, participation_id)
        assert organisation.decided_by_id == participation.decided_by_id == world["user:coordinator"]
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == world["user:pending_member"], Notification.kind == "partnerships")) == 1
    assert _actions(app)[-2:] == ["participation.admitted", "organisation.verified"]
    mails = smtp_server.to("pending.member@example.org")
    assert len(mails) == 1  # one email for the one decision
    assert mails[0]["Subject"] == "Pending Project is verified and a partner in Test programme"
    assert "is verified on PSP Co-design and is now a partner in Test programme" in smtp_server.body(mails[0])
    # The newcomer is now a partner: the programme lists it, and its members may give views.
    newcomer = sign_in_as("pending.member@example.org")
    programme_page = newcomer.get("/programmes/test-programme").get_data(as_text=True)
    assert "Pending Project" in programme_page
    assert newcomer.get("/programmes/test-programme/views/new").status_code == 200
    assert "A partner in this programme." in newcomer.get(TAKE_PART).get_data(as_text=True)
    assert "Pending Project" in app.test_client().get("/organisations").get_data(as_text=True)
    again = coordinator.forms.post(f"{REQUESTS}/{participation_id}/verify-and-admit", {},
                                   page=REQUESTS)
    assert again.status_code == 302
    assert "This request has already been decided" in coordinator.get(REQUESTS).get_data(as_text=True)
    assert _actions(app)[-1] == "organisation.verified"  # nothing decided twice


@pytest.mark.parametrize("reason, message", [
    ("", "Enter the reason for rejecting the organisation"),
    ("   ", "Enter the reason for rejecting the organisation"),
    ("x" * 2001, "Reason must be 2,000 characters or fewer"),
    ("bell\x07", "Remove the invisible control characters"),
])
def test_reject_needs_a_reason(app, world, sign_in_as, smtp_server, reason, message):
    participation_id = ask(app, world, sign_in_as)
    smtp_server.clear()
    coordinator = sign_in_as("coordinator@example.org")
    response = coordinator.forms.post(f"{REQUESTS}/{participation_id}/reject", {"reason": reason},
                                      page=REQUESTS)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html and 'href="#reason"' in html
    assert "<title>Error: " in html
    if reason.strip() and "\x07" not in reason:
        assert reason in html  # what was typed is kept
    assert _state(app, participation_id) == ("requested", None, "pending", None)
    assert smtp_server.to("pending.member@example.org") == []


def test_reject_with_a_reason_tells_the_requester(app, world, sign_in_as, smtp_server):
    participation_id = ask(app, world, sign_in_as)
    smtp_server.clear()
    coordinator = sign_in_as("coordinator@example.org")
    reason = "We could not find Pending Project at the address it gave."
    response = coordinator.forms.post(f"{REQUESTS}/{participation_id}/reject", {"reason": reason},
                                      page=REQUESTS)
    assert response.status_code == 302 and response.headers["Location"] == REQUESTS
    assert "Pending Project was rejected and its request declined" in coordinator.get(
        REQUESTS).get_data(as_text=True)
    assert _state(app, participation_id) == ("declined", reason, "rejected", reason)
    assert _actions(app)[-2:] == ["participation.declined", "organisation.rejected"]
    mails = smtp_server.to("pending.member@example.org")
    assert len(mails) == 1 and mails[0]["Subject"] == "Pending Project was not verified"
    body = smtp_server.body(mails[0])
    assert "so its request to take part in Test programme was declined" in body and reason in body
    newcomer = sign_in_as("pending.member@example.org")
    page = newcomer.get(TAKE_PART).get_data(as_text=True)
    assert "Not verified, so it cannot ask. The reason given was: " + reason in page
    assert "register it" in page and "find it in the directory" in page
    refused = newcomer.forms.post(TAKE_PART, {"organisation": str(world["org_id:pending"])})
    assert refused.status_code == 403
    assert _state(app, participation_id)[0] == "declined"


def test_a_rejected_organisation_cannot_ask(app, world, sign_in_as):
    with app.app_context():
        db.session.get(Organisation, world["org_id:pending"]).status = "rejected"
        db.session.commit()
    admin = sign_in_as("pending.member@example.org")
    page = admin.get(TAKE_PART).get_data(as_text=True)
    assert 'name="organisation"' not in page and "Not verified, so it cannot ask" in page
    assert admin.forms.post(TAKE_PART, {"organisation": str(world["org_id:pending"])}).status_code == 403
    assert _request_of(app, world["org_id:pending"]) is None


def test_rejecting_on_the_verification_page_declines_its_open_requests(app, world, sign_in_as):
    participation_id = ask(app, world, sign_in_as)
    admin = sign_in_as("site.admin@example.org")
    response = admin.forms.post("/organisations/pending-project/reject", {"reason": "Not a real group."},
                                page="/organisations/pending-project/verify")
    assert response.status_code == 302
    assert _state(app, participation_id) == ("declined", "Not a real group.", "rejected", "Not a real group.")
    coordinator = sign_in_as("coordinator@example.org")
    assert "Pending Project" not in coordinator.get(REQUESTS).get_data(as_text=True)


def test_verified_elsewhere_meanwhile_the_request_is_decided_as_it_stands(app, world, sign_in_as):
    participation_id = ask(app, world, sign_in_as)
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.forms.post("/organisations/pending-project/verify", {}).status_code == 302
    response = coordinator.forms.post(f"{REQUESTS}/{participation_id}/verify-and-admit", {},
                                      page=REQUESTS)
    assert response.status_code == 302
    page = coordinator.get(REQUESTS).get_data(as_text=True)
    assert "was verified or rejected a moment ago" in page
    assert "Admit Pending Project as a partner" in page  # now an ordinary request
    assert _state(app, participation_id)[:3] == ("requested", None, "verified")


def test_a_decline_can_be_asked_again_and_its_reason_is_shown(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    coordinator.forms.post(f"{REQUESTS}/{world['participation_request']}/decline",
                           {"reason": "Please tell us which areas you cover."}, page=REQUESTS)
    admin = sign_in_as("bystander@example.org")
    page = admin.get(TAKE_PART).get_data(as_text=True)
    assert "Asked before and was declined. The reason given was: Please tell us which areas" in page
    response = admin.forms.post(TAKE_PART, {"organisation": str(world["org_id:asking"])})
    assert response.status_code == 302
    assert _state(app, world["participation_request"])[:2] == ("requested", None)


@pytest.mark.parametrize("email", ["other.member@example.org", "partner.member@example.org",
                                   "no.organisation@example.org"])
def test_a_member_who_is_not_an_admin_cannot_ask(app, world, sign_in_as, email):
    person = sign_in_as(email)
    assert person.get(TAKE_PART).status_code == 403
    token_page = "/account"
    response = person.forms.post(TAKE_PART, {"organisation": str(world["org_id:other"])}, page=token_page)
    assert response.status_code == 403
    assert _request_of(app, world["org_id:other"]) is None


@pytest.mark.parametrize("organisation_key", ["org_id:other", "org_id:partner", "org_id:asking"])
def test_cannot_ask_for_an_organisation_that_is_not_yours(app, world, sign_in_as, organisation_key):
    admin = sign_in_as("pending.member@example.org")
    before = _state(app, world["participation_request"])
    response = admin.forms.post(TAKE_PART, {"organisation": str(world[organisation_key])})
    assert response.status_code == 403
    assert _request_of(app, world["org_id:other"]) is None
    assert _state(app, world["participation_request"]) == before


@pytest.mark.parametrize("value", ["", "999999", "abc", "1 OR 1=1"])
def test_take_part_bad_or_tampered_choice(app, world, sign_in_as, value):
    admin = sign_in_as("pending.member@example.org")
    response = admin.forms.post(TAKE_PART, {"organisation": value})
    if value:
        assert response.status_code == 403
    else:
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "There is a problem" in html and "Select an organisation" in html
    assert _request_of(app, world["org_id:pending"]) is None


def _other_programme_coordinated_by_the_nhs_lead(world):
    other = Programme(slug="other-programme", title="Other", summary="Other.",
                      lead_body_id=world["org_id:public_body"],
                      lead_interface_id=world["org_id:interface"])
    db.session.add(other)
    db.session.flush()
    db.session.add(ProgrammeRole(programme_id=other.id, user_id=world["user:nhs_lead"],
                                 role="coordinator"))
    db.session.commit()
    return other


def test_a_coordinator_of_another_programme_cannot_decide(app, world, sign_in_as):
    participation_id = ask(app, world, sign_in_as)
    with app.app_context():
        _other_programme_coordinated_by_the_nhs_lead(world)
    elsewhere = sign_in_as("nhs.lead@example.org")  # NHS lead here, coordinator of the other programme
    page = "/programmes/other-programme/requests"
    for decision, data in (("verify-and-admit", {}), ("reject", {"reason": "No."})):
        mine = elsewhere.forms.post(f"/programmes/other-programme/requests/{participation_id}/{decision}",
                                    data, page=page)
        assert mine.status_code == 404  # not a request of the programme they coordinate
        theirs = elsewhere.forms.post(f"{REQUESTS}/{participation_id}/{decision}", data, page=page)
        assert theirs.status_code == 403
    site_admin = sign_in_as("site.admin@example.org")
    response = site_admin.forms.post(f"{REQUESTS}/{participation_id}/verify-and-admit", {},
                                     page="/organisations/to-verify")
    assert response.status_code == 403  # verifies organisations, but does not admit partners
    assert _state(app, participation_id) == ("requested", None, "pending", None)


def test_tampered_request_ids_are_not_found(app, world, sign_in_as):
    ask(app, world, sign_in_as)
    coordinator = sign_in_as("coordinator@example.org")
    for url in (f"{REQUESTS}/999999/verify-and-admit", f"{REQUESTS}/999999/reject"):
        assert coordinator.forms.post(url, {"reason": "x"}, page=REQUESTS).status_code == 404
    assert coordinator.post(f"{REQUESTS}/1/verify-and-admit").status_code == 400  # no CSRF token


def test_two_decisions_at_once_cannot_both_win(app, world, sign_in_as, smtp_server):
    """The decision is a conditional UPDATE: a request (or an organisation) decided by someone
    else since it was read is refused, and nothing of the second decision is kept."""
    participation_id = ask(app, world, sign_in_as)
    smtp_server.clear()
    with app.app_context():
        coordinator = db.session.get(User, world["user:coordinator"])
        participation = db.session.get(Participation, participation_id)
        db.session.execute(text("UPDATE participations SET status = 'declined' WHERE id = :id"),
                           {"id": participation_id})  # another coordinator, unseen by this session
        with pytest.raises(services.Refused, match="already been decided"):
            services.verify_and_decide(coordinator, participation, admit=True)
    assert _state(app, participation_id)[::2] == ("requested", "pending")  # rolled back, both
    with app.app_context():
        coordinator = db.session.get(User, world["user:coordinator"])
        participation = db.session.get(Participation, participation_id)
        assert participation.organisation.status == "pending"  # read before the other decision
        db.session.execute(text("UPDATE organisations SET status = 'verified' WHERE id = :id"),
                           {"id": world["org_id:pending"]})
        with pytest.raises(services.Refused, match="already been verified or rejected"):
            services.verify_and_decide(coordinator, participation, admit=False, reason="No.")
    assert _state(app, participation_id) == ("requested", None, "pending", None)
    assert _actions(app) == ["participation.requested"]
    assert smtp_server.to("pending.member@example.org") == []


def test_the_programme_page_gives_a_next_step_to_those_who_cannot_ask(app, world, sign_in_as):
    page = sign_in_as("other.member@example.org").get("/programmes/test-programme").get_data(as_text=True)
    assert "Register your organisation" in page and "Find your organisation" in page
    visitor = app.test_client().get("/programmes/test-programme").get_data(as_text=True)
    assert "to ask for your organisation to take part" in visitor
    assert "/sign-in?next=/programmes/test-programme" in visitor
    admin = sign_in_as("pending.member@example.org").get("/programmes/test-programme").get_data(as_text=True)
    assert "Ask for your organisation to take part" in admin and "Register your organisation" not in admin
    partner = sign_in_as("partner.member@example.org").get("/programmes/test-programme")
    assert "Register your organisation" not in partner.get_data(as_text=True)


def test_requests_page_query_count_does_not_grow(app, world, sign_in_as, count_queries):
    coordinator = sign_in_as("coordinator@example.org")

    def add_requests(start, stop):
        with app.app_context():
            orgs = [organisation(f"Newcomer {n:03d}", status="pending" if n % 2 else "verified",
                                 areas=("midlothian", "east-lothian")) for n in range(start, stop)]
            db.session.add_all(orgs)
            db.session.flush()
            for o in orgs:
                db.session.add(Membership(user_id=world["user:pending_member"], organisation_id=o.id,
                                          role="admin", status="active"))
                db.session.add(Participation(programme_id=world["programme_id"], organisation_id=o.id,
                                             requested_by_id=world["user:pending_member"]))
            db.session.commit()

    add_requests(0, 3)
    _, small = count_queries(lambda: coordinator.get(REQUESTS))
    add_requests(3, 40)
    response, large = count_queries(lambda: coordinator.get(REQUESTS))
    html = response.get_data(as_text=True)
    assert "Newcomer 039" in html and html.count("Verify and admit Newcomer") == 20
    assert small == large


# Policy -------------------------------------------------------------------------------------------

def _person(app, world, kind):
    if kind == "anonymous":
        return AnonymousUserMixin()
    return db.session.get(User, world[f"user:{kind}"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("organisation_key, status, admins", [
    ("pending", "pending", {"pending_member"}),
    ("pending", "rejected", set()),
    ("partner", "verified", {"organisation_admin"}),
    ("other", "verified", set()),                       # other_member is a member, not an admin
])
def test_policy_can_ask_to_take_part(app, world, kind, organisation_key, status, admins):
    with app.app_context():
        programme = db.session.get(Programme, world["programme_id"])
        organisation = SimpleNamespace(id=world[f"org_id:{organisation_key}"], status=status)
        allowed = policy.can_ask_to_take_part(_person(app, world, kind), programme, organisation)
        assert allowed is (kind in admins)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("slug", ["test-programme", "review-programme"])
def test_policy_can_verify_and_admit(app, world, kind, slug):
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
        assert policy.can_verify_and_admit(_person(app, world, kind), programme) is (kind == "coordinator")


def test_policy_a_coordinator_of_another_programme_cannot_verify_and_admit(app, world):
    with app.app_context():
        other = _other_programme_coordinated_by_the_nhs_lead(world)
        nhs_lead = db.session.get(User, world["user:nhs_lead"])
        test_programme = db.session.get(Programme, world["programme_id"])
        assert policy.can_verify_and_admit(nhs_lead, other) is True
        assert policy.can_verify_and_admit(nhs_lead, test_programme) is False


def test_the_demo_shows_a_new_organisation_asking(app, runner):
    from psp.demo import PASSWORD

    runner.invoke(args=["psp", "seed-demo"])
    client = app.test_client()
    email = "coordinator@example.org"
    signed_in = second_step(client, Forms(client).post("/sign-in", {"email": email, "password": PASSWORD}),
                            email)
    assert signed_in.status_code == 302
    page = client.get("/programmes/royal-edinburgh-hospital-reprovision/requests").get_data(as_text=True)
    assert "Verify and admit Musselburgh Men&#39;s Shed" in page
    assert "Admit Hawick Rural Befriending as a partner" in page
