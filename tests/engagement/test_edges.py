"""The engagement plan and review at their edges: pages opened at the wrong moment, forged values,
the twelve-indicator ceiling, the CSV report with ratings, and changes racing a stage's move that
the pages cannot produce (checked on the services directly)."""

import csv
import io

import pytest
from sqlalchemy import func, select

from psp.auth.models import User
from psp.cycles.models import Stage
from psp.engagement import services
from psp.engagement.models import EngagementIndicator, EngagementPlan
from psp.errors import Refused, Stale
from psp.extensions import db
from psp.programmes.models import Programme
from tests.cycles.helpers import P
from tests.engagement.helpers import finish_review, review_url
from tests.factories import move_to

PLAN = P + "/cycles/1/engagement-plan"
PLAN_DATA = {"aims": "Hear from carers.", "areas": "midlothian", "methods": ["meetings"],
             "level_analyse": "consultation", "level_plan": "consultation", "level_do": "information",
             "level_review": "consultation", "version": ""}


def _at(app, world, kind):
    with app.app_context():
        move_to(world["programme_id"], kind)


def _scope(world, number=1):
    programme = db.session.get(Programme, world["programme_id"])
    return services.scope(programme, number)


def test_without_a_plan_indicators_are_not_found_and_cannot_be_added(app, world, sign_in_as):
    with app.app_context():
        db.session.delete(db.session.get(EngagementPlan, world["plan"]))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.get(PLAN + f"/indicators/{world['indicator']}").status_code == 404
    new = coordinator.get(PLAN + "/indicators/new")
    assert new.status_code == 409
    assert "Write the engagement plan before you add indicators." in new.get_data(as_text=True)


def test_a_plan_with_an_area_not_on_the_list_is_refused(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    response = coordinator.forms.post(PLAN, {**PLAN_DATA, "areas": "atlantis"})
    assert response.status_code == 400
    assert "Select areas from the list" in response.get_data(as_text=True)


def test_indicators_once_plan_is_signed_off_are_closed(app, world, sign_in_as):
    _at(app, world, "do")
    coordinator = sign_in_as("coordinator@example.org")
    closed = coordinator.get(PLAN + "/indicators/new")
    assert closed.status_code == 409
    assert "can change until Plan is signed off" in closed.get_data(as_text=True)
    removed = coordinator.forms.post(PLAN + f"/indicators/{world['indicator']}/delete", {},
                                     page=P + "/cycles/1/do", follow_redirects=True)
    assert "can change until Plan is signed off" in removed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EngagementIndicator, world["indicator"]) is not None


def test_an_indicator_is_changed_and_the_twelfth_is_the_last(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    edit = PLAN + f"/indicators/{world['indicator']}"
    assert 'value="80"' in coordinator.get(edit).get_data(as_text=True)
    assert coordinator.forms.post(edit, {"measure": "answered-in-time", "target": "65"}).status_code == 302
    with app.app_context():
        assert db.session.get(EngagementIndicator, world["indicator"]).target == 65
        db.session.add_all(EngagementIndicator(plan_id=world["plan"], measure="manual", title=f"Hand {n}",
                                               target=n) for n in range(services.MAX_INDICATORS - 2))
        db.session.commit()
    refused = coordinator.forms.post(PLAN + "/indicators/new", {"measure": "organisations", "target": "3"})
    assert refused.status_code == 400
    assert f"at most {services.MAX_INDICATORS} indicators" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EngagementIndicator).where(
            EngagementIndicator.plan_id == world["plan"])) == services.MAX_INDICATORS


def test_the_plan_services_refuse_what_the_pages_never_send(app, world):
    with app.test_request_context():
        found = _scope(world)
        person = db.session.get(User, world["user:coordinator"])
        plan = db.session.get(EngagementPlan, world["plan"])
        data = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        # Another coordinator wrote the plan after this one opened an empty form.
        with pytest.raises(Stale) as stale:
            services.save_plan(person, found.programme, found.cycle, None, "", data)
        assert stale.value.record.id == world["plan"]
        for measure, title, target, words in [("made-up", "", 1, "Select a measure from the list"),
                                              ("manual", "", 10, "Enter what the indicator measures")]:
            with pytest.raises(Refused, match=words):
                services.save_indicator(person, found.programme, found.cycle, plan, None, measure, title,
                                        target)


def test_the_plan_cannot_change_once_the_cycle_moved_on(app, world):
    _at(app, world, "do")
    with app.test_request_context():
        found = _scope(world)
        person = db.session.get(User, world["user:coordinator"])
        plan = db.session.get(EngagementPlan, world["plan"])
        data = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        with pytest.raises(Stale) as stale:      # the current stage is Do
            services.save_plan(person, found.programme, found.cycle, plan, plan.version, data)
        assert isinstance(stale.value.record, Stage) and stale.value.record.kind == "do"
        for stage in found.stages:
            stage.status = "signed_off"
        db.session.commit()
        with pytest.raises(Refused, match="Plan of this cycle is signed off"):
            services.save_plan(person, found.programme, found.cycle, plan, plan.version, data)


def test_an_assessment_that_vanished_and_a_version_forged(app, world, sign_in_as):
    _at(app, world, "review")
    coordinator = sign_in_as("coordinator@example.org")
    response = coordinator.forms.post(review_url() + "/inclusion", {"version": "4", "rating": "met",
                                                                    "learnt": "Mine."})
    assert response.status_code == 409
    assert "This assessment is no longer there: reload the page" in response.get_data(as_text=True)


def test_a_computed_indicator_takes_no_value(app, world, sign_in_as):
    _at(app, world, "review")
    coordinator = sign_in_as("coordinator@example.org")
    computed = coordinator.get(review_url() + f"/indicators/{world['indicator']}")
    assert computed.status_code == 409
    assert "The service computes this indicator&#39;s value." in computed.get_data(as_text=True)
    with app.test_request_context():
        stage = _scope(world).stage("review")
        indicator = db.session.get(EngagementIndicator, world["indicator"])
        person = db.session.get(User, world["user:coordinator"])
        with pytest.raises(Refused, match="computes this indicator"):
            services.enter_value(person, stage, indicator, 5, "")


def test_the_review_services_refuse_before_review_and_after_it_is_finished(app, world, sign_in_as):
    with app.test_request_context():
        person = db.session.get(User, world["user:coordinator"])
        with pytest.raises(Stale):          # Review is not open yet
            services.save_assessment(person, _scope(world).stage("review"), "inclusion", "", "met", "")
    _at(app, world, "review")
    finish_review(sign_in_as("coordinator@example.org"), by_hand=[world["indicator_by_hand"]])
    with app.test_request_context():
        person = db.session.get(User, world["user:coordinator"])
        with pytest.raises(Refused, match="finished this review"):
            services.save_assessment(person, _scope(world).stage("review"), "inclusion", "1", "met", "")


def test_the_csv_report_has_the_assessments_and_partners_ratings(app, world, sign_in_as):
    _at(app, world, "review")
    partner = sign_in_as("partner.member@example.org")
    assert partner.forms.post(review_url() + "/impact/rating", {
        "organisation": str(world["org_id:partner"]), "rating": "met",
        "comment": "Our view changed the plan."}).status_code == 302
    coordinator = sign_in_as("coordinator@example.org")
    finish_review(coordinator, by_hand=[world["indicator_by_hand"]])
    response = coordinator.get(P + "/cycles/1/engagement-report.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assessed = [r for r in rows if r[0] == "Assessment"]
    assert len(assessed) == len(services.STANDARDS) and assessed[0][2] == "Coordinators"
    rated = [r for r in rows if r[0] == "Partner rating"]
    assert len(rated) == 1
    assert (rated[0][2], rated[0][7]) == ("Partner Charity", "Our view changed the plan.")


def test_movement_between_cycles_and_names_of_no_organisations():
    movement = services.Movement([1, 2, 3], {"impact": {1: "met", 2: "not-met", 3: "not-met"},
                                              "inclusion": {1: "not-met", 3: "met"}})
    assert [movement.change("impact", n) for n in (1, 2, 3)] == ["", "worse", "same"]
    assert movement.change("inclusion", 3) == "better"
    assert movement.change("inclusion", 2) == ""


def test_no_organisations_have_no_names(app):
    with app.app_context():
        assert services.organisation_names(set()) == {}


def test_before_review_the_review_pages_say_it_is_closed(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    assess = coordinator.get(review_url() + "/inclusion")
    assert assess.status_code == 409 and "The engagement review is written while Review is open" in \
        assess.get_data(as_text=True)
    value = coordinator.get(review_url() + f"/indicators/{world['indicator_by_hand']}")
    assert value.status_code == 409 and "The engagement review is written while Review is open" in \
        value.get_data(as_text=True)
    finish = coordinator.forms.post(review_url() + "/finish", {}, page=review_url())
    assert finish.status_code == 409 and "The engagement review is written while Review is open" in \
        finish.get_data(as_text=True)
    with app.app_context():
        assert services.review_of(_scope(world).cycle.id) is None


def test_the_review_is_not_finished_while_a_hand_written_indicator_has_no_value(app, world, sign_in_as):
    _at(app, world, "review")
    coordinator = sign_in_as("coordinator@example.org")
    for standard in services.STANDARDS:
        assert coordinator.forms.post(f"{review_url()}/{standard}", {
            "version": "", "rating": "met", "learnt": "Learnt."}).status_code == 302
    refused = coordinator.forms.post(review_url() + "/finish", {}, page=review_url())
    assert refused.status_code == 400
    assert ("Enter the value of every indicator written by hand: People who felt listened to"
            in refused.get_data(as_text=True))
    with app.app_context():
        assert services.review_of(_scope(world).cycle.id).finished_at is None


def test_a_partner_of_two_organisations_chooses_which_one_rates(app, world, sign_in_as):
    from psp import builders

    _at(app, world, "review")
    with app.app_context():
        second = builders.organisation("Second Partner Trust")
        db.session.add(second)
        db.session.flush()
        db.session.add_all([builders.membership(world["user:partner_member"], second.id),
                            builders.participation(world["programme_id"], second.id)])
        db.session.commit()
        second_id = second.id
    partner = sign_in_as("partner.member@example.org")
    html = partner.get(review_url() + "/impact/rating").get_data(as_text=True)
    assert "Second Partner Trust" in html and "Partner Charity" in html
    # Nothing chosen for them: both are offered, neither selected.
    assert "selected" not in html.split('id="organisation"')[1].split("</select>")[0]
    assert f'<option value="{second_id}">Second Partner Trust</option>' in html
