"""Who may reach every route: each kind of person against every route the app registers.

The table is checked against the app's URL map, so a new route that is not
added here fails the suite. Every answer is one exact status code: the kinds in
`allowed` get 200 for a GET and 302 for a POST (a redirect after success) unless
the row says `status=`; the others get 403, or 404 where the row says with `sees=`
who may know the record exists. The world is built and each kind signed in once
per module; each case runs in a savepoint that is rolled back (conftest's `module_world`).
"""

import re

import pytest

from tests.conftest import Forms, csrf_from, second_step
from tests.factories import KINDS, PASSWORD, WITH_FACTOR

EVERYONE = set(KINDS)
SIGNED_IN = EVERYONE - {"anonymous"}
LOGIN = "login"    # 302 to sign in
OK = "ok"          # reached: 200 for a GET, 302 elsewhere for a POST, or the row's `status`, such as
                   # 400 for an empty form or 409 for a stage not in the state the page is for
DENY = "deny"      # 403, or 404 for those outside the row's `sees`: existence is private
MISSING = "missing"  # 404 for everybody: a forged token


def case(endpoint, method, url, allowed, public=False, everyone=None, status=None, sees=None):
    """status: the exact code for the allowed kinds (an int), or codes for named kinds (a dict).
    sees: the kinds who may know the record exists; the others are refused with a 404."""
    return (endpoint, method, url, allowed, public, everyone, status, sees)


INSIDE = {"partner_member", "organisation_admin", "coordinator", "nhs_lead", "site_admin"}
PARTNERS = {"partner_member", "organisation_admin"}  # members of the partner organisation
LEADS = {"coordinator", "nhs_lead"}
REVIEW_INSIDE = {"coordinator", "nhs_lead", "site_admin"}  # see partners-only items of the review programme
SEE_PENDING = {"pending_member", "coordinator", "site_admin"}  # who may see an unverified organisation
DECLARERS = {"coordinator", "nhs_lead", "organisation_admin"}   # keep the register of interests
SENT_ON = dict.fromkeys(SIGNED_IN, 302)  # already signed in: sent on to their account
P = "/programmes/{programme}"
R = "/programmes/review-programme"
CASES = [
    case("static", "GET", "/static/js/app.mjs", EVERYONE, public=True),
    case("govuk_assets", "GET", "/assets/images/favicon.svg", EVERYONE, public=True),
    case("core.home", "GET", "/", EVERYONE, public=True),
    case("core.healthz", "GET", "/healthz", EVERYONE, public=True),
    case("core.accessibility", "GET", "/accessibility", EVERYONE, public=True),
    case("core.privacy", "GET", "/privacy", EVERYONE, public=True),
    case("auth.register", "GET", "/register", EVERYONE, public=True, status=SENT_ON),
    case("auth.check_email", "GET", "/register/check-your-email", EVERYONE, public=True),
    case("auth.confirm_email", "GET", "/confirm-email/forged", set(), everyone=MISSING),
    case("auth.sign_in", "GET", "/sign-in", EVERYONE, public=True, status=SENT_ON),
    case("auth.sign_out", "POST", "/sign-out", EVERYONE, public=True),
    case("auth.account", "GET", "/account", SIGNED_IN),
    case("auth.sign_out_everywhere", "POST", "/account/sign-out-everywhere", SIGNED_IN),
    case("auth.download_data", "GET", "/account/data.json", SIGNED_IN),
    case("auth.delete_account", "GET", "/account/delete", SIGNED_IN),
    case("auth.delete_account", "POST", "/account/delete", SIGNED_IN, status=400),
    case("auth.change_password", "GET", "/account/password", SIGNED_IN),
    case("auth.change_email", "GET", "/account/email", SIGNED_IN),
    case("auth.change_email", "POST", "/account/email", SIGNED_IN, status=400),
    case("auth.change_email_confirm", "GET", "/account/email/forged", set(), everyone=MISSING),
    case("auth.reset_request", "GET", "/reset-password", EVERYONE, public=True),
    # Without a password just given, the second step sends everyone back to sign in (or on, if signed in).
    case("auth.sign_in_code", "GET", "/sign-in/code", EVERYONE, public=True,
         status=dict.fromkeys(EVERYONE, 302)),
    case("auth.sign_in_code", "POST", "/sign-in/code", EVERYONE, public=True),
    case("auth.two_factor", "GET", "/account/two-factor", SIGNED_IN),
    case("auth.two_factor_start", "POST", "/account/two-factor/start", SIGNED_IN),
    # No set-up in progress: sent back to the two-factor page.
    case("auth.two_factor_set_up", "GET", "/account/two-factor/set-up", SIGNED_IN, status=302),
    case("auth.two_factor_set_up", "POST", "/account/two-factor/set-up", SIGNED_IN),
    # Only with an app set up (the others are sent to set one up); POST: the empty form.
    case("auth.two_factor_codes", "GET", "/account/two-factor/recovery-codes", SIGNED_IN,
         status=dict.fromkeys(WITH_FACTOR, 200) | dict.fromkeys(SIGNED_IN - set(WITH_FACTOR), 302)),
    case("auth.two_factor_codes", "POST", "/account/two-factor/recovery-codes", SIGNED_IN,
         status=dict.fromkeys(WITH_FACTOR, 400)),
    # Those with an app here all decide: only a site admin's reset removes theirs (403); the others
    # have none to turn off (302).
    case("auth.two_factor_turn_off", "GET", "/account/two-factor/turn-off", SIGNED_IN,
         status=dict.fromkeys(WITH_FACTOR, 403) | dict.fromkeys(SIGNED_IN - set(WITH_FACTOR), 302)),
    case("auth.two_factor_turn_off", "POST", "/account/two-factor/turn-off", SIGNED_IN,
         status=dict.fromkeys(WITH_FACTOR, 403) | dict.fromkeys(SIGNED_IN - set(WITH_FACTOR), 302)),
    # Passkeys: options are JSON (200), or 400 without a sign-in half-way; adding with an empty form is 400.
    case("auth.passkey_add", "GET", "/account/two-factor/passkeys/new", SIGNED_IN),
    case("auth.passkey_add", "POST", "/account/two-factor/passkeys/new", SIGNED_IN, status=400),
    case("auth.passkey_options", "POST", "/account/two-factor/passkeys/options", SIGNED_IN, status=200),
    # The coordinator's passkey: nobody else may know it exists.
    case("auth.passkey_remove", "GET", "/account/two-factor/passkeys/{passkey}/remove", {"coordinator"},
         sees={"coordinator"}),
    case("auth.passkey_remove", "POST", "/account/two-factor/passkeys/{passkey}/remove", {"coordinator"},
         sees={"coordinator"}, status=400),
    case("auth.sign_in_passkey_options", "POST", "/sign-in/passkey/options", EVERYONE, public=True,
         status=dict.fromkeys(EVERYONE, 400)),
    case("auth.sign_in_passkey", "POST", "/sign-in/passkey", EVERYONE, public=True),
    case("auth.reset_password", "GET", "/reset-password/forged", set(), everyone=MISSING),
    case("admin.people", "GET", "/admin/people", {"site_admin"}),
    case("admin.disable_account", "GET", "/admin/people/{user:bystander}/disable", {"site_admin"}),
    case("admin.disable_account", "POST", "/admin/people/{user:bystander}/disable", {"site_admin"},
         status=400),  # no reason given
    case("admin.enable_account", "POST", "/admin/people/{user:bystander}/enable", {"site_admin"}),
    case("admin.reset_second_factor", "GET", "/admin/people/{user:coordinator}/second-factor",
         {"site_admin"}),
    case("admin.reset_second_factor", "POST", "/admin/people/{user:coordinator}/second-factor",
         {"site_admin"}),
    case("admin.audit_log", "GET", "/admin/audit-log", {"site_admin"}),
    case("organisations.directory", "GET", "/organisations", EVERYONE, public=True),
    case("organisations.new", "GET", "/organisations/new", SIGNED_IN),
    case("organisations.to_verify", "GET", "/organisations/to-verify", {"coordinator", "site_admin"}),
    case("organisations.show", "GET", "/organisations/{org:partner}", EVERYONE, public=True),
    case("organisations.show", "GET", "/organisations/{org:pending}", SEE_PENDING, public=True,
         sees=SEE_PENDING),
    case("organisations.edit", "GET", "/organisations/{org:partner}/edit",
         {"organisation_admin", "site_admin"}),
    case("organisations.edit", "POST", "/organisations/{org:other}/edit", {"site_admin"}, status=400),
    case("organisations.verify", "GET", "/organisations/{org:pending}/verify",
         {"coordinator", "site_admin"}, sees=SEE_PENDING),
    case("organisations.verify", "POST", "/organisations/{org:pending}/verify",
         {"coordinator", "site_admin"}, sees=SEE_PENDING),
    case("organisations.reject", "POST", "/organisations/{org:pending}/reject",
         {"coordinator", "site_admin"}, status=400, sees=SEE_PENDING),
    case("organisations.join", "POST", "/organisations/{org:partner}/join",
         SIGNED_IN - {"partner_member", "organisation_admin"}),
    case("organisations.members", "GET", "/organisations/{org:partner}/members",
         {"organisation_admin"}),
    case("organisations.change_member", "POST",
         "/organisations/{org:partner}/members/{join_request}/accept", {"organisation_admin"}),
    case("organisations.leave", "POST", "/organisations/{org:partner}/leave",
         {"partner_member", "organisation_admin"}),
    case("programmes.new", "GET", "/programmes/new", {"site_admin"}),
    case("programmes.show", "GET", P, EVERYONE, public=True),
    case("programmes.people", "GET", P + "/people", {"site_admin"}),
    case("programmes.people", "POST", P + "/people", {"site_admin"}, status=400),
    case("programmes.take_part", "GET", P + "/take-part", {"pending_member", "organisation_admin"}),
    case("programmes.requests", "GET", P + "/requests", {"coordinator"}),
    case("programmes.decide", "POST", P + "/requests/{participation_request}/admit", {"coordinator"}),
    case("programmes.take_part", "POST", P + "/take-part", {"pending_member", "organisation_admin"},
         status=400),
    case("programmes.decide", "POST", P + "/requests/{participation_request}/decline", {"coordinator"},
         status=400),  # declining needs a reason
    case("programmes.verify_and_decide", "POST", P + "/requests/{participation_request}/verify-and-admit",
         {"coordinator"}),
    case("programmes.verify_and_decide", "POST", P + "/requests/{participation_request}/reject",
         {"coordinator"}, status=400),  # rejecting needs a reason
    case("programmes.verify_and_decide", "POST", R + "/requests/{participation_request}/reject", set(),
         status={"coordinator": 404}),  # the request is not this programme's
    case("core.my_work", "GET", "/my", SIGNED_IN),
    case("interests.index", "GET", P + "/interests", EVERYONE, public=True),
    case("interests.new", "GET", P + "/interests/new", DECLARERS),
    case("interests.new", "POST", P + "/interests/new", DECLARERS, status=400),   # nothing chosen
    case("interests.new", "GET", R + "/interests/new", LEADS),   # Partner Charity is not a partner there
    case("interests.confirm", "POST", P + "/interests/confirm", DECLARERS),
    case("interests.withdraw", "POST", P + "/interests/{declaration_coordinator}/withdraw", {"coordinator"}),
    case("interests.withdraw", "POST", P + "/interests/{declaration_org}/withdraw", {"organisation_admin"}),
    case("interests.withdraw", "POST", R + "/interests/{declaration_org}/withdraw", set(),
         status=dict.fromkeys(SIGNED_IN, 404)),   # another programme's declaration
    case("cycles.stage", "GET", P + "/cycles/1/analyse", EVERYONE, public=True),
    case("cycles.stage", "GET", P + "/cycles/1/review", EVERYONE, public=True),
    case("cycles.submit", "GET", P + "/cycles/1/analyse/submit", {"coordinator"}),
    case("cycles.submit", "POST", P + "/cycles/1/analyse/submit", {"coordinator"}, status=409),
    case("cycles.decide", "GET", R + "/cycles/1/analyse/decide", {"nhs_lead"}),
    case("cycles.decide", "POST", R + "/cycles/1/analyse/decide", {"nhs_lead"}, status=409),
    case("cycles.dates", "GET", P + "/cycles/1/plan/dates", {"coordinator"}),
    case("cycles.new_action", "GET", P + "/cycles/1/analyse/actions/new", {"coordinator"}, status=409),
    case("cycles.new_action", "POST", P + "/cycles/1/analyse/actions/new", {"coordinator"}, status=409),
    case("cycles.edit_action", "GET", P + "/actions/{action}/edit", {"coordinator"}, status=409),
    case("cycles.edit_action", "GET", R + "/actions/{action}/edit", set(), sees=set()),
    case("cycles.action_status", "GET", P + "/actions/{action}/status",
         {"coordinator", "partner_member", "organisation_admin"}, status=409),
    case("cycles.action_status", "POST", P + "/actions/{action}/status",
         {"coordinator", "partner_member", "organisation_admin"}, status=409),
    case("cycles.new_decision", "GET", P + "/cycles/1/analyse/decisions/new", {"coordinator"}),
    case("cycles.edit_decision", "POST", P + "/decisions/{decision}/edit", {"coordinator"}, status=400),
    case("cycles.new_question", "GET", P + "/cycles/1/analyse/questions/new", {"coordinator"}),
    case("cycles.edit_question", "GET", P + "/questions/{question}/edit", {"coordinator"}),
    case("cycles.measure", "GET", P + "/cycles/1/review/outcomes/{outcome}", {"coordinator"}, status=409),
    case("cycles.need", "GET", P + "/cycles/1/review/need", {"coordinator"}, status=409),
    case("meetings.programme_meetings", "GET", P + "/meetings", EVERYONE, public=True),
    case("meetings.programme_meetings", "GET", P + "/meetings?when=past", EVERYONE, public=True),
    case("meetings.feed", "GET", P + "/meetings.ics", EVERYONE, public=True),
    case("meetings.ics", "GET", "/meetings/{meeting_public}.ics", EVERYONE, public=True),
    case("meetings.ics", "GET", "/meetings/{meeting_partners}.ics", INSIDE, public=True, sees=INSIDE),
    case("meetings.show", "GET", "/meetings/{meeting_public}", EVERYONE, public=True),
    case("meetings.show", "GET", "/meetings/{meeting_partners}", INSIDE, public=True, sees=INSIDE),
    case("meetings.book", "POST", "/meetings/{meeting_public}/book", SIGNED_IN),
    case("meetings.book", "POST", "/meetings/{meeting_partners}/book", INSIDE - {"site_admin"},
         status={"partner_member": 409}, sees=INSIDE),  # already booked
    case("meetings.cancel_booking", "POST", "/meetings/{meeting_partners}/cancel-booking",
         {"partner_member"}, sees=set()),  # nobody else has a booking to cancel
    case("meetings.new", "GET", P + "/meetings/new", {"coordinator"}),
    case("meetings.new", "POST", P + "/meetings/new", {"coordinator"}, status=400),
    case("meetings.edit", "GET", "/meetings/{meeting_public}/edit", {"coordinator"}),
    case("meetings.edit", "POST", "/meetings/{meeting_partners}/edit", {"coordinator"}, status=400,
         sees=INSIDE),
    case("meetings.cancel", "GET", "/meetings/{meeting_public}/cancel", {"coordinator"}),
    case("meetings.bookings", "GET", "/meetings/{meeting_partners}/bookings", {"coordinator"}, sees=INSIDE),
    case("meetings.bookings_csv", "GET", "/meetings/{meeting_public}/bookings.csv", {"coordinator"}),
    case("meetings.programme_bookings_csv", "GET", P + "/meetings/bookings.csv", {"coordinator"}),
    case("meetings.programme_bookings_csv", "GET", R + "/meetings/bookings.csv", {"coordinator"}),
    case("meetings.attendance", "GET", "/meetings/{meeting_public}/attendance", {"coordinator"}),
    case("meetings.minutes", "GET", "/meetings/{meeting_partners}/minutes", {"coordinator"}, sees=INSIDE),
    case("meetings.minutes", "GET", "/meetings/{meeting_minuted}/minutes", {"coordinator"}, sees=INSIDE),
    case("meetings.minutes", "POST", "/meetings/{meeting_minuted}/minutes", {"coordinator"}, status=400,
         sees=INSIDE),
    case("meetings.show", "GET", "/meetings/{meeting_minuted}", INSIDE, public=True, sees=INSIDE),
    case("meetings.publish_minutes", "POST", "/meetings/{meeting_minuted}/minutes/publish", {"coordinator"},
         status=409, sees=INSIDE),   # a correction waits for a decision
    case("meetings.publish_minutes", "POST", "/meetings/{meeting_partners}/minutes/publish", {"coordinator"},
         status=409, sees=INSIDE),   # nothing sent
    case("meetings.agree_minutes", "POST", "/meetings/{meeting_minuted}/minutes/agree", {"partner_member"},
         sees=INSIDE),               # only the one who came
    case("meetings.agree_minutes", "POST", "/meetings/{meeting_partners}/minutes/agree", set(),
         sees=INSIDE),               # booked, but the meeting has not happened: nobody came
    case("meetings.suggest_correction", "GET", "/meetings/{meeting_minuted}/minutes/correction",
         {"partner_member"}, sees=INSIDE),
    case("meetings.suggest_correction", "POST", "/meetings/{meeting_minuted}/minutes/correction",
         {"partner_member"}, status=400, sees=INSIDE),
    case("meetings.decide_correction", "GET", "/meetings/{meeting_minuted}/minutes/corrections/{correction}",
         {"coordinator"}, sees=INSIDE),
    case("meetings.decide_correction", "POST", "/meetings/{meeting_minuted}/minutes/corrections/{correction}",
         {"coordinator"}, status=400, sees=INSIDE),
    case("meetings.decide_correction", "GET", "/meetings/{meeting_partners}/minutes/corrections/{correction}",
         set(), status={"coordinator": 404}, sees=INSIDE),   # the correction is another meeting's
    case("contributions.index", "GET", P + "/views", EVERYONE, public=True),
    case("contributions.index", "GET", P + "/views?q=text&status=received&after=99", EVERYONE, public=True),
    case("contributions.you_said_we_did", "GET", P + "/you-said-we-did", EVERYONE, public=True),
    case("contributions.download", "GET", P + "/views.csv", LEADS),
    case("contributions.show", "GET", "/views/{view_answered}", EVERYONE, public=True),
    case("contributions.show", "GET", "/views/{view_shared}", INSIDE, public=True, sees=INSIDE),
    case("contributions.show", "GET", "/views/{view_leads}", PARTNERS | LEADS, public=True,
         sees=PARTNERS | LEADS),
    case("contributions.show", "GET", "/views/{view_draft}", PARTNERS, public=True, sees=PARTNERS),
    case("contributions.new", "GET", P + "/views/new", PARTNERS),
    case("contributions.new", "POST", P + "/views/new", PARTNERS, status=400),
    case("contributions.new", "GET", R + "/views/new", set()),
    case("contributions.edit", "GET", "/views/{view_shared}/edit", PARTNERS, sees=INSIDE),
    case("contributions.edit", "POST", "/views/{view_draft}/edit", PARTNERS, status=400, sees=PARTNERS),
    case("contributions.edit", "GET", "/views/{view_answered}/edit", PARTNERS, status=409),
    case("contributions.answer", "GET", "/views/{view_shared}/answer", LEADS, sees=INSIDE),
    case("contributions.answer", "POST", "/views/{view_leads}/answer", LEADS, status=400,
         sees=PARTNERS | LEADS),
    case("contributions.answer", "GET", "/views/{view_draft}/answer", set(), sees=PARTNERS),
    case("contributions.record", "GET", P + "/views/record", {"coordinator"}),
    case("contributions.record", "POST", P + "/views/record", {"coordinator"}, status=400),
    case("contributions.import_views", "GET", P + "/views/import", {"coordinator"}),
    case("contributions.import_views", "POST", P + "/views/import", {"coordinator"}, status=400),
    case("contributions.import_template", "GET", P + "/views/import-template.csv", {"coordinator"}),
    case("contributions.view_import", "GET", P + "/views/imports/999999", set(), sees=set()),
    case("contributions.confirm_import", "POST", P + "/views/imports/999999/confirm", set(), sees=set()),
    case("contributions.undo_import", "POST", P + "/views/imports/999999/undo", set(), sees=set()),
    case("reach.report", "GET", P + "/reach", {"coordinator"}),
    case("reach.report", "GET", P + "/reach?stage=999999", set(), status={"coordinator": 404}),
    case("reach.download", "GET", P + "/reach/areas.csv", {"coordinator"}),
    case("reach.download", "GET", P + "/reach/communities.csv?stage=999999", set(),
         status={"coordinator": 404}),  # the coordinator may look, but there is no such stage
    # Engagement plans and reviews: cycle 1 of the test programme is at Analyse, with a plan.
    case("engagement.edit_plan", "GET", P + "/cycles/1/engagement-plan", {"coordinator"}),
    case("engagement.edit_plan", "POST", P + "/cycles/1/engagement-plan", {"coordinator"}, status=400),
    case("engagement.edit_plan", "GET", R + "/cycles/1/engagement-plan", {"coordinator"},
         status=409),  # Analyse is in review
    case("engagement.edit_plan", "GET", P + "/cycles/9/engagement-plan", set(), sees=set()),
    case("engagement.new_indicator", "GET", P + "/cycles/1/engagement-plan/indicators/new", {"coordinator"}),
    case("engagement.new_indicator", "POST", P + "/cycles/1/engagement-plan/indicators/new", {"coordinator"},
         status=400),
    case("engagement.edit_indicator", "GET", P + "/cycles/1/engagement-plan/indicators/{indicator}",
         {"coordinator"}),
    case("engagement.edit_indicator", "GET", R + "/cycles/1/engagement-plan/indicators/{indicator}", set(),
         sees=set()),  # the indicator is another programme's
    case("engagement.delete_indicator", "POST", P + "/cycles/1/engagement-plan/indicators/{indicator}/delete",
         {"coordinator"}),
    case("engagement.delete_indicator", "POST", R + "/cycles/1/engagement-plan/indicators/{indicator}/delete",
         set(), sees=set()),
    case("engagement.review", "GET", P + "/cycles/1/engagement-review", INSIDE),
    case("engagement.assess", "GET", P + "/cycles/1/engagement-review/inclusion", {"coordinator"},
         status=409),  # Review is not open
    case("engagement.assess", "POST", P + "/cycles/1/engagement-review/working-together", {"coordinator"},
         status=409),
    case("engagement.rate", "GET", P + "/cycles/1/engagement-review/impact/rating", PARTNERS, status=409),
    case("engagement.rate", "POST", P + "/cycles/1/engagement-review/impact/rating", PARTNERS, status=409),
    case("engagement.value", "GET", P + "/cycles/1/engagement-review/indicators/{indicator_by_hand}",
         {"coordinator"}, status=409),
    case("engagement.value", "GET", R + "/cycles/1/engagement-review/indicators/{indicator_by_hand}", set(),
         sees=set()),
    case("engagement.finish", "POST", P + "/cycles/1/engagement-review/finish", {"coordinator"}, status=409),
    case("engagement.report", "GET", P + "/cycles/1/engagement-report", INSIDE, public=True),
    case("engagement.report_download", "GET", P + "/cycles/1/engagement-report.csv", INSIDE, public=True),
    case("notifications.index", "GET", "/notifications", SIGNED_IN),
    case("notifications.read_all", "POST", "/notifications/read", SIGNED_IN),
    case("notifications.preferences", "GET", "/notifications/preferences", SIGNED_IN),
    case("notifications.preferences", "POST", "/notifications/preferences", SIGNED_IN),
    case("updates.index", "GET", P + "/updates", EVERYONE, public=True),
    case("updates.feed", "GET", P + "/updates.atom", EVERYONE, public=True),
    case("updates.show", "GET", "/updates/{update_public}", EVERYONE, public=True),
    case("updates.show", "GET", "/updates/{update_partners}", INSIDE, public=True, sees=INSIDE),
    case("updates.new", "GET", P + "/updates/new", {"coordinator"}),
    case("updates.new", "POST", P + "/updates/new", {"coordinator"}, status=400),
    case("updates.new", "GET", "/programmes/review-programme/updates/new", {"coordinator"}),
    case("updates.edit", "GET", "/updates/{update_partners}/edit", {"coordinator"}, sees=INSIDE),
    case("updates.edit", "POST", "/updates/{update_public}/edit", {"coordinator"}, status=400),
    # Documents follow their parent (the meeting, view or update) and may narrow it.
    case("documents.show", "GET", "/documents/{doc_public}", EVERYONE, public=True),
    case("documents.show", "GET", "/documents/{doc_partners}", INSIDE, public=True, sees=INSIDE),
    case("documents.show", "GET", "/documents/{doc_leads}", LEADS, public=True, sees=LEADS),
    case("documents.show", "GET", "/documents/{doc_update}", INSIDE, public=True, sees=INSIDE),
    case("documents.show", "GET", "/documents/{doc_view}", PARTNERS | LEADS, public=True,
         sees=PARTNERS | LEADS),
    case("documents.download", "GET", "/documents/{doc_public}/download", EVERYONE, public=True),
    case("documents.download", "GET", "/documents/{doc_leads}/download", LEADS, public=True, sees=LEADS),
    case("documents.download", "GET", "/documents/{doc_view}/download", PARTNERS | LEADS, public=True,
         sees=PARTNERS | LEADS),
    case("documents.download_version", "GET", "/documents/{doc_public}/versions/1/download", set(),
         everyone=MISSING),  # no earlier version
    case("documents.attach_to_meeting", "GET", "/meetings/{meeting_public}/documents/new", {"coordinator"}),
    case("documents.attach_to_meeting", "POST", "/meetings/{meeting_partners}/documents/new", {"coordinator"},
         status=400, sees=INSIDE),
    case("documents.attach_to_stage", "GET", P + "/cycles/1/analyse/documents/new", {"coordinator"}),
    case("documents.attach_to_stage", "GET", P + "/cycles/1/plan/documents/new", set()),  # not open yet
    case("documents.attach_to_update", "GET", "/updates/{update_partners}/documents/new", {"coordinator"},
         sees=INSIDE),
    case("documents.attach_to_view", "GET", "/views/{view_leads}/documents/new", PARTNERS,
         sees=PARTNERS | LEADS),
    case("documents.attach_to_view", "POST", "/views/{view_shared}/documents/new", PARTNERS, status=400,
         sees=INSIDE),
    case("documents.attach_to_view", "GET", "/views/{view_answered}/documents/new", set()),  # answered
    case("documents.replace", "GET", "/documents/{doc_public}/replace", {"coordinator"}),
    case("documents.replace", "POST", "/documents/{doc_partners}/replace", {"coordinator"}, status=400,
         sees=INSIDE),
    case("documents.replace", "GET", "/documents/{doc_view}/replace", PARTNERS, sees=PARTNERS | LEADS),
    case("documents.delete", "GET", "/documents/{doc_leads}/delete", {"coordinator"}, sees=LEADS),
    case("documents.delete", "POST", "/documents/{doc_stage}/delete", {"coordinator"}),
    case("documents.ask_for_format", "GET", "/documents/{doc_public}/formats", SIGNED_IN),
    case("documents.ask_for_format", "POST", "/documents/{doc_public}/formats", SIGNED_IN, status=400),
    case("documents.ask_for_format", "GET", "/documents/{doc_leads}/formats", LEADS, sees=LEADS),
    case("documents.format_requests", "GET", P + "/format-requests", {"coordinator"}),
    case("documents.format_requests", "GET", P + "/format-requests?status=sent&page=2", {"coordinator"}),
    case("documents.mark_sent", "GET", P + "/format-requests/{format_request}/sent", {"coordinator"}),
    case("documents.mark_sent", "POST", P + "/format-requests/{format_request}/sent", {"coordinator"}),
    case("documents.mark_sent", "GET", R + "/format-requests/{format_request}/sent", set(), sees=set()),
    case("discussions.index", "GET", P + "/discussions", EVERYONE, public=True),
    case("discussions.index", "GET", P + "/discussions?q=home&stage=1&after=bad", EVERYONE, public=True),
    case("discussions.new", "GET", P + "/discussions/new", PARTNERS | LEADS),
    case("discussions.new", "POST", P + "/discussions/new", PARTNERS | LEADS, status=400),
    case("discussions.new", "GET", R + "/discussions/new", LEADS),
    case("discussions.reports", "GET", P + "/discussions/reports", {"coordinator"}),
    case("discussions.dismiss", "POST", P + "/discussions/reports/{report}/dismiss", {"coordinator"}),
    case("discussions.dismiss", "POST", P + "/discussions/reports/{report_review}/dismiss", set(),
         status={"coordinator": 404}),   # the report is another programme's
    case("discussions.show", "GET", "/discussions/{disc_public}", EVERYONE, public=True),
    case("discussions.show", "GET", "/discussions/{disc_partners}", INSIDE, public=True, sees=INSIDE),
    case("discussions.show", "GET", "/discussions/{disc_review}", REVIEW_INSIDE, public=True,
         sees=REVIEW_INSIDE),
    case("discussions.reply", "GET", "/discussions/{disc_partners}/reply", PARTNERS | LEADS, sees=INSIDE),
    case("discussions.reply", "POST", "/discussions/{disc_partners}/reply", PARTNERS | LEADS, status=400,
         sees=INSIDE),
    case("discussions.reply", "POST", "/discussions/{disc_review}/reply", LEADS, status=400,
         sees=REVIEW_INSIDE),   # partners here cannot post into another programme's discussion
    case("discussions.reply", "POST", "/discussions/{disc_public}/reply", PARTNERS | LEADS, status=400),
    case("discussions.reply", "GET", "/discussions/{disc_closed}/reply", set(), sees=INSIDE),
    case("discussions.follow", "POST", "/discussions/{disc_public}/follow", SIGNED_IN),
    case("discussions.follow", "POST", "/discussions/{disc_partners}/follow", INSIDE, sees=INSIDE),
    case("discussions.close", "GET", "/discussions/{disc_partners}/close", {"coordinator"}, sees=INSIDE),
    case("discussions.close", "POST", "/discussions/{disc_partners}/close", {"coordinator"}, status=400,
         sees=INSIDE),
    case("discussions.close", "GET", "/discussions/{disc_closed}/close", set(), sees=INSIDE),
    case("discussions.pin", "POST", "/discussions/{disc_partners}/pin", {"coordinator"}, sees=INSIDE),
    case("discussions.message", "GET", "/messages/{msg_public}", EVERYONE, public=True, status=302),
    case("discussions.message", "GET", "/messages/{msg_partners}", INSIDE, public=True, status=302,
         sees=INSIDE),
    case("discussions.edit", "GET", "/messages/{msg_partners}/edit", {"partner_member"}, sees=INSIDE),
    case("discussions.edit", "POST", "/messages/{msg_partners}/edit", {"partner_member"}, status=400,
         sees=INSIDE),
    case("discussions.edit", "GET", "/messages/{msg_hidden}/edit", set(), status={"partner_member": 409},
         sees=INSIDE),   # hidden by the coordinator: the author is told why it cannot change
    case("discussions.withdraw", "GET", "/messages/{msg_partners}/withdraw", {"partner_member"}, sees=INSIDE),
    case("discussions.withdraw", "POST", "/messages/{msg_public}/withdraw", {"partner_member"}),
    case("discussions.report", "GET", "/messages/{msg_partners}/report", INSIDE - {"partner_member"},
         sees=INSIDE),
    case("discussions.report", "POST", "/messages/{msg_public}/report", SIGNED_IN - {"partner_member"},
         status=400),
    case("discussions.hide", "GET", "/messages/{msg_partners}/hide", {"coordinator"}, sees=INSIDE),
    case("discussions.hide", "POST", "/messages/{msg_partners}/hide", {"coordinator"}, status=400,
         sees=INSIDE),
    case("discussions.hide", "GET", "/messages/{msg_hidden}/hide", set(), sees=INSIDE),
    case("discussions.restore", "POST", "/messages/{msg_hidden}/restore", {"coordinator"}, sees=INSIDE),
    case("discussions.make_view", "GET", "/messages/{msg_partners}/view", PARTNERS | {"coordinator"},
         sees=INSIDE),
    case("discussions.make_view", "POST", "/messages/{msg_partners}/view", PARTNERS | {"coordinator"},
         status=400, sees=INSIDE),
    case("discussions.make_view", "GET", "/messages/{msg_coordinator}/view", set(), sees=INSIDE),
]


def test_every_route_is_in_the_table(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = {endpoint for endpoint, *_ in CASES}
    assert registered - covered == set(), "routes missing from the access table"
    assert covered - registered == set(), "the access table names routes that do not exist"


def expectation(kind, allowed, public, everyone):
    if everyone:
        return everyone
    if kind in allowed:
        return OK
    return DENY if public or kind != "anonymous" else LOGIN


def exact_status(kind, method, expected, status, sees):
    """The one status code this kind must get."""
    if isinstance(status, dict) and kind in status:
        return status[kind]
    if expected == OK:
        return status if isinstance(status, int) else 200 if method == "GET" else 302
    if expected == DENY:
        return 404 if sees is not None and kind not in sees else 403
    return {LOGIN: 302, MISSING: 404}[expected]


# Each test in the module's transaction.
pytestmark = pytest.mark.usefixtures("minutes_world", "passkey_world", "savepoint")


@pytest.fixture(scope="module")
def minutes_world(app, shared_world):
    """A meeting held two days ago that Partner Charity's member came to, its draft minutes out for
    agreement with a correction waiting."""
    from psp.extensions import db
    from tests.meetings.minutes_helpers import minuted_meeting

    with app.app_context():
        meeting_id, correction_id = minuted_meeting(shared_world.ids)
        db.session.remove()
    shared_world.ids.update({"meeting_minuted": meeting_id, "correction": correction_id})


@pytest.fixture(scope="module")
def passkey_world(app, shared_world):
    """The coordinator has a passkey beside their app."""
    from psp.auth.models import Passkey
    from psp.extensions import db

    with app.app_context():
        row = Passkey(user_id=shared_world.ids["user:coordinator"], name="Work laptop",
                      credential_id="AAAAAAAAAAAAAAAAAAAAAA", public_key=b"key")
        db.session.add(row)
        db.session.commit()
        shared_world.ids["passkey"] = row.id
        db.session.remove()


@pytest.fixture(scope="module")
def sessions(app, shared_world):
    """Each kind signed in once through the sign-in form, before the cases' savepoints, so every
    case's rollback keeps the session: kind -> (session cookie, CSRF token)."""
    cookie = app.config["SESSION_COOKIE_NAME"]
    found = {}
    for kind in KINDS:
        client = app.test_client()
        if kind != "anonymous":
            email = f"{kind.replace('_', '.')}@example.org"
            signed_in = second_step(client, Forms(client).post("/sign-in", {"email": email,
                                                                            "password": PASSWORD}), email)
            assert signed_in.status_code == 302
        token = csrf_from(client.get("/sign-in" if kind == "anonymous" else "/account")
                          .get_data(as_text=True))
        found[kind] = (client.get_cookie(cookie).value, token)
    return found


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("endpoint, method, url, allowed, public, everyone, status, sees", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_who_may_reach_each_route(app, module_world, sessions, kind, endpoint, method, url, allowed,
                                  public, everyone, status, sees):
    client = app.test_client()
    cookie, token = sessions[kind]
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    path = re.sub(r"\{([^}]+)\}", lambda m: str(module_world[m.group(1)]), url)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": token})
    code, location = response.status_code, response.headers.get("Location", "")
    response.close()
    expected = expectation(kind, allowed, public, everyone)
    assert code == exact_status(kind, method, expected, status, sees), (expected, code, location)
    if expected == LOGIN:
        assert location.startswith("/sign-in"), location
    elif expected == OK and endpoint not in ("auth.sign_out", "auth.sign_out_everywhere",
                                             "auth.sign_in_code", "auth.sign_in_passkey"):
        assert not location.startswith("/sign-in"), location
