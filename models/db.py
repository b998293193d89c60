"""The engine and one session per request, closed at teardown."""

from contextlib import contextmanager, suppress

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

ENGINE_KEY = "maatregelmonitor.engine"


def build_engine(url: str) -> Engine:
    """Create an engine for any SQLAlchemy URL, with the settings that URL's backend needs."""
    parsed = make_url(url)
    kwargs: dict = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Enforce foreign keys and let readers work while a writer commits.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine, created lazily on first use (the factory does no I/O)."""
    app = app or current_app
    engine = app.extensions.get(ENGINE_KEY)
    if engine is None:
        engine = build_engine(app.config["DATABASE_URL"])
        app.extensions[ENGINE_KEY] = engine
    return engine


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def discard_session() -> None:
    """Drop this request's session without touching the database (it may be unreachable)."""
    session = g.pop("db_session", None)
    if session is not None:
        with suppress(Exception):  # the connection is already broken; there is nothing to save
            session.invalidate()


def close_session(_exc: BaseException | None = None) -> None:
    """Close this request's session, and keep it in `g`.

    A streamed answer (an export) runs after the view has returned: Flask tears the context down
    once when the view is done and again when the stream ends. The stream still uses the session
    it was given, which opens a new transaction; kept in `g`, it is closed by the second teardown
    too, and its connection goes back to the pool (on PostgreSQL an unclosed one would sit "idle in
    transaction", holding its locks)."""
    session = g.get("db_session")
    if session is not None:
        session.close()


@contextmanager
def session_scope(app: Flask | None = None):
    """Open a session of its own for a CLI command or job; commit on success, roll back on error."""
    session = Session(get_engine(app), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)
