"""Update pages and the Atom feed: thin; who sees what is in services.visible and policy."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import httpcache, policy
from psp.cache import for_audience
from psp.documents import services as documents
from psp.documents.models import UPDATE
from psp.loaders import me, programme_or_404, update_or_404
from psp.pagination import paginate
from psp.text import render_markdown
from psp.updates import bp, services
from psp.updates.forms import UpdateForm


@bp.get("/programmes/<slug>/updates")
@for_audience
def index(slug):
    programme = programme_or_404(slug)
    page = paginate(services.visible(current_user, programme), request.args.get("page"), size=10)
    return render_template("updates/index.html", programme=programme, page=page,
                           bodies={u.id: render_markdown(u.body) for u in page.items})


@bp.get("/programmes/<slug>/updates.atom")
def feed(slug):
    programme = programme_or_404(slug)
    updates = services.latest(current_user, programme, services.FEED_SIZE)
    return httpcache.feed(Response(services.atom(programme, updates), mimetype="application/atom+xml"),
                          services.last_changed(programme))


@bp.get("/updates/<int:update_id>")
def show(update_id):
    programme, update = update_or_404(current_user, update_id)
    return render_template("updates/show.html", programme=programme, update=update,
                           body=render_markdown(update.body),
                           documents=documents.on(current_user, UPDATE, update, programme))


def _form_page(programme, form, update=None):
    return render_template("updates/form.html", programme=programme, form=form, update=update), (
        400 if form.is_submitted() else 200)


@bp.route("/programmes/<slug>/updates/new", methods=["GET", "POST"])
@login_required
def new(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_post_updates(current_user, programme))
    form = UpdateForm()
    if form.validate_on_submit():
        update = services.post(me(), programme, form.title.data, form.body.data, form.audience.data)
        flash(f"Your update “{update.title}” is posted.", "success")
        return redirect(url_for(".show", update_id=update.id))
    return _form_page(programme, form)


@bp.route("/updates/<int:update_id>/edit", methods=["GET", "POST"])
@login_required
def edit(update_id):
    programme, update = update_or_404(current_user, update_id)
    policy.require(policy.can_post_updates(current_user, programme))
    form = UpdateForm(data=None if request.method == "POST" else {
        "title": update.title, "body": update.body, "audience": update.audience})
    if form.validate_on_submit():
        services.post(me(), programme, form.title.data, form.body.data, form.audience.data, update)
        flash("The update is changed.", "success")
        return redirect(url_for(".show", update_id=update.id))
    return _form_page(programme, form, update)
