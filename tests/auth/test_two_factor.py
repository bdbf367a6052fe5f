"""Two-factor sign-in: setting up an authenticator app, the second step of signing in, recovery
codes, turning it off, the admin's reset, and people who decide held to setting one up."""

import json
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.auth import twofactor
from psp.auth.models import RecoveryCode, SecondFactor, User
from psp.extensions import db
from tests.conftest import Forms, csrf_from, second_step, wait_for
from tests.factories import PASSWORD, code_for, secret_for

SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
CODES_RE = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>")


def _other(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def _set_up(client):
    """Start setting up; return the secret shown on the page."""
    forms = Forms(client)
    assert forms.post("/account/two-factor/start", {}, page="/account/two-factor").status_code == 302
    page = client.get("/account/two-factor/set-up")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    return SECRET_RE.search(html).group(1)


def _signed_in_with_app(app, make_user, client, email="person@example.org"):
    make_user(email=email)
    assert Forms(client).post("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302
    secret = _set_up(client)
    done = Forms(client).post("/account/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return secret, CODES_RE.findall(done.get_data(as_text=True))


def _password_step(client, email="person@example.org"):
    response = Forms(client).post("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/code"
    return response


def _forget_last_step(app, email="person@example.org"):
    with app.app_context():
        row = db.session.scalar(select(SecondFactor).join(User).where(User.email == email))
        row.last_step = None
        db.session.commit()


def test_set_up_refuses_a_wrong_code_and_never_shows_it_back(app, client, make_user, smtp_server):
    make_user(email="person@example.org")
    Forms(client).post("/sign-in", {"email": "person@example.org", "password": PASSWORD})
    secret = _set_up(client)
    wrong = _other(pyotp.TOTP(secret).now())
    response = Forms(client).post("/account/two-factor/set-up", {"code": wrong})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in html and wrong not in html
    assert secret in html   # the same secret, to try again
    for bad in ("", "x" * 500, "12\x003456"):
        assert Forms(client).post("/account/two-factor/set-up", {"code": bad}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(SecondFactor.confirmed_at)) is None
    done = Forms(client).post("/account/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    codes = CODES_RE.findall(done.get_data(as_text=True))
    assert done.status_code == 200 and len(set(codes)) == 10
    with app.app_context():
        assert db.session.scalar(select(SecondFactor.confirmed_at)) is not None
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not set(codes) & set(stored)   # kept hashed
    assert wait_for(lambda: any("Two-factor sign-in is on" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))
    # Shown once: the two-factor page says how many are left, not what they are.
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 unused recovery codes" in page and codes[0] not in page


def test_sign_in_asks_for_a_code_and_is_not_signed_in_until_then(app, client, make_user):
    secret, _ = _signed_in_with_app(app, make_user, client)
    Forms(client).post("/sign-out", {}, page="/account")
    _forget_last_step(app)
    _password_step(client)
    assert client.get("/account").headers["Location"].startswith("/sign-in")   # not signed in yet
    wrong = Forms(client).post("/sign-in/code", {"code": _other(pyotp.TOTP(secret).now())})
    assert wrong.status_code == 400 and "govuk-error-summary" in wrong.get_data(as_text=True)
    right = Forms(client).post("/sign-in/code", {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in.succeeded")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.details.get("second_factor") == "app"


def test_a_used_code_cannot_be_used_again(app, make_user):
    first, second = app.test_client(), app.test_client()
    secret, _ = _signed_in_with_app(app, make_user, first)
    _forget_last_step(app)
    code = pyotp.TOTP(secret).now()
    _password_step(second)
    assert Forms(second).post("/sign-in/code", {"code": code}).status_code == 302
    third = app.test_client()
    _password_step(third)
    replay = Forms(third).post("/sign-in/code", {"code": code})
    assert replay.status_code == 400
    # An earlier step's code (still within the window for clock drift) is refused too.
    earlier = pyotp.TOTP(secret).at(time.time() - 30)
    assert Forms(third).post("/sign-in/code", {"code": earlier}).status_code == 400


def test_a_recovery_code_signs_in_once(app, make_user, smtp_server):
    _secret, codes = _signed_in_with_app(app, make_user, app.test_client())
    client = app.test_client()
    _password_step(client)
    assert Forms(client).post("/sign-in/code", {"code": codes[3].upper()}).status_code == 302
    assert wait_for(lambda: any("recovery code was used" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))
    again = app.test_client()
    _password_step(again)
    assert Forms(again).post("/sign-in/code", {"code": codes[3]}).status_code == 400
    assert Forms(again).post("/sign-in/code", {"code": codes[4]}).status_code == 302


def test_codes_are_limited_to_five_wrong_tries_in_five_minutes(app, make_user):
    secret, _ = _signed_in_with_app(app, make_user, app.test_client())
    client = app.test_client()
    _password_step(client)
    wrong = _other(pyotp.TOTP(secret).now())
    answers = [Forms(client).post("/sign-in/code", {"code": wrong}).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]
    # The limit is the account's: a new password step in another browser does not reset it.
    other = app.test_client()
    _password_step(other)
    assert Forms(other).post("/sign-in/code", {"code": pyotp.TOTP(secret).now()}).status_code == 429


def test_the_pending_step_runs_out_after_five_minutes(app, client, make_user):
    _signed_in_with_app(app, make_user, app.test_client())
    _password_step(client)
    with client.session_transaction() as session:
        session[twofactor.PENDING] = {**session[twofactor.PENDING], "until": int(time.time()) - 1}
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_turning_off_asks_for_the_password_and_a_code(app, client, make_user, smtp_server):
    secret, _ = _signed_in_with_app(app, make_user, client)
    _forget_last_step(app)
    url = "/account/two-factor/turn-off"
    wrong = Forms(client).post(url, {"password": "wrong password", "code": pyotp.TOTP(secret).now()})
    assert wrong.status_code == 400 and "Password is wrong" in wrong.get_data(as_text=True)
    bad_code = Forms(client).post(url, {"password": PASSWORD, "code": "000000x"})
    assert bad_code.status_code == 400
    done = Forms(client).post(url, {"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SecondFactor)) == 0
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert wait_for(lambda: any("Two-factor sign-in is off" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))
    Forms(client).post("/sign-out", {}, page="/account")
    assert Forms(client).post("/sign-in", {"email": "person@example.org",
                                           "password": PASSWORD}).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(app, client, make_user, smtp_server):
    secret, old = _signed_in_with_app(app, make_user, client)
    _forget_last_step(app)
    url = "/account/two-factor/recovery-codes"
    assert Forms(client).post(url, {"password": PASSWORD, "code": "123"}).status_code == 400
    done = Forms(client).post(url, {"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    new = CODES_RE.findall(done.get_data(as_text=True))
    assert done.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert wait_for(lambda: any("new recovery codes" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))
    other = app.test_client()
    _password_step(other)
    assert Forms(other).post("/sign-in/code", {"code": old[0]}).status_code == 400
    assert Forms(other).post("/sign-in/code", {"code": new[0]}).status_code == 302


def test_a_site_admin_resets_someone_elses_second_factor_never_their_own(app, world, sign_in_as,
                                                                         smtp_server):
    admin = sign_in_as("site.admin@example.org")
    coordinator = sign_in_as("coordinator@example.org")
    own = admin.forms.post(f"/admin/people/{world['user:site_admin']}/second-factor", {},
                           page="/admin/people")
    assert own.status_code == 403
    page = admin.get(f"/admin/people/{world['user:coordinator']}/second-factor")
    assert page.status_code == 200 and "authenticator app" in page.get_data(as_text=True)
    done = admin.forms.post(f"/admin/people/{world['user:coordinator']}/second-factor", {})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SecondFactor).where(
            SecondFactor.user_id == world["user:coordinator"])) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "two_factor.reset"))
        assert entry.actor_id == world["user:site_admin"] and entry.target_id == world["user:coordinator"]
    assert wait_for(lambda: any("two-factor sign-in was reset" in m["Subject"]
                                for m in smtp_server.to("coordinator@example.org")))
    # Signed out everywhere; signing in again, the coordinator is sent to set up a new app first.
    assert coordinator.get("/account").status_code == 302
    again = app.test_client()
    assert Forms(again).post("/sign-in", {"email": "coordinator@example.org",
                                          "password": PASSWORD}).headers["Location"] == "/"
    held = again.get("/programmes/test-programme")
    assert held.status_code == 302 and held.headers["Location"] == "/account/two-factor"


def test_a_coordinator_without_a_second_factor_sets_one_up_before_anything_else(app, world):
    with app.app_context():
        db.session.execute(SecondFactor.__table__.delete().where(
            SecondFactor.user_id == world["user:coordinator"]))
        db.session.commit()
    client = app.test_client()
    Forms(client).post("/sign-in", {"email": "coordinator@example.org", "password": PASSWORD})
    for path in ("/", "/programmes/test-programme", "/organisations/to-verify", "/my"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "must set up two-factor sign-in" in page
    token = csrf_from(page)
    refused = client.post("/organisations/pending-project/verify", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "Set up two-factor sign-in first" in refused.get_data(as_text=True)
    for path in ("/account", "/privacy", "/account/data.json"):
        assert client.get(path).status_code == 200, path
    secret = _set_up(client)
    assert Forms(client).post("/account/two-factor/set-up",
                              {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/programmes/test-programme").status_code == 200
    # A person who decides cannot turn it off themselves (only a site admin's reset removes it).
    assert "Turn off" not in client.get("/account/two-factor").get_data(as_text=True)
    assert client.get("/account/two-factor/turn-off").status_code == 403


def test_production_refuses_to_start_without_the_requirement():
    from psp.config import check_production

    key = "k" * 40
    check_production({"PSP_ENV": "production", "SECRET_KEY": key, "REQUIRE_SECOND_FACTOR": True})
    with pytest.raises(RuntimeError, match="REQUIRE_SECOND_FACTOR"):
        check_production({"PSP_ENV": "production", "SECRET_KEY": key, "REQUIRE_SECOND_FACTOR": False})


def test_the_requirement_can_be_turned_off_outside_production(app, world):
    with app.app_context():
        db.session.execute(SecondFactor.__table__.delete())
        db.session.commit()
    app.config["REQUIRE_SECOND_FACTOR"] = False
    try:
        client = app.test_client()
        Forms(client).post("/sign-in", {"email": "nhs.lead@example.org", "password": PASSWORD})
        assert client.get("/programmes/test-programme").status_code == 200
    finally:
        app.config["REQUIRE_SECOND_FACTOR"] = True


def test_the_test_helpers_complete_the_second_step(app, world, auth):
    assert auth.sign_in("nhs.lead@example.org", code=False).headers["Location"] == "/sign-in/code"
    client = app.test_client()
    response = second_step(client, Forms(client).post(
        "/sign-in", {"email": "nhs.lead@example.org", "password": PASSWORD}), "nhs.lead@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert pyotp.TOTP(secret_for("nhs.lead@example.org")).verify(code_for("nhs.lead@example.org"))


def test_the_export_lists_factors_without_secrets_and_erasure_removes_them(app, client, make_user):
    _signed_in_with_app(app, make_user, client)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert len(data["second_factors"]) == 1 and "secret" not in data["second_factors"][0]
    assert data["second_factors"][0]["kind"] == "totp"
    assert len(data["recovery_codes"]) == 10 and "code_hash" not in data["recovery_codes"][0]
    token = csrf_from(client.get("/account/delete").get_data(as_text=True))
    assert client.post("/account/delete", data={"csrf_token": token, "password": PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SecondFactor)) == 0
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


@pytest.mark.parametrize("code", ["", " ", "x" * 100, "\x00", "12345", "abcd-efgh"])
def test_bad_codes_at_sign_in_never_give_a_server_error(app, make_user, code):
    _signed_in_with_app(app, make_user, app.test_client())
    client = app.test_client()
    _password_step(client)
    assert Forms(client).post("/sign-in/code", {"code": code}).status_code == 400
