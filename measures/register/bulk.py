"""Bulk work: the filtered list as CSV or XLSX, and an all-or-nothing import of status updates."""

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import Row
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from measures.core import clock, spreadsheets
from measures.core.permissions import Action, can
from measures.core.text import DateError, clean_text, parse_date
from measures.register import queries, services
from models import (
    Indicator,
    IndicatorMeasurement,
    Measure,
    MeasureStateInterval,
    SourceDocument,
    Status,
    StatusUpdate,
    User,
)

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
# The indicator column set: a row with an indicator records a measurement of it (with the row's
# toelichting and evidence); its status and stand_per may then be left empty.
INDICATOR_COLUMNS = ("indicator", "meting", "gemeten_per", "gemeten_precisie")
MAX_IMPORT_ROWS = 5000
MAX_CELL = 5000
MAX_LINK = 500  # the evidence link's column
# Bounds on what an import may cost, checked before and while parsing (a hostile file stops early).
MAX_IMPORT_BYTES = 4 * 1024 * 1024  # the upload itself; the app's MAX_IMPORT_BYTES overrides it
MAX_SCAN_ROWS = MAX_IMPORT_ROWS + 1000  # rows read at most, blank ones included, header included
MAX_SCAN_COLUMNS = 30  # columns read at most; the format has 12
MAX_XLSX_PARTS = 100
MAX_XLSX_PART_BYTES = 32 * 1024 * 1024  # one uncompressed part (a sheet, the shared strings)
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024


def list_rows(session: Session, flt: queries.MeasureFilter, *, today: date) -> Iterator[dict]:
    """Yield one export row per measure matching the filter today, in its order, with its latest
    status update: the list's own query, as of today.

    The measures are read EXPORT_BATCH at a time as plain columns of their state today; per batch
    one query finds the latest update of each, so memory stays flat however many measures there are.
    """
    state = MeasureStateInterval
    columns = (
        Measure.id,
        Measure.code,
        state.title,
        state.lead,
        state.themes,
        state.status_code,
        state.deadline,
        state.deadline_basis,
    )
    for batch in queries.filtered_batches(session, flt, columns, as_of=today):
        latest = _latest_updates(session, [m.id for m in batch])
        for m in batch:
            entry = latest.get(m.id)
            by_scheme = dict(key.split(":", 1) for key in json.loads(m.themes))
            yield {
                "code": m.code,
                "titel": m.title,
                "trekker": m.lead or "onbekend",
                "thema": by_scheme.get("contouren", ""),
                "actielijn": by_scheme.get("actielijn", ""),
                "status": m.status_code,
                "stand_per": entry.as_of.isoformat() if entry else "",
                "toelichting": entry.note if entry else "",
                "bewijs_document": (entry.key or "") if entry else "",
                "bewijs_link": (entry.evidence_url or "") if entry else "",
                "deadline": m.deadline.isoformat() if m.deadline else "",
                "deadline_grondslag": m.deadline_basis,
            }


def _latest_updates(session: Session, measure_ids: list[int]) -> dict[int, Row]:
    """The latest status update (by date, then by id) of each of these measures, as plain columns.

    A correlated subquery per measure (the index on measure, date and id answers it) is about twice
    as fast on SQLite as numbering the batch's updates with row_number().
    """
    later = aliased(StatusUpdate)
    latest_id = (
        select(later.id)
        .where(later.measure_id == Measure.id)
        .order_by(later.as_of.desc(), later.id.desc())
        .limit(1)
        .correlate(Measure)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            StatusUpdate.measure_id,
            StatusUpdate.as_of,
            StatusUpdate.note,
            StatusUpdate.evidence_url,
            SourceDocument.key,
        )
        .select_from(Measure)
        .join(StatusUpdate, StatusUpdate.id == latest_id)
        .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
        .where(Measure.id.in_(measure_ids))
    ).all()
    return {row.measure_id: row for row in rows}


def xlsx_sheets(rows: Iterable[dict], *, title: str = "Maatregelen") -> list:
    """The list export as the one sheet of a workbook."""
    return [(title, LIST_COLUMNS, ([row[c] for c in LIST_COLUMNS] for row in rows))]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Dutch."""


def read_rows(filename: str, content: bytes, *, max_bytes: int = MAX_IMPORT_BYTES) -> list[dict]:
    """Read a CSV or XLSX file into dicts keyed by lower-case column name, refusing it whole past any limit."""
    if len(content) > max_bytes:
        raise ImportFileError(
            f"Het bestand is groter dan {max_bytes / 1024 / 1024:.0f} MiB; er is niets ingelezen. Splits het in kleinere bestanden."
        )
    name = filename.lower()
    if name.endswith(".csv"):
        table = _csv_table(content)
    elif name.endswith(".xlsx"):
        table = _xlsx_table(content)
    else:
        raise ImportFileError("Alleen .xlsx- of .csv-bestanden.")
    header = next(table, None)
    if header is None:
        raise ImportFileError("Het bestand is leeg.")
    header = [_text(h).lower() for h in header]
    missing = [c for c in IMPORT_REQUIRED if c not in header]
    if missing:
        raise ImportFileError("Verplichte kolommen ontbreken: " + ", ".join(missing) + ".")
    rows = []
    for values in table:
        if all(_text(v) == "" for v in values):
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            raise ImportFileError(f"Hoogstens {MAX_IMPORT_ROWS} rijen per import; er is niets ingelezen.")
        rows.append({header[i]: values[i] for i in range(min(len(header), len(values)))})
    return rows


def _csv_table(content: bytes) -> Iterator[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError("Het CSV-bestand is geen UTF-8-tekst.") from error
    first_line = text.splitlines()[0] if text else ","
    try:
        dialect = csv.Sniffer().sniff(first_line[:MAX_CELL], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="" lets the reader take \n, \r\n and a lone \r (Excel for Mac) as line ends, and keeps
    # newlines inside quoted cells.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_SCAN_ROWS:
                raise ImportFileError(f"Hoogstens {MAX_IMPORT_ROWS} rijen per import; er is niets ingelezen.")
            yield row
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                f"Regel {reader.line_num}: een cel is veel te lang (meer dan {csv.field_size_limit()} tekens); er is niets ingelezen."
            ) from error
        raise ImportFileError(
            f"Het CSV-bestand kan niet worden gelezen (regel {reader.line_num}); controleer aanhalingstekens en scheidingstekens."
        ) from error


def _check_archive(content: bytes) -> None:
    """Refuse an XLSX whose zip directory promises more than we will unpack, before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError("Het XLSX-bestand kan niet worden gelezen.") from error
    if len(parts) > MAX_XLSX_PARTS:
        raise ImportFileError("Het XLSX-bestand bevat te veel onderdelen; er is niets ingelezen.")
    if any(part.file_size > MAX_XLSX_PART_BYTES for part in parts) or (
        sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES
    ):
        raise ImportFileError(
            f"Het XLSX-bestand is uitgepakt groter dan {MAX_XLSX_UNPACKED_BYTES // 1024 // 1024} MiB"
            f" (of een onderdeel groter dan {MAX_XLSX_PART_BYTES // 1024 // 1024} MiB); er is niets ingelezen."
        )


def _xlsx_table(content: bytes) -> Iterator[tuple]:
    _check_archive(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError("Het XLSX-bestand kan niet worden gelezen.") from error
    try:
        if not book.worksheets:
            raise ImportFileError("Het XLSX-bestand heeft geen werkblad.")
        sheet = book.worksheets[0]
        # The sheet's own dimension, when it states one, must fit the limits; rows and columns are
        # bounded below as well, for sheets that state none (or lie).
        if (sheet.max_row or 0) > MAX_SCAN_ROWS or (sheet.max_column or 0) > MAX_SCAN_COLUMNS:
            raise ImportFileError(
                f"Het werkblad is te groot (gebruikt gebied {sheet.max_row} rijen bij {sheet.max_column} kolommen);"
                f" hoogstens {MAX_IMPORT_ROWS} rijen en {MAX_SCAN_COLUMNS} kolommen. Er is niets ingelezen."
            )
        rows = sheet.iter_rows(min_row=1, max_row=MAX_SCAN_ROWS + 1, max_col=MAX_SCAN_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            if number > MAX_SCAN_ROWS:
                raise ImportFileError(f"Hoogstens {MAX_IMPORT_ROWS} rijen per import; er is niets ingelezen.")
            yield row
    except ImportFileError:
        raise
    except Exception as error:  # a damaged sheet only shows while it is read
        raise ImportFileError("Het XLSX-bestand kan niet worden gelezen.") from error
    finally:
        book.close()


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
    text = clean_text(str(value)).strip()
    # The export writes a cell that would run as a formula with a leading quote: read it back as written.
    if text.startswith("'") and text[1:].startswith(spreadsheets.FORMULA_STARTS):
        text = text[1:]
    return text


def _measurement_row(session, row, measure, known_indicators, documents, user, now, problems) -> tuple | None:
    """Check a row's indicator columns; add what is wrong to `problems`. The planned measurement, or None."""
    from measures.register import indicators

    indicator = known_indicators.get(_text(row.get("indicator")))
    if indicator is None or (measure is not None and indicator.measure_id != measure.id):
        problems.append(f"Onbekende indicator van deze maatregel: {_text(row.get('indicator'))}.")
    elif measure is not None and not can(session, user, Action.RECORD_MEASUREMENT, measure):
        problems.append(f"U mag geen metingen van {measure.code} vastleggen.")
    raw_value = row.get("meting")
    value = None
    try:
        value = indicators.parse_number(raw_value if isinstance(raw_value, (int, float)) else _text(raw_value))
    except ValueError as error:
        problems.append(f"Ongeldige waarde bij meting: {error}")
    precision = _text(row.get("gemeten_precisie")) or "dag"
    if precision not in indicators.DATE_PRECISIONS:
        problems.append(f"Onbekende precisie bij gemeten_precisie: {precision} (dag, maand of jaar).")
    raw_day = row.get("gemeten_per")
    day = None
    try:
        day = parse_date(raw_day if isinstance(raw_day, date) else _text(raw_day))
        day = indicators.period_end(day, precision if precision in indicators.DATE_PRECISIONS else "dag")
        if day > clock.day_of(now):
            problems.append("De datum van de meting mag niet in de toekomst liggen.")
    except DateError as error:
        problems.append(f"Ongeldige datum bij gemeten_per: {error}")
    doc_key, link, note = (
        _text(row.get("bewijs_document")),
        _text(row.get("bewijs_link")),
        _text(row.get("toelichting")),
    )
    problems += [p for p in _evidence_problems(doc_key, link, note, documents) if p not in problems]
    if problems:
        return None
    return (measure, indicator, value, day, precision, note, documents.get(doc_key), link or None)


def _evidence_problems(doc_key: str, link: str, note: str, documents: dict) -> list[str]:
    """What is wrong with a row's evidence: the same checks for a status and a measurement."""
    problems = []
    if doc_key and doc_key not in documents:
        problems.append(f"Onbekend brondocument: {doc_key}.")
    if link and not link.lower().startswith(("https://", "http://")):
        problems.append("De bewijslink moet beginnen met https://.")
    if len(link) > MAX_LINK:
        problems.append(f"De bewijslink is langer dan {MAX_LINK} tekens.")
    if len(note) > MAX_CELL:
        problems.append(f"Een cel is langer dan {MAX_CELL} tekens.")
    return problems


def _record_measurements(session: Session, measured: list[tuple], user: User, now: datetime, result) -> None:
    """Record the planned measurements; one already recorded (same indicator, date and value) is left."""
    from measures.register import indicators

    ids = {indicator.id for _m, indicator, *_rest in measured}
    existing = set(
        session.exec(
            select(IndicatorMeasurement.indicator_id, IndicatorMeasurement.measured_on, IndicatorMeasurement.value).where(
                IndicatorMeasurement.indicator_id.in_(ids)
            )
        ).all()
    ) if ids else set()  # fmt: skip
    seen = {(i, d, Decimal(v)) for i, d, v in existing}
    for measure, indicator, value, day, precision, note, document_id, link in measured:
        if (indicator.id, day, value) in seen:
            result.unchanged.append(f"{measure.code} {indicator.code}")
            continue
        indicators.record_measurement(
            session=session,
            measure=measure,
            indicator=indicator,
            value=value,
            measured_on=day,
            measured_precision=precision,
            note=note,
            evidence_document_id=document_id,
            evidence_url=link,
            recorded_by=user.label,
            recorded_by_id=user.id,
            now=now,
        )
        seen.add((indicator.id, day, value))
        result.recorded.append(f"{measure.code} {indicator.code}")


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
    measured = []
    indicator_codes = {_text(r.get("indicator")) for r in rows} - {""}
    known_indicators = (
        {i.code: i for i in session.exec(select(Indicator).where(Indicator.code.in_(indicator_codes))).all()}
        if indicator_codes
        else {}
    )
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        problems = []
        code = _text(row.get("code"))
        status_value = _text(row.get("status"))
        indicator_code = _text(row.get("indicator"))
        if indicator_code and not status_value and not _text(row.get("stand_per")):
            # a measurement only: the row's status columns are left empty
            measure = measures.get(code)
            problems = (
                (["De code ontbreekt."] if not code else [f"Onbekende maatregel: {code}."]) if measure is None else []
            )
            entry = _measurement_row(session, row, measure, known_indicators, documents, user, now, problems)
            if problems:
                result.errors[number] = problems
            else:
                measured.append(entry)
            continue
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
        raw_day = row.get("stand_per")
        try:
            as_of = parse_date(raw_day if isinstance(raw_day, date) else _text(raw_day))
            if as_of > clock.day_of(now):
                problems.append("De datum van de stand mag niet in de toekomst liggen.")
        except DateError as error:
            as_of = None
            problems.append(f"Ongeldige datum bij stand_per: {error}")
        problems += _evidence_problems(doc_key, link, note, documents)
        if measure is not None and status_code is not None and as_of is not None:
            current = statuses[measure.status_code]
            new = statuses[status_code]
            if services.needs_note(current, new) and not note:
                problems.append("Een toelichting is verplicht als de status teruggaat of de maatregel wordt beëindigd.")
        entry = None
        if indicator_code:
            entry = _measurement_row(session, row, measure, known_indicators, documents, user, now, problems)
        if problems:
            result.errors[number] = problems
        else:
            planned.append((measure, status_code, as_of, note, documents.get(doc_key), link or None))
            if entry is not None:
                measured.append(entry)
    if result.errors:
        return result
    _record_measurements(session, measured, user, now, result)
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
