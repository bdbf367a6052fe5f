"""Organisations: directory, registration, verification and members."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from psp import policy
from psp.extensions import db
from psp.forms import ActionForm, search_text
from psp.organisations import bp, services
from psp.organisations.forms import OrganisationForm, RejectForm
from psp.organisations.models import (
    ACTIVE,
    PENDING,
    REQUESTED,
    VERIFIED,
    Membership,
    Organisation,
    OrganisationArea,
)
from psp.pagination import paginate
from psp.places import AREAS, ORGANISATION_KINDS


def _load(slug):
    """404 for a pending or rejected organisation you may not see: its existence stays private."""
    organisation = db.first_or_404(select(Organisation).where(Organisation.slug == slug))
    if not policy.can_view_organisation(current_user, organisation):
        abort(404)
    return organisation


def _me():
    return current_user._get_current_object()


@bp.get("")
def directory():
    """Verified organisations, filtered by area and kind, searched by name."""
    area = request.args.get("area") if request.args.get("area") in AREAS else ""
    kind = request.args.get("kind") if request.args.get("kind") in ORGANISATION_KINDS else ""
    search = search_text(request.args.get("q"))
    query = select(Organisation).where(Organisation.status == VERIFIED).order_by(
        Organisation.name, Organisation.id)
    if area:
        query = query.where(select(OrganisationArea.organisation_id).where(
            OrganisationArea.organisation_id == Organisation.id,
            OrganisationArea.area == area).exists())
    if kind:
        query = query.where(Organisation.kind == kind)
    if search:
        query = query.where(func.lower(Organisation.name).contains(search.lower(), autoescape=True))
    page = paginate(query.options(selectinload(Organisation.areas)), request.args.get("page"))
    return render_template("organisations/directory.html", page=page, area=area, kind=kind,
                           search=search, areas=AREAS, kinds=ORGANISATION_KINDS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require(policy.can_register_organisation(current_user))
    form = OrganisationForm()
    form.submit.label.text = "Register organisation"
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("organisations/form.html", form=form, organisation=None), status
    try:
        organisation = services.register_organisation(_me(), form.data)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return render_template("organisations/form.html", form=form, organisation=None), 400
    flash(f"{organisation.name} is registered. A coordinator will check it; we will email you "
          "when it is verified.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.get("/to-verify")
@login_required
def to_verify():
    policy.require(policy.can_verify_organisations(current_user))
    query = select(Organisation).where(Organisation.status == PENDING).order_by(
        Organisation.created_at, Organisation.id)
    page = paginate(query.options(selectinload(Organisation.areas)), request.args.get("page"))
    return render_template("organisations/to_verify.html", page=page, kinds=ORGANISATION_KINDS,
                           areas=AREAS)


@bp.get("/<slug>")
def show(slug):
    organisation = _load(slug)
    from psp.programmes.models import ADMITTED, Participation

    programmes = db.session.scalars(select(Participation).where(
        Participation.organisation_id == organisation.id, Participation.status == ADMITTED)).all()
    return render_template("organisations/show.html", organisation=organisation,
                           programmes=programmes, areas=AREAS, kinds=ORGANISATION_KINDS,
                           form=ActionForm())


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    organisation = _load(slug)
    policy.require(policy.can_edit_organisation(current_user, organisation))
    form = OrganisationForm(data=None if request.method == "POST" else {
        "name": organisation.name, "kind": organisation.kind,
        "charity_number": organisation.charity_number, "areas": organisation.area_codes,
        "website": organisation.website, "description": organisation.description})
    form.submit.label.text = "Save changes"
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("organisations/form.html", form=form,
                               organisation=organisation), status
    try:
        services.update_organisation(_me(), organisation, form.data)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return render_template("organisations/form.html", form=form,
                               organisation=organisation), 400
    flash("Changes saved.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.route("/<slug>/verify", methods=["GET", "POST"])
@login_required
def verify(slug):
    organisation = _load(slug)
    policy.require(policy.can_verify_organisation(current_user, organisation))
    form, reject_form = ActionForm(), RejectForm(formdata=None)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.verify(_me(), organisation)
        except services.Refused as refusal:  # another coordinator decided a moment ago
            flash(str(refusal))
            return redirect(url_for(".to_verify"))
        flash(f"{organisation.name} is verified.", "success")
        return redirect(url_for(".to_verify"))
    return render_template("organisations/verify.html", organisation=organisation, form=form,
                           reject_form=reject_form, areas=AREAS, kinds=ORGANISATION_KINDS)


@bp.post("/<slug>/reject")
@login_required
def reject(slug):
    organisation = _load(slug)
    policy.require(policy.can_verify_organisation(current_user, organisation))
    reject_form = RejectForm()
    if not reject_form.validate_on_submit():
        return render_template("organisations/verify.html", organisation=organisation,
                               form=ActionForm(), reject_form=reject_form, areas=AREAS,
                               kinds=ORGANISATION_KINDS), 400
    try:
        services.reject(_me(), organisation, reject_form.reason.data)
    except services.Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".to_verify"))
    flash(f"{organisation.name} was rejected. Its admins have been emailed the reason.", "success")
    return redirect(url_for(".to_verify"))


@bp.post("/<slug>/join")
@login_required
def join(slug):
    organisation = _load(slug)
    policy.require(policy.can_ask_to_join(current_user, organisation))
    if not ActionForm().validate_on_submit():
        abort(400)
    services.ask_to_join(_me(), organisation)
    flash(f"You have asked to join {organisation.name}. Its admins have been emailed.", "success")
    return redirect(url_for(".show", slug=organisation.slug))


@bp.get("/<slug>/members")
@login_required
def members(slug):
    organisation = _load(slug)
    policy.require(policy.can_manage_members(current_user, organisation))
    rows = db.session.scalars(select(Membership).where(
        Membership.organisation_id == organisation.id,
        Membership.status.in_([ACTIVE, REQUESTED])).order_by(Membership.created_at, Membership.id)).all()
    requests = [m for m in rows if m.status == REQUESTED]
    people = [m for m in rows if m.status == ACTIVE]
    return render_template("organisations/members.html", organisation=organisation,
                           requests=requests, people=people, form=ActionForm())


@bp.post("/<slug>/members/<int:membership_id>/<any(accept, decline, 'make-admin'):change>")
@login_required
def change_member(slug, membership_id, change):
    organisation = _load(slug)
    policy.require(policy.can_manage_members(current_user, organisation))
    membership = services.get_membership(organisation, membership_id)
    if membership is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if change == "make-admin":
            services.make_admin(_me(), membership)
            flash(f"{membership.user.name} is now an admin.", "success")
        else:
            services.decide_membership(_me(), membership, accept=change == "accept")
            flash(f"{membership.user.name}'s request was {change}d.", "success")
    except services.Refused as refusal:
        flash(str(refusal))
    return redirect(url_for(".members", slug=organisation.slug))


@bp.post("/<slug>/leave")
@login_required
def leave(slug):
    organisation = _load(slug)
    policy.require(policy.can_leave(current_user, organisation))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.leave(_me(), organisation)
    except services.Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".show", slug=organisation.slug))
    flash(f"You have left {organisation.name}.", "success")
    return redirect(url_for(".directory"))
