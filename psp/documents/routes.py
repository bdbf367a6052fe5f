"""Every URL of documents and of requests for another format."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from psp import policy, uploads
from psp.cache import for_audience
from psp.cycles.models import KINDS
from psp.documents import bp, services
from psp.documents.forms import DeleteForm, DocumentForm, FormatForm, ReplaceForm, SentForm
from psp.documents.models import CATEGORIES, MEETING, REQUESTED, SENT, STAGE, UPDATE, VIEW
from psp.errors import Refused
from psp.forms import choices, refuse_on
from psp.loaders import (
    document_or_404,
    format_request_or_404,
    me,
    or_404,
    parent_or_404,
    programme_or_404,
    stage_or_404,
)


def _upload_page(template, parent, form, status=200, **context):
    return render_template(f"documents/{template}.html", parent=parent, programme=parent.programme,
                           form=form, **context), status


def _attach(parent):
    policy.require(policy.can_attach_document(current_user, parent.programme, parent.record))
    form = DocumentForm()
    form.category.choices = choices(CATEGORIES[parent.kind].items())
    form.audience.choices = choices(services.audiences(parent).items())
    if not form.is_submitted():
        form.category.data = next(iter(CATEGORIES[parent.kind]))
        form.audience.data = next(iter(services.audiences(parent)))
    if not form.validate_on_submit():
        return _upload_page("new", parent, form, 400 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        document = services.attach(me(), parent, form.title.data, form.summary.data, form.category.data,
                                   form.audience.data, upload.stream, upload.filename or "")
    except Refused as refusal:
        refuse_on(form, refusal)
        return _upload_page("new", parent, form, 400)
    finally:
        upload.close()
    flash(f"“{document.title}” is attached.", "success")
    return redirect(parent.url)


@bp.route("/meetings/<int:meeting_id>/documents/new", methods=["GET", "POST"])
@login_required
def attach_to_meeting(meeting_id):
    return _attach(parent_or_404(current_user, MEETING, meeting_id))


@bp.route("/programmes/<slug>/cycles/<int:number>/<any(" + ", ".join(KINDS) + "):kind>/documents/new",
          methods=["GET", "POST"])
@login_required
def attach_to_stage(slug, number, kind):
    programme, stage = stage_or_404(slug, number, kind)
    return _attach(services.Parent(STAGE, stage, programme))


@bp.route("/updates/<int:update_id>/documents/new", methods=["GET", "POST"])
@login_required
def attach_to_update(update_id):
    return _attach(parent_or_404(current_user, UPDATE, update_id))


@bp.route("/views/<int:contribution_id>/documents/new", methods=["GET", "POST"])
@login_required
def attach_to_view(contribution_id):
    return _attach(parent_or_404(current_user, VIEW, contribution_id))


@bp.get("/documents/<int:document_id>")
@for_audience
def show(document_id):
    parent, document = document_or_404(current_user, document_id)
    return render_template("documents/show.html", parent=parent, programme=parent.programme,
                           document=document, versions=services.versions(document),
                           seen_by=services.seen_by(document, parent))


def _download(record, document):
    response = send_file(services.opened(record), mimetype=record.mime, as_attachment=True,
                         download_name=uploads.download_name(document.title, record.extension),
                         conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    if record.size:
        response.content_length = record.size
    return response


@bp.get("/documents/<int:document_id>/download")
def download(document_id):
    _parent, document = document_or_404(current_user, document_id)
    return _download(document, document)


@bp.get("/documents/<int:document_id>/versions/<int:number>/download")
def download_version(document_id, number):
    _parent, document = document_or_404(current_user, document_id)
    return _download(or_404(services.version(document, number)), document)


@bp.route("/documents/<int:document_id>/replace", methods=["GET", "POST"])
@login_required
def replace(document_id):
    parent, document = document_or_404(current_user, document_id)
    policy.require(policy.can_change_document(current_user, parent.programme, document, parent.record))
    form = ReplaceForm()
    seen = request.form.get("version", type=int)
    if not form.validate_on_submit():
        return _upload_page("replace", parent, form, 400 if form.is_submitted() else 200, document=document)
    upload = form.file.data
    try:
        services.replace(me(), document, seen, upload.stream, upload.filename or "")
    except Refused as refusal:
        refuse_on(form, refusal)
        status = 409 if isinstance(refusal, services.Superseded) else 400
        return _upload_page("replace", parent, form, status, document=document)
    finally:
        upload.close()
    flash(f"A new version of “{document.title}” is uploaded; the earlier one is in its history.", "success")
    return redirect(url_for(".show", document_id=document.id))


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@login_required
def delete(document_id):
    parent, document = document_or_404(current_user, document_id)
    policy.require(policy.can_change_document(current_user, parent.programme, document, parent.record))
    form = DeleteForm()
    if not form.validate_on_submit():
        return _upload_page("delete", parent, form, 400 if form.is_submitted() else 200, document=document)
    title = document.title
    services.delete(me(), document)
    flash(f"“{title}” and its earlier versions are deleted.", "success")
    return redirect(parent.url)


# Other formats ------------------------------------------------------------------------

@bp.route("/documents/<int:document_id>/formats", methods=["GET", "POST"])
@login_required
def ask_for_format(document_id):
    parent, document = document_or_404(current_user, document_id)
    policy.require(policy.can_ask_for_format(current_user, parent.programme, document))
    form = FormatForm()
    if not form.validate_on_submit():
        return _upload_page("format", parent, form, 400 if form.is_submitted() else 200, document=document)
    services.ask_for_format(me(), parent.programme, document, form.format.data, form.detail.data)
    flash("Your request is sent to the programme's coordinators. We will tell you when they send the "
          "document to you.", "success")
    return redirect(url_for(".show", document_id=document.id))


@bp.get("/programmes/<slug>/format-requests")
@login_required
def format_requests(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_handle_format_requests(current_user, programme))
    status = SENT if request.args.get("status") == SENT else REQUESTED
    return render_template("documents/format_requests.html", programme=programme, status=status,
                           requests=services.format_requests(programme, status, request.args.get("page")))


@bp.route("/programmes/<slug>/format-requests/<int:request_id>/sent", methods=["GET", "POST"])
@login_required
def mark_sent(slug, request_id):
    programme, asked = format_request_or_404(slug, request_id)
    policy.require(policy.can_handle_format_requests(current_user, programme))
    form = SentForm()
    if asked.status == SENT or not form.validate_on_submit():
        status = (409 if asked.status == SENT else 400) if form.is_submitted() else 200
        return render_template("documents/mark_sent.html", programme=programme, asked=asked,
                               form=form), status
    services.mark_sent(me(), programme, asked, form.note.data)
    flash(f"{asked.requester.name} is told that “{asked.document.title}” was sent.", "success")
    return redirect(url_for(".format_requests", slug=programme.slug))
