"""Sixteen people signing in at once to gunicorn with four workers on one SQLite file: every
sign-in and the page after it answer, none with "database is locked" (a 503)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import insert

from psp import create_app
from psp.auth.models import User
from psp.extensions import db
from tests.conftest import csrf_from, free_port
from tests.factories import PASSWORD
from tests.httpclient import HttpClient

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 16
WORKERS = 4


def _database(tmp_path):
    """A migrated SQLite file with sixteen confirmed accounts, built by the app itself."""
    from flask_migrate import upgrade

    from psp.auth.passwords import hash_password
    from psp.timeutil import utcnow

    url = f"sqlite:///{tmp_path / 'psp.sqlite3'}"
    app = create_app({"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_URL": f"file://{tmp_path / 'files'}", "MAIL_FILE_DIR": str(tmp_path / "mail")})
    with app.app_context():
        upgrade()
        password = hash_password(PASSWORD)
        db.session.execute(insert(User), [
            {"email": f"person{n}@example.org", "name": f"Person {n}", "password_hash": password,
             "email_confirmed_at": utcnow(), "session_version": 0} for n in range(PEOPLE)])
        db.session.commit()
        db.engine.dispose()
    return url


def test_sixteen_sign_ins_at_once_on_sqlite_with_four_workers(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": _database(tmp_path), "SECRET_KEY": "s" * 40,
           "MAIL_FILE_DIR": str(tmp_path / "mail"), "STORAGE_URL": f"file://{tmp_path / 'files'}",
           "PSP_ENV": "development"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", str(WORKERS),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "psp:create_app()"],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if HttpClient(base).request("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        results = [None] * PEOPLE
        clients = [HttpClient(base) for _ in range(PEOPLE)]
        forms = [clients[n].request("/sign-in")[1] for n in range(PEOPLE)]
        start = threading.Barrier(PEOPLE)

        def sign_in(n):
            start.wait()
            form = {"email": f"person{n}@example.org", "password": PASSWORD,
                    "csrf_token": csrf_from(forms[n])}
            posted, _ = clients[n].request("/sign-in", form)
            after, _ = clients[n].request("/account")
            results[n] = (posted, after)

        threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(PEOPLE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert results == [(302, 200)] * PEOPLE, results
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
