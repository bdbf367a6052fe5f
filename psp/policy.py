"""Every "may this person do this?" rule, and nothing else.

Functions take the person (possibly anonymous) and the record and return a bool.
They are Jinja globals too, so a hidden button and a 403 always agree. Deny by default.
What a person holds (memberships, programme roles) is read once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import abort, g, has_request_context
from sqlalchemy import ColumnElement, exists, select

from psp.extensions import db

if TYPE_CHECKING:
    from psp.auth.models import Person, User
    from psp.contributions.models import Contribution
    from psp.cycles.models import Action, Stage
    from psp.discussions.models import Discussion, Message
    from psp.documents.models import Document
    from psp.engagement.models import EngagementReview
    from psp.interests.models import Declaration
    from psp.meetings.models import Booking, Meeting
    from psp.organisations.models import Organisation
    from psp.programmes.models import Participation, Programme
    from psp.updates.models import Update


def require(allowed: bool) -> None:
    """Stop the request with 403 unless the rule allowed it."""
    if not allowed:
        abort(403)


@dataclass
class Holdings:
    member_of: set[int] = field(default_factory=set)       # organisation ids, active membership
    admin_of: set[int] = field(default_factory=set)        # organisation ids, active admin
    asked_to_join: set[int] = field(default_factory=set)   # organisation ids, requested
    roles: set[tuple[int, str]] = field(default_factory=set)         # (programme id, role)
    partner_in: set[int] = field(default_factory=set)      # programmes with one of their organisations
    partner_orgs: set[tuple[int, int]] = field(default_factory=set)  # (programme, organisation) ids, admitted


def holdings(person: Person) -> Holdings:
    """Two queries per request at most, whatever the rules asked; none on a kept page's request
    when the data version has not changed since they were last read (psp.cache.read_model)."""
    if not is_signed_in(person):
        return Holdings()
    cache = g.setdefault("_policy_holdings", {}) if has_request_context() else {}
    if person.id not in cache:
        if has_request_context():
            from psp.cache import read_model

            cache[person.id] = read_model(f"holdings:{person.id}", lambda: _read_holdings(person))
        else:
            cache[person.id] = _read_holdings(person)
    return cache[person.id]


def _read_holdings(person: Person) -> Holdings:
    from psp.organisations.models import ACTIVE, ADMIN, REQUESTED, Membership
    from psp.programmes.models import ADMITTED, Participation, ProgrammeRole

    held = Holdings()
    rows = db.session.execute(
        select(Membership.organisation_id, Membership.role, Membership.status, Participation.programme_id)
        .outerjoin(Participation, (Participation.organisation_id == Membership.organisation_id)
                   & (Participation.status == ADMITTED))
        .where(Membership.user_id == person.id)).all()
    for organisation_id, role, status, programme_id in rows:
        if status == ACTIVE:
            held.member_of.add(organisation_id)
            if role == ADMIN:
                held.admin_of.add(organisation_id)
            if programme_id is not None:
                held.partner_in.add(programme_id)
                held.partner_orgs.add((programme_id, organisation_id))
        elif status == REQUESTED:
            held.asked_to_join.add(organisation_id)
    held.roles = {(programme_id, role) for programme_id, role in db.session.execute(
        select(ProgrammeRole.programme_id, ProgrammeRole.role).where(ProgrammeRole.user_id == person.id))}
    return held


def audience(person: Person) -> str:
    """Everything the rules read about a signed-in person, and nothing that names them: two people
    with the same audience are shown the same page by any page that asks only the rules (a kept
    page's key, psp.cache.for_audience)."""
    held = holdings(person)
    parts = [is_site_admin(person), is_confirmed(person), has_second_factor(person), sorted(held.member_of),
             sorted(held.admin_of), sorted(held.asked_to_join), sorted(held.roles), sorted(held.partner_orgs)]
    if held.roles:   # conflicts of interest matter only to coordinators and NHS leads
        parts.append(sorted(declared_interests(person)))
    return repr(parts)


def forget(person: Person) -> None:
    """After a change to what someone holds, within the same request."""
    if has_request_context():
        g.setdefault("_policy_holdings", {}).pop(getattr(person, "id", None), None)
        g.setdefault("_policy_factor", {}).pop(getattr(person, "id", None), None)


# People ----------------------------------------------------------------------

def is_signed_in(person: Person | None) -> bool:
    return bool(person is not None and person.is_authenticated)


def is_confirmed(person: Person) -> bool:
    return is_signed_in(person) and person.email_confirmed_at is not None


def is_site_admin(person: Person) -> bool:
    return is_signed_in(person) and bool(person.is_site_admin)


def can_manage_accounts(person: Person) -> bool:
    return is_site_admin(person)


def can_disable_account(person: Person, account: User) -> bool:
    """Site admins disable others, never themselves (they would lock the site out)."""
    return can_manage_accounts(person) and account.id != person.id


def can_read_audit_log(person: Person) -> bool:
    return is_site_admin(person)


def needs_second_factor(person: Person) -> bool:
    """People who decide (site admins, coordinators, NHS leads of any programme) must sign in with
    a second factor."""
    return is_signed_in(person) and (bool(person.is_site_admin) or bool(holdings(person).roles))


def has_second_factor(person: Person) -> bool:
    """An authenticator app set up and confirmed, or a passkey. One query, once per request."""
    if not is_signed_in(person):
        return False
    cache = g.setdefault("_policy_factor", {}) if has_request_context() else {}
    if person.id not in cache:
        from psp.auth.models import Passkey, SecondFactor

        app = select(SecondFactor.id).where(SecondFactor.user_id == person.id,
                                            SecondFactor.confirmed_at.is_not(None))
        key = select(Passkey.id).where(Passkey.user_id == person.id)
        cache[person.id] = db.session.scalar(select(exists(app) | exists(key))) or False
    return bool(cache[person.id])


def is_held_back_for_second_factor(person: Person) -> bool:
    """Must set up a second factor before doing anything else."""
    return needs_second_factor(person) and not has_second_factor(person)


def can_turn_off_second_factor(person: Person) -> bool:
    """Only people who need no second factor turn theirs off; a decider's is removed by a site
    admin's reset alone."""
    return is_signed_in(person) and not needs_second_factor(person)


def can_reset_second_factor(person: Person, account: User) -> bool:
    """Site admins reset someone else's second factor (the support path), never their own."""
    return can_manage_accounts(person) and account.id != person.id


def is_coordinator(person: Person, programme: Programme) -> bool:
    return is_signed_in(person) and (programme.id, "coordinator") in holdings(person).roles


def is_nhs_lead(person: Person, programme: Programme) -> bool:
    return is_signed_in(person) and (programme.id, "nhs_lead") in holdings(person).roles


def is_coordinator_anywhere(person: Person) -> bool:
    return is_signed_in(person) and any(role == "coordinator" for _, role in holdings(person).roles)


# Organisations ------------------------------------------------------------------

def can_register_organisation(person: Person) -> bool:
    return is_confirmed(person)


def is_member(person: Person, organisation: Organisation) -> bool:
    return is_signed_in(person) and organisation.id in holdings(person).member_of


def is_organisation_admin(person: Person, organisation: Organisation) -> bool:
    return is_signed_in(person) and organisation.id in holdings(person).admin_of


def can_verify_organisations(person: Person) -> bool:
    """Coordinators (lead interfaces) and site admins check organisations are real."""
    return is_site_admin(person) or is_coordinator_anywhere(person)


def can_view_organisation(person: Person, organisation: Organisation) -> bool:
    if organisation.status == "verified":
        return True
    held = holdings(person)
    return (can_verify_organisations(person) or organisation.id in held.member_of
            or organisation.id in held.asked_to_join)


def can_verify_organisation(person: Person, organisation: Organisation) -> bool:
    return organisation.status == "pending" and can_verify_organisations(person)


def can_edit_organisation(person: Person, organisation: Organisation) -> bool:
    return is_organisation_admin(person, organisation) or is_site_admin(person)


def can_ask_to_join(person: Person, organisation: Organisation) -> bool:
    if not is_confirmed(person) or organisation.status != "verified":
        return False
    held = holdings(person)
    return organisation.id not in held.member_of and organisation.id not in held.asked_to_join


def is_asking_to_join(person: Person, organisation: Organisation) -> bool:
    """Asked to join the organisation, and its admins have not yet decided."""
    return is_signed_in(person) and organisation.id in holdings(person).asked_to_join


def can_manage_members(person: Person, organisation: Organisation) -> bool:
    return is_organisation_admin(person, organisation)


def can_leave(person: Person, organisation: Organisation) -> bool:
    return is_member(person, organisation)


# Programmes ---------------------------------------------------------------------

def can_create_programme(person: Person) -> bool:
    return is_site_admin(person)


def can_appoint(person: Person, programme: Programme) -> bool:
    return is_site_admin(person)


def can_ask_to_take_part(person: Person, programme: Programme, organisation: Organisation) -> bool:
    """An organisation's admin asks for it to join a programme: once verified, or at once while
    it waits to be verified (the coordinators verify and admit it in one decision). Never
    once it was rejected."""
    return organisation.status in ("verified", "pending") and is_organisation_admin(person, organisation)


def can_put_forward(person: Person, programme: Programme, organisation: Organisation | None,
                    participation: Participation | None) -> bool:
    """Ask now: an organisation that may ask, with no open request and not yet a partner
    (``participation`` is its request to this programme, or None). None is no organisation."""
    if organisation is None:
        return False
    open_or_in = participation is not None and participation.status in ("requested", "admitted")
    return not open_or_in and can_ask_to_take_part(person, programme, organisation)


def can_ask_any_to_take_part(person: Person) -> bool:
    return is_signed_in(person) and bool(holdings(person).admin_of)


def can_decide_participation(person: Person, programme: Programme) -> bool:
    return is_coordinator(person, programme)


def can_verify_and_admit(person: Person, programme: Programme) -> bool:
    """A request from an organisation waiting to be verified is decided in one go by a
    coordinator of that programme: verify and admit it, or reject it with a reason."""
    return can_decide_participation(person, programme) and can_verify_organisations(person)


def is_partner(person: Person, programme: Programme) -> bool:
    """A member of an organisation admitted to the programme."""
    return is_signed_in(person) and programme.id in holdings(person).partner_in


def can_see_partner_items(person: Person, programme: Programme) -> bool:
    return (is_partner(person, programme) or is_coordinator(person, programme)
            or is_nhs_lead(person, programme) or is_site_admin(person))


# Cycles and stages -----------------------------------------------------------------

def can_change_stage(person: Person, programme: Programme, stage: Stage) -> bool:
    """Coordinators add and edit what a stage holds while it is open or returned."""
    return is_coordinator(person, programme) and stage.is_editable


def can_submit_stage(person: Person, programme: Programme, stage: Stage) -> bool:
    return is_coordinator(person, programme) and stage.is_editable


def can_review_stage(person: Person, programme: Programme, stage: Stage) -> bool:
    return is_nhs_lead(person, programme) and stage.status == "in_review"


def is_action_owner(person: Person, programme: Programme, action: Action) -> bool:
    """A member of the organisation that owns the action, or a coordinator of its programme."""
    return is_signed_in(person) and (action.organisation_id in holdings(person).member_of
                                     or is_coordinator(person, programme))


def can_add_action(person: Person, programme: Programme, stage: Stage) -> bool:
    """Coordinators plan actions at Plan, and add them at Do when delivery shows a gap."""
    return is_coordinator(person, programme) and stage.takes_actions


def _action_is_live(action: Action, current: Stage | None) -> bool:
    """An action can change while its cycle's Plan or Do is the current stage, open or returned."""
    return current is not None and current.cycle_id == action.cycle_id and current.takes_actions


def can_edit_action(person: Person, programme: Programme, action: Action, current: Stage | None) -> bool:
    """Coordinators change what an action is, who owns it and when it is due, through Plan and Do."""
    return is_coordinator(person, programme) and _action_is_live(action, current)


def can_update_action(person: Person, programme: Programme, action: Action, current: Stage | None) -> bool:
    """Owners update an action's status and result through Plan and Do; Review looks at them."""
    return _action_is_live(action, current) and is_action_owner(person, programme, action)


# Meetings -------------------------------------------------------------------------

def can_manage_meetings(person: Person, programme: Programme) -> bool:
    """Schedule, edit, cancel; see bookings and access needs; attendance and minutes."""
    return is_coordinator(person, programme)


def can_see_meeting(person: Person, programme: Programme, meeting: Meeting) -> bool:
    return meeting.audience == "public" or can_see_partner_items(person, programme)


def can_book(person: Person, programme: Programme, meeting: Meeting) -> bool:
    """Anyone confirmed books a public meeting; partners and the leads book partners-only ones."""
    if not is_confirmed(person):
        return False
    return meeting.audience == "public" or is_partner(person, programme) \
        or is_coordinator(person, programme) or is_nhs_lead(person, programme)


def can_see_online_link(person: Person, programme: Programme, booking: Booking | None) -> bool:
    """Only people with a confirmed place, and the coordinators who set it."""
    return (booking is not None and booking.status == "booked") or can_manage_meetings(person, programme)


def is_attendee(person: Person, meeting: Meeting, booking: Booking | None) -> bool:
    """Came to the meeting: their own place on this meeting, marked attended by a coordinator.
    ``booking`` is the person's booking as loaded for the page; one for another meeting or
    another person (an id changed in a URL or a form) never counts."""
    return (is_signed_in(person) and booking is not None and booking.user_id == person.id
            and booking.meeting_id == meeting.id and booking.status == "booked" and booking.attended is True)


def can_agree_minutes(person: Person, meeting: Meeting, booking: Booking | None) -> bool:
    """Attendees agree the draft, or suggest a correction to it, while it is out and until the end
    of the London day of its deadline. Agreeing does not stop a person suggesting a correction
    afterwards (they may spot a mistake later): their agreement stands beside it."""
    return is_attendee(person, meeting, booking) and meeting.minutes_open()


def can_see_minutes_agreement(person: Person, programme: Programme, meeting: Meeting,
                              booking: Booking | None) -> bool:
    """The draft, who agreed it by name, and every correction with the reason for a decline are for
    the attendees and the coordinators; published minutes follow the meeting's own visibility."""
    return can_manage_meetings(person, programme) or is_attendee(person, meeting, booking)


def can_see_my_work(person: Person) -> bool:
    return is_signed_in(person)


# Views (contributions) ----------------------------------------------------------

def is_programme_lead(person: Person, programme: Programme) -> bool:
    """Coordinators and NHS leads: they see every submitted view and answer them."""
    return is_coordinator(person, programme) or is_nhs_lead(person, programme)


def view_organisations(person: Person, programme: Programme) -> set[int]:
    """The organisations a person may give a view for: theirs that are partners of the programme."""
    if not is_signed_in(person):
        return set()
    return {org for prog, org in holdings(person).partner_orgs if prog == programme.id}


def can_give_view(person: Person, programme: Programme) -> bool:
    return bool(view_organisations(person, programme))


def visible_views(person: Person, programme: Programme) -> ColumnElement[bool]:
    """The SQL condition for the views a person may see in a programme.

    Visitors: shared views that have an answer. Partners (and site admins, who see what
    partners see): every shared submitted view. Leads: every submitted view. Members of the
    view's organisation: all of theirs, drafts too.
    """
    from sqlalchemy import and_, or_

    from psp.contributions.models import ANSWERS, DRAFT, PARTNER, SHARED, Contribution

    if is_programme_lead(person, programme):
        seen = Contribution.status != DRAFT
    elif is_partner(person, programme) or is_site_admin(person):
        seen = and_(Contribution.audience == SHARED, Contribution.status != DRAFT)
    else:
        seen = and_(Contribution.audience == SHARED, Contribution.status.in_(ANSWERS))
    own = holdings(person).member_of if is_signed_in(person) else set()
    if not own:
        return seen
    # A view recorded from someone not on the service is held by the lead interface, not given by it.
    theirs = or_(Contribution.giver.is_(None), Contribution.giver == PARTNER)
    return or_(seen, and_(Contribution.organisation_id.in_(sorted(own)), theirs))


def can_edit_view(person: Person, programme: Programme, contribution: Contribution) -> bool:
    """Until it is answered, by a member of its organisation while that organisation is a partner.
    A recorded view is the giver's words as written down: its text is not the organisation's to change."""
    from psp.contributions.models import DRAFT, RECEIVED

    return (contribution.status in (DRAFT, RECEIVED) and not contribution.is_recorded
            and contribution.organisation_id in view_organisations(person, programme))


def can_open_view_form(person: Person, programme: Programme, contribution: Contribution) -> bool:
    """Those who may edit the view; and, once it is answered, members of its organisation, who are
    shown why it can no longer change."""
    return can_edit_view(person, programme, contribution) or (
        contribution.is_answered and not contribution.is_recorded
        and _in_organisation(person, contribution.organisation_id))


def can_record_view(person: Person, programme: Programme) -> bool:
    """Views given on paper, by phone or at events are entered by the programme's coordinators."""
    return is_coordinator(person, programme)


def can_see_view_contact(person: Person, programme: Programme, contribution: Contribution) -> bool:
    """An email address given with a recorded view is for the coordinators alone."""
    return contribution.contact_email is not None and is_coordinator(person, programme)


def can_see_view_author(person: Person, programme: Programme, contribution: Contribution) -> bool:
    """Who gave a view, by name, is for the leads and the members of its organisation."""
    return is_programme_lead(person, programme) or _in_organisation(person, contribution.organisation_id)


def _in_organisation(person: Person, organisation_id: int) -> bool:
    return is_signed_in(person) and organisation_id in holdings(person).member_of


def can_answer_views(person: Person, programme: Programme) -> bool:
    return is_programme_lead(person, programme)


def can_answer_view(person: Person, programme: Programme, contribution: Contribution) -> bool:
    """A lead answers a view unless they have a conflict with the organisation that gave it. A view
    recorded from someone outside the service is only held by the lead interface, not given by it."""
    return (contribution.status != "draft" and can_answer_views(person, programme)
            and (contribution.is_recorded
                 or not has_conflict(person, programme, contribution.organisation_id)))


def can_download_views(person: Person, programme: Programme) -> bool:
    return is_programme_lead(person, programme)


# Updates ------------------------------------------------------------------------

def can_post_updates(person: Person, programme: Programme) -> bool:
    return is_coordinator(person, programme)


def can_see_update(person: Person, programme: Programme, update: Update) -> bool:
    return update.audience == "public" or can_see_partner_items(person, programme)


def can_see_reach(person: Person, programme: Programme) -> bool:
    return is_coordinator(person, programme)


def can_see_notifications(person: Person) -> bool:
    return is_signed_in(person)


# Documents --------------------------------------------------------------------------

def can_attach_document(person: Person, programme: Programme,
                        parent: Meeting | Stage | Update | Contribution) -> bool:
    """Coordinators put papers on meetings, reports and evidence on open stages, files on updates;
    a view's documents are its organisation's, added while its text may change (or by the
    coordinators, for a view they recorded and nobody has answered)."""
    from psp.contributions.models import Contribution
    from psp.cycles.models import Stage
    from psp.meetings.models import Meeting

    if isinstance(parent, Meeting):
        return can_manage_meetings(person, programme) and not parent.is_cancelled
    if isinstance(parent, Stage):
        return can_change_stage(person, programme, parent)
    if isinstance(parent, Contribution):
        return can_edit_view(person, programme, parent) or (
            parent.is_recorded and not parent.is_answered and can_record_view(person, programme))
    return can_post_updates(person, programme)


def can_change_document(person: Person, programme: Programme, document: Document,
                        parent: Meeting | Stage | Update | Contribution) -> bool:
    """Replace or delete: whoever may attach one to its parent now."""
    return document.programme_id == programme.id and can_attach_document(person, programme, parent)


def can_see_document(person: Person, programme: Programme, document: Document) -> bool:
    """A document narrows what its parent shows (the loader has found the parent visible)."""
    if document.audience == "leads":
        return is_programme_lead(person, programme)
    if document.audience == "partners":
        return can_see_partner_items(person, programme)
    return True


def can_ask_for_format(person: Person, programme: Programme, document: Document) -> bool:
    """Anyone signed in who can read the document; the coordinators send the format to them."""
    return is_signed_in(person) and can_see_document(person, programme, document)


def can_handle_format_requests(person: Person, programme: Programme) -> bool:
    return is_coordinator(person, programme)


# Engagement plans and reviews ---------------------------------------------------------

def can_write_engagement_plan(person: Person, programme: Programme, current: Stage | None,
                              cycle_id: int) -> bool:
    """Coordinators write a cycle's engagement plan at Analyse and may change it until Plan is signed
    off: while the programme's current stage is that cycle's Analyse or Plan, open or returned."""
    return (is_coordinator(person, programme) and current is not None and current.cycle_id == cycle_id
            and current.kind in ("analyse", "plan") and current.is_editable)


def _review_open(stage: Stage, review: EngagementReview | None) -> bool:
    return stage.kind == "review" and stage.is_editable and (review is None or review.finished_at is None)


def can_assess_engagement(person: Person, programme: Programme, stage: Stage,
                          review: EngagementReview | None) -> bool:
    """Coordinators assess each standard, enter hand-written indicators' values and finish the review,
    while the cycle's Review is open or returned and the review is not finished."""
    return is_coordinator(person, programme) and _review_open(stage, review)


def can_rate_engagement(person: Person, programme: Programme, stage: Stage,
                        review: EngagementReview | None) -> bool:
    """Partners of the programme add their organisation's rating and comment on each standard until the
    coordinators finish the review (the standards say participants help judge the engagement)."""
    return is_partner(person, programme) and _review_open(stage, review)


def can_see_engagement_review(person: Person, programme: Programme) -> bool:
    """The plan, the evidence, assessments and partners' ratings as they are being written."""
    return can_see_partner_items(person, programme)


def can_see_engagement_report(person: Person, programme: Programme, review_stage: Stage) -> bool:
    """Everyone inside the programme; visitors once the cycle's Review is signed off (published)."""
    return review_stage.status == "signed_off" or can_see_engagement_review(person, programme)

# Discussions ------------------------------------------------------------------------

def can_see_discussion(person: Person, programme: Programme, discussion: Discussion) -> bool:
    """A public discussion is read by anyone; the rest by partners, the leads and site admins."""
    return discussion.audience == "public" or can_see_partner_items(person, programme)


def can_start_discussion(person: Person, programme: Programme) -> bool:
    """Partners and the programme's leads talk here; visitors and site admins only read."""
    return is_confirmed(person) and (is_partner(person, programme) or is_programme_lead(person, programme))


def can_post_message(person: Person, programme: Programme, discussion: Discussion) -> bool:
    """Reply while the discussion is open, as one of those who may start one."""
    return (discussion.programme_id == programme.id and discussion.closed_at is None
            and can_start_discussion(person, programme))


def is_message_author(person: Person, message: Message) -> bool:
    return is_signed_in(person) and message.author_id is not None and message.author_id == person.id


def can_edit_message(person: Person, programme: Programme, discussion: Discussion, message: Message) -> bool:
    """The author, for 30 minutes after posting, while it is shown and the discussion open; then it
    is fixed (replies may quote it)."""
    from datetime import timedelta

    from psp.discussions.models import EDIT_MINUTES
    from psp.timeutil import utcnow

    return (is_message_author(person, message) and message.status == "shown"
            and message.discussion_id == discussion.id
            and utcnow() - message.created_at < timedelta(minutes=EDIT_MINUTES)
            and can_post_message(person, programme, discussion))


def can_withdraw_message(person: Person, message: Message) -> bool:
    """Authors withdraw their own shown message at any time (a hidden one stays hidden)."""
    return is_message_author(person, message) and message.status == "shown"


def can_report_message(person: Person, programme: Programme, discussion: Discussion,
                       message: Message) -> bool:
    """Anyone signed in who can read a shown message, except its author."""
    return (is_confirmed(person) and message.status == "shown" and not is_message_author(person, message)
            and message.discussion_id == discussion.id and can_see_discussion(person, programme, discussion))


def can_moderate_discussions(person: Person, programme: Programme) -> bool:
    """The coordinators: the queue of reports, dismissing them."""
    return is_coordinator(person, programme)


def can_hide_message(person: Person, programme: Programme, message: Message) -> bool:
    return can_moderate_discussions(person, programme) and message.status == "shown"


def can_restore_message(person: Person, programme: Programme, message: Message) -> bool:
    return can_moderate_discussions(person, programme) and message.status == "hidden"


def can_close_discussion(person: Person, programme: Programme, discussion: Discussion) -> bool:
    return can_moderate_discussions(person, programme) and discussion.closed_at is None


def can_pin_discussion(person: Person, programme: Programme, discussion: Discussion) -> bool:
    return can_moderate_discussions(person, programme)


def can_follow_discussion(person: Person, programme: Programme, discussion: Discussion) -> bool:
    """Anyone signed in who can read it may be told of new replies."""
    return is_confirmed(person) and can_see_discussion(person, programme, discussion)


def can_make_view_of_message(person: Person, programme: Programme, message: Message) -> bool:
    """A coordinator, or a member of the author's organisation while it is a partner, turns a shown
    message into a draft view for that organisation."""
    if message.status != "shown" or message.organisation_id is None:
        return False
    return (is_coordinator(person, programme)
            or message.organisation_id in view_organisations(person, programme))


# Register of interests -------------------------------------------------------------------

def declared_interests(person: Person) -> set[tuple[int, int]]:
    """(programme id, organisation id) the person declared an interest in: one query per request,
    read only where a conflict is asked about."""
    if not is_signed_in(person):
        return set()
    cache = g.setdefault("_policy_declared", {}) if has_request_context() else {}
    if person.id not in cache:
        from psp.cache import read_model
        from psp.interests.models import Declaration

        def read() -> set[tuple[int, int]]:
            return {(row[0], int(row[1] or 0)) for row in db.session.execute(select(
                Declaration.programme_id, Declaration.interest_organisation_id).where(
                Declaration.user_id == person.id, Declaration.interest_organisation_id.is_not(None)))}

        cache[person.id] = read_model(f"declared:{person.id}", read) if has_request_context() else read()
    return cache[person.id]


def has_conflict(person: Person, programme: Programme, organisation_id: int | None) -> bool:
    """The person belongs to the organisation, or declared an interest in it on this programme."""
    if organisation_id is None or not is_signed_in(person):
        return False
    return (organisation_id in holdings(person).member_of
            or (programme.id, organisation_id) in declared_interests(person))


def declaring_organisations(person: Person, programme: Programme) -> set[int]:
    """The partner organisations of the programme the person administers: they declare for them."""
    if not is_signed_in(person):
        return set()
    held = holdings(person)
    return {org for prog, org in held.partner_orgs if prog == programme.id and org in held.admin_of}


def can_declare_interest(person: Person, programme: Programme) -> bool:
    """Coordinators, NHS leads and the admins of partner organisations keep the register."""
    return is_confirmed(person) and (is_programme_lead(person, programme)
                                     or bool(declaring_organisations(person, programme)))


def can_declare_for(person: Person, programme: Programme, organisation_id: int | None) -> bool:
    """For themselves (None), or on behalf of a partner organisation they administer."""
    if organisation_id is None:
        return can_declare_interest(person, programme)
    return is_confirmed(person) and organisation_id in declaring_organisations(person, programme)


def can_withdraw_declaration(person: Person, programme: Programme, declaration: Declaration) -> bool:
    """Their own declaration; an organisation's by any admin of it who may declare for it."""
    if declaration.programme_id != programme.id or not is_signed_in(person):
        return False
    if declaration.organisation_id is None:
        return declaration.user_id == person.id
    return can_declare_for(person, programme, declaration.organisation_id)


RULES = {name: value for name, value in dict(globals()).items()
         if callable(value) and getattr(value, "__module__", None) == __name__
         and name.startswith(("can_", "is_", "needs_", "has_"))}

