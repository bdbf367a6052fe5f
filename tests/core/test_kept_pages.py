"""Kept pages (psp/cache.py): a visitor's page is served from the cache until the data version
changes, every kind of write changes it in the same transaction, and nothing of a signed-in
person's ever reaches the kept copy."""

import re

import pytest
import redis
from flask import render_template_string
from sqlalchemy import delete, select, update

from psp import builders, cache, create_app
from psp.auth.models import User
from psp.extensions import db
from psp.updates.models import Update
from tests.conftest import PASSWORD, Forms, csrf_from, second_step

P = "/programmes/test-programme"


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    """Keys carry the minute: hold it still, so a test never straddles two."""
    monkeypatch.setattr(cache, "_minute", lambda: 0)
REDIS_URL = "redis://127.0.0.1:6379/15"


def body(client, path):
    with client.get(path) as response:
        assert response.status_code == 200
        return response.get_data(as_text=True)


def statements(count_queries, client, path):
    return count_queries(lambda: body(client, path))[1]


@pytest.mark.parametrize("statement, changes", [
    ("SELECT * FROM updates", False),
    ("INSERT INTO updates (title) VALUES ('x')", True),
    ('UPDATE "contributions" SET status = 1', True),
    ("DELETE FROM meetings WHERE id = 1", True),
    ("WITH x AS (SELECT 1) INSERT INTO updates SELECT * FROM x", True),
    ("INSERT INTO user_sessions (id) VALUES (1)", False),
    ("UPDATE discussion_readers SET seen_count = 2", False),
    ("INSERT INTO outbox_messages (id) VALUES (1)", False),
    ("UPDATE data_version SET value = 2", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("BEGIN IMMEDIATE", False),
])
def test_which_statements_change_what_pages_show(statement, changes):
    assert cache.changes_content(statement) is changes


def test_a_visitors_page_is_kept_until_something_changes(app, world, count_queries):
    client = app.test_client()
    first = statements(count_queries, client, P)
    again = statements(count_queries, client, P)
    assert first > 5
    assert again <= 2   # the data version (and SQLite's BEGIN): nothing else is read
    with app.app_context():
        db.session.get(Update, world["update_public"]).title = "News retitled"
        db.session.commit()
    assert "News retitled" in body(client, P + "/updates")
    assert statements(count_queries, client, P) == first   # drawn again under the new version


def _orm_add(app, world):
    with app.app_context():
        author = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
        db.session.add(builders.update(world["programme_id"], author.id, "Fresh news", "Just posted."))
        db.session.commit()
    return "Fresh news", True


def _orm_change(app, world):
    with app.app_context():
        db.session.get(Update, world["update_public"]).title = "Renamed news"
        db.session.commit()
    return "Renamed news", True


def _core_update(app, world):
    with app.app_context():
        db.session.execute(update(Update).where(Update.id == world["update_public"])
                           .values(title="Changed in one statement"))
        db.session.commit()
    return "Changed in one statement", True


def _core_delete(app, world):
    with app.app_context():
        db.session.execute(delete(Update).where(Update.id == world["update_public"]))
        db.session.commit()
    return "News for everyone", False


def _outside_the_session(app, world):
    """A job on its own connection (a CLI command), not the request's session."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Update).where(Update.id == world["update_public"]).values(title="Job news"))
    return "Job news", True


def _made_partners_only(app, world):
    with app.app_context():
        db.session.get(Update, world["update_public"]).audience = "partners"
        db.session.commit()
    return "News for everyone", False


def _through_the_service(app, world):
    coordinator = app.test_client()
    response = second_step(coordinator, Forms(coordinator).post(
        "/sign-in", {"email": "coordinator@example.org", "password": PASSWORD}), "coordinator@example.org")
    assert response.status_code == 302
    html = coordinator.get(P + "/updates/new").get_data(as_text=True)
    response = coordinator.post(P + "/updates/new", data={
        "csrf_token": csrf_from(html), "title": "Posted in the browser", "body": "Text",
        "audience": "public"})
    assert response.status_code == 302
    return "Posted in the browser", True


@pytest.mark.parametrize("change", [_orm_add, _orm_change, _core_update, _core_delete, _outside_the_session,
                                    _made_partners_only, _through_the_service])
def test_every_kind_of_change_is_on_the_next_request(app, world, change):
    visitor = app.test_client()
    for path in (P, P + "/updates", P + "/updates.atom"):
        assert "News for everyone" in body(visitor, path)
        body(visitor, path)   # now kept
    text, shown = change(app, world)
    for path in (P, P + "/updates", P + "/updates.atom"):
        assert (text in body(visitor, path)) is shown, path


def test_a_rolled_back_change_leaves_the_version_and_a_new_one_never_reuses_it(app, world):
    with app.app_context():
        before = cache.data_version()
        db.session.get(Update, world["update_public"]).title = "Never happened"
        db.session.flush()
        db.session.rollback()
        assert cache.data_version() == before
        seen = {before}
        for n in range(3):
            db.session.get(Update, world["update_public"]).title = f"Change {n}"
            db.session.commit()
            seen.add(cache.data_version())
        assert len(seen) == 4


def test_what_partners_see_never_reaches_the_kept_copy(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    visitor = app.test_client()
    assert "News for partners" in body(partner, P + "/updates")     # drawn first, for a partner
    for _ in range(2):
        assert "News for partners" not in body(visitor, P + "/updates")
    assert "News for partners" in body(partner, P + "/updates")     # the kept copy is not theirs
    assert "Sign out" in body(partner, P)


@pytest.mark.parametrize("path", ["/sign-in", "/register"])
def test_pages_with_a_form_token_are_drawn_each_time(app, world, count_queries, path):
    client = app.test_client()
    first, second = (csrf_from(body(client, path)) for _ in range(2))
    assert first and second
    assert statements(count_queries, client, path) >= 1
    other = app.test_client()
    assert csrf_from(body(other, path)) not in (first, second)


def test_a_page_with_a_message_waiting_is_not_kept(app, world):
    client = app.test_client()
    body(client, P)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Something for this browser only")]
    assert "Something for this browser only" in body(client, P)
    assert "Something for this browser only" not in body(app.test_client(), P)


def test_kept_pages_live_in_redis_when_configured(app, database_url, world):
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    shared = create_app({**app.config, "CACHE_URL": REDIS_URL})
    try:
        visitor = shared.test_client()
        assert "News for everyone" in body(visitor, P + "/updates")
        assert store.keys("psp:page:*")
        assert "News for everyone" in body(visitor, P + "/updates")
        with app.app_context():
            db.session.get(Update, world["update_public"]).title = "Seen through Redis"
            db.session.commit()
        assert "Seen through Redis" in body(visitor, P + "/updates")
        assert "Seen through Redis" in body(shared.test_client(), P + "/updates")
    finally:
        store.flushdb()
        store.close()
        _dispose(shared)


# Pages kept for an audience (cache.for_audience) ---------------------------------------------

def _below_header(html):
    """The page below the header, without the session's form tokens."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html.split("</header>")[1])


def _second_member(app, make_user, org_name="Partner Charity", role="member", **fields):
    from psp.organisations.models import Organisation

    person = make_user(email=f"second.{role}@example.org", name="Second Member", **fields)
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        db.session.add(builders.membership(person.id, org.id, role=role))
        db.session.commit()
    return person


def test_people_with_the_same_audience_share_a_page_with_their_own_header(
        app, world, sign_in_as, make_user, count_queries):
    from psp.notifications.models import Notification

    second = _second_member(app, make_user)
    with app.app_context():
        db.session.add(Notification(user_id=second.id, kind="views", title="Your view was answered",
                                    url="/my"))
        db.session.commit()
    first, other = sign_in_as("partner.member@example.org"), sign_in_as(second.email)
    page = P + "/views"
    drawn = statements(count_queries, first, page)
    html = body(first, page)
    assert "Shared and waiting" in html and "Still a draft" in html   # the partner's own draft
    kept = statements(count_queries, other, page)
    assert kept < drawn
    theirs = body(other, page)
    assert theirs.split("</header>")[1] == html.split("</header>")[1]   # the same page below the header
    assert 'app-count">1<' in theirs and 'app-count">' not in html       # each header their own


def test_a_different_audience_never_gets_the_kept_page(app, world, sign_in_as):
    partner, other = sign_in_as("partner.member@example.org"), sign_in_as("other.member@example.org")
    for _ in range(2):
        assert "Shared and waiting" in body(partner, P + "/views")
    for _ in range(2):
        assert "Shared and waiting" not in body(other, P + "/views")
    assert "Shared and waiting" in body(partner, P + "/views")


def _dispose(flask_app):
    """A second app has its own engine: close its connections before the test ends."""
    with flask_app.app_context():
        db.engine.dispose()


def _signed_in(flask_app, email):
    client = flask_app.test_client()
    response = second_step(client, Forms(client).post("/sign-in", {"email": email, "password": PASSWORD}),
                           email)
    assert response.status_code == 302
    return client


FORM_PAGE = ('{% extends "base.html" %}{% block content %}<form method="post" action="/kept-form">'
             '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>{% endblock %}')


def test_a_kept_page_carries_the_forms_token_of_whoever_is_given_it(app, world, make_user):
    """Two members of one organisation: the second is given the first one's kept page, and its
    form posts with the second one's session."""
    second = _second_member(app, make_user)
    fresh = create_app({**app.config})
    drawn = []

    @fresh.get("/kept-form")
    @cache.for_audience
    def kept_form():
        drawn.append(1)
        return render_template_string(FORM_PAGE)

    @fresh.post("/kept-form")
    def post_form():
        return "accepted"

    try:
        first, other = _signed_in(fresh, "partner.member@example.org"), _signed_in(fresh, second.email)
        mine, theirs = csrf_from(body(first, "/kept-form")), csrf_from(body(other, "/kept-form"))
        assert len(drawn) == 1   # drawn once, for the first
        assert mine and theirs and mine != theirs
        for client, token in ((other, theirs), (first, mine)):
            with client.post("/kept-form", data={"csrf_token": token}) as response:
                assert response.status_code == 200
        with other.post("/kept-form", data={"csrf_token": mine}) as response:
            assert response.status_code == 400   # the first one's token is not the second's
    finally:
        _dispose(fresh)


def test_a_change_is_on_the_audiences_next_request(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    assert "Shared and waiting" in body(partner, P + "/views")
    with app.app_context():
        from psp.contributions.models import Contribution

        db.session.get(Contribution, world["view_shared"]).title = "Shared, retitled"
        db.session.commit()
    assert "Shared, retitled" in body(partner, P + "/views")


def test_a_message_waiting_is_shown_not_the_kept_page(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    body(partner, P + "/views")
    with partner.session_transaction() as session:
        session["_flashes"] = [("success", "Your view is saved")]
    assert "Your view is saved" in body(partner, P + "/views")
    assert "Your view is saved" not in body(partner, P + "/views")


def test_what_a_person_holds_is_read_again_once_it_changes(app, world, sign_in_as, count_queries):
    """Holdings are kept under the data version: leaving the organisation shows at once."""
    from psp.organisations.models import Membership

    partner = sign_in_as("partner.member@example.org")
    drawn = statements(count_queries, partner, P + "/views")
    assert "Shared and waiting" in body(partner, P + "/views")
    assert statements(count_queries, partner, P + "/views") <= drawn - 3   # page, holdings: kept
    with app.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == world["user:partner_member"])
                           .values(status="declined"))
        db.session.commit()
    assert "Shared and waiting" not in body(partner, P + "/views")


def test_a_meeting_page_is_shared_only_by_people_in_the_same_state(app, world, sign_in_as, make_user):
    """The meeting page names the person's own booking: a partner with a place and one without
    never get each other's kept copy, and booking shows at once."""
    second = _second_member(app, make_user)
    booked, other = sign_in_as("partner.member@example.org"), sign_in_as(second.email)
    page = f"/meetings/{world['meeting_public']}"
    with app.app_context():
        db.session.add(builders.booking(world["meeting_public"], world["user:partner_member"],
                                        organisation_id=world["org_id:partner"]))
        db.session.commit()
    for _ in range(2):
        assert "You have a place" in body(booked, page)
        assert "You have a place" not in body(other, page)
    with app.app_context():
        db.session.add(builders.booking(world["meeting_public"], second.id,
                                        organisation_id=world["org_id:partner"], access_needs="step-free"))
        db.session.commit()
    assert "You have a place" in body(other, page)


def test_the_discussions_list_keeps_each_persons_unread_markers(app, world, sign_in_as, make_user):
    """Two partners of one organisation share the list only while they have read the same."""
    second = _second_member(app, make_user)
    reader, other = sign_in_as("partner.member@example.org"), sign_in_as(second.email)
    listing = P + "/discussions"
    before = body(reader, listing)
    assert " new<" in before and body(other, listing).split("</header>")[1] == before.split("</header>")[1]
    with reader.get(f"/discussions/{world['disc_public']}") as response:
        assert response.status_code == 200   # read: its markers go for this person only
    assert body(reader, listing).count(" new<") == before.count(" new<") - 1
    assert body(other, listing).count(" new<") == before.count(" new<")


def test_the_register_shows_withdraw_only_on_the_persons_own_declarations(app, world, sign_in_as, make_user):
    """Two admins of one partner organisation: both may withdraw its declaration, only the one who
    made it their own."""
    from psp.interests.models import Declaration

    second = _second_member(app, make_user, role="admin")
    with app.app_context():
        db.session.add(Declaration(programme_id=world["programme_id"],
                                   user_id=world["user:organisation_admin"], kind="financial",
                                   description="Shares in a care company."))
        db.session.commit()
    first, other = sign_in_as("organisation.admin@example.org"), sign_in_as(second.email)
    page = P + "/interests"
    for _ in range(2):
        assert body(first, page).count(">Withdraw<") == body(other, page).count(">Withdraw<") + 1


def test_a_discussion_is_shared_by_readers_in_the_same_place_and_read_markers_still_move(
        app, world, sign_in_as, make_user):
    from psp.discussions.models import Reader

    second = _second_member(app, make_user)
    third = make_user(email="third.member@example.org")
    with app.app_context():
        db.session.add(builders.membership(third.id, world["org_id:partner"]))
        db.session.commit()
    author, other = sign_in_as("partner.member@example.org"), sign_in_as(second.email)
    later = sign_in_as(third.email)   # signing in changes what a page may show: all of them first
    page = f"/discussions/{world['disc_public']}"
    theirs = body(other, page)                      # drawn for the second member: nothing of theirs
    assert ">Withdraw<" not in theirs and ">Report<" in theirs
    mine = body(author, page)                       # the author wrote message 1: not the same page
    assert ">Withdraw<" in mine and ">Report<" not in mine
    assert _below_header(body(later, page)) == _below_header(theirs)
    with app.app_context():
        seen = db.session.scalar(select(Reader.seen_count).where(Reader.user_id == third.id))
    assert seen == 1                                # given the kept copy, and still marked as read


def test_your_work_is_shared_only_by_people_with_the_same_drafts_and_bookings(
        app, world, sign_in_as, make_user):
    second = _second_member(app, make_user)
    other, author = sign_in_as(second.email), sign_in_as("partner.member@example.org")
    for _ in range(2):
        assert "Still a draft" not in body(other, "/my")
        assert "Still a draft" in body(author, "/my")


def test_a_kept_page_lives_a_minute_at_most(app, world, count_queries, monkeypatch):
    client = app.test_client()
    first = statements(count_queries, client, P)
    assert statements(count_queries, client, P) <= 2
    monkeypatch.setattr(cache, "_minute", lambda: 1)   # "upcoming" may have changed with the clock
    assert statements(count_queries, client, P) == first
