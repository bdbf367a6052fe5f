"""Site admins manage accounts; nobody else may."""

import pytest
from sqlalchemy import select

from psp import policy
from psp.audit import AuditEntry
from psp.auth.models import User
from psp.extensions import db
from tests.conftest import Forms


def signed_in_client(app, make_user, auth_cls, **fields):
    user = make_user(**fields)
    client = app.test_client()
    auth_cls(Forms(client)).sign_in(user.email)
    return client, user


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("member", 403), ("site admin", 200)])
def test_who_may_see_accounts(app, client, auth, make_user, who, status):
    if who != "anonymous":
        make_user(email="who@example.org", is_site_admin=who == "site admin")
        auth.sign_in("who@example.org")
    assert client.get("/admin/people").status_code == status


def test_admin_disables_an_account_and_its_sessions_end(app, client, forms, auth, make_user, smtp_server):
    victim_client, victim = signed_in_client(app, make_user, type(auth), email="victim@example.org")
    assert victim_client.get("/account").status_code == 200
    make_user(email="root@example.org", is_site_admin=True)
    auth.sign_in("root@example.org")
    url = f"/admin/people/{victim.id}/disable"
    confirm = forms.client.get(url)
    assert confirm.status_code == 200 and "will be signed out everywhere" in confirm.get_data(as_text=True)
    response = forms.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why you are disabling the account" in response.get_data(as_text=True)
    assert victim_client.get("/account").status_code == 200  # nothing happened yet
    response = forms.post(url, {"reason": "Posted other people's contact details twice."})
    assert response.status_code == 302
    assert victim_client.get("/account").status_code == 302  # the live session has ended
    [told] = smtp_server.to("victim@example.org")
    assert "Posted other people's contact details twice." in smtp_server.body(told)
    again = forms.post(url, {"reason": "Again"})
    assert again.status_code == 409 and "already disabled" in again.get_data(as_text=True)
    assert type(auth)(Forms(app.test_client())).sign_in("victim@example.org").status_code == 400
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "account.disabled")).one()
        assert entry.target_id == victim.id and entry.target_type == "User"
        assert entry.details["reason"] == "Posted other people's contact details twice."
    response = forms.post(f"/admin/people/{victim.id}/enable", {}, page="/admin/people")
    assert response.status_code == 302
    assert "enabled again" in smtp_server.to("victim@example.org")[-1]["Subject"]
    assert type(auth)(Forms(app.test_client())).sign_in("victim@example.org").status_code == 302


def test_member_cannot_disable_someone_else(app, forms, auth, make_user):
    other = make_user(email="other@example.org")
    make_user(email="member@example.org")
    auth.sign_in("member@example.org")
    response = forms.post(f"/admin/people/{other.id}/disable", {"reason": "x"}, page="/account")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, other.id).disabled_at is None


def test_admin_cannot_disable_themselves(app, forms, auth, make_user):
    admin = make_user(email="root@example.org", is_site_admin=True)
    auth.sign_in("root@example.org")
    response = forms.post(f"/admin/people/{admin.id}/disable", {"reason": "x"}, page="/admin/people")
    assert response.status_code == 403


def test_disable_unknown_account_is_404(app, forms, auth, make_user):
    make_user(email="root@example.org", is_site_admin=True)
    auth.sign_in("root@example.org")
    assert forms.post("/admin/people/999999/disable", {}, page="/admin/people").status_code == 404


def test_accounts_list_pages_and_searches(app, client, auth, make_user):
    make_user(email="root@example.org", is_site_admin=True)
    for n in range(25):
        make_user(email=f"p{n:02d}@example.org", name=f"Person {n:02d}")
    auth.sign_in("root@example.org")
    first = client.get("/admin/people").get_data(as_text=True)
    assert "26 accounts" in first and "Page 1 of 2" in first
    second = client.get("/admin/people?page=2").get_data(as_text=True)
    assert "p24@example.org" in second and "p00@example.org" not in second
    found = client.get("/admin/people?q=PERSON 07").get_data(as_text=True)
    assert "1 account" in found and "p07@example.org" in found


class Person:
    def __init__(self, id, is_site_admin, authenticated=True):
        self.id, self.is_site_admin, self.is_authenticated = id, is_site_admin, authenticated


@pytest.mark.parametrize("person, account, allowed", [
    (Person(1, False, authenticated=False), Person(2, False), False),
    (Person(1, False), Person(2, False), False),
    (Person(1, True), Person(2, False), True),
    (Person(1, True), Person(1, True), False),
])
def test_policy_can_disable_account(person, account, allowed):
    assert policy.can_disable_account(person, account) is allowed
