"""A programme's register of interests: who declared what, and when they last confirmed it."""

from flask import Blueprint

bp = Blueprint("interests", __name__)

from psp.interests import routes  # noqa: E402,F401
