"""Every computed figure against data built for it, and an empty cycle (no data yet, no division by
zero); the review page and report run the same number of queries at two sizes. Each test runs on
SQLite, and on PostgreSQL when PSP_TEST_DATABASE_URL is set."""

from datetime import timedelta

from sqlalchemy import insert, select

from psp import builders
from psp.contributions.models import Contribution, ContributionAction, ContributionCommunity
from psp.cycles.models import Action, Cycle, OutcomeMeasure, Stage
from psp.cycles.services import start_cycle
from psp.documents.models import FormatRequest
from psp.engagement import evidence
from psp.engagement.models import EngagementAssessment, EngagementReview, PartnerRating
from psp.engagement.services import scope
from psp.extensions import db
from psp.programmes.models import Programme
from psp.timeutil import utcnow
from tests.factories import organisation, stored_document


def _stage(programme_id, kind, number=1):
    return db.session.scalar(select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
        Stage.programme_id == programme_id, Stage.kind == kind, Cycle.number == number))


def _build(world):
    """A programme over two areas with the world's leads; a cycle with views, meetings, bookings,
    format requests, actions and outcome measures chosen to give every figure a known value."""
    here = db.session.get(Programme, world["programme_id"])
    pilot = builders.programme("evidence-programme", title="Evidence", summary=".",
                               areas=["city-of-edinburgh", "midlothian"], lead_body_id=here.lead_body_id,
                               lead_interface_id=here.lead_interface_id)
    first = organisation("Edinburgh First", areas=("city-of-edinburgh",))
    second = organisation("Midlothian Second", areas=("midlothian",))
    db.session.add_all([pilot, first, second])
    db.session.flush()
    start_cycle(pilot.id, 1)
    outcomes = [builders.outcome(pilot.id, 1, "One"), builders.outcome(pilot.id, 2, "Two")]
    db.session.add_all(outcomes)
    db.session.flush()
    analyse, plan, review = (_stage(pilot.id, k) for k in ("analyse", "plan", "review"))
    now = utcnow()
    leads = here.lead_interface_id

    def view(org, status, days=None, **fields):
        given = now - timedelta(days=60)
        row = builders.view(pilot.id, analyse.id, org, f"View {status} {days}", status=status,
                            submitted_at=given if status != "draft" else None,
                            answered_at=given + timedelta(days=days) if days is not None else None, **fields)
        db.session.add(row)
        db.session.flush()
        return row

    linked = view(first.id, "taken_forward", 10)                 # in time, taken, linked
    view(second.id, "taken_forward", 40)                         # late, taken, not linked
    view(first.id, "received")                                   # waiting: not in time
    view(leads, "not_taken_forward", 5, source="paper", giver="group", group_name="Ward forum",
         given_on=now.date())                                    # recorded, in time
    view(second.id, "draft")                                     # not counted anywhere
    db.session.add_all([ContributionCommunity(contribution_id=linked.id, community="service-users"),
                        ContributionCommunity(contribution_id=linked.id + 1, community="staff")])
    past, future = now - timedelta(days=5), now + timedelta(days=5)
    meetings = [builders.meeting(pilot.id, "Agreed", past, stage_id=plan.id, minutes_state="agreed",
                                 minutes_published_at=now, minutes="Agreed minutes."),
                builders.meeting(pilot.id, "Held", past, stage_id=plan.id),
                builders.meeting(pilot.id, "Cancelled", past, stage_id=plan.id, status="cancelled"),
                builders.meeting(pilot.id, "To come", future, stage_id=plan.id)]
    db.session.add_all(meetings)
    db.session.flush()
    users = [world[f"user:{k}"] for k in ("partner_member", "other_member", "organisation_admin",
                                         "coordinator")]
    db.session.add_all([
        builders.booking(meetings[0].id, users[0], organisation_id=first.id, access_needs="bsl",
                         attended=True),
        builders.booking(meetings[0].id, users[1], organisation_id=second.id, access_needs="step-free",
                         attended=False),
        builders.booking(meetings[1].id, users[2], attended=True),
        builders.booking(meetings[1].id, users[3], organisation_id=leads, access_needs="dietary",
                         status="waiting"),
        builders.booking(meetings[2].id, users[0], access_needs="bsl"),           # cancelled meeting
        builders.booking(meetings[3].id, users[1], access_needs="bsl"),           # not held yet
    ])
    document = stored_document(pilot.id, "Paper", meeting_id=meetings[0].id)
    db.session.add(document)
    db.session.flush()
    cycle = db.session.get(Cycle, analyse.cycle_id)
    cycle.opened_at = now - timedelta(days=90)
    db.session.add_all([
        FormatRequest(programme_id=pilot.id, document_id=document.id, requester_id=users[0], format="bsl",
                      status="sent", created_at=now - timedelta(days=3)),
        FormatRequest(programme_id=pilot.id, document_id=document.id, requester_id=users[1], format="audio",
                      created_at=now - timedelta(days=2)),
        FormatRequest(programme_id=pilot.id, document_id=document.id, requester_id=users[2], format="audio",
                      created_at=now - timedelta(days=200)),                      # before the cycle
    ])
    actions = [builders.action(cycle.id, plan.id, first.id, "Done by a partner", now.date(), status="done"),
               builders.action(cycle.id, plan.id, second.id, "Planned by a partner", now.date()),
               builders.action(cycle.id, plan.id, leads, "Done by a lead", now.date(), status="done")]
    db.session.add_all(actions)
    db.session.flush()
    db.session.add_all([ContributionAction(contribution_id=linked.id, action_id=actions[0].id),
                        OutcomeMeasure(outcome_id=outcomes[0].id, stage_id=review.id, measure="Up")])
    db.session.commit()
    return pilot


EXPECTED = {   # key: (count, of, shown)
    "organisations": (2, 0, "2"),
    "areas-covered": (2, 2, "100% (2 of 2)"),
    "communities-heard": (2, 5, "40% (2 of 5)"),
    "access-needs-met": (1, 2, "50% (1 of 2)"),
    "formats-sent": (1, 2, "50% (1 of 2)"),
    "attendance": (2, 3, "67% (2 of 3)"),
    "partner-actions": (2, 3, "67% (2 of 3)"),
    "meetings-held": (2, 0, "2"),
    "views-given": (4, 0, "4"),
    "views-recorded": (1, 0, "1"),
    "answered-in-time": (2, 4, "50% (2 of 4)"),
    "minutes-agreed": (1, 2, "50% (1 of 2)"),
    "views-linked": (1, 2, "50% (1 of 2)"),
    "actions-done": (2, 3, "67% (2 of 3)"),
    "outcomes-measured": (1, 2, "50% (1 of 2)"),
}


def test_every_figure_from_data_built_for_it(app, world):
    with app.test_request_context():
        pilot = _build(world)
        found = evidence.compute(pilot, *_cycle(pilot))
    got = {f.key: (f.count, f.of if f.kind == evidence.SHARE else 0, f.shown) for f in found.figures}
    assert got == EXPECTED
    assert set(got) == set(evidence.MEASURES)
    assert all(f.how.endswith((".", ").")) and f.link for f in found.figures)


def _cycle(programme, number=1):
    found = scope(programme, number)
    return found.cycle, found.stages


def test_an_empty_cycle_has_no_data_yet_and_divides_by_nothing(app, world):
    with app.test_request_context():
        here = db.session.get(Programme, world["programme_id"])
        empty = builders.programme("empty-programme", title="Empty", summary=".", areas=[],
                                   lead_body_id=here.lead_body_id, lead_interface_id=here.lead_interface_id)
        db.session.add(empty)
        db.session.flush()
        start_cycle(empty.id, 1)
        db.session.commit()
        found = evidence.compute(empty, *_cycle(empty))
    for figure in found.figures:
        if figure.kind == evidence.SHARE and figure.key != "communities-heard":
            assert (figure.value, figure.shown) == (None, "No data yet"), figure.key
        elif figure.kind == evidence.COUNT:
            assert (figure.value, figure.shown) == (0, "0"), figure.key
    assert found.get("communities-heard").shown == "0% (0 of 5)"


def test_the_report_and_review_pages_show_the_figures(app, world, sign_in_as):
    with app.app_context():
        _build(world)
        coordinator_id = world["user:coordinator"]
        pilot = db.session.scalar(select(Programme).where(Programme.slug == "evidence-programme"))
        db.session.add(builders.role(pilot.id, coordinator_id, "coordinator"))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    for path in ("/programmes/evidence-programme/cycles/1/engagement-review",
                 "/programmes/evidence-programme/cycles/1/engagement-report"):
        page = coordinator.get(path)
        text = page.get_data(as_text=True)
        page.close()
        assert page.status_code == 200
        for _key, (_count, _of, shown) in EXPECTED.items():
            assert shown in text, (path, shown)
    csv = coordinator.get("/programmes/evidence-programme/cycles/1/engagement-report.csv")
    assert "Evidence,Support,Booked places with access needs whose holder came,50,1,2" in csv.get_data(
        as_text=True)
    csv.close()


def _grow(app, world, views, start):
    """Many more views (with communities) and actions on the evidence programme's cycle."""
    with app.app_context():
        pilot = db.session.scalar(select(Programme).where(Programme.slug == "evidence-programme"))
        analyse, plan = _stage(pilot.id, "analyse"), _stage(pilot.id, "plan")
        orgs = [world["org_id:partner"], world["org_id:other"]]
        now = utcnow()
        db.session.execute(insert(Contribution), [builders.view_values(
            pilot.id, analyse.id, orgs[n % 2], f"Grown {n}", status="taken_forward", answered_at=now)
            for n in range(start, start + views)])
        db.session.execute(insert(Action), [builders.action_values(
            analyse.cycle_id, plan.id, orgs[n % 2], f"Grown {n}", now.date())
            for n in range(start, start + views)])
        grown = db.session.scalars(select(Contribution.id).where(Contribution.title.startswith("Grown"))
                                   .order_by(Contribution.id)).all()
        db.session.execute(insert(ContributionCommunity), [
            {"contribution_id": c, "community": "residents" if c % 2 else "staff"} for c in grown[start:]])
        db.session.commit()


def test_review_page_and_report_run_a_fixed_number_of_queries(app, world, sign_in_as, count_queries):
    with app.app_context():
        _build(world)
        pilot = db.session.scalar(select(Programme).where(Programme.slug == "evidence-programme"))
        db.session.add_all([builders.role(pilot.id, world["user:coordinator"], "coordinator"),
                            builders.participation(pilot.id, world["org_id:partner"])])
        review = EngagementReview(programme_id=pilot.id, cycle_id=_stage(pilot.id, "review").cycle_id)
        db.session.add(review)
        db.session.flush()
        db.session.add_all([
            EngagementAssessment(review_id=review.id, standard="impact", rating="met", learnt="Much."),
            PartnerRating(review_id=review.id, standard="impact", organisation_id=world["org_id:partner"],
                          rating="partly-met", comment="Some.")])
        db.session.commit()
    clients = {"coordinator": sign_in_as("coordinator@example.org"),
               "partner": sign_in_as("partner.member@example.org")}
    paths = ["/programmes/evidence-programme/cycles/1/engagement-review",
             "/programmes/evidence-programme/cycles/1/engagement-report",
             "/programmes/evidence-programme/cycles/1/analyse"]

    def measure():
        counted = {}
        for who, client in clients.items():
            for path in paths:
                response, queries = count_queries(lambda client=client, path=path: client.get(path))
                assert response.status_code == 200, (who, path)
                response.close()
                counted[who, path] = queries
        return counted

    _grow(app, world, 10, 0)
    small = measure()
    _grow(app, world, 1000, 10)
    large = measure()
    assert small == large
    print("engagement query counts", large)
