"""Migrations build the schema from an empty database, match the models, and run twice safely."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app import create_app
from measures.cli import upgrade_database
from models.db import get_engine
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.postgres  # migrations and backups differ per database


def test_migrations_build_every_table_from_empty(app):
    engine = get_engine(app)
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_agree(app):
    with get_engine(app).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
    assert diff == []


def test_init_db_is_safe_to_run_twice(app, runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "laatste migratie" in second.output


def test_init_db_creates_instance_folder_for_sqlite(tmp_path):
    if TEST_DATABASE_URL:
        return
    target = tmp_path / "nieuw" / "maatregelmonitor.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{target}"})
    upgrade_database(app)
    assert target.exists()
    assert "measure" in inspect(get_engine(app)).get_table_names()


def test_sqlite_online_backup(app, runner, tmp_path, create_measure):
    if TEST_DATABASE_URL:
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "b.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    create_measure()
    out = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    copy = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{out}"})
    assert "measure" in inspect(get_engine(copy)).get_table_names()
    with get_engine(copy).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM measure").scalar_one() == 1


def _migrate(app, revision: str, direction: str = "upgrade") -> None:
    from measures.cli import migrate

    migrate(app, revision, direction)


def test_stall_and_silence_migration_carries_open_flags_and_acknowledgements_over(app, create_measure):
    """Open flags from before 0008 keep their ids and acknowledgements; silence loses its level."""
    from sqlalchemy import text

    measure = create_measure("M")
    _migrate(app, "0007", "downgrade")
    try:
        with get_engine(app).begin() as conn:
            rows = [
                # (rule, rule_severity, severity, score): the old model escalated silence to hoog
                ("negatief_bewijs", 3, 3, 7),
                ("geen_update", 1, 3, 7),
                ("lang_lopend", 2, 3, 7),
                ("monitoringgat", 1, 3, 7),
            ]
            for rule, rule_severity, severity, score in rows:
                conn.execute(
                    text(
                        "INSERT INTO flag (measure_id, rule, rule_severity, severity, score, explanation, facts,"
                        " first_seen_on, last_seen_on) VALUES (:m, :rule, :rs, :s, :score, 'x', '{}',"
                        " '2020-01-01', '2020-06-01')"
                    ),
                    {"m": measure.id, "rule": rule, "rs": rule_severity, "s": severity, "score": score},
                )
            flag_id = conn.execute(text("SELECT id FROM flag WHERE rule = 'geen_update'")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO flag_acknowledgement (flag_id, note, acknowledged_by, acknowledged_at)"
                    " VALUES (:f, 'gezien', 'coördinator', '2020-02-01 10:00:00+00:00')"
                ),
                {"f": flag_id},
            )
    finally:
        _migrate(app, "head")
    with get_engine(app).connect() as conn:
        flags = {
            row.rule: row
            for row in conn.execute(
                text("SELECT id, rule, kind, rule_severity, severity, score, evidence_on FROM flag")
            ).all()
        }
        ack = conn.execute(text("SELECT flag_id, note FROM flag_acknowledgement")).one()
    assert flags["negatief_bewijs"].kind == "stall" and flags["negatief_bewijs"].rule_severity == 3
    assert {flags[r].kind for r in ("geen_update", "lang_lopend", "monitoringgat")} == {"silence"}
    assert all(flags[r].rule_severity == 0 for r in ("geen_update", "lang_lopend", "monitoringgat"))
    # The measure's level and score now come from its stall flag alone, on every open flag.
    assert {(f.severity, f.score) for f in flags.values()} == {(3, 3)}
    assert str(flags["negatief_bewijs"].evidence_on) == "2020-01-01"
    assert ack.flag_id == flags["geen_update"].id and ack.note == "gezien"


def test_the_projection_migration_builds_it_from_the_existing_histories(app, session, create_measure):
    """Migrations 0015 and 0016 derive measure_state, with the checks' stall levels, for a database
    that has histories but no projection."""
    from sqlalchemy import text
    from sqlmodel import Session

    from measures.register import states

    create_measure("M-1", status="in_uitvoering", deadline=date(2021, 1, 1))
    create_measure("M-2", status="gepland", status_on=date(2019, 3, 1), announced_on=date(2019, 1, 1))
    session.close()
    _migrate(app, "0014", "downgrade")
    assert "measure_state" not in inspect(get_engine(app)).get_table_names()
    _migrate(app, "head")
    with Session(get_engine(app)) as fresh:
        expected = sorted(
            (r["measure_id"], str(r["valid_from"]), r["status_code"], str(r["deadline"]), r["stall_level"])
            for r in states.derive(fresh)
        )
    with get_engine(app).connect() as conn:
        stored = sorted(
            (r.measure_id, str(r.valid_from), r.status_code, str(r.deadline), r.stall_level)
            for r in conn.execute(
                text("SELECT measure_id, valid_from, status_code, deadline, stall_level FROM measure_state")
            )
        )
    assert stored == expected and len(stored) >= 3
    # M-1's deadline passed on 2021-01-01: from the next day the checks find it late.
    assert ("2021-01-02", 1) in {(valid_from, level) for _m, valid_from, _s, _d, level in stored}
