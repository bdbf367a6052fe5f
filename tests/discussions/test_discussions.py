"""Discussions through their pages: starting, replying in order, quoting, mentions, hostile input,
ids changed in URLs and hidden fields, editing and its window, withdrawing, reports and
moderation, closing and pinning, unread markers, search, views made of messages, data rights,
and a fixed number of queries whatever the length."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from psp import builders
from psp.auth import privacy
from psp.auth.models import User
from psp.contributions.models import Contribution
from psp.discussions.models import Discussion, Message, Reader, Report
from psp.extensions import db
from psp.notifications.models import Notification
from psp.timeutil import utcnow

P = "/programmes/test-programme"


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _messages(app, discussion_id):
    with app.app_context():
        return db.session.scalars(select(Message).where(Message.discussion_id == discussion_id)
                                  .order_by(Message.number)).all()


def _notifications(app, user_id, kind):
    with app.app_context():
        return db.session.scalars(select(Notification.title).where(Notification.user_id == user_id,
                                                                   Notification.kind == kind)).all()


def _start(client, **data):
    return client.forms.post(P + "/discussions/new", {"title": "Transport to the day centre",
                                                      "body": "The **bus** stops at six.",
                                                      "audience": "partners", **data})


def test_a_partner_starts_a_discussion_and_others_reply_in_order_with_quotes(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    response = _start(member, mentions=[str(world["org_id:partner"])])
    assert response.status_code == 302
    with app.app_context():
        discussion = db.session.scalar(select(Discussion).where(
            Discussion.title == "Transport to the day centre"))
        first = db.session.scalar(select(Message).where(Message.discussion_id == discussion.id))
        assert (first.number, first.author_role, first.organisation_id) == (
            1, "partner", world["org_id:partner"])
        assert db.session.get(Reader, (discussion.id, world["user:partner_member"])).following
        discussion_id, first_id = discussion.id, first.id
    # The organisation's admin was drawn in by the mention.
    assert _notifications(app, world["user:organisation_admin"], "discussions") == [
        "Your organisation is mentioned: Transport to the day centre"]
    admin = sign_in_as("organisation.admin@example.org")
    page = admin.get(f"/discussions/{discussion_id}/reply?to={first_id}").get_data(as_text=True)
    assert "You are replying to message #1" in page
    assert admin.forms.post(f"/discussions/{discussion_id}/reply",
                            {"body": "Agreed.", "reply_to": str(first_id)},
                            page=f"/discussions/{discussion_id}/reply?to={first_id}").status_code == 302
    coordinator = sign_in_as("coordinator@example.org")
    assert coordinator.forms.post(f"/discussions/{discussion_id}/reply", {"body": "We will ask the council."},
                                  page=f"/discussions/{discussion_id}").status_code == 302
    messages = _messages(app, discussion_id)
    assert [(m.number, m.author_role) for m in messages] == [
        (1, "partner"), (2, "partner"), (3, "coordinator")]
    assert messages[1].reply_to_id == first_id
    html = member.get(f"/discussions/{discussion_id}").get_data(as_text=True)
    assert "In reply to" in html and 'id="message-3"' in html and "Coordinator</strong>" in html
    assert "<strong>bus</strong>" in html
    # The starter follows it and hears of both replies (their own start told nobody).
    assert sorted(_notifications(app, world["user:partner_member"], "discussions")) == [
        "New reply: Transport to the day centre"] * 2


@pytest.mark.parametrize("body, error", [
    ("", "Enter your message"),
    ("   ", "Enter your message"),
    ("x" * 10_001, "Message must be 10,000 characters or fewer"),
    ("Hello\x00there", "Remove the invisible control characters"),
])
def test_bad_messages_show_an_error_summary_keep_the_text_and_store_nothing(app, world, sign_in_as, body,
                                                                           error):
    member = sign_in_as("partner.member@example.org")
    before = _count(app, Message)
    response = member.forms.post(f"/discussions/{world['disc_partners']}/reply", {"body": body},
                                 page=f"/discussions/{world['disc_partners']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and error in html
    if body.strip() and "\x00" not in body:
        assert body[:200] in html
    assert _count(app, Message) == before
    started = _start(member, title="A title", body=body)
    assert started.status_code == 400 and "A title" in started.get_data(as_text=True)
    assert _count(app, Discussion) == 4


def test_markdown_never_carries_script_handlers_or_javascript_links(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    hostile = ("<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> "
               "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">x</a> Dìleas 🌿 ąčę — ✓")
    assert member.forms.post(f"/discussions/{world['disc_partners']}/reply", {"body": hostile},
                             page=f"/discussions/{world['disc_partners']}").status_code == 302
    html = member.get(f"/discussions/{world['disc_partners']}").get_data(as_text=True)
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [t for t in tags if t.lower().startswith("<script") and "src=" not in t]
    assert not [t for t in tags if re.search(r"\son[a-z]+\s*=", t, re.IGNORECASE)]
    assert not [t for t in tags if "javascript:" in t.lower()]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html   # shown as the text typed, never run
    assert "Dìleas 🌿 ąčę — ✓" in html


def test_ids_changed_in_urls_and_hidden_fields_are_refused(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    before = _count(app, Message)
    # Another programme's partners-only discussion is not found for a partner here.
    token_page = f"/discussions/{world['disc_partners']}"
    assert member.forms.post(f"/discussions/{world['disc_review']}/reply", {"body": "Let me in"},
                             page=token_page).status_code == 404
    # A message of another discussion as the one replied to, in the hidden field.
    response = member.forms.post(f"/discussions/{world['disc_partners']}/reply",
                                 {"body": "Sneaky", "reply_to": str(world["msg_review"])}, page=token_page)
    assert response.status_code == 400
    assert "not in this discussion" in response.get_data(as_text=True)
    # An organisation that is not a partner, mentioned by a forged value.
    response = member.forms.post(f"/discussions/{world['disc_partners']}/reply",
                                 {"body": "Hi", "mentions": [str(world["org_id:other"])]}, page=token_page)
    assert response.status_code == 400
    assert "Select organisations from the list" in response.get_data(as_text=True)
    assert _count(app, Message) == before
    # A stage of another programme in the start form.
    with app.app_context():
        from psp.cycles.models import Stage

        other_stage = db.session.scalar(select(Stage.id).where(Stage.programme_id != world["programme_id"]))
    response = _start(member, stage=str(other_stage))
    assert response.status_code == 400 and _count(app, Discussion) == 4
    # A partners-only meeting's discussion cannot be made public.
    response = _start(member, meeting=str(world["meeting_partners"]), audience="public")
    assert response.status_code == 400 and "partners only" in response.get_data(as_text=True)


def test_a_closed_discussion_takes_no_reply(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    response = member.forms.post(f"/discussions/{world['disc_closed']}/reply", {"body": "Late"},
                                 page=f"/discussions/{world['disc_closed']}")
    assert response.status_code == 403
    html = member.get(f"/discussions/{world['disc_closed']}").get_data(as_text=True)
    assert "We meet monthly." in html and "closed to new replies" in html


def test_the_author_edits_for_thirty_minutes_then_it_is_fixed(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    path = f"/messages/{world['msg_partners']}/edit"
    assert member.forms.post(path, {"body": "Transport, and the cost of it."}).status_code == 302
    with app.app_context():
        message = db.session.get(Message, world["msg_partners"])
        assert message.body == "Transport, and the cost of it." and message.edited_at is not None
        message.created_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    response = member.get(path)
    assert response.status_code == 409 and "now fixed" in response.get_data(as_text=True)
    with app.app_context():
        message = db.session.get(Message, world["msg_partners"])
        message.created_at = utcnow()
        db.session.get(Discussion, world["disc_partners"]).closed_at = utcnow()
        db.session.get(Discussion, world["disc_partners"]).closing_summary = "Done."
        db.session.commit()
    response = member.forms.post(path, {"body": "Kept words"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "discussion is closed" in page and "Kept words" in page
    assert sign_in_as("organisation.admin@example.org").get(path).status_code == 403


def test_an_edit_racing_a_hide_leaves_the_message_hidden_and_says_so(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    coordinator = sign_in_as("coordinator@example.org")
    path = f"/messages/{world['msg_partners']}/edit"
    html = member.get(path).get_data(as_text=True)   # the author opens the form...
    from tests.conftest import csrf_from

    token = csrf_from(html)
    assert coordinator.forms.post(f"/messages/{world['msg_partners']}/hide",
                                  {"reason": "Names a patient"}).status_code == 302
    response = member.post(path, data={"body": "My better words", "csrf_token": token})  # ...and saves after
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "hidden by the coordinator while you were changing it" in page and "My better words" in page
    with app.app_context():
        message = db.session.get(Message, world["msg_partners"])
        assert (message.status, message.body) == ("hidden", "Transport is the problem.")


def test_the_edit_service_refuses_once_hidden_even_past_the_route(app, world):
    from psp.discussions import services
    from psp.errors import Refused

    with app.test_request_context():
        message = db.session.get(Message, world["msg_hidden"])
        author = db.session.get(User, world["user:partner_member"])
        with pytest.raises(Refused, match="hidden by the coordinator"):
            services.edit(author, message, "Changed")


def test_withdrawing_removes_the_text(app, world, sign_in_as):
    member = sign_in_as("partner.member@example.org")
    assert member.forms.post(f"/messages/{world['msg_partners']}/withdraw", {}).status_code == 302
    html = member.get(f"/discussions/{world['disc_partners']}").get_data(as_text=True)
    assert "Withdrawn by the author." in html and "Transport is the problem." not in html
    with app.app_context():
        assert db.session.get(Message, world["msg_partners"]).body == ""


def test_report_hide_tell_the_author_restore_and_dismiss(app, world, sign_in_as, smtp_server):
    lead = sign_in_as("nhs.lead@example.org")
    path = f"/messages/{world['msg_partners']}/report"
    empty = lead.forms.post(path, {"reason": ""})
    assert empty.status_code == 400 and "Enter why you are reporting it" in empty.get_data(as_text=True)
    assert lead.forms.post(path, {"reason": "Names a person"}).status_code == 302
    assert lead.forms.post(path, {"reason": "Again"}).status_code == 302   # the same report, not two
    assert _count(app, Report, Report.message_id == world["msg_partners"]) == 1
    assert _notifications(app, world["user:coordinator"], "moderation") == [
        "A message is reported: Getting home from hospital"]
    coordinator = sign_in_as("coordinator@example.org")
    work = coordinator.get("/my").get_data(as_text=True)
    assert "Reported messages waiting for you" in work and "2 reports of messages" in work
    queue = coordinator.get(P + "/discussions/reports").get_data(as_text=True)
    assert "Names a person" in queue and "Transport is the problem." in queue
    assert coordinator.forms.post(f"/messages/{world['msg_partners']}/hide",
                                  {"reason": "It names someone"}).status_code == 302
    html = sign_in_as("organisation.admin@example.org").get(f"/discussions/{world['disc_partners']}")
    page = html.get_data(as_text=True)
    assert "Hidden by the coordinator: It names someone" in page and "Transport is the problem." not in page
    assert _notifications(app, world["user:partner_member"], "moderation") == [
        "Your message is hidden: Getting home from hospital"]
    mail = smtp_server.to("partner.member@example.org")
    assert any("It names someone" in smtp_server.body(m) for m in mail)
    with app.app_context():
        assert db.session.scalar(select(Report.status).where(
            Report.message_id == world["msg_partners"])) == "upheld"
    assert coordinator.forms.post(f"/messages/{world['msg_partners']}/restore", {},
                                  page=f"/discussions/{world['disc_partners']}").status_code == 302
    with app.app_context():
        assert db.session.get(Message, world["msg_partners"]).status == "shown"
    assert coordinator.forms.post(P + f"/discussions/reports/{world['report']}/dismiss", {},
                                  page=P + "/discussions/reports").status_code == 302
    with app.app_context():
        assert db.session.get(Report, world["report"]).status == "dismissed"
    assert "No reports waiting." in coordinator.get(P + "/discussions/reports").get_data(as_text=True)


def test_close_with_a_summary_and_pin(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    path = f"/discussions/{world['disc_partners']}/close"
    empty = coordinator.forms.post(path, {"summary": ""})
    assert empty.status_code == 400 and "Enter a closing summary" in empty.get_data(as_text=True)
    assert coordinator.forms.post(path, {"summary": "We will **ask** the council."}).status_code == 302
    assert coordinator.forms.post(f"/discussions/{world['disc_public']}/pin", {},
                                  page=f"/discussions/{world['disc_public']}").status_code == 302
    member = sign_in_as("partner.member@example.org")
    html = member.get(f"/discussions/{world['disc_partners']}").get_data(as_text=True)
    assert "<strong>ask</strong>" in html and "Post reply" not in html
    listing = member.get(P + "/discussions").get_data(as_text=True)
    assert listing.index("Pinned") < listing.index("Open questions about the new service")


def test_unread_markers_search_and_lists_for_a_stage(app, world, sign_in_as, client):
    member = sign_in_as("partner.member@example.org")
    listing = member.get(P + "/discussions").get_data(as_text=True)
    assert "3 new" in listing   # never opened
    member.get(f"/discussions/{world['disc_partners']}").close()
    listing = member.get(P + "/discussions").get_data(as_text=True)
    assert "3 new" not in listing and "1 new" in listing
    found = member.get(P + "/discussions?q=transport").get_data(as_text=True)
    assert "Getting home from hospital" in found and "Meeting dates" not in found
    # Visitors see the public discussion only, without markers.
    public = client.get(P + "/discussions").get_data(as_text=True)
    assert "Open questions about the new service" in public and "Getting home" not in public
    assert " new" not in public.split("<main")[1].split("</main>")[0].replace("new service", "")
    with app.app_context():
        from psp.cycles.models import Stage

        stage = db.session.scalar(select(Stage).where(Stage.programme_id == world["programme_id"],
                                                      Stage.kind == "analyse"))
        db.session.get(Discussion, world["disc_public"]).stage_id = stage.id
        db.session.commit()
        stage_id = stage.id
    on_stage = client.get(P + f"/discussions?stage={stage_id}").get_data(as_text=True)
    assert "Open questions about the new service" in on_stage and "1 discussion found" in on_stage


def test_a_message_becomes_a_draft_view_linked_back(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    path = f"/messages/{world['msg_partners']}/view"
    assert "Getting home from hospital" in coordinator.get(path).get_data(as_text=True)
    assert coordinator.forms.post(path, {"title": "Transport", "body": "Transport is the problem."}
                                  ).status_code == 302
    with app.app_context():
        view = db.session.scalar(select(Contribution).where(Contribution.message_id == world["msg_partners"]))
        assert (view.status, view.organisation_id) == ("draft", world["org_id:partner"])
        view_id = view.id
    again = coordinator.forms.post(path, {"title": "Again", "body": "Twice"}, page=path)
    assert again.status_code == 400 and "already become a view" in again.get_data(as_text=True)
    member = sign_in_as("partner.member@example.org")
    page = member.get(f"/views/{view_id}").get_data(as_text=True)
    assert "a message in a discussion" in page
    thread = member.get(f"/discussions/{world['disc_partners']}").get_data(as_text=True)
    assert "This message became a view" in thread


def test_data_download_and_erasure_keep_the_words_as_former_member(app, world):
    with app.app_context():
        person = db.session.get(User, world["user:partner_member"])
        name = person.name
        db.session.add(builders.message(world["disc_partners"], 4, world["user:coordinator"],
                                        f"Thanks @{name} for this.", author_role="coordinator"))
        db.session.get(Discussion, world["disc_partners"]).message_count = 4
        db.session.add(Reader(discussion_id=world["disc_partners"], user_id=person.id, following=True,
                              seen_count=1))
        db.session.commit()
        exported = privacy.export(person)
        assert {m["body"] for m in exported["discussion_messages"]} >= {"Transport is the problem."}
        assert exported["discussions"] and exported["discussion_readers"]
        privacy.erase(person)
        message = db.session.get(Message, world["msg_partners"])
        assert message.body == "Transport is the problem." and message.author.name == "Former member"
        assert db.session.scalar(select(Message.body).where(Message.number == 4)) == \
            "Thanks @Former member for this."
        assert db.session.scalars(select(Reader).where(Reader.user_id == person.id)).all() == []


def _grow(app, world, messages, discussions):
    """A long thread and many discussions, bulk-inserted."""
    from sqlalchemy import insert

    with app.app_context():
        thread = db.session.get(Discussion, world["disc_partners"])
        start = thread.message_count
        db.session.execute(insert(Message), [builders.message_values(
            thread.id, start + n, world["user:organisation_admin"], f"Message {n}", world["org_id:partner"],
            reply_to_id=world["msg_partners"]) for n in range(1, messages + 1)])
        thread.message_count = start + messages
        db.session.execute(insert(Discussion), [builders.discussion_values(
            world["programme_id"], f"Topic {n}", world["user:partner_member"]) for n in range(discussions)])
        db.session.commit()


def test_pages_run_a_fixed_number_of_queries_whatever_the_length(app, world, sign_in_as, count_queries):
    member = sign_in_as("partner.member@example.org")
    coordinator = sign_in_as("coordinator@example.org")
    visitor = app.test_client()
    pages = [(member, f"/discussions/{world['disc_partners']}"), (member, P + "/discussions"),
             (visitor, f"/discussions/{world['disc_public']}"), (visitor, P + "/discussions"),
             (member, P + "/discussions?q=topic"), (coordinator, P + "/discussions/reports"),
             (member, P), (coordinator, f"/discussions/{world['disc_partners']}?page=2")]
    for who, path in pages:   # the first visit makes the reader row; count the next ones
        who.get(path).close()
    small = [count_queries(lambda w=who, p=path: w.get(p))[1] for who, path in pages]
    _grow(app, world, 120, 60)
    for who, path in pages:
        who.get(path).close()
    large = []
    for who, path in pages:
        response, queries = count_queries(lambda w=who, p=path: w.get(p))
        assert response.status_code == 200, path
        response.close()
        large.append(queries)
    assert small == large
    html = member.get(f"/discussions/{world['disc_partners']}?page=3").get_data(as_text=True)
    assert 'id="message-123"' in html and "page 3 of 3" in html


@pytest.mark.parametrize("who, path, field, extra", [
    ("nhs.lead", "/messages/{msg_partners}/report", "reason", {}),
    ("coordinator", "/messages/{msg_partners}/hide", "reason", {}),
    ("coordinator", "/discussions/{disc_partners}/close", "summary", {}),
    ("coordinator", "/messages/{msg_partners}/view", "body", {"title": "A view"}),
    ("partner.member", "/messages/{msg_partners}/edit", "body", {}),
])
@pytest.mark.parametrize("value", ["", "  ", "x" * 20_001, "bad\x00value"])
def test_every_discussion_form_refuses_bad_input_with_a_summary(app, world, sign_in_as, who, path, field,
                                                                 extra, value):
    client = sign_in_as(f"{who}@example.org")
    url = re.sub(r"\{([^}]+)\}", lambda m: str(world[m.group(1)]), path)
    before = [_count(app, model) for model in (Report, Contribution, Message)]
    response = client.forms.post(url, {field: value, **extra})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in html
    assert [_count(app, model) for model in (Report, Contribution, Message)] == before
    with app.app_context():
        message = db.session.get(Message, world["msg_partners"])
        assert (message.status, message.body) == ("shown", "Transport is the problem.")
        assert db.session.get(Discussion, world["disc_partners"]).closed_at is None
