"""The verbs of the register. Every writer (views, CLI, seed, API, scheduler) goes through here.

Services take a keyword-only `session` and an explicit `now`; they flush but never commit:
the caller owns the transaction, so a multi-step change is all or nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, select

from measures.core import clock
from measures.core.text import DateError, check_date_range, clean_text
from measures.register import states
from models import (
    AuditRecord,
    BudgetLine,
    DeadlineChange,
    Measure,
    MeasureAlias,
    MeasureCoOwner,
    MeasureTheme,
    Organisation,
    SourceDocument,
    Status,
    StatusUpdate,
    Theme,
    ThemeScheme,
)
from models.measure import JOINT_LEAD

# The fields an edit may change, in the order the audit trail shows them.
DATE_PRECISIONS = ("dag", "maand", "jaar")
EDITABLE_FIELDS = ("title", "description", "lead", "co_owners", "themes", "budget", "source_section", "source_quote")


class ServiceError(ValueError):
    """A change that the rules refuse; the message is Dutch and meant for the user."""


@dataclass
class Change:
    """One thing that happened to a measure, for showing to an editor who was too late."""

    at: datetime
    by: str
    what: str
    old: str | None = None
    new: str | None = None


class EditConflict(ServiceError):
    """The measure changed since the editor loaded it."""

    def __init__(self, measure: Measure, changes: list[Change]):
        super().__init__("Iemand anders heeft deze maatregel intussen gewijzigd. Uw wijziging is niet opgeslagen.")
        self.measure = measure
        self.changes = changes


@dataclass
class BudgetInput:
    amount: Decimal
    kind: str
    per: str
    from_year: int
    to_year: int | None = None
    funding: str = "onbekend"
    quote: str = ""
    # The key of the document the quote is from, when it is not the measure's own source document.
    document: str | None = None

    def as_dict(self) -> dict:
        data = {
            "amount": str(Decimal(self.amount).quantize(Decimal("0.01"))),
            "kind": self.kind,
            "per": self.per,
            "from_year": self.from_year,
            "to_year": self.to_year,
            "funding": self.funding,
            "quote": self.quote,
        }
        if self.document:
            data["document"] = self.document
        return data


@dataclass
class MeasureInput:
    """The editable content of a measure, by codes and keys rather than ids."""

    title: str
    description: str = ""
    lead: str | None = None
    co_owners: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    budget: list[BudgetInput] = field(default_factory=list)
    source_section: str = ""
    source_quote: str = ""

    def __post_init__(self):
        # Every text a measure gets passes here, whether from a form, the API, an import or the catalogue.
        self.title = clean_text(self.title)
        self.description = clean_text(self.description)
        self.source_section = clean_text(self.source_section)
        self.source_quote = clean_text(self.source_quote)

    def as_fields(self) -> dict:
        return {
            "title": self.title,
            "description": self.description,
            "lead": self.lead,
            "co_owners": sorted(self.co_owners),
            "themes": sorted(self.themes),
            "budget": [line.as_dict() for line in self.budget],
            "source_section": self.source_section,
            "source_quote": self.source_quote,
        }


def _organisation_ids(session: Session, abbreviations) -> dict[str, int]:
    wanted = set(abbreviations)
    if not wanted:
        return {}
    rows = session.exec(
        select(Organisation.abbreviation, Organisation.id).where(Organisation.abbreviation.in_(wanted))
    ).all()
    found = dict(rows)
    missing = wanted - found.keys()
    if missing:
        raise ServiceError("Onbekende organisatie: " + ", ".join(sorted(missing)))
    return found


def _theme_rows(session: Session, keys) -> list[tuple[int, int, str]]:
    """Resolve 'scheme:code' keys to (theme_id, scheme_id, key); refuse two themes of one scheme."""
    result = []
    seen_schemes = set()
    for key in keys:
        scheme_code, _, theme_code = key.partition(":")
        row = session.exec(
            select(Theme.id, ThemeScheme.id)
            .join(ThemeScheme, Theme.scheme_id == ThemeScheme.id)
            .where(ThemeScheme.code == scheme_code, Theme.code == theme_code)
        ).first()
        if row is None:
            raise ServiceError(f"Onbekend thema: {key}")
        if row[1] in seen_schemes:
            raise ServiceError("Een maatregel heeft per indeling hoogstens één thema.")
        seen_schemes.add(row[1])
        result.append((row[0], row[1], key))
    return result


def measure_fields(session: Session, measure: Measure) -> dict:
    """Return the editable fields of a measure as plain, comparable data."""
    lead = JOINT_LEAD if measure.lead_joint else None
    if measure.lead_organisation_id is not None:
        lead = session.get(Organisation, measure.lead_organisation_id).abbreviation
    co_owners = session.exec(
        select(Organisation.abbreviation)
        .join(MeasureCoOwner, MeasureCoOwner.organisation_id == Organisation.id)
        .where(MeasureCoOwner.measure_id == measure.id)
    ).all()
    themes = session.exec(
        select(ThemeScheme.code, Theme.code)
        .join(Theme, Theme.scheme_id == ThemeScheme.id)
        .join(MeasureTheme, MeasureTheme.theme_id == Theme.id)
        .where(MeasureTheme.measure_id == measure.id)
    ).all()
    budget = session.exec(select(BudgetLine).where(BudgetLine.measure_id == measure.id).order_by(BudgetLine.id)).all()
    document_keys = _document_keys(session, {b.document_id for b in budget} - {None})
    return {
        "title": measure.title,
        "description": measure.description,
        "lead": lead,
        "co_owners": sorted(co_owners),
        "themes": sorted(f"{s}:{t}" for s, t in themes),
        "budget": [
            BudgetInput(
                b.amount, b.kind, b.per, b.from_year, b.to_year, b.funding, b.quote, document_keys.get(b.document_id)
            ).as_dict()
            for b in budget
        ],
        "source_section": measure.source_section,
        "source_quote": measure.source_quote,
    }


def _document_keys(session: Session, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(SourceDocument.id, SourceDocument.key).where(SourceDocument.id.in_(ids))).all())


def _apply_fields(session: Session, measure: Measure, values: dict, only: set[str]) -> None:
    """Write the fields in `only`. A changed owner or theme loses its basis: whoever changes it
    now asserts it (the audit trail says who); `set_provenance` gives it a source again."""
    if "title" in only:
        measure.title = values["title"]
    if "description" in only:
        measure.description = values["description"]
    if "source_section" in only:
        measure.source_section = values["source_section"]
    if "source_quote" in only:
        measure.source_quote = values["source_quote"]
    if "lead" in only:
        lead = values["lead"]
        measure.lead_joint = lead == JOINT_LEAD
        measure.lead_organisation_id = _organisation_ids(session, [lead])[lead] if lead and lead != JOINT_LEAD else None
        measure.lead_basis, measure.lead_basis_document_id = "", None
    if "co_owners" in only:
        ids = _organisation_ids(session, values["co_owners"])
        for link in session.exec(select(MeasureCoOwner).where(MeasureCoOwner.measure_id == measure.id)).all():
            session.delete(link)
        session.flush()
        for org_id in ids.values():
            session.add(MeasureCoOwner(measure_id=measure.id, organisation_id=org_id))
        measure.co_owners_basis, measure.co_owners_basis_document_id = "", None
    if "themes" in only:
        rows = _theme_rows(session, values["themes"])
        for link in session.exec(select(MeasureTheme).where(MeasureTheme.measure_id == measure.id)).all():
            session.delete(link)
        session.flush()
        for theme_id, scheme_id, _key in rows:
            session.add(MeasureTheme(measure_id=measure.id, theme_id=theme_id, scheme_id=scheme_id))
    if "budget" in only:
        for line in session.exec(select(BudgetLine).where(BudgetLine.measure_id == measure.id)).all():
            session.delete(line)
        session.flush()
        documents = {line["document"] for line in values["budget"] if line.get("document")}
        document_ids = {key: id_ for id_, key in _document_keys_by_key(session, documents).items()}
        for line in values["budget"]:
            fields = {name: value for name, value in line.items() if name != "document"}
            session.add(
                BudgetLine(
                    measure_id=measure.id,
                    **{**fields, "amount": Decimal(line["amount"])},
                    document_id=document_ids.get(line.get("document")),
                )
            )


def _document_keys_by_key(session: Session, keys) -> dict[int, str]:
    if not keys:
        return {}
    rows = dict(session.exec(select(SourceDocument.id, SourceDocument.key).where(SourceDocument.key.in_(keys))).all())
    missing = set(keys) - set(rows.values())
    if missing:
        raise ServiceError("Onbekend brondocument: " + ", ".join(sorted(missing)))
    return rows


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _audit_records(
    measure: Measure, before: dict, after: dict, names, *, changed_by: str, changed_by_id: int | None, now: datetime
) -> list[AuditRecord]:
    """One audit record per changed field: old and new value, who and when, at the new version."""
    return [
        AuditRecord(
            measure_id=measure.id,
            field=name,
            old_value=_dump(before[name]),
            new_value=_dump(after[name]),
            changed_by=changed_by,
            changed_by_id=changed_by_id,
            changed_at=now,
            measure_version=measure.version,
        )
        for name in names
    ]


def create_measure(
    *,
    session: Session,
    code: str,
    content: MeasureInput,
    announcement: str,
    announced_on: date,
    source_document_id: int | None,
    recorded_by: str,
    now: datetime,
) -> Measure:
    """Create a measure with its owners, themes and budget; its status starts as 'onbekend'."""
    code = code.strip()
    if not code:
        raise ServiceError("Een maatregel heeft een code nodig.")
    if session.exec(select(Measure.id).where(Measure.code == code)).first() is not None:
        raise ServiceError(f"De code {code} is al in gebruik.")
    if not content.title.strip():
        raise ServiceError("Een maatregel heeft een titel nodig.")
    measure = Measure(
        code=code,
        title=content.title.strip(),
        announcement=announcement,
        announced_on=announced_on,
        source_document_id=source_document_id,
        created_at=now,
        updated_at=now,
    )
    session.add(measure)
    session.flush()
    _apply_fields(session, measure, content.as_fields(), set(EDITABLE_FIELDS))
    session.flush()
    states.refresh(session, [measure.id])
    return measure


@dataclass(frozen=True)
class Basis:
    """Where an asserted field comes from: a sentence and the document it is from.

    `by_register` marks a choice of the register itself (a theme the source does not give); an
    empty basis means the sources are silent, or a person set the field (the history says who).
    """

    text: str = ""
    document_id: int | None = None
    by_register: bool = False


def _provenance(session: Session, measure: Measure) -> dict:
    themes = session.exec(
        select(ThemeScheme.code, MeasureTheme.basis, MeasureTheme.basis_document_id, MeasureTheme.by_register)
        .join(MeasureTheme, MeasureTheme.scheme_id == ThemeScheme.id)
        .where(MeasureTheme.measure_id == measure.id)
    ).all()
    return {
        "lead_basis": [measure.lead_basis, measure.lead_basis_document_id],
        "co_owners_basis": [measure.co_owners_basis, measure.co_owners_basis_document_id],
        "theme_basis": {
            code: [basis, document_id, by_register] for code, basis, document_id, by_register in sorted(themes)
        },
    }


def set_provenance(
    *,
    session: Session,
    measure: Measure,
    lead: Basis,
    co_owners: Basis,
    themes: dict[str, Basis],
    changed_by: str,
    now: datetime,
    initial: bool = False,
) -> list[AuditRecord]:
    """Record where the owners and themes come from; each changed basis is an audit record
    (not when `initial`: the bases a measure is created with are part of its creation)."""
    before = _provenance(session, measure)
    measure.lead_basis, measure.lead_basis_document_id = clean_text(lead.text).strip(), lead.document_id
    measure.co_owners_basis = clean_text(co_owners.text).strip()
    measure.co_owners_basis_document_id = co_owners.document_id
    links = session.exec(
        select(MeasureTheme, ThemeScheme.code)
        .join(ThemeScheme, MeasureTheme.scheme_id == ThemeScheme.id)
        .where(MeasureTheme.measure_id == measure.id)
    ).all()
    for link, scheme_code in links:
        basis = themes.get(scheme_code, Basis())
        link.basis, link.by_register = clean_text(basis.text).strip(), basis.by_register
        link.basis_document_id = basis.document_id
        session.add(link)
    session.add(measure)
    session.flush()
    after = _provenance(session, measure)
    changed = [] if initial else [name for name in after if before[name] != after[name]]
    records = _audit_records(measure, before, after, changed, changed_by=changed_by, changed_by_id=None, now=now)
    session.add_all(records)
    session.flush()
    return records


def merge_measure(
    *, session: Session, code: str, into: Measure, reason: str, merged_by: str, now: datetime
) -> MeasureAlias:
    """Make `code` an alias of `into`: the same commitment recorded twice. Nothing is deleted.

    A measure that still has the code (seeded before the merge) keeps its history; it is closed
    with a status update that says where it went, and its address redirects like any alias.
    """
    reason = clean_text(reason).strip()
    if not reason:
        raise ServiceError("Geef een reden voor het samenvoegen.")
    if code == into.code:
        raise ServiceError("Een maatregel kan niet met zichzelf worden samengevoegd.")
    alias = session.get(MeasureAlias, code)
    if alias is not None:
        if alias.measure_id != into.id:
            raise ServiceError(f"De code {code} is al samengevoegd met een andere maatregel.")
        return alias
    if session.exec(select(MeasureAlias).where(MeasureAlias.code == into.code)).first() is not None:
        raise ServiceError(f"{into.code} is zelf samengevoegd; voeg samen met de maatregel waar die naar verwijst.")
    old = session.exec(select(Measure).where(Measure.code == code)).first()
    if old is not None:
        record_status(
            session=session,
            measure=old,
            status_code="beeindigd",
            as_of=clock.day_of(now),
            note=f"Samengevoegd met {into.code}: {reason}",
            recorded_by=merged_by,
            now=now,
        )
        session.add(
            AuditRecord(
                measure_id=old.id,
                field="merged",
                old_value=None,
                new_value=_dump(into.code),
                changed_by=merged_by,
                changed_at=now,
                measure_version=old.version,
            )
        )
    alias = MeasureAlias(code=code, measure_id=into.id, reason=reason, recorded_at=now)
    session.add(alias)
    session.flush()
    return alias


def changes_since(session: Session, measure_id: int, version: int) -> list[Change]:
    """Return what changed on a measure after `version`: field edits, statuses and deadlines."""
    changes = [
        Change(a.changed_at, a.changed_by, a.field, a.old_value, a.new_value)
        for a in session.exec(
            select(AuditRecord).where(AuditRecord.measure_id == measure_id, AuditRecord.measure_version > version)
        ).all()
    ]
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    changes += [
        Change(
            u.recorded_at,
            u.recorded_by,
            "status",
            None,
            f"{labels.get(u.status_code, u.status_code)} per {u.as_of:%d-%m-%Y}: {u.note}".rstrip(": "),
        )
        for u in session.exec(
            select(StatusUpdate).where(StatusUpdate.measure_id == measure_id, StatusUpdate.measure_version > version)
        ).all()
    ]
    changes += [
        Change(
            d.recorded_at,
            d.recorded_by,
            "deadline",
            d.old_deadline.strftime("%d-%m-%Y") if d.old_deadline else None,
            (d.new_deadline.strftime("%d-%m-%Y") if d.new_deadline else "onbekend") + f" ({d.reason})",
        )
        for d in session.exec(
            select(DeadlineChange).where(
                DeadlineChange.measure_id == measure_id, DeadlineChange.measure_version > version
            )
        ).all()
    ]
    from measures.register.indicators import number
    from models import Indicator, IndicatorMeasurement, IndicatorRetirement

    names = {}
    for i in session.exec(select(Indicator).where(Indicator.measure_id == measure_id)).all():
        names[i.id] = i.name
        if i.measure_version is not None and i.measure_version > version:
            changes.append(
                Change(
                    i.recorded_at,
                    i.recorded_by,
                    "indicator",
                    None,
                    f"{i.name}: streefwaarde {number(i.target_value)} {i.unit}",
                )
            )
    changes += [
        Change(
            m.recorded_at,
            m.recorded_by,
            "meting",
            None,
            f"{names.get(m.indicator_id, '')}: {number(m.value)} per {m.measured_on:%d-%m-%Y}",
        )
        for m in session.exec(
            select(IndicatorMeasurement).where(
                IndicatorMeasurement.measure_id == measure_id, IndicatorMeasurement.measure_version > version
            )
        ).all()
    ]
    changes += [
        Change(
            r.recorded_at,
            r.recorded_by,
            "indicator",
            names.get(r.indicator_id),
            f"ingetrokken per {r.retired_on:%d-%m-%Y}: {r.reason}",
        )
        for r in session.exec(
            select(IndicatorRetirement).where(
                IndicatorRetirement.measure_id == measure_id, IndicatorRetirement.measure_version > version
            )
        ).all()
    ]
    return sorted(changes, key=lambda c: c.at)


def _claim_version(session: Session, measure: Measure, expected_version: int | None, now: datetime) -> None:
    """Bump the version if it is still `expected_version`; otherwise raise EditConflict.

    Without an expected version (a writer that read nothing it could overwrite, such as an API
    client appending a status) the bump is unconditional and atomic, so concurrent appends
    serialise in the database instead of failing.
    """
    if expected_version is None:
        new_version = session.execute(
            update(Measure)
            .where(Measure.id == measure.id)
            .values(version=Measure.version + 1, updated_at=now)
            .returning(Measure.version)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        measure.version = new_version
        measure.updated_at = now
        return
    expected = expected_version
    result = session.execute(
        update(Measure)
        .where(Measure.id == measure.id, Measure.version == expected)
        .values(version=expected + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(measure)
        raise EditConflict(measure, changes_since(session, measure.id, expected))
    measure.version = expected + 1
    measure.updated_at = now


def append_history(session: Session, measure: Measure, entry, *, expected_version: int | None, now: datetime):
    """Append one row to a measure's history (an indicator, a measurement, a withdrawal): claim the
    measure's version (EditConflict when stale), stamp the row with the new version, and bring the
    projection in line, all in the caller's transaction. Returns the row."""
    _claim_version(session, measure, expected_version, now)
    entry.measure_version = measure.version
    session.add(entry)
    session.flush()
    states.refresh(session, [measure.id])
    return entry


def edit_measure(
    *,
    session: Session,
    measure: Measure,
    content: MeasureInput,
    changed_by: str,
    now: datetime,
    changed_by_id: int | None = None,
    expected_version: int | None = None,
    only: set[str] | None = None,
) -> list[AuditRecord]:
    """Change a measure's fields, writing one audit record per changed field."""
    if not content.title.strip():
        raise ServiceError("Een maatregel heeft een titel nodig.")
    before = measure_fields(session, measure)
    after = content.as_fields()
    fields = set(EDITABLE_FIELDS) if only is None else set(only)
    changed = [name for name in EDITABLE_FIELDS if name in fields and before[name] != after[name]]
    _claim_version(session, measure, expected_version, now)
    if not changed:
        return []
    _apply_fields(session, measure, after, set(changed))
    records = _audit_records(
        measure, before, after, changed, changed_by=changed_by, changed_by_id=changed_by_id, now=now
    )
    session.add_all(records)
    session.add(measure)
    session.flush()
    states.refresh(session, [measure.id])
    return records


def latest_status_code(session: Session, measure_id: int) -> str:
    """Return the status of the latest update (by the date it applies to, then by insertion)."""
    row = session.exec(
        select(StatusUpdate.status_code)
        .where(StatusUpdate.measure_id == measure_id)
        .order_by(StatusUpdate.as_of.desc(), StatusUpdate.id.desc())
        .limit(1)
    ).first()
    return row if row is not None else "onbekend"


NOTE_REQUIRED = "Leg uit waarom de status teruggaat of de maatregel wordt beëindigd."


def needs_note(current: Status | None, new: Status) -> bool:
    """Whether changing from `current` to `new` must be explained: the status goes back (a lower
    rank) or the measure is ended. Recording the same status again is no change to explain."""
    if current is None or new.code == current.code:
        return False
    return new.rank < current.rank or new.code == "beeindigd"


def record_status(
    *,
    session: Session,
    measure: Measure,
    status_code: str,
    as_of: date,
    note: str,
    recorded_by: str,
    now: datetime,
    evidence_document_id: int | None = None,
    evidence_url: str | None = None,
    evidence_quote: str | None = None,
    reports_problem: bool = False,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
    as_of_precision: str = "dag",
) -> StatusUpdate:
    """Append a status update and bring the measure's current status in line with its history.

    `as_of_precision` says how much of `as_of` is known: for a month or a year, `as_of` is the last
    day of that period.
    """
    status = session.get(Status, status_code)
    if status is None:
        raise ServiceError(f"Onbekende status: {status_code}")
    if as_of_precision not in DATE_PRECISIONS:
        raise ServiceError(f"Onbekende precisie van de datum: {as_of_precision}")
    if as_of > clock.day_of(now):
        raise ServiceError("De datum van de stand mag niet in de toekomst liggen.")
    try:
        check_date_range(as_of)
    except DateError as error:
        raise ServiceError(f"Ongeldige datum van de stand: {error}") from error
    note = clean_text(note)
    if needs_note(session.get(Status, measure.status_code), status) and not note.strip():
        raise ServiceError(NOTE_REQUIRED)
    _claim_version(session, measure, expected_version, now)
    entry = StatusUpdate(
        measure_id=measure.id,
        status_code=status_code,
        as_of_precision=as_of_precision,
        as_of=as_of,
        note=note.strip(),
        evidence_document_id=evidence_document_id,
        evidence_url=evidence_url or None,
        evidence_quote=evidence_quote,
        reports_problem=reports_problem,
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
        measure_version=measure.version,
    )
    session.add(entry)
    session.flush()
    measure.status_code = latest_status_code(session, measure.id)
    session.add(measure)
    session.flush()
    states.refresh(session, [measure.id])
    return entry


def change_deadline(
    *,
    session: Session,
    measure: Measure,
    new_deadline: date | None,
    basis: str,
    reason: str,
    decided_on: date,
    recorded_by: str,
    now: datetime,
    evidence_document_id: int | None = None,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
    precision: str = "dag",
) -> DeadlineChange:
    """Append a deadline change (old -> new, with its reason) and update the measure's deadline.

    `precision` says how much of the new deadline is known: for a month or a year, `new_deadline`
    is the period's last day (the same conservative rule as a status update's date).
    """
    reason, basis = clean_text(reason), clean_text(basis)
    if not reason.strip():
        raise ServiceError("Geef een reden voor de wijziging van de deadline.")
    if precision not in DATE_PRECISIONS:
        raise ServiceError(f"Onbekende precisie van de datum: {precision}")
    if new_deadline is not None:
        try:
            check_date_range(new_deadline)
        except DateError as error:
            raise ServiceError(f"Ongeldige deadline: {error}") from error
    _claim_version(session, measure, expected_version, now)
    entry = DeadlineChange(
        measure_id=measure.id,
        old_deadline=measure.deadline,
        new_deadline=new_deadline,
        new_deadline_precision=precision,
        basis=basis.strip() or "onbekend",
        reason=reason.strip(),
        decided_on=decided_on,
        evidence_document_id=evidence_document_id,
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
        measure_version=measure.version,
    )
    session.add(entry)
    measure.deadline = new_deadline
    measure.deadline_precision = precision
    measure.deadline_basis = entry.basis
    session.add(measure)
    session.flush()
    states.refresh(session, [measure.id])
    return entry
