"""Account operations: each one is a unit of work that commits once."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from psp import audit, mail
from psp.auth import passwords, sessions, tokens
from psp.auth.models import User
from psp.errors import Refused, commit_or_refuse
from psp.extensions import db
from psp.links import external_url as _external
from psp.timeutil import utcnow


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register(name: str, email: str, password: str) -> User | None:
    """Create an account and email a confirmation link.

    An address that already has an account gets an email saying so instead,
    and the page looks the same either way, so nobody learns who is registered.
    """
    # The password is hashed either way, so the answer takes as long whether or not the
    # address is taken (the hash is the slow part): timing tells nobody who is registered. It is
    # hashed before the first query, so no transaction (on SQLite, the write lock) waits on it.
    password_hash = passwords.hash_password(password)
    existing = find_by_email(email)
    if existing is not None:
        mail.queue(existing.email, "Someone tried to register with your email address",
                   "mail/already_registered.txt", user=existing,
                   sign_in_url=_external("auth.sign_in"),
                   reset_url=_external("auth.reset_request"))
        db.session.commit()
        return None
    user = User(name=name, email=email, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", user, actor=user)
    _queue_confirmation(user)
    db.session.commit()
    return user


def _queue_confirmation(user: User) -> None:
    mail.queue(user.email, "Confirm your email address", "mail/confirm_email.txt", user=user,
               confirm_url=_external("auth.confirm_email", token=tokens.confirm_token(user)))


def user_for_confirm_token(token: str) -> User | None:
    found = tokens.read_confirm_token(token)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    if user is None or user.email != found[1]:
        return None
    return user


def confirm_email(user: User) -> User:
    if user.is_confirmed:
        return user
    user.email_confirmed_at = utcnow()
    audit.record("account.email_confirmed", user, actor=user)
    from psp.programmes.services import grant_invitations

    grant_invitations(user)  # roles offered to this address before it had an account
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user for a correct email and password; None otherwise.

    Wrong password and unknown email cost the same time and give the same answer.
    """
    user = find_by_email(email)
    stored = user.password_hash if user is not None else ""
    # End the lookup's transaction before the slow hash: on SQLite a POST's transaction holds
    # the write lock, and other sign-ins would queue behind every password check.
    db.session.commit()
    if user is None:
        passwords.burn_verification_time(password)
        audit.record("sign_in.failed", details_email_domain=email.rpartition("@")[2])
        db.session.commit()
        return None
    if not passwords.verify_password(stored, password) or not user.is_active:
        audit.record("sign_in.failed", user, actor=user)
        db.session.commit()
        return None
    return user


def resend_confirmation(user: User) -> None:
    _queue_confirmation(user)
    audit.record("account.confirmation_resent", user, actor=user)
    db.session.commit()


def sign_in(user: User, second_factor: str | None = None) -> None:
    """second_factor: how the second step was passed ("app", "recovery code"), if there was one."""
    sessions.start_session(user)
    user.last_signed_in_at = utcnow()
    if second_factor is None:
        audit.record("sign_in.succeeded", user, actor=user)
    else:
        audit.record("sign_in.succeeded", user, actor=user, second_factor=second_factor)
    db.session.commit()


def sign_out(user: User | None) -> None:
    """End this browser's session; user is None when nobody was signed in."""
    sessions.end_session()
    if user is not None:
        audit.record("sign_out", user, actor=user)
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """A copied session cookie names the old counter, so it stops working."""
    user.session_version += 1
    audit.record("account.signed_out_everywhere", user, actor=user)
    sessions.end_session()
    db.session.commit()


def request_password_reset(email: str) -> None:
    """One email either way, queued in the outbox (never sent in the request), so the answer
    neither waits longer nor does more for an address that has an account."""
    user = find_by_email(email)
    if user is not None and user.is_active:
        mail.queue(user.email, "Reset your password", "mail/reset_password.txt", user=user,
                   reset_url=_external("auth.reset_password", token=tokens.reset_token(user)))
        audit.record("account.reset_requested", user, actor=user)
    else:
        mail.queue(email, "Reset your password", "mail/reset_no_account.txt",
                   register_url=_external("auth.register"))
        audit.record("account.reset_requested", None, actor=None, known=False)
    db.session.commit()


def user_for_reset_token(token: str) -> User | None:
    return tokens.reset_token_matches(token, lambda user_id: db.session.get(User, user_id))


def reset_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.session_version += 1
    # Following the emailed link proves the address too.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        from psp.programmes.services import grant_invitations

        grant_invitations(user)
    audit.record("account.password_reset", user, actor=user)
    sessions.end_session()
    mail.queue(user.email, "Your password has been changed", "mail/password_changed.txt",
               user=user, reset_url=_external("auth.reset_request"))
    db.session.commit()


def delete_account(user: User, password: str) -> None:
    """Erase the account once the person has shown it is theirs by typing its password."""
    from psp.auth import privacy

    if not passwords.verify_password(user.password_hash, password):
        raise Refused("Password is wrong", field="password")
    privacy.erase(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise Refused("Current password is wrong", field="current_password")
    if current_password == new_password:
        raise Refused("New password must be different from your current password",
                      field="new_password")
    user.password_hash = passwords.hash_password(new_password)
    user.session_version += 1
    sessions.start_session(user)  # this browser carries on; every other session ends
    audit.record("account.password_changed", user, actor=user)
    mail.queue(user.email, "Your password has been changed", "mail/password_changed.txt",
               user=user, reset_url=_external("auth.reset_request"))
    db.session.commit()


TAKEN = "Another account now uses that email address: it cannot be changed to it"


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Email a confirmation link to the new address. An address that already has an account is
    told so instead, and the page says the same either way (nobody learns who is registered)."""
    if not passwords.verify_password(user.password_hash, password):
        raise Refused("Password is wrong", field="password")
    if new_email == user.email:
        raise Refused("Enter an email address that is different from your current one", field="email")
    taken = find_by_email(new_email)
    if taken is not None:
        mail.queue(new_email, "Someone tried to use your email address", "mail/email_taken.txt",
                   sign_in_url=_external("auth.sign_in"))
    else:
        mail.queue(new_email, "Confirm your new email address", "mail/confirm_new_email.txt", user=user,
                   confirm_url=_external("auth.change_email_confirm",
                                         token=tokens.email_change_token(user, new_email)))
    audit.record("account.email_change_requested", user, actor=user)
    db.session.commit()


def email_change_for_token(token: str) -> tuple[User, str] | None:
    return tokens.email_change_matches(token, lambda user_id: db.session.get(User, user_id))


def change_email(user: User, new_email: str) -> None:
    """The new address is proved by its link: it becomes the account's, the old one is told, and
    every session ends (the person signs in again with the new address)."""
    old = user.email
    user.email = new_email
    user.email_confirmed_at = utcnow()
    user.session_version += 1
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refused(TAKEN) from None
    audit.record("account.email_changed", user, actor=user)
    mail.queue(old, "Your PSP Co-design email address was changed", "mail/email_changed.txt", user=user,
               new_email=new_email, reset_url=_external("auth.reset_request"))
    sessions.end_session()
    commit_or_refuse(TAKEN)


def set_disabled(admin: User, account: User, disabled: bool, reason: str = "") -> None:
    """Disable (with the reason, told to the person) or enable an account; the person is emailed."""
    if disabled and account.disabled_at is None:
        account.disabled_at = utcnow()
        account.session_version += 1
        audit.record("account.disabled", account, actor=admin, reason=reason)
        mail.queue(account.email, "Your PSP Co-design account is disabled", "mail/account_disabled.txt",
                   user=account, reason=reason)
    elif not disabled and account.disabled_at is not None:
        account.disabled_at = None
        audit.record("account.enabled", account, actor=admin)
        mail.queue(account.email, "Your PSP Co-design account is enabled again", "mail/account_enabled.txt",
                   user=account, sign_in_url=_external("auth.sign_in"))
    db.session.commit()


def create_admin(email: str, name: str, password: str) -> User:
    """Used by `flask psp create-admin`: make or promote a confirmed site admin."""
    user = find_by_email(email)
    if user is None:
        user = User(name=name, email=email, password_hash=passwords.hash_password(password))
        db.session.add(user)
    user.is_site_admin = True
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    audit.record("account.made_site_admin", user, actor=None)
    db.session.commit()
    return user


