"""Open-data export of the whole register: every measure with all its fields."""

import csv
import io
import json
from datetime import date

from sqlmodel import Session, select

from measures import services
from models import DeadlineChange, Measure, SourceDocument, Status

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
    "deadline_basis",
    "postponements",
    "budget",
    "source_reference",
    "source_section",
    "source_quote",
    "version",
)


def measure_records(session: Session, as_of: date | None = None) -> list[dict]:
    """Return every measure as a plain record, ordered by code (as it stood on `as_of`, if given)."""
    if as_of is not None:
        return _records_as_of(session, as_of)
    documents = {d.id: d for d in session.exec(select(SourceDocument)).all()}
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    postponed: dict[int, int] = {}
    for change in session.exec(select(DeadlineChange)).all():
        if change.is_postponement:
            postponed[change.measure_id] = postponed.get(change.measure_id, 0) + 1
    records = []
    for measure in session.exec(select(Measure).order_by(Measure.code)).all():
        fields = services.measure_fields(session, measure)
        document = documents.get(measure.source_document_id)
        records.append(
            {
                "code": measure.code,
                "title": fields["title"],
                "description": fields["description"],
                "announcement": measure.announcement,
                "announced_on": measure.announced_on.isoformat(),
                "themes": fields["themes"],
                "lead": fields["lead"],
                "co_owners": fields["co_owners"],
                "status": measure.status_code,
                "status_label": labels.get(measure.status_code),
                "deadline": measure.deadline.isoformat() if measure.deadline else None,
                "deadline_basis": measure.deadline_basis,
                "postponements": postponed.get(measure.id, 0),
                "budget": fields["budget"],
                "source": {
                    "document": document.key if document else None,
                    "reference": document.reference if document else None,
                    "section": fields["source_section"],
                    "quote": fields["source_quote"],
                },
                "version": measure.version,
            }
        )
    return records


def to_json(records: list[dict], *, generated_on: date) -> str:
    return json.dumps({"generated_on": generated_on.isoformat(), "measures": records}, ensure_ascii=False, indent=2)


def to_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow(
            {
                **{k: r[k] for k in CSV_COLUMNS if k in r},
                "themes": "; ".join(r["themes"]),
                "co_owners": "; ".join(r["co_owners"]),
                "budget": json.dumps(r["budget"], ensure_ascii=False),
                "source_reference": r["source"]["reference"],
                "source_section": r["source"]["section"],
                "source_quote": r["source"]["quote"],
            }
        )
    return out.getvalue()


def _records_as_of(session: Session, as_of: date) -> list[dict]:
    from measures.history import programme_as_of

    current = {r["code"]: r for r in measure_records(session)}
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    records = []
    for s in programme_as_of(session, as_of):
        record = dict(current[s.code])
        record.update(
            {
                "title": s.title,
                "themes": s.themes,
                "lead": s.lead,
                "co_owners": s.co_owners,
                "status": s.status_code,
                "status_label": labels.get(s.status_code),
                "deadline": s.deadline.isoformat() if s.deadline else None,
                "deadline_basis": s.deadline_basis,
                "postponements": s.postponements,
                "budget": s.budget,
            }
        )
        records.append(record)
    return records


def to_xlsx(records: list[dict]) -> bytes:
    from openpyxl import Workbook

    rows = list(csv.DictReader(io.StringIO(to_csv(records))))
    book = Workbook()
    sheet = book.active
    sheet.title = "Maatregelen"
    sheet.append(list(CSV_COLUMNS))
    for row in rows:
        sheet.append([("'" + row[c] if row[c][:1] in "=+-@" else row[c]) for c in CSV_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(records: list[dict], fmt: str, *, generated_on: date, as_of: date | None = None) -> bytes:
    """Return the open-data export in one of the formats: json, csv or xlsx."""
    if fmt == "json":
        data = json.loads(to_json(records, generated_on=generated_on))
        data["as_of"] = (as_of or generated_on).isoformat()
        data["schema"] = "/static/open-data/maatregelen.schema.json"
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return to_csv(records).encode("utf-8")
    return to_xlsx(records)
