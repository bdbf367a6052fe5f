"""Site administration: accounts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.admin import bp, services
from psp.admin.forms import DisableForm
from psp.auth import services as accounts
from psp.auth import twofactor
from psp.forms import ActionForm, search_text
from psp.loaders import account_or_404, me
from psp.pagination import paginate


@bp.get("/people")
@login_required
def people():
    policy.require(policy.can_manage_accounts(current_user))
    search = search_text(request.args.get("q"))
    page = paginate(services.people(search), request.args.get("page"))
    return render_template("admin/people.html", page=page, search=search, form=ActionForm())


@bp.route("/people/<int:user_id>/disable", methods=["GET", "POST"])
@login_required
def disable_account(user_id):
    """Disabling locks someone out at once: it asks for confirmation and a reason, which go in the
    audit log and in the email to the person."""
    account = account_or_404(user_id)
    policy.require(policy.can_disable_account(current_user, account))
    form = DisableForm()
    if account.disabled_at is not None or not form.validate_on_submit():
        status = (409 if account.disabled_at is not None else 400) if form.is_submitted() else 200
        return render_template("admin/disable.html", account=account, form=form,
                               search=request.args.get("q") or ""), status
    accounts.set_disabled(me(), account, True, form.reason.data)
    flash(f"{account.name}'s account is disabled, and they are told why.", "success")
    return redirect(url_for(".people", q=request.args.get("q") or None))


@bp.post("/people/<int:user_id>/enable")
@login_required
def enable_account(user_id):
    account = account_or_404(user_id)
    policy.require(policy.can_disable_account(current_user, account))
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.set_disabled(me(), account, False)
    flash(f"{account.name}'s account is enabled.", "success")
    return redirect(url_for(".people", q=request.args.get("q") or None))


@bp.route("/people/<int:user_id>/second-factor", methods=["GET", "POST"])
@login_required
def reset_second_factor(user_id):
    """The support path for someone who lost their app and codes: asks for confirmation, is audited,
    and emails the person. Never one's own (a stolen admin session must not remove the admin's)."""
    account = account_or_404(user_id)
    policy.require(policy.can_reset_second_factor(current_user, account))
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("admin/reset_second_factor.html", account=account, form=form,
                               on=twofactor.any_on(account)), 400 if form.is_submitted() else 200
    twofactor.reset(me(), account)
    flash(f"{account.name}'s two-factor sign-in is reset, and they are told by email.", "success")
    return redirect(url_for(".people"))


def _number(raw):
    """A record or entry id typed in the address; anything else is ignored."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


@bp.get("/audit-log")
@login_required
def audit_log():
    """Newest first, filtered by who acted and on what."""
    policy.require(policy.can_read_audit_log(current_user))
    person = search_text(request.args.get("person"), 254).lower()
    record_type = search_text(request.args.get("record_type"), 40)
    record_id = _number(request.args.get("record_id"))
    rows, older = services.audit_entries(person, record_type, record_id, _number(request.args.get("before")))
    return render_template("admin/audit_log.html", rows=rows, older=older, person=person,
                           record_type=record_type, record_id="" if record_id is None else record_id,
                           record_types=services.record_types())
