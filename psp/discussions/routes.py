"""Discussion pages: thin; who may do what is in policy, the rules in services."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psp import policy
from psp.auth.models import Person
from psp.cache import for_audience
from psp.discussions import bp, services
from psp.discussions.forms import (
    CloseForm,
    EditForm,
    HideForm,
    ReplyForm,
    ReportForm,
    StartForm,
    ViewForm,
    ids,
    optional_id,
)
from psp.errors import Refused
from psp.extensions import limiter
from psp.forms import ActionForm, choices, refuse_on, search_text
from psp.loaders import discussion_or_404, me, message_or_404, programme_or_404, report_or_404
from psp.text import render_markdown

# Posting is limited per person (not per address: colleagues share an office's address).
POSTING = "10 per minute;100 per day"


def _person_key() -> str:
    return f"person:{current_user.get_id() or request.remote_addr}"


posting_limit = limiter.shared_limit(POSTING, scope="discussion-posts", key_func=_person_key,
                                     methods=["POST"])


def _mention_choices(form, programme):
    form.mentions.choices = choices(services.mention_choices(programme))


# Lists ---------------------------------------------------------------------------------

@bp.get("/programmes/<slug>/discussions")
@for_audience(own_state=services.own_state)
def index(slug):
    programme = programme_or_404(slug)
    filters = services.filters_from(request.args, search_text(request.args.get("q"), 100))
    page = services.listing(current_user, programme, filters, request.args.get("after"))
    pinned = services.pinned(current_user, programme) if page.first and not filters.active else []
    return render_template("discussions/index.html", programme=programme, page=page, pinned=pinned,
                           filters=filters)


@bp.route("/programmes/<slug>/discussions/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_start_discussion(current_user, programme))
    form = StartForm()
    stages, meetings, questions = services.place_choices(programme, True)
    form.stage.choices = choices([("", "Not on a stage")] + [
        (s.id, f"{s.name}, cycle {s.cycle.number}") for s in stages])
    form.meeting.choices = choices([("", "Not on a meeting")] + [
        (m.id, f"{m.title} ({m.starts_at:%d %b %Y})") for m in meetings])
    form.question.choices = choices([("", "Not on a question")] + [(q.id, q.text[:100]) for q in questions])
    _mention_choices(form, programme)
    if request.method == "GET":
        for name in ("stage", "meeting", "question"):
            if request.args.get(name):
                form[name].data = request.args.get(name)
    if form.validate_on_submit():
        data = {"title": form.title.data, "body": form.body.data, "audience": form.audience.data,
                "stage_id": optional_id(form.stage.data), "meeting_id": optional_id(form.meeting.data),
                "question_id": optional_id(form.question.data), "mentions": ids(form.mentions.data)}
        try:
            discussion = services.start(me(), programme, data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("Your discussion is started. You follow it, so you will hear of replies.", "success")
            return redirect(url_for(".show", discussion_id=discussion.id))
    return render_template("discussions/new.html", programme=programme, form=form), (
        400 if form.is_submitted() else 200)


# One discussion ----------------------------------------------------------------------------

def _thread_state(person: Person, discussion_id: int) -> str:
    _programme, discussion = discussion_or_404(person, discussion_id)
    g.thread_seen = discussion, services.seen_before(person, discussion)
    return services.thread_state(person, discussion, g.thread_seen[1])


def _seen_on_kept(discussion_id: int) -> None:
    """A kept copy was given: remember how far the person has read, as drawing it would have."""
    discussion, before = g.thread_seen
    services.mark_seen(me(), discussion.id, discussion.message_count, before)


@bp.get("/discussions/<int:discussion_id>")
@for_audience(own_state=_thread_state, on_kept=_seen_on_kept)
def show(discussion_id):
    programme, discussion = discussion_or_404(current_user, discussion_id)
    before = services.seen_before(current_user, discussion)
    thread = services.thread(current_user, programme, discussion, request.args.get("page"),
                             before or (0, False))
    form = None
    if policy.can_post_message(current_user, programme, discussion):
        form = ReplyForm()
        _mention_choices(form, programme)
    page = render_template("discussions/show.html", programme=programme, discussion=discussion,
                           thread=thread, form=form, action_form=ActionForm(),
                           bodies={m.id: render_markdown(m.body) for m in thread.messages if m.is_shown},
                           summary=render_markdown(discussion.closing_summary))
    if policy.is_signed_in(current_user):
        services.mark_seen(me(), discussion.id, discussion.message_count, before)
    return page


@bp.route("/discussions/<int:discussion_id>/reply", methods=["GET", "POST"])
@login_required
@posting_limit
def reply(discussion_id):
    programme, discussion = discussion_or_404(current_user, discussion_id)
    policy.require(policy.can_post_message(current_user, programme, discussion))
    form = ReplyForm()
    _mention_choices(form, programme)
    quoted_id = optional_id(form.reply_to.data if form.is_submitted() else request.args.get("to"))
    quoted = None
    if quoted_id:
        _programme, in_discussion, quoted = services.get_message(quoted_id)
        if in_discussion is None or in_discussion.id != discussion.id:
            quoted = None
    if request.method == "GET" and quoted is not None:
        form.reply_to.data = str(quoted.id)
    if form.validate_on_submit():
        try:
            message = services.reply(me(), programme, discussion, form.body.data, quoted_id,
                                     ids(form.mentions.data))
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("Your reply is posted.", "success")
            return _back(message)
    return render_template("discussions/reply.html", programme=programme, discussion=discussion, form=form,
                           quoted=quoted), 400 if form.is_submitted() else 200


@bp.post("/discussions/<int:discussion_id>/follow")
@login_required
def follow(discussion_id):
    programme, discussion = discussion_or_404(current_user, discussion_id)
    policy.require(policy.can_follow_discussion(current_user, programme, discussion))
    following = request.form.get("follow") != "no"
    services.follow(me(), discussion, following)
    flash("You follow this discussion: you will hear of new replies." if following
          else "You no longer follow this discussion.", "success")
    return redirect(url_for(".show", discussion_id=discussion.id))


@bp.route("/discussions/<int:discussion_id>/close", methods=["GET", "POST"])
@login_required
def close(discussion_id):
    programme, discussion = discussion_or_404(current_user, discussion_id)
    policy.require(policy.can_close_discussion(current_user, programme, discussion))
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close(me(), programme, discussion, form.summary.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("The discussion is closed to new replies.", "success")
            return redirect(url_for(".show", discussion_id=discussion.id))
    return render_template("discussions/close.html", programme=programme, discussion=discussion, form=form), (
        400 if form.is_submitted() else 200)


@bp.post("/discussions/<int:discussion_id>/pin")
@login_required
def pin(discussion_id):
    programme, discussion = discussion_or_404(current_user, discussion_id)
    policy.require(policy.can_pin_discussion(current_user, programme, discussion))
    services.pin(me(), discussion, not discussion.pinned)
    flash("The discussion is pinned to the top of the list." if discussion.pinned
          else "The discussion is no longer pinned.", "success")
    return redirect(url_for(".show", discussion_id=discussion.id))


# One message ---------------------------------------------------------------------------------

@bp.get("/messages/<int:message_id>")
def message(message_id):
    """A stable link to a message: the page of its discussion it is on."""
    _programme, discussion, found = message_or_404(current_user, message_id)
    return redirect(url_for(".show", discussion_id=discussion.id, page=services.page_of(found.number),
                            _anchor=f"message-{found.number}"))


def _back(message):
    return redirect(url_for(".show", discussion_id=message.discussion_id,
                            page=services.page_of(message.number), _anchor=f"message-{message.number}"))


@bp.route("/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
@posting_limit
def edit(message_id):
    programme, discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.is_message_author(current_user, found))
    form = EditForm(data=None if request.method == "POST" else {"body": found.body})
    status = 200
    if not policy.can_edit_message(current_user, programme, discussion, found):
        # The window closed, or a coordinator hid it: say so, keeping what was typed.
        form.validate_on_submit()
        form.body.errors = [services.why_fixed(discussion, found)]
        status = 409
    elif form.validate_on_submit():
        try:
            services.edit(me(), found, form.body.data)
        except Refused as refusal:
            refuse_on(form, refusal)
            status = 409
        else:
            flash("Your message is changed.", "success")
            return _back(found)
    elif form.is_submitted():
        status = 400
    return render_template("discussions/edit.html", programme=programme, discussion=discussion, message=found,
                           form=form), status


@bp.route("/messages/<int:message_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(message_id):
    programme, discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.can_withdraw_message(current_user, found))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.withdraw(me(), found)
        except Refused as refusal:
            flash(str(refusal))
        else:
            flash("Your message is withdrawn.", "success")
        return _back(found)
    return render_template("discussions/withdraw.html", programme=programme, discussion=discussion,
                           message=found, form=form)


@bp.route("/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", key_func=_person_key, methods=["POST"], scope="discussion-reports")
def report(message_id):
    programme, discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.can_report_message(current_user, programme, discussion, found))
    form = ReportForm()
    if form.validate_on_submit():
        services.report(me(), programme, found, form.reason.data)
        flash("Thank you. The coordinators will look at the message.", "success")
        return _back(found)
    return render_template("discussions/report.html", programme=programme, discussion=discussion,
                           message=found, form=form), 400 if form.is_submitted() else 200


@bp.route("/messages/<int:message_id>/hide", methods=["GET", "POST"])
@login_required
def hide(message_id):
    programme, discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.can_hide_message(current_user, programme, found))
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.hide(me(), programme, found, form.reason.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("The message is hidden and its author is told why.", "success")
            return _back(found)
    return render_template("discussions/hide.html", programme=programme, discussion=discussion,
                           message=found, form=form, body=render_markdown(found.body)), (
        400 if form.is_submitted() else 200)


@bp.post("/messages/<int:message_id>/restore")
@login_required
def restore(message_id):
    programme, _discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.can_restore_message(current_user, programme, found))
    try:
        services.restore(me(), programme, found)
    except Refused as refusal:
        flash(str(refusal))
    else:
        flash("The message is shown again.", "success")
    return _back(found)


@bp.route("/messages/<int:message_id>/view", methods=["GET", "POST"])
@login_required
def make_view(message_id):
    programme, discussion, found = message_or_404(current_user, message_id)
    policy.require(policy.can_make_view_of_message(current_user, programme, found))
    form = ViewForm(data=None if request.method == "POST"
                    else {"title": discussion.title, "body": found.body})
    if form.validate_on_submit():
        try:
            view = services.make_view(me(), programme, discussion, found, form.title.data, form.body.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            if policy.is_member(current_user, found.organisation):
                flash("A draft view is made. Check it and submit it when it is ready.", "success")
                return redirect(url_for("contributions.show", contribution_id=view.id))
            flash(f"A draft view is made for {found.organisation.name}; its members are told, and "
                  "check and submit it.", "success")
            return _back(found)
    return render_template("discussions/make_view.html", programme=programme, discussion=discussion,
                           message=found, form=form), 400 if form.is_submitted() else 200


# Moderation -----------------------------------------------------------------------------------

@bp.get("/programmes/<slug>/discussions/reports")
@login_required
def reports(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_moderate_discussions(current_user, programme))
    page = services.reports(programme, request.args.get("page"))
    return render_template("discussions/reports.html", programme=programme, page=page, form=ActionForm())


@bp.post("/programmes/<slug>/discussions/reports/<int:report_id>/dismiss")
@login_required
def dismiss(slug, report_id):
    programme = programme_or_404(slug)
    policy.require(policy.can_moderate_discussions(current_user, programme))
    _programme, found = report_or_404(slug, report_id)
    try:
        services.dismiss(me(), found)
    except Refused as refusal:
        flash(str(refusal))
    else:
        flash("The report is dismissed; the message stays as it was.", "success")
    return redirect(url_for(".reports", slug=programme.slug))
