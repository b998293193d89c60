"""Open-data export of the whole register: every measure with all its fields."""

import io
import json
import textwrap
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO

from sqlmodel import Session, select

from measures.core import clock, spreadsheets
from models import Measure, SourceDocument, Status

SCHEMA_PATH = "/static/open-data/maatregelen.schema.json"

CSV_COLUMNS = (
    "code",
    "title",
    "description",
    "announcement",
    "announced_on",
    "themes",
    "lead",
    "co_owners",
    "status",
    "status_label",
    "deadline",
    "deadline_precision",
    "deadline_basis",
    "lead_basis",
    "co_owners_basis",
    "postponements",
    "budget",
    "indicators",
    "source_reference",
    "source_section",
    "source_quote",
    "version",
)


def measure_records(session: Session, as_of: date | None = None) -> Iterator[dict]:
    """Yield every measure as a plain record, ordered by code, as it stands (or stood on `as_of`).

    Read EXPORT_BATCH measures at a time: per batch their state from `history.measures_as_of` (a
    handful of queries), the fields that have no history (description, source, version) and the
    provenance from two more. Memory stays flat however many measures there are.
    """
    from measures.register.history import measures_as_of
    from measures.register.queries import batches, provenance

    day = as_of or clock.today()
    documents = {d.id: d for d in session.exec(select(SourceDocument)).all()}
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    existing = (Measure.announced_on <= day,)
    for codes in batches(session, select(Measure.code).where(*existing).order_by(Measure.code)):
        # The batch is every measure of the export from its first code to its last: named by a
        # subquery, not by a list of ids sent with each of the batch's queries.
        ids = select(Measure.id).where(*existing, Measure.code >= codes[0], Measure.code <= codes[-1])
        fixed = {
            row.id: row
            for row in session.exec(
                select(
                    Measure.id,
                    Measure.description,
                    Measure.announcement,
                    Measure.announced_on,
                    Measure.source_document_id,
                    Measure.source_section,
                    Measure.source_quote,
                    Measure.version,
                    # what `provenance` reads
                    Measure.lead_basis,
                    Measure.lead_basis_document_id,
                    Measure.co_owners_basis,
                    Measure.co_owners_basis_document_id,
                    Measure.deadline,
                    Measure.deadline_basis,
                ).where(Measure.id.in_(ids))
            ).all()
        }
        bases = provenance(session, list(fixed.values()))
        for s in measures_as_of(session, ids, day):
            m = fixed[s.id]
            document = documents.get(m.source_document_id)
            yield {
                "code": s.code,
                "title": s.title,
                "description": m.description,
                "announcement": m.announcement,
                "announced_on": m.announced_on.isoformat(),
                "themes": s.themes,
                "lead": s.lead,
                "co_owners": s.co_owners,
                "status": s.status_code,
                "status_label": labels.get(s.status_code),
                "deadline": s.deadline.isoformat() if s.deadline else None,
                "deadline_precision": s.deadline_precision if s.deadline else None,
                "deadline_basis": s.deadline_basis,
                "provenance": bases[s.id],
                "postponements": s.postponements,
                "budget": s.budget,
                "indicators": [i.as_dict(s.deadline, s.deadline_precision) for i in s.indicators],
                "source": {
                    "document": document.key if document else None,
                    "reference": document.reference if document else None,
                    "citation": document.citation if document else None,
                    "section": m.source_section,
                    "quote": m.source_quote,
                },
                "version": m.version,
            }


def json_chunks(records: Iterable[dict], *, generated_on: date, as_of: date | None = None) -> Iterator[bytes]:
    """Yield the open-data JSON in pieces of about CSV_CHUNK bytes, a record at a time as they come.

    The bytes are those of `json.dumps(document, ensure_ascii=False, indent=2)` for the document
    {generated_on, measures, as_of, schema}: each record is dumped alone and indented to its depth.
    """

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2)

    out = io.StringIO()
    out.write(f'{{\n  "generated_on": {dumps(generated_on.isoformat())},\n  "measures": [')
    separator = "\n"
    for record in records:
        out.write(separator + textwrap.indent(dumps(record), "    "))
        separator = ",\n"
        if out.tell() >= spreadsheets.CSV_CHUNK:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    out.write("\n  ]" if separator != "\n" else "]")
    out.write(f',\n  "as_of": {dumps((as_of or generated_on).isoformat())}')
    out.write(f',\n  "schema": {dumps(SCHEMA_PATH)}\n}}')
    yield out.getvalue().encode("utf-8")


def _flat(record: dict) -> dict:
    """Return one record as the flat row of the CSV and XLSX exports."""
    return {
        **{k: record[k] for k in CSV_COLUMNS if k in record},
        "themes": "; ".join(record["themes"]),
        "co_owners": "; ".join(record["co_owners"]),
        "budget": json.dumps(record["budget"], ensure_ascii=False),
        "indicators": json.dumps(record["indicators"], ensure_ascii=False) if record["indicators"] else "",
        "source_reference": record["source"]["reference"],
        "source_section": record["source"]["section"],
        "source_quote": record["source"]["quote"],
        "lead_basis": _basis_text(record["provenance"]["lead"]),
        "co_owners_basis": _basis_text(record["provenance"]["co_owners"]),
    }


def _basis_text(basis: dict | None) -> str:
    """A basis in one cell: the sentence and how its document is cited; empty where no source says it."""
    return f"{basis['quote']} ({basis['citation']})" if basis else ""


def to_csv(records: Iterable[dict]) -> bytes:
    """Return the open-data CSV, written by the one spreadsheet writer (formulas neutralised)."""
    return spreadsheets.csv_bytes(CSV_COLUMNS, csv_rows(records))


def csv_rows(records: Iterable[dict]) -> Iterator[dict]:
    """The open-data CSV's rows, one per record, as they are asked for."""
    return (_flat(r) for r in records)


def xlsx_sheets(records: Iterable[dict]) -> list:
    """The open-data XLSX as the one sheet of a workbook, its rows made as they are written."""
    return [("Maatregelen", CSV_COLUMNS, ([_flat(r).get(c) for c in CSV_COLUMNS] for r in records))]


def chunks(records: Iterable[dict], fmt: str, *, generated_on: date, as_of: date | None = None) -> Iterator[bytes]:
    """Yield the open-data export in one of the formats (json, csv or xlsx) as it is written."""
    if fmt == "json":
        return json_chunks(records, generated_on=generated_on, as_of=as_of)
    if fmt == "csv":
        return spreadsheets.csv_chunks(CSV_COLUMNS, csv_rows(records))
    return spreadsheets.file_chunks(spreadsheets.xlsx_file(xlsx_sheets(records)))


def write(records: Iterable[dict], fmt: str, out: BinaryIO, *, generated_on: date, as_of: date | None = None) -> int:
    """Write the open-data export to `out` as it is made; return how many measures it holds."""
    count = 0

    def counted() -> Iterator[dict]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    for chunk in chunks(counted(), fmt, generated_on=generated_on, as_of=as_of):
        out.write(chunk)
    return count
