"""Device cookies (OWASP's pattern against lock-out): a browser that has signed in to an account
before carries a signed cookie naming it, and keeps trying that account when strangers have run
out its per-account sign-in limit. Unknown browsers stay limited; every browser keeps the
per-address limit."""

import hashlib

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "psp_device"
MAX_AGE = 180 * 24 * 60 * 60
MAX_ACCOUNTS = 5   # the accounts one browser remembers (a shared computer at a drop-in)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="psp-device")


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def _remembered() -> list[str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        found = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return []
    return [str(item) for item in found][:MAX_ACCOUNTS] if isinstance(found, list) else []


def known_for_this_account() -> bool:
    """For the sign-in limit's exempt_when: this browser has signed in to the account it names."""
    email = request.form.get("email") or ""
    return bool(email) and _fingerprint(email) in _remembered()


def remember(response: Response, email: str) -> Response:
    """After a successful sign-in: this browser is known to this account from now on."""
    mine = _fingerprint(email)
    kept = [mine] + [item for item in _remembered() if item != mine]
    response.set_cookie(COOKIE, _serializer().dumps(kept[:MAX_ACCOUNTS]), max_age=MAX_AGE, httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
    return response
