"""The programme as it stood on any date, rebuilt from the append-only history.

Everything here is set-based: a handful of queries for the whole programme, never one per
measure. Status and deadline come from their dated histories (`as_of`, `decided_on`); fields
that are edited in place (title, owners, themes, budget) are rolled back with the audit records
made after the date.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func
from sqlmodel import Session, select

from models import (
    AuditRecord,
    BudgetLine,
    DeadlineChange,
    Measure,
    MeasureCoOwner,
    MeasureTheme,
    Organisation,
    SourceDocument,
    StatusUpdate,
    Theme,
    ThemeScheme,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROLLED_BACK_FIELDS = ("title", "lead", "co_owners", "themes", "budget")


def end_of_day(day: date) -> datetime:
    """Return the last moment of `day` in Amsterdam, in UTC: 'as of a date' includes that whole day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=AMSTERDAM).astimezone(UTC)


@dataclass(frozen=True)
class UpdateFact:
    status_code: str
    as_of: date
    note: str
    document_key: str | None
    document_reference: str | None
    document_kind: str | None
    evidence_url: str | None
    reports_problem: bool
    recorded_by: str

    @property
    def evidence(self) -> str | None:
        return self.document_reference or self.evidence_url


@dataclass
class MeasureState:
    id: int
    code: str
    title: str
    announced_on: date
    lead: str | None
    co_owners: list[str]
    themes: list[str]
    budget: list[dict]
    status_code: str
    deadline: date | None
    deadline_basis: str
    postponements: int
    latest: UpdateFact | None
    latest_evidenced: UpdateFact | None
    updates: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def last_update_on(self) -> date | None:
        return self.latest.as_of if self.latest else None


def _latest_updates(session: Session, as_of: date, *, evidenced: bool) -> dict[int, UpdateFact]:
    conditions = [StatusUpdate.as_of <= as_of]
    if evidenced:
        conditions.append((StatusUpdate.evidence_document_id.is_not(None)) | (StatusUpdate.evidence_url.is_not(None)))
    ranked = (
        select(
            StatusUpdate.id,
            func.row_number()
            .over(partition_by=StatusUpdate.measure_id, order_by=(StatusUpdate.as_of.desc(), StatusUpdate.id.desc()))
            .label("rank"),
        )
        .where(*conditions)
        .subquery()
    )
    rows = session.exec(
        select(StatusUpdate, SourceDocument.key, SourceDocument.reference, SourceDocument.kind)
        .join(ranked, and_(ranked.c.id == StatusUpdate.id, ranked.c.rank == 1))
        .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
    ).all()
    return {
        u.measure_id: UpdateFact(
            u.status_code, u.as_of, u.note, key, reference, kind, u.evidence_url, bool(u.reports_problem), u.recorded_by
        )
        for u, key, reference, kind in rows
    }


def _deadlines(session: Session, as_of: date) -> dict[int, tuple[date | None, str, int]]:
    ranked = (
        select(
            DeadlineChange.id,
            func.row_number()
            .over(partition_by=DeadlineChange.measure_id, order_by=(DeadlineChange.decided_on.desc(), DeadlineChange.id.desc()))
            .label("rank"),
        )
        .where(DeadlineChange.decided_on <= as_of)
        .subquery()
    )
    latest = session.exec(
        select(DeadlineChange.measure_id, DeadlineChange.new_deadline, DeadlineChange.basis).join(
            ranked, and_(ranked.c.id == DeadlineChange.id, ranked.c.rank == 1)
        )
    ).all()
    postponed = dict(
        session.exec(
            select(
                DeadlineChange.measure_id,
                func.sum(case((DeadlineChange.new_deadline > DeadlineChange.old_deadline, 1), else_=0)),
            )
            .where(DeadlineChange.decided_on <= as_of)
            .group_by(DeadlineChange.measure_id)
        ).all()
    )
    return {mid: (new, basis, int(postponed.get(mid) or 0)) for mid, new, basis in latest}


def _rollback(current: dict[int, dict], session: Session, moment: datetime, ids: set[int]) -> None:
    """Undo the field edits made after `moment`: the oldest later record's old value is the value then."""
    records = session.exec(
        select(AuditRecord)
        .where(AuditRecord.changed_at > moment, AuditRecord.field.in_(ROLLED_BACK_FIELDS))
        .order_by(AuditRecord.changed_at.desc(), AuditRecord.id.desc())
    ).all()
    for record in records:  # newest first, so the oldest later record is applied last
        if record.measure_id in ids:
            current[record.measure_id][record.field] = json.loads(record.old_value) if record.old_value is not None else None


def programme_as_of(session: Session, as_of: date) -> list[MeasureState]:
    """Return the state of every measure that existed on `as_of`, ordered by code."""
    cache = session.info.setdefault("programme_as_of", {})
    if as_of in cache:
        return cache[as_of]
    orgs = dict(session.exec(select(Organisation.id, Organisation.abbreviation)).all())
    measures = session.exec(select(Measure).where(Measure.announced_on <= as_of).order_by(Measure.code)).all()
    ids = {m.id for m in measures}
    fields: dict[int, dict] = {
        m.id: {"title": m.title, "lead": orgs.get(m.lead_organisation_id), "co_owners": [], "themes": [], "budget": []} for m in measures
    }
    for measure_id, org_id in session.exec(select(MeasureCoOwner.measure_id, MeasureCoOwner.organisation_id)).all():
        if measure_id in ids:
            fields[measure_id]["co_owners"].append(orgs[org_id])
    for measure_id, scheme, code in session.exec(
        select(MeasureTheme.measure_id, ThemeScheme.code, Theme.code)
        .join(Theme, Theme.id == MeasureTheme.theme_id)
        .join(ThemeScheme, ThemeScheme.id == Theme.scheme_id)
    ).all():
        if measure_id in ids:
            fields[measure_id]["themes"].append(f"{scheme}:{code}")
    for line in session.exec(select(BudgetLine).order_by(BudgetLine.id)).all():
        if line.measure_id in ids:
            fields[line.measure_id]["budget"].append(
                {"amount": str(Decimal(line.amount).quantize(Decimal("0.01"))), "kind": line.kind, "per": line.per,
                 "from_year": line.from_year, "to_year": line.to_year, "funding": line.funding, "quote": line.quote}
            )
    _rollback(fields, session, end_of_day(as_of), ids)
    latest = _latest_updates(session, as_of, evidenced=False)
    evidenced = _latest_updates(session, as_of, evidenced=True)
    deadlines = _deadlines(session, as_of)
    counts = dict(
        session.exec(select(StatusUpdate.measure_id, func.count()).where(StatusUpdate.as_of <= as_of).group_by(StatusUpdate.measure_id)).all()
    )
    states = []
    for m in measures:
        f = fields[m.id]
        deadline, basis, postponements = deadlines.get(m.id, (None, "onbekend", 0))
        states.append(
            MeasureState(
                id=m.id,
                code=m.code,
                title=f["title"],
                announced_on=m.announced_on,
                lead=f["lead"],
                co_owners=sorted(f["co_owners"]),
                themes=sorted(f["themes"]),
                budget=f["budget"],
                status_code=latest[m.id].status_code if m.id in latest else "onbekend",
                deadline=deadline,
                deadline_basis=basis,
                postponements=postponements,
                latest=latest.get(m.id),
                latest_evidenced=evidenced.get(m.id),
                updates=counts.get(m.id, 0),
            )
        )
    cache[as_of] = states
    return states
