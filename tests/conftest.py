"""Test harness: a real database per run (SQLite, and PostgreSQL when
PSP_TEST_DATABASE_URL is set), a real SMTP server on loopback, and a live
server for the browser tests."""

import os
import re
import shutil
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from psp import create_app
from psp.auth.models import User
from psp.auth.passwords import hash_password
from psp.extensions import db, limiter
from psp.timeutil import utcnow

PASSWORD = "correct horse battery staple"


def _databases():
    found = ["sqlite"]
    if os.environ.get("PSP_TEST_DATABASE_URL"):
        found.append("postgresql")
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Collects what the SMTP server receives. Requests only queue mail; reading the inbox first
    runs the worker's delivery step (deliver), as `flask psp worker` would in production."""

    def __init__(self, deliver=None):
        self.received = []
        self.connections = 0
        self.deliver = deliver
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy as email_policy

        message = email.message_from_bytes(envelope.content, policy=email_policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def all(self):
        """Every message received, after delivering what is waiting (a method, not a property:
        aiosmtpd inspects the handler's members on each connection)."""
        if self.deliver is not None:
            self.deliver()
        with self.lock:
            return list(self.received)

    def clear(self):
        with self.lock:
            self.received.clear()
            self.connections = 0

    def to(self, address):
        return [m for m in self.all() if m["To"] == address]

    def body(self, message):
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, address, pattern):
        """The last link matching pattern in the newest message to address."""
        messages = self.to(address)
        assert messages, f"no email to {address}"
        found = re.findall(r"https?://\S+" + pattern + r"\S*", self.body(messages[-1]))
        assert found, f"no link like {pattern} in email to {address}"
        return found[-1]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture(scope="session", params=_databases())
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    url = os.environ["PSP_TEST_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # start from an empty database
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_USE_TLS": False,
        "MAIL_FILE_DIR": str(tmp_path_factory.mktemp("mail")),
        "RATELIMIT_STORAGE_URI": "memory://",
        # Argon2id still, with cheap parameters so the suite stays quick.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
    })
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production

    def deliver():
        from psp import mail

        with app.app_context():
            mail.send_pending()

    smtp_server.deliver = deliver
    yield app
    smtp_server.deliver = None
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request, smtp_server):
    """Each test starts with empty tables, an empty inbox and fresh rate limits."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()
    smtp_server.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


def csrf_from(html):
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Forms:
    """Submit a page's form the way a browser would: GET it, then POST with its token."""

    def __init__(self, client):
        self.client = client

    def post(self, url, data, page=None, **kwargs):
        html = self.client.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={**data, "csrf_token": csrf_from(html)}, **kwargs)


@pytest.fixture
def forms(client):
    return Forms(client)


@pytest.fixture
def make_user(app):
    def make(email=None, name="Test Person", password=PASSWORD, confirmed=True, **fields):
        make.count += 1
        with app.app_context():
            user = User(email=email or f"person{make.count}@example.org", name=name,
                        password_hash=hash_password(password),
                        email_confirmed_at=utcnow() if confirmed else None, **fields)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    make.count = 0
    return make


class AuthActions:
    def __init__(self, forms):
        self.forms = forms

    def sign_in(self, email, password=PASSWORD):
        return self.forms.post("/sign-in", {"email": email, "password": password})

    def sign_out(self):
        return self.forms.post("/sign-out", {}, page="/account")


@pytest.fixture
def auth(forms):
    return AuthActions(forms)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    old_base = app.config["BASE_URL"]
    app.config["BASE_URL"] = server.url
    yield server
    app.config["BASE_URL"] = old_base
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: run `make browser` (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": executable,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--disable-quic"]}


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1


@pytest.fixture
def count_queries(app):
    """count_queries(callable) -> (result, number of SQL statements it ran). A lazy load while
    it runs fails the test (tests/raiseload.py): a counted page says what it loads."""
    from sqlalchemy import event

    from tests.raiseload import raising_on_lazy_loads

    def run(action):
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            with raising_on_lazy_loads():
                result = action()
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return result, counter.count

    return run


@pytest.fixture
def world(app):
    from tests.factories import build_world

    with app.app_context():
        return build_world()


@pytest.fixture
def sign_in_as(app):
    """A fresh client signed in as the given email address."""

    def sign_in(email):
        client = app.test_client()
        response = Forms(client).post("/sign-in", {"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        client.forms = Forms(client)
        return client

    return sign_in
