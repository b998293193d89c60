"""Fixtures in the style of the Flask tutorial: app, client, runner, session, and small factories.

The suite runs on a real SQLite file by default and on PostgreSQL when TEST_DATABASE_URL is set.
Each test gets an empty, fully migrated database; a test that asks for `seeded` gets a copy of a
database that holds the seeded catalogue instead (migrated and seeded once per session).

Under pytest-xdist every worker has its own databases: its own temporary folder for SQLite, and
on PostgreSQL its own databases named after TEST_DATABASE_URL's (`<name>_gw0`, ...), created and
dropped through that database's server.
"""

import functools
import hashlib
import os
import shutil
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import jinja2
import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel

from app import create_app
from measures.cli import upgrade_database
from measures.register import services
from models import Organisation, ReportEdition, SourceDocument, Status, Theme, ThemeScheme
from models.db import get_engine

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

STATUSES = [
    ("gepland", "Gepland", 1, True),
    ("in_uitvoering", "In uitvoering", 2, True),
    ("deels_gerealiseerd", "Deels gerealiseerd", 3, True),
    ("gerealiseerd", "Gerealiseerd", 4, False),
    ("beeindigd", "Beëindigd", 0, False),
    ("onbekend", "Onbekend", 0, True),
]


# --- pytest-xdist: which tests share one worker ------------------------------------------------------

# Tests that share a session- or module-wide fixture run in one worker, in collection order: the
# browser tests share one live server and Chromium (the accessibility tests get one of their own),
# the report tests one database in which the editions they save are counted.
SAME_WORKER = {
    "tests/browser/test_accessibility.py": "browser: accessibility",
    "tests/browser/": "browser",
    "tests/test_reports.py": "reports",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Load scheduling with the groups above (pytest-xdist's `xdist_group` mark sets a node id
    attribute that pytest 9 no longer reads, so it cannot group here). Other --dist modes stay as they are."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SameWorkerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((group for prefix, group in SAME_WORKER.items() if nodeid.startswith(prefix)), nodeid)

    return SameWorkerScheduling(config, log)


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, shared by every app the tests create.

    Each test creates its own app, and each app's Jinja environment would compile every template it
    renders anew: about 0.25 s for the first page of a kind, in every test. Jinja keys the cache by
    template and checks the source's checksum, so an edited template is compiled again.
    """

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecodeCache()}


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Use cheap Argon2 parameters in tests; production keeps the library's defaults."""
    from argon2 import PasswordHasher

    from measures.accounts import services as accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _config(url: str) -> dict:
    return {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}


# --- PostgreSQL: one database per xdist worker, created beside TEST_DATABASE_URL's -------------------


def _pg_url(database: str) -> str:
    return make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)


def _pg_admin(sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on TEST_DATABASE_URL's server."""
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@functools.cache
def _pg_server_version() -> int:
    engine = create_engine(TEST_DATABASE_URL, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one())
    finally:
        engine.dispose()


def _pg_create(database: str, template: str | None = None) -> str:
    """(Re)create an empty database, or a copy of `template`; return its URL."""
    _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    copy = f' TEMPLATE "{template}"' if template else ""
    if template and _pg_server_version() >= 150000:
        copy += " STRATEGY FILE_COPY"  # copies the files: faster than WAL_LOG for a small database
    _pg_admin(f'CREATE DATABASE "{database}"{copy}')
    return _pg_url(database)


def _pg_drop(url: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _truncate_all(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def _migrate(url: str) -> None:
    app = create_app(_config(url))
    upgrade_database(app)
    get_engine(app).dispose()


def _seed(url: str) -> None:
    """Seed the catalogue as the per-test fixtures always did: `flask seed` through the CLI runner."""
    app = create_app(_config(url))
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    get_engine(app).dispose()


@pytest.fixture(scope="session")
def worker_id_suffix():
    """'' when the suite runs in one process, '_gw0', '_gw1', ... under pytest-xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"_{worker}" if worker else ""


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, worker_id_suffix):
    """Migrate one database per test session: a SQLite file to copy, or this worker's PostgreSQL database."""
    if TEST_DATABASE_URL:
        if worker_id_suffix:
            url = _pg_create(make_url(TEST_DATABASE_URL).database + worker_id_suffix)
        else:
            url = TEST_DATABASE_URL
            engine = create_engine(url, poolclass=NullPool)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        _migrate(url)
        yield url
        if worker_id_suffix:
            _pg_drop(url)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    yield path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, migrated_template, worker_id_suffix):
    """Migrate and seed one database per test session: a SQLite file, or a PostgreSQL template database."""
    if TEST_DATABASE_URL:
        name = make_url(TEST_DATABASE_URL).database + worker_id_suffix + "_seeded"
        url = _pg_create(name)
        _migrate(url)
        _seed(url)
        yield name
        _pg_drop(url)
        return
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy(migrated_template, path)
    _seed(f"sqlite:///{path}")
    yield path


@pytest.fixture
def database_url(request, migrated_template, tmp_path, worker_id_suffix):
    """Return the URL of an empty, migrated database for this test (seeded when it asks for `seeded`)."""
    seeded = "seeded" in request.fixturenames
    if TEST_DATABASE_URL:
        if seeded:
            template = request.getfixturevalue("seeded_template")
            url = _pg_create(f"{template}_{uuid.uuid4().hex[:8]}", template=template)
            yield url
            _pg_drop(url)
        else:
            yield migrated_template
            _truncate_all(migrated_template)
        return
    path = tmp_path / "maatregelmonitor.db"
    shutil.copy(request.getfixturevalue("seeded_template") if seeded else migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def seeded(database_url):
    """The test's database holds the seeded catalogue (`flask seed`), copied from the session's template.

    For tests that use the catalogue; the tests of seeding itself still seed for real.
    """
    return database_url


@pytest.fixture
def app(database_url):
    app = create_app(_config(database_url))
    yield app
    get_engine(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session on the test database, for arranging data and asserting on it."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def vocabulary(session):
    """Seed the status vocabulary and both theme schemes with a few themes."""
    for position, (code, label, rank, is_open) in enumerate(STATUSES):
        session.add(Status(code=code, label=label, rank=rank, is_open=is_open, position=position))
    contouren = ThemeScheme(code="contouren", name="Thema's contourenbrief", position=0)
    actielijn = ThemeScheme(code="actielijn", name="Actielijnen", position=1)
    session.add_all([contouren, actielijn])
    session.flush()
    session.add_all(
        [
            Theme(scheme_id=contouren.id, code="b", name="Versterking opsporing", position=0),
            Theme(scheme_id=contouren.id, code="c", name="Versterking ondersteuning slachtoffers", position=1),
            Theme(scheme_id=actielijn.id, code="1", name="Doorontwikkelen van de basisaanpak", position=2),
            Theme(scheme_id=actielijn.id, code="2", name="Aanpak arbeidsuitbuiting", position=3),
        ]
    )
    session.commit()
    return session


@pytest.fixture
def create_organisation(session):
    def make(
        abbreviation: str = "Politie", name: str | None = None, kind: str = "uitvoeringsorganisatie"
    ) -> Organisation:
        org = Organisation(abbreviation=abbreviation, name=name or f"Organisatie {abbreviation}", kind=kind)
        session.add(org)
        session.commit()
        return org

    return make


@pytest.fixture
def create_document(session):
    def make(
        key: str = "kst-28638-161",
        reference: str = "Kamerstuk 28 638 nr. 161",
        on: date = date(2018, 5, 25),
        kind: str = "kabinetsbrief",
    ) -> SourceDocument:
        doc = SourceDocument(key=key, title=f"Document {key}", date=on, kind=kind, reference=reference)
        session.add(doc)
        session.commit()
        return doc

    return make


@pytest.fixture
def create_measure(session, vocabulary):
    """Create a measure through the service, optionally with a first status and a deadline."""

    def make(
        code: str = "CT-B-01",
        title: str = "Training eerstelijns politiemedewerkers",
        *,
        lead: str | None = None,
        co_owners: list[str] | None = None,
        themes: list[str] | None = None,
        status: str | None = None,
        status_on: date = date(2018, 5, 25),
        deadline: date | None = None,
        announced_on: date = date(2018, 5, 25),
        document: SourceDocument | None = None,
        budget: list[services.BudgetInput] | None = None,
        description: str = "",
        quote: str = "",
    ):
        measure = services.create_measure(
            session=session,
            code=code,
            content=services.MeasureInput(
                title=title,
                description=description,
                lead=lead,
                co_owners=co_owners or [],
                themes=themes or [],
                budget=budget or [],
                source_quote=quote,
            ),
            announcement="reeds_in_gang_gezet",
            announced_on=announced_on,
            source_document_id=document.id if document else None,
            recorded_by="test",
            now=NOW,
        )
        if status:
            services.record_status(
                session=session,
                measure=measure,
                status_code=status,
                as_of=status_on,
                note="Vastgelegd in de test.",
                recorded_by="test",
                now=NOW,
            )
        if deadline:
            services.change_deadline(
                session=session,
                measure=measure,
                new_deadline=deadline,
                basis="test",
                reason="Vastgelegd",
                decided_on=announced_on,
                recorded_by="test",
                now=NOW,
            )
        session.commit()
        return measure

    return make


PASSWORD = "correct horse battery staple"


@pytest.fixture
def create_user(session):
    """Create an account through the accounts service."""
    from measures.accounts import services as accounts

    def make(role: str = "coordinator", organisation: str | None = None, email: str | None = None):
        user = accounts.create_user(
            session=session,
            email=email or f"{role}-{organisation or 'geen'}@example.nl".lower(),
            name=f"{role.title()} {organisation or ''}".strip(),
            role=role,
            password=PASSWORD,
            organisation=organisation,
        )
        session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, next_url: str | None = None):
        data = {"email": email, "password": password}
        if next_url is not None:
            data["next"] = next_url
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def budget_line():
    def make(amount: str = "2000000", kind: str = "structureel", per: str = "jaar", from_year: int = 2018):
        return services.BudgetInput(amount=Decimal(amount), kind=kind, per=per, from_year=from_year)

    return make


@pytest.fixture
def small_catalogue(tmp_path):
    """A copy of the catalogue's base files; the test writes one document file beside them."""
    import shutil

    from measures.register.catalogue import CATALOGUE_DIR

    for name in ("statuses.toml", "organisations.toml", "documents.toml", "themes.toml"):
        shutil.copy(CATALOGUE_DIR / name, tmp_path / name)
    return tmp_path


def stored_edition(number: int, as_of: date, pdf: bytes, since: date | None = None) -> ReportEdition:
    """A report edition as the API lists it: a small stand-in PDF and an empty snapshot, checksummed."""
    return ReportEdition(
        number=number,
        as_of=as_of,
        since=since,
        generated_at=datetime.now(UTC),
        generated_by="test",
        snapshot="{}",
        snapshot_sha256=hashlib.sha256(b"{}").hexdigest(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=1,
    )
