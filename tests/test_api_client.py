"""A client generated from the live OpenAPI document with openapi-python-client (pinned), driven as
an integrating ministry system would drive it: no warnings when generating, and a journey through
the API that just works."""

import importlib
import shutil
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from app import create_app
from measures.accounts import services as accounts
from measures.accounts import tokens
from models.db import get_engine
from tests.conftest import PASSWORD, TEST_DATABASE_URL

GENERATOR_CONFIG = Path(__file__).parent / "api-lint" / "openapi-python-client.yaml"


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="runs once, on SQLite")
@pytest.mark.slow  # a live server, a generated package and a report edition
def test_a_generated_client_just_works(tmp_path, seeded_template, monkeypatch):
    path = tmp_path / "api.db"
    shutil.copy(seeded_template, path)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "client", "REPORT_SYNC": True, "WTF_CSRF_ENABLED": False}
    )
    with Session(get_engine(app)) as session:
        accounts.create_user(
            session=session, email="p@jenv.nl", name="Programma", role="programmacoordinator", password=PASSWORD
        )
        user = accounts.create_user(
            session=session,
            email="politie@jenv.nl",
            name="Politie",
            role="coordinator",
            password=PASSWORD,
            organisation="Politie",
        )
        _token, plain = tokens.create_token(session=session, user=user, name="systeem", now=datetime.now(UTC))
        session.commit()
    pages = app.test_client()  # an edition to download, made as the programme coordinator makes one
    pages.post("/login", data={"email": "p@jenv.nl", "password": PASSWORD})
    assert pages.post("/rapportages", data={"as_of": "2019-12-05", "since": "", "scheme": ""}).status_code == 302
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or "openapi-python-client"
    try:
        generated = subprocess.run(
            [
                generator,
                "generate",
                "--url",
                f"{base}/api/v1/openapi.json",
                "--meta",
                "none",
                "--config",
                GENERATOR_CONFIG,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert generated.returncode == 0, generated.stdout + generated.stderr
        assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
        monkeypatch.syspath_prepend(str(tmp_path))
        package = "maatregelmonitor_api_client"
        client_module = importlib.import_module(package)
        api = {
            name: importlib.import_module(f"{package}.api.{module}.{name}")
            for module, name in (
                ("maatregelen", "list_measures"),
                ("maatregelen", "get_measure"),
                ("maatregelen", "list_status_updates"),
                ("maatregelen", "create_status_update"),
                ("maatregelen", "compare_dates"),
                ("rapportages", "list_report_editions"),
                ("rapportages", "download_report_edition"),
            )
        }
        models = importlib.import_module(f"{package}.models")
        client = client_module.AuthenticatedClient(base_url=f"{base}/api/v1", token=plain)

        # Page through the measures: every code once, as many as the total says.
        codes, ours, page = [], [], 1
        while True:
            answer = api["list_measures"].sync_detailed(client=client, page=page, page_size=20)
            assert answer.status_code == 200 and isinstance(answer.parsed, models.MeasurePage)
            codes += [item.code for item in answer.parsed.items]
            ours += [item.code for item in answer.parsed.items if item.lead == "Politie"]
            if 'rel="next"' not in answer.headers.get("link", ""):
                break
            page += 1
        assert len(codes) == len(set(codes)) == answer.parsed.total > 60

        # Read one measure of the user's organisation, and its history.
        code = ours[0]
        measure = api["get_measure"].sync_detailed(code, client=client)
        assert measure.status_code == 200 and measure.parsed.code == code and measure.parsed.lead == "Politie"
        etag = measure.headers["etag"]
        history = api["list_status_updates"].sync_detailed(code, client=client, page_size=200)
        assert history.status_code == 200 and history.parsed.total == len(history.parsed.items) > 0

        # Post an update that builds on what it read; a second one on the same ETag is refused (412).
        update = models.NewStatusUpdate(
            status=models.NewStatusUpdateStatus.DEELS_GEREALISEERD,
            as_of=date(2024, 6, 1),
            note="Stand uit het systeem van het ministerie.",
        )
        written = api["create_status_update"].sync_detailed(code, client=client, body=update, if_match=etag)
        assert written.status_code == 201 and isinstance(written.parsed, models.StatusUpdate), written.content
        stale = api["create_status_update"].sync_detailed(code, client=client, body=update, if_match=etag)
        assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem) and stale.parsed.status == 412
        again = api["create_status_update"].sync_detailed(
            code, client=client, body=update, if_match=written.headers["etag"]
        )
        assert again.status_code == 201

        # A comparison, typed to the last list.
        comparison = api["compare_dates"].sync_detailed(client=client, from_=date(2018, 6, 1), to=date(2020, 1, 1))
        assert comparison.status_code == 200 and isinstance(comparison.parsed, models.Comparison)
        assert comparison.parsed.status_changes and comparison.parsed.status_changes[0].measure_code
        assert comparison.parsed.from_ == date(2018, 6, 1) and comparison.parsed.to == date(2020, 1, 1)

        # An edition's PDF, byte for byte.
        editions = api["list_report_editions"].sync_detailed(client=client)
        number = editions.parsed.items[0].number
        pdf = api["download_report_edition"].sync_detailed(number, client=client)
        assert pdf.status_code == 200 and pdf.parsed.payload.read().startswith(b"%PDF")

        # A documented 404 arrives as a Problem, not a crash.
        missing = api["get_measure"].sync_detailed("BESTAAT-NIET", client=client)
        assert missing.status_code == 404 and isinstance(missing.parsed, models.Problem)
    finally:
        server.shutdown()
