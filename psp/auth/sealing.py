"""Authenticator-app secrets sealed at rest: Fernet (AES-128-CBC with HMAC-SHA256, from
`cryptography`) under a key derived by HKDF-SHA256 from TWO_FACTOR_KEY, or from SECRET_KEY when
that is not set. A copy of the database alone no longer gives anyone the codes of every app.

Opening also tries the key derived from SECRET_KEY, so setting TWO_FACTOR_KEY later keeps the
secrets sealed before it readable (each is sealed again under the new key when next written). A
secret that no key opens reads as "": no code matches it, and the person signs in with a passkey or
a recovery code, or asks a site admin to reset their second factor.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Dialect, String
from sqlalchemy.types import TypeDecorator

INFO = b"psp-codesign two-factor secrets v1"
TOKEN_PREFIX = "gAAAAA"   # every Fernet token starts so; a base32 secret never does


def _fernet(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def box(two_factor_key: str, secret_key: str) -> MultiFernet:
    """Seals under the first key given (TWO_FACTOR_KEY if set); opens with either."""
    keys = [k for k in (two_factor_key, secret_key) if k]
    if not keys:
        raise RuntimeError("SECRET_KEY (or TWO_FACTOR_KEY) must be set to keep two-factor secrets")
    return MultiFernet([_fernet(k) for k in dict.fromkeys(keys)])


def _app_box() -> MultiFernet:
    config = current_app.config
    return box(str(config.get("TWO_FACTOR_KEY") or ""), str(config.get("SECRET_KEY") or ""))


def seal(plain: str, using: MultiFernet | None = None) -> str:
    return (using or _app_box()).encrypt(plain.encode()).decode()


def open_sealed(token: str, using: MultiFernet | None = None) -> str:
    """The secret, or "" when no key opens it (or it was never sealed)."""
    if not token.startswith(TOKEN_PREFIX):
        return ""
    try:
        return (using or _app_box()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


class Sealed(TypeDecorator[str]):
    """A string column the application reads and writes in the clear and the database holds sealed."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else open_sealed(value)
