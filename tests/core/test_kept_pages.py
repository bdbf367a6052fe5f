"""Kept pages (psp/cache.py): a visitor's page is served from the cache until the data version
changes, every kind of write changes it in the same transaction, and nothing of a signed-in
person's ever reaches the kept copy."""

import pytest
import redis
from sqlalchemy import delete, select, update

from psp import builders, cache, create_app
from psp.auth.models import User
from psp.extensions import db
from psp.updates.models import Update
from tests.conftest import PASSWORD, Forms, csrf_from, second_step

P = "/programmes/test-programme"
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
