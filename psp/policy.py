"""Every "may this person do this?" rule, and nothing else.

Functions take the person (possibly anonymous) and the record and return a bool.
They are Jinja globals too, so a hidden button and a 403 always agree. Deny by default.
"""

from flask import abort


def require(allowed):
    """Stop the request with 403 unless the rule allowed it."""
    if not allowed:
        abort(403)


def is_signed_in(person):
    return bool(person and person.is_authenticated)


def is_site_admin(person):
    return is_signed_in(person) and bool(person.is_site_admin)


def can_manage_accounts(person):
    return is_site_admin(person)


def can_disable_account(person, account):
    """Site admins disable others, never themselves (they would lock the site out)."""
    return can_manage_accounts(person) and account.id != person.id


RULES = {
    "is_signed_in": is_signed_in,
    "is_site_admin": is_site_admin,
    "can_manage_accounts": can_manage_accounts,
    "can_disable_account": can_disable_account,
}
