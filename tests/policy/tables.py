"""The people every policy table is checked against, and the groups the tables name.

A table row is (record, who may): the row is checked for every kind of person in PEOPLE,
expecting True for those named and False for everyone else, so no kind is ever left out.
"""

from tests.factories import KINDS

# Beyond the kinds the access tests use (tests/factories.KINDS):
EXTRA = [
    "unconfirmed",            # signed in, email address not confirmed, no organisation
    "disabled",               # a disabled account that was site admin, coordinator here and a partner
    "asker",                  # asked to join Partner Charity, not yet accepted
    "bystander",              # admin of Asking Association, which asked to take part here: not admitted
    "elsewhere_coordinator",  # coordinator of another programme only
    "elsewhere_lead",         # NHS lead of another programme only
    "elsewhere_partner",      # member of Elsewhere Trust, a partner of another programme only
]
PEOPLE = KINDS + EXTRA

EVERYONE = set(PEOPLE)
NOBODY = set()
VISITORS = {"anonymous", "disabled"}            # a disabled account counts as nobody signed in
SIGNED_IN = EVERYONE - VISITORS
CONFIRMED = SIGNED_IN - {"unconfirmed"}
PARTNERS = {"partner_member", "organisation_admin"}   # members of Partner Charity, admitted here
LEADS = {"coordinator", "nhs_lead"}                   # of this programme (and the review programme)
INSIDE = PARTNERS | LEADS | {"site_admin"}            # who sees partners-only items here
VERIFIERS = {"coordinator", "elsewhere_coordinator", "site_admin"}
