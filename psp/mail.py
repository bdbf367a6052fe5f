"""Email outbox.

A message is written to the outbox in the same transaction as the change that
causes it, so an email is never sent for something that was rolled back and
never lost for something that was committed. A request never talks to an SMTP
server: `flask psp worker` delivers the outbox as messages arrive (woken by
PostgreSQL's NOTIFY, or polling), over one connection per batch; `flask psp
send-mail` delivers what is due once. With no SMTP server configured (development)
the end of the request writes its messages as .eml files at once.
"""

import logging
import os
import smtplib
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any, cast

from flask import current_app, g, render_template
from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text, or_, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, mapped_column

from psp.extensions import Model, db
from psp.timeutil import utcnow

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CHANNEL = "psp_outbox"  # PostgreSQL NOTIFY channel the worker listens on
# A claim older than this belongs to a sender that died mid-send.
STALE_CLAIM = timedelta(minutes=15)


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        CheckConstraint(f"status IN ('{PENDING}', '{SENDING}', '{SENT}', '{FAILED}')",
                        name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))  # e.g. "text/calendar"
    attachment: Mapped[str | None] = mapped_column(Text)


def queue(recipient: str, subject: str, template: str, attachment: tuple[str, str, str] | None = None,
          **context: Any) -> OutboxMessage:
    """Write a message to the outbox; the caller's service commits.

    attachment: (file name, MIME type, text), such as a calendar file.
    """
    body = render_template(template, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    db.session.add(message)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {CHANNEL}"))  # delivered to the worker at commit, not before
    g.setdefault("queued_mail", []).append(message.id)
    return message


def send_queued_after_request() -> None:
    """In development (no SMTP server), write what this request queued as .eml files once its
    transaction has committed. With SMTP configured the worker delivers it: never the request."""
    ids = g.pop("queued_mail", None)
    if ids and not current_app.config["MAIL_SERVER"]:
        try:
            send_pending(only_ids=ids)
        except Exception:  # the worker or `flask psp send-mail` tries again
            log.exception("writing mail after request failed")
            db.session.rollback()


def send_pending(limit: int = 100, only_ids: Sequence[int] | None = None,
                 now: datetime | None = None) -> tuple[int, int]:
    """Deliver due messages; returns (sent, failed). Safe in several processes at once."""
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only_ids is not None:
        query = query.where(OutboxMessage.id.in_(only_ids))
    ids = db.session.scalars(query).all()
    db.session.commit()
    sent = failed = 0
    with _Connection() as connection:
        for message_id in ids:
            message = _claim(message_id, now)
            if message is None:
                continue  # another sender took it
            try:
                connection.deliver(message)
            except (OSError, smtplib.SMTPException) as error:
                connection.close()  # start afresh for the next message
                _record_failure(message, error)
                failed += 1
            else:
                message.status, message.sent_at = SENT, utcnow()
                message.last_error = None
                db.session.commit()
                sent += 1
    return sent, failed


def work(poll_seconds: float = 5.0, batch: int = 100,
         keep_going: Callable[[], bool] = lambda: True) -> int:
    """Deliver the outbox until told to stop: after each batch, wait for a NOTIFY from a
    committed queue() on PostgreSQL, or poll. Returns how many messages were sent."""
    total = 0
    with _Waker(poll_seconds) as waker:
        while keep_going():
            sent, failed = send_pending(limit=batch)
            total += sent
            if sent + failed < batch:  # a full batch means more may be due: go round at once
                waker.wait()
    return total


class _Waker:
    """Sleep until woken by PostgreSQL's NOTIFY on the outbox channel, or for the poll interval."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.listener: psycopg.Connection[Any] | None = None

    def __enter__(self) -> "_Waker":
        url = db.engine.url
        if url.get_backend_name() == "postgresql":
            import psycopg

            self.listener = psycopg.connect(url.set(drivername="postgresql").render_as_string(
                hide_password=False), autocommit=True)
            self.listener.execute(f"LISTEN {CHANNEL}")
        return self

    def wait(self) -> bool:
        """True when a notification woke it before the poll interval ran out."""
        if self.listener is None:
            time.sleep(self.poll_seconds)
            return False
        woken = any(True for _ in self.listener.notifies(timeout=self.poll_seconds, stop_after=1))
        for _ in self.listener.notifies(timeout=0):  # several commits wake it once
            pass
        return woken

    def __exit__(self, *exc: object) -> None:
        if self.listener is not None:
            self.listener.close()


class _Connection:
    """One SMTP connection for a batch, opened when the first message needs it."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "_Connection":
        return self

    def deliver(self, message: OutboxMessage) -> None:
        config = current_app.config
        email = build_email(message)
        if not config["MAIL_SERVER"]:
            _write_file(email, message.id)
            return
        if self.smtp is None:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
            try:
                if config["MAIL_USE_TLS"]:
                    smtp.starttls()
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            except (OSError, smtplib.SMTPException):
                smtp.close()
                raise
            self.smtp = smtp
        self.smtp.send_message(email)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc: object) -> None:
        self.close()


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Take one message with a conditional UPDATE; only one sender's row count is 1."""
    token = str(uuid.uuid4())
    result = cast(CursorResult[Any], db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(
            or_(
                (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .values(status=SENDING, claimed_by=token, claimed_at=utcnow(),
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= max_attempts:
        message.status = FAILED
    else:
        message.status = PENDING
        # Back off 1, 2, 4 ... minutes, at most an hour.
        delay = min(2 ** (message.attempts - 1), 60)
        message.next_attempt_at = utcnow() + timedelta(minutes=delay)
    db.session.commit()
    log.warning("mail %s to outbox id %s failed: %s", message.attempts, message.id,
                message.last_error)


def build_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    if message.attachment is not None:
        maintype, subtype = (message.attachment_type or "text/plain").split("/", 1)
        params = {"method": "PUBLISH"} if subtype == "calendar" else {}
        email.add_attachment(message.attachment, subtype=subtype, filename=message.attachment_name,
                             params=params)
    return email


def _write_file(email: EmailMessage, message_id: int) -> None:
    folder = current_app.config["MAIL_FILE_DIR"]
    os.makedirs(folder, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    with open(os.path.join(folder, f"{stamp}-{message_id}.eml"), "wb") as handle:
        handle.write(email.as_bytes())
