"""Views: what partners tell the programme (``Contribution`` in code), and the answers."""

from flask import Blueprint

bp = Blueprint("contributions", __name__)

from psp.contributions import routes  # noqa: E402,F401
