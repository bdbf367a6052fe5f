"""The dashboard, stage pages and /my run the same number of queries at 5 and at 5,000 actions."""

from datetime import date, timedelta

from sqlalchemy import insert, select

from psp.cycles.models import Action, Decision, Question, Stage
from psp.extensions import db
from psp.timeutil import utcnow
from tests.cycles.helpers import P
from tests.factories import move_to


def _add_actions(app, world, count, start):
    with app.app_context():
        plan, cycle = db.session.execute(select(Stage.id, Stage.cycle_id).where(
            Stage.programme_id == world["programme_id"], Stage.kind == "plan")).one()
        do = db.session.scalar(select(Stage.id).where(Stage.programme_id == world["programme_id"],
                                                      Stage.kind == "do"))
        owners = [world["org_id:partner"], world["org_id:interface"], world["org_id:public_body"]]
        statuses = ["planned", "in_progress", "done", "blocked"]
        soon = utcnow().date()
        db.session.execute(insert(Action), [
            {"cycle_id": cycle, "planned_in_id": plan if n % 5 else do, "organisation_id": owners[n % 3],
             "title": f"Action {n}", "result": "What came of it." if n % 3 else "",
             "due_on": soon + timedelta(days=n % 20) if n % 2 else date(2027, 1, 1),
             "status": statuses[n % 4], "blocked_reason": "Waiting." if n % 4 == 3 else "",
             "created_at": utcnow(), "updated_at": utcnow()}
            for n in range(start, start + count)])
        db.session.execute(insert(Decision), [
            {"stage_id": do, "title": f"Decision {n}", "detail": "", "partners_only": n % 2 == 0,
             "created_at": utcnow()} for n in range(start, start + 3)])
        db.session.execute(insert(Question), [
            {"stage_id": do, "text": f"Question {n}", "detail": "", "partners_only": n % 2 == 0,
             "created_at": utcnow()} for n in range(start, start + 3)])
        db.session.commit()


def _measure(count_queries, client, path):
    response, queries = count_queries(lambda: client.get(path))
    assert response.status_code == 200, path
    return queries


PAGES = [P, P + "/cycles/1/analyse", P + "/cycles/1/plan", P + "/cycles/1/do", P + "/cycles/1/review", "/my"]


def test_queries_do_not_grow_with_actions(app, world, sign_in_as, count_queries):
    with app.app_context():
        move_to(world["programme_id"], "do")
    clients = {"anonymous": app.test_client(), "partner": sign_in_as("partner.member@example.org"),
               "coordinator": sign_in_as("coordinator@example.org")}
    _add_actions(app, world, 4, 0)  # with the world's own action: 5
    small = {(who, path): _measure(count_queries, client, path)
             for who, client in clients.items() for path in PAGES if who != "anonymous" or path != "/my"}
    _add_actions(app, world, 4995, 4)
    with app.app_context():
        assert db.session.query(Action).count() == 5000
    large = {(who, path): _measure(count_queries, client, path)
             for who, client in clients.items() for path in PAGES if who != "anonymous" or path != "/my"}
    assert small == large
    # The dashboard also shows views (2 queries) and updates (1) since issues #6 and #7; the dashboard and
    # stage pages with actions read which partners may bid (1) since the register of interests (#15).
    # Since kept pages (#20) every page reads the data version (1) first, and a stage page drawn for a
    # coordinator or NHS lead reads their declarations for its audience key (1).
    assert max(large.values()) <= 25, large
    deep = P + "/cycles/1/do?page=250"
    assert _measure(count_queries, clients["partner"], deep) == large[("partner", P + "/cycles/1/do")]
    page = clients["partner"].get("/my").get_data(as_text=True)
    assert page.count('class="govuk-table__row"') == 21  # a header and a page of 20
