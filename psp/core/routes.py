"""Pages that belong to no domain: home, health check, statements."""

from flask import render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from psp.core import bp
from psp.extensions import db, limiter


@bp.get("/")
def home():
    from flask import request
    from sqlalchemy import select

    from psp.pagination import paginate
    from psp.programmes.models import Programme

    programmes = paginate(select(Programme).order_by(Programme.title, Programme.id),
                          request.args.get("page"))
    return render_template("core/home.html", page=programmes)


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
