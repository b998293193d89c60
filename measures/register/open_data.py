"""Open-data export of the whole register: every measure with all its fields."""

import json
from collections.abc import Iterable, Iterator
from datetime import date

from sqlmodel import Session, select

from measures.core import clock, spreadsheets
from models import Measure, SourceDocument, Status

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
    "source_reference",
    "source_section",
    "source_quote",
    "version",
)


def measure_records(session: Session, as_of: date | None = None) -> list[dict]:
    """Return every measure as a plain record, ordered by code, as it stands (or stood on `as_of`).

    Set-based: the programme's state comes from `programme_as_of` (a handful of queries), the
    fields that have no history (description, source, version) from one more.
    """
    from measures.register.history import programme_as_of

    states = programme_as_of(session, as_of or clock.today())
    documents = {d.id: d for d in session.exec(select(SourceDocument)).all()}
    labels = dict(session.exec(select(Status.code, Status.label)).all())
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
            )
        ).all()
    }
    from measures.register.queries import provenance

    bases = provenance(session, session.exec(select(Measure)).all())
    records = []
    for s in states:
        m = fixed[s.id]
        document = documents.get(m.source_document_id)
        records.append(
            {
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
                "source": {
                    "document": document.key if document else None,
                    "reference": document.reference if document else None,
                    "citation": document.citation if document else None,
                    "section": m.source_section,
                    "quote": m.source_quote,
                },
                "version": m.version,
            }
        )
    return records


def to_json(records: list[dict], *, generated_on: date) -> str:
    return json.dumps({"generated_on": generated_on.isoformat(), "measures": records}, ensure_ascii=False, indent=2)


def _flat(record: dict) -> dict:
    """Return one record as the flat row of the CSV and XLSX exports."""
    return {
        **{k: record[k] for k in CSV_COLUMNS if k in record},
        "themes": "; ".join(record["themes"]),
        "co_owners": "; ".join(record["co_owners"]),
        "budget": json.dumps(record["budget"], ensure_ascii=False),
        "source_reference": record["source"]["reference"],
        "source_section": record["source"]["section"],
        "source_quote": record["source"]["quote"],
        "lead_basis": _basis_text(record["provenance"]["lead"]),
        "co_owners_basis": _basis_text(record["provenance"]["co_owners"]),
    }


def _basis_text(basis: dict | None) -> str:
    """A basis in one cell: the sentence and how its document is cited; empty where no source says it."""
    return f"{basis['quote']} ({basis['citation']})" if basis else ""


def to_csv(records: list[dict]) -> bytes:
    """Return the open-data CSV, written by the one spreadsheet writer (formulas neutralised)."""
    return spreadsheets.csv_bytes(CSV_COLUMNS, csv_rows(records))


def csv_rows(records: Iterable[dict]) -> Iterator[dict]:
    """The open-data CSV's rows, one per record, as they are asked for."""
    return (_flat(r) for r in records)


def xlsx_sheets(records: Iterable[dict]) -> list:
    """The open-data XLSX as the one sheet of a workbook, its rows made as they are written."""
    return [("Maatregelen", CSV_COLUMNS, ([_flat(r).get(c) for c in CSV_COLUMNS] for r in records))]


def to_xlsx(records: list[dict]) -> bytes:
    """Return the open-data XLSX, written by the one spreadsheet writer (formulas neutralised)."""
    return spreadsheets.xlsx_bytes(xlsx_sheets(records))


def render(records: list[dict], fmt: str, *, generated_on: date, as_of: date | None = None) -> bytes:
    """Return the open-data export in one of the formats: json, csv or xlsx."""
    if fmt == "json":
        data = json.loads(to_json(records, generated_on=generated_on))
        data["as_of"] = (as_of or generated_on).isoformat()
        data["schema"] = "/static/open-data/maatregelen.schema.json"
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return to_csv(records)
    return to_xlsx(records)
