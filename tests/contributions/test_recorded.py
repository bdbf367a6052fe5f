"""Views given outside the service: recorded by a coordinator, answered like any other, counted
honestly in reach, and their contact details kept only with consent and only for 30 days."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.contributions.models import Contribution
from psp.cycles.models import Stage
from psp.extensions import db
from psp.organisations.models import Membership
from psp.programmes.models import Programme
from psp.timeutil import utcnow
from tests.conftest import wait_for
from tests.contributions.test_views import _analyse, answer, post_form, view_row

P = "/programmes/test-programme"
URL = P + "/views/record"


def recording(app, **changes):
    data = {"source": "paper", "given_on": ["3", "3", "2026"], "given_where": "the Leith drop-in",
            "giver": "group", "organisation": "", "group_name": "Ward 7 patients' group",
            "group_kind": "voluntary-group", "group_area": "city-of-edinburgh", "people": "",
            "stage": str(_analyse(app)), "question": "", "meeting": "",
            "title": "Somewhere to go at night", "body": "Nowhere is open after six.",
            "communities": ["service-users"], "areas": ["city-of-edinburgh"], "audience": "partners",
            "contact_email": "", "submit": "Record the view"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contribution))


def test_coordinator_records_a_paper_view_from_a_group_not_on_the_service(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    response = post_form(coordinator, URL, recording(app, contact_email="carer@example.net", consent="y"))
    assert response.status_code == 302
    view = view_row(app, "Somewhere to go at night")
    assert response.headers["Location"] == f"/views/{view.id}"
    assert (view.status, view.source, view.giver, view.given_on) == ("received", "paper", "group",
                                                                     date(2026, 3, 3))
    assert view.organisation_id == world["org_id:interface"]      # held by the lead interface
    assert view.author_id == world["user:coordinator"] and view.submitted_at is not None
    assert view.contact_email == "carer@example.net" and view.contact_consent_at is not None
    page = coordinator.get(f"/views/{view.id}").get_data(as_text=True)
    assert ("Recorded by Coordinator (Testshire Voluntary Action) from a paper form given at the "
            "Leith drop-in on 3 March 2026.") in page.replace("&#39;", "'")
    assert "View from Ward 7 patients" in page
    assert "Voluntary group, City of Edinburgh), not on the service" in page
    assert "carer@example.net" in page
    for who in ("nhs.lead@example.org", "partner.member@example.org"):
        seen = sign_in_as(who).get(f"/views/{view.id}").get_data(as_text=True)
        assert "Recorded by Coordinator (Testshire Voluntary Action)" in seen
        assert "carer@example.net" not in seen
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "view.recorded"))
        assert entry.target_id == view.id and entry.details["contact"] is True


def test_people_at_an_event_and_a_partner_on_the_phone(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    event = post_form(coordinator, URL, recording(app, source="event", giver="event", people="14",
                                                  group_name="", title="From the drop-in"))
    assert event.status_code == 302
    phoned = post_form(coordinator, URL, recording(app, source="phone", giver="partner",
                                                   organisation=str(world["org_id:partner"]),
                                                   group_name="", title="Rang in", audience="leads"))
    assert phoned.status_code == 302
    at_event, by_phone = view_row(app, "From the drop-in"), view_row(app, "Rang in")
    assert (at_event.giver, at_event.people, at_event.group_name) == ("event", 14, None)
    assert (by_phone.giver, by_phone.organisation_id, by_phone.people) == ("partner",
                                                                         world["org_id:partner"], None)
    page = coordinator.get(f"/views/{at_event.id}").get_data(as_text=True)
    assert "View from 14 people at an event" in page
    # A partner's members see a view a coordinator recorded from them, leads only or not, but
    # cannot change the words the coordinator wrote down.
    member = sign_in_as("partner.member@example.org")
    assert member.get(f"/views/{by_phone.id}").status_code == 200
    assert member.get(f"/views/{by_phone.id}/edit").status_code == 403


@pytest.mark.parametrize("changes, field, message", [
    ({"source": ""}, "source", "Select where the view came from"),
    ({"source": "fax"}, "source", "Select where the view came from"),
    ({"given_on": ["", "", ""]}, "given_on", "Enter the date the view was given"),
    ({"given_on": ["31", "2", "2026"]}, "given_on", "Date it was given must be a real date"),
    ({"given_on": ["1", "1", str(date.today().year + 1)]}, "given_on", "must be today or in the past"),
    ({"giver": ""}, "giver", "Select who gave the view"),
    ({"giver": "group", "group_name": ""}, "group_name", "Enter the name of the group or organisation"),
    ({"giver": "event", "people": ""}, "people", "Enter how many people took part"),
    ({"giver": "event", "people": "a dozen"}, "people", "whole number from 1 to 100,000"),
    ({"giver": "event", "people": "0"}, "people", "whole number from 1 to 100,000"),
    ({"giver": "partner", "organisation": ""}, "organisation", "Select the partner organisation"),
    ({"group_kind": "cult"}, "group_kind", "Not a valid choice"),
    ({"contact_email": "carer@example.net"}, "consent", "Confirm they agreed to be emailed"),
    ({"contact_email": "not an address", "consent": "y"}, "contact_email", "Enter an email address"),
    ({"title": ""}, "title", "Enter a title for the view"),
    ({"body": ""}, "body", "Enter the view, as it was given"),
    ({"body": "nul\x00here"}, "body", None),
    ({"communities": []}, "communities", "Select at least one community"),
    ({"areas": ["atlantis"]}, "areas", "Select from the areas listed"),
    ({"audience": "everyone"}, "audience", "Select who can read the view"),
    ({"stage": "99999"}, "stage", "Select the current stage or an earlier one"),
])
def test_bad_input_is_refused_kept_and_nothing_saved(app, world, sign_in_as, changes, field, message):
    coordinator = sign_in_as("coordinator@example.org")
    before = _count(app)
    response = post_form(coordinator, URL, recording(app, **{"title": "Kept title", **changes}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and f'href="#{field}' in page
    if message:
        assert message in page
    if field != "title":
        assert 'value="Kept title"' in page
    assert _count(app) == before


def test_ids_of_another_programme_or_organisation_are_refused(app, world, sign_in_as):
    """Changed ids in the form: a stage of the review programme, an organisation that is not a
    partner here; each refused on its field, nothing saved."""
    coordinator = sign_in_as("coordinator@example.org")
    with app.app_context():
        other_stage = db.session.scalar(select(Stage.id).join(Programme, Programme.id == Stage.programme_id)
                                        .where(Programme.slug == "review-programme", Stage.kind == "analyse"))
    before = _count(app)
    for changes, message in [
            ({"stage": str(other_stage)}, "Select the current stage or an earlier one"),
            ({"giver": "partner", "organisation": str(world["org_id:other"])},
             "Select a partner organisation of this programme"),
            ({"question": "99999"}, "Select a question posed for the stage")]:
        response = post_form(coordinator, URL, recording(app, **changes))
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app) == before


def test_only_this_programmes_coordinators_record(app, world, sign_in_as):
    for who in ("nhs.lead@example.org", "partner.member@example.org", "site.admin@example.org",
                "other.member@example.org"):
        client = sign_in_as(who)
        assert client.get(URL).status_code == 403
    assert app.test_client().get(URL).status_code == 302          # to sign in
    page = sign_in_as("coordinator@example.org").get(P + "/views").get_data(as_text=True)
    assert 'href="/programmes/test-programme/views/record"' in page
    assert 'views/record' not in sign_in_as("nhs.lead@example.org").get(P + "/views").get_data(as_text=True)


def test_answering_emails_the_giver_and_tells_the_recorder(app, world, sign_in_as, smtp_server):
    with app.app_context():   # the lead interface, which holds the view, has an admin
        db.session.add(Membership(user_id=world["user:other_member"],
                                  organisation_id=world["org_id:interface"], role="admin", status="active"))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    post_form(coordinator, URL, recording(app, contact_email="carer@example.net", consent="y"))
    view = view_row(app, "Somewhere to go at night")
    response = answer(sign_in_as("nhs.lead@example.org"), view.id, status="already_in_place",
                      text="The crisis cafe opens until 10pm.")
    assert response.status_code == 302
    assert wait_for(lambda: smtp_server.to("carer@example.net") and smtp_server.to("coordinator@example.org"))
    body = smtp_server.body(smtp_server.to("carer@example.net")[-1])
    assert "at the Leith drop-in on 3 March 2026" in body and "already in place" in body
    assert "The crisis cafe opens until 10pm." in body and f"/views/{view.id}" in body
    # The lead interface holds the view; its admins did not give it and are not told.
    assert smtp_server.to("other.member@example.org") == []


def test_contact_details_are_forgotten_30_days_after_the_answer(app, world, runner):
    from psp.contributions.recorded import forget_contacts

    with app.app_context():
        stage_id = db.session.scalar(select(Stage.id).where(Stage.programme_id == world["programme_id"],
                                                            Stage.kind == "analyse"))
        now = utcnow()
        made = {}
        for name, answered in [("old", now - timedelta(days=31)), ("recent", now - timedelta(days=29)),
                               ("waiting", None)]:
            made[name] = Contribution(
                programme_id=world["programme_id"], stage_id=stage_id,
                organisation_id=world["org_id:interface"],
                title=name, body="b", status="under_consideration" if answered else "received",
                submitted_at=now - timedelta(days=40), answered_at=answered, source="phone", giver="group",
                group_name="A group", given_on=date(2026, 1, 5), contact_email=f"{name}@example.net",
                contact_consent_at=now - timedelta(days=40))
        db.session.add_all(made.values())
        db.session.commit()
        ids = {name: c.id for name, c in made.items()}
    result = runner.invoke(args=["psp", "forget-contacts"])
    assert result.exit_code == 0 and "Email addresses deleted: 1." in result.output
    with app.app_context():
        kept = dict(db.session.execute(select(Contribution.title, Contribution.contact_email)
                                       .where(Contribution.id.in_(ids.values()))).all())
        assert kept == {"old": None, "recent": "recent@example.net", "waiting": "waiting@example.net"}
        assert db.session.get(Contribution, ids["old"]).contact_consent_at is None
        assert forget_contacts() == 0
        assert db.session.scalar(select(AuditEntry.details).where(
            AuditEntry.action == "views.contacts_forgotten")) == {"count": 1}


def test_reach_and_csv_tell_recorded_views_apart(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    post_form(coordinator, URL, recording(app))
    post_form(coordinator, URL, recording(app, source="event", giver="event", people="14", title="Drop-in"))
    post_form(coordinator, URL, recording(app, source="event", giver="event", people="6", title="Cafe"))
    page = coordinator.get(P + "/reach").get_data(as_text=True).replace("&#39;", "'")
    # The world's three submitted views came through the service; the lead interface gave none.
    assert "3 views given through the service by partners; 3 recorded by coordinators" in page
    assert "20 people took part in the 2 views given by people at events." in page
    assert "1 organisation took part." in page
    assert "Ward 7 patients' group" in page and "Voluntary group" in page
    assert ">An event or drop-in</th>" in page and ">A paper form</th>" in page
    csv = coordinator.get(P + "/views.csv").get_data(as_text=True)
    assert "Recorded from,Given on" in csv.splitlines()[0]
    assert "Ward 7 patients' group" in csv and "a paper form,2026-03-03" in csv
