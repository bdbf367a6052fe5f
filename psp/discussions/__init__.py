"""Discussions: partners talking with each other and with the leads, moderated by the coordinators."""

from flask import Blueprint

bp = Blueprint("discussions", __name__)

from psp.discussions import routes  # noqa: E402,F401
