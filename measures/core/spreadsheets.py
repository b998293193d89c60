"""The one writer of every CSV and XLSX file the app produces: formulas neutralised, XML-safe text."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from flask import Response, current_app, stream_with_context
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A CSV is sent in pieces of about this size; an XLSX is kept in memory up to XLSX_IN_MEMORY bytes,
# and on disk beyond that.
CSV_CHUNK = 64 * 1024
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_IN_MEMORY = 8 * 1024 * 1024

# A cell starting with one of these runs as a formula in a spreadsheet (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Return `value` as text a spreadsheet shows as text: no formula, no character XML cannot hold."""
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _xlsx_value(value):
    # Numbers stay numbers in a workbook; everything else is safe text.
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def csv_chunks(columns: Sequence[str], rows: Iterable[dict], *, chunk: int = CSV_CHUNK) -> Iterator[bytes]:
    """Yield a UTF-8 CSV, a header row and one line per row, every cell made safe, in pieces of
    about `chunk` bytes as the rows come: memory stays flat however many rows there are."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
        if out.tell() >= chunk:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(columns: Sequence[str], rows: Iterable[dict]) -> bytes:
    """Return the whole CSV of `csv_chunks` at once."""
    return b"".join(csv_chunks(columns, rows))


def xlsx_file(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]):
    """Return a workbook, one sheet per (title, header, rows), as a file positioned at its start.

    openpyxl's write-only mode writes each row out as it is appended: memory grows only by the
    table of shared strings (about 10 bytes a row of distinct text), not by the rows. The finished
    file stays in memory up to XLSX_IN_MEMORY bytes, on disk beyond.
    """
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=safe_cell(title)[:31] or "Blad")
        sheet.freeze_panes = "A2"
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)
    book.save(out)
    out.seek(0)
    return out


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Return the whole workbook of `xlsx_file` at once."""
    with xlsx_file(sheets) as out:
        return out.read()


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(columns: Sequence[str], rows: Iterable[dict], filename: str) -> Response:
    """Answer with a CSV sent as it is written (`csv_chunks`)."""
    body = stream_with_context(csv_chunks(columns, rows))
    return _attachment(current_app.response_class(body, mimetype=CSV_MIMETYPE), filename)


def file_chunks(file, size: int = CSV_CHUNK) -> Iterator[bytes]:
    """Yield a file's contents in pieces, and close it when done (or when the answer is dropped)."""
    with file:
        while chunk := file.read(size):
            yield chunk


def xlsx_download(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], filename: str) -> Response:
    """Answer with a workbook written in write-only mode (`xlsx_file`), sent from its file."""
    return _attachment(current_app.response_class(file_chunks(xlsx_file(sheets)), mimetype=XLSX_MIMETYPE), filename)
