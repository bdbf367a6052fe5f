"""Registering, verifying and belonging to organisations."""

import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.extensions import db
from psp.organisations.models import Membership, Organisation

VALID = {"name": "Portobello Tenants' Forum", "kind": "voluntary-group", "charity_number": "",
         "areas": ["city-of-edinburgh", "east-lothian"], "website": "https://portobello.example.org",
         "description": "Tenants speaking up for better housing\nand support."}


def org(app, slug):
    with app.app_context():
        found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        if found is not None:
            assert found.area_codes is not None  # load before leaving the session
            db.session.expunge(found)
        return found


def test_register_an_organisation_and_become_its_admin(app, make_user, sign_in_as):
    user = make_user(email="founder@example.org")
    client = sign_in_as("founder@example.org")
    response = client.forms.post("/organisations/new", VALID)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/portobello-tenants-forum"
    created = org(app, "portobello-tenants-forum")
    assert created.status == "pending" and created.area_codes == ["city-of-edinburgh", "east-lothian"]
    assert created.description == VALID["description"]
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert (membership.role, membership.status) == ("admin", "active")
    page = client.get("/organisations/portobello-tenants-forum").get_data(as_text=True)
    assert "Waiting to be verified" in page
    # Not in the public directory, and invisible to strangers, until verified.
    assert "Portobello" not in client.get("/organisations").get_data(as_text=True)
    stranger = app.test_client()
    assert stranger.get("/organisations/portobello-tenants-forum").status_code == 404


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the name of the organisation"),
    ("name", "x" * 201, "200 characters or fewer"),
    ("kind", "", "Select what kind of organisation it is"),
    ("kind", "political-party", "Not a valid choice"),
    ("charity_number", "SC12345", "SC followed by 6 digits"),
    ("charity_number", "XY123456", "SC followed by 6 digits"),
    ("charity_number", "x" * 10_000, "SC followed by 6 digits"),
    ("areas", [], "Select at least one area"),
    ("areas", ["atlantis"], "valid choice"),
    ("website", "javascript:alert(1)", "starting with https://"),
    ("description", "", "Describe what the organisation does"),
    ("description", "x" * 10_000, "2,000 characters or fewer"),
    ("description", "nul\x00byte", "control characters"),
])
def test_registration_refuses_bad_input(app, make_user, sign_in_as, field, value, message):
    make_user(email="founder@example.org")
    client = sign_in_as("founder@example.org")
    response = client.forms.post("/organisations/new", {**VALID, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_charity_number_is_normalised_and_unique(app, make_user, sign_in_as):
    make_user(email="a@example.org")
    make_user(email="b@example.org")
    first = sign_in_as("a@example.org")
    assert first.forms.post("/organisations/new", {**VALID, "charity_number": "sc 012345"}
                            ).status_code == 302
    assert org(app, "portobello-tenants-forum").charity_number == "SC012345"
    second = sign_in_as("b@example.org")
    response = second.forms.post("/organisations/new", {**VALID, "name": "Copycat",
                                                        "charity_number": "SC012345"})
    assert response.status_code == 400
    assert "already registered" in response.get_data(as_text=True)
    assert 'value="Copycat"' in response.get_data(as_text=True)


def test_same_name_gets_its_own_slug(app, make_user, sign_in_as):
    make_user(email="a@example.org")
    client = sign_in_as("a@example.org")
    client.forms.post("/organisations/new", VALID)
    response = client.forms.post("/organisations/new", VALID)
    assert response.headers["Location"] == "/organisations/portobello-tenants-forum-2"


def test_coordinator_verifies_and_the_admin_is_emailed(app, world, sign_in_as, smtp_server):
    coordinator = sign_in_as("coordinator@example.org")
    queue = coordinator.get("/organisations/to-verify").get_data(as_text=True)
    assert "Pending Project" in queue
    response = coordinator.forms.post("/organisations/pending-project/verify", {})
    assert response.status_code == 302
    assert org(app, "pending-project").status == "verified"
    mails = smtp_server.to("pending.member@example.org")
    assert len(mails) == 1 and "is now verified" in smtp_server.body(mails[0])
    assert "Pending Project" in app.test_client().get("/organisations").get_data(as_text=True)
    again = coordinator.forms.post("/organisations/pending-project/verify", {},
                                   page="/organisations/to-verify")
    assert again.status_code == 403  # already decided: no second decision


def test_rejection_needs_a_reason_and_is_emailed(app, world, sign_in_as, smtp_server):
    admin = sign_in_as("site.admin@example.org")
    page = "/organisations/pending-project/verify"
    empty = admin.forms.post("/organisations/pending-project/reject", {"reason": ""}, page=page)
    assert empty.status_code == 400
    assert "Enter the reason for rejecting" in empty.get_data(as_text=True)
    assert org(app, "pending-project").status == "pending"
    response = admin.forms.post("/organisations/pending-project/reject",
                                {"reason": "We could not find this group."}, page=page)
    assert response.status_code == 302
    rejected = org(app, "pending-project")
    assert rejected.status == "rejected" and rejected.rejection_reason == "We could not find this group."
    body = smtp_server.body(smtp_server.to("pending.member@example.org")[0])
    assert "We could not find this group." in body
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "organisation.rejected")).actor_id == world["user:site_admin"]


def test_join_accept_make_admin_and_leave(app, world, make_user, sign_in_as, smtp_server):
    make_user(email="newbie@example.org", name="Newbie Person")
    newbie = sign_in_as("newbie@example.org")
    assert newbie.forms.post("/organisations/partner-charity/join", {},
                             page="/organisations/partner-charity").status_code == 302
    assert len(smtp_server.to("organisation.admin@example.org")) == 1
    admin = sign_in_as("organisation.admin@example.org")
    members = admin.get("/organisations/partner-charity/members").get_data(as_text=True)
    assert "Newbie Person" in members
    with app.app_context():
        request_id = db.session.scalar(select(Membership.id).join(Membership.user).where(
            Membership.status == "requested", Membership.user.has(email="newbie@example.org")))
    page = "/organisations/partner-charity/members"
    assert admin.forms.post(f"{page}/{request_id}/accept", {}, page=page).status_code == 302
    assert "accepted" in smtp_server.body(smtp_server.to("newbie@example.org")[-1])
    assert admin.forms.post(f"{page}/{request_id}/make-admin", {}, page=page).status_code == 302
    # The original admin can now leave; the last admin cannot.
    assert admin.forms.post("/organisations/partner-charity/leave", {}, page=page).status_code == 302
    newbie_leaving = newbie.forms.post("/organisations/partner-charity/leave", {},
                                       page="/organisations/partner-charity")
    assert newbie_leaving.status_code == 302
    follow = newbie.get(newbie_leaving.headers["Location"]).get_data(as_text=True)
    assert "You are the only admin" in follow
    with app.app_context():
        roles = db.session.execute(select(Membership.role, Membership.status).join(Membership.user)
                                   .where(Membership.user.has(email="newbie@example.org"))).all()
    assert roles == [("admin", "active")]


def test_decline_a_request(app, world, sign_in_as, smtp_server):
    admin = sign_in_as("organisation.admin@example.org")
    page = "/organisations/partner-charity/members"
    response = admin.forms.post(f"{page}/{world['join_request']}/decline", {}, page=page)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Membership, world["join_request"]).status == "declined"
    assert "declined" in smtp_server.body(smtp_server.to("asker@example.org")[-1])


def test_an_admin_cannot_reach_another_organisations_membership(app, world, sign_in_as):
    """Changing the id in the URL to another organisation's record gets 404, and nothing changes."""
    with app.app_context():
        other_request = Membership(user_id=world["user:no_organisation"],
                                   organisation_id=world["org_id:other"], status="requested")
        db.session.add(other_request)
        db.session.commit()
        other_id = other_request.id
    admin = sign_in_as("organisation.admin@example.org")
    page = "/organisations/partner-charity/members"
    response = admin.forms.post(f"{page}/{other_id}/accept", {}, page=page)
    assert response.status_code == 404
    wrong_org = admin.forms.post(f"/organisations/other-group/members/{other_id}/accept", {},
                                 page=page)
    assert wrong_org.status_code == 403
    with app.app_context():
        assert db.session.get(Membership, other_id).status == "requested"


def test_organisation_admin_edits_the_profile(app, world, sign_in_as):
    admin = sign_in_as("organisation.admin@example.org")
    form = admin.get("/organisations/partner-charity/edit").get_data(as_text=True)
    assert 'value="Partner Charity"' in form and 'value="SC000001"' in form
    response = admin.forms.post("/organisations/partner-charity/edit", {
        **VALID, "name": "Partner Charity Scotland", "charity_number": "SC000001"})
    assert response.status_code == 302
    assert org(app, "partner-charity").name == "Partner Charity Scotland"  # the slug stays


def test_directory_filters_searches_and_pages(app, world, count_queries):
    from tests.factories import organisation

    client = app.test_client()
    html = client.get("/organisations?area=midlothian").get_data(as_text=True)
    assert "Other Group" in html and "Partner Charity" not in html
    html = client.get("/organisations?kind=charity&q=partner").get_data(as_text=True)
    assert "Partner Charity" in html and "Other Group" not in html
    assert "Pending Project" not in client.get("/organisations").get_data(as_text=True)
    assert client.get("/organisations?q=%25&area=nowhere&kind=x&page=-1").status_code == 200

    def fetch():
        response = client.get("/organisations?page=2")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def add(start, stop):
        with app.app_context():
            db.session.add_all([organisation(f"Group {n:03d}", areas=("east-lothian", "midlothian"))
                                for n in range(start, stop)])
            db.session.commit()

    add(0, 25)
    _, small = count_queries(fetch)
    add(25, 145)
    html, large = count_queries(fetch)
    assert "Page 2 of 8" in html
    assert small == large
