"""Stage pages, transitions and what a stage holds. Rules live in services and policy."""

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from psp import policy
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
from psp.cycles.models import ACTION_STATUS_NAMES, KINDS, Decision, Question, Stage
from psp.extensions import db
from psp.forms import choices
from psp.pagination import paginate
from psp.programmes.models import Outcome, Programme

STAGE = "/<slug>/cycles/<int:number>/<any(" + ", ".join(KINDS) + "):kind>"


def _me():
    return current_user._get_current_object()


def _programme(slug):
    return db.first_or_404(select(Programme).where(Programme.slug == slug))


def _stage(slug, number, kind):
    programme = _programme(slug)
    stage = services.find_stage(programme, number, kind)
    if stage is None:
        abort(404)
    return programme, stage


def _to_stage(programme, stage, message):
    flash(message, "success")
    return redirect(services.stage_url(programme, stage))


def _page(template, status=200, **context):
    return render_template(f"cycles/{template}.html", **context), status


def _failed(form):
    return 400 if form.is_submitted() else 200


@bp.get(STAGE)
def stage(slug, number, kind):
    programme, stage = _stage(slug, number, kind)
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
        planned_at=services.stage_names(stage.cycle_id) if kind in ("do", "review") else {})


# Transitions --------------------------------------------------------------------

def _transition_page(template, programme, stage, form, status=200, stale=None):
    return _page(template, status, programme=programme, stage=stage, form=form, stale=stale,
                 history=services.history(stage)[-3:])


@bp.route(STAGE + "/submit", methods=["GET", "POST"])
@login_required
def submit(slug, number, kind):
    programme, stage = _stage(slug, number, kind)
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
        services.submit(_me(), programme, stage, form.version.data, form.summary.data)
    except services.Stale as stale:
        return _stale("submit", programme, stale.stage, form)
    except services.Refused as refusal:
        form.summary.errors = [str(refusal)]
        return _transition_page("submit", programme, stage, form, 400)
    return _to_stage(programme, stage, f"{stage.name} is submitted for review. The NHS leads have been told.")


@bp.route(STAGE + "/decide", methods=["GET", "POST"])
@login_required
def decide(slug, number, kind):
    programme, stage = _stage(slug, number, kind)
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
            opened = services.sign_off(_me(), programme, stage, form.version.data, form.reason.data)
            return _to_stage(programme, opened, f"{stage.name} of cycle {stage.cycle.number} is signed off. "
                             f"{opened.name} of cycle {opened.cycle.number} is now open.")
        services.return_stage(_me(), programme, stage, form.version.data, form.reason.data)
    except services.Stale as stale:
        return _stale("decide", programme, stale.stage, form)
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


def _action(slug, action_id):
    programme = _programme(slug)
    action = services.get_action(programme, action_id)
    if action is None:
        abort(404)
    return programme, action


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
        services.save_action(_me(), programme, stage, action, form.title.data,
                             int(form.organisation.data), form.due_on.data)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return _page("action", 400, conflict=None, **page)
    except services.Stale as stale:
        return _page("action", 409, conflict=_actions_conflict(stale.stage), **{**page, "stage": stale.stage})
    return _to_stage(programme, stage, f"Action saved: {form.title.data}")


@bp.route(STAGE + "/actions/new", methods=["GET", "POST"])
@login_required
def new_action(slug, number, kind):
    """Plan an action at Plan, or add one at Do."""
    programme, stage = _stage(slug, number, kind)
    policy.require(policy.is_coordinator(current_user, programme))
    return _save_action(programme, stage, None, policy.can_add_action(current_user, programme, stage))


@bp.route("/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(slug, action_id):
    programme, action = _action(slug, action_id)
    policy.require(policy.is_coordinator(current_user, programme))
    current = services.action_stage(programme, action)
    return _save_action(programme, current or action.planned_in, action,
                        policy.can_edit_action(current_user, programme, action, current))


@bp.route("/<slug>/actions/<int:action_id>/status", methods=["GET", "POST"])
@login_required
def action_status(slug, action_id):
    """Owners say how an action is going, and what came of it."""
    programme, action = _action(slug, action_id)
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
        services.update_action_status(_me(), programme, action, form.status.data,
                                      form.blocked_reason.data, form.result.data)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return _page("action_status", 400, conflict=None, **page)
    except services.Stale as stale:
        return _page("action_status", 409, conflict=_actions_conflict(stale.stage), **page)
    return _to_stage(programme, stage, f"{action.title}: {ACTION_STATUS_NAMES[form.status.data].lower()}")


def _item_page(model, form_class, getter, *fields):
    """Record a decision or pose a question on a stage, or edit one."""
    noun = model.__name__.lower()

    def page(slug, number=None, kind=None, item_id=None):
        if item_id is None:
            (programme, stage), item = _stage(slug, number, kind), None
        else:
            programme = _programme(slug)
            item = getter(programme, item_id)
            if item is None:
                abort(404)
            stage = db.session.get(Stage, item.stage_id)
        editable = _editable_or_conflict(programme, stage)
        form = form_class(obj=item if request.method == "GET" else None)
        if not editable or not form.validate_on_submit():
            return _held(noun, programme, stage, form, _failed(form), item=item)
        try:
            services.save_item(_me(), stage, item, model, **{name: form[name].data for name in fields})
        except services.Stale as stale:
            return _held(noun, programme, stale.stage, form, 409, item=item)
        return _to_stage(programme, stage, f"{noun.capitalize()} saved.")

    page.__name__ = f"{noun}_page"
    return page


_decision = _item_page(Decision, DecisionForm, services.get_decision, "title", "detail", "partners_only")
_question = _item_page(Question, QuestionForm, services.get_question, "text", "detail", "partners_only")
bp.add_url_rule(STAGE + "/decisions/new", "new_decision", login_required(_decision), methods=["GET", "POST"])
bp.add_url_rule("/<slug>/decisions/<int:item_id>/edit", "edit_decision", login_required(_decision),
                methods=["GET", "POST"])
bp.add_url_rule(STAGE + "/questions/new", "new_question", login_required(_question), methods=["GET", "POST"])
bp.add_url_rule("/<slug>/questions/<int:item_id>/edit", "edit_question", login_required(_question),
                methods=["GET", "POST"])


@bp.route(STAGE + "/dates", methods=["GET", "POST"])
@login_required
def dates(slug, number, kind):
    programme, stage = _stage(slug, number, kind)
    policy.require(policy.is_coordinator(current_user, programme))
    form = StageDatesForm(obj=stage if request.method == "GET" else None)
    if stage.status == "signed_off" or not form.validate_on_submit():
        conflict = "A signed-off stage keeps the dates it had." if stage.status == "signed_off" else None
        return _page("dates", 409 if conflict else _failed(form), programme=programme, stage=stage,
                     form=form, conflict=conflict)
    try:
        services.set_dates(_me(), stage, form.planned_start.data, form.planned_end.data)
    except services.Refused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return _page("dates", 400, programme=programme, stage=stage, form=form, conflict=None)
    except services.Stale:
        return _page("dates", 409, programme=programme, stage=stage, form=form,
                     conflict="A signed-off stage keeps the dates it had.")
    return _to_stage(programme, stage, "Planned dates saved.")


REVIEW = "/<slug>/cycles/<int:number>/review"


@bp.route(REVIEW + "/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@login_required
def measure(slug, number, outcome_id):
    programme, stage = _stage(slug, number, "review")
    outcome = db.session.scalar(select(Outcome).where(Outcome.id == outcome_id,
                                                      Outcome.programme_id == programme.id))
    if outcome is None:
        abort(404)
    editable = _editable_or_conflict(programme, stage)
    current = dict(services.outcomes_with_measures(programme, stage)).get(outcome)
    form = MeasureForm(obj=current if request.method == "GET" else None)
    if not editable or not form.validate_on_submit():
        return _held("measure", programme, stage, form, _failed(form), outcome=outcome)
    try:
        services.record_measure(_me(), stage, outcome, form.measure.data, form.note.data)
    except services.Refused as refusal:
        form.measure.errors = [str(refusal)]
        return _held("measure", programme, stage, form, 400, outcome=outcome)
    except services.Stale as stale:
        return _held("measure", programme, stale.stage, form, 409, outcome=outcome)
    return _to_stage(programme, stage, f"Measure saved for: {outcome.title}")


@bp.route(REVIEW + "/need", methods=["GET", "POST"])
@login_required
def need(slug, number):
    programme, stage = _stage(slug, number, "review")
    editable = _editable_or_conflict(programme, stage)
    form = NeedForm(data={"need": stage.reframed_need} if request.method == "GET" else None)
    if not editable or not form.validate_on_submit():
        return _held("need", programme, stage, form, _failed(form))
    try:
        services.set_reframed_need(_me(), stage, form.need.data)
    except services.Stale as stale:
        return _held("need", programme, stale.stage, form, 409)
    return _to_stage(programme, stage, "Re-framed need saved. It is carried into the next cycle at sign-off.")

