"""`flask psp backup`: SQLite's online backup; PostgreSQL is pointed to pg_dump."""

import sqlite3
from contextlib import closing

from psp.extensions import db


def test_backup_copies_the_database_or_names_pg_dump(app, runner, world, tmp_path):
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["psp", "backup", str(target)])
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        assert result.exit_code == 0, result.output
        assert f"Backed up to {target}" in result.output
        with closing(sqlite3.connect(target)) as copy:
            emails = {row[0] for row in copy.execute("SELECT email FROM users")}
        assert "partner.member@example.org" in emails and "coordinator@example.org" in emails
        again = runner.invoke(args=["psp", "backup", str(target)])
        assert again.exit_code != 0 and "exists already" in again.output
    else:
        assert result.exit_code != 0
        assert "back it up with pg_dump" in result.output
        assert not target.exists()
