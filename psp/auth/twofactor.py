"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238) and ten single-use recovery codes;
passkeys are in psp.auth.passkeys.

Each public function that changes something is a unit of work that commits once. The pending
state between the password and the code lives in the Flask session (see PENDING).
"""

import hashlib
import secrets
import time

import pyotp
import segno
from flask import session
from sqlalchemy import delete, select, update

from psp import audit, mail
from psp.auth import passwords
from psp.auth.models import TOTP, Passkey, RecoveryCode, SecondFactor, User
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url as _external
from psp.timeutil import utcnow

ISSUER = "PSP Co-design"
STEP = 30                  # seconds per TOTP time-step
RECOVERY_CODES = 10
PENDING = "second_factor_pending"   # session key: {"user_id", "version", "until", "next"}
PENDING_SECONDS = 5 * 60
WRONG_CODE = "Enter the current 6-digit code from your authenticator app, or one of your recovery codes"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def factor(user: User) -> SecondFactor | None:
    """The person's authenticator app, set up or in progress."""
    return db.session.scalar(select(SecondFactor).where(SecondFactor.user_id == user.id,
                                                        SecondFactor.kind == TOTP))


def is_on(user: User) -> bool:
    found = factor(user)
    return found is not None and found.confirmed_at is not None


def any_on(user: User) -> bool:
    """An authenticator app or a passkey: the second step of signing in asks for one."""
    return is_on(user) or db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id)
                                            .limit(1)) is not None


def unused_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The set-up QR code as inline SVG markup, drawn here (no script, no image request)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff",
                                                      title="QR code for your authenticator app")
    return svg


def start_totp(user: User) -> SecondFactor:
    """A new secret for a set-up in progress (replacing any earlier unfinished one)."""
    if is_on(user):
        raise Refused("Your authenticator app is already set up")
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id,
                                                  SecondFactor.kind == TOTP))
    row = SecondFactor(user_id=user.id, kind=TOTP, secret=pyotp.random_base32())
    db.session.add(row)
    db.session.commit()
    return row


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time-step (this one, or one either side for clock drift) whose code this is."""
    code = _digits(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _accept_totp(row: SecondFactor, code: str) -> bool:
    """A right code for a step later than the last one accepted; flushes, never commits.
    The conditional UPDATE keeps two requests with the same code from both being accepted."""
    step = _matching_step(row.secret, code)
    if step is None or (row.last_step is not None and step <= row.last_step):
        return False
    won = db.session.execute(
        update(SecondFactor).where(SecondFactor.id == row.id,
                                   (SecondFactor.last_step.is_(None)) | (SecondFactor.last_step < step))
        .values(last_step=step, last_used_at=utcnow()).execution_options(synchronize_session=False))
    db.session.refresh(row)
    return bool(getattr(won, "rowcount", 0))


def _hash_code(code: str) -> str:
    return hashlib.sha256(_digits(code).lower().encode()).hexdigest()


def new_codes(user: User) -> list[str]:
    """Ten fresh recovery codes, replacing the old ones; flushes. Shown once, stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    db.session.add_all([RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes])
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    cleaned = _digits(code).lower()
    if len(cleaned) != 12:
        return False
    won = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                   RecoveryCode.code_hash == _hash_code(cleaned))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return bool(getattr(won, "rowcount", 0))


def confirm_totp(user: User, code: str) -> list[str]:
    """Turn the app on once the person types a current code from it; returns the recovery codes."""
    row = factor(user)
    if row is None or row.confirmed_at is not None:
        raise Refused("Start setting up your authenticator app again", field="code")
    if not _accept_totp(row, code):
        db.session.rollback()
        raise Refused("The code is not right: enter the 6-digit code your app shows now", field="code")
    row.confirmed_at = utcnow()
    codes = new_codes(user)
    audit.record("two_factor.turned_on", user, actor=user)
    mail.queue(user.email, "Two-factor sign-in is on", "mail/two_factor_on.txt", user=user,
               account_url=_external("auth.account"))
    db.session.commit()
    return codes


def install_totp(user: User, secret: str) -> None:
    """For the demo and tests: an app already set up with a known secret; flushes."""
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.add(SecondFactor(user_id=user.id, kind=TOTP, secret=secret, confirmed_at=utcnow()))
    new_codes(user)


def verify(user: User, code: str) -> str | None:
    """The second step of signing in: a current TOTP code not used before ("app"), or an unused
    recovery code ("recovery code", used up by this); None otherwise. A success is flushed for the
    sign-in to commit (one audit entry, sign_in.succeeded, names the method); a failure is
    recorded and committed."""
    row = factor(user)
    if row is not None and row.confirmed_at is not None and _accept_totp(row, code):
        return "app"
    if any_on(user) and _use_recovery_code(user, code):
        mail.queue(user.email, "A recovery code was used to sign in", "mail/recovery_code_used.txt",
                   user=user, left=unused_codes(user), account_url=_external("auth.two_factor"))
        return "recovery code"
    db.session.rollback()
    audit.record("sign_in.second_factor_failed", user, actor=user)
    db.session.commit()
    return None


def _check_password_and_code(user: User, password: str, code: str) -> SecondFactor:
    row = factor(user)
    if row is None or row.confirmed_at is None:
        raise Refused("Two-factor sign-in is not on")
    if not passwords.verify_password(user.password_hash, password):
        raise Refused("Password is wrong", field="password")
    if not _accept_totp(row, code):
        db.session.rollback()
        raise Refused("The code is not right: enter the 6-digit code your app shows now", field="code")
    return row


def regenerate_codes(user: User, password: str, code: str) -> list[str]:
    """New recovery codes (the old ones stop working); the person is emailed."""
    _check_password_and_code(user, password, code)
    codes = new_codes(user)
    audit.record("two_factor.codes_regenerated", user, actor=user)
    mail.queue(user.email, "You have new recovery codes", "mail/recovery_codes_new.txt", user=user,
               account_url=_external("auth.two_factor"))
    db.session.commit()
    return codes


def _remove(user: User) -> None:
    """Every second factor of the person: app, passkeys and recovery codes."""
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, password: str, code: str) -> None:
    _check_password_and_code(user, password, code)
    _remove(user)
    audit.record("two_factor.turned_off", user, actor=user)
    mail.queue(user.email, "Two-factor sign-in is off", "mail/two_factor_off.txt", user=user,
               account_url=_external("auth.two_factor"))
    db.session.commit()


def reset(admin: User, account: User) -> None:
    """Support path: a site admin removes someone else's second factor (they set one up again at
    their next sign-in if their role needs it). Audited; the person is emailed."""
    if admin.id == account.id:
        raise Refused("You cannot reset your own second factor")
    _remove(account)
    account.session_version += 1   # whoever signed in with the old factor is signed out
    audit.record("two_factor.reset", account, actor=admin)
    mail.queue(account.email, "Your two-factor sign-in was reset", "mail/two_factor_reset.txt",
               user=account, sign_in_url=_external("auth.sign_in"))
    db.session.commit()


# The pending state between the password and the code, in the (signed) session cookie.

def begin_pending(user: User, next_path: str | None) -> None:
    session.clear()
    session[PENDING] = {"user_id": user.id, "version": user.session_version,
                        "until": int(time.time()) + PENDING_SECONDS, "next": next_path or ""}


def pending_user() -> tuple[User, str | None] | None:
    found = session.get(PENDING)
    if not isinstance(found, dict) or int(found.get("until", 0)) < time.time():
        return None
    user = db.session.get(User, found.get("user_id"))
    if user is None or not user.is_active or user.session_version != found.get("version"):
        return None
    return user, found.get("next") or None


def pending_key() -> str:
    found = session.get(PENDING)
    return f"second-factor:{found.get('user_id') if isinstance(found, dict) else 'none'}"
