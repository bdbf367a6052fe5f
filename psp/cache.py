"""Rendered pages kept between requests, under keys that carry the data version.

Every transaction that changes what a page could show replaces the one-row data_version's value
(with a random one, so a rolled-back change can never reuse a key) in the same transaction, from
the engine's own events: ORM flushes, Core statements and CLI jobs alike. A page is looked up
under the version read before anything else the request reads, so a change is on the next
request and nothing is ever invalidated by hand. Two kinds of page are kept: what every visitor
is given (anonymous GETs that set no cookie and hold no form token), and signed-in pages marked
with for_audience, shared by people the rules cannot tell apart (policy.audience), with what is
the person's own drawn afresh. Per-worker memory by default, Redis when CACHE_URL is set.
"""

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    make_response,
    render_template,
    request,
    session,
)
from flask.typing import ResponseReturnValue
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, Integer, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from psp import policy
from psp.extensions import Model, db

cache = Cache()

# Tables whose rows no kept page shows: a change to them leaves the version as it is. Read
# markers and sessions are written by reads and sign-ins; the rest are private to a person.
UNSHOWN = frozenset({
    "data_version", "alembic_version", "user_sessions", "discussion_readers", "notifications",
    "notification_preferences", "outbox_messages", "audit_entries", "second_factors", "recovery_codes",
    "passkeys",
})
_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
_READ = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|PRAGMA|BEGIN|COMMIT|SET|SHOW)\b", re.I)
_SCHEMA = re.compile(r"\s*(?:CREATE|ALTER|DROP)\b", re.I)
CHANGED = "psp_changed"
_table_seen: set[str] = set()   # engines whose data_version table exists (checked until it does)
BODY_LIMIT = 512 * 1024         # larger pages are not worth the memory
KEPT_TYPES = frozenset({"text/html", "text/calendar", "application/atom+xml"})
ROUTE_HEADERS = ("Content-Disposition", "ETag", "Last-Modified")   # set by routes, kept with the body


class DataVersion(Model):
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


def changes_content(statement: str) -> bool:
    """Whether a statement may change what a kept page shows: writes to any table but UNSHOWN's,
    and anything unrecognised (a WITH ... INSERT, say)."""
    found = _WRITE.match(statement)
    if found:
        return found.group(1).lower() not in UNSHOWN
    return not _READ.match(statement)


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
    if _SCHEMA.match(statement):   # migrations: the table may come or go; look again at the next write
        _table_seen.discard(str(conn.engine.url))
        return
    if not conn.info.get(CHANGED) and changes_content(statement):
        conn.info[CHANGED] = True
        if has_app_context():
            g.psp_changed = True   # this request's page may show its own uncommitted change


def _bump(conn: Connection) -> None:
    """A new version in the transaction about to commit, through the DBAPI cursor (the
    transaction is being committed and cannot take statements through SQLAlchemy)."""
    if not conn.info.pop(CHANGED, False):
        return
    raw = conn.connection.dbapi_connection
    if raw is None:
        return
    cursor = raw.cursor()
    try:
        key = str(conn.engine.url)
        if key not in _table_seen:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'data_version'"
                           if conn.dialect.name == "sqlite" else "SELECT to_regclass('data_version')")
            row = cursor.fetchone()
            if not row or row[0] is None:
                return   # migrations have not made it yet
            _table_seen.add(key)
        value = secrets.randbits(62)   # an int, written as a literal: the cursor's paramstyle varies
        cursor.execute(f"INSERT INTO data_version (id, value) VALUES (1, {value}) "
                       f"ON CONFLICT (id) DO UPDATE SET value = {value}")
    finally:
        cursor.close()


@event.listens_for(Engine, "commit")
def _on_commit(conn: Connection) -> None:
    _bump(conn)


@event.listens_for(Engine, "release_savepoint")
def _on_release(conn: Connection, name: str, context: Any) -> None:
    """A session joined to an outer transaction (the tests' worlds) commits by releasing a
    savepoint; the version changes with it, and goes back with the outer rollback."""
    _bump(conn)


@event.listens_for(Engine, "rollback")
def _on_rollback(conn: Connection) -> None:
    conn.info.pop(CHANGED, None)


def data_version() -> int | None:
    """None when it cannot be read (no database, or one not yet migrated): nothing is kept then.
    Remembered for the request (read_model uses it)."""
    try:
        version = int(db.session.execute(text("SELECT value FROM data_version WHERE id = 1")).scalar() or 0)
    except DBAPIError:
        db.session.rollback()
        return None
    g.data_version = version
    return version


def read_model(name: str, build: Callable[[], Any]) -> Any:
    """What build() reads from the database, kept under the data version this request read first
    (on kept pages' requests only, and only while the request has written nothing)."""
    version = g.get("data_version")
    if version is None or g.get("psp_changed") or not current_app.config["PAGE_CACHE"]:
        return build()
    key = f"model:{version}:{name}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found)
    return found


# Pages ------------------------------------------------------------------------------------

NOT_PAGES = frozenset({None, "static", "govuk_assets", "core.healthz", "bench_bare"})


def _may_keep() -> bool:
    """An anonymous GET whose page every visitor would be given."""
    return (current_app.config["PAGE_CACHE"] and request.method == "GET" and request.endpoint not in NOT_PAGES
            and all(k in ("csrf_token", "_permanent") for k in session.keys()))


def _minute() -> int:
    """Part of every key: pages say "today", "upcoming", "closes in", so a kept copy lives a minute
    at most."""
    return int(time.time() // 60)


def _key() -> str | None:
    version = data_version()
    if version is None:
        return None
    return f"page:{version}:{_minute()}:{request.scheme}://{request.host}{request.full_path}"


def serve_kept() -> Response | None:
    g.pop("psp_changed", None)
    g.pop("data_version", None)
    if not _may_keep():
        if (current_app.config["PAGE_CACHE"] and request.method == "GET" and "_user_id" in session
                and request.endpoint not in NOT_PAGES):
            data_version()   # first, so what the person holds can be kept under it (read_model)
        return None
    key = _key()
    if key is None:
        return None
    kept = cache.get(key)
    if kept is not None:
        body, content_type, headers = kept
        response = Response(body, content_type=content_type)
        response.headers.update(headers)
        g.http_feed = "ETag" in headers   # feeds carry their own validators (psp.httpcache.feed)
        return response
    g.page_key = key
    return None


def keep(response: Response) -> Response:
    key = g.pop("page_key", None)
    if (key is not None and response.status_code == 200 and response.mimetype in KEPT_TYPES
            and not response.direct_passthrough and "csrf_token" not in g and not session.modified
            and not g.get("psp_changed")
            and "Set-Cookie" not in response.headers):
        body = response.get_data()
        if len(body) <= BODY_LIMIT:
            headers = {name: response.headers[name] for name in ROUTE_HEADERS if name in response.headers}
            if not g.get("http_feed"):
                headers.pop("ETag", None)   # a page's ETag is drawn again from its body
            cache.set(key, (body, response.content_type, headers))
    return response


def init_app(app: Flask) -> None:
    url = app.config["CACHE_URL"]
    if url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "psp:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 300}
    cache.init_app(app, config={**config, "CACHE_DEFAULT_TIMEOUT": 120})
    app.before_request(serve_kept)
    app.after_request(keep)


# Pages for an audience ---------------------------------------------------------------------

_HEADER = re.compile(r'<header class="govuk-template__header">.*?</header>', re.S)
HEADER_HOLE = "\x00header\x00"
TOKEN_HOLE = "\x00csrf\x00"


_PERSONAL = re.compile(r"<!--personal:(\w+)-->.*?<!--/personal:\1-->", re.S)
Personal = Callable[..., Mapping[str, str]]


def personal_hole(name: str) -> str:
    return f"\x00personal:{name}\x00"


def for_audience(view: Callable[..., ResponseReturnValue] | None = None, *, personal: Personal | None = None,
                 own_state: Callable[..., str] | None = None, on_kept: Callable[..., None] | None = None
                 ) -> Any:
    """A signed-in page that asks about the person only through the rules: kept for everyone with
    the same policy.audience, with the header (their name, unread count, sign-out form) and the form
    tokens of the session drawn afresh for each request. A part of the page that is the person's
    own (unread markers, say) is marked in the template with _personal.html's macro and drawn
    afresh by ``personal``, given the route's arguments: {name: html}. A page that shows the
    person's own record (their booking) names everything it shows of it in ``own_state``, given the
    person and the route's arguments, which joins the key: people in the same state share the
    page. ``on_kept`` does what the route does besides drawing the page (a read marker) when a kept
    copy is given."""
    if view is None:
        return lambda found: for_audience(found, personal=personal, own_state=own_state, on_kept=on_kept)

    @wraps(view)
    def kept_view(**kwargs: Any) -> ResponseReturnValue:
        if not (current_app.config["PAGE_CACHE"] and request.method == "GET"
                and policy.is_signed_in(current_user) and "_flashes" not in session):
            return view(**kwargs)
        version = g.get("data_version")
        if version is None:
            return view(**kwargs)
        state = own_state(current_user, **kwargs) if own_state is not None else ""
        audience = hashlib.sha256((policy.audience(current_user) + state).encode()).hexdigest()
        key = f"audience:{version}:{_minute()}:{audience}:{request.scheme}://{request.host}{request.full_path}"
        kept = cache.get(key)
        if kept is not None:
            html = kept.replace(HEADER_HOLE, render_template("_header.html"), 1)
            if personal is not None:
                for name, part in personal(**kwargs).items():
                    html = html.replace(personal_hole(name),
                                        f"<!--personal:{name}-->{part}<!--/personal:{name}-->", 1)
            if TOKEN_HOLE in html:
                html = html.replace(TOKEN_HOLE, generate_csrf())
            if "\x00" not in html:
                if on_kept is not None:
                    on_kept(**kwargs)
                return Response(html, mimetype="text/html")
        response = make_response(view(**kwargs))
        if (response.status_code == 200 and response.mimetype == "text/html" and not g.get("psp_changed")
                and "_flashes" not in session):
            html = _HEADER.sub(HEADER_HOLE, response.get_data(as_text=True), count=1)
            html = _PERSONAL.sub(lambda found: personal_hole(found.group(1)), html)
            token = g.get("csrf_token")
            if token:
                html = html.replace(token, TOKEN_HOLE)
            if HEADER_HOLE in html and len(html) <= BODY_LIMIT:
                cache.set(key, html)
        return response

    return kept_view
