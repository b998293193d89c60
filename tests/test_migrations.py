"""Migrations build the schema from an empty database, match the models, and run twice safely."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app import create_app
from measures.cli import upgrade_database
from models.db import get_engine
from tests.conftest import TEST_DATABASE_URL


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
