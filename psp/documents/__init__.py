"""Documents: papers on meetings, reports on stages, files with updates and views; and requests
for a document in another format."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from psp.documents import routes  # noqa: E402,F401
