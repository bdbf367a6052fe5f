"""Who has taken part in a programme: areas, kinds of organisation and communities, and the gaps."""

from flask import Blueprint

bp = Blueprint("reach", __name__)

from psp.reach import routes  # noqa: E402,F401
