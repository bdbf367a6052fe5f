"""Minutes agreed by those who came: each rule and each refusal, through the pages and services."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from psp import builders
from psp.audit import AuditEntry
from psp.auth.models import User
from psp.cycles.models import Action
from psp.extensions import db
from psp.meetings.models import AGREED, Booking, Meeting, MinutesAgreement, MinutesCorrection
from psp.notifications.models import Notification
from psp.programmes.models import ProgrammeRole
from psp.timeutil import london, utcnow
from tests.conftest import Forms, csrf_from
from tests.factories import PASSWORD
from tests.meetings.minutes_helpers import minuted_meeting

COORDINATOR, MEMBER, ADMIN = "coordinator@example.org", "partner.member@example.org", \
    "organisation.admin@example.org"


def day(days):
    found = london(utcnow()).date() + timedelta(days=days)
    return [str(found.day), str(found.month), str(found.year)]


def made(app, world, **kwargs):
    with app.app_context():
        return minuted_meeting(world.ids, **kwargs)


def meeting_row(app, meeting_id):
    with app.app_context():
        found = db.session.get(Meeting, meeting_id)
        db.session.expunge(found)
        return found


def count(app, model, **where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def notified(app, email, kind):
    with app.app_context():
        return db.session.scalars(select(Notification.title).join(User, User.id == Notification.user_id)
                                  .where(User.email == email, Notification.kind == kind)).all()


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def agree(client, meeting_id, extra=None):
    return client.forms.post(f"/meetings/{meeting_id}/minutes/agree", extra or {},
                             page=f"/meetings/{meeting_id}")


def suggest(client, meeting_id, words):
    return client.forms.post(f"/meetings/{meeting_id}/minutes/correction", {"text": words})


def decide(client, meeting_id, correction_id, decision, reason=""):
    return client.forms.post(f"/meetings/{meeting_id}/minutes/corrections/{correction_id}",
                             {"decision": decision, "reason": reason})


def publish(client, meeting_id):
    return client.forms.post(f"/meetings/{meeting_id}/minutes/publish", {},
                             page=f"/meetings/{meeting_id}/minutes")


def send(client, meeting_id, words="- We met. We agreed to map services.", deadline=None):
    return client.forms.post(f"/meetings/{meeting_id}/minutes",
                             {"minutes": words, "deadline": deadline if deadline is not None else day(5)})


# Sending the draft -------------------------------------------------------------------

def test_the_coordinator_sends_the_draft_to_those_who_came(app, world, sign_in_as, smtp_server):
    meeting_id, _ = made(app, world, state="none", attended=("partner_member", "organisation_admin"),
                         correction=False)
    with app.app_context():  # booked, but not marked as having come: not told
        db.session.add(builders.booking(meeting_id, world["user:other_member"]))
        db.session.commit()
    response = send(sign_in_as(COORDINATOR), meeting_id, deadline=day(1))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}#minutes")
    meeting = meeting_row(app, meeting_id)
    assert meeting.minutes_state == "sent" and meeting.minutes_draft.startswith("- We met")
    assert meeting.minutes_deadline == london(utcnow()).date() + timedelta(days=1)
    assert meeting.minutes_sent_at is not None and meeting.minutes_published_at is None
    assert "meeting.minutes_sent" in audit_actions(app)
    for email in (MEMBER, ADMIN):
        assert notified(app, email, "minutes") == ["Draft minutes to agree: Minuted meeting"]
    assert notified(app, "other.member@example.org", "minutes") == []
    body = smtp_server.body(smtp_server.to(MEMBER)[-1])
    assert "by the end of" in body and f"/meetings/{meeting_id}#minutes" in body
    # Attendees read the draft; someone who did not come does not, nor is the draft published.
    page = sign_in_as(MEMBER).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Draft for agreement" in page and "We agreed to map services" in page and "0 of 2" in page
    other = sign_in_as("nhs.lead@example.org").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "We agreed to map services" not in other and "Draft minutes are with those who came" in other


def test_sending_is_refused_with_nobody_marked_attended(app, world, sign_in_as):
    meeting_id, _ = made(app, world, state="none", attended=(), correction=False)
    with app.app_context():
        db.session.add(builders.booking(meeting_id, world["user:partner_member"]))   # not marked
        db.session.commit()
    response = send(sign_in_as(COORDINATOR), meeting_id, words="Typed words stay")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "govuk-error-summary" in page and "Nobody is marked as having attended" in page
    assert "Typed words stay" in page
    assert meeting_row(app, meeting_id).minutes_state == "none"
    assert count(app, Notification) == 0


@pytest.mark.parametrize("deadline, status, message", [
    (day(0), 409, "must be in the future"),
    (day(-3), 409, "must be in the future"),
    (["", "", ""], 400, "Enter the date by which attendees agree"),
    (["31", "2", "2027"], 400, "Date"),
    (["x", "y", "z"], 400, "Date"),
])
def test_the_deadline_must_be_a_day_in_the_future(app, world, sign_in_as, deadline, status, message):
    meeting_id, _ = made(app, world, state="none", correction=False)
    response = send(sign_in_as(COORDINATOR), meeting_id, deadline=deadline)
    page = response.get_data(as_text=True)
    assert response.status_code == status and "govuk-error-summary" in page
    assert message.lower() in page.lower()
    assert meeting_row(app, meeting_id).minutes_state == "none"


def test_minutes_wait_for_the_meeting_and_not_a_cancelled_one(app, world, sign_in_as):
    coordinator = sign_in_as(COORDINATOR)
    response = send(coordinator, world["meeting_partners"])   # in ten days' time
    assert response.status_code == 409 and "once the meeting has started" in response.get_data(as_text=True)
    meeting_id, _ = made(app, world, state="none", correction=False)
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = "cancelled"
        db.session.commit()
    assert send(coordinator, meeting_id).status_code == 409


def test_only_the_programmes_coordinators_write_send_decide_and_publish(app, world, sign_in_as):
    meeting_id, correction_id = made(app, world, audience="public")
    for email in (MEMBER, "nhs.lead@example.org", "site.admin@example.org"):
        client = sign_in_as(email)
        assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 403
        assert client.get(f"/meetings/{meeting_id}/minutes/corrections/{correction_id}").status_code == 403
        assert publish(client, meeting_id).status_code == 403


# Agreeing ----------------------------------------------------------------------------

def test_an_attendee_agrees_once_and_a_double_submit_is_no_error(app, world, sign_in_as):
    meeting_id, _ = made(app, world, attended=("partner_member", "organisation_admin"))
    member = sign_in_as(MEMBER)
    first, again = agree(member, meeting_id), agree(member, meeting_id)
    assert first.status_code == again.status_code == 302
    assert count(app, MinutesAgreement, meeting_id=meeting_id) == 1
    with app.app_context():
        row = db.session.scalars(select(MinutesAgreement)).one()
        assert row.user_id == world["user:partner_member"] and row.organisation_id == world["org_id:partner"]
    page = member.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "You agreed these minutes" in page and "1 of 2 attendees agreed" in page
    assert "I agree these minutes" not in page
    assert "Suggest a correction" in page   # agreeing does not stop a correction


def test_who_has_not_come_cannot_agree_or_suggest(app, world, sign_in_as):
    meeting_id, _ = made(app, world, attended=("partner_member",))
    with app.app_context():  # booked and marked absent
        db.session.add(builders.booking(meeting_id, world["user:organisation_admin"], attended=False))
        db.session.commit()
    admin = sign_in_as(ADMIN)
    assert agree(admin, meeting_id).status_code == 403
    assert admin.get(f"/meetings/{meeting_id}/minutes/correction").status_code == 403
    assert suggest(admin, meeting_id, "A correction").status_code == 403
    assert sign_in_as(COORDINATOR).get(f"/meetings/{meeting_id}/minutes/correction").status_code == 403
    assert count(app, MinutesAgreement) == 0 and count(app, MinutesCorrection, author_id=world[
        "user:organisation_admin"]) == 0


def test_an_attendee_of_one_meeting_cannot_agree_another_by_changing_the_id(app, world, sign_in_as):
    mine, _ = made(app, world, title="Mine", attended=("partner_member",), correction=False)
    theirs, _ = made(app, world, title="Theirs", attended=("organisation_admin",), correction=False)
    member = sign_in_as(MEMBER)
    assert agree(member, theirs).status_code == 403                       # the id in the URL
    assert suggest(member, theirs, "Not my meeting").status_code == 403
    assert agree(member, mine, {"meeting_id": str(theirs)}).status_code == 302  # a hidden field is ignored
    with app.app_context():
        rows = db.session.execute(select(MinutesAgreement.meeting_id, MinutesAgreement.user_id)).all()
    assert [tuple(r) for r in rows] == [(mine, world["user:partner_member"])]


@pytest.mark.parametrize("state, deadline_days, message", [
    ("sent", -1, "The deadline for agreeing these minutes has passed"),
    ("none", 3, "The draft minutes have not been sent for agreement"),
    ("agreed", 3, "The minutes have been published"),
])
def test_agreeing_and_suggesting_are_refused_outside_the_draft_and_its_deadline(
        app, world, sign_in_as, state, deadline_days, message):
    meeting_id, _ = made(app, world, state=state, deadline_days=deadline_days, correction=False)
    if state == "agreed":
        with app.app_context():
            db.session.get(Meeting, meeting_id).minutes_published_at = utcnow()
            db.session.commit()
    member = sign_in_as(MEMBER)
    refused = agree(member, meeting_id)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "govuk-error-summary" in page and message in page
    response = suggest(member, meeting_id, "My words stay on the page")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and message in page and "My words stay on the page" in page
    assert member.get(f"/meetings/{meeting_id}/minutes/correction").status_code == 409
    assert count(app, MinutesAgreement) == 0 and count(app, MinutesCorrection) == 0


def test_agreement_is_open_until_the_end_of_the_deadline_day(app, world, sign_in_as):
    meeting_id, _ = made(app, world, deadline_days=0, correction=False)
    assert agree(sign_in_as(MEMBER), meeting_id).status_code == 302


# Corrections and publishing -------------------------------------------------------------

def test_corrections_are_decided_then_the_agreed_minutes_published(app, world, sign_in_as, smtp_server):
    meeting_id, _ = made(app, world, attended=("partner_member", "organisation_admin"), correction=False,
                         audience="public")
    member, admin, coordinator = sign_in_as(MEMBER), sign_in_as(ADMIN), sign_in_as(COORDINATOR)
    empty = suggest(member, meeting_id, "")
    assert empty.status_code == 400 and "Enter your correction" in empty.get_data(as_text=True)
    assert agree(member, meeting_id).status_code == 302
    assert suggest(member, meeting_id, "Say we met on Tuesday.").status_code == 302   # after agreeing
    assert suggest(admin, meeting_id, "Name the chair.").status_code == 302
    with app.app_context():
        first, second = db.session.scalars(select(MinutesCorrection).order_by(MinutesCorrection.id)).all()
        first_id, second_id = first.id, second.id
        assert first.organisation_id == world["org_id:partner"] and first.status == "suggested"
    assert notified(app, COORDINATOR, "corrections") == ["Correction suggested: Minuted meeting"] * 2
    assert "Say we met on Tuesday." in smtp_server.body(smtp_server.to(COORDINATOR)[0])

    refused = publish(coordinator, meeting_id)
    assert refused.status_code == 409
    assert "2 suggested corrections are waiting for a decision" in refused.get_data(as_text=True)
    assert meeting_row(app, meeting_id).minutes_state == "sent"

    no_reason = decide(coordinator, meeting_id, second_id, "decline")
    assert no_reason.status_code == 400 and "Enter why the correction is declined" in no_reason.get_data(
        as_text=True)
    assert decide(coordinator, meeting_id, second_id, "maybe").status_code == 400
    assert decide(coordinator, meeting_id, second_id, "decline", "The chair asked not to be named.") \
        .status_code == 302
    accepted = decide(coordinator, meeting_id, first_id, "accept")
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith(f"/meetings/{meeting_id}/minutes")
    again = decide(coordinator, meeting_id, first_id, "decline", "Changed my mind")
    assert again.status_code == 409 and "already been decided" in again.get_data(as_text=True)
    assert notified(app, MEMBER, "minutes") == ["Your correction is accepted: Minuted meeting"]
    assert notified(app, ADMIN, "minutes") == ["Your correction is declined: Minuted meeting"]
    assert "The chair asked not to be named." in smtp_server.body(smtp_server.to(ADMIN)[-1])
    # Accepting does not change the text: the coordinator edits it, and attendees see the edit.
    assert "met on Tuesday" not in meeting_row(app, meeting_id).minutes_draft
    assert send(coordinator, meeting_id, words="- We met on Tuesday.", deadline=day(3)).status_code == 302
    assert "We met on Tuesday" in member.get(f"/meetings/{meeting_id}").get_data(as_text=True)

    assert publish(coordinator, meeting_id).status_code == 302
    meeting = meeting_row(app, meeting_id)
    assert meeting.minutes_state == AGREED and meeting.minutes == "- We met on Tuesday."
    assert meeting.minutes_published_at is not None
    actions = audit_actions(app)
    assert actions.count("minutes.correction_decided") == 2 and "meeting.minutes_published" in actions
    assert notified(app, ADMIN, "minutes")[-1] == "Minutes agreed and published: Minuted meeting"

    visitor = app.test_client().get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "We met on Tuesday" in visitor and "Agreed by 1 of 2 attendees" in visitor
    assert "Corrections made" in visitor and "Say we met on Tuesday." in visitor
    assert "Partner Charity" in visitor
    assert "Name the chair." not in visitor and "Who agreed" not in visitor   # for attendees and coordinators
    attendee = admin.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Corrections declined" in attendee and "The chair asked not to be named." in attendee
    assert "Who agreed" in attendee
    # Published minutes are not changed, and nothing more can be suggested or agreed.
    late = suggest(admin, meeting_id, "One more thing")
    assert late.status_code == 409 and "The minutes have been published" in late.get_data(as_text=True)
    assert agree(admin, meeting_id).status_code == 409
    assert send(coordinator, meeting_id, words="Rewritten").status_code == 409
    assert publish(coordinator, meeting_id).status_code == 409
    assert meeting_row(app, meeting_id).minutes == "- We met on Tuesday."


def test_a_coordinator_of_another_programme_cannot_decide_its_corrections(app, world, sign_in_as, make_user):
    meeting_id, correction_id = made(app, world, audience="public")
    elsewhere = make_user(email="review.coordinator@example.org", password=PASSWORD, factor=True)
    with app.app_context():
        review = db.session.scalar(text("SELECT id FROM programmes WHERE slug = 'review-programme'"))
        db.session.add(ProgrammeRole(programme_id=review, user_id=elsewhere.id, role="coordinator"))
        db.session.commit()
        other_meeting, other_correction = minuted_meeting(world.ids, title="Review meeting",
                                                          programme_id=review, audience="public")
    client = sign_in_as("review.coordinator@example.org")
    assert decide(client, meeting_id, correction_id, "accept").status_code == 403
    assert publish(client, meeting_id).status_code == 403
    # Their own meeting's URL with the other programme's correction id: not found.
    assert decide(client, other_meeting, correction_id, "accept").status_code == 404
    assert decide(client, other_meeting, other_correction, "accept").status_code == 302
    with app.app_context():
        assert db.session.get(MinutesCorrection, correction_id).status == "suggested"


def test_the_draft_is_for_attendees_and_coordinators_published_minutes_follow_the_meeting(
        app, world, sign_in_as):
    meeting_id, _ = made(app, world, audience="public")
    assert "the group met" not in app.test_client().get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "the group met" not in sign_in_as(ADMIN).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    coordinator_page = sign_in_as(COORDINATOR).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "the group met" in coordinator_page and "Waiting for a decision" in coordinator_page
    partners_only, _ = made(app, world, title="Partners only", state="agreed", audience="partners",
                            correction=False)
    with app.app_context():
        row = db.session.get(Meeting, partners_only)
        row.minutes, row.minutes_published_at = "Agreed partners' text", utcnow()
        db.session.commit()
    assert app.test_client().get(f"/meetings/{partners_only}").status_code == 404
    assert "Agreed partners" in sign_in_as(ADMIN).get(f"/meetings/{partners_only}").get_data(
        as_text=True)


# Your work, matters arising, data rights ----------------------------------------------------

def test_your_work_lists_corrections_to_decide_and_minutes_to_agree(app, world, sign_in_as):
    meeting_id, correction_id = made(app, world, attended=("partner_member", "organisation_admin"))
    coordinator, member = sign_in_as(COORDINATOR), sign_in_as(MEMBER)
    work = coordinator.get("/my").get_data(as_text=True)
    assert "Corrections to minutes waiting for your decision" in work and "1 correction to accept" in work
    assert "Minutes waiting for your agreement" in member.get("/my").get_data(as_text=True)
    assert agree(member, meeting_id).status_code == 302
    assert "Minutes waiting for your agreement" not in member.get("/my").get_data(as_text=True)
    assert "Minutes waiting for your agreement" in sign_in_as(ADMIN).get("/my").get_data(as_text=True)
    assert decide(coordinator, meeting_id, correction_id, "accept").status_code == 302
    assert "Corrections to minutes waiting" not in coordinator.get("/my").get_data(as_text=True)


def _previous_and_next(app, world, previous_state="agreed", cancelled=False, audience="partners"):
    previous, _ = made(app, world, title="Last month", state=previous_state, correction=False,
                       audience=audience, days_ago=30)
    with app.app_context():
        row = db.session.get(Meeting, previous)
        row.minutes = "- Agreed last month: **map services**"
        row.minutes_published_at = utcnow() if previous_state == "agreed" else None
        row.status = "cancelled" if cancelled else "scheduled"
        db.session.commit()
    return previous


def test_the_next_meeting_shows_matters_arising(app, world, sign_in_as):
    previous = _previous_and_next(app, world, audience="public")
    with app.app_context():  # a later meeting whose draft is not agreed yet does not count
        minuted_meeting(world.ids, title="Not agreed yet", days_ago=5, correction=False)
        done = db.session.get(Action, world["action"])
        db.session.add(builders.action(done.cycle_id, done.planned_in_id, world["org_id:partner"],
                                       "Already done", done.due_on, status="done"))
        db.session.commit()
    page = app.test_client().get(f"/meetings/{world['meeting_public']}").get_data(as_text=True)
    assert "Matters arising" in page and f'href="/meetings/{previous}"' in page
    assert "<strong>map services</strong>" in page
    assert "Map services" in page and "Partner Charity" in page and "Already done" not in page


def test_matters_arising_skip_cancelled_meetings_and_hide_what_the_person_may_not_see(app, world, sign_in_as):
    _previous_and_next(app, world, cancelled=True)
    assert "Matters arising" not in sign_in_as(MEMBER).get(f"/meetings/{world['meeting_public']}").get_data(
        as_text=True)
    with app.app_context():
        db.session.execute(text("DELETE FROM bookings WHERE meeting_id IN (SELECT id FROM meetings "
                                "WHERE title = 'Last month')"))
        db.session.execute(text("DELETE FROM meetings WHERE title = 'Last month'"))
        db.session.commit()
    _previous_and_next(app, world, audience="partners")
    public_page = f"/meetings/{world['meeting_public']}"
    assert "Matters arising" not in app.test_client().get(public_page).get_data(as_text=True)
    assert "Matters arising" in sign_in_as(MEMBER).get(public_page).get_data(as_text=True)


def test_the_meeting_page_runs_the_same_queries_with_more_minutes_and_actions(
        app, world, sign_in_as, count_queries, make_user):
    from sqlalchemy import insert

    previous = _previous_and_next(app, world, audience="public")
    current, _ = made(app, world, title="This month", days_ago=1, attended=("partner_member",))
    with app.app_context():
        db.session.execute(text("UPDATE meetings SET starts_at = :at, ends_at = :end WHERE id = :id"),
                           {"at": utcnow() - timedelta(days=1), "end": utcnow(), "id": current})
        db.session.commit()
    clients = [sign_in_as(COORDINATOR), sign_in_as(MEMBER), app.test_client()]

    def measure():
        found = []
        for client in clients:
            response, queries = count_queries(lambda: client.get(f"/meetings/{current}"))  # noqa: B023
            assert response.status_code in (200, 404)
            found.append(queries)
        return found

    small = measure()
    with app.app_context():
        action = db.session.get(Action, world["action"])
        db.session.execute(insert(Action), [
            {"cycle_id": action.cycle_id, "planned_in_id": action.planned_in_id,
             "organisation_id": world["org_id:partner"], "title": f"Action {n}", "due_on": action.due_on,
             "status": "planned", "blocked_reason": "", "result": "", "created_at": utcnow(),
             "updated_at": utcnow()} for n in range(30)])
        people = db.session.execute(insert(User).returning(User.id), [
            {"email": f"came{n}@example.org", "name": f"Came {n}", "password_hash": "x",
             "created_at": utcnow(), "is_site_admin": False, "session_version": 1}
            for n in range(20)]).scalars().all()
        db.session.execute(insert(Booking), [
            {"meeting_id": current, "user_id": uid, "status": "booked", "attended": True,
             "requested_at": utcnow(), "access_needs": "", "access_other": "",
             "organisation_id": world["org_id:partner"]} for uid in people])
        db.session.execute(insert(MinutesAgreement), [
            {"meeting_id": current, "user_id": uid, "organisation_id": world["org_id:partner"],
             "created_at": utcnow()} for uid in people])
        db.session.execute(insert(MinutesCorrection), [
            {"meeting_id": current, "author_id": uid, "organisation_id": world["org_id:partner"],
             "text": f"Correction {n}", "created_at": utcnow(),
             "status": ["suggested", "accepted", "declined"][n % 3],
             "reason": "Because" if n % 3 == 2 else ""}
            for n, uid in enumerate(people)])
        db.session.commit()
    large = measure()
    page = clients[1].get(f"/meetings/{current}").get_data(as_text=True)
    assert "Action 29" in page and "Correction 19" in page and f'href="/meetings/{previous}"' in page
    print("queries per meeting page (coordinator, attendee, visitor):", small, large)
    assert small == large


def test_the_data_download_has_agreements_and_corrections_and_erasure_keeps_the_text(app, world, sign_in_as):
    meeting_id, correction_id = made(app, world, audience="public")
    member = sign_in_as(MEMBER)
    assert agree(member, meeting_id).status_code == 302
    data = json.loads(member.get("/account/data.json").get_data(as_text=True))
    assert [row["meeting_id"] for row in data["minutes_agreements"]] == [meeting_id]
    assert [row["text"] for row in data["minutes_corrections"]] == ["It was Tuesday, not Monday."]
    html = member.get("/account/delete").get_data(as_text=True)
    deleted = member.post("/account/delete", data={"csrf_token": csrf_from(html), "password": PASSWORD})
    assert deleted.status_code == 302
    with app.app_context():
        correction = db.session.get(MinutesCorrection, correction_id)
        assert correction.author_id is None and correction.text == "It was Tuesday, not Monday."
    page = sign_in_as(COORDINATOR).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "a former participant" in page and "It was Tuesday, not Monday." in page
    assert "Former member" in page   # their agreement still counts
    decided = Forms(sign_in_as(COORDINATOR)).post(
        f"/meetings/{meeting_id}/minutes/corrections/{correction_id}", {"decision": "accept", "reason": ""})
    assert decided.status_code == 302   # nobody to tell


def test_minutes_published_before_this_change_stay_published(app):
    """0013 maps a meeting whose minutes were published to agreed minutes, shown as before."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="0011")
        statements = [
            "INSERT INTO organisations (id, slug, name, kind, description, status, created_at) VALUES "
            "(1, 'nhs', 'NHS', 'public-body', '', 'verified', CURRENT_TIMESTAMP), "
            "(2, 'tsi', 'TSI', 'third-sector-interface', '', 'verified', CURRENT_TIMESTAMP)",
            "INSERT INTO programmes (id, slug, title, summary, strategy, lead_body_id, lead_interface_id, "
            "created_at) VALUES (7, 'older', 'Older', '', '', 1, 2, CURRENT_TIMESTAMP)",
            "INSERT INTO meetings (id, programme_id, title, agenda, starts_at, ends_at, venue, access_info, "
            "online_link, audience, status, cancel_reason, minutes, minutes_published_at, sequence, "
            "created_at, updated_at) VALUES "
            "(8, 7, 'Published', '', '2026-01-01 10:00', '2026-01-01 12:00', 'Hall', '', '', 'public', "
            "'scheduled', '', 'Old minutes', '2026-01-02 10:00', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
            "(9, 7, 'Unminuted', '', '2026-02-01 10:00', '2026-02-01 12:00', 'Hall', '', '', 'public', "
            "'scheduled', '', '', NULL, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        ]
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, minutes_state, minutes_draft, minutes FROM meetings "
                                     "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(8, "agreed", "Old minutes", "Old minutes"), (9, "none", "", "")]
    page = app.test_client().get("/meetings/8").get_data(as_text=True)
    assert "Old minutes" in page and "Agreed by" not in page
