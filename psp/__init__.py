"""PSP Co-design: the application factory."""

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, send_from_directory
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from psp import config as settings
from psp import database  # noqa: F401  (registers the SQLite engine events)
from psp.errors import UNAVAILABLE
from psp.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
ERROR_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
class DatabaseInteger(IntegerConverter):
    """`<int:...>` in every route: a number too big for a database integer is simply not found."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2_147_483_647, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.url_map.converters["int"] = DatabaseInteger
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    settings.check_production(app.config)
    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        # Flask documents wrapping wsgi_app; its type hints call it a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
    register_security(app)
    register_caching(app)  # after register_security, so its hook runs first
    register_errors(app)
    register_cli(app)
    if app.config["BENCH"]:
        # The benchmark's yardstick: the same app and middleware, no database, no template.
        app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None  # sessions end through the session counter
    from psp import cache, storage, uploads

    cache.init_app(app)  # first, so a kept page is served before anything else is read

    app.before_request(uploads.apply_size_limit)  # before CSRFProtect reads the form
    csrf.init_app(app)
    limiter.init_app(app)
    storage.init_app(app)
    from psp import audit, mail  # noqa: F401  (models)
    from psp.auth import models, sessions  # noqa: F401
    from psp.contributions import models as contribution_models  # noqa: F401
    from psp.cycles import models as cycle_models  # noqa: F401
    from psp.discussions import models as discussion_models  # noqa: F401
    from psp.documents import models as document_models  # noqa: F401
    from psp.engagement import models as engagement_models  # noqa: F401
    from psp.meetings import models as meeting_models  # noqa: F401
    from psp.notifications import models as notification_models  # noqa: F401
    from psp.organisations import models as organisation_models  # noqa: F401
    from psp.programmes import models as programme_models  # noqa: F401
    from psp.updates import models as update_models  # noqa: F401


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from psp import policy
    from psp.timeutil import format_clock, format_datetime, format_day

    app.jinja_env.globals.update(policy.RULES)
    from psp.notifications.services import unread_count

    app.jinja_env.globals["unread_notifications"] = unread_count
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["clock"] = format_clock
    assets = ROOT / "static" / "dist" / "assets"

    @app.get("/assets/<path:filename>")
    def govuk_assets(filename: str) -> Response:
        """GOV.UK Frontend's compiled CSS refers to /assets/..."""
        return send_from_directory(assets, filename, max_age=86400)


def register_blueprints(app: Flask) -> None:
    from psp.admin import bp as admin_bp
    from psp.auth import bp as auth_bp
    from psp.auth.gate import require_second_factor
    from psp.auth.sessions import enforce_timeouts
    from psp.contributions import bp as contributions_bp
    from psp.core import bp as core_bp
    from psp.cycles import bp as cycles_bp
    from psp.discussions import bp as discussions_bp
    from psp.documents import bp as documents_bp
    from psp.engagement import bp as engagement_bp
    from psp.interests import bp as interests_bp
    from psp.mail import send_queued_after_request
    from psp.meetings import bp as meetings_bp
    from psp.notifications import bp as notifications_bp
    from psp.organisations import bp as organisations_bp
    from psp.programmes import bp as programmes_bp
    from psp.reach import bp as reach_bp
    from psp.updates import bp as updates_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(cycles_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(updates_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(discussions_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reach_bp)
    app.register_blueprint(engagement_bp)
    app.register_blueprint(interests_bp)
    app.before_request(enforce_timeouts)
    app.before_request(require_second_factor)  # after the session's timeouts, so it sees who is signed in

    @app.after_request
    def _send_mail(response: Response) -> Response:
        send_queued_after_request()
        return response


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'")


def register_security(app: Flask) -> None:
    production = app.config["PSP_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        if production:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response


def register_caching(app: Flask) -> None:
    """ETags, 304s and Cache-Control for feeds and visitors' pages (psp/httpcache.py)."""
    from psp import httpcache

    httpcache.init_app(app)


Page = tuple[str, int, dict[str, str]]  # an error page: body, status, headers


def register_errors(app: Flask) -> None:
    def render_error(code: int) -> Page:
        page = render_template("errors/error.html", code=code, title=ERROR_TITLES[code])
        return page, code, UNAVAILABLE if code == 503 else {}

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> HTTPException | Page:
        code = error.code if error.code in ERROR_TITLES else None
        if code is None:
            return error
        db.session.rollback()
        return render_error(code)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/error.html", code=400, title=ERROR_TITLES[400],
                               csrf=True), 400

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> Page:
        """The database is unreachable: say so without touching it again."""
        app.logger.error("database unavailable: %s", error)
        try:
            db.session.rollback()
        except OperationalError:
            pass
        return render_template("errors/error.html", code=503, title=ERROR_TITLES[503],
                               plain=True), 503, UNAVAILABLE

    @app.errorhandler(500)
    def _server_error(error: Exception) -> Page:
        db.session.rollback()
        return render_error(500)


def register_cli(app: Flask) -> None:
    from psp.cli import psp_cli

    app.cli.add_command(psp_cli)
