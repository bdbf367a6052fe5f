from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.cycles.services import all_stages
from psp.loaders import programme_or_404
from psp.reach import bp, services


def _scope(slug):
    """The programme, its stages and the stage chosen in ?stage= (None for the whole programme)."""
    programme = programme_or_404(slug)
    policy.require(policy.can_see_reach(current_user, programme))
    stages = all_stages(programme)
    raw = request.args.get("stage", "")
    stage = None
    if raw:
        stage = next((s for s in stages if str(s.id) == raw), None)
        if stage is None:
            abort(404)
    return programme, stages, stage


@bp.get("/programmes/<slug>/reach")
@login_required
@for_audience
def report(slug):
    programme, stages, stage = _scope(slug)
    found = services.report(programme, stage)
    charts = {
        "areas": services.bars([(r.label, r.any) for r in found.areas]),
        "kinds": services.bars([(r.label, r.any) for r in found.kinds]),
        "communities": services.bars([(label, views) for _, label, views in found.communities]),
    }
    return render_template("reach/report.html", programme=programme, stages=stages, stage=stage, report=found,
                           charts=charts, activities=services.ACTIVITIES, tables=services.TABLES)


@bp.get("/programmes/<slug>/reach/<any(areas, kinds, communities):table>.csv")
@login_required
def download(slug, table):
    """One table of the report as a spreadsheet, for the same programme or stage as the page."""
    programme, _, stage = _scope(slug)
    scope = f"-cycle-{stage.cycle.number}-{stage.kind}" if stage else ""
    name = f"{programme.slug}-reach{scope}-{table}.csv"
    return Response(services.table_csv(services.report(programme, stage), table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
