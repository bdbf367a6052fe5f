"""Pages that belong to no domain: home, health check, statements."""

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from psp.core import bp
from psp.extensions import db, limiter


@bp.get("/")
def home():
    from flask import request
    from sqlalchemy import select

    from psp.cycles.services import programme_names
    from psp.meetings import services as meetings
    from psp.pagination import paginate
    from psp.programmes.models import Programme

    programmes = paginate(select(Programme).order_by(Programme.title, Programme.id),
                          request.args.get("page"))
    upcoming = paginate(meetings.upcoming(current_user), request.args.get("meetings_page"), size=10)
    return render_template("core/home.html", page=programmes, meetings=upcoming,
                           counts=meetings.counts([m.id for m in upcoming.items]),
                           programme_names=programme_names([m.programme_id for m in upcoming.items]))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/my")
@login_required
def my_work():
    """Everything waiting for the signed-in person, whatever programmes they are in."""
    from flask import request

    from psp import policy
    from psp.contributions import services as views
    from psp.cycles import services as cycles
    from psp.cycles.models import IN_REVIEW, RETURNED
    from psp.meetings import services as meetings
    from psp.pagination import paginate

    policy.require(policy.can_see_my_work(current_user))
    actions = paginate(cycles.my_actions_query(current_user), request.args.get("page"))
    waiting = paginate(views.waiting_query(current_user), request.args.get("views_page"),
                       cap=views.WAITING_CAP)
    drafts = views.my_drafts(current_user)
    soon = meetings.my_meetings_soon(current_user)
    return render_template(
        "core/my.html", to_review=cycles.stages_waiting(current_user, "nhs_lead", IN_REVIEW),
        returned=cycles.stages_waiting(current_user, "coordinator", RETURNED), actions=actions,
        questions=cycles.my_open_questions(current_user), meetings=soon,
        drafts=drafts, waiting=waiting, today=cycles.today(),
        names=cycles.programme_names([a.cycle.programme_id for a in actions.items]
                                     + [v.programme_id for v in waiting.items]
                                     + [d.programme_id for d in drafts]
                                     + [m.programme_id for m, _status in soon]))
