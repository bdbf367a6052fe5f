"""The notification centre and how each person wants to be told."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import AnyOf

from psp import policy
from psp.forms import ActionForm, choices
from psp.loaders import me
from psp.notifications import bp, services
from psp.notifications.models import DELIVERIES, IMMEDIATE, KINDS


def preferences_form(data=None):
    """One question per kind of notification."""

    class PreferencesForm(FlaskForm):
        submit = SubmitField("Save preferences", widget=GovSubmitInput())

    for kind, label in KINDS.items():
        check = AnyOf(list(DELIVERIES), message=f"Select how to tell you when: {label[0].lower()}{label[1:]}")
        field = RadioField(label, choices=choices(DELIVERIES.items()), default=IMMEDIATE, validators=[check],
                           widget=GovRadioInput(), validate_choice=False)
        setattr(PreferencesForm, kind, field)
    return PreferencesForm(data=data)


@bp.get("/notifications")
@login_required
def index():
    policy.require(policy.can_see_notifications(current_user))
    page = services.page(current_user, request.args.get("page"))
    return render_template("notifications/index.html", page=page, form=ActionForm())


@bp.post("/notifications/read")
@login_required
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_all_read(me())
    flash("All notifications are marked as read.", "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    policy.require(policy.can_see_notifications(current_user))
    saved = services.preferences(current_user)
    form = preferences_form(None if request.method == "POST" else {k: saved.get(k, IMMEDIATE) for k in KINDS})
    if form.validate_on_submit():
        services.save_preferences(me(), {kind: getattr(form, kind).data for kind in KINDS})
        flash("Your notification preferences are saved.", "success")
        return redirect(url_for(".preferences"))
    status = 400 if form.is_submitted() else 200
    return render_template("notifications/preferences.html", form=form, kinds=KINDS), status
