"""Schemathesis against the running app's OpenAPI document, with a real token: no server errors,
in every phase, including the stateful one that follows the document's links from answer to request."""

import re
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from app import create_app
from measures.accounts import services as accounts
from measures.accounts import tokens
from models.db import get_engine
from tests.conftest import PASSWORD, TEST_DATABASE_URL, stored_edition


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="runs once, on SQLite")
@pytest.mark.slow  # a live server and a few hundred generated requests
def test_schemathesis_finds_no_server_errors(tmp_path, seeded_template):
    path = tmp_path / "api.db"
    shutil.copy(seeded_template, path)  # migrated and seeded (`flask seed`)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "schemathesis"})
    with Session(get_engine(app)) as session:
        user = accounts.create_user(
            session=session, email="api@jenv.nl", name="API", role="programmacoordinator", password=PASSWORD
        )
        _token, plain = tokens.create_token(session=session, user=user, name="schemathesis", now=datetime.now(UTC))
        # An edition, so that the links from the editions to one edition and its PDF lead somewhere.
        session.add(stored_edition(1, datetime.now(UTC).date(), b"%PDF-1.7 schemathesis"))
        session.commit()
    # Today's flags, so that the flagged measures link to measures.
    assert app.test_cli_runner().invoke(args=["check-stalled"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    try:
        result = subprocess.run(
            [
                executable,
                "run",
                f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {plain}",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "30",
                "--generation-deterministic",
                "--request-timeout",
                "30",
                "--phases",
                "examples,coverage,fuzzing,stateful",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
        # Issue 13's dates, which the generated examples may not reach: a 400, never a 500.
        client = app.test_client()
        headers = {"Authorization": f"Bearer {plain}"}
        for raw in ("9999-12-31", "0001-01-01garbage", "2024-09-09T99:99", "0001-01-01"):
            for path, names in (
                ("/api/v1/measures/CT-B-01", ("asOf",)),
                ("/api/v1/measures", ("asOf",)),
                ("/api/v1/comparisons", ("from", "to")),
            ):
                response = client.get(path, query_string=dict.fromkeys(names, raw), headers=headers)
                assert response.status_code == 400, (path, raw, response.status_code)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # The stateful phase ran and followed the links: list -> measure -> its history and a new status
    # (with the ETag as If-Match), flagged measures -> measure, editions -> edition -> PDF.
    assert re.search(r"✅ Stateful", result.stdout), result.stdout[-3000:]
    covered = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", result.stdout)
    assert covered and int(covered[2]) >= 10 and int(covered[1]) >= 5, result.stdout[-3000:]
