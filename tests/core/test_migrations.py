"""The schema comes only from migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from psp.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_empty_and_upgrade_to_head(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"users", "user_sessions", "audit_entries", "outbox_messages"} <= tables


def test_programmes_from_before_cycles_get_cycle_one(app):
    """0003 gives a programme that already existed cycle 1 with Analyse open."""
    from sqlalchemy import text

    with app.app_context():
        downgrade(revision="0002")
        with db.engine.begin() as conn:
            for n, kind in ((1, "public-body"), (2, "third-sector-interface")):
                conn.execute(text(
                    "INSERT INTO organisations (id, slug, name, kind, description, status, created_at) "
                    "VALUES (:id, :slug, :name, :kind, '', 'verified', CURRENT_TIMESTAMP)"),
                    {"id": n, "slug": f"org-{n}", "name": f"Org {n}", "kind": kind})
            conn.execute(text(
                "INSERT INTO programmes (id, slug, title, summary, strategy, lead_body_id, "
                "lead_interface_id, created_at) "
                "VALUES (7, 'older', 'Older', '', '', 1, 2, CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as conn:
            stages = conn.execute(text(
                "SELECT s.kind, s.status, c.number FROM stages s JOIN cycles c ON c.id = s.cycle_id "
                "WHERE s.programme_id = 7 ORDER BY s.position")).all()
            moves = conn.execute(text("SELECT from_status, to_status FROM stage_transitions")).all()
    assert [tuple(row) for row in stages] == [("analyse", "open", 1), ("plan", "upcoming", 1),
                                              ("do", "upcoming", 1), ("review", "upcoming", 1)]
    assert [tuple(row) for row in moves] == [("upcoming", "open")]
