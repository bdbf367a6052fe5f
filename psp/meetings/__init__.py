from flask import Blueprint

bp = Blueprint("meetings", __name__)

from psp.meetings import routes  # noqa: E402,F401
