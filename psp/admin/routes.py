"""Site administration: accounts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from psp import policy
from psp.admin import bp
from psp.audit import AuditEntry
from psp.auth import services as accounts
from psp.auth.models import User
from psp.extensions import db
from psp.forms import ActionForm, search_text
from psp.pagination import paginate


@bp.get("/people")
@login_required
def people():
    policy.require(policy.can_manage_accounts(current_user))
    search = search_text(request.args.get("q"))
    query = select(User).order_by(User.id)
    if search:
        needle = search.lower()
        query = query.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                                func.lower(User.name).contains(needle, autoescape=True)))
    page = paginate(query, request.args.get("page"))
    return render_template("admin/people.html", page=page, search=search, form=ActionForm())


@bp.post("/people/<int:user_id>/<any(disable, enable):change>")
@login_required
def change_account(user_id, change):
    account = db.get_or_404(User, user_id)
    policy.require(policy.can_disable_account(current_user, account))
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.set_disabled(current_user._get_current_object(), account, change == "disable")
    flash(f"{account.name}'s account is {'disabled' if change == 'disable' else 'enabled'}.",
          "success")
    return redirect(url_for(".people", q=request.args.get("q") or None))


AUDIT_PAGE = 50


@bp.get("/audit-log")
@login_required
def audit_log():
    """Newest first, paged by id (keyset) because the log only grows."""
    policy.require(policy.can_read_audit_log(current_user))
    person = search_text(request.args.get("person"), 254).lower()
    record_type = search_text(request.args.get("record_type"), 40)
    record_id = request.args.get("record_id", "")
    before = request.args.get("before", "")
    query = (select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
             .order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1))
    if person:
        query = query.where(User.email == person)
    if record_type:
        query = query.where(AuditEntry.target_type == record_type)
    if record_id.isdigit() and len(record_id) < 12:
        query = query.where(AuditEntry.target_id == int(record_id))
    else:
        record_id = ""
    if before.isdigit() and len(before) < 12:
        query = query.where(AuditEntry.id < int(before))
    rows = db.session.execute(query).all()
    older = rows[AUDIT_PAGE - 1][0].id if len(rows) > AUDIT_PAGE else None
    record_types = db.session.scalars(select(AuditEntry.target_type).distinct()
                                      .where(AuditEntry.target_type.is_not(None))).all()
    return render_template("admin/audit_log.html", rows=rows[:AUDIT_PAGE], older=older,
                           person=person, record_type=record_type, record_id=record_id,
                           record_types=sorted(record_types))
