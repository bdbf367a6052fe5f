"""Programmes: creation, people, partners."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from psp import policy
from psp.contributions import services as view_services
from psp.cycles import services as cycle_services
from psp.cycles import wheel
from psp.extensions import db
from psp.forms import ActionForm, choices
from psp.meetings import services as meeting_services
from psp.organisations.models import Organisation
from psp.pagination import paginate
from psp.places import AREAS, ORGANISATION_KINDS
from psp.programmes import bp, services
from psp.programmes.forms import (
    AppointForm,
    DeclineForm,
    ProgrammeForm,
    RejectRequestForm,
    TakePartForm,
)
from psp.programmes.models import ADMITTED, ROLE_NAMES, Participation, Programme
from psp.updates import services as update_services


def _load(slug):
    return db.first_or_404(select(Programme).where(Programme.slug == slug))


def _me():
    return current_user._get_current_object()


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require(policy.can_create_programme(current_user))
    form = ProgrammeForm()
    form.lead_body.choices = choices(
        [("", "Select a public body")] + services.lead_choices("public-body"))
    form.lead_interface.choices = choices(
        [("", "Select a third-sector interface")] + services.lead_choices("third-sector-interface"))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("programmes/new.html", form=form), status
    try:
        programme = services.create_programme(_me(), form.data, form.outcome_lines)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return render_template("programmes/new.html", form=form), 400
    flash(f"{programme.title} is created. Now appoint its coordinators and NHS leads.", "success")
    return redirect(url_for(".people", slug=programme.slug))


@bp.get("/<slug>")
def show(slug):
    programme = _load(slug)
    partners = paginate(select(Participation).where(
        Participation.programme_id == programme.id, Participation.status == ADMITTED)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .order_by(Organisation.name, Participation.id), request.args.get("page"))
    may_ask = policy.can_ask_any_to_take_part(current_user)
    cycle = cycle_services.Dashboard(programme, policy.can_see_partner_items(current_user, programme))
    meetings = db.session.scalars(meeting_services.upcoming(current_user, programme).limit(5)).all()
    return render_template("programmes/show.html", programme=programme, partners=partners,
                           areas=AREAS, kinds=ORGANISATION_KINDS, may_ask=may_ask, cycle=cycle,
                           wheel=wheel.segments(cycle.cycle_stages), meetings=meetings,
                           meeting_counts=meeting_services.counts([m.id for m in meetings]),
                           answering=view_services.answering(programme),
                           updates=db.session.scalars(update_services.visible(current_user, programme)
                                                      .limit(3)).all())


@bp.route("/<slug>/people", methods=["GET", "POST"])
@login_required
def people(slug):
    programme = _load(slug)
    policy.require(policy.can_appoint(current_user, programme))
    form = AppointForm()
    status = 200
    if form.validate_on_submit():
        try:
            flash(services.appoint(_me(), programme, form.email.data, form.role.data), "success")
            return redirect(url_for(".people", slug=programme.slug))
        except services.Refused as refusal:
            form.email.errors = [str(refusal)]
            status = 400
    elif form.is_submitted():
        status = 400
    roles, invitations = services.roles_and_invitations(programme)
    return render_template("programmes/people.html", programme=programme, form=form, roles=roles,
                           invitations=invitations, role_names=ROLE_NAMES), status


@bp.route("/<slug>/take-part", methods=["GET", "POST"])
@login_required
def take_part(slug):
    """Ask for an organisation to take part; also where its admins see how their asking stands."""
    programme = _load(slug)
    policy.require(policy.can_ask_any_to_take_part(current_user))
    may_ask, others = services.take_part_choices(_me(), programme)
    form = TakePartForm()
    form.organisation.choices = choices((o.id, o.name) for o, _ in may_ask)
    asked_for = request.form.get("organisation")
    if request.method == "POST" and asked_for and asked_for not in {str(o.id) for o, _ in may_ask}:
        abort(403)  # a tampered id: not an organisation this person may put forward
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("programmes/take_part.html", programme=programme, form=form,
                               may_ask=may_ask, others=others), status
    organisation = next(o for o, _ in may_ask if str(o.id) == form.organisation.data)
    policy.require(policy.can_ask_to_take_part(current_user, programme, organisation))
    try:
        services.ask_to_take_part(_me(), programme, organisation)
    except services.Refused as refusal:
        form.organisation.errors = [str(refusal)]
        return render_template("programmes/take_part.html", programme=programme, form=form,
                               may_ask=may_ask, others=others), 400
    flash(f"{organisation.name} has asked to take part. The coordinators will decide, and we will "
          "email you when they have.", "success")
    return redirect(url_for(".take_part", slug=programme.slug))


def _requests_page(programme, decline_form=None, declining=None, status=200):
    return render_template("programmes/requests.html", programme=programme,
                           pending=services.open_requests(programme), form=ActionForm(),
                           decline_form=decline_form or DeclineForm(formdata=None),
                           declining=declining, kinds=ORGANISATION_KINDS, areas=AREAS), status


@bp.get("/<slug>/requests")
@login_required
def requests(slug):
    programme = _load(slug)
    policy.require(policy.can_decide_participation(current_user, programme))
    return _requests_page(programme)


@bp.post("/<slug>/requests/<int:participation_id>/<any(admit, decline):decision>")
@login_required
def decide(slug, participation_id, decision):
    programme = _load(slug)
    policy.require(policy.can_decide_participation(current_user, programme))
    participation = services.get_request(programme, participation_id)
    if participation is None:
        abort(404)
    reason = None
    if decision == "decline":
        decline_form = DeclineForm()
        if not decline_form.validate_on_submit():
            return _requests_page(programme, decline_form, participation.id, 400)
        reason = decline_form.reason.data
    elif not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.decide(_me(), participation, decision == "admit", reason)
    except services.Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".requests", slug=programme.slug))
    name = participation.organisation.name
    flash(f"{name} is now a partner." if decision == "admit" else f"{name} was declined.", "success")
    return redirect(url_for(".requests", slug=programme.slug))


@bp.post("/<slug>/requests/<int:participation_id>/<any('verify-and-admit', reject):decision>")
@login_required
def verify_and_decide(slug, participation_id, decision):
    """A request from an organisation waiting to be verified: verify and admit, or reject."""
    programme = _load(slug)
    policy.require(policy.can_verify_and_admit(current_user, programme))
    participation = services.get_request(programme, participation_id)
    if participation is None:
        abort(404)
    reason = None
    if decision == "reject":
        reject_form = RejectRequestForm()
        if not reject_form.validate_on_submit():
            return _requests_page(programme, reject_form, participation.id, 400)
        reason = reject_form.reason.data
    elif not ActionForm().validate_on_submit():
        abort(400)
    name = participation.organisation.name
    try:
        services.verify_and_decide(_me(), participation, decision == "verify-and-admit", reason)
    except services.Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".requests", slug=programme.slug))
    flash(f"{name} is verified and now a partner." if decision == "verify-and-admit" else
          f"{name} was rejected and its request declined. Its admins have been emailed the reason.",
          "success")
    return redirect(url_for(".requests", slug=programme.slug))
