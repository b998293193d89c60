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


def measure_records(session: Session) -> list[dict]:
    """Return every measure as a plain record, ordered by code."""
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
