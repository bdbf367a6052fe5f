"""Operator commands."""

from sqlalchemy import func, select

from psp.auth.models import User
from psp.extensions import db


def test_create_admin(app, runner, auth):
    result = runner.invoke(args=["psp", "create-admin", "Boss@Example.org", "--name", "Isla Boss",
                                 "--password", "a long and unusual passphrase"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.is_site_admin and user.email_confirmed_at is not None
    assert auth.sign_in("boss@example.org", "a long and unusual passphrase").status_code == 302


def test_create_admin_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["psp", "create-admin", "boss@example.org", "--name", "Isla",
                                 "--password", "qwerty123456"])
    assert result.exit_code != 0 and "too common" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_seed_demo_is_idempotent_and_demo_accounts_sign_in(app, runner, auth):
    from psp.demo import ACCOUNTS, PASSWORD

    assert "Demo data loaded." in runner.invoke(args=["psp", "seed-demo"]).output
    assert "already present" in runner.invoke(args=["psp", "seed-demo"]).output
    with app.app_context():
        count = db.session.scalar(select(func.count(User.id)))
    assert count >= len(ACCOUNTS)
    assert "already present" in runner.invoke(args=["psp", "seed-demo"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == count
    assert auth.sign_in(ACCOUNTS[0][0], PASSWORD).status_code == 302
    listing = runner.invoke(args=["psp", "demo-accounts"]).output
    assert all(email in listing for email, _, _ in ACCOUNTS)
