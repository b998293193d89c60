"""The factory: configuration, no I/O at creation, and the CLI entry points."""

import pytest

from app import create_app


def test_config_defaults_to_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MM_ENV_NAME", "development")
    app = create_app()
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/maatregelmonitor.db")
    assert not app.testing


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("MM_ENV_NAME", "development")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/x")
    assert create_app().config["DATABASE_URL"] == "postgresql+psycopg://u@localhost/x"


def test_test_config_overrides():
    assert create_app({"TESTING": True}).testing


def test_factory_opens_no_database(tmp_path):
    # The factory must not touch the database: a URL to a folder that does not exist still works.
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db", "TESTING": True})
    assert "maatregelmonitor.engine" not in app.extensions
    assert not (tmp_path / "missing").exists()


def test_commands_registered():
    app = create_app({"TESTING": True})
    for name in ("init-db", "seed", "export"):
        assert name in app.cli.commands


def test_outside_development_the_secret_key_is_required(monkeypatch):
    monkeypatch.delenv("MM_ENV_NAME", raising=False)
    monkeypatch.delenv("MM_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="MM_SECRET_KEY ontbreekt"):
        create_app()
    monkeypatch.setenv("MM_SECRET_KEY", "a-long-random-production-key")
    assert create_app().config["SECRET_KEY"] == "a-long-random-production-key"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers
    assert "max-age=" in client.get("/login", base_url="https://mm.example.nl").headers["Strict-Transport-Security"]
