"""Views: giving, editing, answering, lists, "you said, we did", CSV and figures."""

import re

import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.contributions.models import Contribution, ContributionRevision, Response
from psp.cycles.models import Decision, Stage
from psp.extensions import db
from tests.conftest import csrf_from, wait_for

P = "/programmes/test-programme"


def _analyse(app):
    with app.app_context():
        return db.session.scalar(select(Decision.stage_id).where(Decision.title == "Meet monthly"))


def _org(world):
    return str(world["org_id:partner"])


def good_view(app, world, **changes):
    data = {"organisation": _org(world), "stage": str(_analyse(app)), "question": "", "meeting": "",
            "title": "Evening support", "body": "People need somewhere to go after 6pm.",
            "communities": ["service-users", "families-carers"], "areas": ["city-of-edinburgh"],
            "audience": "partners", "submit": "Submit your view"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, url, data, page=None):
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_from(html)})


def version_of(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1), csrf_from(html)


def view_row(app, title):
    with app.app_context():
        row = db.session.scalar(select(Contribution).where(Contribution.title == title))
        db.session.expunge_all()
        return row


def answer(client, view_id, **fields):
    url = f"/views/{view_id}/answer"
    version, token = version_of(client, url)
    data = {"csrf_token": token, "version": version, "status": "under_consideration",
            "text": "We are looking at it with the wards."}
    data.update(fields)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


# Giving a view ------------------------------------------------------------------------

def test_partner_submits_a_view_and_it_is_audited(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    response = post_form(partner, P + "/views/new", good_view(app, world))
    assert response.status_code == 302
    view = view_row(app, "Evening support")
    assert response.headers["Location"] == f"/views/{view.id}"
    assert (view.status, view.audience, view.organisation_id) == ("received", "partners",
                                                                 world["org_id:partner"])
    assert view.submitted_at is not None
    page = partner.get(f"/views/{view.id}").get_data(as_text=True)
    assert "People who use the services, Families and carers" in page
    assert "City of Edinburgh" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view.submitted", AuditEntry.target_id == view.id)) == 1


def test_a_draft_needs_only_a_title_and_only_its_organisation_sees_it(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    response = post_form(partner, P + "/views/new", {
        "organisation": _org(world), "stage": str(_analyse(app)), "title": "Half-written thought",
        "save_draft": "Save as a draft"})
    assert response.status_code == 302
    view = view_row(app, "Half-written thought")
    assert view.status == "draft" and view.submitted_at is None
    assert sign_in_as("organisation.admin@example.org").get(f"/views/{view.id}").status_code == 200
    for other in ("coordinator@example.org", "nhs.lead@example.org", "other.member@example.org"):
        assert sign_in_as(other).get(f"/views/{view.id}").status_code == 404
    # Submitting the draft later needs the rest.
    url = f"/views/{view.id}/edit"
    version, token = version_of(partner, url)
    refused = partner.post(url, data={"csrf_token": token, "version": version, "organisation": _org(world),
                                      "stage": str(_analyse(app)), "title": "Half-written thought",
                                      "submit": "Submit your view"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    for message in ("Enter your view", "Select at least one community your view speaks for",
                    "Select at least one area your view concerns", "Select who can read your view"):
        assert message in html
    done = partner.post(url, data={"csrf_token": token, "version": version,
                                   **good_view(app, world, title="Half-written thought")})
    assert done.status_code == 302
    assert view_row(app, "Half-written thought").status == "received"


BAD = [
    ({"title": ""}, "Enter a title for your view"),
    ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
    ({"title": "bad\x00title"}, "Remove the invisible control characters"),
    ({"body": ""}, "Enter your view"),
    ({"body": "x" * 20_001}, "Your view must be 20,000 characters or fewer"),
    ({"communities": []}, "Select at least one community your view speaks for"),
    ({"communities": ["aliens"]}, "Select from the communities listed"),
    ({"areas": []}, "Select at least one area your view concerns"),
    ({"areas": ["atlantis"]}, "Select from the areas listed"),
    ({"audience": "everyone"}, "Select who can read your view"),
    ({"audience": None}, "Select who can read your view"),
    ({"organisation": ""}, "Select the organisation you speak for"),
    ({"organisation": "999999"}, "Select one of your organisations"),
    ({"stage": ""}, "Select the stage your view is about"),
    ({"stage": "not-a-number"}, "Select the current stage or an earlier one"),
    ({"question": "99999999999999999999"}, "Select a question posed for the stage, or no question"),
    ({"meeting": "-1"}, "Select a meeting of this programme, or no meeting"),
]


@pytest.mark.parametrize("changes, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_shows_an_error_and_keeps_what_was_typed(app, world, sign_in_as, changes, message):
    partner = sign_in_as("partner.member@example.org")
    data = good_view(app, world, **changes)
    data["title"] = data.get("title", "") if "title" in changes else "Kept title"
    response = post_form(partner, P + "/views/new", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    if "title" not in changes:
        assert 'value="Kept title"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.title == "Kept title")) == 0


def test_a_question_of_another_stage_or_an_upcoming_stage_is_refused(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    with app.app_context():
        plan = db.session.scalar(select(Stage.id).where(Stage.kind == "plan", Stage.programme_id ==
                                                        world["programme_id"]))
    response = post_form(partner, P + "/views/new", good_view(app, world, stage=str(plan)))
    assert response.status_code == 400
    assert "Select the current stage or an earlier one" in response.get_data(as_text=True)
    # The question belongs to Analyse; posting it with a later stage that became current is refused.
    with app.app_context():
        from psp.cycles.models import Question

        db.session.add(Question(stage_id=plan, text="A Plan question", detail=""))
        db.session.commit()
        plan_question = db.session.scalar(select(Question.id).where(Question.text == "A Plan question"))
    response = post_form(partner, P + "/views/new", good_view(app, world, question=str(plan_question)))
    assert response.status_code == 400
    assert "Select a question posed for the stage you chose, or no question" in response.get_data(
        as_text=True)


def test_only_partners_give_views(app, world, sign_in_as):
    for email in ("other.member@example.org", "coordinator@example.org", "bystander@example.org"):
        client = sign_in_as(email)
        assert client.get(P + "/views/new").status_code == 403
    # A partner cannot speak for an organisation they do not belong to, even by forging the form.
    partner = sign_in_as("partner.member@example.org")
    response = post_form(partner, P + "/views/new", good_view(app, world, organisation=str(
        world["org_id:other"])))
    assert response.status_code == 400
    assert "Select one of your organisations" in response.get_data(as_text=True)


# Editing --------------------------------------------------------------------------------

def test_editing_keeps_the_earlier_text_and_stops_once_answered(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    url = f"/views/{world['view_shared']}/edit"
    version, token = version_of(partner, url)
    changed = partner.post(url, data={"csrf_token": token, "version": version, **good_view(
        app, world, title="Shared and waiting", body="A better wording.")})
    assert changed.status_code == 302
    with app.app_context():
        revisions = db.session.scalars(select(ContributionRevision).where(
            ContributionRevision.contribution_id == world["view_shared"])).all()
        assert [(r.title, r.body) for r in revisions] == [("Shared and waiting",
                                                            "Shared and waiting: the text.")]
    page = partner.get(f"/views/{world['view_shared']}").get_data(as_text=True)
    assert "A better wording." in page and "Shared and waiting: the text." in page
    assert "Your view is changed. The earlier text is kept in its history." in page

    # Someone from another organisation, and the leads, cannot change it.
    assert sign_in_as("coordinator@example.org").get(url).status_code == 403
    assert sign_in_as("other.member@example.org").get(url).status_code == 404

    # The lead answers; the partner's open form is now refused with its text kept.
    version, token = version_of(partner, url)
    assert answer(sign_in_as("nhs.lead@example.org"), world["view_shared"]).status_code == 302
    late = partner.post(url, data={"csrf_token": token, "version": version, **good_view(
        app, world, title="Shared and waiting", body="Too late now.")})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "This view has been answered, so it can no longer be changed" in html
    assert "Too late now." in html
    assert view_row(app, "Shared and waiting").body == "A better wording."
    assert partner.get(url).status_code == 409


# Answering ------------------------------------------------------------------------------

def test_answering_emails_the_author_and_organisation_admins(app, world, sign_in_as, smtp_server):
    lead = sign_in_as("nhs.lead@example.org")
    response = answer(lead, world["view_shared"], status="already_in_place",
                      text="Evening drop-ins already run at the Hub.")
    assert response.status_code == 302
    assert wait_for(lambda: smtp_server.to("partner.member@example.org")
                    and smtp_server.to("organisation.admin@example.org"))
    message = smtp_server.to("organisation.admin@example.org")[-1]
    assert message["Subject"] == "Your view has an answer: Shared and waiting"
    body = smtp_server.body(message)
    assert "already in place" in body and "Evening drop-ins already run at the Hub." in body
    assert f"/views/{world['view_shared']}" in body
    view = view_row(app, "Shared and waiting")
    assert view.status == "already_in_place" and view.days_to_answer == 0 and view.answered_at
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view.answered", AuditEntry.target_id == view.id)) == 1


ANSWER_ERRORS = [
    ({"status": None}, "Select an answer"),
    ({"status": "maybe"}, "Select an answer"),
    ({"text": ""}, "Enter the response for the public"),
    ({"status": "not_taken_forward"}, "Enter the reason it is not taken forward"),
    ({"status": "taken_forward"}, "Select the actions or decisions this view shaped"),
    ({"status": "taken_forward", "actions": "999999"}, "Select from the actions listed"),
    ({"text": "x" * 10_001}, "Response must be 10,000 characters or fewer"),
]


@pytest.mark.parametrize("fields, message", ANSWER_ERRORS, ids=[m for _, m in ANSWER_ERRORS])
def test_bad_answers_are_refused_with_what_was_typed(app, world, sign_in_as, fields, message):
    lead = sign_in_as("coordinator@example.org")
    fields.setdefault("text", "Kept response")
    response = answer(lead, world["view_shared"], **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    if fields["text"] == "Kept response":
        assert "Kept response" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response).where(
            Response.contribution_id == world["view_shared"])) == 0


def test_taken_forward_links_both_ways_and_respects_visibility(app, world, sign_in_as):
    lead = sign_in_as("coordinator@example.org")
    assert answer(lead, world["view_leads"], status="taken_forward", text="It shaped our mapping.",
                  actions=str(world["action"]), decisions=str(world["decision"])).status_code == 302
    page = lead.get(f"/views/{world['view_leads']}").get_data(as_text=True)
    assert f"#action-{world['action']}" in page and f"#decision-{world['decision']}" in page
    # The decision was recorded at Analyse; the action was designed at Plan.
    for kind in ("analyse", "plan"):
        stage_page = lead.get(P + f"/cycles/1/{kind}").get_data(as_text=True)
        assert stage_page.count("Shaped by the view") == 1, kind
        assert f'href="/views/{world["view_leads"]}"' in stage_page
        # The view is for the leads only (and its own organisation): others do not see it behind it.
        for email in ("other.member@example.org", "site.admin@example.org"):
            assert "For the leads only" not in sign_in_as(email).get(P + f"/cycles/1/{kind}").get_data(
                as_text=True)
        assert "For the leads only" in sign_in_as("organisation.admin@example.org").get(
            P + f"/cycles/1/{kind}").get_data(as_text=True)


def test_an_answer_on_a_view_that_changed_meanwhile_is_stale(app, world, sign_in_as):
    lead = sign_in_as("coordinator@example.org")
    url = f"/views/{world['view_shared']}/answer"
    version, token = version_of(lead, url)
    partner = sign_in_as("partner.member@example.org")
    edit_url = f"/views/{world['view_shared']}/edit"
    edit_version, edit_token = version_of(partner, edit_url)
    edited = partner.post(edit_url, data={"csrf_token": edit_token, "version": edit_version, **good_view(
        app, world, title="Shared and waiting", body="Changed while the lead was reading.")})
    assert edited.status_code == 302
    stale = lead.post(url, data={"csrf_token": token, "version": version, "status": "under_consideration",
                                 "text": "My typed answer"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "This view changed since you opened it" in html
    assert "My typed answer" in html and "Changed while the lead was reading." in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response).where(
            Response.contribution_id == world["view_shared"])) == 0
    # The page now carries the new version, so answering again works.
    again = lead.post(url, data={"csrf_token": csrf_from(html),
                                 "version": re.search(r'name="version" type="hidden" value="(\d+)"',
                                                      html).group(1),
                                 "status": "under_consideration", "text": "My typed answer"})
    assert again.status_code == 302
