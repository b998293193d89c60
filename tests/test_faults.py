"""Faults: a process killed halfway leaves nothing half-done; an unreachable database gives a clear
503 and the app recovers when it comes back."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app import create_app
from measures.accounts import services as accounts
from measures.cli import upgrade_database
from models import ReportEdition, StatusUpdate
from models.db import get_engine
from tests.conftest import PASSWORD, TEST_DATABASE_URL

pytestmark = pytest.mark.postgres  # transactions killed halfway; the database server stopped

ROOT = Path(__file__).resolve().parent.parent


def _count(app, model) -> int:
    with Session(get_engine(app)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _kill_halfway(what: str, url: str, tmp_path: Path) -> None:
    marker = tmp_path / f"{what}.marker"
    child = subprocess.Popen([sys.executable, "-m", "tests.fault_child", what, url, str(marker)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, f"the {what} child ended early with {child.returncode}"
            assert time.monotonic() < deadline, f"the {what} child never got halfway"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL


@pytest.fixture
def seeded_app(app, seeded, session):
    accounts.create_user(session=session, email="p@jenv.nl", name="P", role="programmacoordinator", password=PASSWORD)
    session.commit()
    return app


@pytest.mark.slow  # a child process, killed halfway
def test_kill_during_import_leaves_no_partial_import(seeded_app, tmp_path):
    before = _count(seeded_app, StatusUpdate)
    _kill_halfway("import", seeded_app.config["DATABASE_URL"], tmp_path)
    assert _count(seeded_app, StatusUpdate) == before
    # The database is intact and writable afterwards.
    with Session(get_engine(seeded_app)) as session:
        assert session.exec(select(func.count()).select_from(StatusUpdate)).one() == before


@pytest.mark.slow  # a child process renders a report, killed halfway
def test_kill_during_report_leaves_no_half_written_edition(seeded_app, tmp_path):
    _kill_halfway("report", seeded_app.config["DATABASE_URL"], tmp_path)
    assert _count(seeded_app, ReportEdition) == 0


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the SQLite variant")
def test_unreachable_database_gives_503_and_recovers(tmp_path):
    target = tmp_path / "later" / "mm.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{target}", "TESTING": True, "SECRET_KEY": "t"})
    client = app.test_client()
    response = client.get("/maatregelen")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "tijdelijk niet beschikbaar" in response.get_data(as_text=True)
    api = client.get("/api/v1/openapi.json")  # needs no database
    assert api.status_code == 200
    upgrade_database(app)  # the database comes back
    assert client.get("/maatregelen").status_code == 200


@pytest.mark.postgres
@pytest.mark.serial  # stops the server every worker uses
@pytest.mark.skipif(
    not (TEST_DATABASE_URL and os.environ.get("MM_PG_STOP")), reason="needs the PostgreSQL server that .ci/run starts"
)
def test_postgres_stopped_during_use_gives_503_and_recovers(app, client):
    assert client.get("/maatregelen").status_code == 200
    subprocess.run(shlex.split(os.environ["MM_PG_STOP"]), check=True)
    try:
        response = client.get("/maatregelen")
        assert response.status_code == 503
        assert "tijdelijk niet beschikbaar" in response.get_data(as_text=True)
    finally:
        subprocess.run(shlex.split(os.environ["MM_PG_START"]), check=True)
    for _ in range(50):
        if client.get("/maatregelen").status_code == 200:
            break
        time.sleep(0.2)
    assert client.get("/maatregelen").status_code == 200
