"""Open-data export: JSON (with a documented schema), CSV and XLSX, now or as of a date."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from measures.core.spreadsheets import XLSX_MIMETYPE
from models.db import get_engine

pytestmark = pytest.mark.postgres  # dates, decimals and as-of queries in the exports

SCHEMA = Path(__file__).resolve().parent.parent / "static" / "open-data" / "maatregelen.schema.json"


def test_json_export_matches_its_schema(runner, seeded, tmp_path):
    import jsonschema_rs

    out = tmp_path / "m.json"
    assert runner.invoke(args=["export", "--format", "json", "--out", str(out)]).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema_rs.validator_for(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(data)
    assert all(m["source"]["quote"] for m in data["measures"])


def test_xlsx_and_as_of_export(runner, seeded, tmp_path):
    out = tmp_path / "m.xlsx"
    assert runner.invoke(args=["export", "--format", "xlsx", "--as-of", "2018-06-01", "--out", str(out)]).exit_code == 0
    sheet = load_workbook(out).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "CT-B-04" in codes and "NR-2019-01" not in codes  # announced in November 2019
    statuses = {row[0]: row[8] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert statuses["CT-B-04"] == "in_uitvoering"


def test_an_export_that_fails_halfway_leaves_the_earlier_file_and_no_partial_one(runner, seeded, tmp_path, monkeypatch):
    from measures.register import open_data

    (tmp_path / "uit").mkdir()
    out = tmp_path / "uit" / "m.csv"
    assert runner.invoke(args=["export", "--format", "csv", "--out", str(out)]).exit_code == 0
    earlier = out.read_bytes()
    records = open_data.measure_records

    def failing(session, as_of=None):
        for n, record in enumerate(records(session, as_of=as_of)):
            if n == 40:
                raise RuntimeError("de database viel weg")
            yield record

    monkeypatch.setattr(open_data, "measure_records", failing)
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_bytes() == earlier and [p.name for p in out.parent.iterdir()] == ["m.csv"]


def test_downloads_in_the_ui(client, seeded):
    assert "JSON-schema" in client.get("/open-data").get_data(as_text=True)
    data = json.loads(client.get("/open-data/maatregelen.json?as_of=2019-12-05").data)
    assert data["as_of"] == "2019-12-05" and {m["code"] for m in data["measures"]} >= {"NR-2019-01", "CT-C-07"}
    assert client.get("/open-data/maatregelen.csv").data.decode().startswith("code,title")
    assert load_workbook(io.BytesIO(client.get("/open-data/maatregelen.xlsx").data)).active.max_row > 70
    assert client.get("/open-data/maatregelen.pdf").status_code == 404


def test_the_exports_are_sent_as_they_are_written(client, seeded):
    for path in ("/open-data/maatregelen.csv", "/maatregelen/export.csv", "/open-data/maatregelen.json"):
        response = client.get(path, buffered=False)
        assert response.status_code == 200 and response.is_streamed, path
        assert response.headers["Content-Disposition"].startswith('attachment; filename="maatregelen-')
        assert response.get_data(as_text=True).count("\n") > 70
        response.close()
        # The stream ran after the view returned; its connection went back to the pool when it ended.
        assert get_engine(client.application).pool.checkedout() == 0, path
    for path in ("/open-data/maatregelen.xlsx", "/maatregelen/export.xlsx"):
        response = client.get(path)
        assert response.headers["Content-Type"] == XLSX_MIMETYPE
        assert response.headers["Content-Disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert sheet.max_row > 70 and sheet.freeze_panes == "A2"


LIST_EXPORTS = (
    "/maatregelen/export.csv",
    "/maatregelen/export.csv?sort=-deadline",
    "/maatregelen/export.csv?theme=contouren:b&sort=-gewijzigd",
    "/maatregelen/export.csv?status=in_uitvoering&sort=titel",
    "/maatregelen/export.csv?q=de&sort=-status",
)
OPEN_DATA_EXPORTS = (
    "/open-data/maatregelen.csv",
    "/open-data/maatregelen.csv?as_of=2018-06-01",
    "/open-data/maatregelen.json",
    "/open-data/maatregelen.json?as_of=2019-12-05",
)


def test_an_export_read_in_small_batches_is_the_export_read_at_once(client, seeded, monkeypatch):
    """Batches of two measures, cut anywhere in a filtered and sorted list, give the same bytes."""
    from measures.register import queries

    def bodies() -> dict:
        return {path: client.get(path).get_data() for path in LIST_EXPORTS + OPEN_DATA_EXPORTS}

    whole = bodies()
    assert whole["/maatregelen/export.csv?sort=-deadline"].count(b"\n") > 70
    assert whole["/maatregelen/export.csv?theme=contouren:b&sort=-gewijzigd"].count(b"\n") > 3
    assert json.loads(whole["/open-data/maatregelen.json?as_of=2019-12-05"])["as_of"] == "2019-12-05"
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    assert bodies() == whole
    workbook = load_workbook(io.BytesIO(client.get("/open-data/maatregelen.xlsx").data)).active
    monkeypatch.undo()
    assert list(workbook.values) == list(
        load_workbook(io.BytesIO(client.get("/open-data/maatregelen.xlsx").data)).active.values
    )


def test_the_exports_read_plain_columns_a_few_queries_a_batch(client, seeded, app, monkeypatch):
    """No measure or status update is loaded as an ORM object, and the queries grow with the batches,
    not with the measures: memory stays flat however large the register."""
    from sqlalchemy import event

    from measures.register import queries
    from models import Measure, StatusUpdate
    from models.db import get_engine

    monkeypatch.setattr(queries, "EXPORT_BATCH", 20)  # the seeded catalogue's 77 measures: 4 batches
    loaded, statements = [], []

    def on_load(target, _context):
        loaded.append(type(target).__name__)

    def on_execute(*_args):
        statements.append(1)

    engine = get_engine(app)
    for model in (Measure, StatusUpdate):
        event.listen(model, "load", on_load)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for path, per_batch in (("/maatregelen/export.csv", 2), ("/open-data/maatregelen.csv", 15)):
            statements.clear()
            assert client.get(path).get_data().count(b"\n") > 70
            assert loaded == [], path
            assert len(statements) <= 10 + 4 * per_batch, (path, len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        for model in (Measure, StatusUpdate):
            event.remove(model, "load", on_load)
