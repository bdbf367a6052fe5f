"""The Analyse-Plan-Do-Review rules, through the routes a person uses."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from psp.audit import AuditEntry
from psp.cycles.models import Action, Cycle, Decision, OutcomeMeasure, Question, Stage
from psp.extensions import db
from psp.programmes.models import Programme
from psp.timeutil import utcnow
from tests.cycles.helpers import P, current_stages, decide, stage, submit, transitions, version_on
from tests.engagement.helpers import finish_review
from tests.factories import move_to


def test_a_new_programme_starts_cycle_one_with_analyse_open(app, world, sign_in_as):
    from tests.programmes.test_programmes import new_programme

    admin = sign_in_as("site.admin@example.org")
    assert admin.forms.post("/programmes/new", new_programme(world)).status_code == 302
    with app.app_context():
        programme_id = db.session.scalar(select(Programme.id).where(
            Programme.slug == "midlothian-recovery-pathways"))
        stages = db.session.scalars(select(Stage).join(Cycle).where(
            Cycle.number == 1, Stage.programme_id == programme_id).order_by(Stage.position)).all()
        assert [(s.kind, s.status) for s in stages] == [
            ("analyse", "open"), ("plan", "upcoming"), ("do", "upcoming"), ("review", "upcoming")]
    page = app.test_client().get("/programmes/midlothian-recovery-pathways")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cycle 1: Analyse is open" in html
    analyse = app.test_client().get("/programmes/midlothian-recovery-pathways/cycles/1/analyse")
    assert analyse.status_code == 200
    assert "Upcoming to Open" in analyse.get_data(as_text=True)


def test_the_database_refuses_a_second_current_stage(app, world):
    with app.app_context():
        plan = db.session.scalar(select(Stage).where(Stage.programme_id == world["programme_id"],
                                                     Stage.kind == "plan"))
        plan.status = "open"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert current_stages(app, world["programme_id"]) == 1


def test_submit_return_resubmit_sign_off(app, world, sign_in_as, smtp_server):
    coordinator = sign_in_as("coordinator@example.org")
    lead = sign_in_as("nhs.lead@example.org")

    empty = submit(coordinator, summary="   ")
    assert empty.status_code == 400
    assert "Enter a summary of what was done and decided" in empty.get_data(as_text=True)
    assert stage(app, "analyse").status == "open"

    done = submit(coordinator, summary="Eleven sessions; needs mapped.")
    assert done.status_code == 302 and done.headers["Location"] == P + "/cycles/1/analyse"
    assert stage(app, "analyse").status == "in_review"
    mail = smtp_server.to("nhs.lead@example.org")
    assert mail and "ready for your review" in mail[-1]["Subject"]
    assert "Eleven sessions; needs mapped." in smtp_server.body(mail[-1])

    missing = decide(lead, "return", reason="")
    assert missing.status_code == 400
    assert "Enter the reason for returning the stage" in missing.get_data(as_text=True)
    assert stage(app, "analyse").status == "in_review"

    returned = decide(lead, "return", reason="Say more about carers.")
    assert returned.status_code == 302
    assert stage(app, "analyse").status == "returned"
    assert "was returned" in smtp_server.to("coordinator@example.org")[-1]["Subject"]
    page = coordinator.get(P + "/cycles/1/analyse").get_data(as_text=True)
    assert "Say more about carers." in page and "Resubmit Analyse for review" in page

    assert submit(coordinator, summary="Now with carers.").status_code == 302
    signed = decide(lead, "sign-off", reason="Good.")
    assert signed.status_code == 302 and signed.headers["Location"] == P + "/cycles/1/plan"
    assert stage(app, "analyse").status == "signed_off"
    assert stage(app, "plan").status == "open"
    assert current_stages(app, world["programme_id"]) == 1
    assert "is signed off" in smtp_server.to("coordinator@example.org")[-1]["Subject"]

    analyse = stage(app, "analyse")
    history = transitions(app, analyse.id)
    assert [(f, t) for f, t, *_ in history] == [
        ("upcoming", "open"), ("open", "in_review"), ("in_review", "returned"),
        ("returned", "in_review"), ("in_review", "signed_off")]
    assert history[2][2] == world["user:nhs_lead"] and history[2][3] == "Say more about carers."
    assert history[3][2] == world["user:coordinator"] and history[3][3] == "Now with carers."
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry).where(
            AuditEntry.target_type == "Stage", AuditEntry.target_id == analyse.id)
            .order_by(AuditEntry.id)).all()
        assert [(e.details["from_status"], e.details["to_status"]) for e in logged][-4:] == [
            ("open", "in_review"), ("in_review", "returned"), ("returned", "in_review"),
            ("in_review", "signed_off")]
        assert logged[-2].details["reason"] == "Now with carers."


def test_only_the_right_people_move_a_stage(app, world, sign_in_as):
    lead = sign_in_as("nhs.lead@example.org")
    assert lead.get(P + "/cycles/1/analyse/submit").status_code == 403
    partner = sign_in_as("partner.member@example.org")
    assert partner.get(P + "/cycles/1/analyse/decide").status_code == 403
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.get("/programmes/review-programme/cycles/1/analyse/decide").status_code == 403
    assert stage(app, "analyse").status == "open"


def test_a_decision_on_a_page_opened_before_a_change_loses_and_keeps_the_text(app, world, sign_in_as,
                                                                              make_user):
    from psp.programmes.models import ProgrammeRole
    from tests.factories import PASSWORD

    second = make_user(email="second.lead@example.org", password=PASSWORD, factor=True)
    with app.app_context():
        db.session.add(ProgrammeRole(programme_id=world["programme_id"], user_id=second.id,
                                     role="nhs_lead"))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    submit(coordinator)
    first, other = sign_in_as("nhs.lead@example.org"), sign_in_as("second.lead@example.org")
    url = P + "/cycles/1/analyse/decide"
    version, token = version_on(first, url)  # the first lead opens the page ...
    assert decide(other, "return", reason="Not yet.").status_code == 302  # ... the other acts

    late = first.post(url, data={"csrf_token": token, "version": version, "decision": "sign-off",
                                 "reason": "My careful note about the stage."})
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "This stage changed since you opened it" in html
    assert "My careful note about the stage." in html
    assert "Not yet." in html  # the current state: who returned it and why
    assert stage(app, "analyse").status == "returned"
    assert [t for _, t, *_ in transitions(app, stage(app, "analyse").id)][-1] == "returned"


def test_a_stale_version_is_refused_even_when_the_status_matches_again(app, world, sign_in_as):
    coordinator, lead = sign_in_as("coordinator@example.org"), sign_in_as("nhs.lead@example.org")
    submit(coordinator)
    url = P + "/cycles/1/analyse/decide"
    old_version, token = version_on(lead, url)
    decide(lead, "return", reason="Fix it.")
    submit(coordinator, summary="Fixed.")  # in review again, at a newer version
    late = lead.post(url, data={"csrf_token": token, "version": old_version, "decision": "sign-off"})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "This stage changed since you opened it" in html
    assert 'name="decision"' in html  # still possible: offered again at the current version
    assert stage(app, "analyse").status == "in_review"


@pytest.mark.parametrize("data", [
    {"version": "abc", "decision": "sign-off"},
    {"version": "", "decision": "sign-off"},
    {"decision": "sign-off"},
    {"version": "1", "decision": "approve-everything"},
    {"version": "99999999999999999999", "decision": "return", "reason": "x"},
])
def test_tampered_review_forms_never_fail(app, world, sign_in_as, data):
    coordinator, lead = sign_in_as("coordinator@example.org"), sign_in_as("nhs.lead@example.org")
    submit(coordinator)
    url = P + "/cycles/1/analyse/decide"
    _, token = version_on(lead, url)
    response = lead.post(url, data={"csrf_token": token, **data})
    assert response.status_code in (400, 409)
    assert stage(app, "analyse").status == "in_review"


def test_review_needs_measures_and_a_reframed_need_then_opens_the_next_cycle(app, world, sign_in_as,
                                                                              smtp_server):
    coordinator, lead = sign_in_as("coordinator@example.org"), sign_in_as("nhs.lead@example.org")
    for kind in ("analyse", "plan", "do"):
        assert submit(coordinator, kind=kind).status_code == 302
        assert decide(lead, "sign-off", kind=kind).status_code == 302
    assert stage(app, "review").status == "open"

    refused = submit(coordinator, kind="review")
    assert refused.status_code == 400
    assert "Record a measure for every agreed outcome" in refused.get_data(as_text=True)
    assert "People feel involved" in refused.get_data(as_text=True)

    measure_url = P + f"/cycles/1/review/outcomes/{world['outcome']}"
    assert coordinator.forms.post(measure_url, {"measure": "", "note": ""}).status_code == 400
    assert coordinator.forms.post(measure_url, {"measure": "62% say they were involved",
                                                "note": "Survey of 140 people."}).status_code == 302
    assert coordinator.forms.post(measure_url, {"measure": "64% say they were involved",
                                                "note": ""}).status_code == 302
    still = submit(coordinator, kind="review")
    assert "Write the re-framed need" in still.get_data(as_text=True)
    assert coordinator.forms.post(P + "/cycles/1/review/need", {"need": ""}).status_code == 400
    assert coordinator.forms.post(P + "/cycles/1/review/need",
                                  {"need": "Support after discharge in the Borders."}).status_code == 302
    unreviewed = submit(coordinator, kind="review")
    assert unreviewed.status_code == 400
    assert "Finish the engagement review against the National Standards" in unreviewed.get_data(as_text=True)
    finish_review(coordinator, by_hand=[world["indicator_by_hand"]])
    assert submit(coordinator, kind="review").status_code == 302
    signed = decide(lead, "sign-off", kind="review")
    assert signed.headers["Location"] == P + "/cycles/2/analyse"

    with app.app_context():
        cycles = db.session.scalars(select(Cycle).where(Cycle.programme_id == world["programme_id"])
                                    .order_by(Cycle.number)).all()
        assert [c.number for c in cycles] == [1, 2]
        assert cycles[0].closed_at is not None and cycles[1].closed_at is None
        assert cycles[1].need == "Support after discharge in the Borders."
        measures = db.session.scalars(select(OutcomeMeasure)).all()
        assert [m.measure for m in measures] == ["64% say they were involved"]
    assert stage(app, "analyse", number=2).status == "open"
    assert current_stages(app, world["programme_id"]) == 1
    dashboard = app.test_client().get(P).get_data(as_text=True)
    assert "Cycle 2: Analyse is open" in dashboard
    assert "64% say they were involved" in dashboard
    assert "Support after discharge in the Borders." in dashboard
    assert "Cycle 1 (closed" in dashboard


# What a stage holds ---------------------------------------------------------------

@pytest.fixture
def at_plan(app, world):
    """The test programme with Analyse signed off and Plan open, where actions are designed."""
    with app.app_context():
        move_to(world["programme_id"], "plan")
    return world


def test_coordinator_adds_and_edits_an_action(app, at_plan, sign_in_as):
    world = at_plan
    coordinator = sign_in_as("coordinator@example.org")
    url = P + "/cycles/1/plan/actions/new"
    bad = coordinator.forms.post(url, {"title": "Hold a session in Penicuik",
                                       "organisation": str(world["org_id:partner"]),
                                       "due_on": ["31", "2", "2027"]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Due date must be a real date" in html
    assert 'value="Hold a session in Penicuik"' in html and 'value="31"' in html
    ok = coordinator.forms.post(url, {"title": "Hold a session in Penicuik",
                                      "organisation": str(world["org_id:partner"]),
                                      "due_on": ["28", "2", "2027"]})
    assert ok.status_code == 302
    plan = stage(app, "plan", slug_id=world["programme_id"])
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.title == "Hold a session in Penicuik"))
        assert action.due_on == date(2027, 2, 28) and action.status == "planned"
        assert (action.cycle_id, action.planned_in_id) == (plan.cycle_id, plan.id)
        action_id = action.id
    edit = coordinator.forms.post(P + f"/actions/{action_id}/edit", {
        "title": "Hold two sessions in Penicuik", "organisation": str(world["org_id:interface"]),
        "due_on": ["1", "3", "2027"]})
    assert edit.status_code == 302
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert (action.title, action.organisation_id) == ("Hold two sessions in Penicuik",
                                                          world["org_id:interface"])


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Enter what is to be done"),
    ("title", "x" * 301, "300 characters or fewer"),
    ("title", "Nul\x00byte", "Remove the invisible control characters"),
    ("organisation", "", "Select the organisation that owns the action"),
    ("organisation", "not-a-number", "Not a valid choice"),
    ("due_on", ["", "", ""], "Enter the due date"),
    ("due_on", ["12", "", "2027"], "Due date must include a month"),
    ("due_on", ["1", "2"], "Due date must include a year"),
    ("due_on", ["1", "2", "2027", "9"], None),
    ("due_on", ["a", "b", "c"], "Due date must be a real date"),
    ("due_on", ["1", "1", "1850"], "Due date must be between the years 2000 and 2100"),
    ("due_on", ["1", "1", "27"], "Due date must be a real date"),
])
def test_action_form_refuses_bad_input(app, at_plan, sign_in_as, field, value, message):
    world = at_plan
    coordinator = sign_in_as("coordinator@example.org")
    data = {"title": "Valid title", "organisation": str(world["org_id:partner"]),
            "due_on": ["1", "6", "2027"], field: value}
    response = coordinator.forms.post(P + "/cycles/1/plan/actions/new", data)
    if message is None:  # four date boxes: the first three are read, and it saves
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "There is a problem" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Action.id).where(Action.title == "Valid title")) is None


def test_an_action_owner_must_take_part_in_the_programme(app, at_plan, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    response = coordinator.forms.post(P + "/cycles/1/plan/actions/new", {
        "title": "Valid title", "organisation": str(at_plan["org_id:other"]), "due_on": ["1", "6", "2027"]})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["analyse", "review"])
def test_analyse_and_review_hold_no_new_actions(app, world, sign_in_as, kind):
    """Actions are designed at Plan and added at Do; Analyse identifies need, Review evaluates."""
    if kind == "review":
        with app.app_context():
            move_to(world["programme_id"], "review")
    coordinator = sign_in_as("coordinator@example.org")
    url = P + f"/cycles/1/{kind}/actions/new"
    page = coordinator.get(url)
    assert page.status_code == 409
    assert "Actions are planned at Plan and can be added at Do" in page.get_data(as_text=True)
    late = coordinator.forms.post(url, {"title": "Not here", "organisation": str(world["org_id:partner"]),
                                        "due_on": ["1", "6", "2027"]})
    assert late.status_code == 409
    assert 'value="Not here"' in late.get_data(as_text=True)
    assert "Add an action" not in coordinator.get(P + f"/cycles/1/{kind}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Action.id).where(Action.title == "Not here")) is None


def test_nothing_changes_while_a_stage_is_in_review(app, at_plan, sign_in_as):
    world = at_plan
    coordinator = sign_in_as("coordinator@example.org")
    add = P + "/cycles/1/plan/actions/new"
    page = coordinator.get(add).get_data(as_text=True)  # opened before it went into review
    from tests.conftest import csrf_from

    token = csrf_from(page)
    submit(coordinator, kind="plan")
    late = coordinator.post(add, data={"csrf_token": token, "title": "Late action",
                                       "organisation": str(world["org_id:partner"]),
                                       "due_on": ["1", "6", "2027"]})
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Plan of cycle 1 is in review." in html
    assert 'value="Late action"' in html
    partner = sign_in_as("partner.member@example.org")
    status = partner.forms.post(P + f"/actions/{world['action']}/status", {"status": "done"})
    assert status.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Action.id).where(Action.title == "Late action")) is None
        assert db.session.get(Action, world["action"]).status == "planned"


def test_owning_organisation_updates_status_with_a_reason_when_blocked(app, at_plan, sign_in_as):
    world = at_plan
    partner = sign_in_as("partner.member@example.org")
    url = P + f"/actions/{world['action']}/status"
    blocked = partner.forms.post(url, {"status": "blocked", "blocked_reason": ""})
    assert blocked.status_code == 400
    assert "Enter what is blocking the action" in blocked.get_data(as_text=True)
    assert partner.forms.post(url, {"status": "blocked", "blocked_reason": "No venue."}).status_code == 302
    page = app.test_client().get(P + "/cycles/1/plan").get_data(as_text=True)
    assert "Blocked: No venue." in page
    assert partner.forms.post(url, {"status": "done", "blocked_reason": "ignored",
                                    "result": "Forty services mapped."}).status_code == 302
    with app.app_context():
        action = db.session.get(Action, world["action"])
        assert (action.status, action.blocked_reason, action.result) == ("done", "", "Forty services mapped.")
        changes = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "action.status_changed").order_by(AuditEntry.id)).all()
        assert [(c.details["from_status"], c.details["to_status"]) for c in changes] == [
            ("planned", "blocked"), ("blocked", "done")]
    assert partner.forms.post(url, {"status": "finished"}).status_code == 400
    too_long = partner.forms.post(url, {"status": "done", "result": "x" * 4001})
    assert too_long.status_code == 400 and "4,000 characters or fewer" in too_long.get_data(as_text=True)
    other = sign_in_as("other.member@example.org")
    assert other.get(url).status_code == 403


def test_progress_is_counted_from_actions(app, at_plan, sign_in_as):
    world = at_plan
    plan = stage(app, "plan", slug_id=world["programme_id"])
    with app.app_context():
        for n, status in enumerate(["done", "done", "in_progress"]):
            db.session.add(Action(cycle_id=plan.cycle_id, planned_in_id=plan.id,
                                  organisation_id=world["org_id:partner"],
                                  title=f"Extra {n}", due_on=date(2027, 1, 1), status=status))
        db.session.commit()
    html = app.test_client().get(P).get_data(as_text=True)
    assert "Progress of Plan" in html
    assert "2 of 4 actions done" in html and "(50%)" in html and "1 in progress" in html
    assert "1 not started" in html


def test_actions_planned_at_plan_are_delivered_at_do_and_looked_at_in_review(app, at_plan, sign_in_as):
    """The same action from Plan to Do to Review: it travels with its cycle, its owner keeps
    updating it through Do, the views it was shaped by stay linked, and Review shows its result."""
    from psp.contributions.models import ContributionAction

    world = at_plan
    with app.app_context():
        db.session.add(ContributionAction(contribution_id=world["view_answered"], action_id=world["action"]))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    lead = sign_in_as("nhs.lead@example.org")
    partner = sign_in_as("partner.member@example.org")
    assert partner.forms.post(P + f"/actions/{world['action']}/status",
                              {"status": "in_progress"}).status_code == 302
    assert submit(coordinator, kind="plan").status_code == 302
    assert decide(lead, "sign-off", kind="plan").status_code == 302

    do_page = app.test_client().get(P + "/cycles/1/do").get_data(as_text=True)
    assert "Actions being delivered" in do_page and "Map services" in do_page
    assert "0 of 1 action done" in do_page and "1 in progress" in do_page
    assert "Shaped by the view" in do_page and "Shared and answered" in do_page
    dashboard = app.test_client().get(P).get_data(as_text=True)
    assert "Progress of Do" in dashboard and "0 of 1 action done" in dashboard
    assert "No actions yet" not in dashboard

    mine = partner.get("/my").get_data(as_text=True)
    assert "Map services" in mine and f"/actions/{world['action']}/status" in mine
    assert partner.forms.post(P + f"/actions/{world['action']}/status",
                              {"status": "done", "result": "Forty services mapped."}).status_code == 302
    gap = coordinator.forms.post(P + "/cycles/1/do/actions/new", {
        "title": "Reach people in Midlothian", "organisation": str(world["org_id:partner"]),
        "due_on": ["1", "6", "2027"]})
    assert gap.status_code == 302
    do_page = app.test_client().get(P + "/cycles/1/do").get_data(as_text=True)
    assert "1 of 2 actions done" in do_page and "Added at Do" in do_page
    plan_page = app.test_client().get(P + "/cycles/1/plan").get_data(as_text=True)
    assert "Map services" in plan_page and "Reach people in Midlothian" not in plan_page

    assert submit(coordinator, kind="do").status_code == 302
    assert decide(lead, "sign-off", kind="do").status_code == 302
    review = app.test_client().get(P + "/cycles/1/review").get_data(as_text=True)
    assert "What the actions achieved" in review
    assert "Result: Forty services mapped." in review and "No result recorded." in review
    assert review.index("Outcomes measured at this Review") < review.index("What the actions achieved")
    late = partner.forms.post(P + f"/actions/{world['action']}/status", {"status": "blocked",
                                                                         "blocked_reason": "Late"})
    assert late.status_code == 409
    view = app.test_client().get(f"/views/{world['view_answered']}").get_data(as_text=True)
    assert f"/cycles/1/do#action-{world['action']}" in view
    with app.app_context():
        action = db.session.get(Action, world["action"])
        assert (action.status, action.result) == ("done", "Forty services mapped.")
        assert db.session.scalar(select(ContributionAction.action_id).where(
            ContributionAction.contribution_id == world["view_answered"])) == world["action"]


def test_actions_of_a_closed_cycle_stay_where_they_were(app, at_plan, sign_in_as):
    """Once Review is signed off, the next cycle's Do starts empty and old actions leave Your work."""
    world = at_plan
    with app.app_context():
        move_to(world["programme_id"], "review")
        db.session.get(Cycle, stage(app, "plan", slug_id=world["programme_id"]).cycle_id).closed_at = utcnow()
        db.session.commit()
    partner = sign_in_as("partner.member@example.org")
    assert "Map services" not in partner.get("/my").get_data(as_text=True)
    assert "Map services" in app.test_client().get(P + "/cycles/1/review").get_data(as_text=True)


def test_partner_only_decisions_and_questions(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.forms.post(P + "/cycles/1/analyse/decisions/new", {
        "title": "Fund a pilot quietly", "detail": "", "partners_only": "y"}).status_code == 302
    assert coordinator.forms.post(P + "/cycles/1/analyse/questions/new", {
        "text": "Who could host a pilot?", "detail": "", "partners_only": "y"}).status_code == 302
    assert coordinator.forms.post(P + "/cycles/1/analyse/questions/new", {
        "text": "", "detail": ""}).status_code == 400
    for email, sees in [("partner.member@example.org", True), ("nhs.lead@example.org", True),
                        ("other.member@example.org", False), (None, False)]:
        client = sign_in_as(email) if email else app.test_client()
        stage_page = client.get(P + "/cycles/1/analyse").get_data(as_text=True)
        dashboard = client.get(P).get_data(as_text=True)
        assert ("Fund a pilot quietly" in stage_page) is sees, email
        assert ("Who could host a pilot?" in stage_page) is sees, email
        assert ("Who could host a pilot?" in dashboard) is sees, email
        assert "What gets in the way?" in dashboard  # the public question, for everyone
    with app.app_context():
        decision_id = db.session.scalar(select(Decision.id).where(Decision.title == "Fund a pilot quietly"))
        question_id = db.session.scalar(select(Question.id).where(Question.text == "Who could host a pilot?"))
    assert coordinator.forms.post(P + f"/decisions/{decision_id}/edit", {
        "title": "Fund a pilot", "detail": "Agreed by the board."}).status_code == 302
    assert "Fund a pilot" in app.test_client().get(P + "/cycles/1/analyse").get_data(as_text=True)
    too_long = coordinator.forms.post(P + f"/questions/{question_id}/edit", {"text": "x" * 501})
    assert too_long.status_code == 400


def test_planned_dates(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    url = P + "/cycles/1/plan/dates"
    wrong = coordinator.forms.post(url, {"planned_start": ["1", "5", "2027"],
                                         "planned_end": ["1", "4", "2027"]})
    assert wrong.status_code == 400
    assert "Planned end must be the same as or after the planned start" in wrong.get_data(as_text=True)
    assert coordinator.forms.post(url, {"planned_start": ["1", "4", "2027"],
                                        "planned_end": ["30", "6", "2027"]}).status_code == 302
    assert "1 April 2027 to 30 June 2027" in app.test_client().get(P).get_data(as_text=True)
    assert coordinator.forms.post(url, {"planned_start": ["", "", ""],
                                        "planned_end": ["", "", ""]}).status_code == 302
    assert stage(app, "plan").planned_start is None


def test_stage_pages_that_do_not_exist(app, world):
    client = app.test_client()
    assert client.get(P + "/cycles/2/analyse").status_code == 404
    assert client.get(P + "/cycles/1/evaluate").status_code == 404
    assert client.get("/programmes/no-such-programme/cycles/1/analyse").status_code == 404
    assert client.get(P + "/cycles/99999999999999999999/plan").status_code == 404


# What waits for a person ------------------------------------------------------------

def test_my_work(app, at_plan, sign_in_as):
    from psp.contributions.models import Contribution
    from psp.meetings.models import Booking, Meeting

    world = at_plan
    plan = stage(app, "plan", slug_id=world["programme_id"])
    with app.app_context():
        today = utcnow().date()

        def action(title, due_on, status="planned"):
            return Action(cycle_id=plan.cycle_id, planned_in_id=plan.id,
                          organisation_id=world["org_id:partner"], title=title, due_on=due_on, status=status)

        db.session.add_all([
            action("Overdue thing", today - timedelta(days=3)),
            action("Soon thing", today + timedelta(days=5)),
            action("Finished thing", today, "done"), action("Far thing", today + timedelta(days=60)),
            Question(stage_id=plan.id, text="Who is missing from the plan?", detail=""),
            Question(stage_id=plan.id, text="Answered already?", detail=""),
        ])
        db.session.flush()
        answered = db.session.scalar(select(Question.id).where(Question.text == "Answered already?"))
        db.session.add(Contribution(programme_id=world["programme_id"], stage_id=plan.id,
                                    question_id=answered, organisation_id=world["org_id:partner"],
                                    title="Our answer", body="Yes.", status="received",
                                    submitted_at=utcnow()))
        soon = utcnow().replace(microsecond=0) + timedelta(days=3)
        far = Meeting(programme_id=world["programme_id"], title="Far meeting",
                      starts_at=soon + timedelta(days=30), ends_at=soon + timedelta(days=30, hours=1),
                      audience="partners")
        near = Meeting(programme_id=world["programme_id"], title="Near meeting", starts_at=soon,
                       ends_at=soon + timedelta(hours=1), audience="partners")
        db.session.add_all([far, near])
        db.session.flush()
        me = world["user:partner_member"]
        db.session.add_all([Booking(meeting_id=far.id, user_id=me, status="booked"),
                            Booking(meeting_id=near.id, user_id=me, status="waiting")])
        db.session.commit()
    partner = sign_in_as("partner.member@example.org").get("/my").get_data(as_text=True)
    for shown in ("Overdue thing", "Soon thing", "Far thing", "Map services", "Overdue"):
        assert shown in partner, shown
    assert "Finished thing" not in partner
    assert partner.index("Overdue thing") < partner.index("Soon thing") < partner.index("Far thing")
    assert f"/programmes/test-programme/actions/{world['action']}/status" in partner
    assert "Who is missing from the plan?" in partner and "Answered already?" not in partner
    assert "Partners&#39; workshop" in partner and "You have a place" in partner  # the world's booking
    assert "Near meeting" in partner and "On the waiting list" in partner and "Far meeting" not in partner
    assert "Your draft views" in partner and "Still a draft" in partner
    assert f"/views/{world['view_draft']}/edit" in partner
    other = sign_in_as("other.member@example.org").get("/my").get_data(as_text=True)
    assert "Nothing is waiting for you." in other

    lead = sign_in_as("nhs.lead@example.org").get("/my").get_data(as_text=True)
    assert "Stages to review" in lead and "Review programme: Analyse, cycle 1" in lead
    assert "Questions your organisation has not answered" not in lead
    coordinator = sign_in_as("coordinator@example.org")
    assert "Stages returned to you" not in coordinator.get("/my").get_data(as_text=True)
    lead_client = sign_in_as("nhs.lead@example.org")
    decide(lead_client, "return", reason="More please.", slug="review-programme")
    mine = coordinator.get("/my").get_data(as_text=True)
    assert "Stages returned to you" in mine and "Review programme: Analyse, cycle 1" in mine
    assert app.test_client().get("/my").status_code == 302


def test_updating_an_action_is_two_clicks_from_my_work(app, at_plan, sign_in_as):
    """Follow the link on Your work, submit the form: the action changes and the person lands on it."""
    import re

    world = at_plan
    partner = sign_in_as("partner.member@example.org")
    mine = partner.get("/my").get_data(as_text=True)
    link = re.search(r'href="([^"]+/status)"', mine).group(1)
    response = partner.forms.post(link, {"status": "in_progress"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cycles/1/plan")
    with app.app_context():
        assert db.session.get(Action, world["action"]).status == "in_progress"


def test_optional_boxes_left_out_of_the_post_are_stored_empty(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.forms.post(P + "/cycles/1/analyse/decisions/new",
                                  {"title": "Only a title"}).status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.title == "Only a title"))
        assert (decision.detail, decision.partners_only) == ("", False)
