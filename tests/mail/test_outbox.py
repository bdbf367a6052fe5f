"""The outbox through a real SMTP server on loopback."""

import threading
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from psp import mail
from psp.extensions import db
from psp.mail import OutboxMessage
from psp.timeutil import utcnow
from tests.conftest import Inbox, free_port


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
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    try:
        message_id = queue_one(app)
        assert status_of(app, message_id) == ("pending", 0)
        result = runner.invoke(args=["psp", "send-mail"])
        assert result.exit_code == 0 and "Sent 1, failed 0." in result.output
        assert status_of(app, message_id) == ("sent", 1)
        assert len(smtp_server.to("someone@example.org")) == 1
        assert runner.invoke(args=["psp", "send-mail"]).output.strip() == "Sent 0, failed 0."
        assert len(smtp_server.to("someone@example.org")) == 1
    finally:
        app.config["MAIL_SEND_AFTER_REQUEST"] = True


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
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    try:
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
        assert len(smtp_server.messages) == 30
        assert sorted(m["To"] for m in smtp_server.messages) == sorted(
            f"crowd{n}@example.org" for n in range(30))
        with app.app_context():
            statuses = db.session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))).all()
        assert set(statuses) == {"sent"}
    finally:
        app.config["MAIL_SEND_AFTER_REQUEST"] = True


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
