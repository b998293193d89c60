"""Hostile files and stray characters: bounded imports, strict dates, safe spreadsheets (issue 13, points 1-5)."""

import csv
import io
import time
import tracemalloc
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from measures.core import spreadsheets
from measures.register import bulk, services, states
from models import Measure, StatusUpdate
from tests.conftest import NOW

HEADER = ["code", "status", "stand_per", "toelichting", "bewijs_document", "bewijs_link"]
# An import may hold a few megabytes of rows; a hostile one must not cost more than this.
MEMORY_BOUND = 64 * 1024 * 1024


@pytest.fixture
def politie(session, create_organisation, create_measure, create_user, create_document):
    create_organisation("Politie", "Nationale Politie")
    create_document()
    measure = create_measure("CT-B-04", "Webcrawler", lead="Politie", status="in_uitvoering")
    return {"measure": measure, "user": create_user("coordinator", "Politie")}


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def _import(client, content: bytes, name: str):
    # Encoded here: Werkzeug's test client spools a large body to a temporary file it never closes.
    body = (
        b'--grens\r\nContent-Disposition: form-data; name="file"; filename="' + name.encode() + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--grens--\r\n"
    )
    return client.post("/maatregelen/import", data=body, content_type="multipart/form-data; boundary=grens")


def _workbook(rows, extra=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if extra:
        extra(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_part(content: bytes, name: str, data: bytes) -> bytes:
    """Return the workbook with one part replaced (or added), compressed as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>status</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>stand_per</t></is></c></row>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _bounded_read(name: str, content: bytes) -> tuple[str, float, int]:
    """Return the import's Dutch refusal, the CPU seconds it took and its peak of allocated memory.

    Two reads: one timed, one traced (tracemalloc makes parsing several times slower). CPU time, not
    the wall clock: the bound is on the work an upload can cause, and a test beside another worker,
    or on a busy machine, waits for the processor without doing more work.
    """
    started = time.process_time()
    with pytest.raises(bulk.ImportFileError) as refused:
        bulk.read_rows(name, content)
    seconds = time.process_time() - started
    tracemalloc.start()
    try:
        with pytest.raises(bulk.ImportFileError):
            bulk.read_rows(name, content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(refused.value), seconds, peak


# --- 1. an XLSX import cannot exhaust the host -----------------------------------------------------


def test_one_cell_at_the_last_column_and_row_is_refused_small_and_fast():
    content = _workbook([["CT-B-04", "gepland", "2021-01-01"]], lambda sheet: sheet.cell(1048576, 16384, "x"))
    assert len(content) < 10_000
    message, seconds, peak = _bounded_read("a.xlsx", content)
    assert "Het werkblad is te groot" in message and "niets ingelezen" in message
    assert seconds < 5 and peak < MEMORY_BOUND


def test_a_far_cell_in_a_sheet_without_dimension_is_read_only_as_far_as_needed():
    # No <dimension>: the bound comes from reading, which stops at the row and column limits.
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    content = _replace_part(_workbook([]), SHEET, SHEET_HEAD + far + SHEET_TAIL)
    message, seconds, peak = _bounded_read("a.xlsx", content)
    assert f"Hoogstens {bulk.MAX_IMPORT_ROWS} rijen" in message
    assert seconds < 5 and peak < MEMORY_BOUND


def test_millions_of_empty_rows_are_refused_from_the_zip_directory():
    rows = b"<row></row>" * 5_000_000
    content = _replace_part(_workbook([]), SHEET, SHEET_HEAD + rows + SHEET_TAIL)
    assert len(content) < 1_000_000
    message, seconds, peak = _bounded_read("a.xlsx", content)
    assert "uitgepakt groter dan" in message
    assert seconds < 5 and peak < MEMORY_BOUND


@pytest.mark.slow  # 300,000 rows under tracemalloc
def test_empty_rows_within_the_part_limit_stop_at_the_row_limit():
    rows = b"".join(b'<row r="%d"/>' % i for i in range(2, 300_000))
    content = _replace_part(_workbook([]), SHEET, SHEET_HEAD + rows + SHEET_TAIL)
    message, seconds, peak = _bounded_read("a.xlsx", content)
    assert f"Hoogstens {bulk.MAX_IMPORT_ROWS} rijen" in message
    assert seconds < 10 and peak < MEMORY_BOUND


def test_a_huge_shared_string_is_refused_before_it_is_unpacked():
    huge = b"A" * (bulk.MAX_XLSX_PART_BYTES + 1)
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' count="1" uniqueCount="1"><si><t>' + huge + b"</t></si></sst>"
    )
    content = _replace_part(_workbook([["CT-B-04", "gepland", "2021-01-01"]]), "xl/sharedStrings.xml", strings)
    message, seconds, peak = _bounded_read("a.xlsx", content)
    assert "uitgepakt groter dan" in message
    assert seconds < 5 and peak < MEMORY_BOUND


@pytest.mark.slow  # 5,000 rows under tracemalloc
def test_a_full_legitimate_import_stays_within_the_memory_bound():
    rows = [[f"CT-X-{i}", "gepland", "2021-01-01", "Toelichting " * 20, "", ""] for i in range(bulk.MAX_IMPORT_ROWS)]
    content = _workbook(rows)
    tracemalloc.start()
    try:
        read = bulk.read_rows("a.xlsx", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(read) == bulk.MAX_IMPORT_ROWS and peak < MEMORY_BOUND


def test_one_row_over_the_limit_is_refused_in_dutch(client, auth, politie):
    rows = [["CT-B-04", "gepland", "2021-01-01"]] * (bulk.MAX_IMPORT_ROWS + 1)
    auth.login(politie["user"].email)
    response = _import(client, _workbook(rows), "a.xlsx")
    assert response.status_code == 400
    assert f"Hoogstens {bulk.MAX_IMPORT_ROWS} rijen per import" in response.get_data(as_text=True)


# --- 2. a file over the limit is refused whole ----------------------------------------------------


def test_a_file_between_the_import_limit_and_the_upload_limit_is_refused_whole(client, auth, session, politie, app):
    limit = app.config["MAX_IMPORT_BYTES"]
    line = "CT-B-04,deels_gerealiseerd,2021-01-01," + "Een lange toelichting die niet wordt afgekapt. " * 20 + "\n"
    body = "code,status,stand_per,toelichting\n" + line * (limit // len(line) + 10)
    assert limit < len(body.encode()) < app.config["MAX_CONTENT_LENGTH"]
    before = _count(session, StatusUpdate)
    auth.login(politie["user"].email)
    response = _import(client, body.encode(), "a.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Import geslaagd" not in html
    assert "Het bestand is groter dan 4 MiB; er is niets ingelezen." in html
    assert _count(session, StatusUpdate) == before


# --- 3. malformed CSV and dates -------------------------------------------------------------------


def test_csv_with_old_mac_line_endings_is_read(client, auth, session, politie):
    before = _count(session, StatusUpdate)
    auth.login(politie["user"].email)
    response = _import(client, b"code,status,stand_per\rCT-B-04,deels_gerealiseerd,2021-01-01\r", "mac.csv")
    assert response.status_code == 302
    assert _count(session, StatusUpdate) == before + 1


def test_csv_with_a_giant_field_is_refused_in_dutch(client, auth, politie):
    auth.login(politie["user"].email)
    content = b'code,status,stand_per,toelichting\nCT-B-04,gepland,2021-01-01,"' + b"x" * 140_000 + b'"\n'
    response = _import(client, content, "a.csv")
    assert response.status_code == 400 and "een cel is veel te lang" in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["0001-01-01garbage", "2024-09-09T99:99", "0001-01-01", "2024-02-30", "2024-W01-1"])
@pytest.mark.postgres  # dates outside what a database stores
def test_import_refuses_malformed_and_ancient_dates(client, auth, session, politie, raw):
    before = _count(session, StatusUpdate)
    auth.login(politie["user"].email)
    response = _import(client, f"code,status,stand_per\nCT-B-04,deels_gerealiseerd,{raw}\n".encode(), "a.csv")
    assert response.status_code == 400 and "Ongeldige datum bij stand_per" in response.get_data(as_text=True)
    assert _count(session, StatusUpdate) == before


@pytest.mark.parametrize("raw", ["0001-01-01garbage", "2024-09-09T99:99", "0001-01-01"])
@pytest.mark.postgres  # dates outside what a database stores
def test_api_refuses_malformed_and_ancient_dates(client, session, politie, raw):
    from measures.accounts import tokens

    _token, plain = tokens.create_token(session=session, user=politie["user"], name="t", now=NOW)
    session.commit()
    response = client.post(
        "/api/v1/measures/CT-B-04/status-updates",
        json={"status": "deels_gerealiseerd", "as_of": raw},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 400, response.get_json()
    assert [p["name"] for p in response.get_json()["invalid-params"]] == ["as_of"]


@pytest.mark.postgres  # dates outside what a database stores
def test_api_as_of_at_the_end_of_time_is_a_400_not_a_500(client, auth, politie):
    auth.login(politie["user"].email)
    for path in ("/api/v1/measures/CT-B-04?as_of=9999-12-31", "/api/v1/measures?as_of=9999-12-31"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.mimetype == "application/problem+json"


@pytest.mark.postgres  # dates outside what a database stores
def test_the_service_refuses_a_status_in_year_one(session, politie):
    from measures.register import services

    with pytest.raises(services.ServiceError, match="kies een datum tussen"):
        services.record_status(
            session=session,
            measure=politie["measure"],
            status_code="gepland",
            as_of=date(1, 1, 1),
            note="",
            recorded_by="test",
            now=NOW,
        )


# --- 4. control characters --------------------------------------------------------------------------


@pytest.mark.postgres  # PostgreSQL refuses NUL in text
def test_a_note_with_a_control_character_is_cleaned_and_the_exports_still_work(client, auth, session, politie):
    auth.login(politie["user"].email)
    response = client.post(
        "/maatregelen/CT-B-04/status",
        data={
            "status": "deels_gerealiseerd",
            "as_of": "2021-03-01",
            "note": "Eerste\x0bregel\x00 en\r\ntweede",
            "evidence_document": "",
            "evidence_url": "",
            "version": str(politie["measure"].version),
        },
    )
    assert response.status_code == 302
    note = session.exec(select(StatusUpdate.note).order_by(StatusUpdate.id.desc())).first()
    assert note == "Eersteregel en\ntweede"
    assert client.get("/maatregelen/export.xlsx").status_code == 200


def test_writers_are_safe_even_for_text_that_bypassed_the_input_checks(client, auth, session, politie, create_user):
    session.exec(select(Measure)).first()
    politie["measure"].title = "Titel met\x0bverticale tab\x1f"
    politie["measure"].lead_organisation_id = None
    session.add(politie["measure"])
    states.refresh(session, [politie["measure"].id])  # a write past the services: derive its state again
    session.commit()
    book = load_workbook(io.BytesIO(client.get("/maatregelen/export.xlsx").data))
    assert book.active["B2"].value == "Titel metverticale tab"
    assert client.get("/open-data/maatregelen.xlsx").status_code == 200
    create_user("rapporteur", email="r@nrm.nl")
    auth.login("r@nrm.nl")
    assert client.get("/rapporteur/hiaten.xlsx").status_code == 200


@pytest.mark.postgres  # PostgreSQL refuses NUL in text
def test_import_cleans_control_characters(session, politie):
    rows = bulk.read_rows("a.csv", b"code,status,stand_per,toelichting\nCT-B-04,deels_gerealiseerd,2021-01-01,a\x0bb\n")
    result = bulk.import_statuses(session=session, rows=rows, user=politie["user"], now=NOW)
    assert result.ok
    assert session.exec(select(StatusUpdate.note).order_by(StatusUpdate.id.desc())).first() == "ab"


# --- 5. formula injection: one writer for every export ----------------------------------------------


def test_open_data_csv_and_xlsx_neutralise_formulas(client, session, politie):
    measure = politie["measure"]
    measure.title = '=HYPERLINK("http://evil")'
    measure.description = "+cmd|' /C calc'!A0"
    session.add(measure)
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2030, 1, 1),
        basis="@SUM(1+1)",
        reason="Test",
        decided_on=date(2020, 1, 1),
        recorded_by="test",
        now=NOW,
    )
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/maatregelen.csv").get_data(as_text=True))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["description"].startswith("'+") and rows[0]["deadline_basis"].startswith("'@")
    sheet = load_workbook(io.BytesIO(client.get("/open-data/maatregelen.xlsx").data)).active
    assert all(not str(c.value or "").startswith(("=", "+", "@")) for row in sheet.iter_rows() for c in row)


def test_both_exports_use_the_one_writer():
    from measures.register import open_data as export

    assert export.spreadsheets is spreadsheets and bulk.spreadsheets is spreadsheets
    assert spreadsheets.safe_cell("-1+1") == "'-1+1" and spreadsheets.safe_cell("\tx") == "'\tx"


@pytest.mark.postgres  # PostgreSQL refuses a NUL in any text parameter: it must never reach the database
def test_a_nul_in_the_path_or_an_api_query_is_a_bad_request_not_a_server_error(client, auth, seeded, create_user):
    auth.login(create_user("lezer").email)
    for path in (
        "/api/v1/measures/CT%00",
        "/api/v1/measures/CT-B-04/status-updates?as_of=2020%0001",
        "/api/v1/assessments?measure=a%00b",
        "/maatregelen/CT-B-04%00",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        if path.startswith("/api/"):
            assert response.mimetype == "application/problem+json", path
        else:
            assert "Controleer de invoer" in response.get_data(as_text=True), path
    # A page's filter answers a NUL with its own message, or ignores it; never with a 500.
    for path in ("/maatregelen?q=a%00", "/maatregelen?the%00me=b", "/?as_of=2020%0001", "/vergelijken?van=%00"):
        assert client.get(path).status_code < 500, path
