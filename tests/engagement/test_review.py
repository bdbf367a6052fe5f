"""The plan and the review through the pages: gates, refusals, stale edits, partners' ratings."""

import re

from sqlalchemy import select

from psp.engagement.models import EngagementAssessment, EngagementPlan, PartnerRating
from psp.extensions import db
from tests.cycles.helpers import P, decide, submit
from tests.engagement.helpers import finish_review, review_url
from tests.factories import move_to


def _version(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d*)"', html).group(1)


def test_analyse_cannot_be_submitted_without_a_plan(app, world, sign_in_as):
    with app.app_context():
        db.session.delete(db.session.get(EngagementPlan, world["plan"]))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    refused = submit(coordinator)
    assert refused.status_code == 400
    assert "Write the engagement plan before you submit Analyse" in refused.get_data(as_text=True)
    empty = coordinator.forms.post(P + "/cycles/1/engagement-plan", {"aims": "  "})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400 and "govuk-error-summary" in text
    assert "Enter what the engagement aims to achieve" in text
    saved = coordinator.forms.post(P + "/cycles/1/engagement-plan", {
        "aims": "Hear from carers.", "areas": "midlothian", "methods": ["meetings", "views"],
        "level_analyse": "consultation", "level_plan": "consultation", "level_do": "information",
        "level_review": "consultation", "version": ""})
    assert saved.status_code == 302
    assert submit(coordinator).status_code == 302


def test_the_plan_changes_until_plan_is_signed_off_and_a_stale_plan_loses(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = P + "/cycles/1/engagement-plan"
    seen = _version(coordinator, url)
    data = {"aims": "First.", "communities": "staff", "methods": "meetings", "level_analyse": "consultation",
            "level_plan": "consultation", "level_do": "information", "level_review": "consultation"}
    assert coordinator.forms.post(url, {**data, "version": seen}).status_code == 302
    stale = coordinator.forms.post(url, {**data, "aims": "Second.", "version": seen})
    assert stale.status_code == 409
    assert "This engagement plan changed since you opened it" in stale.get_data(as_text=True)
    assert "Second." in stale.get_data(as_text=True)        # what was typed is kept
    with app.app_context():
        assert db.session.get(EngagementPlan, world["plan"]).aims == "First."
    lead = sign_in_as("nhs.lead@example.org")
    for kind in ("analyse", "plan"):
        assert submit(coordinator, kind=kind).status_code == 302
        assert decide(lead, "sign-off", kind=kind).status_code == 302
    closed = coordinator.get(url)
    assert closed.status_code == 409
    assert "can change until Plan is signed off" in closed.get_data(as_text=True)
    late = coordinator.forms.post(url, {**data, "version": _version(coordinator, url)},
                                  page=P + "/cycles/1/do")
    assert late.status_code == 409


def test_indicators_refuse_bad_input_and_keep_it(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = P + "/cycles/1/engagement-plan/indicators/new"
    for data, message in [({"measure": "", "target": ""}, "Select a measure"),
                          ({"measure": "manual", "target": "10"}, "Enter what the indicator measures"),
                          ({"measure": "answered-in-time", "target": "-3"}, "must be a whole number"),
                          ({"measure": "answered-in-time", "target": "120"},
                           "cannot be more than 100 per cent"),
                          ({"measure": "made-up", "target": "1"}, "Select a measure from the list")]:
        response = coordinator.forms.post(url, data)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and message in text, (data, text[:200])
        assert "govuk-error-summary" in text
    assert coordinator.forms.post(url, {"measure": "organisations", "target": "12"}).status_code == 302


def _at_review(app, world):
    with app.app_context():
        move_to(world["programme_id"], "review")


def test_two_coordinators_editing_one_assessment_the_second_loses(app, world, sign_in_as, make_user):
    _at_review(app, world)
    first, second = sign_in_as("coordinator@example.org"), sign_in_as("coordinator@example.org")
    url = review_url() + "/inclusion"
    assert _version(first, url) == "" and _version(second, url) == ""
    assert first.forms.post(url, {"version": "", "rating": "met", "learnt": "Mine."}).status_code == 302
    lost = second.forms.post(url, {"version": "", "rating": "not-met", "learnt": "Theirs."}, page=url + "?x")
    # the second opened the page before the first saved: its empty version loses
    text = lost.get_data(as_text=True)
    assert lost.status_code == 409 and "This assessment changed since you opened it" in text
    seen = _version(first, url)
    assert first.forms.post(url, {"version": seen, "rating": "partly-met", "learnt": "Mine, again."}
                            ).status_code == 302
    stale = second.forms.post(url, {"version": seen, "rating": "not-met", "learnt": "Theirs."})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "This assessment changed since you opened it" in text
    assert "Mine, again." in text and "Theirs." in text
    with app.app_context():
        kept = db.session.scalars(select(EngagementAssessment)).one()
        assert (kept.rating, kept.learnt) == ("partly-met", "Mine, again.")


def test_partners_rate_until_the_review_is_finished(app, world, sign_in_as):
    _at_review(app, world)
    partner, coordinator = sign_in_as("partner.member@example.org"), sign_in_as("coordinator@example.org")
    url = review_url() + "/impact/rating"
    missing = partner.forms.post(url, {"organisation": str(world["org_id:partner"]), "rating": ""})
    assert missing.status_code == 400
    assert "Select whether the standard was met" in missing.get_data(as_text=True)
    forged = partner.forms.post(url, {"organisation": str(world["org_id:other"]), "rating": "met"})
    assert forged.status_code == 400 and "Select one of your organisations" in forged.get_data(as_text=True)
    assert partner.forms.post(url, {"organisation": str(world["org_id:partner"]), "rating": "met",
                                    "comment": "Our view changed the plan."}).status_code == 302
    assert partner.forms.post(url, {"organisation": str(world["org_id:partner"]), "rating": "partly-met",
                                    "comment": "On reflection."}).status_code == 302
    with app.app_context():
        rating = db.session.scalars(select(PartnerRating)).one()   # one per organisation and standard
        assert (rating.rating, rating.comment) == ("partly-met", "On reflection.")
    unfinished = coordinator.forms.post(review_url() + "/finish", {}, page=review_url())
    assert unfinished.status_code == 400 and "Assess every standard" in unfinished.get_data(as_text=True)
    finish_review(coordinator, by_hand=[world["indicator_by_hand"]])
    late = partner.get(url)
    assert late.status_code == 409
    page = partner.get(review_url()).get_data(as_text=True)
    assert "On reflection." in page and "Finished on" in page
