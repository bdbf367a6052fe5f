"""Engagement plans per cycle and reviews against the National Standards for Community Engagement."""

from flask import Blueprint

bp = Blueprint("engagement", __name__, url_prefix="/programmes")

from psp.engagement import routes  # noqa: E402,F401
