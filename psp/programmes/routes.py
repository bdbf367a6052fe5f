"""Programmes: creation, people, partners."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.contributions import services as view_services
from psp.cycles import services as cycle_services
from psp.cycles import wheel
from psp.discussions import services as discussion_services
from psp.engagement import services as engagement
from psp.engagement.models import RATING_COLOURS, RATINGS, STANDARDS
from psp.errors import Refused
from psp.forms import ActionForm, choices, refuse_on
from psp.interests import services as interests
from psp.loaders import me, or_404, programme_or_404
from psp.meetings import services as meeting_services
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
from psp.programmes.models import ROLE_NAMES
from psp.updates import services as update_services


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require(policy.can_create_programme(current_user))
    form = ProgrammeForm()
    form.lead_body.choices = choices(
        [("", "Select a public body"), *services.lead_choices("public-body")])
    form.lead_interface.choices = choices(
        [("", "Select a third-sector interface"), *services.lead_choices("third-sector-interface")])
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("programmes/new.html", form=form), status
    try:
        programme = services.create_programme(me(), form.data, form.outcome_lines)
    except Refused as refusal:
        refuse_on(form, refusal)
        return render_template("programmes/new.html", form=form), 400
    flash(f"{programme.title} is created. Now appoint its coordinators and NHS leads.", "success")
    return redirect(url_for(".people", slug=programme.slug))


def _own_parts(slug: str) -> dict[str, str]:
    """The programme page's parts that are the person's own, for a kept copy of it."""
    discussions = discussion_services.most_active(current_user, programme_or_404(slug))
    return {"discussions": render_template("programmes/_discussions.html", discussions=discussions)}


@bp.get("/<slug>")
@for_audience(personal=_own_parts)
def show(slug):
    programme = programme_or_404(slug, *services.shown())
    cycle = cycle_services.Dashboard(programme, policy.can_see_partner_items(current_user, programme))
    meetings = meeting_services.next_meetings(current_user, programme, 5)
    drafts = policy.can_see_engagement_review(current_user, programme)
    return render_template("programmes/show.html", programme=programme, areas=AREAS, kinds=ORGANISATION_KINDS,
                           partners=paginate(services.partners(programme), request.args.get("page")),
                           may_ask=policy.can_ask_any_to_take_part(current_user), cycle=cycle,
                           wheel=wheel.segments(cycle.cycle_stages), meetings=meetings,
                           meeting_counts=meeting_services.counts([m.id for m in meetings]),
                           answering=view_services.answering(programme),
                           updates=update_services.latest(current_user, programme, 3),
                           movement=engagement.movement(programme, published_only=not drafts),
                           may_see_drafts=drafts, standards=STANDARDS, ratings=RATINGS,
                           rating_colours=RATING_COLOURS,
                           discussions=discussion_services.most_active(current_user, programme),
                           may_bid=interests.may_bid(programme.id))


@bp.route("/<slug>/people", methods=["GET", "POST"])
@login_required
def people(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_appoint(current_user, programme))
    form = AppointForm()
    status = 200
    if form.validate_on_submit():
        try:
            flash(services.appoint(me(), programme, form.email.data, form.role.data), "success")
            return redirect(url_for(".people", slug=programme.slug))
        except Refused as refusal:
            refuse_on(form, refusal)
            status = 400
    elif form.is_submitted():
        status = 400
    roles, invitations = services.roles_and_invitations(programme)
    return render_template("programmes/people.html", programme=programme, form=form, roles=roles,
                           invitations=invitations, role_names=ROLE_NAMES), status


def _take_part_page(programme, form, may_ask, others, status=200):
    return render_template("programmes/take_part.html", programme=programme, form=form,
                           may_ask=may_ask, others=others), status


@bp.route("/<slug>/take-part", methods=["GET", "POST"])
@login_required
def take_part(slug):
    """Ask for an organisation to take part; also where its admins see how their asking stands."""
    programme = programme_or_404(slug)
    policy.require(policy.can_ask_any_to_take_part(current_user))
    may_ask, others = services.take_part_choices(me(), programme)
    form = TakePartForm()
    form.organisation.choices = choices((o.id, o.name) for o, _ in may_ask)
    asked_for = request.form.get("organisation")
    organisation, participation = next(((o, p) for o, p in may_ask + others if str(o.id) == asked_for),
                                       (None, None))
    if request.method == "POST" and asked_for:  # a tampered id is no organisation they may put forward
        policy.require(policy.can_put_forward(current_user, programme, organisation, participation))
    if not form.validate_on_submit():
        return _take_part_page(programme, form, may_ask, others, 400 if form.is_submitted() else 200)
    if organisation is None:  # a valid form names one of theirs, checked above
        abort(403)
    try:
        services.ask_to_take_part(me(), programme, organisation)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _take_part_page(programme, form, may_ask, others, 400)
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
    programme = programme_or_404(slug)
    policy.require(policy.can_decide_participation(current_user, programme))
    return _requests_page(programme)


def _reason(saying_yes, form_class, programme, participation):
    """The reason given for saying no, as (reason, None); or (None, the requests page again with
    the reason form's errors). Saying yes needs only the button's form."""
    if saying_yes:
        if not ActionForm().validate_on_submit():
            abort(400)
        return None, None
    form = form_class()
    if not form.validate_on_submit():
        return None, _requests_page(programme, form, participation.id, 400)
    return form.reason.data, None


@bp.post("/<slug>/requests/<int:participation_id>/<any(admit, decline):decision>")
@login_required
def decide(slug, participation_id, decision):
    programme = programme_or_404(slug)
    policy.require(policy.can_decide_participation(current_user, programme))
    participation = or_404(services.get_request(programme, participation_id))
    reason, page = _reason(decision == "admit", DeclineForm, programme, participation)
    if page:
        return page
    try:
        services.decide(me(), participation, decision == "admit", reason)
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".requests", slug=programme.slug))
    name = participation.organisation.name
    flash(f"{name} is now a partner." if decision == "admit" else f"{name} was declined.", "success")
    return redirect(url_for(".requests", slug=programme.slug))


@bp.post("/<slug>/requests/<int:participation_id>/<any('verify-and-admit', reject):decision>")
@login_required
def verify_and_decide(slug, participation_id, decision):
    """A request from an organisation waiting to be verified: verify and admit, or reject."""
    programme = programme_or_404(slug)
    policy.require(policy.can_verify_and_admit(current_user, programme))
    participation = or_404(services.get_request(programme, participation_id))
    admit = decision == "verify-and-admit"
    reason, page = _reason(admit, RejectRequestForm, programme, participation)
    if page:
        return page
    name = participation.organisation.name
    try:
        services.verify_and_decide(me(), participation, admit, reason)
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".requests", slug=programme.slug))
    flash(f"{name} is verified and now a partner." if admit else
          f"{name} was rejected and its request declined. Its admins have been emailed the reason.",
          "success")
    return redirect(url_for(".requests", slug=programme.slug))
