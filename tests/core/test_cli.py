"""Operator commands."""

from sqlalchemy import func, select

from psp.auth.models import User
from psp.documents.models import Document
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


def test_seed_demo_refuses_a_production_instance_and_a_database_with_real_accounts(app, runner, make_user):
    app.config["PSP_ENV"] = "production"
    try:
        result = runner.invoke(args=["psp", "seed-demo"])
    finally:
        app.config["PSP_ENV"] = "development"
    assert result.exit_code == 1 and "not loaded when PSP_ENV=production" in result.output
    make_user(email="real.person@nhs.example.net")
    result = runner.invoke(args=["psp", "seed-demo"])
    assert result.exit_code == 1 and "holds 1 account that is not the demo's" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1   # nothing loaded


def test_demo_programme_matches_the_reference_case(app, runner):
    from psp.organisations.models import Organisation
    from psp.programmes.models import Participation, Programme, ProgrammeRole

    runner.invoke(args=["psp", "seed-demo"])
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(
            Programme.slug == "royal-edinburgh-hospital-reprovision"))   # the demo has a second one
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


def test_the_demo_is_told_through_the_services(app, runner):
    """Its history is in the audit log and the stage history as it would be for real, on the
    days the story gives, and its emails are not left for a worker to send now."""
    from datetime import timedelta

    from psp.audit import AuditEntry
    from psp.contributions.models import Contribution
    from psp.cycles.models import Stage, StageTransition
    from psp.mail import OutboxMessage
    from psp.programmes.models import Programme
    from psp.timeutil import utcnow

    runner.invoke(args=["psp", "seed-demo"])
    with app.app_context():
        logged = dict(db.session.execute(select(AuditEntry.action, func.count()).group_by(
            AuditEntry.action)).all())
        # The reference programme's, and the pilot's two whole cycles (eight sign-offs, one view answered
        # in each cycle, two partners admitted) told through the same services.
        assert logged["stage.returned"] == 1 and logged["stage.signed_off"] == 2 + 8
        assert logged["stage.in_review"] == 3 + 8 and logged["view.answered"] == 10 + 2
        assert logged["view.submitted"] == 10 + 2 and logged["view.recorded"] == 3
        assert logged["views.imported"] == 1    # twelve views from the recovery café's cards
        assert logged["participation.admitted"] == 11 + 2
        # Engagement: the reference programme's plan with five indicators; the pilot's plans (three
        # indicators each) and two finished reviews, each with seven assessments and fourteen ratings.
        assert logged["engagement_plan.saved"] == 3 and logged["engagement_indicator.saved"] == 5 + 6
        assert logged["engagement_review.finished"] == 2 and logged["engagement_assessment.saved"] == 14
        assert logged["engagement_rating.saved"] == 28
        assert logged["meeting.minutes_published"] == 2 and logged["update.posted"] == 4
        assert logged["document.attached"] == 6 and logged["document.replaced"] == 1
        assert logged["format.requested"] == 2 and logged["format.sent"] == 1
        # The register of interests: both leads and three partners, one of which (Leith) may bid; each
        # sign-off of the reference programme keeps the NHS lead's declaration ("none").
        assert logged["interest.declared"] == 5
        from psp.interests.models import Declaration
        kinds = sorted(db.session.scalars(select(Declaration.kind)))
        assert kinds == ["may-bid", "none", "none", "other", "role-elsewhere"]
        snapshots = db.session.scalars(select(StageTransition.declarations).where(
            StageTransition.to_status == "signed_off", StageTransition.declarations.is_not(None))).all()
        assert len(snapshots) == 2 + 8   # the pilot's NHS lead declared nothing
        assert sum(text.startswith("- No interests to declare (confirmed ") for text in snapshots) == 2
        specification = db.session.scalar(select(Document).where(
            Document.title == "Draft service specification"))
        assert (specification.version, specification.pages, specification.audience) == (2, 2, "leads")
        reference = db.session.scalar(select(Programme).where(
            Programme.slug == "royal-edinburgh-hospital-reprovision"))
        history = db.session.execute(select(Stage.kind, StageTransition.to_status, StageTransition.created_at)
                                     .join(Stage, Stage.id == StageTransition.stage_id)
                                     .where(Stage.programme_id == reference.id)
                                     .order_by(StageTransition.id)).all()
        assert [(kind, status) for kind, status, _ in history] == [
            ("analyse", "open"), ("analyse", "in_review"), ("analyse", "returned"), ("analyse", "in_review"),
            ("analyse", "signed_off"), ("plan", "open"), ("plan", "in_review"), ("plan", "signed_off"),
            ("do", "open")]
        days_ago = [(utcnow() - when).days for _, _, when in history]
        assert days_ago == [110, 58, 55, 52, 50, 50, 14, 10, 10]
        signed_off = db.session.scalar(select(AuditEntry.created_at).where(
            AuditEntry.action == "stage.signed_off", AuditEntry.target_id.in_(
                select(Stage.id).where(Stage.programme_id == reference.id))).order_by(AuditEntry.id))
        assert abs(signed_off - history[4][2]) < timedelta(minutes=1)  # the audit log agrees
        assert sorted(db.session.scalars(select(Contribution.days_to_answer)).all(),
                      key=lambda d: -1 if d is None else d) == [None] * 19 + [0, 0, 5, 6, 8, 9, 12, 15, 18]
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status != "sent")) == 0
        # Three discussions: a lively one with a message hidden, one on Plan that became a view, one closed.
        from psp.discussions.models import Discussion, Message

        talk = {d.title: d for d in db.session.scalars(select(Discussion))}
        assert len(talk) == 3
        lively = max(talk.values(), key=lambda d: d.message_count)
        assert lively.message_count > 20
        assert db.session.scalar(select(func.count()).select_from(Message).where(
            Message.discussion_id == lively.id, Message.status == "hidden")) == 1
        assert len({m.organisation_id for m in db.session.scalars(select(Message).where(
            Message.discussion_id == lively.id))}) >= 5
        assert db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.message_id.is_not(None))) == 1
        assert sum(1 for d in talk.values() if d.is_closed and d.closing_summary) == 1
        assert logged["discussion.message_hidden"] == 1


def test_demo_deciders_have_an_app_and_demo_code_prints_its_code(app, runner, make_user):
    import pyotp

    from psp.demo import SECRETS

    runner.invoke(args=["psp", "seed-demo"])
    listing = runner.invoke(args=["psp", "demo-accounts"]).output
    assert all(secret in listing for secret in SECRETS.values())
    for email, secret in SECRETS.items():
        result = runner.invoke(args=["psp", "demo-code", email.upper()])
        assert result.exit_code == 0 and pyotp.TOTP(secret).verify(result.output.strip(), valid_window=1)
    refused = runner.invoke(args=["psp", "demo-code", "member@example.org"])
    assert refused.exit_code == 1 and "not a demo account with an authenticator app" in refused.output
    app.config["PSP_ENV"] = "production"
    try:
        result = runner.invoke(args=["psp", "demo-code", "admin@example.org"])
    finally:
        app.config["PSP_ENV"] = "development"
    assert result.exit_code == 1 and "PSP_ENV=production" in result.output
    make_user(email="real.person@nhs.example.net")
    result = runner.invoke(args=["psp", "demo-code", "admin@example.org"])
    assert result.exit_code == 1 and "not the demo's" in result.output
