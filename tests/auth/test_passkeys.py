"""Passkeys as a second factor: adding one (a real "none" attestation from tests/softkey.py), signing
in with it, what is refused (replayed or expired challenges, another origin, a counter gone back,
someone else's passkey), removing one, and the data, erasure and admin reset that take them."""

import json
import re
import time

import pytest
from sqlalchemy import select

from psp.audit import AuditEntry
from psp.auth import passkeys, privacy, twofactor
from psp.auth.models import Passkey, RecoveryCode, SecondFactor, User
from psp.extensions import db
from tests.conftest import Forms, csrf_from, wait_for
from tests.factories import PASSWORD
from tests.softkey import SoftKey

ORIGIN = "http://localhost"   # the test app's BASE_URL: RP ID "localhost"
CODES_RE = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>")
NEW = "/account/two-factor/passkeys/new"


@pytest.fixture(autouse=True)
def _at_localhost(app):
    """The live server of the browser tests (session-scoped) moves BASE_URL, which gives the RP ID
    and origin: these tests pin it."""
    before = app.config["BASE_URL"]
    app.config["BASE_URL"] = ORIGIN
    yield
    app.config["BASE_URL"] = before


def _signed_in(app, make_user, email="person@example.org", **fields):
    make_user(email=email, **fields)
    client = app.test_client()
    response = Forms(client).post("/sign-in", {"email": email, "password": PASSWORD})
    if response.headers["Location"] == "/sign-in/code":
        from tests.factories import code_for
        response = Forms(client).post("/sign-in/code", {"code": code_for(email)})
    assert response.status_code == 302
    return client


def _options(client, url, page):
    token = csrf_from(client.get(page).get_data(as_text=True))
    response = client.post(url, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True), token


def _add(client, key, name="Work laptop", origin=ORIGIN):
    options, token = _options(client, "/account/two-factor/passkeys/options", NEW)
    return client.post(NEW, data={"csrf_token": token, "name": name,
                                  "credential": key.create(options, origin), "problem": ""})


def _password_step(app, email="person@example.org"):
    client = app.test_client()
    response = Forms(client).post("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/code"
    return client


def _use(client, key, **kwargs):
    options, token = _options(client, "/sign-in/passkey/options", "/sign-in/code")
    answer = key.get(options, kwargs.pop("origin", ORIGIN), **kwargs)
    return client.post("/sign-in/passkey", data={"csrf_token": token, "credential": answer}), answer, token


def _row(app, email="person@example.org"):
    with app.app_context():
        row = db.session.scalar(select(Passkey).join(User).where(User.email == email))
        if row is not None:
            db.session.expunge(row)
        return row


def test_adding_a_first_passkey_turns_two_factor_on_with_recovery_codes(app, make_user, smtp_server):
    client = _signed_in(app, make_user)
    key = SoftKey()
    done = _add(client, key)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "Two-factor sign-in is on" in html and len(CODES_RE.findall(html)) == 10
    row = _row(app)
    assert row.name == "Work laptop" and row.credential_id == key.id and row.sign_count == 0
    assert row.transports == "internal,hybrid"   # what the browser reported, unknown ones dropped
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Work laptop" in page and "Not used yet" in page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "passkey.added"))
        assert entry.details["name"] == "Work laptop"
    assert wait_for(lambda: any("A passkey was added" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))


def test_a_person_with_an_app_adds_a_passkey_without_new_codes(app, make_user):
    client = _signed_in(app, make_user, factor=True)
    done = _add(client, SoftKey(), name="Phone")
    assert done.status_code == 302 and done.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Your passkey \u201cPhone\u201d is added" in page


@pytest.mark.parametrize("fields", [{}, {"is_site_admin": True}], ids=["member", "site admin"])
def test_signing_in_with_a_passkey(app, make_user, fields):
    client = _signed_in(app, make_user, **fields)
    key = SoftKey()
    assert _add(client, key).status_code in (200, 302)
    other = _password_step(app)
    page = other.get("/sign-in/code").get_data(as_text=True)
    assert "Use your passkey" in page and "Passkeys need JavaScript" in page
    assert other.get("/account").status_code == 302   # not signed in yet
    response, _, _ = _use(other, key)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert other.get("/account").status_code == 200
    row = _row(app)
    assert row.sign_count == 1 and row.last_used_at is not None
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in.succeeded")
                                  .order_by(AuditEntry.id.desc()))
        assert entry.details["second_factor"] == "passkey"


def test_a_passkey_only_person_can_still_use_a_recovery_code(app, make_user):
    client = _signed_in(app, make_user)
    codes = CODES_RE.findall(_add(client, SoftKey()).get_data(as_text=True))
    other = _password_step(app)
    assert "Enter one of your recovery codes" in other.get("/sign-in/code").get_data(as_text=True)
    assert Forms(other).post("/sign-in/code", {"code": codes[0]}).status_code == 302


def test_a_challenge_is_used_once_and_an_answer_cannot_be_replayed(app, make_user):
    client = _signed_in(app, make_user)
    key = SoftKey()
    _add(client, key)
    # One browser's answer, replayed in another sign-in (which has its own challenge): refused.
    first, answer, _ = _use(_password_step(app), key)
    assert first.status_code == 302
    other = _password_step(app)
    _, token = _options(other, "/sign-in/passkey/options", "/sign-in/code")
    replayed = other.post("/sign-in/passkey", data={"csrf_token": token, "credential": answer})
    assert replayed.status_code == 400
    html = replayed.get_data(as_text=True)
    assert passkeys.NOT_ACCEPTED in html and 'href="#use-passkey"' in html   # GOV.UK error summary
    # A challenge is gone after one try, even a failed one: the right answer to it comes too late.
    options, token = _options(other, "/sign-in/passkey/options", "/sign-in/code")
    assert other.post("/sign-in/passkey", data={"csrf_token": token, "credential": "{}"}).status_code == 400
    late = other.post("/sign-in/passkey", data={"csrf_token": token, "credential": key.get(options, ORIGIN)})
    assert late.status_code == 400 and other.get("/account").status_code == 302


def test_an_expired_challenge_is_refused(app, make_user):
    client = _signed_in(app, make_user)
    key = SoftKey()
    _add(client, key)
    other = _password_step(app)
    options, token = _options(other, "/sign-in/passkey/options", "/sign-in/code")
    with other.session_transaction() as session:
        session[passkeys.CHALLENGE] = {**session[passkeys.CHALLENGE], "until": int(time.time()) - 1}
    refused = other.post("/sign-in/passkey", data={"csrf_token": token,
                                                   "credential": key.get(options, ORIGIN)})
    assert refused.status_code == 400 and other.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "sign_in.second_factor_failed")).details["method"] == "passkey"


def test_a_challenge_for_adding_is_not_one_for_signing_in(app, make_user):
    client = _signed_in(app, make_user)
    key = SoftKey()
    options, token = _options(client, "/account/two-factor/passkeys/options", NEW)
    with client.session_transaction() as session:
        session[passkeys.CHALLENGE] = {**session[passkeys.CHALLENGE], "purpose": passkeys.SIGN_IN}
    refused = client.post(NEW, data={"csrf_token": token, "name": "Laptop",
                                     "credential": key.create(options, ORIGIN)})
    assert refused.status_code == 400 and passkeys.TIMED_OUT in refused.get_data(as_text=True)
    assert _row(app) is None


@pytest.mark.parametrize("step", ["add", "sign in"])
def test_another_origin_is_refused(app, make_user, step):
    client = _signed_in(app, make_user)
    key = SoftKey()
    if step == "add":
        refused = _add(client, key, origin="http://evil.example.org")
        assert refused.status_code == 400 and passkeys.NOT_ACCEPTED in refused.get_data(as_text=True)
        assert _row(app) is None
        return
    _add(client, key)
    other = _password_step(app)
    refused, _, _ = _use(other, key, origin="http://evil.example.org")
    assert refused.status_code == 400 and other.get("/account").status_code == 302
    # Signed for another relying party: refused too.
    refused, _, _ = _use(_password_step(app), key, rp_id="evil.example.org")
    assert refused.status_code == 400


def test_a_sign_count_that_goes_back_is_refused(app, make_user):
    client = _signed_in(app, make_user)
    key = SoftKey()
    _add(client, key)
    key.sign_count = 5
    assert _use(_password_step(app), key)[0].status_code == 302
    assert _row(app).sign_count == 6
    key.sign_count = 3   # a copy of the key that has been used less: a clone
    refused, _, _ = _use(_password_step(app), key)
    assert refused.status_code == 400 and _row(app).sign_count == 6


def test_a_key_of_someone_else_is_refused(app, make_user):
    mine, theirs = SoftKey(), SoftKey()
    _add(_signed_in(app, make_user), mine)
    _add(_signed_in(app, make_user, email="them@example.org"), theirs)
    refused, _, _ = _use(_password_step(app), theirs)
    assert refused.status_code == 400


@pytest.mark.parametrize("credential", ["", "not json", "[]", '{"id": 5}', json.dumps({"id": "x"}),
                                        "x" * 30_000, json.dumps({"id": "AAAA", "response": "nope"})])
def test_bad_answers_never_give_a_server_error(app, make_user, credential):
    client = _signed_in(app, make_user)
    _add(client, SoftKey())
    other = _password_step(app)
    _, token = _options(other, "/sign-in/passkey/options", "/sign-in/code")
    used = other.post("/sign-in/passkey", data={"csrf_token": token, "credential": credential})
    assert used.status_code == 400
    _, token = _options(client, "/account/two-factor/passkeys/options", NEW)
    added = client.post(NEW, data={"csrf_token": token, "name": "Key", "credential": credential})
    assert added.status_code == 400


def test_without_script_the_pages_say_passkeys_need_it(app, make_user):
    client = _signed_in(app, make_user)
    page = client.get(NEW).get_data(as_text=True)
    assert "Passkeys need JavaScript" in page and "<script" not in page.split("<main", 1)[1]
    token = csrf_from(page)
    no_script = client.post(NEW, data={"csrf_token": token, "name": "Laptop"})
    assert no_script.status_code == 400 and passkeys.NEEDS_SCRIPT in no_script.get_data(as_text=True)
    cancelled = client.post(NEW, data={"csrf_token": token, "name": "Laptop", "problem": "NotAllowedError"})
    assert cancelled.status_code == 400 and passkeys.NOT_USED in cancelled.get_data(as_text=True)
    unnamed = client.post(NEW, data={"csrf_token": token, "name": " "})
    assert unnamed.status_code == 400 and "Enter a name for this passkey" in unnamed.get_data(as_text=True)


def test_removing_asks_for_the_password_and_emails(app, make_user, smtp_server):
    client = _signed_in(app, make_user)
    _add(client, SoftKey())
    row = _row(app)
    url = f"/account/two-factor/passkeys/{row.id}/remove"
    wrong = Forms(client).post(url, {"password": "wrong password"})
    assert wrong.status_code == 400 and "Password is wrong" in wrong.get_data(as_text=True)
    done = Forms(client).post(url, {"password": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/account/two-factor"
    assert _row(app) is None
    with app.app_context():   # the last factor gone: the recovery codes go with it
        assert db.session.scalar(select(RecoveryCode.id)) is None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "passkey.removed"))
    assert wait_for(lambda: any("A passkey was removed" in m["Subject"]
                                for m in smtp_server.to("person@example.org")))
    # Signing in again asks for no second step.
    assert Forms(app.test_client()).post("/sign-in", {"email": "person@example.org",
                                                      "password": PASSWORD}).headers["Location"] == "/"


def test_someone_elses_passkey_is_not_found(app, make_user):
    _add(_signed_in(app, make_user, email="them@example.org"), SoftKey())
    theirs = _row(app, "them@example.org")
    client = _signed_in(app, make_user)
    url = f"/account/two-factor/passkeys/{theirs.id}/remove"
    assert client.get(url).status_code == 404
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "password": PASSWORD}).status_code == 404
    assert _row(app, "them@example.org") is not None


def test_a_decider_with_a_passkey_passes_the_gate_and_keeps_one(app, world, smtp_server):
    with app.app_context():
        db.session.execute(SecondFactor.__table__.delete().where(
            SecondFactor.user_id == world["user:coordinator"]))
        db.session.execute(RecoveryCode.__table__.delete().where(
            RecoveryCode.user_id == world["user:coordinator"]))
        db.session.commit()
    client = app.test_client()
    Forms(client).post("/sign-in", {"email": "coordinator@example.org", "password": PASSWORD})
    assert client.get("/my").headers["Location"] == "/account/two-factor"
    assert client.get(NEW).status_code == 200     # open to a person held back by the gate
    key = SoftKey()
    assert _add(client, key).status_code == 200
    assert client.get("/my").status_code == 200
    row = _row(app, "coordinator@example.org")
    refused = Forms(client).post(f"/account/two-factor/passkeys/{row.id}/remove", {"password": PASSWORD})
    assert refused.status_code == 400 and "must keep a second factor" in refused.get_data(as_text=True)
    _add(client, SoftKey(), name="Spare key")
    assert Forms(client).post(f"/account/two-factor/passkeys/{row.id}/remove",
                              {"password": PASSWORD}).status_code == 302


def test_the_export_lists_passkeys_without_key_material_and_erasure_removes_them(app, make_user):
    client = _signed_in(app, make_user)
    key = SoftKey()
    _add(client, key)
    data = client.get("/account/data.json").get_data(as_text=True)
    found = json.loads(data)["passkeys"]
    assert [p["name"] for p in found] == ["Work laptop"] and found[0]["created_at"]
    assert "public_key" not in found[0] and "credential_id" not in found[0] and key.id not in data
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "person@example.org"))
        privacy.erase(person)
        assert db.session.scalar(select(Passkey.id)) is None


def test_a_site_admins_reset_removes_passkeys(app, world, sign_in_as, make_user):
    client = _signed_in(app, make_user)
    _add(client, SoftKey())
    person = _row(app).user_id
    admin = sign_in_as("site.admin@example.org")
    page = admin.get(f"/admin/people/{person}/second-factor").get_data(as_text=True)
    assert "passkey" in page
    assert admin.forms.post(f"/admin/people/{person}/second-factor", {}).status_code == 302
    assert _row(app) is None
    with app.app_context():
        assert not twofactor.any_on(db.session.get(User, person))


def test_options_need_a_pending_sign_in(app, client):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    assert client.post("/sign-in/passkey/options", headers={"X-CSRFToken": token}).status_code == 400
