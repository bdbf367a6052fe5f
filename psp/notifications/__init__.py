"""What the app tells people: a notification centre, with email at once, a daily digest, or neither."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from psp.notifications import routes  # noqa: E402,F401
