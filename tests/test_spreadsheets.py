"""The one spreadsheet writer streams: a CSV in pieces as the rows come, an XLSX with memory flat in
the number of rows, the open-data JSON record by record (no database: these run once)."""

import json
from datetime import date

import pytest

from measures.core import spreadsheets
from measures.register import open_data


def _rows(n: int):
    for i in range(n):
        yield {"code": f"M-{i:06d}", "title": f"Maatregel {i} " + "x" * 80, "status": "=gepland"}


def test_a_csv_is_written_in_pieces_as_the_rows_come():
    columns = ("code", "title", "status")
    chunks = list(spreadsheets.csv_chunks(columns, _rows(5000), chunk=16 * 1024))
    assert len(chunks) > 10 and all(len(c) < 16 * 1024 + 200 for c in chunks)
    assert b"".join(chunks) == spreadsheets.csv_bytes(columns, _rows(5000))
    assert b"".join(chunks).splitlines()[1] == b"M-000000,Maatregel 0 " + b"x" * 80 + b",'=gepland"


@pytest.mark.slow  # writes 40,000 rows under tracemalloc
def test_an_xlsx_grows_in_memory_only_by_its_shared_strings():
    """Write-only mode: ten times the rows cost about 10 bytes a row more (openpyxl's table of shared
    strings), not the rows themselves (a workbook in memory holds kilobytes a row)."""
    import tracemalloc

    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            rows = ([r["code"], r["title"], r["status"]] for r in _rows(n))
            with spreadsheets.xlsx_file([("Blad", ["code", "title", "status"], rows)]) as out:
                size = len(out.read())
            return tracemalloc.get_traced_memory()[1] - size  # the finished file itself aside
        finally:
            tracemalloc.stop()

    small, large = peak(4_000), peak(40_000)
    assert (large - small) / 36_000 < 50 and large < 2_000_000, (small, large)


def test_the_json_export_is_the_document_json_dumps_writes():
    """Written record by record, the open-data JSON is the bytes json.dumps writes of the whole."""
    for records in ([], [{"code": "A", "themes": [], "budget": [{"n": "€ 1\n2"}], "provenance": {}}, {"code": "B"}]):
        written = b"".join(open_data.json_chunks(iter(records), generated_on=date(2026, 1, 2)))
        document = {
            "generated_on": "2026-01-02",
            "measures": records,
            "as_of": "2026-01-02",
            "schema": open_data.SCHEMA_PATH,
        }
        assert written.decode("utf-8") == json.dumps(document, ensure_ascii=False, indent=2)
