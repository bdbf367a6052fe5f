"""Changing an account's email address: proved through a link sent to the new address, the old
address told, every session ended; a taken address reveals nothing and changes nothing."""

from sqlalchemy import select

from psp.auth.models import User
from psp.extensions import db
from tests.auth.test_accounts import actions, get_user, path_of
from tests.conftest import PASSWORD, csrf_from

URL = "/account/email"


def ask(client, email, password=PASSWORD):
    token = csrf_from(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"csrf_token": token, "email": email, "password": password})


def confirm(client, link):
    page = client.get(link)
    if page.status_code != 200:
        return page
    return client.post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})


def test_the_new_address_is_proved_by_its_link_and_the_old_one_is_told(app, make_user, sign_in_as,
                                                                        smtp_server):
    make_user(email="old.address@example.org", name="Morven Ross")
    person = sign_in_as("old.address@example.org")
    elsewhere = sign_in_as("old.address@example.org")   # another browser, signed in too
    assert "Change<span class=\"govuk-visually-hidden\"> email address" in person.get("/account").get_data(
        as_text=True)

    wrong = ask(person, "new.address@example.org", password="not my password at all")
    assert wrong.status_code == 400 and "Password is wrong" in wrong.get_data(as_text=True)
    assert 'value="new.address@example.org"' in wrong.get_data(as_text=True)
    same = ask(person, "OLD.address@example.org")
    assert same.status_code == 400 and "different from your current one" in same.get_data(as_text=True)
    bad = ask(person, "not an address")
    assert bad.status_code == 400 and "govuk-error-summary" in bad.get_data(as_text=True)
    assert smtp_server.all() == []

    sent = ask(person, "New.Address@example.org")
    assert sent.status_code == 200 and "Check your new email address" in sent.get_data(as_text=True)
    assert get_user(app, "old.address@example.org") is not None   # nothing changes yet
    link = path_of(smtp_server.link("new.address@example.org", "/account/email/"))
    button = person.get(link)
    assert button.status_code == 200 and "new.address@example.org" in button.get_data(as_text=True)
    assert get_user(app, "new.address@example.org") is None        # a GET changes nothing

    done = confirm(person, link)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert get_user(app, "old.address@example.org") is None
    assert get_user(app, "new.address@example.org").name == "Morven Ross"
    [notice] = smtp_server.to("old.address@example.org")
    assert "changed from this address to new.address@example.org" in smtp_server.body(notice)
    assert person.get("/account").status_code == 302 and elsewhere.get("/account").status_code == 302
    sign_in_as("new.address@example.org")
    assert {"account.email_change_requested", "account.email_changed"} <= set(actions(app))
    assert confirm(person, link).status_code == 404   # used: the address it replaced is gone


def test_a_taken_address_is_told_and_nothing_changes(app, make_user, sign_in_as, smtp_server):
    make_user(email="mine@example.org")
    make_user(email="theirs@example.org")
    person = sign_in_as("mine@example.org")
    response = ask(person, "theirs@example.org")
    assert response.status_code == 200 and "Check your new email address" in response.get_data(as_text=True)
    [told] = smtp_server.to("theirs@example.org")
    body = smtp_server.body(told)
    assert "already has an account" in body and "/account/email/" not in body
    assert get_user(app, "mine@example.org") is not None


def test_an_address_taken_after_the_link_was_sent_is_refused(app, make_user, sign_in_as, smtp_server):
    make_user(email="mine@example.org")
    person = sign_in_as("mine@example.org")
    ask(person, "wanted@example.org")
    link = path_of(smtp_server.link("wanted@example.org", "/account/email/"))
    make_user(email="wanted@example.org")   # someone registers it first
    response = confirm(person, link)
    assert response.status_code == 409 and "Another account now uses that email address" in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "mine@example.org")) is not None


def test_a_forged_or_expired_link_changes_nothing(app, make_user, client, monkeypatch):
    from psp.auth import tokens

    assert client.get("/account/email/forged").status_code == 404
    user = make_user(email="mine@example.org")
    with app.test_request_context():
        token = tokens.email_change_token(db.session.get(User, user.id), "later@example.org")
    monkeypatch.setattr(tokens, "EMAIL_CHANGE_MAX_AGE", -1)
    page = client.get(f"/account/email/{token}")
    assert page.status_code == 404 and "work for 24 hours" in page.get_data(as_text=True)
