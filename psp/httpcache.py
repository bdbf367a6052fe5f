"""HTTP caching: validators, 304 Not Modified, and who may keep a copy of a response.

Two kinds of response take part; everything else keeps the headers it has (HTML `no-store`,
downloads `private, no-store`):

- Feeds (calendar and Atom) are marked by their route with `feed()`: a strong ETag from the body
  and a Last-Modified from the newest change of what they show.
- HTML pages answered with 200 to a visitor get a weak ETag from the body.

Either may be stored by a shared cache (`public`) only when it is the visitor's response: no one
is signed in, the session holds nothing but a CSRF token, the response puts no CSRF token on the
page and sets no cookie. Anything else is `private, no-store`: a signed-in person's copy, or a
page carrying their session's token, must never be handed to someone else. Shareable responses
say `Vary: Cookie`, so a cache keys them by the cookie too.
"""

import hashlib
from datetime import datetime

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

FEED_MAX_AGE = 300  # seconds a shared cache may serve an anonymous feed without asking again
PAGE = "public, no-cache"  # a shared cache may store the page but must revalidate each time
PERSONAL = "private, no-store"
SESSION_KEYS_OF_A_VISITOR = {"csrf_token"}  # what a visitor's session may hold (a form's token)


def init_app(app: Flask) -> None:
    """Register after the security headers: after_request hooks run in reverse order, so this one
    runs first and the security hook's default `no-store` fills in only what is left."""
    app.after_request(apply)


def feed(response: Response, last_modified: datetime) -> Response:
    """Mark a feed for conditional answers: a strong ETag of its body and its Last-Modified
    (naive UTC). `apply` decides who may store it and answers 304 when the copy is current."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    response.last_modified = last_modified
    g.http_feed = True
    return response


def apply(response: Response) -> Response:
    if request.method not in ("GET", "HEAD") or "Cache-Control" in response.headers:
        return response
    if g.get("http_feed"):
        return _conditional(response, f"public, max-age={FEED_MAX_AGE}" if _visitors(response)
                            else PERSONAL)
    if (response.status_code == 200 and response.mimetype == "text/html"
            and not response.is_streamed and _visitors(response)):
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest(), weak=True)
        return _conditional(response, PAGE)
    return response


def _conditional(response: Response, cache_control: str) -> Response:
    response.headers["Cache-Control"] = cache_control
    if cache_control != PERSONAL:
        response.vary.add("Cookie")
    response.make_conditional(request)  # turns it into a 304 in place when the copy is current
    return response


def _visitors(response: Response) -> bool:
    """Is this the response anyone not signed in would get, with nothing of one browser in it?"""
    if response.status_code != 200 or current_user.is_authenticated:
        return False
    if not set(session.keys()) <= SESSION_KEYS_OF_A_VISITOR:
        return False  # half-way through signing in, a flash message waiting, ...
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
        return False  # a form on the page carries this session's CSRF token
    if "Set-Cookie" in response.headers or current_app.session_interface.should_set_cookie(
            current_app, session):
        return False
    return True
