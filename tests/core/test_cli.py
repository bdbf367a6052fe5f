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


def test_demo_programme_matches_the_reference_case(app, runner):
    from psp.organisations.models import Organisation
    from psp.programmes.models import Participation, Programme, ProgrammeRole

    runner.invoke(args=["psp", "seed-demo"])
    with app.app_context():
        programme = db.session.scalar(select(Programme))
        assert programme.lead_body.name == "NHS Lothian" and programme.lead_interface.name == "EVOC"
        partners = db.session.scalars(select(Participation).where(
            Participation.status == "admitted")).all()
        assert len(partners) >= 11
        assert {a.area for p in partners for a in p.organisation.areas} == {
            "city-of-edinburgh", "midlothian", "east-lothian", "west-lothian", "scottish-borders"}
        assert db.session.scalar(select(func.count(Participation.id)).where(
            Participation.status == "requested")) == 2  # one of them from the pending organisation
        assert db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.status == "pending")) == 1
        assert {r.role for r in db.session.scalars(select(ProgrammeRole))} == {"coordinator", "nhs_lead"}
