"""Helpers for cycle tests: read the stage back, walk a stage through its transitions."""

from sqlalchemy import func, select

from psp.cycles.models import Cycle, Stage, StageTransition
from psp.extensions import db
from tests.conftest import csrf_from

P = "/programmes/test-programme"


def stage(app, kind, number=1, slug_id=None):
    with app.app_context():
        query = select(Stage).join(Cycle, Cycle.id == Stage.cycle_id).where(
            Cycle.number == number, Stage.kind == kind)
        if slug_id is not None:
            query = query.where(Stage.programme_id == slug_id)
        found = db.session.scalars(query.order_by(Stage.id)).first()
        db.session.expunge_all()
        return found


def current_stages(app, programme_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Stage).where(
            Stage.programme_id == programme_id, Stage.status.in_(("open", "in_review", "returned"))))


def transitions(app, stage_id):
    with app.app_context():
        rows = db.session.scalars(select(StageTransition).where(StageTransition.stage_id == stage_id)
                                  .order_by(StageTransition.id)).all()
        return [(t.from_status, t.to_status, t.actor_id, t.reason) for t in rows]


def version_on(client, url):
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1), csrf_from(html)


def submit(client, kind="analyse", summary="What we did.", number=1, slug="test-programme"):
    url = f"/programmes/{slug}/cycles/{number}/{kind}/submit"
    version, token = version_on(client, url)
    return client.post(url, data={"csrf_token": token, "version": version, "summary": summary})


def decide(client, decision, reason="", kind="analyse", number=1, slug="test-programme"):
    url = f"/programmes/{slug}/cycles/{number}/{kind}/decide"
    version, token = version_on(client, url)
    return client.post(url, data={"csrf_token": token, "version": version, "decision": decision,
                                  "reason": reason})
