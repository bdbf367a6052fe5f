"""Signing people in and out, and ending sessions that are idle or too old.

Flask keeps the session in a signed cookie, which outlives sign-out on its own.
So each sign-in gets a row in user_sessions (ended at sign-out) and the id that
Flask-Login stores carries the person's session counter (bumped to end every
session at once). Either one ending makes a copied cookie worthless.
"""

import hashlib
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, g, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, exists, select, update

from psp.auth.models import Passkey, SecondFactor, User, UserSession
from psp.extensions import db, login_manager
from psp.timeutil import utcnow

ABSOLUTE_LIFETIME = timedelta(hours=12)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@login_manager.user_loader
def load_user(stored_id: str) -> User | None:
    """One query: the person, if their counter and this browser's session are both live, and
    whether they have a second factor (policy.has_second_factor reads it from there)."""
    user_id, _, version = stored_id.partition(":")
    sid = session.get("sid")
    if not user_id.isdigit() or not version.isdigit() or not isinstance(sid, str):
        return None
    factor = (exists().where(SecondFactor.user_id == User.id, SecondFactor.confirmed_at.is_not(None))
              | exists().where(Passkey.user_id == User.id))
    found = db.session.execute(
        select(User, factor.label("factor"))
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), User.session_version == int(version),
               User.disabled_at.is_(None), UserSession.id == _digest(sid),
               UserSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    user, has_factor = found
    g.setdefault("_policy_factor", {})[user.id] = bool(has_factor)
    return user


def start_session(user: User) -> None:
    """A fresh session at sign-in, so nothing set before it (fixation) carries over.

    Flushes the session row; the caller's service commits.
    """
    session.clear()
    sid = secrets.token_urlsafe(32)
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.created_at < utcnow() - ABSOLUTE_LIFETIME))
    db.session.add(UserSession(id=_digest(sid), user_id=user.id))
    db.session.flush()
    login_user(user, remember=False)
    session.permanent = True
    session["sid"] = sid
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now


def end_session() -> None:
    """Ends this browser's session row (the caller commits) and clears the cookie."""
    sid = session.get("sid")
    if isinstance(sid, str):
        db.session.execute(update(UserSession).where(UserSession.id == _digest(sid))
                           .values(ended_at=utcnow()))
    logout_user()
    session.clear()


def enforce_timeouts() -> None:
    """Before each request: end a session idle for too long or older than 12 hours."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    seen_at = session.get("seen_at", 0)
    signed_in_at = session.get("signed_in_at", 0)
    if now - seen_at > idle or now - signed_in_at > ABSOLUTE_LIFETIME.total_seconds():
        end_session()
        db.session.commit()
        flash("You were signed out because you had not done anything for a while. "
              "Sign in again to continue.")
        return
    if now - seen_at >= 60:  # refresh at most once a minute to keep cookies stable
        session["seen_at"] = now


def safe_next(target: str | None) -> str | None:
    """Only paths on this site: no scheme, no host, no //host or /\\host tricks."""
    if not target or not isinstance(target, str):
        return None
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
