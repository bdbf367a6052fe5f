"""Account journeys through HTTP: status, page text, database state and email."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.auth.models import User
from psp.extensions import db
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "a quiet lighthouse on the firth"


def path_of(url):
    parts = urlsplit(url)
    return parts.path


def get_user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def register(forms, email="new.person@example.org", password=PASSWORD, name="Ailsa Munro"):
    return forms.post("/register", {"name": name, "email": email, "password": password})


def test_register_confirm_sign_in_and_out(app, client, forms, smtp_server):
    response = register(forms, email="  New.Person@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/register/check-your-email")
    user = get_user(app, "new.person@example.org")
    assert user is not None and user.name == "Ailsa Munro"
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash

    # Signing in before confirming sends a new link and does not sign in.
    response = forms.post("/sign-in", {"email": "new.person@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "Confirm your email address first" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302

    link = path_of(smtp_server.link("new.person@example.org", "/confirm-email/"))
    page = client.get(link)
    assert page.status_code == 200 and "Confirm email address" in page.get_data(as_text=True)
    assert get_user(app, "new.person@example.org").email_confirmed_at is None  # GET changes nothing
    response = forms.post(link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert get_user(app, "new.person@example.org").email_confirmed_at is not None

    response = forms.post("/sign-in", {"email": "NEW.person@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    account = client.get("/account")
    assert account.status_code == 200 and "new.person@example.org" in account.get_data(as_text=True)

    response = forms.post("/sign-out", {}, page="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    assert {"account.registered", "account.email_confirmed", "sign_in.succeeded",
            "sign_out"} <= set(actions(app))


def test_register_with_existing_email_reveals_nothing(app, forms, make_user, smtp_server):
    make_user(email="taken@example.org", name="First Owner")
    response = register(forms, email="taken@example.org", name="Someone Else")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/register/check-your-email")
    assert get_user(app, "taken@example.org").name == "First Owner"
    mails = smtp_server.to("taken@example.org")
    assert len(mails) == 1 and "already has one" in smtp_server.body(mails[0])


@pytest.mark.parametrize("password, message", [
    ("short words", "12 characters or more"),
    ("x" * 129, "128 characters or fewer"),
    ("qwerty123456", "too common"),
    ("Password1234", "too common"),
    ("", "Enter a password"),
])
def test_register_refuses_weak_passwords(app, forms, password, message):
    response = register(forms, password=password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'value="Ailsa Munro"' in html  # what they typed is kept
    assert get_user(app, "new.person@example.org") is None


def test_long_passphrases_and_unicode_are_accepted(app, forms):
    passphrase = "Schiehallion 🏔 est très belle en été " * 3
    assert register(forms, password=passphrase[:128]).status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(app, forms, make_user):
    make_user(email="known@example.org")
    wrong = forms.post("/sign-in", {"email": "known@example.org", "password": "not the password"})
    unknown = forms.post("/sign-in", {"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    text_wrong = wrong.get_data(as_text=True).replace("known@example.org", "EMAIL")
    text_unknown = unknown.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    strip = lambda html: "".join(line for line in html.splitlines() if "csrf_token" not in line)  # noqa: E731
    assert strip(text_wrong) == strip(text_unknown)
    assert "Enter a correct email address and password" in text_wrong
    assert actions(app).count("sign_in.failed") == 2


def test_failed_sign_in_says_it_once_and_keeps_the_email(app, forms, make_user):
    make_user(email="known@example.org")
    html = forms.post("/sign-in", {"email": "known@example.org", "password": "not the password"}).get_data(
        as_text=True)
    summary = html[html.index('class="govuk-error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert summary.count("Enter a correct email address and password") == 1
    assert summary.count("<li>") == 1 and 'href="#email"' in summary
    assert html.count("Enter a correct email address and password") == 2   # the summary and the field
    assert 'value="known@example.org"' in html
    assert 'value="not the password"' not in html


def test_sign_in_is_limited_per_account(app, forms, make_user):
    make_user(email="target@example.org")
    for _ in range(10):
        response = forms.post("/sign-in", {"email": "target@example.org", "password": "wrong guess 1"})
        assert response.status_code == 400
    blocked = forms.post("/sign-in", {"email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out by it.
    make_user(email="other@example.org")
    assert forms.post("/sign-in", {"email": "other@example.org", "password": PASSWORD}).status_code == 302


def test_a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app, forms, make_user):
    """Ten wrong passwords from strangers lock the account for unknown browsers only: the
    owner's browser, which signed in before (a signed device cookie), still signs in."""
    from tests.conftest import Forms

    make_user(email="lead@example.org")
    owner = Forms(app.test_client())
    assert owner.post("/sign-in", {"email": "lead@example.org", "password": PASSWORD}).status_code == 302
    owner.client.post("/sign-out", data={"csrf_token": csrf_from(owner.client.get("/account").get_data(
        as_text=True))})
    for _ in range(10):
        guess = forms.post("/sign-in", {"email": "lead@example.org", "password": "guess guess"})
        assert guess.status_code == 400
    assert forms.post("/sign-in", {"email": "lead@example.org", "password": PASSWORD}).status_code == 429
    forged = Forms(app.test_client())
    forged.client.set_cookie("psp_device", "forged.value")
    assert forged.post("/sign-in", {"email": "lead@example.org", "password": PASSWORD}).status_code == 429
    assert owner.post("/sign-in", {"email": "lead@example.org", "password": PASSWORD}).status_code == 302


def test_sign_in_is_limited_per_address(app, forms):
    for n in range(30):
        response = forms.post("/sign-in", {"email": f"guess{n}@example.org", "password": "guess guess"})
        assert response.status_code == 400
    response = forms.post("/sign-in", {"email": "fresh@example.org", "password": "guess guess"})
    assert response.status_code == 429


def test_session_is_renewed_at_sign_in(app, client, auth, make_user):
    make_user(email="fixation@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert auth.sign_in("fixation@example.org").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session


def test_disabled_account_cannot_sign_in(app, forms, make_user):
    from psp.timeutil import utcnow

    make_user(email="gone@example.org", disabled_at=utcnow())
    response = forms.post("/sign-in", {"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 400


def _copied_cookie(client):
    return client.get_cookie("session").value


def test_sign_out_ends_a_copied_session(app, client, auth, make_user):
    make_user(email="copied@example.org")
    auth.sign_in("copied@example.org")
    stolen = _copied_cookie(client)
    auth.sign_out()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    # The copied cookie is still validly signed: only the server can refuse it.
    assert thief.get("/account").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, client, forms, auth, make_user):
    make_user(email="many@example.org")
    auth.sign_in("many@example.org")
    other = app.test_client()
    AuthActions = type(auth)
    from tests.conftest import Forms

    AuthActions(Forms(other)).sign_in("many@example.org")
    assert other.get("/account").status_code == 200
    response = forms.post("/account/sign-out-everywhere", {}, page="/account")
    assert response.status_code == 302
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_change_password(app, client, forms, auth, make_user, smtp_server):
    make_user(email="changer@example.org")
    auth.sign_in("changer@example.org")
    stolen = _copied_cookie(client)
    wrong = forms.post("/account/password", {"current_password": "not it at all",
                                             "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Current password is wrong" in wrong.get_data(as_text=True)
    response = forms.post("/account/password", {"current_password": PASSWORD,
                                                 "new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200  # this browser stays signed in
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302  # the copied cookie no longer works
    assert len(smtp_server.to("changer@example.org")) == 1
    auth.sign_out()
    assert auth.sign_in("changer@example.org", PASSWORD).status_code == 400
    assert auth.sign_in("changer@example.org", NEW_PASSWORD).status_code == 302


def test_reset_password_link_works_once(app, client, forms, auth, make_user, smtp_server):
    make_user(email="forgetful@example.org")
    response = forms.post("/reset-password", {"email": "forgetful@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    link = path_of(smtp_server.link("forgetful@example.org", "/reset-password/"))
    assert client.get(link).status_code == 200
    response = forms.post(link, {"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert auth.sign_in("forgetful@example.org", NEW_PASSWORD).status_code == 302
    auth.sign_out()
    used = client.get(link)
    assert used.status_code == 404 and "already been used" in used.get_data(as_text=True)
    assert "account.password_reset" in actions(app)


def test_reset_for_unknown_email_looks_the_same(app, forms, smtp_server):
    response = forms.post("/reset-password", {"email": "nobody@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    [told] = smtp_server.to("nobody@example.org")
    assert "no account uses it" in smtp_server.body(told) and "/register" in smtp_server.body(told)


class _Work:
    """What a request did that takes time: password hashes computed, emails queued or sent."""

    def __init__(self, monkeypatch):
        from psp import mail
        from psp.auth import passwords, services

        self.hashes = self.queued = self.delivered = 0
        hash_password, queue, send = passwords.hash_password, mail.queue, mail.send_pending

        def counted_hash(*args, **kwargs):
            self.hashes += 1
            return hash_password(*args, **kwargs)

        def counted_queue(*args, **kwargs):
            self.queued += 1
            return queue(*args, **kwargs)

        def counted_send(*args, **kwargs):
            self.delivered += 1
            return send(*args, **kwargs)

        monkeypatch.setattr(services.passwords, "hash_password", counted_hash)
        monkeypatch.setattr(services.mail, "queue", counted_queue)
        monkeypatch.setattr(mail, "send_pending", counted_send)

    def take(self):
        done = (self.hashes, self.queued, self.delivered)
        self.hashes = self.queued = self.delivered = 0
        return done


def test_the_same_work_whether_or_not_an_address_has_an_account(app, forms, make_user, monkeypatch):
    """Timing cannot tell who is registered: registering and asking for a reset do the same
    work (one password hash, one queued email, nothing delivered in the request) either way."""
    make_user(email="taken@example.org")
    work = _Work(monkeypatch)
    register(forms, email="taken@example.org", name="Someone Else")
    taken = work.take()
    register(forms, email="new.person@example.org", name="New Person")
    assert taken == work.take() == (1, 1, 0)
    forms.post("/reset-password", {"email": "taken@example.org"})
    known = work.take()
    forms.post("/reset-password", {"email": "nobody@example.org"})
    assert known == work.take() == (0, 1, 0)


def test_reset_link_expires_after_an_hour(app, client, make_user, monkeypatch):
    import itsdangerous.timed

    from psp.auth import tokens

    user = make_user(email="late@example.org")
    with app.test_request_context():
        with app.app_context():
            token = tokens.reset_token(db.session.get(User, user.id))
    real_now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real_now(self) + 3601)
    assert client.get(f"/reset-password/{token}").status_code == 404


def test_tampered_tokens_are_refused(app, client):
    assert client.get("/reset-password/not-a-token").status_code == 404
    assert client.get("/confirm-email/not-a-token").status_code == 404


@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"),
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_this_site(app, forms, make_user, target, expected):
    make_user(email="next@example.org")
    response = forms.post("/sign-in", {"email": "next@example.org", "password": PASSWORD,
                                       "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_idle_session_times_out(app, client, auth, make_user):
    make_user(email="idle@example.org")
    auth.sign_in("idle@example.org")
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_session_ends_after_twelve_hours(app, client, auth, make_user):
    make_user(email="long@example.org")
    auth.sign_in("long@example.org")
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 60 * 60 + 1
    assert client.get("/account").status_code == 302


def test_account_count_unchanged_by_refused_registration(app, forms):
    register(forms, email="not-an-email")
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
