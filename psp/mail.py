"""Email outbox.

A message is written to the outbox in the same transaction as the change that
causes it, so an email is never sent for something that was rolled back and
never lost for something that was committed. `flask psp send-mail` (and, by
default, the end of the request that queued it) delivers pending messages.
"""

import logging
import os
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, render_template
from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from psp.extensions import db
from psp.timeutil import utcnow

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A claim older than this belongs to a sender that died mid-send.
STALE_CLAIM = timedelta(minutes=15)


class OutboxMessage(db.Model):
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


def queue(recipient, subject, template, attachment=None, **context):
    """Write a message to the outbox; the caller's service commits.

    attachment: (file name, MIME type, text), such as a calendar file.
    """
    body = render_template(template, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    db.session.add(message)
    db.session.flush()
    g.setdefault("queued_mail", []).append(message.id)
    return message


def send_queued_after_request():
    """Deliver what this request queued, once its transaction has committed."""
    ids = g.pop("queued_mail", None)
    if ids and current_app.config["MAIL_SEND_AFTER_REQUEST"]:
        try:
            send_pending(only_ids=ids)
        except Exception:  # delivery is retried by `flask psp send-mail`
            log.exception("sending mail after request failed")
            db.session.rollback()


def send_pending(limit=100, only_ids=None, now=None):
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
    for message_id in ids:
        message = _claim(message_id, now)
        if message is None:
            continue  # another sender took it
        try:
            _deliver(message)
        except (OSError, smtplib.SMTPException) as error:
            _record_failure(message, error)
            failed += 1
        else:
            message.status, message.sent_at = SENT, utcnow()
            message.last_error = None
            db.session.commit()
            sent += 1
    return sent, failed


def _claim(message_id, now):
    """Take one message with a conditional UPDATE; only one sender's row count is 1."""
    token = str(uuid.uuid4())
    result = db.session.execute(
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
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _record_failure(message, error):
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


def build_email(message):
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


def _deliver(message):
    config = current_app.config
    email = build_email(message)
    if not config["MAIL_SERVER"]:
        os.makedirs(config["MAIL_FILE_DIR"], exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        path = os.path.join(config["MAIL_FILE_DIR"], f"{stamp}-{message.id}.eml")
        with open(path, "wb") as handle:
            handle.write(email.as_bytes())
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
