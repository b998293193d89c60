"""The temporal projection: each measure's state over the intervals in which it held.

`history` rebuilds the programme on a date from the append-only histories; this module derives
the same states once, as intervals (`MeasureStateInterval`), so that "the programme as of D" is
one indexed range query. The services call `refresh` in the same transaction as every history
write; `rebuild` derives the whole projection again (the `rebuild-states` command and the
migration). `tests/test_states.py` proves the two equal on random histories.
"""

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, insert, or_
from sqlmodel import Session, select

from measures.core import clock
from measures.register.history import (
    MEASURE_COLUMNS,
    ROLLED_BACK_FIELDS,
    UPDATE_FACT_COLUMNS,
    AssessmentFact,
    MeasureState,
    Only,
    UpdateFact,
    _only,
    current_fields,
    update_fact,
)
from models import (
    Assessment,
    AuditRecord,
    DeadlineChange,
    Measure,
    MeasureStateInterval,
    Organisation,
    SourceDocument,
    StatusUpdate,
)

# What an interval holds besides its dates; two neighbours with the same values are one interval.
STATE_COLUMNS = (
    "title",
    "lead",
    "co_owners",
    "themes",
    "budget",
    "status_code",
    "latest_update_id",
    "latest_evidenced_id",
    "deadline",
    "deadline_basis",
    "deadline_precision",
    "postponements",
    "assessment_id",
)


def effective_day(moment: datetime) -> date:
    """The first date whose state includes an edit made at `moment` ('as of D' takes in the whole
    of D in Amsterdam, up to and with `clock.end_of_day(D)`)."""
    day = moment.astimezone(clock.AMSTERDAM).date() - timedelta(days=1)
    while clock.end_of_day(day) < moment:
        day += timedelta(days=1)
    return day


@dataclass
class _History:
    """One measure's dated history, each list in the order that decides 'the latest'."""

    announced_on: date
    fields: dict
    updates: list = field(default_factory=list)  # (as_of, id, status_code, evidenced)
    deadlines: list = field(default_factory=list)  # (decided_on, id, old, new, basis, precision)
    assessments: list = field(default_factory=list)  # (as_of, id)
    edits: list = field(default_factory=list)  # (effective day, changed_at, id, field, old value)


def _dump(value) -> str:
    # Keys keep their order: a budget line reads back exactly as the history holds it.
    return json.dumps(value, ensure_ascii=False)


def _intervals(measure_id: int, h: _History) -> list[dict]:
    """The measure's intervals, from its announcement on, neighbours with equal states merged.

    One walk through the change days in order, by the rules of `history._build_programme` (its
    test oracle): each history is read once, so a write to a long history stays linear in it.
    """
    days = {h.announced_on}
    days.update(d for d, *_ in h.updates)
    days.update(d for d, *_ in h.deadlines)
    days.update(d for d, *_ in h.assessments)
    days.update(d for d, *_ in h.edits)
    edits = {name: [e for e in h.edits if e[3] == name] for name in ROLLED_BACK_FIELDS}
    seen = dict.fromkeys(ROLLED_BACK_FIELDS, 0)  # per field, the edits on or before the day
    u = d = a = 0
    latest = evidenced = assessment = None
    deadline, basis, precision, postponements = None, "onbekend", "dag", 0
    rows: list[dict] = []
    for day in sorted(x for x in days if x >= h.announced_on):
        while u < len(h.updates) and h.updates[u][0] <= day:
            _on, update_id, status, has_evidence = h.updates[u]
            latest = (update_id, status)
            evidenced = update_id if has_evidence else evidenced
            u += 1
        while d < len(h.deadlines) and h.deadlines[d][0] <= day:
            _on, _id, old, new, basis, precision = h.deadlines[d]
            deadline = new
            postponements += old is not None and new is not None and new > old
            d += 1
        while a < len(h.assessments) and h.assessments[a][0] <= day:
            assessment = h.assessments[a][1]
            a += 1
        values = dict(h.fields)
        for name, made in edits.items():
            while seen[name] < len(made) and made[seen[name]][0] <= day:
                seen[name] += 1
            # The value on `day` is the old value of the first edit made after it, or the value now.
            if seen[name] < len(made):
                old = made[seen[name]][4]
                values[name] = json.loads(old) if old is not None else None
        state = {
            "title": values["title"],
            "lead": values["lead"],
            "co_owners": _dump(sorted(values["co_owners"] or [])),
            "themes": _dump(sorted(values["themes"] or [])),
            "budget": _dump(values["budget"] if values["budget"] is not None else []),
            "status_code": latest[1] if latest else "onbekend",
            "latest_update_id": latest[0] if latest else None,
            "latest_evidenced_id": evidenced,
            "deadline": deadline,
            "deadline_basis": basis,
            "deadline_precision": precision,
            "postponements": postponements,
            "assessment_id": assessment,
        }
        if rows and all(rows[-1][c] == state[c] for c in STATE_COLUMNS):
            continue
        if rows:
            rows[-1]["valid_to"] = day
        rows.append({"measure_id": measure_id, "valid_from": day, "valid_to": None, **state})
    return rows


def derive(session: Session, measure_ids: Collection[int] | None = None) -> list[dict]:
    """Derive the intervals of the given measures (all when None) from their histories."""
    only = list(measure_ids) if measure_ids is not None else None

    def narrowed(column):
        return [column.in_(only)] if only is not None else []

    orgs = dict(session.exec(select(Organisation.id, Organisation.abbreviation)).all())
    measures = session.exec(select(*MEASURE_COLUMNS).where(*narrowed(Measure.id))).all()
    fields = current_fields(session, measures, orgs, full=True, only=only)
    histories = {mid: _History(announced_on, fields[mid]) for mid, _c, _t, announced_on, _l, _j in measures}
    for mid, on, update_id, status, document_id, url in session.exec(
        select(
            StatusUpdate.measure_id,
            StatusUpdate.as_of,
            StatusUpdate.id,
            StatusUpdate.status_code,
            StatusUpdate.evidence_document_id,
            StatusUpdate.evidence_url,
        )
        .where(*narrowed(StatusUpdate.measure_id))
        .order_by(StatusUpdate.as_of, StatusUpdate.id)
    ).all():
        histories[mid].updates.append((on, update_id, status, document_id is not None or url is not None))
    for mid, *row in session.exec(
        select(
            DeadlineChange.measure_id,
            DeadlineChange.decided_on,
            DeadlineChange.id,
            DeadlineChange.old_deadline,
            DeadlineChange.new_deadline,
            DeadlineChange.basis,
            DeadlineChange.new_deadline_precision,
        )
        .where(*narrowed(DeadlineChange.measure_id))
        .order_by(DeadlineChange.decided_on, DeadlineChange.id)
    ).all():
        histories[mid].deadlines.append(tuple(row))
    for mid, on, assessment_id in session.exec(
        select(Assessment.measure_id, Assessment.as_of, Assessment.id)
        .where(*narrowed(Assessment.measure_id))
        .order_by(Assessment.as_of, Assessment.id)
    ).all():
        histories[mid].assessments.append((on, assessment_id))
    for mid, changed_at, record_id, name, old in session.exec(
        select(AuditRecord.measure_id, AuditRecord.changed_at, AuditRecord.id, AuditRecord.field, AuditRecord.old_value)
        .where(AuditRecord.field.in_(ROLLED_BACK_FIELDS), *narrowed(AuditRecord.measure_id))
        .order_by(AuditRecord.changed_at, AuditRecord.id)
    ).all():
        histories[mid].edits.append((effective_day(changed_at), changed_at, record_id, name, old))
    rows = []
    for mid, h in histories.items():
        rows.extend(_intervals(mid, h))
    return rows


def refresh(session: Session, measure_ids: Collection[int]) -> None:
    """Derive the intervals of these measures again, in the caller's transaction (after a write to
    their history: a backdated update splits and rewrites the intervals it falls in)."""
    ids = sorted(set(measure_ids))
    if not ids:
        return
    session.flush()
    rows = derive(session, ids)
    session.execute(delete(MeasureStateInterval).where(MeasureStateInterval.measure_id.in_(ids)))
    if rows:
        session.execute(insert(MeasureStateInterval), rows)


def rebuild(session: Session, batch: int = 1000) -> int:
    """Derive the whole projection again from the histories; return the number of intervals."""
    session.execute(delete(MeasureStateInterval))
    ids = list(session.exec(select(Measure.id).order_by(Measure.id)).all())
    count = 0
    for start in range(0, len(ids), batch):
        rows = derive(session, ids[start : start + batch])
        if rows:
            session.execute(insert(MeasureStateInterval), rows)
        count += len(rows)
    return count


# --- reading ------------------------------------------------------------------------------------


def holds_on(day: date, interval=MeasureStateInterval):
    """The condition that an interval holds on `day` (from inclusive, to exclusive, None open)."""
    return and_(interval.valid_from <= day, or_(interval.valid_to.is_(None), interval.valid_to > day))


def update_facts(session: Session, ids: list[int]) -> dict[int, UpdateFact]:
    facts: dict[int, UpdateFact] = {}
    for start in range(0, len(ids), 900):
        for row in session.exec(
            select(StatusUpdate.id, *UPDATE_FACT_COLUMNS)
            .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
            .where(StatusUpdate.id.in_(ids[start : start + 900]))
        ).all():
            facts[row[0]] = update_fact(row[1:])
    return facts


def _assessment_facts(session: Session, ids: list[int]) -> dict[int, AssessmentFact]:
    facts: dict[int, AssessmentFact] = {}
    for start in range(0, len(ids), 900):
        for row in session.exec(
            select(
                Assessment.id,
                Assessment.id,
                Assessment.light,
                Assessment.text,
                Assessment.as_of,
                Assessment.recorded_by,
            ).where(Assessment.id.in_(ids[start : start + 900]))
        ).all():
            facts[row[0]] = AssessmentFact(*row[1:])
    return facts


def programme_on(session: Session, as_of: date, *, full: bool = True, only: Only = None) -> list[MeasureState]:
    """The state of every measure that existed on `as_of` (or of `only` those), ordered by code,
    read from the projection: one range query, then the facts its rows point at."""
    s = MeasureStateInterval
    rows = session.exec(
        select(
            Measure.id,
            Measure.code,
            Measure.announced_on,
            s.title,
            s.lead,
            s.co_owners,
            s.themes,
            s.budget,
            s.status_code,
            s.latest_update_id,
            s.latest_evidenced_id,
            s.deadline,
            s.deadline_basis,
            s.deadline_precision,
            s.postponements,
            s.assessment_id,
        )
        .join(s, s.measure_id == Measure.id)
        .where(holds_on(as_of, s), *_only(Measure.id, only))
        .order_by(Measure.code)
    ).all()
    wanted = {r[9] for r in rows if r[9] is not None}
    if full:
        wanted |= {r[10] for r in rows if r[10] is not None}
    updates = update_facts(session, sorted(wanted))
    assessments = _assessment_facts(session, sorted({r[15] for r in rows if r[15] is not None})) if full else {}
    return [
        MeasureState(
            id=mid,
            code=code,
            title=title,
            announced_on=announced_on,
            lead=lead,
            co_owners=json.loads(co_owners),
            themes=json.loads(themes),
            budget=json.loads(budget) if full else [],
            status_code=status,
            deadline=deadline,
            deadline_basis=basis,
            deadline_precision=precision,
            postponements=postponements,
            latest=updates.get(latest_id),
            latest_evidenced=updates.get(evidenced_id) if full else None,
            assessment=assessments.get(assessment_id),
        )
        for (
            mid,
            code,
            announced_on,
            title,
            lead,
            co_owners,
            themes,
            budget,
            status,
            latest_id,
            evidenced_id,
            deadline,
            basis,
            precision,
            postponements,
            assessment_id,
        ) in rows
    ]
