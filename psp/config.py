"""Settings come from the environment; instance/config.py may override them."""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

DEMO_SECRET_KEY = "dev-only-not-secret-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the settings mapping; production refuses to start on unsafe values."""
    production = os.environ.get("PSP_ENV", "development") == "production"
    sqlite_path = os.path.join(instance_path, "psp.sqlite3")
    database_url = _database_url(os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"))
    return {
        "PSP_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "" if production else DEMO_SECRET_KEY),
        # Seals authenticator-app secrets in the database (psp.auth.sealing); SECRET_KEY when unset.
        "TWO_FACTOR_KEY": os.environ.get("TWO_FACTOR_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A server connection can drop behind a load balancer's back; a file cannot.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        "BASE_URL": os.environ.get("PSP_BASE_URL", "http://127.0.0.1:5000"),
        # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files in instance/mail/.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "PSP Co-design <no-reply@psp-codesign.example.org>"),
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR", os.path.join(instance_path, "mail")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
        # Rate limits: in memory per process unless Redis is configured.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Site admins, coordinators and NHS leads without a second factor set one up before anything else.
        "REQUIRE_SECOND_FACTOR": _bool("REQUIRE_SECOND_FACTOR", True),
        # Sessions: cookie-based, invalidated server-side through the user's session counter.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": timedelta(hours=12),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30"))),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Argon2id parameters (argon2-cffi defaults follow RFC 9106's low-memory profile).
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "WTF_CSRF_TIME_LIMIT": None,
        # Views may take less (uploads.size_limit): the spreadsheet import takes 2 MB.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # Uploaded files: "" is instance/files; file:///abs/path is a folder; s3://bucket/prefix is
        # S3, with credentials from boto3's usual variables (AWS_ACCESS_KEY_ID, ...).
        "STORAGE_URL": os.environ.get("STORAGE_URL", ""),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),  # for MinIO and other S3-compatible stores
        "S3_REGION": os.environ.get("S3_REGION", "eu-west-2"),
        # Pages every visitor sees are kept between requests (psp.cache): in each worker's memory,
        # or in Redis when CACHE_URL is set (redis://host:6379/1).
        "CACHE_URL": os.environ.get("CACHE_URL", ""),
        "PAGE_CACHE": _bool("PAGE_CACHE", True),
        "TRUST_PROXY_HOPS": int(os.environ.get("TRUST_PROXY_HOPS", "0")),
        # `make bench` only: adds /bench/bare, a route that never touches the database.
        "BENCH": _bool("PSP_BENCH", False),
    }


def _database_url(url: str) -> str:
    """Accept the postgres:// spelling many hosts hand out, and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to start in production with a missing or demo secret key."""
    if config.get("PSP_ENV") != "production":
        return
    if not config.get("REQUIRE_SECOND_FACTOR", True):
        raise RuntimeError("REQUIRE_SECOND_FACTOR cannot be turned off when PSP_ENV=production.")
    key = config.get("SECRET_KEY") or ""
    if not key or key == DEMO_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters "
            "when PSP_ENV=production (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
