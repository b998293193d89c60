"""The factory: configuration, no I/O at creation, and the CLI entry points."""

from app import create_app


def test_config_defaults_to_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/maatregelmonitor.db")
    assert not app.testing


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/x")
    assert create_app().config["DATABASE_URL"] == "postgresql+psycopg://u@localhost/x"


def test_test_config_overrides():
    assert create_app({"TESTING": True}).testing


def test_factory_opens_no_database(tmp_path):
    # The factory must not touch the database: a URL to a folder that does not exist still works.
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    assert "maatregelmonitor.engine" not in app.extensions
    assert not (tmp_path / "missing").exists()


def test_commands_registered():
    app = create_app({"TESTING": True})
    for name in ("init-db", "seed", "export"):
        assert name in app.cli.commands
