"""The register of interests: declaring, refusals, confirming, withdrawing, reminders, the answering
conflict, the sign-off snapshot, May bid marks, export and erasure, and fixed query counts."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from psp import builders
from psp.audit import AuditEntry
from psp.extensions import db
from psp.interests import services
from psp.interests.models import Declaration
from psp.notifications.models import Notification
from psp.timeutil import utcnow

P = "/programmes/test-programme"
R = "/programmes/review-programme"


def _declarations(**where):
    with_ = [getattr(Declaration, k) == v for k, v in where.items()]
    return db.session.scalars(select(Declaration).where(*with_).order_by(Declaration.id)).all()


def test_the_register_is_public(app, world):
    page = app.test_client().get(P + "/interests")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Partner Charity" in html and "May bid" in html and "No interests to declare" in html
    assert "Trustee, director or employee of another organisation involved: Other Group" in html
    assert "Declare an interest" not in html and "Withdraw" not in html
    assert 'href="/programmes/test-programme/interests"' in app.test_client().get(P).get_data(as_text=True)


def test_a_coordinator_declares_a_role_elsewhere(app, world, sign_in_as):
    client = sign_in_as("coordinator@example.org")
    response = client.forms.post(P + "/interests/new", {
        "on_behalf": "", "kind": "role-elsewhere", "organisation": world["org_id:partner"],
        "description": "Director since 2024."})
    assert response.status_code == 302 and response.headers["Location"] == P + "/interests"
    with app.app_context():
        made = _declarations(user_id=world["user:coordinator"], kind="role-elsewhere")
        assert [(d.organisation_id, d.interest_organisation_id, d.description) for d in made] == [
            (None, world["org_id:partner"], "Director since 2024.")]
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "interest.declared")) == 1
    html = client.get(P + "/interests").get_data(as_text=True)
    assert "another organisation involved: Partner Charity. Director since 2024." in html


def test_an_organisation_admin_declares_for_their_organisation_that_it_may_bid(app, world, sign_in_as):
    client = sign_in_as("organisation.admin@example.org")
    form = client.get(P + "/interests/new").get_data(as_text=True)
    assert "Partner Charity, on its behalf" in form
    response = client.forms.post(P + "/interests/new", {
        "on_behalf": world["org_id:partner"], "kind": "may-bid", "organisation": "", "description": ""})
    assert response.status_code == 302
    with app.app_context():
        made = _declarations(organisation_id=world["org_id:partner"])
        assert len(made) == 2 and made[-1].interest_organisation_id == world["org_id:partner"]
        assert made[-1].user_id == world["user:organisation_admin"]


@pytest.mark.parametrize("data, error", [
    ({}, "Select what you declare"),
    ({"kind": "bogus"}, "Select what you declare"),
    ({"kind": "financial", "description": "  "}, "Describe the interest"),
    ({"kind": "other", "description": "bad\x07bell"}, "Remove the invisible control characters"),
    ({"kind": "role-elsewhere", "organisation": ""}, "Select the organisation"),
    ({"kind": "role-elsewhere", "organisation": "not-a-number"}, "Select the organisation"),
    ({"kind": "role-elsewhere", "organisation": "{other}"}, "Select the organisation"),  # not involved
    ({"kind": "none", "on_behalf": "x"}, "Select who this declaration is for"),
    ({"kind": "financial", "description": "x" * 2001}, "2,000 characters or fewer"),
])
def test_bad_input_is_shown_with_what_was_typed(app, world, sign_in_as, data, error):
    client = sign_in_as("organisation.admin@example.org")
    data = {k: v.replace("{other}", str(world["org_id:other"])) for k, v in data.items()}
    response = client.forms.post(P + "/interests/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and error in html
    typed = data.get("description", "")
    if typed.strip() and len(typed) < 100 and "\x07" not in typed:
        assert typed in html
    with app.app_context():
        assert len(_declarations()) == 3   # the world's, nothing added


def test_who_may_not_declare_is_refused(app, world, sign_in_as, make_user):
    # A plain member of a partner organisation; and a coordinator of another programme only.
    assert sign_in_as("partner.member@example.org").forms.post(
        P + "/interests/new", {"kind": "none"}, page="/account").status_code == 403
    elsewhere = make_user("elsewhere@example.org", factor=True)  # a coordinator: two-factor required
    with app.app_context():
        from psp.programmes.models import Programme

        review = db.session.scalar(select(Programme.id).where(Programme.slug == "review-programme"))
        db.session.add(builders.role(review, elsewhere.id, "coordinator"))
        db.session.commit()
    client = sign_in_as("elsewhere@example.org")
    assert client.get(P + "/interests/new").status_code == 403
    assert client.get(R + "/interests/new").status_code == 200
    # An organisation admin changing the id to an organisation they do not administer, or to theirs on a
    # programme where it is not a partner.
    admin = sign_in_as("organisation.admin@example.org")
    for org in ("other", "asking"):
        assert admin.forms.post(P + "/interests/new", {"kind": "may-bid", "on_behalf": world[f"org_id:{org}"]}
                                ).status_code == 403
    assert admin.forms.post(R + "/interests/new", {"kind": "may-bid", "on_behalf": world["org_id:partner"]},
                            page=P + "/interests/new").status_code == 403
    with app.app_context():
        assert len(_declarations()) == 3


def test_withdrawing_and_changing_ids(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    theirs = world["declaration_org"]
    assert coordinator.forms.post(f"{P}/interests/{theirs}/withdraw", {}, page=P + "/interests"
                                  ).status_code == 403
    assert coordinator.forms.post(f"{R}/interests/{world['declaration_coordinator']}/withdraw", {},
                                  page=P + "/interests").status_code == 404
    missing = coordinator.forms.post(f"{P}/interests/999999/withdraw", {}, page=P + "/interests")
    assert missing.status_code == 404
    assert coordinator.forms.post(f"{P}/interests/{world['declaration_coordinator']}/withdraw", {},
                                  page=P + "/interests").status_code == 302
    admin = sign_in_as("organisation.admin@example.org")
    assert admin.forms.post(f"{P}/interests/{theirs}/withdraw", {}, page=P + "/interests").status_code == 302
    with app.app_context():
        assert [d.id for d in _declarations()] == [world["declaration_lead"]]
        logged = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "interest.withdrawn"))
        assert logged == 2


def test_a_post_without_a_token_changes_nothing(app, world, sign_in_as):
    client = sign_in_as("coordinator@example.org")
    response = client.post(f"{P}/interests/{world['declaration_coordinator']}/withdraw", data={})
    assert response.status_code == 400
    with app.app_context():
        assert len(_declarations()) == 3


def _age(app, declaration_id, days, reminded=None):
    with app.app_context():
        declaration = db.session.get(Declaration, declaration_id)
        declaration.confirmed_at = utcnow() - timedelta(days=days)
        declaration.reminded_at = reminded
        db.session.commit()


def _reminders(app):
    with app.app_context():
        return db.session.scalars(select(Notification.user_id).where(Notification.kind == "interests")
                                  .order_by(Notification.id)).all()


def test_reminders_go_once_after_eleven_months_and_start_again_on_confirming(app, world, sign_in_as, runner):
    _age(app, world["declaration_coordinator"], 334)   # not yet
    with app.app_context():
        assert services.send_reminders() == 0
    _age(app, world["declaration_coordinator"], 336)
    result = runner.invoke(args=["psp", "interest-reminders"])
    assert result.exit_code == 0 and "Interest reminders 1;" in result.output
    with app.app_context():
        assert services.send_reminders() == 0   # once per period: a second run sends nothing
    assert _reminders(app) == [world["user:coordinator"]]
    client = sign_in_as("coordinator@example.org")
    assert client.forms.post(P + "/interests/confirm", {}, page=P + "/interests").status_code == 302
    with app.app_context():
        declaration = db.session.get(Declaration, world["declaration_coordinator"])
        assert declaration.reminded_at is None and utcnow() - declaration.confirmed_at < timedelta(minutes=1)
    _age(app, world["declaration_coordinator"], 400)
    with app.app_context():
        assert services.send_reminders() == 1
    assert _reminders(app) == [world["user:coordinator"]] * 2


def test_a_claimed_period_is_never_sent_twice(app, world):
    """Two runs at once: the second finds the rows already claimed by the first's conditional UPDATE."""
    _age(app, world["declaration_lead"], 340)
    with app.app_context():
        due = services.due_for_reminder()
        assert due == [(world["user:nhs_lead"], world["programme_id"])]
    _age(app, world["declaration_lead"], 340, reminded=utcnow())   # the other run claimed it meanwhile
    with app.app_context():
        assert services.send_reminders() == 0
    assert _reminders(app) == []


def _view_from(app, world, org):
    with app.app_context():
        from psp.cycles.models import Stage

        stage = db.session.scalar(select(Stage).where(Stage.programme_id == world["programme_id"],
                                                      Stage.kind == "analyse"))
        view = builders.view(world["programme_id"], stage.id, world[f"org_id:{org}"], f"From {org}")
        db.session.add(view)
        db.session.commit()
        return view.id


def test_an_nhs_lead_with_a_declared_interest_cannot_answer_and_is_told_who_can(app, world, sign_in_as):
    view = _view_from(app, world, "other")
    lead = sign_in_as("nhs.lead@example.org")
    html = lead.get(f"/views/{view}").get_data(as_text=True)
    assert "Another NHS lead or coordinator must answer: you declared an interest in Other Group." in html
    assert "Who can answer: Coordinator." in html and "Answer this view" not in html
    assert lead.get(f"/views/{view}/answer").status_code == 403
    coordinator = sign_in_as("coordinator@example.org")
    assert "Answer this view" in coordinator.get(f"/views/{view}").get_data(as_text=True)
    assert coordinator.get(f"/views/{view}/answer").status_code == 200


def test_nobody_answers_a_view_from_their_own_organisation(app, world, sign_in_as):
    with app.app_context():
        db.session.add(builders.membership(world["user:nhs_lead"], world["org_id:partner"]))
        db.session.add(builders.membership(world["user:coordinator"], world["org_id:partner"]))
        db.session.commit()
    lead = sign_in_as("nhs.lead@example.org")
    html = lead.get(f"/views/{world['view_shared']}").get_data(as_text=True)
    assert "you belong to Partner Charity" in html
    assert "Nobody else on the programme can answer it yet" in html
    assert lead.get(f"/views/{world['view_shared']}/answer").status_code == 403
    with app.app_context():
        from psp.auth.models import User
        from psp.contributions import services as views
        from psp.contributions.models import Contribution
        from psp.errors import Stale
        from psp.programmes.models import Programme

        person = db.session.get(User, world["user:nhs_lead"])
        contribution = db.session.get(Contribution, world["view_shared"])
        with pytest.raises(Stale):   # the service holds the same rule as the page
            views.answer(person, db.session.get(Programme, world["programme_id"]), contribution,
                         contribution.version, "under_consideration", "Looking.")


def test_signing_off_keeps_the_signers_declarations_in_the_history(app, world):
    from psp.auth.models import User
    from psp.cycles import services as cycles
    from psp.cycles.models import Stage, StageTransition
    from psp.programmes.models import Programme

    with app.app_context():
        reviewing = db.session.scalar(select(Programme).where(Programme.slug == "review-programme"))
        lead = db.session.get(User, world["user:nhs_lead"])
        services.declare(lead, reviewing, {"kind": "financial", "on_behalf": "",
                                           "description": "Shares in a care provider."})
        stage = db.session.scalar(select(Stage).where(Stage.programme_id == reviewing.id,
                                                      Stage.kind == "analyse"))
        cycles.sign_off(lead, reviewing, stage, stage.version, "Agreed.")
        snapshot = db.session.scalar(select(StageTransition.declarations).where(
            StageTransition.stage_id == stage.id, StageTransition.to_status == "signed_off"))
        assert snapshot.startswith("- A financial interest. Shares in a care provider. (confirmed ")
        assert len(snapshot.splitlines()) == 1   # this programme's declarations only
    html = app.test_client().get(R + "/cycles/1/analyse").get_data(as_text=True)
    assert "Declarations of interest of the signer at sign-off" in html
    assert "Shares in a care provider" in html


def test_partners_who_may_bid_are_marked_on_the_programme_and_their_actions(app, world):
    client = app.test_client()
    programme = client.get(P).get_data(as_text=True)
    assert programme.count("May bid") == 1 and "Partner Charity" in programme
    plan = client.get(P + "/cycles/1/plan").get_data(as_text=True)
    assert "Partner Charity <strong class=\"govuk-tag govuk-tag--orange\">May bid</strong>" in plan


def test_export_and_erasure(app, world):
    from psp.auth import privacy
    from psp.auth.models import User

    with app.app_context():
        admin = db.session.get(User, world["user:organisation_admin"])
        exported = privacy.export(admin)
        assert [row["kind"] for row in exported["declarations"]] == ["may-bid"]
        coordinator = db.session.get(User, world["user:coordinator"])
        assert [row["kind"] for row in privacy.export(coordinator)["declarations"]] == ["none"]
        privacy.erase(coordinator)
        privacy.erase(db.session.get(User, world["user:nhs_lead"]))
        # The organisation's declaration stays, without who made it, when its maker goes.
        from psp.organisations.models import Membership

        db.session.scalars(select(Membership).where(Membership.user_id == world["user:partner_member"])
                           ).one().role = "admin"   # Partner Charity keeps an admin
        db.session.commit()
        privacy.erase(db.session.get(User, world["user:organisation_admin"]))
        left = _declarations()
        assert [(d.kind, d.user_id, d.organisation_id) for d in left] == [
            ("may-bid", None, world["org_id:partner"])]
    html = app.test_client().get(P + "/interests").get_data(as_text=True)
    assert "Partner Charity" in html and "declared by" not in html


def _grow(app, world, start, stop):
    """Partners that may bid, each with an admin who declared for it, and a personal declaration."""
    from tests.factories import organisation, person

    with app.app_context():
        orgs = [organisation(f"Bidder {n:03d}") for n in range(start, stop)]
        people = [person(f"bidder{n}@example.org") for n in range(start, stop)]
        db.session.add_all(orgs + people)
        db.session.flush()
        for org, who in zip(orgs, people, strict=True):
            db.session.add_all([
                builders.participation(world["programme_id"], org.id),
                builders.membership(who.id, org.id, role="admin"),
                Declaration(programme_id=world["programme_id"], user_id=who.id, organisation_id=org.id,
                            kind="may-bid", interest_organisation_id=org.id),
                Declaration(programme_id=world["programme_id"], user_id=who.id, kind="financial",
                            description="Shares."),
            ])
        db.session.commit()


@pytest.mark.parametrize("url, who, expected", [
    (P + "/interests", None, 4),   # visitors' pages read the data version first (kept pages, #20)
    # signed in: and their own declarations, for the kept register's key (#20)
    (P + "/interests", "organisation.admin@example.org", 9),
    (P, None, 19),
])
def test_query_counts_do_not_grow(app, world, count_queries, sign_in_as, database_url, url, who, expected):
    """``expected`` on SQLite; PostgreSQL runs one statement fewer (SQLite's writer-first BEGIN)."""
    expected -= 0 if database_url.startswith("sqlite") else 1
    client = sign_in_as(who) if who else app.test_client()
    _grow(app, world, 0, 3)
    response, small = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    _grow(app, world, 3, 40)
    response, large = count_queries(lambda: client.get(url))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Bidder 000" in html and html.count("May bid") >= 20
    assert (small, large) == (expected, expected), (small, large)
