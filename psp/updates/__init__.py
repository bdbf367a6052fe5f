"""Updates coordinators post on a programme, on its page and in an Atom feed."""

from flask import Blueprint

bp = Blueprint("updates", __name__)

from psp.updates import routes  # noqa: E402,F401
