from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

from psp.organisations import routes  # noqa: E402,F401
