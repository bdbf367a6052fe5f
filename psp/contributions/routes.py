"""View pages: thin; who sees what is in policy.visible_views, rules in services."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from psp import policy, uploads
from psp.cache import for_audience
from psp.contributions import bp, importing, recorded, services
from psp.contributions.forms import AnswerForm, ContributionForm, ImportForm, RecordForm
from psp.contributions.models import COMMUNITIES, DRAFT
from psp.cycles.services import all_stages
from psp.documents import services as documents
from psp.documents.models import VIEW
from psp.errors import Refused, Stale
from psp.forms import choices, refuse_on, search_text
from psp.interests import services as interests
from psp.loaders import contribution_or_404, me, programme_or_404, view_import_or_404
from psp.pagination import keyset
from psp.places import AREAS
from psp.timeutil import format_datetime


def _filters():
    args = request.args.to_dict()
    args["q"] = search_text(args.get("q"), 100)
    return services.Filters.from_args(args)


# Lists ---------------------------------------------------------------------------

@bp.get("/programmes/<slug>/views")
@for_audience
def index(slug):
    programme = programme_or_404(slug)
    filters = _filters()
    query = services.listed(current_user, programme, filters)
    page = keyset(query, services.Contribution.id, request.args.get("after"), request.args.get("before"))
    partner_items = policy.can_see_partner_items(current_user, programme)
    return render_template(
        "contributions/index.html", programme=programme, page=page, filters=filters,
        stages=all_stages(programme),
        organisations=services.filter_organisations(current_user, programme),
        questions=services.programme_questions(programme, partner_items),
        statuses=services.status_filters(current_user), communities=COMMUNITIES, areas=AREAS)


@bp.get("/programmes/<slug>/views.csv")
@login_required
def download(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_download_views(current_user, programme))
    lines = services.csv_lines(me(), programme, _filters())
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{programme.slug}-views.csv"'})


@bp.get("/programmes/<slug>/you-said-we-did")
@for_audience
def you_said_we_did(slug):
    programme = programme_or_404(slug)
    cycles = services.cycles_of(programme)
    if not cycles:
        abort(404)
    raw = request.args.get("cycle", "")
    cycle = next((c for c in cycles if raw.isdigit() and c.number == int(raw)), cycles[-1])
    records, page = services.you_said_we_did(current_user, programme, cycle, request.args.get("page"))
    return render_template("contributions/you_said_we_did.html", programme=programme, cycles=cycles,
                           cycle=cycle, records=records, page=page)


# One view ------------------------------------------------------------------------

@bp.get("/views/<int:contribution_id>")
def show(contribution_id):
    programme, contribution = contribution_or_404(current_user, contribution_id)
    return render_template("contributions/show.html", programme=programme, contribution=contribution,
                           details=services.details(current_user, programme, contribution),
                           documents=documents.on(current_user, VIEW, contribution, programme),
                           conflict=interests.answer_conflict(current_user, programme, contribution))


def _stage_choices(form, programme):
    form.stage.choices = choices([("", "Choose a stage")] + [
        (s.id, f"{s.name}, cycle {s.cycle.number}" + (" (current)" if s.is_current else ""))
        for s in services.stages_so_far(programme)])


def _form_choices(form, programme):
    person = current_user
    orgs = services.organisations_named(policy.view_organisations(person, programme))
    form.organisation.choices = choices([("", "Choose an organisation")] + [(o.id, o.name) for o in orgs])
    _stage_choices(form, programme)
    form.question.choices = choices([("", "No particular question")] + [
        (q.id, q.text) for q in services.programme_questions(programme, True)])
    form.meeting.choices = choices([("", "No particular meeting")] + [
        (m.id, f"{m.title}, {format_datetime(m.starts_at)}")
        for m in services.recent_meetings(person, programme)])


def _number(field):
    return int(field.data) if field.data else None


def _data(form):
    return {"organisation_id": _number(form.organisation), "stage_id": _number(form.stage),
            "question_id": _number(form.question), "meeting_id": _number(form.meeting),
            "title": form.title.data, "body": form.body.data, "communities": form.communities.data or [],
            "areas": form.areas.data or [], "audience": form.audience.data or "partners"}


def _form_page(programme, form, contribution=None, status=200, stale=None):
    return render_template("contributions/form.html", programme=programme, form=form,
                           contribution=contribution, stale=stale), status


@bp.route("/programmes/<slug>/views/new", methods=["GET", "POST"])
@login_required
def new(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_give_view(current_user, programme))
    form = ContributionForm()
    _form_choices(form, programme)
    if not form.is_submitted():
        form.organisation.data = form.organisation.choices[1].value if len(form.organisation.choices) == 2 \
            else ""
        current = next((c.value for c in form.stage.choices if c.label.endswith("(current)")), "")
        form.stage.data, form.question.data = current, request.args.get("question", "")
        form.meeting.data = request.args.get("meeting", "")
        return _form_page(programme, form)
    if not form.validate():
        return _form_page(programme, form, status=400)
    submit = bool(form.submit.data)
    try:
        contribution = services.give(me(), programme, _data(form), submit)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _form_page(programme, form, status=400)
    flash("Your view is submitted. The coordinators and NHS leads will answer it." if submit
          else "Your draft is saved. Only members of your organisation can see it.", "success")
    return redirect(url_for(".show", contribution_id=contribution.id))


def _fill(form, contribution):
    """The view as its form shows it, to be changed."""
    form.version.data = contribution.version
    form.organisation.data = str(contribution.organisation_id)
    form.stage.data = str(contribution.stage_id)
    form.question.data = str(contribution.question_id or "")
    form.meeting.data = str(contribution.meeting_id or "")
    form.title.data, form.body.data, form.audience.data = (contribution.title, contribution.body,
                                                           contribution.audience)
    form.communities.data, form.areas.data = services.tag_keys(contribution)


def _edited(was_draft, submit):
    if was_draft and submit:
        return "Your view is submitted. The coordinators and NHS leads will answer it."
    if was_draft:
        return "Your draft is saved. Only members of your organisation can see it."
    return "Your view is changed. The earlier text is kept in its history."


@bp.route("/views/<int:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id):
    programme, contribution = contribution_or_404(current_user, contribution_id)
    policy.require(policy.can_open_view_form(current_user, programme, contribution))
    form = ContributionForm()
    _form_choices(form, programme)
    if not policy.can_edit_view(current_user, programme, contribution):
        return _form_page(programme, form if form.is_submitted() else None, contribution, 409, "answered")
    if not form.is_submitted():
        _fill(form, contribution)
        return _form_page(programme, form, contribution)
    if not form.validate():
        return _form_page(programme, form, contribution, 400)
    submit, was_draft = bool(form.submit.data), contribution.status == DRAFT
    try:
        services.update(me(), programme, contribution, form.version.data, _data(form), submit)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _form_page(programme, form, contribution, 400)
    except Stale as stale:
        return _form_page(programme, form, stale.record, 409,
                          stale="answered" if stale.record.is_answered else "changed")
    flash(_edited(was_draft, submit), "success")
    return redirect(url_for(".show", contribution_id=contribution.id))


def _answer_form(programme, contribution):
    form = AnswerForm()
    actions, decisions = services.link_choices(programme, contribution)
    form.actions.choices = choices((a.id, f"{a.title} (cycle {a.cycle.number})") for a in actions)
    form.decisions.choices = choices((d.id, d.title) for d in decisions)
    return form


def _fill_answer(form, contribution, details):
    """The latest answer, to be changed; or an empty form against the version shown."""
    form.version.data = contribution.version
    latest = details.responses[0] if details.responses else None
    if latest is not None:
        form.status.data, form.text.data, form.reason.data = latest.status, latest.text, latest.reason
        form.actions.data = [str(a.id) for a in details.actions]
        form.decisions.data = [str(d.id) for d in details.decisions]


def _answer_page(programme, contribution, form, details, status=200, stale=False):
    return render_template("contributions/answer.html", programme=programme, contribution=contribution,
                           form=form, details=details, stale=stale), status


@bp.route("/views/<int:contribution_id>/answer", methods=["GET", "POST"])
@login_required
def answer(contribution_id):
    programme, contribution = contribution_or_404(current_user, contribution_id)
    policy.require(policy.can_answer_view(current_user, programme, contribution))
    form = _answer_form(programme, contribution)
    details = services.details(current_user, programme, contribution)
    if not form.is_submitted():
        _fill_answer(form, contribution, details)
        return _answer_page(programme, contribution, form, details)
    if not form.validate():
        return _answer_page(programme, contribution, form, details, 400)
    try:
        services.answer(me(), programme, contribution, form.version.data, form.status.data, form.text.data,
                        form.reason.data, [int(i) for i in form.actions.data or []],
                        [int(i) for i in form.decisions.data or []])
    except Refused as refusal:
        refuse_on(form, refusal)
        return _answer_page(programme, contribution, form, details, 400)
    except Stale as stale:
        form.version.data = stale.record.version
        details = services.details(current_user, programme, stale.record)
        return _answer_page(programme, stale.record, form, details, 409, stale=True)
    flash("Your answer is saved. The organisation has been emailed.", "success")
    return redirect(url_for(".show", contribution_id=contribution.id))


# Views given outside the service -------------------------------------------------------

def _record_choices(form, programme):
    _form_choices(form, programme)
    form.organisation.choices = choices([("", "Choose an organisation"), *recorded.partners(programme)])


def _recording(form):
    return recorded.Recording(
        stage_id=_number(form.stage), question_id=_number(form.question), meeting_id=_number(form.meeting),
        title=form.title.data, body=form.body.data, communities=form.communities.data or [],
        areas=form.areas.data or [], audience=form.audience.data, source=form.source.data,
        given_on=form.given_on.data, given_where=form.given_where.data, giver=form.giver.data,
        organisation_id=_number(form.organisation), group_name=form.group_name.data,
        group_kind=form.group_kind.data or "", group_area=form.group_area.data or "",
        people=_number(form.people),
        contact_email=form.contact_email.data, consent=bool(form.consent.data))


@bp.route("/programmes/<slug>/views/record", methods=["GET", "POST"])
@login_required
def record(slug):
    """A coordinator enters a view given on paper, by phone, by email or at an event."""
    programme = programme_or_404(slug)
    policy.require(policy.can_record_view(current_user, programme))
    form = RecordForm()
    _record_choices(form, programme)
    if not form.is_submitted():
        form.stage.data = next((c.value for c in form.stage.choices if c.label.endswith("(current)")), "")
        form.meeting.data = request.args.get("meeting", "")
        return render_template("contributions/record.html", programme=programme, form=form)
    if not form.validate():
        return render_template("contributions/record.html", programme=programme, form=form), 400
    try:
        contribution = recorded.record(me(), programme, _recording(form))
    except Refused as refusal:
        refuse_on(form, refusal)
        return render_template("contributions/record.html", programme=programme, form=form), 400
    flash("The view is recorded. It waits for an answer like any other view.", "success")
    return redirect(url_for(".show", contribution_id=contribution.id))


# Importing a spreadsheet of recorded views ------------------------------------------------

def _import_page(programme, form, problems=(), status=200):
    return render_template("contributions/import.html", programme=programme, form=form,
                           problems=[{"text": str(p), "href": "#file"} for p in
                                     problems[:importing.PROBLEMS_SHOWN]],
                           problem_count=len(problems), columns=importing.COLUMNS,
                           required=importing.REQUIRED, max_rows=importing.MAX_ROWS,
                           imports=importing.imports(programme)), status


@bp.route("/programmes/<slug>/views/import", methods=["GET", "POST"])
@uploads.size_limit(2)
@login_required
def import_views(slug):
    """Upload a CSV or .xlsx of views gathered at an event; every row is checked before the preview."""
    programme = programme_or_404(slug)
    policy.require(policy.can_record_view(current_user, programme))
    form = ImportForm()
    _stage_choices(form, programme)
    if not form.is_submitted():
        form.stage.data = next((c.value for c in form.stage.choices if c.label.endswith("(current)")), "")
        return _import_page(programme, form)
    if not form.validate():
        return _import_page(programme, form, status=400)
    upload = form.file.data
    data = upload.read()
    upload.close()
    try:
        prepared = importing.prepare(me(), programme, int(form.stage.data), upload.filename or "", data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _import_page(programme, form, status=400)
    if isinstance(prepared, importing.Checked):
        count = len(prepared.problems)
        form.file.errors = [f"The file has {count} problem{'' if count == 1 else 's'}: correct "
                            f"{'it' if count == 1 else 'them'} and upload it again"]
        return _import_page(programme, form, prepared.problems, status=400)
    return redirect(url_for(".view_import", slug=programme.slug, import_id=prepared.id))


@bp.get("/programmes/<slug>/views/imports/<int:import_id>")
@login_required
def view_import(slug, import_id):
    programme, upload = view_import_or_404(slug, import_id)
    policy.require(policy.can_record_view(current_user, programme))
    return render_template("contributions/import_preview.html", programme=programme, upload=upload,
                           rows=importing.preview(programme, upload), can_undo=importing.can_undo(upload),
                           sources=importing.SOURCES, givers=importing.GIVERS)


def _import_step(slug, import_id, step, done, then_list=False):
    """Confirm or undo an import; a refusal is shown on the import's page, done ({count}) on success."""
    programme, upload = view_import_or_404(slug, import_id)
    policy.require(policy.can_record_view(current_user, programme))
    page = url_for(".view_import", slug=programme.slug, import_id=import_id)
    try:
        count = step(me(), programme, upload)
    except Refused as refusal:
        flash(str(refusal), "error")
        return redirect(page)
    flash(done.format(count=count), "success")
    return redirect(url_for(".import_views", slug=programme.slug) if then_list else page)


@bp.post("/programmes/<slug>/views/imports/<int:import_id>/confirm")
@login_required
def confirm_import(slug, import_id):
    return _import_step(slug, import_id, importing.confirm,
                        "{count} views imported. They wait for an answer like any other view.")


@bp.post("/programmes/<slug>/views/imports/<int:import_id>/undo")
@login_required
def undo_import(slug, import_id):
    return _import_step(slug, import_id, importing.undo,
                        "The import is undone: its {count} views are removed.", then_list=True)


@bp.get("/programmes/<slug>/views/import-template.csv")
@login_required
def import_template(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_record_view(current_user, programme))
    return Response(importing.template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="views-import-template.csv"'})
