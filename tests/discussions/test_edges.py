"""Discussions at their edges: filters and cursors from the address bar, places that are not this
programme's, refusals when a message or discussion changed under the person, and races the pages
cannot produce (checked on the services directly)."""

import pytest
from sqlalchemy import event, func, insert, select

from psp.auth.models import User
from psp.contributions.models import Contribution
from psp.cycles.models import Question, Stage
from psp.discussions import services
from psp.discussions.models import Discussion, Message, Reader, Report
from psp.errors import Refused
from psp.extensions import db
from psp.notifications.models import Notification
from psp.programmes.models import Programme

P = "/programmes/test-programme"


def _start(client, **data):
    return client.forms.post(P + "/discussions/new", {"title": "Edge talk", "body": "Words.",
                                                      "audience": "partners", **data})


def _made(app):
    with app.app_context():
        return db.session.scalar(select(Discussion).where(Discussion.title == "Edge talk"))


def _other_programme_ids(app, world):
    with app.app_context():
        other = Stage.programme_id != world["programme_id"]
        return db.session.scalar(select(Stage.id).where(other))


def test_the_new_form_takes_its_place_from_the_address(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    with app.app_context():
        question = db.session.get(Question, world["question"])
        stage_id = question.stage_id
    html = member.get(P + f"/discussions/new?stage={stage_id}").get_data(as_text=True)
    assert f'<option selected value="{stage_id}">' in html or f'value="{stage_id}" selected' in html


def test_a_discussion_on_a_partners_meeting_and_on_a_question(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    assert _start(member, meeting=str(world["meeting_partners"])).status_code == 302
    assert _made(app).meeting_id == world["meeting_partners"]
    with app.app_context():
        db.session.execute(Discussion.__table__.delete().where(Discussion.title == "Edge talk"))
        db.session.commit()
        question = db.session.get(Question, world["question"])
        assert not question.partners_only
        question_stage = question.stage_id
    assert _start(member, question=str(world["question"]), audience="public").status_code == 302
    made = _made(app)
    assert (made.question_id, made.stage_id) == (world["question"], question_stage)


def test_a_partners_only_question_keeps_its_discussion_for_partners(app, world, sign_in_as):
    with app.app_context():
        db.session.get(Question, world["question"]).partners_only = True
        db.session.commit()
    member = sign_in_as("partner.member@example.org")
    response = _start(member, question=str(world["question"]), audience="public")
    assert response.status_code == 400
    assert "partners-only question is for partners only" in response.get_data(as_text=True)
    assert _made(app) is None


def test_places_and_mentions_of_another_programme_are_refused_by_the_service(app, world):
    stage_id = _other_programme_ids(app, world)
    assert stage_id is not None
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:partner_member"])
        base = {"title": "Edge talk", "body": "Words.", "audience": "partners"}
        for extra, words in [({"stage_id": stage_id}, "Choose a stage of this programme"),
                             ({"meeting_id": 2**30}, "Choose a meeting of this programme"),
                             ({"question_id": 2**30}, "Choose a question of this programme"),
                             ({"mentions": [world["org_id:other"]]}, "Mention only partner organisations")]:
            with pytest.raises(Refused, match=words):
                services.start(person, programme, {**base, **extra})
    assert _made(app) is None


def test_the_list_filters_by_meeting_and_question_and_pages_by_cursor(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    assert _start(member, meeting=str(world["meeting_partners"])).status_code == 302
    on_meeting = member.get(P + f"/discussions?meeting={world['meeting_partners']}").get_data(as_text=True)
    assert "Edge talk" in on_meeting and "Getting home from hospital" not in on_meeting
    on_question = member.get(P + f"/discussions?question={world['question']}").get_data(as_text=True)
    assert "Edge talk" not in on_question and "Getting home from hospital" not in on_question
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:partner_member"])
        first = services.listing(person, programme, services.Filters(), None, size=1)
        assert first.after is not None and first.first
        second = services.listing(person, programme, services.Filters(), first.after, size=1)
        assert not second.first and second.items[0].discussion.id != first.items[0].discussion.id
        # A cursor that is not a date is ignored: the first page again.
        again = services.listing(person, programme, services.Filters(), "yesterday-1", size=1)
        assert again.first and again.items[0].discussion.id == first.items[0].discussion.id
    html = member.get(P + "/discussions?after=notadate-3").get_data(as_text=True)
    assert "Edge talk" in html


def test_seen_twice_at_once_keeps_one_reader(app, world):
    for count in (2, 3):
        with app.test_request_context():
            person = db.session.get(User, world["user:bystander"])
            services.mark_seen(person, world["disc_public"], count, None)   # both saw no reader
    with app.app_context():
        assert db.session.get(Reader, (world["disc_public"], world["user:bystander"])).seen_count == 2


def test_following_again_updates_the_row_and_a_double_click_makes_one(app, world, sign_in_as):
    member = sign_in_as("nhs.lead@example.org")
    page = f"/discussions/{world['disc_public']}"
    assert member.forms.post(page + "/follow", {}, page=page).status_code == 302
    assert member.forms.post(page + "/follow", {"follow": "no"}, page=page).status_code == 302
    with app.app_context():
        assert not db.session.get(Reader, (world["disc_public"], world["user:nhs_lead"])).following
    # Another tab made the row between this one's look and its insert: one row, followed.
    with app.test_request_context():
        person = db.session.get(User, world["user:bystander"])
        discussion = db.session.get(Discussion, world["disc_public"])

        def other_tab(session, _context, _instances):
            session.execute(insert(Reader).values(discussion_id=discussion.id, user_id=person.id,
                                                  following=False, seen_count=1))

        event.listen(db.session(), "before_flush", other_tab, once=True)
        services.follow(person, discussion, True)
    with app.app_context():
        assert db.session.get(Reader, (world["disc_public"], world["user:bystander"])).following


def test_a_reply_racing_the_close_is_refused(app, world):
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:partner_member"])
        discussion = db.session.get(Discussion, world["disc_closed"])
        with pytest.raises(Refused, match="closed to new replies"):
            services.reply(person, programme, discussion, "Late", None, [])
    with app.app_context():
        assert db.session.get(Discussion, world["disc_closed"]).message_count == 1


def test_a_withdrawn_message_cannot_be_edited_and_says_why(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    path = f"/messages/{world['msg_partners']}"
    assert member.forms.post(path + "/withdraw", {}).status_code == 302
    response = member.get(path + "/edit")
    assert response.status_code == 409
    assert "You have withdrawn this message" in response.get_data(as_text=True)
    with app.test_request_context():
        message = db.session.get(Message, world["msg_partners"])
        author = db.session.get(User, world["user:partner_member"])
        with pytest.raises(Refused, match="You have withdrawn this message"):
            services.edit(author, message, "Changed")
        with pytest.raises(Refused, match="hidden or withdrawn already"):
            services.withdraw(author, message)


def test_an_edit_after_the_window_is_refused_by_the_service(app, world):
    with app.test_request_context():
        message = db.session.get(Message, world["msg_public"])
        message.created_at = message.created_at - services.timedelta(hours=2)
        db.session.commit()
        author = db.session.get(User, world["user:partner_member"])
        with pytest.raises(Refused, match="now fixed"):
            services.edit(author, message, "Changed")
    with app.app_context():
        assert db.session.get(Message, world["msg_public"]).body == "What changes first?"


def test_a_report_racing_the_same_persons_other_tab_is_one_report(app, world):
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:bystander"])
        message = db.session.get(Message, world["msg_public"])

        def other_tab(session, _context, _instances):   # lands between the check and the insert
            session.execute(insert(Report).values(programme_id=programme.id, message_id=message.id,
                                                  reporter_id=person.id, reason="First tab", status="open"))

        event.listen(db.session(), "before_flush", other_tab, once=True)
        assert services.report(person, programme, message, "Second tab") is False
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "moderation")) == 0


def test_moderation_twice_is_refused_saying_so(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    page = P + "/discussions/reports"
    dismiss = P + f"/discussions/reports/{world['report']}/dismiss"
    assert coordinator.forms.post(dismiss, {}, page=page).status_code == 302
    again = coordinator.forms.post(dismiss, {}, page=page, follow_redirects=True)
    assert "This report has already been decided" in again.get_data(as_text=True)
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:coordinator"])
        hidden = db.session.get(Message, world["msg_hidden"])
        with pytest.raises(Refused, match="no longer shown"):
            services.hide(person, programme, hidden, "Again")
        shown = db.session.get(Message, world["msg_public"])
        with pytest.raises(Refused, match="not hidden"):
            services.restore(person, programme, shown)
        closed = db.session.get(Discussion, world["disc_closed"])
        with pytest.raises(Refused, match="already closed"):
            services.close(person, programme, closed, "Twice")
    with app.app_context():
        assert db.session.get(Message, world["msg_hidden"]).hidden_reason == "Personal remarks"
        assert db.session.get(Discussion, world["disc_closed"]).closing_summary == "We meet monthly."


def test_hiding_a_message_of_an_erased_author_tells_nobody(app, world):
    with app.test_request_context():
        message = db.session.get(Message, world["msg_public"])
        message.author_id = None
        db.session.commit()
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:coordinator"])
        services.hide(person, programme, db.session.get(Message, world["msg_public"]), "Off topic")
    with app.app_context():
        assert db.session.get(Message, world["msg_public"]).status == "hidden"
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "moderation")) == 0


def test_a_member_makes_a_view_of_their_organisations_message_and_lands_on_it(app, world, sign_in_as):
    admin = sign_in_as("organisation.admin@example.org")
    response = admin.forms.post(f"/messages/{world['msg_public']}/view",
                                {"title": "Changes", "body": "Which?"})
    assert response.status_code == 302
    with app.app_context():
        view_id = db.session.scalar(select(Contribution.id).where(
            Contribution.message_id == world["msg_public"]))
    assert response.headers["Location"].endswith(f"/views/{view_id}")


def test_a_view_needs_a_shown_partner_message_and_a_current_stage(app, world):
    with app.test_request_context():
        programme = db.session.get(Programme, world["programme_id"])
        person = db.session.get(User, world["user:coordinator"])
        discussion = db.session.get(Discussion, world["disc_partners"])
        for key in ("msg_hidden", "msg_coordinator"):
            with pytest.raises(Refused, match="Only a message still shown"):
                message = db.session.get(Message, world[key])
                services.make_view(person, programme, discussion, message, "T", "B")
        for stage in db.session.scalars(select(Stage).where(Stage.programme_id == programme.id)):
            stage.status = "signed_off"
        db.session.commit()
        message = db.session.get(Message, world["msg_partners"])
        with pytest.raises(Refused, match="no current stage"):
            services.make_view(person, programme, discussion, message, "T", "B")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.message_id.is_not(None))) == 0
