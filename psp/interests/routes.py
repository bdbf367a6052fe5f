"""The register of interests of a programme: thin; the rules are in policy, the work in services."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.errors import Refused
from psp.forms import ActionForm, refuse_on
from psp.interests import bp, services
from psp.interests.forms import DeclarationForm
from psp.loaders import declaration_or_404, me, programme_or_404


@bp.get("/programmes/<slug>/interests")
@for_audience(own_state=services.own_state)
def index(slug):
    """The public register: who declared what, and when they last confirmed it."""
    programme = programme_or_404(slug)
    mine = policy.can_declare_interest(current_user, programme)
    # No form (so no CSRF token, no session cookie) for a visitor: a shared cache may keep their page.
    form = ActionForm() if policy.is_signed_in(current_user) else None
    return render_template("interests/index.html", programme=programme,
                           declarations=services.register(programme), form=form, may_declare=mine,
                           describe=services.describe)


@bp.route("/programmes/<slug>/interests/new", methods=["GET", "POST"])
@login_required
def new(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_declare_interest(current_user, programme))
    raw = request.form.get("on_behalf", "")
    if request.method == "POST" and raw.isdigit():   # an organisation they may not speak for: refused
        policy.require(policy.can_declare_for(current_user, programme, int(raw)))
    organisations = services.involved(programme)
    names = dict(organisations)
    form = DeclarationForm()
    theirs = sorted(policy.declaring_organisations(current_user, programme))
    form.offer([(o, names.get(o, "")) for o in theirs], organisations)
    if form.validate_on_submit():
        try:
            services.declare(me(), programme, form.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("Your declaration is on the register.", "success")
            return redirect(url_for(".index", slug=programme.slug))
    return render_template("interests/new.html", programme=programme, form=form), (
        400 if form.is_submitted() else 200)


@bp.post("/programmes/<slug>/interests/confirm")
@login_required
def confirm(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_declare_interest(current_user, programme))
    if not ActionForm().validate_on_submit():
        flash("Something went wrong: try again.")
        return redirect(url_for(".index", slug=programme.slug))
    count = services.confirm(me(), programme)
    flash(f"You confirmed {count} declaration{'' if count == 1 else 's'}." if count else
          "You have no declarations to confirm: add one, or declare that you have none.", "success")
    return redirect(url_for(".index", slug=programme.slug))


@bp.post("/programmes/<slug>/interests/<int:declaration_id>/withdraw")
@login_required
def withdraw(slug, declaration_id):
    programme, declaration = declaration_or_404(slug, declaration_id)
    policy.require(policy.can_withdraw_declaration(current_user, programme, declaration))
    if not ActionForm().validate_on_submit():
        flash("Something went wrong: try again.")
        return redirect(url_for(".index", slug=programme.slug))
    services.withdraw(me(), programme, declaration)
    flash("The declaration is withdrawn from the register.", "success")
    return redirect(url_for(".index", slug=programme.slug))
