"""The programme as it stood on any date, rebuilt from the append-only history.

Everything here is set-based: a handful of queries for the whole programme, never one per
measure. Status and deadline come from their dated histories (`as_of`, `decided_on`); fields
that are edited in place (title, owners, themes, budget) are rolled back with the audit records
made after the date.
"""

import gc
import json
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from measures.core import clock
from models import (
    Assessment,
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
from models.measure import JOINT_LEAD

ROLLED_BACK_FIELDS = ("title", "lead", "co_owners", "themes", "budget")


@contextmanager
def gc_paused():
    """Build tens of thousands of small, acyclic objects without the cyclic collector rescanning the
    heap each time (measured: half the time of an as-of list over 10,000 measures)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    as_of_precision: str = "dag"

    @property
    def evidence(self) -> str | None:
        return self.document_reference or self.evidence_url


@dataclass(frozen=True)
class AssessmentFact:
    id: int
    light: str
    text: str
    as_of: date
    recorded_by: str


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
    assessment: "AssessmentFact | None" = None
    deadline_precision: str = "dag"
    # The measure's indicators known then, each with its measurements up to then
    # (measures.register.indicators.IndicatorFact); empty in a list's states (full=False).
    indicators: tuple = ()

    @property
    def last_update_on(self) -> date | None:
        return self.latest.as_of if self.latest else None


# What an update says, as plain columns (with its evidence document joined, outer), and back.
UPDATE_FACT_COLUMNS = (
    StatusUpdate.status_code,
    StatusUpdate.as_of,
    StatusUpdate.note,
    SourceDocument.key,
    SourceDocument.citation,
    SourceDocument.kind,
    StatusUpdate.evidence_url,
    StatusUpdate.reports_problem,
    StatusUpdate.recorded_by,
    StatusUpdate.as_of_precision,
)
# What an assessment says, as plain columns (AssessmentFact's fields in order).
ASSESSMENT_FACT_COLUMNS = (Assessment.id, Assessment.light, Assessment.text, Assessment.as_of, Assessment.recorded_by)
# What the rebuild and the projection read of a measure itself.
MEASURE_COLUMNS = (
    Measure.id,
    Measure.code,
    Measure.title,
    Measure.announced_on,
    Measure.lead_organisation_id,
    Measure.lead_joint,
)


def update_fact(row) -> UpdateFact:
    """An UpdateFact from a row of UPDATE_FACT_COLUMNS."""
    return UpdateFact(*row[:7], bool(row[7]), row[8], row[9])


# Which measures a query is narrowed to: one (an id), some (ids, or a query of ids, read with IN)
# or all (None).
Only = int | Collection[int] | Select | None


def _only(column, only: Only) -> list:
    """The condition that narrows a query to one measure or to some, or none for the whole programme."""
    if only is None:
        return []
    return [column == only] if isinstance(only, int) else [column.in_(only)]


def _latest_updates(session: Session, as_of: date, *, evidenced: bool, only: Only = None) -> dict[int, UpdateFact]:
    conditions = [StatusUpdate.as_of <= as_of, *_only(StatusUpdate.measure_id, only)]
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
    # Plain columns, not ORM objects: this runs over every measure of the programme.
    rows = session.exec(
        select(StatusUpdate.measure_id, *UPDATE_FACT_COLUMNS)
        .join(ranked, and_(ranked.c.id == StatusUpdate.id, ranked.c.rank == 1))
        .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
    ).all()
    return {row[0]: update_fact(row[1:]) for row in rows}


def _deadlines(session: Session, as_of: date, only: Only = None) -> dict[int, tuple[date | None, str, int, str]]:
    ranked = (
        select(
            DeadlineChange.id,
            func.row_number()
            .over(
                partition_by=DeadlineChange.measure_id,
                order_by=(DeadlineChange.decided_on.desc(), DeadlineChange.id.desc()),
            )
            .label("rank"),
        )
        .where(DeadlineChange.decided_on <= as_of, *_only(DeadlineChange.measure_id, only))
        .subquery()
    )
    latest = session.exec(
        select(
            DeadlineChange.measure_id,
            DeadlineChange.new_deadline,
            DeadlineChange.basis,
            DeadlineChange.new_deadline_precision,
        ).join(ranked, and_(ranked.c.id == DeadlineChange.id, ranked.c.rank == 1))
    ).all()
    postponed = dict(
        session.exec(
            select(
                DeadlineChange.measure_id,
                func.sum(case((DeadlineChange.new_deadline > DeadlineChange.old_deadline, 1), else_=0)),
            )
            .where(DeadlineChange.decided_on <= as_of, *_only(DeadlineChange.measure_id, only))
            .group_by(DeadlineChange.measure_id)
        ).all()
    )
    return {mid: (new, basis, int(postponed.get(mid) or 0), precision) for mid, new, basis, precision in latest}


def _assessments(session: Session, as_of: date, only: Only = None) -> dict[int, AssessmentFact]:
    ranked = (
        select(
            Assessment.id,
            func.row_number()
            .over(partition_by=Assessment.measure_id, order_by=(Assessment.as_of.desc(), Assessment.id.desc()))
            .label("rank"),
        )
        .where(Assessment.as_of <= as_of, *_only(Assessment.measure_id, only))
        .subquery()
    )
    rows = session.exec(
        select(Assessment.measure_id, *ASSESSMENT_FACT_COLUMNS).join(
            ranked, and_(ranked.c.id == Assessment.id, ranked.c.rank == 1)
        )
    ).all()
    return {row[0]: AssessmentFact(*row[1:]) for row in rows}


def _rollback(current: dict[int, dict], session: Session, moment: datetime, ids: set[int], only: Only = None) -> None:
    """Undo the field edits made after `moment`: the oldest later record's old value is the value then."""
    records = session.exec(
        select(AuditRecord)
        .where(
            AuditRecord.changed_at > moment,
            AuditRecord.field.in_(ROLLED_BACK_FIELDS),
            *_only(AuditRecord.measure_id, only),
        )
        .order_by(AuditRecord.changed_at.desc(), AuditRecord.id.desc())
    ).all()
    for record in records:  # newest first, so the oldest later record is applied last
        if record.measure_id in ids:
            current[record.measure_id][record.field] = (
                json.loads(record.old_value) if record.old_value is not None else None
            )


def programme_as_of(session: Session, as_of: date, *, full: bool = True) -> list[MeasureState]:
    """Return the state of every measure that existed on `as_of`, ordered by code, read from the
    projection (`states`); `_build_programme` below rebuilds the same from the histories and is
    kept as the projection's test oracle.

    `full=False` skips what a list does not show (budget lines, the latest evidenced update and the
    rapporteur's assessment); those fields are then empty.
    """
    cache = session.info.setdefault("programme_as_of", {})
    if (as_of, True) in cache:
        return cache[(as_of, True)]
    if (as_of, full) in cache:
        return cache[(as_of, full)]
    from measures.register import states as projection  # it reads this module's types

    with gc_paused():
        states = projection.programme_on(session, as_of, full=full)
    cache[(as_of, full)] = states
    return states


def measure_as_of(session: Session, measure_id: int, as_of: date) -> MeasureState | None:
    """Return one measure's state on `as_of` (None if it did not exist yet), without the rest of the programme."""
    from measures.register import states as projection

    states = projection.programme_on(session, as_of, only=measure_id)
    return states[0] if states else None


def measures_as_of(session: Session, measure_ids: Collection[int] | Select, as_of: date) -> list[MeasureState]:
    """Return the states on `as_of` of these measures (those that existed then), ordered by code,
    without the rest of the programme: an export reads the programme a batch of measures at a time.

    `measure_ids` are ids, or a query of them: each query then narrows itself with that subquery,
    and sends no list of ids (on PostgreSQL a thousand bound ids cost more than the query).
    """
    from measures.register import states as projection

    with gc_paused():
        return projection.programme_on(session, as_of, only=measure_ids)


def current_fields(session: Session, measures: list, orgs: dict[int, str], *, full: bool, only: Only = None) -> dict:
    """The edited-in-place fields of `measures` (rows of id, code, title, announced_on, lead id,
    joint lead) as they stand now, by id: title, lead, co-owners, themes and (with `full`) budget."""
    ids = {m[0] for m in measures}
    fields: dict[int, dict] = {
        mid: {
            "title": title,
            "lead": orgs.get(lead_id) or (JOINT_LEAD if joint else None),
            "co_owners": [],
            "themes": [],
            "budget": [],
        }
        for mid, _code, title, _announced, lead_id, joint in measures
    }
    for measure_id, org_id in session.exec(
        select(MeasureCoOwner.measure_id, MeasureCoOwner.organisation_id).where(*_only(MeasureCoOwner.measure_id, only))
    ).all():
        if measure_id in ids:
            fields[measure_id]["co_owners"].append(orgs[org_id])
    for measure_id, scheme, code in session.exec(
        select(MeasureTheme.measure_id, ThemeScheme.code, Theme.code)
        .join(Theme, Theme.id == MeasureTheme.theme_id)
        .join(ThemeScheme, ThemeScheme.id == Theme.scheme_id)
        .where(*_only(MeasureTheme.measure_id, only))
    ).all():
        if measure_id in ids:
            fields[measure_id]["themes"].append(f"{scheme}:{code}")
    budget_columns = (
        BudgetLine.measure_id,
        BudgetLine.amount,
        BudgetLine.kind,
        BudgetLine.per,
        BudgetLine.from_year,
        BudgetLine.to_year,
        BudgetLine.funding,
        BudgetLine.quote,
        SourceDocument.key,
    )
    budget_query = (
        select(*budget_columns)
        .join(SourceDocument, SourceDocument.id == BudgetLine.document_id, isouter=True)
        .where(*_only(BudgetLine.measure_id, only))
        .order_by(BudgetLine.id)
    )
    budget_rows = session.exec(budget_query).all() if full else []
    for measure_id, amount, kind, per, from_year, to_year, funding, quote, document in budget_rows:
        if measure_id in ids:
            fields[measure_id]["budget"].append(
                {
                    "amount": str(Decimal(amount).quantize(Decimal("0.01"))),
                    "kind": kind,
                    "per": per,
                    "from_year": from_year,
                    "to_year": to_year,
                    "funding": funding,
                    "quote": quote,
                    # the document the quote is from, when not the measure's own (as the audit trail has it)
                    **({"document": document} if document else {}),
                }
            )
    return fields


def _build_programme(session: Session, as_of: date, full: bool, only: Only = None) -> list[MeasureState]:
    orgs = dict(session.exec(select(Organisation.id, Organisation.abbreviation)).all())
    measures = session.exec(
        select(*MEASURE_COLUMNS).where(Measure.announced_on <= as_of, *_only(Measure.id, only)).order_by(Measure.code)
    ).all()
    ids = {m[0] for m in measures}
    fields = current_fields(session, measures, orgs, full=full, only=only)
    _rollback(fields, session, clock.end_of_day(as_of), ids, only)
    latest = _latest_updates(session, as_of, evidenced=False, only=only)
    evidenced = _latest_updates(session, as_of, evidenced=True, only=only) if full else {}
    deadlines = _deadlines(session, as_of, only)
    assessments = _assessments(session, as_of, only) if full else {}
    from measures.register.indicators import indicators_on

    indicators = indicators_on(session, as_of, only=only) if full else {}
    states = []
    for mid, code, _title, announced_on, _lead, _joint in measures:
        f = fields[mid]
        deadline, basis, postponements, deadline_precision = deadlines.get(mid, (None, "onbekend", 0, "dag"))
        states.append(
            MeasureState(
                id=mid,
                code=code,
                title=f["title"],
                announced_on=announced_on,
                lead=f["lead"],
                co_owners=sorted(f["co_owners"]),
                themes=sorted(f["themes"]),
                budget=f["budget"],
                status_code=latest[mid].status_code if mid in latest else "onbekend",
                deadline=deadline,
                deadline_basis=basis,
                deadline_precision=deadline_precision,
                postponements=postponements,
                latest=latest.get(mid),
                latest_evidenced=evidenced.get(mid),
                assessment=assessments.get(mid),
                indicators=indicators.get(mid, ()),
            )
        )
    return states


@dataclass
class Comparison:
    """What changed between two dates. Each list holds its first `shown` items (all when the
    comparison was asked for whole); `counts` holds how many there are in all."""

    start: date
    end: date
    added: list[MeasureState]
    status_changes: list[dict]
    postponements: list[dict]
    deadline_changes: list[dict]
    budget_changes: list[dict]
    flags_opened: list[dict]
    flags_closed: list[dict]
    assessments: list[dict]
    counts: dict = field(default_factory=dict)
    # Measurements of indicators dated in the period (empty in comparisons stored before indicators).
    measurements: list[dict] = field(default_factory=list)

    @property
    def cut(self) -> bool:
        """Whether some list holds fewer items than there are."""
        return any(len(getattr(self, name)) < n for name, n in self.counts.items())

    def as_dict(self) -> dict:
        def state(s: MeasureState) -> dict:
            return {
                "code": s.code,
                "title": s.title,
                "announced_on": s.announced_on.isoformat(),
                "status": s.status_code,
            }

        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "added": [state(s) for s in self.added],
            "status_changes": self.status_changes,
            "postponements": self.postponements,
            "deadline_changes": self.deadline_changes,
            "budget_changes": self.budget_changes,
            "flags_opened": self.flags_opened,
            "flags_closed": self.flags_closed,
            "assessments": self.assessments,
            "measurements": self.measurements,
        }


def compare(session: Session, start: date, end: date, shown: int | None = None) -> Comparison:
    """Return what changed in the programme between two dates (after `start`, up to and with `end`):
    every change counted, and of each kind the first `shown` (all when None) with their details.

    Lists are in a reading order: measures by code, dated changes by date, then code.
    """
    from measures.register import states as projection
    from models import (
        Flag,  # here to keep the import list above about history tables
        Indicator,
        IndicatorMeasurement,
        MeasureStateInterval,
    )

    def first(items: list) -> list:
        return items if shown is None else items[:shown]

    # Both dates in one query over the projection: each measure's interval on `end`, and on
    # `start` if it existed then. The facts of an update are read only for the changes shown.
    on_end, on_start = aliased(MeasureStateInterval), aliased(MeasureStateInterval)
    rows = session.exec(
        select(
            Measure.id,
            Measure.code,
            on_end.title,
            on_start.id,
            on_start.status_code,
            on_end.status_code,
            on_end.latest_update_id,
        )
        .select_from(Measure)
        .join(on_end, projection.holds_on(end, on_end))
        .join(on_start, projection.holds_on(start, on_start), isouter=True)
        .order_by(Measure.code)
    ).all()
    codes = {row[0]: row[1] for row in rows}
    titles = {row[0]: row[2] for row in rows}
    existed = {row[0] for row in rows if row[3] is not None}
    added_ids = [row[0] for row in rows if row[3] is None]
    shown_added = first(added_ids)
    added = projection.programme_on(session, end, full=False, only=shown_added) if shown_added else []
    changed = [row for row in rows if row[3] is not None and row[4] != row[5]]
    facts = projection.update_facts(session, [row[6] for row in first(changed) if row[6] is not None])
    status_changes = []
    for _mid, code, title, _start_id, status_then, status_now, update_id in first(changed):
        latest = facts.get(update_id)
        status_changes.append(
            {
                "code": code,
                "title": title,
                "from": status_then,
                "to": status_now,
                "as_of": latest.as_of.isoformat() if latest else None,
                "evidence": latest.evidence if latest else None,
                "note": latest.note if latest else "",
            }
        )
    existing = Measure.announced_on <= end  # the measures of the programme on `end`

    def counted(query, order) -> tuple[list, int]:
        """The rows of `query` in `order` (the first `shown`), and how many there are: the dated
        changes of a large programme run into thousands a year, so they are counted in SQL."""
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        return session.exec(query.order_by(*order).limit(shown)).all(), total

    changes = (
        select(
            Measure.code,
            Measure.id,
            DeadlineChange.decided_on,
            DeadlineChange.old_deadline,
            DeadlineChange.new_deadline,
            DeadlineChange.reason,
        )
        .join(Measure, Measure.id == DeadlineChange.measure_id)
        .where(DeadlineChange.decided_on > start, DeadlineChange.decided_on <= end, existing)
    )
    later = and_(
        DeadlineChange.old_deadline.is_not(None),
        DeadlineChange.new_deadline.is_not(None),
        DeadlineChange.new_deadline > DeadlineChange.old_deadline,
    )
    in_order = (DeadlineChange.decided_on, Measure.code, DeadlineChange.id)
    (changes_shown, changes_total), (postponed_shown, postponed_total) = (
        counted(changes, in_order),
        counted(changes.where(later), in_order),
    )

    def deadline_change(row) -> dict:
        code, measure_id, decided_on, old, new, reason = row
        return {
            "code": code,
            "title": titles[measure_id],
            "decided_on": decided_on.isoformat(),
            "from": old.isoformat() if old else None,
            "to": new.isoformat() if new else None,
            "postponement": old is not None and new is not None and new > old,
            "reason": reason,
        }

    deadline_changes = [deadline_change(row) for row in changes_shown]
    postponements = [deadline_change(row) for row in postponed_shown]
    # A budget differs between the dates exactly when its field was edited in between: the first
    # such record's old value is the budget at `start`, the last one's new value the budget at `end`.
    edits: dict[int, list] = {}
    for measure_id, old_value, new_value in session.exec(
        select(AuditRecord.measure_id, AuditRecord.old_value, AuditRecord.new_value)
        .where(
            AuditRecord.field == "budget",
            AuditRecord.changed_at > clock.end_of_day(start),
            AuditRecord.changed_at <= clock.end_of_day(end),
        )
        .order_by(AuditRecord.changed_at, AuditRecord.id)
    ).all():
        edits.setdefault(measure_id, []).append((old_value, new_value))
    budget_changes = []
    for measure_id, records in edits.items():
        old, new = json.loads(records[0][0] or "[]"), json.loads(records[-1][1] or "[]")
        if measure_id in existed and measure_id in codes and old != new:
            budget_changes.append({"code": codes[measure_id], "title": titles[measure_id], "from": old, "to": new})
    budget_changes.sort(key=lambda b: b["code"])
    flags = select(Measure.code, Flag.rule, Flag.explanation).join(Measure, Measure.id == Flag.measure_id)
    opened_rows, opened_total = counted(
        flags.add_columns(Flag.first_seen_on).where(Flag.first_seen_on > start, Flag.first_seen_on <= end, existing),
        (Flag.first_seen_on, Measure.code, Flag.id),
    )
    closed_rows, closed_total = counted(
        flags.add_columns(Flag.resolved_on).where(Flag.resolved_on > start, Flag.resolved_on <= end, existing),
        (Flag.resolved_on, Measure.code, Flag.id),
    )
    flags_opened = [{"code": c, "rule": r, "explanation": e, "on": on.isoformat()} for c, r, e, on in opened_rows]
    flags_closed = [{"code": c, "rule": r, "explanation": e, "on": on.isoformat()} for c, r, e, on in closed_rows]
    assessment_rows, assessments_total = counted(
        select(Measure.code, Assessment.light, Assessment.as_of, Assessment.text)
        .join(Measure, Measure.id == Assessment.measure_id)
        .where(Assessment.as_of > start, Assessment.as_of <= end, existing),
        (Assessment.as_of, Assessment.id),
    )
    assessments = [
        {"code": code, "light": light, "as_of": on.isoformat(), "text": text}
        for code, light, on, text in assessment_rows
    ]
    measurement_rows, measurements_total = counted(
        select(
            Measure.code,
            Indicator.code,
            Indicator.name,
            Indicator.unit,
            Indicator.target_value,
            IndicatorMeasurement.measured_on,
            IndicatorMeasurement.measured_precision,
            IndicatorMeasurement.value,
            SourceDocument.citation,
        )
        .join(Indicator, Indicator.id == IndicatorMeasurement.indicator_id)
        .join(Measure, Measure.id == IndicatorMeasurement.measure_id)
        .join(SourceDocument, SourceDocument.id == IndicatorMeasurement.evidence_document_id, isouter=True)
        .where(
            IndicatorMeasurement.measured_on > start,
            IndicatorMeasurement.measured_on <= end,
            Indicator.stated_on <= end,  # as the state on `end` shows its indicators
            existing,
        ),
        (IndicatorMeasurement.measured_on, Measure.code, IndicatorMeasurement.id),
    )
    measurements = [
        {
            "code": code,
            "indicator_code": indicator_code,
            "name": name,
            "unit": unit,
            "on": on.isoformat(),
            "on_precision": precision,
            "value": float(value),
            "target": float(target),
            "evidence": evidence,
        }
        for code, indicator_code, name, unit, target, on, precision, value, evidence in measurement_rows
    ]
    totals = {
        "added": len(added_ids),
        "status_changes": len(changed),
        "postponements": postponed_total,
        "deadline_changes": changes_total,
        "budget_changes": len(budget_changes),
        "flags_opened": opened_total,
        "flags_closed": closed_total,
        "assessments": assessments_total,
        "measurements": measurements_total,
    }
    return Comparison(
        start=start,
        end=end,
        added=added,
        status_changes=status_changes,
        postponements=postponements,
        deadline_changes=deadline_changes,
        budget_changes=first(budget_changes),
        flags_opened=flags_opened,
        flags_closed=flags_closed,
        assessments=assessments,
        counts=totals,
        measurements=measurements,
    )
