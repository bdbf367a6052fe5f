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


def test_actions_move_from_their_stage_to_their_cycle(app):
    """0009 gives each existing action its cycle and keeps the stage it was on as where it was
    planned; the views linked to it stay linked (on SQLite the table is rebuilt, and a cascade
    from dropping the old table would have taken the links with it)."""
    from sqlalchemy import text

    with app.app_context():
        downgrade(revision="0008")
        statements = [
            "INSERT INTO organisations (id, slug, name, kind, description, status, created_at) VALUES "
            "(1, 'nhs', 'NHS', 'public-body', '', 'verified', CURRENT_TIMESTAMP), "
            "(2, 'tsi', 'TSI', 'third-sector-interface', '', 'verified', CURRENT_TIMESTAMP)",
            "INSERT INTO programmes (id, slug, title, summary, strategy, lead_body_id, lead_interface_id, "
            "created_at) VALUES (7, 'older', 'Older', '', '', 1, 2, CURRENT_TIMESTAMP)",
            "INSERT INTO cycles (id, programme_id, number, need, opened_at) VALUES "
            "(30, 7, 1, '', CURRENT_TIMESTAMP), (31, 7, 2, '', CURRENT_TIMESTAMP)",
            "INSERT INTO stages (id, programme_id, cycle_id, kind, position, status, summary, reframed_need, "
            "version) VALUES (40, 7, 30, 'plan', 2, 'signed_off', '', '', 1), "
            "(41, 7, 31, 'analyse', 1, 'open', '', '', 1)",
            "INSERT INTO actions (id, stage_id, organisation_id, title, due_on, status, blocked_reason, "
            "created_at, updated_at) VALUES "
            "(50, 40, 2, 'Planned in cycle 1', '2027-01-01', 'in_progress', '', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP), (51, 41, 2, 'On Analyse of cycle 2', '2027-02-01', 'planned', '', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            "INSERT INTO contributions (id, programme_id, stage_id, organisation_id, title, body, audience, "
            "status, created_at, updated_at, version) VALUES (60, 7, 40, 2, 'A view', 'Text', 'partners', "
            "'taken_forward', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
            "INSERT INTO contribution_actions (contribution_id, action_id) VALUES (60, 50), (60, 51)",
        ]
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            actions = conn.execute(text("SELECT id, cycle_id, planned_in_id, status, result FROM actions "
                                        "ORDER BY id")).all()
            links = conn.execute(text("SELECT contribution_id, action_id FROM contribution_actions "
                                      "ORDER BY action_id")).all()
        downgrade(revision="0008")  # and back again, keeping the rows
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT id, stage_id FROM actions ORDER BY id")).all()
            links_back = conn.execute(text("SELECT COUNT(*) FROM contribution_actions")).scalar()
        upgrade()
    assert [tuple(row) for row in actions] == [(50, 30, 40, "in_progress", ""), (51, 31, 41, "planned", "")]
    assert [tuple(row) for row in links] == [(60, 50), (60, 51)]
    assert [tuple(row) for row in back] == [(50, 40), (51, 41)] and links_back == 2
