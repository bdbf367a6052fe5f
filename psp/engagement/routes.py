"""Engagement plans, reviews against the National Standards, and the printable report."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.contributions.models import COMMUNITIES
from psp.engagement import bp, evidence, services
from psp.engagement.forms import (
    AssessmentForm,
    FinishForm,
    IndicatorForm,
    PartnerRatingForm,
    PlanForm,
    ValueForm,
)
from psp.engagement.models import (
    LEVELS,
    METHODS,
    RATINGS,
    STANDARD_AIMS,
    STANDARDS,
    SUPPORT,
    EngagementAssessment,
    codes,
)
from psp.errors import Refused, Stale
from psp.forms import ActionForm, choices, refuse_on
from psp.loaders import me, or_404, programme_or_404
from psp.places import AREAS

CYCLE = "/<slug>/cycles/<int:number>"
STANDARD = "<any(" + ", ".join(repr(s) for s in STANDARDS) + "):standard>"
PLAN_CLOSED = ("The engagement plan is written at Analyse and can change until Plan is signed off, while "
               "the stage is open or returned.")
REVIEW_CLOSED = ("The engagement review is written while Review is open or returned, until the coordinators "
                 "finish it.")


def _scope(slug, number):
    programme = programme_or_404(slug)
    return or_404(services.scope(programme, number))


def _review_url(found):
    return url_for(".review", slug=found.programme.slug, number=found.cycle.number)


def _analyse_url(found):
    kind = "plan" if found.stage("analyse").status == "signed_off" else "analyse"
    return url_for("cycles.stage", slug=found.programme.slug, number=found.cycle.number, kind=kind)


def _failed(form):
    return 400 if form.is_submitted() else 200


# The plan ----------------------------------------------------------------------------

def _plan_allowed(found):
    policy.require(policy.is_coordinator(current_user, found.programme))
    current = services.current_stage(found.programme)
    return policy.can_write_engagement_plan(current_user, found.programme, current, found.cycle.id)


@bp.route(CYCLE + "/engagement-plan", methods=["GET", "POST"])
@login_required
def edit_plan(slug, number):
    """Write the cycle's engagement plan, or change it."""
    found = _scope(slug, number)
    allowed = _plan_allowed(found)
    plan = services.plan_of(found.cycle.id)
    form = PlanForm()
    if request.method == "GET" and plan is not None:
        for name in services.PLAN_FIELDS:
            value = getattr(plan, name)
            listed = name in ("communities", "areas", "methods", "support")
            form[name].data = codes(value) if listed else value
        form.version.data = plan.version
    page = {"found": found, "form": form, "plan": plan, "conflict": None if allowed else PLAN_CLOSED,
            "stale": False}
    if not allowed:
        return render_template("engagement/plan_form.html", **page), 409
    if not form.validate_on_submit():
        return render_template("engagement/plan_form.html", **page), _failed(form)
    try:
        services.save_plan(me(), found.programme, found.cycle, plan, form.version.data,
                           {name: form[name].data for name in services.PLAN_FIELDS})
    except Stale as stale:
        if isinstance(stale.record, services.EngagementPlan):
            form.version.data = stale.record.version
            return render_template("engagement/plan_form.html", **{**page, "stale": True,
                                                                    "plan": stale.record}), 409
        return render_template("engagement/plan_form.html", **{**page, "conflict": PLAN_CLOSED}), 409
    except Refused as refusal:
        return render_template("engagement/plan_form.html", **{**page, "conflict": str(refusal)}), 409
    flash("Engagement plan saved. Partners see it on the cycle's pages.", "success")
    return redirect(_analyse_url(found) + "#engagement-plan")


def _indicator_page(found, form, indicator, status, conflict=None):
    return render_template("engagement/indicator_form.html", found=found, form=form, indicator=indicator,
                           conflict=conflict), status


def _save_indicator(found, indicator):
    allowed = _plan_allowed(found)
    plan = services.plan_of(found.cycle.id)
    shown = indicator and request.method == "GET"
    form = IndicatorForm(data={"measure": indicator.measure, "title": indicator.title,
                               "target": str(indicator.target)} if shown else None)
    if plan is None:
        return _indicator_page(found, form, indicator, 409,
                               "Write the engagement plan before you add indicators.")
    if not allowed:
        return _indicator_page(found, form, indicator, 409, PLAN_CLOSED)
    if not form.validate_on_submit():
        return _indicator_page(found, form, indicator, _failed(form))
    try:
        services.save_indicator(me(), found.programme, found.cycle, plan, indicator, form.measure.data,
                                form.title.data, int(form.target.data))
    except Refused as refusal:
        refuse_on(form, refusal)
        return _indicator_page(found, form, indicator, 400)
    except Stale:
        return _indicator_page(found, form, indicator, 409, PLAN_CLOSED)
    flash("Indicator saved.", "success")
    return redirect(_analyse_url(found) + "#engagement-plan")


@bp.route(CYCLE + "/engagement-plan/indicators/new", methods=["GET", "POST"])
@login_required
def new_indicator(slug, number):
    return _save_indicator(_scope(slug, number), None)


def _indicator(found, indicator_id):
    return or_404(services.get_indicator(services.plan_of(found.cycle.id), indicator_id))


@bp.route(CYCLE + "/engagement-plan/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def edit_indicator(slug, number, indicator_id):
    found = _scope(slug, number)
    return _save_indicator(found, _indicator(found, indicator_id))


@bp.post(CYCLE + "/engagement-plan/indicators/<int:indicator_id>/delete")
@login_required
def delete_indicator(slug, number, indicator_id):
    found = _scope(slug, number)
    indicator = _indicator(found, indicator_id)
    if not _plan_allowed(found) or not ActionForm().validate_on_submit():
        flash(PLAN_CLOSED, "error")
        return redirect(_analyse_url(found))
    try:
        services.delete_indicator(me(), found.programme, found.cycle, indicator)
    except (Stale, Refused):
        flash(PLAN_CLOSED, "error")
        return redirect(_analyse_url(found))
    flash("Indicator removed.", "success")
    return redirect(_analyse_url(found) + "#engagement-plan")


# The review ---------------------------------------------------------------------------

def _review_page(found, status=200, finish_error=None):
    page = services.review_page(found)
    stage = found.stage("review")
    return render_template(
        "engagement/review.html", found=found, page=page, stage=stage, standards=STANDARDS,
        aims=STANDARD_AIMS, ratings=RATINGS, levels=LEVELS, communities=COMMUNITIES, areas=AREAS,
        methods=METHODS, support=SUPPORT, finish_form=FinishForm(),
        finish_error=finish_error,
        may_assess=policy.can_assess_engagement(current_user, found.programme, stage, page.review),
        may_rate=policy.can_rate_engagement(current_user, found.programme, stage, page.review),
        leads_view=policy.is_coordinator(current_user, found.programme)), status


@bp.get(CYCLE + "/engagement-review")
@login_required
def review(slug, number):
    """The evidence the service computed for each standard, indicators against targets, the coordinators'
    assessments and partners' ratings."""
    found = _scope(slug, number)
    policy.require(policy.can_see_engagement_review(current_user, found.programme))
    return _review_page(found)


@bp.route(CYCLE + "/engagement-review/" + STANDARD, methods=["GET", "POST"])
@login_required
def assess(slug, number, standard):
    found = _scope(slug, number)
    policy.require(policy.is_coordinator(current_user, found.programme))
    stage = found.stage("review")
    review_record = services.review_of(found.cycle.id)
    current = services.assessment(review_record, standard)
    form = AssessmentForm()
    if request.method == "GET":
        form.version.data = current.version if current else ""
        if current:
            form.rating.data, form.learnt.data = current.rating, current.learnt
    figures = services.evidence.compute(found.programme, found.cycle, found.stages).by_standard(standard)
    page = {"found": found, "form": form, "standard": standard, "name": STANDARDS[standard],
            "aim": STANDARD_AIMS[standard], "figures": figures, "current": current, "stale": None,
            "conflict": None}
    if not policy.can_assess_engagement(current_user, found.programme, stage, review_record):
        return render_template("engagement/assess.html", **{**page, "conflict": REVIEW_CLOSED}), 409
    if not form.validate_on_submit():
        return render_template("engagement/assess.html", **page), _failed(form)
    try:
        services.save_assessment(me(), stage, standard, form.version.data, form.rating.data, form.learnt.data)
    except Stale as stale:
        if isinstance(stale.record, EngagementAssessment):
            form.version.data = stale.record.version
            return render_template("engagement/assess.html", **{**page, "stale": stale.record}), 409
        return render_template("engagement/assess.html", **{**page, "conflict": REVIEW_CLOSED}), 409
    except Refused as refusal:
        return render_template("engagement/assess.html", **{**page, "conflict": str(refusal)}), 409
    flash(f"Assessment of {STANDARDS[standard]} saved.", "success")
    return redirect(_review_url(found) + f"#standard-{standard}")


@bp.route(CYCLE + "/engagement-review/" + STANDARD + "/rating", methods=["GET", "POST"])
@login_required
def rate(slug, number, standard):
    """A partner organisation's own rating and comment on one standard."""
    found = _scope(slug, number)
    policy.require(policy.is_partner(current_user, found.programme))
    stage = found.stage("review")
    review_record = services.review_of(found.cycle.id)
    organisations = policy.view_organisations(current_user, found.programme)
    names = services.organisation_names(organisations)
    form = PartnerRatingForm()
    form.organisation.choices = choices([("", "Select your organisation")] + list(names.items()))
    if request.method == "GET":
        own = services.own_rating(review_record, standard, organisations)
        if own:
            form.organisation.data = str(own.organisation_id)
            form.rating.data, form.comment.data = own.rating, own.comment
        elif len(names) == 1:
            form.organisation.data = str(next(iter(names)))
    figures = services.evidence.compute(found.programme, found.cycle, found.stages).by_standard(standard)
    page = {"found": found, "form": form, "standard": standard, "name": STANDARDS[standard],
            "aim": STANDARD_AIMS[standard], "figures": figures, "conflict": None}
    if not policy.can_rate_engagement(current_user, found.programme, stage, review_record):
        return render_template("engagement/rate.html", **{**page, "conflict": REVIEW_CLOSED}), 409
    if not form.validate_on_submit():
        return render_template("engagement/rate.html", **page), _failed(form)
    organisation = form.organisation.data
    try:
        services.save_partner_rating(me(), stage, standard, int(organisation) if organisation.isdigit()
                                     else 0, form.rating.data, form.comment.data)
    except Refused as refusal:
        if refusal.field:
            refuse_on(form, refusal)
            return render_template("engagement/rate.html", **page), 400
        return render_template("engagement/rate.html", **{**page, "conflict": str(refusal)}), 409
    except Stale:
        return render_template("engagement/rate.html", **{**page, "conflict": REVIEW_CLOSED}), 409
    flash(f"Your rating of {STANDARDS[standard]} is saved. You can change it until the coordinators finish "
          "the review.", "success")
    return redirect(_review_url(found) + f"#standard-{standard}")


@bp.route(CYCLE + "/engagement-review/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def value(slug, number, indicator_id):
    """Enter the value of an indicator written by hand."""
    found = _scope(slug, number)
    indicator = _indicator(found, indicator_id)
    policy.require(policy.is_coordinator(current_user, found.programme))
    stage = found.stage("review")
    form = ValueForm(data={"value": "" if indicator.value is None else str(indicator.value),
                           "note": indicator.note} if request.method == "GET" else None)
    page = {"found": found, "form": form, "indicator": indicator, "conflict": None}
    if not indicator.by_hand:
        page["conflict"] = "The service computes this indicator's value."
    elif not _may_assess(found, stage):
        page["conflict"] = REVIEW_CLOSED
    if page["conflict"]:
        return render_template("engagement/value.html", **page), 409
    if not form.validate_on_submit():
        return render_template("engagement/value.html", **page), _failed(form)
    try:
        services.enter_value(me(), stage, indicator, int(form.value.data), form.note.data)
    except (Stale, Refused):
        return render_template("engagement/value.html", **{**page, "conflict": REVIEW_CLOSED}), 409
    flash(f"Value saved for: {indicator.title}", "success")
    return redirect(_review_url(found) + "#indicators")


def _may_assess(found, stage):
    review_record = services.review_of(found.cycle.id)
    return policy.can_assess_engagement(current_user, found.programme, stage, review_record)


@bp.post(CYCLE + "/engagement-review/finish")
@login_required
def finish(slug, number):
    found = _scope(slug, number)
    policy.require(policy.is_coordinator(current_user, found.programme))
    stage = found.stage("review")
    if not _may_assess(found, stage):
        return _review_page(found, 409, REVIEW_CLOSED)
    if not FinishForm().validate_on_submit():
        return _review_page(found, 400, "This page is out of date: reload it and try again")
    try:
        services.finish_review(me(), stage)
    except Refused as refusal:
        return _review_page(found, 400, str(refusal))
    except Stale:
        return _review_page(found, 409, REVIEW_CLOSED)
    flash("The engagement review is finished. You can now submit Review for sign-off.", "success")
    return redirect(url_for("cycles.stage", slug=slug, number=number, kind="review"))


# The report ---------------------------------------------------------------------------

def _report_scope(slug, number):
    found = _scope(slug, number)
    policy.require(policy.can_see_engagement_report(current_user, found.programme, found.stage("review")))
    return found


@bp.get(CYCLE + "/engagement-report")
@for_audience
def report(slug, number):
    """The engagement report: plan, evidence, indicators, assessments, partners' comments, you said we did."""
    from psp.engagement.report import charts  # the reach package loads the cycles' services

    found = _report_scope(slug, number)
    page = services.review_page(found)
    return render_template("engagement/report.html", found=found, page=page, standards=STANDARDS,
                           aims=STANDARD_AIMS, levels=LEVELS, methods=METHODS, support=SUPPORT,
                           charts=charts(page), published=found.stage("review").status == "signed_off",
                           communities=COMMUNITIES, areas=AREAS, ratings=RATINGS,
                           leads_view=policy.is_coordinator(current_user, found.programme))


@bp.get(CYCLE + "/engagement-report.csv")
def report_download(slug, number):
    from psp.engagement.report import report_csv

    found = _report_scope(slug, number)
    name = f"{found.programme.slug}-cycle-{found.cycle.number}-engagement.csv"
    return Response(report_csv(services.review_page(found)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["evidence"]
