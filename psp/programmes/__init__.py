from flask import Blueprint

bp = Blueprint("programmes", __name__, url_prefix="/programmes")

from psp.programmes import routes  # noqa: E402,F401
