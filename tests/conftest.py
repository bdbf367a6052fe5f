"""Test harness: a real database per run (SQLite, and PostgreSQL when
PSP_TEST_DATABASE_URL is set), a real SMTP server on loopback, and a live
server for the browser tests.

Two ways to keep tests apart. By default every test commits for real and `_clean`
empties every table afterwards: slow but simple, and what tests need whose work
crosses threads or processes (live server, concurrency, migrations, mail workers).
A module whose tests share one starting world uses `module_world` instead: the
world is built once in a transaction held open for the module, and each test runs
in a SAVEPOINT that is rolled back (SQLAlchemy's "joining a session into an
external transaction" recipe), so the app's commits only release savepoints.

Under pytest-xdist each worker has its own SQLite file and its own PostgreSQL
database (`<name>_gw0`, ...), SMTP port and live server.
"""

import os
import re
import secrets
import shutil
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server

from psp import create_app
from psp.auth.models import User
from psp.auth.passwords import hash_password
from psp.extensions import db, limiter
from psp.timeutil import utcnow
from tests.factories import APP, code_for, give_factor

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
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        return
    url = make_url(os.environ["PSP_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        _empty_schema(url)
        yield url.render_as_string(hide_password=False)
        return
    # One database per xdist worker, made afresh beside the configured one and dropped after.
    own = url.set(database=f"{url.database}_{worker}")
    _server_command(url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)',
                    f'CREATE DATABASE "{own.database}"')
    yield own.render_as_string(hide_password=False)
    _server_command(url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')


def _empty_schema(url):
    """Start from an empty database."""
    _server_command(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")


def _server_command(url, *statements):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


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
        # Uploaded files go to a folder of the test run, never the instance folder.
        "STORAGE_URL": "file://" + str(tmp_path_factory.mktemp("files")),
        # Argon2id still, with cheap parameters so the suite stays quick.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
    })
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    APP["app"] = app

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
    """Each test starts with empty tables (or its module's world), an empty inbox and fresh
    rate limits."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        if "savepoint" not in request.fixturenames:
            assert _JOINED.get("connection") is None, "a test in a module_world module needs savepoint"
            db.session.remove()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        limiter.reset()
    smtp_server.clear()


class _JoinedSession(Session):
    """Flask-SQLAlchemy's session picks an engine for each query; in a module transaction every
    session must use the module's one connection instead."""

    def get_bind(self, *args, **kwargs):
        return self.bind


_JOINED = {}


@pytest.fixture(scope="module")
def _module_transaction(app):
    """One connection and one open transaction for the module; db.session joins it, so each
    commit the app makes is the release of a savepoint and nothing reaches the database."""
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    usual = db.session
    factory = sessionmaker(**{**usual.session_factory.kw, "class_": _JoinedSession, "bind": connection,
                              "join_transaction_mode": "create_savepoint"})
    db.session = scoped_session(factory, scopefunc=usual.registry.scopefunc)
    _JOINED["connection"] = connection
    yield connection
    _JOINED.clear()
    db.session = usual
    outer.rollback()
    connection.close()


@pytest.fixture(scope="module")
def shared_world(app, _module_transaction):
    """The world of tests/factories, built once per module in the module's transaction. Tests
    take it through module_world; a module-scoped fixture may add to it (committed for the
    whole module) before the tests run."""
    from tests.factories import build_world

    with app.app_context():
        return build_world()


@pytest.fixture
def savepoint(_module_transaction):
    """Run the test inside a SAVEPOINT of the module transaction and roll it back afterwards."""
    nested = _module_transaction.begin_nested()
    yield
    nested.rollback()


@pytest.fixture
def module_world(shared_world, savepoint):
    """The shared world; whatever the test changes is undone after it."""
    return shared_world


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


def second_step(client, response, email):
    """After the password: a person with an authenticator app is sent to /sign-in/code; enter the
    app's current code there (tests.factories.code_for) and return that answer instead."""
    if response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code"):
        return Forms(client).post("/sign-in/code", {"code": code_for(email)})
    return response


@pytest.fixture
def forms(client):
    return Forms(client)


@pytest.fixture
def make_user(app):
    def make(email=None, name="Test Person", password=PASSWORD, confirmed=True, factor=None, **fields):
        """factor: give the account an authenticator app (tests.factories.secret_for); by default
        a site admin gets one, as the service requires."""
        make.count += 1
        with app.app_context():
            user = User(email=email or f"person{make.count}@example.org", name=name,
                        password_hash=hash_password(password),
                        email_confirmed_at=utcnow() if confirmed else None, **fields)
            db.session.add(user)
            if factor or (factor is None and fields.get("is_site_admin")):
                db.session.flush()
                give_factor(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    make.count = 0
    return make


class AuthActions:
    def __init__(self, forms):
        self.forms = forms

    def sign_in(self, email, password=PASSWORD, code=True):
        """code=False stops after the password (a person with a second factor is then half-way)."""
        response = self.forms.post("/sign-in", {"email": email, "password": password})
        return second_step(self.forms.client, response, email) if code else response

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
        response = second_step(client, Forms(client).post("/sign-in", {"email": email, "password": PASSWORD}),
                               email)
        assert response.status_code == 302, response.status_code
        client.forms = Forms(client)
        return client

    return sign_in


S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                  "region_name": "eu-west-2"}


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-speaking server (moto) on 127.0.0.1 for the session; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    server._server.server_close()  # stop() leaves the listening socket open (ResourceWarning)


@pytest.fixture
def s3_client(s3_server):
    """A boto3 client for the test server, with dummy credentials, closed after the test."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, **S3_CREDENTIALS)
    yield client
    client.close()


@pytest.fixture
def s3_bucket(s3_client):
    """A new, empty bucket for each test, so tests never see each other's objects."""
    name = f"test-{secrets.token_hex(6)}"
    s3_client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name


@pytest.fixture
def s3_storage(s3_client, s3_bucket):
    """An S3Storage on the test server, in its own bucket, under the prefix "uploads/"."""
    from psp.storage import S3Storage

    return S3Storage(s3_bucket, "uploads/", s3_client)


@pytest.fixture
def s3_app(app, s3_storage):
    """The app with its files in S3 (the test server) for one test, then back in its folder."""
    from psp.storage import EXTENSION

    usual = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = s3_storage
    yield app
    app.extensions[EXTENSION] = usual
