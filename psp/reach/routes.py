from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from psp import policy
from psp.cycles.services import all_stages
from psp.extensions import db
from psp.programmes.models import Programme
from psp.reach import bp, services


@bp.get("/programmes/<slug>/reach")
@login_required
def report(slug):
    programme = db.first_or_404(select(Programme).where(Programme.slug == slug))
    policy.require(policy.can_see_reach(current_user, programme))
    stages = all_stages(programme)
    raw = request.args.get("stage", "")
    stage = None
    if raw:
        stage = next((s for s in stages if str(s.id) == raw), None)
        if stage is None:
            abort(404)
    found = services.report(programme, stage)
    charts = {
        "areas": services.bars([(r.label, r.any) for r in found.areas]),
        "kinds": services.bars([(r.label, r.any) for r in found.kinds]),
        "communities": services.bars([(label, views) for _, label, views in found.communities]),
    }
    return render_template("reach/report.html", programme=programme, stages=stages, stage=stage, report=found,
                           charts=charts, activities=services.ACTIVITIES)
