"""Bulk work: the filtered list as CSV or XLSX, and an all-or-nothing import of status updates."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select

from measures import services
from measures.permissions import Action, can
from measures.queries import themes_for
from models import Measure, Organisation, SourceDocument, Status, StatusUpdate, User

# The export's columns; the import reads the same file back (see IMPORT_COLUMNS).
LIST_COLUMNS = (
    "code",
    "titel",
    "trekker",
    "thema",
    "actielijn",
    "status",
    "stand_per",
    "toelichting",
    "bewijs_document",
    "bewijs_link",
    "deadline",
    "deadline_grondslag",
)
IMPORT_REQUIRED = ("code", "status", "stand_per")
IMPORT_OPTIONAL = ("toelichting", "bewijs_document", "bewijs_link")
MAX_IMPORT_ROWS = 5000
MAX_CELL = 5000


def list_rows(session: Session, measures: list[Measure]) -> list[dict]:
    """Return one export row per measure, with its latest status update (one query each kind)."""
    ids = [m.id for m in measures]
    orgs = dict(session.exec(select(Organisation.id, Organisation.abbreviation)).all())
    documents = dict(session.exec(select(SourceDocument.id, SourceDocument.key)).all())
    latest: dict[int, StatusUpdate] = {}
    if ids:
        for entry in session.exec(
            select(StatusUpdate)
            .where(StatusUpdate.measure_id.in_(ids))
            .order_by(StatusUpdate.measure_id, StatusUpdate.as_of, StatusUpdate.id)
        ).all():
            latest[entry.measure_id] = entry
    themes = themes_for(session, ids)
    rows = []
    for m in measures:
        entry = latest.get(m.id)
        by_scheme = {t["scheme"]: t["code"] for t in themes.get(m.id, [])}
        rows.append(
            {
                "code": m.code,
                "titel": m.title,
                "trekker": orgs.get(m.lead_organisation_id, "onbekend"),
                "thema": by_scheme.get("contouren", ""),
                "actielijn": by_scheme.get("actielijn", ""),
                "status": m.status_code,
                "stand_per": entry.as_of.isoformat() if entry else "",
                "toelichting": entry.note if entry else "",
                "bewijs_document": documents.get(entry.evidence_document_id, "") if entry else "",
                "bewijs_link": (entry.evidence_url or "") if entry else "",
                "deadline": m.deadline.isoformat() if m.deadline else "",
                "deadline_grondslag": m.deadline_basis,
            }
        )
    return rows


def _safe_cell(value: str) -> str:
    # A cell starting with =, +, - or @ would run as a formula in a spreadsheet: make it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe_cell(str(v)) for k, v in row.items()})
    return out.getvalue()


def to_xlsx(rows: list[dict], *, title: str = "Maatregelen") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(LIST_COLUMNS))
    for row in rows:
        sheet.append([_safe_cell(str(row[c])) for c in LIST_COLUMNS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Dutch."""


def read_rows(filename: str, content: bytes) -> list[dict]:
    """Read a CSV or XLSX file into dicts keyed by lower-case column name."""
    name = filename.lower()
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError("Het CSV-bestand is geen UTF-8-tekst.") from error
        try:
            dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        table = list(csv.reader(io.StringIO(text), dialect))
    elif name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError("Het XLSX-bestand kan niet worden gelezen.") from error
        sheet = book.worksheets[0]
        table = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        raise ImportFileError("Alleen .xlsx- of .csv-bestanden.")
    if not table:
        raise ImportFileError("Het bestand is leeg.")
    header = [str(h).strip().lower() for h in table[0]]
    missing = [c for c in IMPORT_REQUIRED if c not in header]
    if missing:
        raise ImportFileError("Verplichte kolommen ontbreken: " + ", ".join(missing) + ".")
    rows = []
    for values in table[1:]:
        if all(str(v).strip() == "" for v in values):
            continue
        rows.append({header[i]: values[i] for i in range(min(len(header), len(values)))})
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportFileError(f"Hoogstens {MAX_IMPORT_ROWS} rijen per import.")
    return rows


@dataclass
class ImportResult:
    errors: dict[int, list[str]] = field(default_factory=dict)  # spreadsheet row number -> messages
    recorded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def import_statuses(*, session: Session, rows: list[dict], user: User, now: datetime) -> ImportResult:
    """Validate every row, then record them all, or none: the caller commits only when result.ok."""
    result = ImportResult()
    statuses = {s.code: s for s in session.exec(select(Status)).all()}
    labels = {s.label.lower(): s.code for s in statuses.values()}
    documents = dict(session.exec(select(SourceDocument.key, SourceDocument.id)).all())
    measures = {
        m.code: m
        for m in session.exec(select(Measure).where(Measure.code.in_({_text(r.get("code")) for r in rows}))).all()
    }
    planned = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        problems = []
        code = _text(row.get("code"))
        status_value = _text(row.get("status"))
        status_code = status_value if status_value in statuses else labels.get(status_value.lower())
        note = _text(row.get("toelichting"))
        doc_key = _text(row.get("bewijs_document"))
        link = _text(row.get("bewijs_link"))
        measure = measures.get(code)
        if not code:
            problems.append("De code ontbreekt.")
        elif measure is None:
            problems.append(f"Onbekende maatregel: {code}.")
        elif not can(session, user, Action.RECORD_STATUS, measure):
            problems.append(f"U mag de status van {code} niet wijzigen.")
        if status_code is None:
            problems.append(f"Onbekende status: {status_value or '(leeg)'}.")
        try:
            as_of = date.fromisoformat(_text(row.get("stand_per"))[:10])
            if as_of > now.date():
                problems.append("De datum van de stand mag niet in de toekomst liggen.")
        except ValueError:
            as_of = None
            problems.append("Ongeldige datum bij stand_per; gebruik JJJJ-MM-DD.")
        if doc_key and doc_key not in documents:
            problems.append(f"Onbekend brondocument: {doc_key}.")
        if link and not link.lower().startswith(("https://", "http://")):
            problems.append("De bewijslink moet beginnen met https://.")
        if any(len(v) > MAX_CELL for v in (note, link)):
            problems.append(f"Een cel is langer dan {MAX_CELL} tekens.")
        if measure is not None and status_code is not None and as_of is not None:
            current = statuses[measure.status_code]
            new = statuses[status_code]
            if (new.rank < current.rank or new.code == "beeindigd") and not note and new.code != current.code:
                problems.append("Een toelichting is verplicht als de status teruggaat of de maatregel wordt beëindigd.")
        if problems:
            result.errors[number] = problems
        else:
            planned.append((measure, status_code, as_of, note, documents.get(doc_key), link or None))
    if result.errors:
        return result
    # The latest update of every imported measure, in one query; kept current as rows are recorded.
    latest: dict[int, tuple] = {}
    for measure_id, code, day, text in session.exec(
        select(StatusUpdate.measure_id, StatusUpdate.status_code, StatusUpdate.as_of, StatusUpdate.note)
        .where(StatusUpdate.measure_id.in_({m.id for m, *_ in planned}))
        .order_by(StatusUpdate.measure_id, StatusUpdate.as_of, StatusUpdate.id)
    ).all():
        latest[measure_id] = (code, day, text)
    for measure, status_code, as_of, note, document_id, link in planned:
        if latest.get(measure.id) == (status_code, as_of, note):
            result.unchanged.append(measure.code)  # the exported row, read back unchanged
            continue
        services.record_status(
            session=session,
            measure=measure,
            status_code=status_code,
            as_of=as_of,
            note=note,
            recorded_by=user.label,
            recorded_by_id=user.id,
            now=now,
            evidence_document_id=document_id,
            evidence_url=link,
        )
        if measure.id not in latest or as_of >= latest[measure.id][1]:
            latest[measure.id] = (status_code, as_of, note)
        result.recorded.append(measure.code)
    return result
