"""Pages that belong to no domain: home, health check, statements, your work."""

from flask import render_template, request
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.core import bp, services
from psp.cycles.services import programme_names
from psp.errors import UNAVAILABLE
from psp.extensions import limiter
from psp.meetings import services as meetings
from psp.pagination import paginate
from psp.programmes import services as programmes


@bp.get("/")
def home():
    page = paginate(programmes.listing(), request.args.get("page"))
    upcoming = paginate(meetings.upcoming(current_user), request.args.get("meetings_page"), size=10)
    return render_template("core/home.html", page=page, meetings=upcoming,
                           counts=meetings.counts([m.id for m in upcoming.items]),
                           programme_names=programme_names([m.programme_id for m in upcoming.items]))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    if not services.database_answers():
        return {"status": "unavailable", "database": "unreachable"}, 503, UNAVAILABLE
    return {"status": "ok", "database": "ok"}


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/my")
@login_required
@for_audience(own_state=services.own_state)
def my_work():
    """Everything waiting for the signed-in person, whatever programmes they are in."""
    policy.require(policy.can_see_my_work(current_user))
    work = services.my_work(current_user, request.args.get("page"), request.args.get("views_page"))
    return render_template("core/my.html", **work)
