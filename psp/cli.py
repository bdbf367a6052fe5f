"""`flask psp ...` commands for operators and cron."""

from pathlib import Path

import click
from flask.cli import AppGroup
from wtforms.validators import ValidationError

from psp import mail

psp_cli = AppGroup("psp", help="PSP Co-design operations.")


@psp_cli.command("create-admin")
@click.argument("email")
@click.option("--name", prompt="Full name")
@click.password_option("--password", prompt="Password (12 characters or more)")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site admin, or make an existing account one."""
    from psp.auth import services
    from psp.auth.forms import NewPassword

    class _Field:
        data = password

    try:
        NewPassword()(None, _Field)
    except ValidationError as error:
        raise click.BadParameter(str(error), param_hint="password") from None
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("Enter a valid email address", param_hint="email")
    user = services.create_admin(email.strip().lower(), name.strip(), password)
    click.echo(f"{user.email} is a site admin.")


@psp_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo data (only into an empty demo database; safe to run twice)."""
    from flask import current_app

    from psp.demo import refusal, seed

    refused = refusal(current_app.config["PSP_ENV"] == "production")
    if refused:
        raise click.ClickException(refused)
    created = seed()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")


@psp_cli.command("demo-accounts")
def demo_accounts() -> None:
    """Print the demo sign-ins."""
    from psp.demo import ACCOUNTS, PASSWORD, SECRETS

    click.echo(f"Demo accounts (password for all: {PASSWORD})")
    for email, name, role in ACCOUNTS:
        click.echo(f"  {email:<40} {name:<22} {role}")
    click.echo("Site admin, coordinator and NHS lead sign in with a code from an authenticator app "
               "holding the secret below, or from `flask --app psp psp demo-code EMAIL`:")
    for email, secret in SECRETS.items():
        click.echo(f"  {email:<40} password {PASSWORD}  secret {secret}")


@psp_cli.command("demo-code")
@click.argument("email")
def demo_code(email: str) -> None:
    """Print the current sign-in code of a demo account (refused outside the demo database)."""
    import pyotp
    from flask import current_app

    from psp.auth import twofactor
    from psp.auth.services import find_by_email
    from psp.demo import SECRETS, refusal

    refused = refusal(current_app.config["PSP_ENV"] == "production")
    if refused:
        raise click.ClickException(refused.replace("The demo data is not loaded", "No demo codes"))
    email = email.strip().lower()
    user = find_by_email(email) if email in SECRETS else None
    row = twofactor.factor(user) if user is not None else None
    if row is None or row.confirmed_at is None or row.secret != SECRETS[email]:
        raise click.ClickException(f"{email} is not a demo account with an authenticator app "
                                   f"(those are {', '.join(SECRETS)}).")
    click.echo(pyotp.TOTP(row.secret).now())


@psp_cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Most messages to try this run.")
def send_mail(limit: int) -> None:
    """Deliver pending emails from the outbox; safe to run from cron in several places."""
    sent, failed = mail.send_pending(limit=limit)
    click.echo(f"Sent {sent}, failed {failed}.")


@psp_cli.command("worker")
@click.option("--poll", default=5.0, show_default=True,
              help="Seconds between looks at the outbox when nothing wakes the worker.")
def worker(poll: float) -> None:
    """Deliver the outbox as messages arrive: woken by PostgreSQL's NOTIFY, otherwise polling.
    Run one or more under a process supervisor; two never send the same message."""
    import signal

    running = {"yes": True}

    def stop(*_: object) -> None:
        running["yes"] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Delivering the outbox (polling every {poll:g} s); stop with Ctrl+C or SIGTERM.")
    sent = mail.work(poll_seconds=poll, keep_going=lambda: running["yes"])
    click.echo(f"Stopped after sending {sent}.")


@psp_cli.command("send-reminders")
def send_reminders() -> None:
    """Email everyone booked on a meeting in the next 48 hours, once each; safe to run every few minutes."""
    from psp.meetings.services import send_reminders as remind

    queued = remind()
    sent, failed = mail.send_pending()
    click.echo(f"Reminders queued {queued}; emails sent {sent}, failed {failed}.")


@psp_cli.command("interest-reminders")
def interest_reminders() -> None:
    """Remind everyone whose declarations of interest are over 11 months old to confirm them, once per
    period; safe to run daily, and two runs at once never both send."""
    from psp.interests.services import send_reminders as remind

    reminded = remind()
    sent, failed = mail.send_pending()
    click.echo(f"Interest reminders {reminded}; emails sent {sent}, failed {failed}.")


@psp_cli.command("send-digests")
@click.option("--limit", default=1000, show_default=True, help="Most people to send a digest to this run.")
def send_digests(limit: int) -> None:
    """Email each person who chose a daily digest what is new; run once a day from cron."""
    from psp.notifications.services import send_digests as digests

    queued = digests(limit=limit)
    sent, failed = mail.send_pending()
    click.echo(f"Digests queued {queued}; emails sent {sent}, failed {failed}.")


@psp_cli.command("forget-contacts")
def forget_contacts() -> None:
    """Delete email addresses given with recorded views answered over 30 days ago, and spreadsheets
    previewed but never imported within a day; run daily from cron."""
    from psp.contributions.recorded import forget_contacts as forget

    click.echo(f"Email addresses deleted: {forget()}.")


@psp_cli.command("prune-files")
def prune_files() -> None:
    """Delete stored files no document names any more (left by a deleted meeting, stage, update or
    view, or by an interrupted delete); files under an hour old are left for their upload. Run daily."""
    from psp.documents.services import prune_files as prune

    click.echo(f"Files deleted: {prune()}.")


@psp_cli.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, writable=True))
def backup(target: str | Path | None) -> None:
    """Copy a SQLite database while the app runs (SQLite's online backup). PostgreSQL: use pg_dump."""
    import sqlite3
    from contextlib import closing
    from datetime import UTC, datetime

    from flask import current_app

    from psp.extensions import db

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("This database is not SQLite: back it up with pg_dump "
                                   "(see README, Production).")
    source = db.engine.url.database
    if not source or source == ":memory:":
        raise click.ClickException("An in-memory database has nothing to back up.")
    if target is None:
        folder = Path(current_app.instance_path) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"psp-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
    target = Path(target)
    if target.exists():
        raise click.ClickException(f"{target} exists already: choose another file.")
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)   # a consistent copy even while requests write
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"The copy in {target} failed its integrity check.")
    click.echo(f"Backed up to {target}")
