"""Site administration: accounts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from psp import policy
from psp.admin import bp
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
