"""Stage pages, transitions and what a stage holds. Rules live in services and policy."""

from datetime import date
from typing import Any, cast

from flask import flash, redirect, render_template, request
from flask_login import current_user, login_required

from psp import policy
from psp.cache import for_audience
from psp.contributions import services as views
from psp.cycles import bp, services
from psp.cycles.forms import (
    SIGN_OFF,
    ActionDetailsForm,
    ActionStatusForm,
    DecisionForm,
    MeasureForm,
    NeedForm,
    QuestionForm,
    ReviewStageForm,
    StageDatesForm,
    SubmitStageForm,
)
from psp.cycles.models import ACTION_STATUS_NAMES, KINDS, Decision, Question
from psp.documents import services as documents
from psp.documents.models import STAGE as STAGE_DOCUMENTS
from psp.engagement import services as engagement
from psp.errors import Refused, Stale
from psp.forms import choices, refuse_on
from psp.interests import services as interests
from psp.loaders import action_or_404, me, or_404, programme_or_404, stage_or_404
from psp.pagination import paginate

STAGE = "/<slug>/cycles/<int:number>/<any(" + ", ".join(KINDS) + "):kind>"


def _to_stage(programme, stage, message):
    flash(message, "success")
    return redirect(services.stage_url(programme, stage))


def _page(template, status=200, **context):
    return render_template(f"cycles/{template}.html", **context), status


def _failed(form):
    return 400 if form.is_submitted() else 200


@bp.get(STAGE)
@for_audience
def stage(slug, number, kind):
    programme, stage = stage_or_404(slug, number, kind)
    partner_view = policy.can_see_partner_items(current_user, programme)
    actions = paginate(services.actions_query(stage), request.args.get("page"))
    current = stage if stage.is_current else services.current_stage(programme)
    decisions = services.decisions(stage, partner_view)
    behind_actions, behind_decisions = views.shaped_by(current_user, programme, [a.id for a in actions.items],
                                                       [d.id for d in decisions])
    return render_template(
        "cycles/stage.html", programme=programme, stage=stage, actions=actions,
        views_behind={"actions": behind_actions, "decisions": behind_decisions},
        progress=services.progress(stage), decisions=decisions,
        questions=services.questions(stage, partner_view), history=services.history(stage),
        outcomes=services.outcomes_with_measures(programme, stage) if kind == "review" else [],
        statuses=ACTION_STATUS_NAMES, today=services.today(), current=current,
        may_bid=interests.may_bid(programme.id) if actions.items else set(),
        documents=documents.on(current_user, STAGE_DOCUMENTS, stage, programme),
        planned_at=services.stage_names(stage.cycle_id) if kind in ("do", "review") else {},
        engagement=engagement.stage_section(
            policy.can_write_engagement_plan(current_user, programme, current, stage.cycle_id), stage)
        if policy.can_see_engagement_review(current_user, programme) else None)


# Transitions --------------------------------------------------------------------

def _transition_page(template, programme, stage, form, status=200, stale=None):
    return _page(template, status, programme=programme, stage=stage, form=form, stale=stale,
                 history=services.history(stage)[-3:])


@bp.route(STAGE + "/submit", methods=["GET", "POST"])
@login_required
def submit(slug, number, kind):
    programme, stage = stage_or_404(slug, number, kind)
    policy.require(policy.is_coordinator(current_user, programme))
    form = SubmitStageForm()
    allowed = policy.can_submit_stage(current_user, programme, stage)
    if not form.is_submitted():
        form.version.data, form.summary.data = stage.version, stage.summary
        return _transition_page("submit", programme, stage, form, 200 if allowed else 409, stale=not allowed)
    if not allowed or str(form.version.data) != str(stage.version):
        return _stale("submit", programme, stage, form)
    if not form.validate_on_submit():
        return _transition_page("submit", programme, stage, form, 400)
    try:
        services.submit(me(), programme, stage, form.version.data, form.summary.data)
    except Stale as stale:
        return _stale("submit", programme, stale.record, form)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _transition_page("submit", programme, stage, form, 400)
    return _to_stage(programme, stage, f"{stage.name} is submitted for review. The NHS leads have been told.")


@bp.route(STAGE + "/decide", methods=["GET", "POST"])
@login_required
def decide(slug, number, kind):
    programme, stage = stage_or_404(slug, number, kind)
    policy.require(policy.is_nhs_lead(current_user, programme))
    form = ReviewStageForm()
    allowed = policy.can_review_stage(current_user, programme, stage)
    if not form.is_submitted():
        form.version.data = stage.version
        return _transition_page("decide", programme, stage, form, 200 if allowed else 409, stale=not allowed)
    if not allowed or str(form.version.data) != str(stage.version):
        return _stale("decide", programme, stage, form)
    if not form.validate_on_submit():
        return _transition_page("decide", programme, stage, form, 400)
    try:
        if form.decision.data == SIGN_OFF:
            opened = services.sign_off(me(), programme, stage, form.version.data, form.reason.data)
            return _to_stage(programme, opened, f"{stage.name} of cycle {stage.cycle.number} is signed off. "
                             f"{opened.name} of cycle {opened.cycle.number} is now open.")
        services.return_stage(me(), programme, stage, form.version.data, form.reason.data)
    except Stale as stale:
        return _stale("decide", programme, stale.record, form)
    return _to_stage(programme, stage, f"{stage.name} is returned to the coordinators with your reason.")


def _stale(template, programme, stage, form):
    """Show the stage as it is now and keep what was typed; the form is offered again only
    if it still applies, against the version now shown."""
    form.version.data = stage.version
    return _transition_page(template, programme, stage, form, 409, stale=True)


# What a stage holds -------------------------------------------------------------

def _editable_or_conflict(programme, stage):
    policy.require(policy.is_coordinator(current_user, programme))
    return policy.can_change_stage(current_user, programme, stage)


def _owner_choices(form, programme):
    form.organisation.choices = choices(
        [("", "Select an organisation")]
        + [(row.id, row.name) for row in services.partner_organisations(programme)])


def _held(template, programme, stage, form, status, **context):
    conflict = None if stage.is_editable else (
        f"{stage.name} is {stage.status_name.lower()}, so what it holds cannot be changed now.")
    return _page(template, 409 if conflict else status, programme=programme, stage=stage, form=form,
                 conflict=conflict, **context)


ACTIONS_CLOSED = ("Actions are planned at Plan and can be added at Do, while the stage is open or "
                  "returned. {stage} of cycle {number} is {status}.")


def _actions_conflict(stage):
    return ACTIONS_CLOSED.format(stage=stage.name, number=stage.cycle.number,
                                 status=stage.status_name.lower())


def _save_action(programme, stage, action, allowed):
    """The form page shared by adding and editing: validate, save once, or say why not."""
    form = ActionDetailsForm(obj=action if request.method == "GET" else None,
                             data={"organisation": str(action.organisation_id)}
                             if action and request.method == "GET" else None)
    _owner_choices(form, programme)
    page = {"programme": programme, "stage": stage, "form": form, "action": action}
    if not allowed:
        return _page("action", 409, conflict=_actions_conflict(stage), **page)
    if not form.validate_on_submit():
        return _page("action", _failed(form), conflict=None, **page)
    try:
        services.save_action(me(), programme, stage, action, form.title.data,
                             int(form.organisation.data), cast(date, form.due_on.data))  # DateRequired
    except Refused as refusal:
        refuse_on(form, refusal)
        return _page("action", 400, conflict=None, **page)
    except Stale as stale:
        return _page("action", 409, conflict=_actions_conflict(stale.record),
                     **{**page, "stage": stale.record})
    return _to_stage(programme, stage, f"Action saved: {form.title.data}")


@bp.route(STAGE + "/actions/new", methods=["GET", "POST"])
@login_required
def new_action(slug, number, kind):
    """Plan an action at Plan, or add one at Do."""
    programme, stage = stage_or_404(slug, number, kind)
    policy.require(policy.is_coordinator(current_user, programme))
    return _save_action(programme, stage, None, policy.can_add_action(current_user, programme, stage))


@bp.route("/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(slug, action_id):
    programme, action = action_or_404(slug, action_id)
    policy.require(policy.is_coordinator(current_user, programme))
    current = services.action_stage(programme, action)
    return _save_action(programme, current or action.planned_in, action,
                        policy.can_edit_action(current_user, programme, action, current))


@bp.route("/<slug>/actions/<int:action_id>/status", methods=["GET", "POST"])
@login_required
def action_status(slug, action_id):
    """Owners say how an action is going, and what came of it."""
    programme, action = action_or_404(slug, action_id)
    policy.require(policy.is_action_owner(current_user, programme, action))
    current = services.action_stage(programme, action)
    stage = current or services.current_stage(programme) or action.planned_in
    form = ActionStatusForm(obj=action if request.method == "GET" else None)
    page = {"programme": programme, "stage": stage, "form": form, "action": action}
    if not policy.can_update_action(current_user, programme, action, current):
        return _page("action_status", 409, conflict=_actions_conflict(stage), **page)
    if not form.validate_on_submit():
        return _page("action_status", _failed(form), conflict=None, **page)
    try:
        services.update_action_status(me(), programme, action, form.status.data,
                                      form.blocked_reason.data, form.result.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _page("action_status", 400, conflict=None, **page)
    except Stale as stale:
        return _page("action_status", 409, conflict=_actions_conflict(stale.record), **page)
    return _to_stage(programme, stage, f"{action.title}: {ACTION_STATUS_NAMES[form.status.data].lower()}")


# Decisions and questions: {model: (form, how to find one in a programme, the fields saved)}
ITEMS: dict[type[Decision] | type[Question], tuple[Any, Any, tuple[str, ...]]] = {
    Decision: (DecisionForm, services.get_decision, ("title", "detail", "partners_only")),
    Question: (QuestionForm, services.get_question, ("text", "detail", "partners_only")),
}


def _save_item(programme, stage, item, model):
    """Record a decision or pose a question on a stage (item is None), or edit one."""
    form_class, _, fields = ITEMS[model]
    noun = model.__name__.lower()
    editable = _editable_or_conflict(programme, stage)
    form = form_class(obj=item if request.method == "GET" else None)
    if not editable or not form.validate_on_submit():
        return _held(noun, programme, stage, form, _failed(form), item=item)
    try:
        services.save_item(me(), stage, item, model, **{name: form[name].data for name in fields})
    except Stale as stale:
        return _held(noun, programme, stale.record, form, 409, item=item)
    return _to_stage(programme, stage, f"{noun.capitalize()} saved.")


def _new_item(slug, number, kind, model):
    programme, stage = stage_or_404(slug, number, kind)
    return _save_item(programme, stage, None, model)


def _edit_item(slug, item_id, model):
    programme = programme_or_404(slug)
    item = or_404(ITEMS[model][1](programme, item_id))
    return _save_item(programme, services.get_stage(item.stage_id), item, model)


@bp.route(STAGE + "/decisions/new", methods=["GET", "POST"])
@login_required
def new_decision(slug, number, kind):
    return _new_item(slug, number, kind, Decision)


@bp.route("/<slug>/decisions/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_decision(slug, item_id):
    return _edit_item(slug, item_id, Decision)


@bp.route(STAGE + "/questions/new", methods=["GET", "POST"])
@login_required
def new_question(slug, number, kind):
    return _new_item(slug, number, kind, Question)


@bp.route("/<slug>/questions/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(slug, item_id):
    return _edit_item(slug, item_id, Question)


@bp.route(STAGE + "/dates", methods=["GET", "POST"])
@login_required
def dates(slug, number, kind):
    programme, stage = stage_or_404(slug, number, kind)
    policy.require(policy.is_coordinator(current_user, programme))
    form = StageDatesForm(obj=stage if request.method == "GET" else None)
    if stage.status == "signed_off" or not form.validate_on_submit():
        conflict = "A signed-off stage keeps the dates it had." if stage.status == "signed_off" else None
        return _page("dates", 409 if conflict else _failed(form), programme=programme, stage=stage,
                     form=form, conflict=conflict)
    try:
        services.set_dates(me(), stage, form.planned_start.data, form.planned_end.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _page("dates", 400, programme=programme, stage=stage, form=form, conflict=None)
    except Stale:
        return _page("dates", 409, programme=programme, stage=stage, form=form,
                     conflict="A signed-off stage keeps the dates it had.")
    return _to_stage(programme, stage, "Planned dates saved.")


REVIEW = "/<slug>/cycles/<int:number>/review"


@bp.route(REVIEW + "/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@login_required
def measure(slug, number, outcome_id):
    programme, stage = stage_or_404(slug, number, "review")
    outcome = or_404(services.get_outcome(programme, outcome_id))
    editable = _editable_or_conflict(programme, stage)
    current = dict(services.outcomes_with_measures(programme, stage)).get(outcome)
    form = MeasureForm(obj=current if request.method == "GET" else None)
    if not editable or not form.validate_on_submit():
        return _held("measure", programme, stage, form, _failed(form), outcome=outcome)
    try:
        services.record_measure(me(), stage, outcome, form.measure.data, form.note.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _held("measure", programme, stage, form, 400, outcome=outcome)
    except Stale as stale:
        return _held("measure", programme, stale.record, form, 409, outcome=outcome)
    return _to_stage(programme, stage, f"Measure saved for: {outcome.title}")


@bp.route(REVIEW + "/need", methods=["GET", "POST"])
@login_required
def need(slug, number):
    programme, stage = stage_or_404(slug, number, "review")
    editable = _editable_or_conflict(programme, stage)
    form = NeedForm(data={"need": stage.reframed_need} if request.method == "GET" else None)
    if not editable or not form.validate_on_submit():
        return _held("need", programme, stage, form, _failed(form))
    try:
        services.set_reframed_need(me(), stage, form.need.data)
    except Stale as stale:
        return _held("need", programme, stale.record, form, 409)
    return _to_stage(programme, stage, "Re-framed need saved. It is carried into the next cycle at sign-off.")

