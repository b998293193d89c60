"""The one writer of every CSV and XLSX file the app produces: formulas neutralised, XML-safe text."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


def csv_bytes(columns: Sequence[str], rows: Iterable[dict]) -> bytes:
    """Return a UTF-8 CSV with a header row and one line per row, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Return a workbook with one sheet per (title, header, rows), every cell written as safe text."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=safe_cell(title)[:31] or "Blad")
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
