"""Programmes: creation, appointing coordinators and NHS leads, admitting partners."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from psp.auth.models import User
from psp.extensions import db
from psp.programmes.models import Participation, Programme, ProgrammeRole, RoleInvitation
from tests.conftest import PASSWORD
from tests.factories import give_factor


def new_programme(world):
    return {"title": "Midlothian Recovery Pathways", "summary": "Designing recovery support.",
            "strategy": "A Sense of Belonging", "lead_body": str(world["org_id:public_body"]),
            "lead_interface": str(world["org_id:interface"]),
            "areas": ["midlothian"], "outcomes": "People recover closer to home\n\n  Carers are heard  \n"}


def test_site_admin_creates_a_programme(app, world, sign_in_as):
    admin = sign_in_as("site.admin@example.org")
    response = admin.forms.post("/programmes/new", new_programme(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/programmes/midlothian-recovery-pathways/people"
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(
            Programme.slug == "midlothian-recovery-pathways"))
        assert [o.title for o in programme.outcomes] == ["People recover closer to home",
                                                         "Carers are heard"]
        assert programme.area_codes == ["midlothian"]
    page = app.test_client().get("/programmes/midlothian-recovery-pathways").get_data(as_text=True)
    assert "People recover closer to home" in page and "NHS Testshire" in page


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Enter a title"),
    ("lead_body", "", "Select the lead public body"),
    ("lead_body", "999999", "Not a valid choice"),
    ("areas", [], "Select at least one area"),
    ("outcomes", "", "Enter at least one agreed social outcome"),
    ("outcomes", "x" * 301, "300 characters or fewer"),
])
def test_programme_form_refuses_bad_input(app, world, sign_in_as, field, value, message):
    admin = sign_in_as("site.admin@example.org")
    response = admin.forms.post("/programmes/new", {**new_programme(world), field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Programme.id).where(Programme.title.like("Midlothian%"))) is None


def test_lead_interface_must_be_a_third_sector_interface(app, world, sign_in_as):
    admin = sign_in_as("site.admin@example.org")
    data = {**new_programme(world), "lead_interface": str(world["org_id:partner"])}
    assert admin.forms.post("/programmes/new", data).status_code == 400


def test_appoint_an_existing_account(app, world, sign_in_as, smtp_server):
    admin = sign_in_as("site.admin@example.org")
    url = f"/programmes/{world['programme']}/people"
    response = admin.forms.post(url, {"email": "Other.Member@example.org", "role": "nhs_lead"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ProgrammeRole.role).where(
            ProgrammeRole.user_id == world["user:other_member"])) == "nhs_lead"
    assert "now nhs lead" in smtp_server.to("other.member@example.org")[0]["Subject"]
    again = admin.forms.post(url, {"email": "other.member@example.org", "role": "nhs_lead"})
    assert again.status_code == 400 and "already nhs lead" in again.get_data(as_text=True)


def test_invite_an_unknown_address_and_grant_on_registration(app, world, client, forms, sign_in_as,
                                                             smtp_server):
    admin = sign_in_as("site.admin@example.org")
    url = f"/programmes/{world['programme']}/people"
    response = admin.forms.post(url, {"email": "new.coordinator@example.org", "role": "coordinator"})
    assert response.status_code == 302
    assert "invited" in smtp_server.to("new.coordinator@example.org")[0]["Subject"]
    forms.post("/register", {"name": "New Coordinator", "email": "new.coordinator@example.org",
                             "password": PASSWORD})
    link = urlsplit(smtp_server.link("new.coordinator@example.org", "/confirm-email/")).path
    forms.post(link, {})
    with app.app_context():
        role = db.session.scalar(select(ProgrammeRole).join(ProgrammeRole.user).where(
            ProgrammeRole.user.has(email="new.coordinator@example.org")))
        assert role.role == "coordinator" and role.programme_id == world["programme_id"]
        assert db.session.scalar(select(RoleInvitation.accepted_at)) is not None
    coordinator = sign_in_as("new.coordinator@example.org")
    held = coordinator.get(f"/programmes/{world['programme']}/requests")  # a second factor first
    assert held.status_code == 302 and held.headers["Location"] == "/account/two-factor"
    with app.app_context():
        give_factor(db.session.scalar(select(User).where(User.email == "new.coordinator@example.org")))
        db.session.commit()
    assert coordinator.get(f"/programmes/{world['programme']}/requests").status_code == 200


def test_appoint_refuses_bad_input(app, world, sign_in_as):
    admin = sign_in_as("site.admin@example.org")
    url = f"/programmes/{world['programme']}/people"
    for data in ({"email": "", "role": "coordinator"}, {"email": "x@example.org", "role": "king"},
                 {"email": "not an email", "role": "coordinator"}):
        response = admin.forms.post(url, data)
        assert response.status_code == 400
        assert "There is a problem" in response.get_data(as_text=True)


def test_organisation_asks_to_take_part_and_coordinator_admits(app, world, make_user, sign_in_as,
                                                                smtp_server):
    from psp.organisations.models import Membership

    with app.app_context():
        db.session.add(Membership(user_id=world["user:no_organisation"],
                                  organisation_id=world["org_id:other"], role="admin", status="active"))
        db.session.commit()
    admin = sign_in_as("no.organisation@example.org")
    url = f"/programmes/{world['programme']}/take-part"
    assert "Other Group" in admin.get(url).get_data(as_text=True)
    response = admin.forms.post(url, {"organisation": str(world["org_id:other"])})
    assert response.status_code == 302
    assert len(smtp_server.to("coordinator@example.org")) == 1
    coordinator = sign_in_as("coordinator@example.org")
    requests = f"/programmes/{world['programme']}/requests"
    assert "Other Group" in coordinator.get(requests).get_data(as_text=True)
    with app.app_context():
        participation_id = db.session.scalar(select(Participation.id).where(
            Participation.organisation_id == world["org_id:other"]))
    response = coordinator.forms.post(f"{requests}/{participation_id}/admit", {}, page=requests)
    assert response.status_code == 302
    page = app.test_client().get(f"/programmes/{world['programme']}").get_data(as_text=True)
    assert "Other Group" in page and "Partner Charity" in page
    assert "is now a partner" in smtp_server.body(smtp_server.to("no.organisation@example.org")[-1])


def test_decline_needs_a_reason(app, world, sign_in_as, smtp_server):
    coordinator = sign_in_as("coordinator@example.org")
    requests = f"/programmes/{world['programme']}/requests"
    url = f"{requests}/{world['participation_request']}/decline"
    empty = coordinator.forms.post(url, {"reason": ""}, page=requests)
    assert empty.status_code == 400 and "Enter the reason for declining" in empty.get_data(as_text=True)
    response = coordinator.forms.post(url, {"reason": "This programme covers Edinburgh only."},
                                      page=requests)
    assert response.status_code == 302
    with app.app_context():
        participation = db.session.get(Participation, world["participation_request"])
        assert participation.status == "declined"
        assert participation.decline_reason == "This programme covers Edinburgh only."
    assert "covers Edinburgh only" in smtp_server.body(smtp_server.to("bystander@example.org")[-1])


def test_tampered_organisation_id_is_refused(app, world, sign_in_as):
    """An organisation admin cannot put forward someone else's organisation."""
    admin = sign_in_as("organisation.admin@example.org")
    url = f"/programmes/{world['programme']}/take-part"
    response = admin.forms.post(url, {"organisation": str(world["org_id:other"])})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Participation.id).where(
            Participation.organisation_id == world["org_id:other"])) is None


def test_coordinator_cannot_decide_another_programmes_request(app, world, sign_in_as):
    with app.app_context():
        other = Programme(slug="other-programme", title="Other", summary="Other.",
                          lead_body_id=world["org_id:public_body"],
                          lead_interface_id=world["org_id:interface"])
        db.session.add(other)
        db.session.flush()
        db.session.add(ProgrammeRole(programme_id=other.id, user_id=world["user:nhs_lead"],
                                     role="coordinator"))
        db.session.commit()
    coordinator = sign_in_as("nhs.lead@example.org")  # coordinator of the other programme only
    page = "/programmes/other-programme/requests"
    response = coordinator.forms.post(
        f"/programmes/other-programme/requests/{world['participation_request']}/admit", {}, page=page)
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Participation, world["participation_request"]).status == "requested"


def test_programme_page_query_count_does_not_grow(app, world, count_queries):
    from psp.programmes.models import Participation as P
    from tests.factories import organisation

    client = app.test_client()
    url = f"/programmes/{world['programme']}"

    def add_partners(start, stop):
        with app.app_context():
            orgs = [organisation(f"Partner {n:03d}") for n in range(start, stop)]
            db.session.add_all(orgs)
            db.session.flush()
            db.session.add_all([P(programme_id=world["programme_id"], organisation_id=o.id,
                                  status="admitted") for o in orgs])
            db.session.commit()

    add_partners(0, 25)
    _, small = count_queries(lambda: client.get(url))
    add_partners(25, 300)
    response, large = count_queries(lambda: client.get(url))
    assert "301 organisations take part" in response.get_data(as_text=True)
    assert small == large
