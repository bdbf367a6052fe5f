"""Signed, expiring links for email confirmation and password reset.

A reset token carries a fingerprint of the current password hash, so it stops
working once used (the hash changes) — single use without a token table.
"""

import hashlib
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from psp.auth.models import User

RESET_MAX_AGE = 60 * 60
EMAIL_CHANGE_MAX_AGE = 24 * 60 * 60
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"psp-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def confirm_token(user: User) -> str:
    return _serializer("confirm").dumps({"u": user.id, "e": user.email})


def reset_token(user: User) -> str:
    return _serializer("reset").dumps({"u": user.id, "f": _fingerprint(user)})


def read_confirm_token(token: str) -> tuple[int, str] | None:
    """Return (user_id, email) or None when forged or expired."""
    try:
        data = _serializer("confirm").loads(token, max_age=CONFIRM_MAX_AGE)
        return int(data["u"]), str(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def reset_token_matches(token: str, load_user: Callable[[int], User | None]) -> User | None:
    """Return the user a live reset token belongs to, else None."""
    try:
        data = _serializer("reset").loads(token, max_age=RESET_MAX_AGE)
        user = load_user(int(data["u"]))
        if user is None or not user.is_active or data["f"] != _fingerprint(user):
            return None
        return user
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def _address_fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def email_change_token(user: User, new_email: str) -> str:
    """Carries the address it replaces, so it stops working once the address has changed."""
    return _serializer("email-change").dumps({"u": user.id, "e": new_email,
                                              "o": _address_fingerprint(user.email)})


def email_change_matches(token: str, load_user: Callable[[int], User | None]) -> tuple[User, str] | None:
    """(user, new address) for a live link to change an address, else None."""
    try:
        data = _serializer("email-change").loads(token, max_age=EMAIL_CHANGE_MAX_AGE)
        user = load_user(int(data["u"]))
        if user is None or not user.is_active or data["o"] != _address_fingerprint(user.email):
            return None
        return user, str(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
