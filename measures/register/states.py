"""The temporal projection: each measure's state over the intervals in which it held.

`history` rebuilds the programme on a date from the append-only histories; this module derives
the same states once, as intervals (`MeasureStateInterval`), so that "the programme as of D" is
one indexed range query. The services call `refresh` in the same transaction as every history
write; `rebuild` derives the whole projection again (the `rebuild-states` command and the
migration). `tests/test_states.py` proves the two equal on random histories.
"""

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import delete, insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from measures.checks import rules
from measures.core import clock
from measures.register.history import (
    ASSESSMENT_FACT_COLUMNS,
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
from measures.register.indicators import indicators_on
from models import (
    Assessment,
    AuditRecord,
    DeadlineChange,
    Indicator,
    IndicatorMeasurement,
    IndicatorRetirement,
    Measure,
    MeasureStateInterval,
    Organisation,
    SourceDocument,
    Status,
    StatusUpdate,
)

# What an interval holds of the state besides its dates; two neighbours with the same values are
# one interval. A state (`history.MeasureState`) is read from these.
STATE_FIELDS = (
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
# And the level the checks give that state (which may also turn with the calendar, see `_with_levels`).
STATE_COLUMNS = (*STATE_FIELDS, "stall_level")
# The stall rules: a measure's level as the checks would have found it on a day.
STALL_RULES = tuple(r for r in rules.RULES if r.kind == rules.STALL)


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

    code: str
    announced_on: date
    fields: dict
    updates: list = field(default_factory=list)  # (as_of, id, UpdateFact, evidence quote)
    deadlines: list = field(default_factory=list)  # (decided_on, id, old, new, basis, precision)
    assessments: list = field(default_factory=list)  # (as_of, id, AssessmentFact)
    edits: list = field(default_factory=list)  # (effective day, changed_at, id, field, old value)
    indicators: tuple = ()  # IndicatorFact with every measurement recorded (by date, then id)

    def indicators_on(self, key: tuple) -> tuple:
        """The indicators as a `progress` key holds them: (indicator index, measurements known)."""
        return tuple(replace(self.indicators[i], measurements=self.indicators[i].measurements[:n]) for i, n in key)

    def progress(self, day: date) -> tuple:
        """Which indicators are known on `day`, with how many of their measurements: what of them
        the stall level reads (a new measurement may turn it)."""
        return tuple(
            (i, sum(1 for m in ind.measurements if m.on <= day))
            for i, ind in enumerate(self.indicators)
            if ind.stated_on <= day and (ind.retired_on is None or ind.retired_on > day)
        )


def _dump(value) -> str:
    # Keys keep their order: a budget line reads back exactly as the history holds it.
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class _Rules:
    """What the stall rules read besides a measure's own history: the statuses and the thresholds."""

    labels: dict
    closed: frozenset
    thresholds: rules.Thresholds

    @classmethod
    def load(cls, session: Session, thresholds: "rules.Thresholds | None" = None) -> "_Rules":
        statuses = session.exec(select(Status.code, Status.label, Status.is_open)).all()
        if thresholds is None:
            # The app's thresholds; changing them in the configuration asks for `rebuild-states`.
            config = current_app.config if has_app_context() else {}
            thresholds = rules.Thresholds.from_config(config)
        return cls(
            labels={code: label for code, label, _open in statuses},
            closed=frozenset(code for code, _label, is_open in statuses if not is_open),
            thresholds=thresholds,
        )

    def level(self, state: MeasureState, on: date, rapporteur, last_open: date | None) -> int:
        """The stall level the checks would give this state on `on`: the checks' own rules, run
        over a programme of this one measure."""
        ctx = rules.Context(
            as_of=on,
            states=[state],
            labels=self.labels,
            closed=self.closed,  # read-only here: no copy per interval
            rapporteur={state.id: rapporteur} if rapporteur is not None else {},
            last_open_update={state.id: last_open} if last_open is not None else {},
        )
        signals = rules.evaluate_context(ctx, self.thresholds, STALL_RULES).signals
        return signals[0].level if signals else 0


def _intervals(measure_id: int, h: _History, checks: _Rules) -> list[dict]:
    """The measure's intervals, from its announcement on, neighbours with equal states merged.

    One walk through the change days in order, by the rules of `history._build_programme` (its
    test oracle): each history is read once, so a write to a long history stays linear in it. An
    interval in which the deadline passes is split where the checks' level changes with it.
    """
    days = {h.announced_on}
    days.update(d for d, *_ in h.updates)
    days.update(d for d, *_ in h.deadlines)
    days.update(d for d, *_ in h.assessments)
    days.update(d for d, *_ in h.edits if d != date.max)
    for indicator in h.indicators:
        days.add(indicator.stated_on)
        days.update(m.on for m in indicator.measurements)
        if indicator.retired_on is not None:
            days.add(indicator.retired_on)
    edits = {name: [e for e in h.edits if e[3] == name] for name in ROLLED_BACK_FIELDS}
    seen = dict.fromkeys(ROLLED_BACK_FIELDS, 0)  # per field, the edits on or before the day
    u = d = a = 0
    latest = evidenced = assessment = rapporteur = last_open = None
    deadline, basis, precision, postponements = None, "onbekend", "dag", 0
    rows: list[dict] = []
    inputs: list[tuple] = []  # per row, what its level is computed from
    for day in sorted(x for x in days if x >= h.announced_on):
        while u < len(h.updates) and h.updates[u][0] <= day:
            _on, update_id, fact, quote = h.updates[u]
            latest = (update_id, fact)
            evidenced = (update_id, fact) if fact.document_key or fact.evidence_url else evidenced
            if fact.document_kind == rules.RAPPORTEUR_KIND:
                rapporteur = rules.RapporteurFinding(
                    fact.as_of,
                    fact.note,
                    quote,
                    fact.reports_problem,
                    fact.document_reference,
                    fact.as_of_precision,
                )
            if fact.status_code not in checks.closed:
                last_open = fact.as_of
            u += 1
        while d < len(h.deadlines) and h.deadlines[d][0] <= day:
            _on, _id, old, new, basis, precision = h.deadlines[d]
            deadline = new
            postponements += old is not None and new is not None and new > old
            d += 1
        while a < len(h.assessments) and h.assessments[a][0] <= day:
            assessment = h.assessments[a][2]
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
            "status_code": latest[1].status_code if latest else "onbekend",
            "latest_update_id": latest[0] if latest else None,
            "latest_evidenced_id": evidenced[0] if evidenced else None,
            "deadline": deadline,
            "deadline_basis": basis,
            "deadline_precision": precision,
            "postponements": postponements,
            "assessment_id": assessment.id if assessment else None,
        }
        progress = h.progress(day) if h.indicators else ()
        if rows and all(rows[-1][c] == state[c] for c in STATE_FIELDS) and inputs[-1][5] == progress:
            continue
        if rows:
            rows[-1]["valid_to"] = day
        rows.append({"measure_id": measure_id, "valid_from": day, "valid_to": None, **state})
        inputs.append((latest, evidenced, assessment, rapporteur, last_open, progress))
    return _with_levels(measure_id, h, rows, inputs, checks)


def _with_levels(measure_id: int, h: _History, rows: list[dict], inputs: list[tuple], checks: _Rules) -> list[dict]:
    """Give each interval the checks' stall level; split one where the level turns with the
    calendar: the day after its deadline, or after an indicator's own target date, passes (the
    rules that turn with the calendar, not with the history). Neighbours of equal state and level
    but different indicator progress are merged again: the projection does not store progress."""
    leveled: list[dict] = []
    for row, (latest, evidenced, assessment, rapporteur, last_open, progress) in zip(rows, inputs, strict=True):
        state = MeasureState(
            id=measure_id,
            code=h.code,
            title=row["title"],
            announced_on=h.announced_on,
            lead=row["lead"],
            co_owners=json.loads(row["co_owners"]),
            themes=[],
            budget=[],
            status_code=row["status_code"],
            deadline=row["deadline"],
            deadline_basis=row["deadline_basis"],
            deadline_precision=row["deadline_precision"],
            postponements=row["postponements"],
            latest=latest[1] if latest else None,
            latest_evidenced=evidenced[1] if evidenced else None,
            assessment=assessment,
            indicators=h.indicators_on(progress) if progress else (),
        )
        turns = set()
        if row["deadline"] is not None and row["deadline"] != date.max:
            turns.add(row["deadline"] + timedelta(days=1))  # overdue from the day after the deadline
        for indicator in state.indicators:
            if indicator.target_on is not None:
                turns.add(indicator.target_on + timedelta(days=1))
        end = row["valid_to"]
        row["stall_level"] = checks.level(state, row["valid_from"], rapporteur, last_open)
        pieces = [row]
        for turn in sorted(turns):
            if pieces[-1]["valid_from"] < turn and (end is None or turn < end):
                level = checks.level(state, turn, rapporteur, last_open)
                if level != pieces[-1]["stall_level"]:
                    pieces[-1]["valid_to"] = turn
                    pieces.append({**row, "valid_from": turn, "valid_to": end, "stall_level": level})
        for piece in pieces:
            previous = leveled[-1] if leveled else None
            if previous is not None and all(previous[c] == piece[c] for c in STATE_COLUMNS):
                previous["valid_to"] = piece["valid_to"]
                continue
            leveled.append(piece)
    return leveled


def derive(
    session: Session,
    measure_ids: Collection[int] | None = None,
    *,
    known_at: datetime | None = None,
    thresholds: "rules.Thresholds | None" = None,
    with_indicators: bool = True,
) -> list[dict]:
    """Derive the intervals of the given measures (all when None) from their histories.

    `with_indicators=False` is for a migration older than the indicator tables (0016).

    With `known_at`, from what the register had recorded by that moment (transaction time): the
    measures registered by then, the history rows recorded by then, and the fields as they stood
    then. Without it, from everything it knows now.
    """
    only = list(measure_ids) if measure_ids is not None else None

    def narrowed(column, recorded=None):
        conditions = [column.in_(only)] if only is not None else []
        if known_at is not None and recorded is not None:
            conditions.append(recorded <= known_at)
        return conditions

    checks = _Rules.load(session, thresholds)
    orgs = dict(session.exec(select(Organisation.id, Organisation.abbreviation)).all())
    measures = session.exec(select(*MEASURE_COLUMNS).where(*narrowed(Measure.id, Measure.created_at))).all()
    known = [m[0] for m in measures] if known_at is not None else only
    fields = current_fields(session, measures, orgs, full=True, only=known)
    histories = {mid: _History(code, announced_on, fields[mid]) for mid, code, _t, announced_on, _l, _j in measures}
    for mid, update_id, quote, *fact in session.exec(
        select(StatusUpdate.measure_id, StatusUpdate.id, StatusUpdate.evidence_quote, *UPDATE_FACT_COLUMNS)
        .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
        .where(*narrowed(StatusUpdate.measure_id, StatusUpdate.recorded_at))
        .order_by(StatusUpdate.as_of, StatusUpdate.id)
    ).all():
        if mid in histories:
            fact = update_fact(fact)
            histories[mid].updates.append((fact.as_of, update_id, fact, quote))
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
        .where(*narrowed(DeadlineChange.measure_id, DeadlineChange.recorded_at))
        .order_by(DeadlineChange.decided_on, DeadlineChange.id)
    ).all():
        if mid in histories:
            histories[mid].deadlines.append(tuple(row))
    for mid, *row in session.exec(
        select(Assessment.measure_id, *ASSESSMENT_FACT_COLUMNS)
        .where(*narrowed(Assessment.measure_id, Assessment.recorded_at))
        .order_by(Assessment.as_of, Assessment.id)
    ).all():
        if mid in histories:
            fact = AssessmentFact(*row)
            histories[mid].assessments.append((fact.as_of, fact.id, fact))
    for mid, changed_at, record_id, name, old in session.exec(
        select(AuditRecord.measure_id, AuditRecord.changed_at, AuditRecord.id, AuditRecord.field, AuditRecord.old_value)
        .where(AuditRecord.field.in_(ROLLED_BACK_FIELDS), *narrowed(AuditRecord.measure_id))
        .order_by(AuditRecord.changed_at, AuditRecord.id)
    ).all():
        if mid in histories:
            # An edit the register had not yet seen never takes effect: its old value is the value then.
            unseen = known_at is not None and changed_at > known_at
            histories[mid].edits.append(
                (date.max if unseen else effective_day(changed_at), changed_at, record_id, name, old)
            )
    found = (
        indicators_on(session, date.max, only=only, known_at=known_at, include_retired=True) if with_indicators else {}
    )
    for mid, facts in found.items():
        if mid in histories:
            histories[mid].indicators = facts
    rows = []
    for mid, h in histories.items():
        rows.extend(_intervals(mid, h, checks))
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


def rebuild(session: Session, batch: int = 1000, *, with_indicators: bool = True) -> int:
    """Derive the whole projection again from the histories; return the number of intervals."""
    session.execute(delete(MeasureStateInterval))
    ids = list(session.exec(select(Measure.id).order_by(Measure.id)).all())
    count = 0
    for start in range(0, len(ids), batch):
        rows = derive(session, ids[start : start + batch], with_indicators=with_indicators)
        if rows:
            session.execute(insert(MeasureStateInterval), rows)
        count += len(rows)
    return count


# --- reading ------------------------------------------------------------------------------------


def holds_on(day: date, interval=MeasureStateInterval, measure_id=Measure.id):
    """The condition that an interval holds on `day`, for the measure whose id is `measure_id` (in
    a query that reads measures and joins their intervals).

    A measure's intervals are contiguous from its announcement, the last one open (`_intervals`
    derives them so; the property tests hold it to the rebuild on every date), so the interval
    holding on a day is the latest that starts on or before it: one index seek per measure (on
    measure and start), whatever the day. The plain range condition (from <= day < to) read every
    interval that started before the day, so today, when all of them have, was the slowest.
    """
    latest = aliased(MeasureStateInterval)
    holding = (
        select(latest.id)
        .where(latest.measure_id == measure_id, latest.valid_from <= day)
        .order_by(latest.valid_from.desc())
        .limit(1)
        .correlate_except(latest)
        .scalar_subquery()
    )
    # By its key: the database can reach the interval only from its measure, never by scanning
    # the intervals for a filter's sake and seeking the measure of each.
    return interval.id == holding


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
            select(*ASSESSMENT_FACT_COLUMNS).where(Assessment.id.in_(ids[start : start + 900]))
        ).all():
            facts[row[0]] = AssessmentFact(*row)
    return facts


def learnt_after(session: Session, moment: datetime, only: Only = None) -> set[int]:
    """The measures whose history has a row the register recorded after `moment`."""
    ids: set[int] = set()
    for table, recorded in (
        (StatusUpdate, StatusUpdate.recorded_at),
        (DeadlineChange, DeadlineChange.recorded_at),
        (Assessment, Assessment.recorded_at),
        (AuditRecord, AuditRecord.changed_at),
        (Indicator, Indicator.recorded_at),
        (IndicatorMeasurement, IndicatorMeasurement.recorded_at),
        (IndicatorRetirement, IndicatorRetirement.recorded_at),
    ):
        ids.update(
            session.exec(select(table.measure_id).where(recorded > moment, *_only(table.measure_id, only))).all()
        )
    return ids


def _rows_on(session: Session, as_of: date, only: Only, known_at: datetime | None) -> list[tuple]:
    """(id, code, announced_on, *STATE_FIELDS) of the states holding on `as_of`, by code; with
    `known_at`, as the register had them then (derived again only for the measures it has learnt
    more about since; the others are read from the projection)."""
    s = MeasureStateInterval
    conditions = [holds_on(as_of, s), *_only(Measure.id, only)]
    redo: set[int] = set()
    if known_at is not None:
        conditions.append(Measure.created_at <= known_at)
        redo = learnt_after(session, known_at, only)
        if redo:
            conditions.append(Measure.id.not_in(redo))
    rows = list(
        session.exec(
            select(Measure.id, Measure.code, Measure.announced_on, *(getattr(s, c) for c in STATE_FIELDS))
            .join(s, s.measure_id == Measure.id)
            .where(*conditions)
            .order_by(Measure.code)
        ).all()
    )
    if redo:
        measures = {
            mid: (code, announced_on)
            for mid, code, announced_on in session.exec(
                select(Measure.id, Measure.code, Measure.announced_on).where(Measure.id.in_(redo))
            ).all()
        }
        for row in derive(session, sorted(redo), known_at=known_at):
            if row["valid_from"] <= as_of and (row["valid_to"] is None or row["valid_to"] > as_of):
                mid = row["measure_id"]
                rows.append((mid, *measures[mid], *(row[c] for c in STATE_FIELDS)))
        rows.sort(key=lambda r: r[1])
    return rows


def programme_on(
    session: Session, as_of: date, *, full: bool = True, only: Only = None, known_at: datetime | None = None
) -> list[MeasureState]:
    """The state of every measure that existed on `as_of` (or of `only` those), ordered by code,
    read from the projection: one range query, then the facts its rows point at.

    With `known_at`, as the register showed it at that moment (transaction time): what it had
    recorded by then about the measures it held then.
    """
    rows = _rows_on(session, as_of, only, known_at)
    wanted = {r[9] for r in rows if r[9] is not None}
    if full:
        wanted |= {r[10] for r in rows if r[10] is not None}
    updates = update_facts(session, sorted(wanted))
    assessments = _assessment_facts(session, sorted({r[15] for r in rows if r[15] is not None})) if full else {}
    indicators = indicators_on(session, as_of, only=only, known_at=known_at) if full and rows else {}
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
            indicators=indicators.get(mid, ()),
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
