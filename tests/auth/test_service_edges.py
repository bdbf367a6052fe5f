"""Account services called directly, for the cases the journeys through the pages skip."""

import pytest
from sqlalchemy import func, select

from psp.audit import AuditEntry
from psp.auth import passwords, services, tokens
from psp.auth.models import User
from psp.errors import Refused
from psp.extensions import db
from tests.conftest import PASSWORD

NEW_PASSWORD = "a quiet lighthouse on the firth"


def _logged(action, user_id):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.target_id == user_id))


def test_a_confirm_link_for_an_old_address_finds_nobody(app_ctx, make_user):
    """The link proves one address: after the address changes it confirms nothing."""
    user = db.session.get(User, make_user(email="mover@example.org", confirmed=False).id)
    token = tokens.confirm_token(user)
    assert services.user_for_confirm_token(token) is user
    user.email = "moved@example.org"
    db.session.commit()
    assert services.user_for_confirm_token(token) is None


def test_a_confirm_link_for_a_deleted_account_finds_nobody(app_ctx, make_user):
    """A valid signature over an account that no longer exists is not an account."""
    user = db.session.get(User, make_user(email="gone@example.org", confirmed=False).id)
    token = tokens.confirm_token(user)
    db.session.delete(user)
    db.session.commit()
    assert services.user_for_confirm_token(token) is None


def test_confirming_twice_keeps_the_first_time(app_ctx, make_user):
    """Following the link again changes nothing and records nothing."""
    user = db.session.get(User, make_user(email="twice@example.org").id)
    confirmed_at = user.email_confirmed_at
    assert services.confirm_email(user) is user
    assert db.session.get(User, user.id).email_confirmed_at == confirmed_at
    assert _logged("account.email_confirmed", user.id) == 0


def test_a_password_reset_confirms_an_unconfirmed_address(app, make_user):
    """The reset link came by email, so using it proves the address as well."""
    user_id = make_user(email="unconfirmed@example.org", confirmed=False).id
    with app.test_request_context():
        user = db.session.get(User, user_id)
        version = user.session_version
        services.reset_password(user, NEW_PASSWORD)
        again = db.session.get(User, user_id)
        assert again.email_confirmed_at is not None
        assert again.session_version == version + 1
        assert passwords.verify_password(again.password_hash, NEW_PASSWORD)
        assert _logged("account.password_reset", user_id) == 1


def test_a_new_password_must_differ_from_the_current_one(app_ctx, make_user):
    """Changing to the same password would end other sessions for nothing."""
    user = db.session.get(User, make_user(email="same@example.org").id)
    before = (user.password_hash, user.session_version)
    with pytest.raises(Refused, match="must be different") as refused:
        services.change_password(user, PASSWORD, PASSWORD)
    assert refused.value.field == "new_password"
    db.session.rollback()
    again = db.session.get(User, user.id)
    assert (again.password_hash, again.session_version) == before
    assert _logged("account.password_changed", user.id) == 0


def _admin_and_account(make_user, email):
    """Both made before the test's session first reads: make_user writes in its own session."""
    admin_id = make_user(email="admin@example.org", is_site_admin=True).id
    account_id = make_user(email=email).id
    return db.session.get(User, admin_id), db.session.get(User, account_id)


def test_enabling_an_enabled_account_records_nothing(app_ctx, make_user):
    """Only a real change of state is written to the audit log."""
    admin, account = _admin_and_account(make_user, "fine@example.org")
    services.set_disabled(admin, account, False)
    assert db.session.get(User, account.id).disabled_at is None
    assert _logged("account.enabled", account.id) == 0


def test_disabling_twice_keeps_the_first_time(app_ctx, make_user):
    """A second disable neither moves the date nor ends sessions again."""
    admin, account = _admin_and_account(make_user, "trouble@example.org")
    services.set_disabled(admin, account, True)
    first = (account.disabled_at, account.session_version)
    services.set_disabled(admin, account, True)
    again = db.session.get(User, account.id)
    assert (again.disabled_at, again.session_version) == first
    assert _logged("account.disabled", account.id) == 1


def test_create_admin_promotes_an_existing_account(app_ctx, make_user):
    """An existing address is promoted and confirmed; its name and password are kept."""
    existing = make_user(email="already@example.org", name="Morag Bell", confirmed=False)
    user = services.create_admin("Already@Example.org", "Someone Else", "another password entirely")
    assert user.id == existing.id
    assert (user.is_site_admin, user.name) == (True, "Morag Bell")
    assert user.email_confirmed_at is not None
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
