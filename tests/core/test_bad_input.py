"""Bad input in every form: a GOV.UK error summary, a 4xx, nothing stored, never a 500."""

import pytest
from sqlalchemy import func, select

from psp.auth.models import User
from psp.extensions import db
from psp.mail import OutboxMessage
from tests.conftest import PASSWORD

LONG = "x" * 10_000
BAD_VALUES = {
    "empty": "",
    "too long": LONG,
    "NUL byte": "abc\x00def@example.org",
    "control character": "name\x07@example.org",
    "malformed email": "not an email@",
    "unicode email": "ñandú@例え.テスト",
    "only spaces": "     ",
}

# (form, url, page to fetch the token from, a valid submission, fields to spoil)
FORMS = [
    ("register", "/register", None,
     {"name": "Ailsa Munro", "email": "ailsa@example.org", "password": PASSWORD},
     ["name", "email", "password"]),
    ("sign in", "/sign-in", None, {"email": "ailsa@example.org", "password": PASSWORD},
     ["email", "password"]),
    ("reset request", "/reset-password", None, {"email": "ailsa@example.org"}, ["email"]),
]
CASES = [
    pytest.param(url, page, valid, field, value, id=f"{name}-{field}-{label}")
    for name, url, page, valid, fields in FORMS
    for field in fields
    for label, value in BAD_VALUES.items()
    # A password may hold any characters: only its length is checked.
    if not (field == "password" and label in ("malformed email", "unicode email", "only spaces"))
    # The name field is not an email: unicode and @ are fine there.
    and not (field == "name" and label in ("malformed email", "unicode email"))
]


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(User.id))),
                db.session.scalar(select(func.count(OutboxMessage.id))))


@pytest.mark.parametrize("url, page, valid, field, value", CASES)
def test_bad_input_is_refused_with_an_error_summary(app, forms, url, page, valid, field, value):
    before = counts(app)
    response = forms.post(url, {**valid, field: value}, page=page)
    assert 400 <= response.status_code < 500
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "There is a problem" in html
    # A password may hold any characters, so a strange one is just a wrong one: sign-in says
    # so once, on the first field, rather than naming which of the two was wrong.
    wrong_details = url == "/sign-in" and field == "password" and value not in ("", LONG)
    assert f'href="#{"email" if wrong_details else field}"' in html
    assert counts(app) == before


def test_register_keeps_what_was_typed(app, forms):
    response = forms.post("/register", {"name": "Seònaid Ó Briain", "email": "bad@", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Seònaid Ó Briain"' in html and 'value="bad@"' in html


def test_unicode_names_are_stored_as_typed(app, forms):
    name = "Seònaid Ó Briain-Żółć 😀"
    response = forms.post("/register", {"name": name, "email": "seonaid@example.org",
                                        "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.name)) == name


@pytest.mark.parametrize("field, value", [
    ("current_password", ""), ("current_password", LONG), ("new_password", ""),
    ("new_password", "short"), ("new_password", LONG), ("new_password", "abc\x00" * 5),
])
def test_change_password_bad_input(app, forms, auth, make_user, field, value):
    make_user(email="bad.change@example.org")
    auth.sign_in("bad.change@example.org")
    data = {"current_password": PASSWORD, "new_password": "a perfectly good passphrase"}
    response = forms.post("/account/password", {**data, field: value})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    auth.sign_out()
    assert auth.sign_in("bad.change@example.org").status_code == 302  # unchanged


@pytest.mark.parametrize("value", ["", "short", LONG, "abc\x00" * 5, "qwerty123456"])
def test_reset_password_bad_input(app, client, forms, make_user, smtp_server, value):
    make_user(email="bad.reset@example.org")
    forms.post("/reset-password", {"email": "bad.reset@example.org"})
    link = "/reset-password/" + smtp_server.link("bad.reset@example.org", "/reset-password/") \
        .rsplit("/reset-password/", 1)[1]
    response = forms.post(link, {"password": value})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200  # the link was not used up


@pytest.mark.parametrize("query", ["", "x" * 10_000, "\x00", "ñandú", "%", "'; drop table users"])
def test_admin_search_never_fails(app, client, auth, make_user, query):
    make_user(email="root@example.org", is_site_admin=True)
    auth.sign_in("root@example.org")
    response = client.get("/admin/people", query_string={"q": query, "page": "-3"})
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "999999999999", "1e9"])
def test_admin_page_numbers_are_bounded(app, client, auth, make_user, page):
    make_user(email="root@example.org", is_site_admin=True)
    auth.sign_in("root@example.org")
    assert client.get("/admin/people", query_string={"page": page}).status_code == 200


@pytest.mark.parametrize("path", [
    "/programmes/test-programme/cycles/99999999999999999999/plan",
    "/programmes/test-programme/actions/99999999999999999999/status",
])
def test_numbers_too_big_for_the_database_are_not_found(app, world, sign_in_as, path):
    client = sign_in_as("coordinator@example.org")
    assert client.get(path).status_code == 404


def test_a_number_too_big_in_a_form_address_is_not_found(app, world, sign_in_as):
    admin = sign_in_as("organisation.admin@example.org")
    response = admin.forms.post("/organisations/partner-charity/members/99999999999999999999/accept", {},
                                page="/account")
    assert response.status_code == 404
