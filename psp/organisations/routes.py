"""Organisations: directory, registration, verification and members."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.errors import Refused
from psp.forms import ActionForm, refuse_on, search_text
from psp.loaders import me, or_404, organisation_or_404
from psp.organisations import bp, services
from psp.organisations.forms import OrganisationForm, RejectForm
from psp.pagination import paginate
from psp.places import AREAS, ORGANISATION_KINDS


@bp.get("")
def directory():
    """Verified organisations, filtered by area and kind, searched by name."""
    area, kind = request.args.get("area", ""), request.args.get("kind", "")
    area, kind = (area if area in AREAS else ""), (kind if kind in ORGANISATION_KINDS else "")
    search = search_text(request.args.get("q"))
    page = paginate(services.directory(area, kind, search), request.args.get("page"))
    return render_template("organisations/directory.html", page=page, area=area, kind=kind,
                           search=search, areas=AREAS, kinds=ORGANISATION_KINDS)


def _form_page(form, organisation=None, status=None):
    status = status or (400 if form.is_submitted() else 200)
    return render_template("organisations/form.html", form=form, organisation=organisation), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require(policy.can_register_organisation(current_user))
    form = OrganisationForm()
    form.submit.label.text = "Register organisation"
    if not form.validate_on_submit():
        return _form_page(form)
    try:
        organisation = services.register_organisation(me(), form.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _form_page(form, status=400)
    flash(f"{organisation.name} is registered. A coordinator will check it; we will email you "
          "when it is verified.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.get("/to-verify")
@login_required
def to_verify():
    policy.require(policy.can_verify_organisations(current_user))
    page = paginate(services.waiting_to_be_verified(), request.args.get("page"))
    return render_template("organisations/to_verify.html", page=page, kinds=ORGANISATION_KINDS,
                           areas=AREAS)


@bp.get("/<slug>")
def show(slug):
    organisation = organisation_or_404(current_user, slug)
    return render_template("organisations/show.html", organisation=organisation,
                           programmes=services.partnerships(organisation), areas=AREAS,
                           kinds=ORGANISATION_KINDS, form=ActionForm())


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_edit_organisation(current_user, organisation))
    form = OrganisationForm(data=None if request.method == "POST" else {
        "name": organisation.name, "kind": organisation.kind,
        "charity_number": organisation.charity_number, "areas": organisation.area_codes,
        "website": organisation.website, "description": organisation.description})
    form.submit.label.text = "Save changes"
    if not form.validate_on_submit():
        return _form_page(form, organisation)
    try:
        services.update_organisation(me(), organisation, form.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _form_page(form, organisation, 400)
    flash("Changes saved.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.route("/<slug>/verify", methods=["GET", "POST"])
@login_required
def verify(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_verify_organisation(current_user, organisation))
    form, reject_form = ActionForm(), RejectForm(formdata=None)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.verify(me(), organisation)
        except Refused as refusal:  # another coordinator decided a moment ago
            flash(str(refusal))
            return redirect(url_for(".to_verify"))
        flash(f"{organisation.name} is verified.", "success")
        return redirect(url_for(".to_verify"))
    return render_template("organisations/verify.html", organisation=organisation, form=form,
                           reject_form=reject_form, areas=AREAS, kinds=ORGANISATION_KINDS)


@bp.post("/<slug>/reject")
@login_required
def reject(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_verify_organisation(current_user, organisation))
    reject_form = RejectForm()
    if not reject_form.validate_on_submit():
        return render_template("organisations/verify.html", organisation=organisation,
                               form=ActionForm(), reject_form=reject_form, areas=AREAS,
                               kinds=ORGANISATION_KINDS), 400
    try:
        services.reject(me(), organisation, reject_form.reason.data)
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".to_verify"))
    flash(f"{organisation.name} was rejected. Its admins have been emailed the reason.", "success")
    return redirect(url_for(".to_verify"))


@bp.post("/<slug>/join")
@login_required
def join(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_ask_to_join(current_user, organisation))
    if not ActionForm().validate_on_submit():
        abort(400)
    services.ask_to_join(me(), organisation)
    flash(f"You have asked to join {organisation.name}. Its admins have been emailed.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.get("/<slug>/members")
@login_required
def members(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_manage_members(current_user, organisation))
    requests, people = services.members(organisation)
    return render_template("organisations/members.html", organisation=organisation,
                           requests=requests, people=people, form=ActionForm())


@bp.post("/<slug>/members/<int:membership_id>/<any(accept, decline, 'make-admin'):change>")
@login_required
def change_member(slug, membership_id, change):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_manage_members(current_user, organisation))
    membership = or_404(services.get_membership(organisation, membership_id))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if change == "make-admin":
            services.make_admin(me(), membership)
            flash(f"{membership.user.name} is now an admin.", "success")
        else:
            services.decide_membership(me(), membership, accept=change == "accept")
            flash(f"{membership.user.name}'s request was {change}d.", "success")
    except Refused as refusal:
        flash(str(refusal))
    return redirect(url_for(".members", slug=organisation.slug))


@bp.post("/<slug>/leave")
@login_required
def leave(slug):
    organisation = organisation_or_404(current_user, slug)
    policy.require(policy.can_leave(current_user, organisation))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.leave(me(), organisation)
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".show", slug=organisation.slug))
    flash(f"You have left {organisation.name}.", "success")
    return redirect(url_for(".directory"))
