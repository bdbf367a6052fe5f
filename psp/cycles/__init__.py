from flask import Blueprint

bp = Blueprint("cycles", __name__, url_prefix="/programmes")

from psp.cycles import routes  # noqa: E402,F401
