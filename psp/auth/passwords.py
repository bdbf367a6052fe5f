"""Password hashing (Argon2id) and the common-password check."""

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128

# 20,000 most common passwords, from Django's password validation (BSD licence).
_COMMON = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism=parallelism).hash("not a password")


def burn_verification_time(password: str) -> None:
    """Spend the same time as a real check, so unknown emails are not told apart by timing."""
    config = current_app.config
    verify_password(
        _dummy_hash(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"],
                    config["ARGON2_PARALLELISM"]),
        password,
    )
