"""Passkeys (WebAuthn) as a second factor, beside the authenticator app and recovery codes.

A ceremony has two halves. The server makes the options (with a random challenge kept in the
session: single use, for one person and one purpose, for 5 minutes); the browser asks the
authenticator (static/js/passkeys.mjs) and posts the answer back in a form; the server verifies it
with py_webauthn against the relying party (RP) ID and origin taken from BASE_URL. Each public
function that changes something is a unit of work that commits once, like psp.auth.twofactor.
"""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, session
from sqlalchemy import delete, func, or_, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from psp import audit, mail, policy
from psp.auth import passwords, twofactor
from psp.auth.models import Passkey, RecoveryCode, User
from psp.errors import Refused
from psp.extensions import db
from psp.links import external_url as _external
from psp.timeutil import utcnow

RP_NAME = "PSP Co-design"
CHALLENGE = "webauthn_challenge"   # session key: {"purpose", "user_id", "challenge", "until"}
CHALLENGE_SECONDS = 5 * 60
ADD, SIGN_IN = "add", "sign-in"
MAX_PASSKEYS = 10
MAX_CREDENTIAL_JSON = 20_000      # characters: an answer is a few hundred bytes of base64url
NEEDS_SCRIPT = ("Passkeys need JavaScript. Turn it on in your browser and try again, or use your "
                "authenticator app or a recovery code.")
NOT_USED = "Your passkey was not used. Try again, or enter a code instead."
TIMED_OUT = "The time to use your passkey ran out. Try again."
NOT_ACCEPTED = "Your passkey was not accepted. Try again, or enter a code instead."
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def relying_party() -> tuple[str, str]:
    """(RP ID, origin) from BASE_URL: the host name alone, and scheme://host[:port]."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def of(user: User) -> list[Passkey]:
    """The person's passkeys, oldest first."""
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)
                                   .order_by(Passkey.created_at, Passkey.id)))


def has_any(user: User) -> bool:
    return db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id)) != 0


def mine_or_none(user: User, passkey_id: int) -> Passkey | None:
    """The passkey, if it is this person's: someone else's is as good as missing."""
    return db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))


def _user_handle(user: User) -> bytes:
    """A stable, opaque id for the person on their authenticators (not their email or row id)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"passkey-user:{user.id}".encode(), hashlib.sha256).digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    found = []
    for row in of(user):
        transports = [AuthenticatorTransport(t) for t in row.transports.split(",") if t in _TRANSPORTS]
        found.append(PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id),
                                                   transports=transports or None))
    return found


def _remember(purpose: str, user: User, challenge: bytes) -> None:
    session[CHALLENGE] = {"purpose": purpose, "user_id": user.id,
                          "challenge": bytes_to_base64url(challenge),
                          "until": int(time.time()) + CHALLENGE_SECONDS}


def _take_challenge(purpose: str, user: User) -> bytes:
    """The challenge of the options last given to this person for this purpose, used up by this."""
    found = session.pop(CHALLENGE, None)
    if (not isinstance(found, dict) or found.get("purpose") != purpose
            or found.get("user_id") != user.id or not isinstance(found.get("challenge"), str)
            or int(found.get("until", 0)) < time.time()):
        raise Refused(TIMED_OUT)
    return base64url_to_bytes(found["challenge"])


def registration_options(user: User) -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge goes in the session."""
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_name=user.email, user_id=_user_handle(user),
        user_display_name=user.name, timeout=CHALLENGE_SECONDS * 1000,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    _remember(ADD, user, options.challenge)
    return options_to_json(options)


def authentication_options(user: User) -> str:
    """Options for navigator.credentials.get() naming the person's passkeys, as JSON."""
    rp_id, _ = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id, timeout=CHALLENGE_SECONDS * 1000, allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED)
    _remember(SIGN_IN, user, options.challenge)
    return options_to_json(options)


def _parsed(credential: str) -> dict[str, Any]:
    if not credential or len(credential) > MAX_CREDENTIAL_JSON:
        raise Refused(NOT_ACCEPTED)
    try:
        found = json.loads(credential)
    except ValueError as error:
        raise Refused(NOT_ACCEPTED) from error
    if not isinstance(found, dict) or not isinstance(found.get("id"), str):
        raise Refused(NOT_ACCEPTED)
    return found


def add(user: User, name: str, credential: str) -> list[str] | None:
    """Verify the authenticator's answer to the options and keep the passkey under the person's
    name for it. Returns new recovery codes when this is the person's first second factor (to
    show once), else None. Audited; the person is emailed."""
    challenge = _take_challenge(ADD, user)
    answer = _parsed(credential)
    if len(of(user)) >= MAX_PASSKEYS:
        raise Refused(f"You have {MAX_PASSKEYS} passkeys: remove one before adding another")
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(credential=answer, expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except Exception as error:   # py_webauthn raises many kinds on malformed answers: all are a no
        current_app.logger.info("passkey registration refused: %s", error)
        raise Refused(NOT_ACCEPTED) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise Refused("This passkey is already added")
    response = answer.get("response")
    reported = response.get("transports") if isinstance(response, dict) else None
    transports = [t for t in reported if t in _TRANSPORTS] if isinstance(reported, list) else []
    first = not twofactor.is_on(user) and not has_any(user)
    row = Passkey(user_id=user.id, name=name, credential_id=credential_id,
                  public_key=verified.credential_public_key, sign_count=verified.sign_count,
                  transports=",".join(transports)[:200])
    db.session.add(row)
    codes = twofactor.new_codes(user) if first else None
    audit.record("passkey.added", user, actor=user, name=name)
    mail.queue(user.email, "A passkey was added to your account", "mail/passkey_added.txt", user=user,
               name=name, account_url=_external("auth.two_factor"))
    db.session.commit()
    return codes


def verify(user: User, credential: str) -> bool:
    """The second step of signing in with a passkey. A success is flushed for the sign-in to
    commit; a failure (wrong or replayed challenge, someone else's passkey, a bad signature, a
    sign count that went back) is recorded and committed."""
    try:
        challenge = _take_challenge(SIGN_IN, user)
        answer = _parsed(credential)
        row = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id,
                                                      Passkey.credential_id == answer["id"]))
        if row is None:
            raise Refused(NOT_ACCEPTED)
        rp_id, origin = relying_party()
        try:
            verified = verify_authentication_response(
                credential=answer, expected_challenge=challenge, expected_rp_id=rp_id,
                expected_origin=origin, credential_public_key=row.public_key,
                credential_current_sign_count=row.sign_count)
        except Exception as error:   # a bad signature, a counter gone back, a malformed answer
            current_app.logger.info("passkey sign-in refused: %s", error)
            raise Refused(NOT_ACCEPTED) from error
        # Two requests with the same answer: only one may move the counter (or use a counterless key).
        count = verified.new_sign_count
        won = db.session.execute(
            update(Passkey).where(Passkey.id == row.id, or_(Passkey.sign_count < count,
                                                            (Passkey.sign_count == 0) & (count == 0)))
            .values(sign_count=count, last_used_at=utcnow()).execution_options(synchronize_session=False))
        if not getattr(won, "rowcount", 0):
            raise Refused(NOT_ACCEPTED)
        return True
    except Refused:
        db.session.rollback()
        audit.record("sign_in.second_factor_failed", user, actor=user, method="passkey")
        db.session.commit()
        return False


def remove(user: User, passkey: Passkey, password: str) -> None:
    """Remove one of the person's passkeys, after their password. A decider keeps at least one
    second factor. With no second factor left, the recovery codes go too. The person is emailed."""
    if not passwords.verify_password(user.password_hash, password):
        raise Refused("Password is wrong", field="password")
    others = db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id,
                                                                      Passkey.id != passkey.id))
    app_on = twofactor.is_on(user)
    if not others and not app_on and policy.needs_second_factor(user):
        raise Refused("As a site admin, coordinator or NHS lead you must keep a second factor: add "
                      "another passkey or set up an authenticator app before removing this one",
                      field="password")
    name = passkey.name
    db.session.delete(passkey)
    if not others and not app_on:
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("passkey.removed", user, actor=user, name=name)
    mail.queue(user.email, "A passkey was removed from your account", "mail/passkey_removed.txt",
               user=user, name=name, account_url=_external("auth.two_factor"))
    db.session.commit()
