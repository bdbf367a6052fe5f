"""The outbox through a real SMTP server on loopback."""

import threading
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from psp import mail
from psp.extensions import db
from psp.mail import OutboxMessage
from psp.timeutil import utcnow
from tests.conftest import Inbox, free_port, wait_for


def queue_one(app, recipient="someone@example.org"):
    with app.test_request_context():
        message = mail.queue(recipient, "Hello", "mail/password_changed.txt",
                             user=type("U", (), {"name": "Someone"})(), reset_url="http://x/")
        db.session.commit()
        return message.id


def status_of(app, message_id):
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return message.status, message.attempts


def test_send_mail_command_delivers_pending_messages(app, runner, smtp_server):
    message_id = queue_one(app)
    assert status_of(app, message_id) == ("pending", 0)
    result = runner.invoke(args=["psp", "send-mail"])
    assert result.exit_code == 0 and "Sent 1, failed 0." in result.output
    assert status_of(app, message_id) == ("sent", 1)
    assert len(smtp_server.to("someone@example.org")) == 1
    assert runner.invoke(args=["psp", "send-mail"]).output.strip() == "Sent 0, failed 0."
    assert len(smtp_server.to("someone@example.org")) == 1


def test_stopped_server_leaves_mail_pending_and_a_later_run_delivers_once(app):
    inbox = Inbox()
    port = free_port()
    old_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = port
    try:
        message_id = queue_one(app, "waiting@example.org")
        with app.app_context():
            assert mail.send_pending() == (0, 1)  # no server: delivery fails
        assert status_of(app, message_id) == ("pending", 1)
        with app.app_context():
            assert mail.send_pending() == (0, 0)  # backing off: not due yet
            message = db.session.get(OutboxMessage, message_id)
            assert message.next_attempt_at > utcnow()
            assert "ConnectionRefused" in message.last_error
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            later = utcnow() + timedelta(hours=2)
            with app.app_context():
                assert mail.send_pending(now=later) == (1, 0)
                assert mail.send_pending(now=later) == (0, 0)
        finally:
            controller.stop()
        assert len(inbox.to("waiting@example.org")) == 1
        assert status_of(app, message_id) == ("sent", 2)
    finally:
        app.config["MAIL_PORT"] = old_port


def test_gives_up_after_the_last_attempt(app):
    old = app.config["MAIL_PORT"], app.config["MAIL_MAX_ATTEMPTS"]
    app.config["MAIL_PORT"], app.config["MAIL_MAX_ATTEMPTS"] = free_port(), 2
    try:
        message_id = queue_one(app)
        with app.app_context():
            assert mail.send_pending() == (0, 1)
            assert mail.send_pending(now=utcnow() + timedelta(hours=2)) == (0, 1)
        assert status_of(app, message_id) == ("failed", 2)
    finally:
        app.config["MAIL_PORT"], app.config["MAIL_MAX_ATTEMPTS"] = old


def test_concurrent_senders_send_each_message_once(app, smtp_server):
    ids = [queue_one(app, f"crowd{n}@example.org") for n in range(30)]
    results = []

    def sender():
        with app.app_context():
            results.append(mail.send_pending())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent for sent, _ in results) == 30
    assert len(smtp_server.all()) == 30
    assert sorted(m["To"] for m in smtp_server.all()) == sorted(
        f"crowd{n}@example.org" for n in range(30))
    with app.app_context():
        statuses = db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))).all()
    assert set(statuses) == {"sent"}


def test_rolled_back_change_sends_nothing(app, smtp_server):
    with app.test_request_context():
        mail.queue("never@example.org", "Hello", "mail/password_changed.txt",
                   user=type("U", (), {"name": "X"})(), reset_url="http://x/")
        db.session.rollback()
        mail.send_queued_after_request()
        assert db.session.scalars(select(OutboxMessage)).all() == []
    assert smtp_server.to("never@example.org") == []


def test_without_smtp_messages_are_written_as_eml_files(app, tmp_path):
    old = app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"]
    app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"] = "", str(tmp_path)
    try:
        message_id = queue_one(app, "file@example.org")
        with app.app_context():
            assert mail.send_pending() == (1, 0)
        files = list(tmp_path.glob("*.eml"))
        assert len(files) == 1
        assert "To: file@example.org" in files[0].read_text()
        assert status_of(app, message_id)[0] == "sent"
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"] = old


def test_a_request_queues_mail_and_never_talks_to_the_smtp_server(app, client, forms, smtp_server):
    response = forms.post("/register", {"name": "New Person", "email": "new.person@example.org",
                                        "password": "a long enough passphrase here",
                                        })
    assert response.status_code == 302
    assert smtp_server.received == [] and smtp_server.connections == 0
    with app.app_context():
        pending = db.session.scalars(select(OutboxMessage.status).where(
            OutboxMessage.recipient == "new.person@example.org")).all()
    assert pending == ["pending"]
    assert len(smtp_server.to("new.person@example.org")) == 1  # the worker's step delivers it


def test_a_batch_goes_over_one_smtp_connection(app, smtp_server):
    for n in range(60):
        queue_one(app, f"booked{n}@example.org")
    with app.app_context():
        assert mail.send_pending() == (60, 0)
    assert smtp_server.connections == 1 and len(smtp_server.received) == 60


def test_workers_deliver_as_messages_arrive_and_never_twice(app, smtp_server):
    """Two workers run; messages committed while they wait are each delivered once."""
    stop = threading.Event()
    totals = []

    def run():
        with app.app_context():
            totals.append(mail.work(poll_seconds=0.2, keep_going=lambda: not stop.is_set()))
            db.session.remove()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        for n in range(10):
            queue_one(app, f"arriving{n}@example.org")
        assert wait_for(lambda: len(smtp_server.received) >= 10, timeout=30)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert sum(totals) == 10
    assert sorted(m["To"] for m in smtp_server.received) == sorted(
        f"arriving{n}@example.org" for n in range(10))


def test_on_postgresql_a_commit_wakes_the_worker(app):
    """NOTIFY is sent with the commit that queues the message, so a waiting worker wakes at once;
    SQLite has no NOTIFY, so there the worker polls."""
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        with mail._Waker(poll_seconds=60 if postgresql else 0.1) as waker:
            timer = threading.Timer(0.3, queue_one, args=(app,))
            timer.start()
            woken = waker.wait()
            timer.join()
    assert woken is postgresql


def test_without_smtp_the_request_writes_its_mail_at_once(app, forms, tmp_path):
    old = app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"]
    app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"] = "", str(tmp_path)
    try:
        forms.post("/register", {"name": "File Person", "email": "file.person@example.org",
                                 "password": "a long enough passphrase here",
                                 })
        files = list(tmp_path.glob("*.eml"))
        assert len(files) == 1 and "To: file.person@example.org" in files[0].read_text()
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_FILE_DIR"] = old
