"""Authenticator-app secrets are sealed in the database (psp.auth.sealing, migration 0019) and
codes from the app still work."""

import pyotp
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from psp.auth import sealing, twofactor
from psp.auth.models import SecondFactor, User
from psp.extensions import db
from tests.conftest import Forms
from tests.factories import PASSWORD, code_for, secret_for


def _stored(email):
    return db.session.execute(text(
        "SELECT f.secret FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.email = :email"),
        {"email": email}).scalar_one()


def test_the_database_holds_no_plain_secret_and_codes_still_work(app, make_user):
    make_user(email="person@example.org", factor=True)
    with app.app_context():
        stored = _stored("person@example.org")
        assert stored.startswith(sealing.TOKEN_PREFIX) and secret_for("person@example.org") not in stored
        row = db.session.scalar(select(SecondFactor))
        assert row.secret == secret_for("person@example.org")   # the app reads it in the clear
    client = app.test_client()
    Forms(client).post("/sign-in", {"email": "person@example.org", "password": PASSWORD})
    done = Forms(client).post("/sign-in/code", {"code": code_for("person@example.org")})
    assert done.status_code == 302 and done.headers["Location"] == "/"


def test_a_secret_sealed_under_another_key_matches_no_code_and_breaks_nothing(app, make_user):
    make_user(email="person@example.org", factor=True)
    other = sealing.box("", "a-different-secret-key-that-is-long-enough-0123")
    with app.app_context():
        db.session.execute(text("UPDATE second_factors SET secret = :s"),
                           {"s": sealing.seal(secret_for("person@example.org"), other)})
        db.session.commit()
        assert db.session.scalar(select(SecondFactor)).secret == ""
    client = app.test_client()
    Forms(client).post("/sign-in", {"email": "person@example.org", "password": PASSWORD})
    code = pyotp.TOTP(secret_for("person@example.org")).now()
    assert Forms(client).post("/sign-in/code", {"code": code}).status_code == 400


def test_setting_two_factor_key_later_keeps_older_secrets_readable(app, make_user):
    make_user(email="person@example.org", factor=True)
    try:
        app.config["TWO_FACTOR_KEY"] = "a-separate-two-factor-key-0123456789abcdef"
        with app.app_context():
            row = db.session.scalar(select(SecondFactor))
            assert row.secret == secret_for("person@example.org")
            twofactor.install_totp(db.session.get(User, row.user_id), "JBSWY3DPEHPK3PXP")
            db.session.commit()
            sealed = _stored("person@example.org")
            assert sealing.open_sealed(sealed, sealing.box("", app.config["SECRET_KEY"])) == ""
            assert sealing.open_sealed(sealed) == "JBSWY3DPEHPK3PXP"
    finally:
        app.config["TWO_FACTOR_KEY"] = ""


def test_migration_0019_seals_plain_secrets_and_its_downgrade_opens_them(app):
    plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with app.app_context():
        downgrade(revision="0018")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, name, password_hash, is_site_admin, session_version, "
                "created_at) VALUES (40, 'old@example.org', 'Old', 'x', false, 1, CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO second_factors (user_id, kind, secret, created_at, confirmed_at) "
                "VALUES (40, 'totp', :secret, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"secret": plain})
        upgrade()
        stored = _stored("old@example.org")
        assert stored.startswith(sealing.TOKEN_PREFIX) and plain not in stored
        assert db.session.scalar(select(SecondFactor)).secret == plain
        db.session.remove()
        downgrade(revision="0018")
        assert _stored("old@example.org") == plain
        db.session.remove()
        upgrade()
