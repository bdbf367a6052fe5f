"""Before each request: a person who decides (site admin, coordinator, NHS lead) and has no second
factor (an authenticator app or a passkey) sets one up before anything else. Pages they may still
reach: setting one up, their account and its data, signing out, the privacy and accessibility
pages, and static files."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from psp import policy

OPEN = {"auth.two_factor", "auth.two_factor_start", "auth.two_factor_set_up", "auth.passkey_add",
        "auth.passkey_options", "auth.sign_out", "auth.account", "auth.download_data",
        "auth.delete_account", "auth.sign_out_everywhere",
        "auth.change_password", "core.privacy", "core.accessibility", "core.healthz", "static",
        "govuk_assets"}
MESSAGE = ("You are a site admin, coordinator or NHS lead: set up two-factor sign-in before you "
           "do anything else.")


def require_second_factor() -> Response | tuple[str, int] | None:
    if not current_app.config["REQUIRE_SECOND_FACTOR"] or request.endpoint in OPEN:
        return None
    if request.endpoint is None or not current_user.is_authenticated:
        return None
    if not policy.is_held_back_for_second_factor(current_user):
        return None
    if request.method in ("GET", "HEAD"):
        flash(MESSAGE)
        return redirect(url_for("auth.two_factor"))
    return render_template("auth/two_factor_required.html"), 403
