"""Read-side queries: the overview, the filtered list and the measure detail, as plain data."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from measures.checks.rules import HOOG, is_stalled, level_counts, measure_signals, signal_order
from measures.core import clock
from measures.core.permissions import keeps_every_measure
from measures.register.indicators import indicators_on
from measures.register.services import measure_fields
from measures.register.terms import closed_status_codes, is_overdue, overdue_clause
from models import (
    AuditRecord,
    BudgetLine,
    CheckRun,
    DeadlineChange,
    Flag,
    FlagAcknowledgement,
    Measure,
    MeasureAlias,
    MeasureCoOwner,
    MeasureStateInterval,
    MeasureTheme,
    Organisation,
    SourceDocument,
    Status,
    StatusUpdate,
    Theme,
    ThemeScheme,
)
from models.measure import ALREADY_REALISED, JOINT_LEAD

# How many measures an export reads at a time: its memory grows with this, not with the register.
EXPORT_BATCH = 1000


# The orders the list offers (their keys in `_selection`).
SORTS = ("code", "titel", "status", "deadline", "gewijzigd")


@dataclass
class MeasureFilter:
    """A validated filter state; every field is optional."""

    q: str = ""
    themes: list[str] = field(default_factory=list)
    owner: str = ""
    status: str = ""
    document: str = ""
    overdue: bool = False
    flagged: int = 0  # minimum severity of an open flag; 0 = no filter
    sort: str = "code"
    descending: bool = False
    page: int = 1


@dataclass
class Page:
    items: list[dict]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def vocabulary(session: Session) -> dict:
    """Return the lists the filters choose from, in display order."""
    schemes = session.exec(select(ThemeScheme).order_by(ThemeScheme.position)).all()
    themes = session.exec(select(Theme).order_by(Theme.position)).all()
    return {
        "schemes": [
            {
                "code": s.code,
                "name": s.name,
                "themes": [
                    {"key": f"{s.code}:{t.code}", "code": t.code, "name": t.name} for t in themes if t.scheme_id == s.id
                ],
            }
            for s in schemes
        ],
        "statuses": session.exec(select(Status).order_by(Status.position)).all(),
        "organisations": session.exec(select(Organisation).order_by(Organisation.abbreviation)).all(),
        "documents": session.exec(select(SourceDocument).order_by(SourceDocument.date)).all(),
    }


def _text_matches(q: str, title):
    """The search: `q` anywhere in the code, the title (today's, or a state's), the description or
    the source quote, case folded."""
    needle = q.lower()
    return or_(
        *(
            func.lower(column).contains(needle, autoescape=True)
            for column in (Measure.code, title, Measure.description, Measure.source_quote)
        )
    )


def _selection(flt: MeasureFilter, as_of: date, *columns):
    """The measures matching the filter as they stood on `as_of` (today is as of today), with the
    filter's order: a query over the projection (`measure_state`), the interval of each measure
    that held on the date, selecting `columns`. The one query behind the list, its pages and its
    export."""
    from measures.register import states as projection

    s = MeasureStateInterval
    latest = aliased(StatusUpdate)
    conditions = []
    if flt.q:
        conditions.append(_text_matches(flt.q, s.title))
    for key in flt.themes:
        conditions.append(s.themes.contains(json.dumps(key), autoescape=True))
    if flt.owner:
        conditions.append(or_(s.lead == flt.owner, s.co_owners.contains(json.dumps(flt.owner), autoescape=True)))
    if flt.status:
        conditions.append(s.status_code == flt.status)
    conditions += _document_filter(flt)
    if flt.overdue:
        conditions.append(overdue_clause(as_of, s.deadline, s.status_code))
    if flt.flagged:
        # The level the checks would have given the measure on the date, kept in the projection.
        conditions.append(s.stall_level >= flt.flagged)
    keys = {
        "code": [Measure.code],
        "titel": [s.title, Measure.code],
        "status": [s.status_code, Measure.code],
        "deadline": [s.deadline.is_(None), s.deadline, Measure.code],
        "gewijzigd": [latest.as_of.is_not(None), latest.as_of, Measure.code],
    }
    order = [c.desc() if flt.descending else c.asc() for c in keys[flt.sort]]
    query = select(*columns).select_from(Measure).join(s, projection.holds_on(as_of, s))
    if flt.sort == "gewijzigd":  # joined only to sort on: it is a scan of its own
        query = query.join(latest, latest.id == s.latest_update_id, isouter=True)
    return query.where(*conditions), order


def _document_filter(flt: MeasureFilter) -> list:
    if not flt.document:
        return []
    doc_id = select(SourceDocument.id).where(SourceDocument.key == flt.document).scalar_subquery()
    return [Measure.source_document_id == doc_id]


def list_measures(session: Session, flt: MeasureFilter, *, as_of: date, page_size: int) -> Page:
    """Return one page of the list as it stood on `as_of` (today: as of today): status, deadline,
    owners, themes and the checks' stall level then.

    Filtered, sorted and paged in SQL over the projection; only the page's rows become states.
    """
    from measures.register import states as projection

    s = MeasureStateInterval
    query, order = _selection(flt, as_of, Measure.id, s.stall_level)
    if any((flt.q, flt.themes, flt.owner, flt.status, flt.overdue, flt.flagged)):
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
    else:
        # Nothing asked of the state: every measure announced by the date has one interval holding
        # on it, so the count needs no interval (an index range instead of a seek per measure).
        total = session.exec(select(func.count()).where(*_document_filter(flt), Measure.announced_on <= as_of)).one()
    rows = session.exec(query.order_by(*order).offset((flt.page - 1) * page_size).limit(page_size)).all()
    ids = [measure_id for measure_id, _level in rows]
    by_id = {state.id: state for state in projection.programme_on(session, as_of, full=False, only=ids)} if ids else {}
    closed = closed_status_codes(session)
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    schemes = dict(session.exec(select(ThemeScheme.code, ThemeScheme.position)).all())
    measured = indicators_on(session, as_of, only=ids) if ids else {}
    items = []
    for measure_id, level in rows:
        state = by_id[measure_id]
        themes = sorted((key.split(":", 1) for key in state.themes), key=lambda t: (schemes.get(t[0], 0), t[1]))
        items.append(
            {
                "measure": state,
                "lead": state.lead,
                "status_label": labels.get(state.status_code, state.status_code),
                "themes": [{"scheme": scheme, "code": code} for scheme, code in themes],
                "overdue": is_overdue(state.deadline, is_open=state.status_code not in closed, on=as_of),
                "flag_severity": level,
                "indicators": measured.get(measure_id, ()),
            }
        )
    return Page(items=items, total=total, page=flt.page, page_size=page_size)


def filtered_batches(session: Session, flt: MeasureFilter, columns: Sequence, *, as_of: date) -> Iterator[Sequence]:
    """Yield every measure matching the filter on `as_of`, in the filter's order, as rows of
    `columns` (of `Measure` and of its state then, `MeasureStateInterval`), in batches of
    EXPORT_BATCH (for exports): the rows come from one cursor as they are asked for."""
    query, order = _selection(flt, as_of, *columns)
    return batches(session, query.order_by(*order))


def batches(session: Session, query) -> Iterator[Sequence]:
    """Yield the rows of `query` EXPORT_BATCH at a time, read from one cursor (server-side on
    PostgreSQL), closed when the last batch is read or the reader stops early (a dropped download)."""
    with session.exec(query.execution_options(yield_per=EXPORT_BATCH)) as result:
        yield from result.partitions()


def my_measures(session: Session, user, *, today: date) -> list[dict]:
    """Return the measures of the user's organisation, most in need of attention first.

    Order: the most severe open flag first, then a passed deadline on an open measure, then the
    oldest last update (never updated counts as oldest). Programme coordinators see every measure.
    """
    last_update = (
        select(StatusUpdate.measure_id, func.max(StatusUpdate.as_of).label("last_as_of"))
        .group_by(StatusUpdate.measure_id)
        .subquery()
    )
    query = (
        select(Measure, Status, last_update.c.last_as_of)
        .join(Status, Status.code == Measure.status_code)
        .join(last_update, last_update.c.measure_id == Measure.id, isouter=True)
    )
    if not keeps_every_measure(user):
        if user.organisation_id is None:
            return []
        query = query.where(
            or_(
                Measure.lead_organisation_id == user.organisation_id,
                Measure.id.in_(
                    select(MeasureCoOwner.measure_id).where(MeasureCoOwner.organisation_id == user.organisation_id)
                ),
            )
        )
    rows = session.exec(query).all()
    signals = {s.measure_id: s for s in open_signals(session, [m.id for m, _, _ in rows])}
    items = []
    for measure, status, last_as_of in rows:
        overdue = is_overdue(measure.deadline, is_open=status.is_open, on=today)
        signal = signals.get(measure.id)
        items.append(
            {
                "measure": measure,
                "status": status,
                "last_as_of": last_as_of,
                "overdue": overdue,
                "signal": signal,
                "flag_severity": signal.level if signal else 0,
            }
        )
    # Stalled measures in the one order of the checks; then the rest, oldest news first.
    items.sort(
        key=lambda i: (
            signal_order(i["signal"]) if i["signal"] and is_stalled(i["signal"].level) else (0, 0, date.max, ""),
            not i["overdue"],
            i["last_as_of"] or date.min,
            i["measure"].code,
        )
    )
    return items


def flags_for_measure(session: Session, measure_id: int) -> dict:
    """Return a measure's open and resolved flags, newest first, with acknowledgements."""
    flags = session.exec(
        select(Flag).where(Flag.measure_id == measure_id).order_by(Flag.first_seen_on.desc(), Flag.id.desc())
    ).all()
    acks: dict[int, list] = {}
    if flags:
        for ack in session.exec(
            select(FlagAcknowledgement)
            .where(FlagAcknowledgement.flag_id.in_([f.id for f in flags]))
            .order_by(FlagAcknowledgement.acknowledged_at)
        ).all():
            acks.setdefault(ack.flag_id, []).append(ack)
    items = [{"flag": f, "facts": json.loads(f.facts or "{}"), "acknowledgements": acks.get(f.id, [])} for f in flags]
    return {
        "open": sorted(
            [i for i in items if i["flag"].resolved_on is None],
            key=lambda i: (-i["flag"].rule_severity, i["flag"].rule),
        ),
        "resolved": [i for i in items if i["flag"].resolved_on is not None],
    }


def findings_on(session: Session, measure_id: int, as_of: date, thresholds, known_at: datetime | None = None) -> dict:
    """Return what the checks would have found for one measure on `as_of` (with `known_at`, from
    what the register had recorded by then), in the shape of `flags_for_measure`: the rules run
    over the measure's state then, as the daily run does over the programme."""
    from measures.checks.rules import Context, evaluate_context

    evaluation = evaluate_context(Context.load(session, as_of, only=measure_id, known_at=known_at), thresholds)
    return {
        "open": [
            {
                "flag": SimpleNamespace(
                    id=f"{f.rule}-{as_of.isoformat()}",
                    rule=f.rule,
                    kind=f.kind,
                    rule_severity=f.rule_severity,
                    severity=f.severity,
                    explanation=f.explanation,
                    first_seen_on=None,  # a finding of that day, not a flag the register kept
                ),
                "facts": f.facts,
                "acknowledgements": [],
            }
            for f in sorted(evaluation.findings, key=lambda f: (-f.rule_severity, f.rule))
        ],
        "resolved": [],
    }


def open_signals(session: Session, measure_ids: list[int] | None = None) -> list:
    """Return one signal per measure with open flags (all, or those of `measure_ids`), in the one order."""
    query = (
        select(Flag, Measure)
        .join(Measure, Measure.id == Flag.measure_id)
        .where(Flag.resolved_on.is_(None))
        .order_by(Flag.measure_id, Flag.id)
    )
    if measure_ids is not None:
        if not measure_ids:
            return []
        query = query.where(Flag.measure_id.in_(measure_ids))
    rows = session.exec(query).all()
    measures = {m.id: m for _, m in rows}
    signals = measure_signals([f for f, _ in rows], {mid: m.code for mid, m in measures.items()})
    for signal in signals:
        signal.measure = measures[signal.measure_id]
    return signals


def last_persisted_run(session: Session) -> CheckRun | None:
    return session.exec(
        select(CheckRun).where(CheckRun.persisted.is_(True)).order_by(CheckRun.started_at.desc()).limit(1)
    ).first()


OVERVIEW_TOP = 10  # measures of the highest level the overview lists; the list shows them all


def flag_counts(session: Session, top: int | None = None) -> dict:
    """Return the open signals in numbers (measures per stall level, the monitoring gaps apart) and
    the first `top` measures of the highest level, in the one order.

    The counts come from the open flags' plain columns, grouped by the checks' own `measure_signals`
    (no ORM object per flag: a large programme has tens of thousands); only the listed measures are
    read whole.
    """
    rows = session.exec(
        select(
            Flag.measure_id,
            Measure.code.label("measure_code"),
            Flag.rule,
            Flag.kind,
            Flag.rule_severity,
            Flag.evidence_on,
            Flag.facts,
        )
        .join(Measure, Measure.id == Flag.measure_id)
        .where(Flag.resolved_on.is_(None))
    ).all()
    signals = measure_signals(rows)
    highest = [s for s in signals if s.level == HOOG]
    top = OVERVIEW_TOP if top is None else top
    return {
        **level_counts(signals),
        "top": open_signals(session, [s.measure_id for s in highest[:top]]),
        "highest": len(highest),
        "measures": len(signals),
        "last_run": last_persisted_run(session),
    }


def provenance(session: Session, measures: Sequence[Measure]) -> dict[int, dict]:
    """Where each asserted field of each measure comes from, by measure id (see the README).

    `measures` are Measure objects, or rows with the columns read here under the same names.

    Per field a basis: the sentence and the document it is from (with how to cite it), or None
    when no source says it (unknown, or set in the register: the history says by whom). A theme
    the register chose says so; a budget line's quote is from its own document or the measure's.
    """
    ids = [m.id for m in measures]
    documents = {d.id: d for d in session.exec(select(SourceDocument)).all()}

    def basis(text: str, document_id: int | None) -> dict | None:
        if not text:
            return None
        document = documents.get(document_id)
        return {
            "quote": text,
            "document": document.key if document else None,
            "citation": (document.citation or document.reference) if document else None,
        }

    themes: dict[int, dict] = {mid: {} for mid in ids}
    for mid, scheme, text, document_id, by_register in session.exec(
        select(
            MeasureTheme.measure_id,
            ThemeScheme.code,
            MeasureTheme.basis,
            MeasureTheme.basis_document_id,
            MeasureTheme.by_register,
        )
        .join(ThemeScheme, ThemeScheme.id == MeasureTheme.scheme_id)
        .where(MeasureTheme.measure_id.in_(ids))
    ).all():
        themes[mid][scheme] = {**(basis(text, document_id) or {"quote": None}), "by_register": by_register}
    budget: dict[int, list] = {mid: [] for mid in ids}
    own = {m.id: m.source_document_id for m in measures}
    for line in session.exec(select(BudgetLine).where(BudgetLine.measure_id.in_(ids)).order_by(BudgetLine.id)).all():
        budget[line.measure_id].append(basis(line.quote, line.document_id or own[line.measure_id]))
    return {
        m.id: {
            "lead": basis(m.lead_basis, m.lead_basis_document_id),
            "co_owners": basis(m.co_owners_basis, m.co_owners_basis_document_id),
            "themes": themes[m.id],
            "budget": budget[m.id],
            "deadline": m.deadline_basis if m.deadline is not None else None,
        }
        for m in measures
    }


def aliases_of(session: Session, measure_id: int) -> list[MeasureAlias]:
    """Codes merged into this measure: they redirect here."""
    return session.exec(
        select(MeasureAlias).where(MeasureAlias.measure_id == measure_id).order_by(MeasureAlias.code)
    ).all()


def measure_detail(session: Session, code: str, as_of: date, known_at: datetime | None = None) -> dict | None:
    """Return everything the detail page shows of one measure as it stood on `as_of` (today: as of
    today); with `known_at`, as the register showed it at that moment. None when there is no such
    measure; {"measure", "not_yet"} when it did not exist yet (or the register did not know it)."""
    measure = session.exec(select(Measure).where(Measure.code == code)).first()
    if measure is None:
        return None
    data = _measure_records(session, measure)
    return _as_it_stood(session, data, as_of, known_at)


def _measure_records(session: Session, measure: Measure) -> dict:
    """Everything the register holds of one measure: its histories whole, its fields as they are now."""
    lead = session.get(Organisation, measure.lead_organisation_id) if measure.lead_organisation_id else None
    co_owners = session.exec(
        select(Organisation)
        .join(MeasureCoOwner, MeasureCoOwner.organisation_id == Organisation.id)
        .where(MeasureCoOwner.measure_id == measure.id)
        .order_by(Organisation.abbreviation)
    ).all()
    themes = session.exec(
        select(ThemeScheme, Theme, MeasureTheme.basis)
        .join(Theme, Theme.scheme_id == ThemeScheme.id)
        .join(MeasureTheme, MeasureTheme.theme_id == Theme.id)
        .where(MeasureTheme.measure_id == measure.id)
        .order_by(ThemeScheme.position)
    ).all()
    updates = session.exec(
        select(StatusUpdate, Status, SourceDocument)
        .join(Status, Status.code == StatusUpdate.status_code)
        .join(SourceDocument, SourceDocument.id == StatusUpdate.evidence_document_id, isouter=True)
        .where(StatusUpdate.measure_id == measure.id)
        .order_by(StatusUpdate.as_of.desc(), StatusUpdate.id.desc())
    ).all()
    deadlines = session.exec(
        select(DeadlineChange)
        .where(DeadlineChange.measure_id == measure.id)
        .order_by(DeadlineChange.decided_on, DeadlineChange.id)
    ).all()
    return {
        "measure": measure,
        "status": session.get(Status, measure.status_code),
        "lead": lead,
        "lead_joint": measure.lead_joint,
        "co_owners": co_owners,
        "themes": [{"scheme": s, "theme": t, "basis": basis} for s, t, basis in themes],
        "document": session.get(SourceDocument, measure.source_document_id) if measure.source_document_id else None,
        "budget": session.exec(
            select(BudgetLine).where(BudgetLine.measure_id == measure.id).order_by(BudgetLine.id)
        ).all(),
        "updates": [{"entry": u, "status": s, "document": d} for u, s, d in updates],
        "deadlines": deadlines,
        "postponements": sum(1 for d in deadlines if d.is_postponement),
        "audit": session.exec(
            select(AuditRecord)
            .where(AuditRecord.measure_id == measure.id)
            .order_by(AuditRecord.changed_at.desc(), AuditRecord.id.desc())
        ).all(),
        "provenance": provenance(session, [measure])[measure.id],
        "aliases": aliases_of(session, measure.id),
        # A database seeded before a merge keeps the merged measure, closed; it names the survivor.
        "merged_into": merged_into(session, measure.code),
    }


def merged_into(session: Session, code: str) -> str | None:
    """The code of the measure that `code` was merged into, or None."""
    return session.exec(
        select(Measure.code).join(MeasureAlias, MeasureAlias.measure_id == Measure.id).where(MeasureAlias.code == code)
    ).first()


def document_detail(session: Session, key: str) -> dict | None:
    """Return a source document with the measures it announced and the updates it evidences."""
    document = session.exec(select(SourceDocument).where(SourceDocument.key == key)).first()
    if document is None:
        return None
    announced = session.exec(
        select(Measure).where(Measure.source_document_id == document.id).order_by(Measure.code)
    ).all()
    evidenced = session.exec(
        select(StatusUpdate, Measure, Status)
        .join(Measure, Measure.id == StatusUpdate.measure_id)
        .join(Status, Status.code == StatusUpdate.status_code)
        .where(StatusUpdate.evidence_document_id == document.id)
        .order_by(StatusUpdate.as_of, Measure.code)
    ).all()
    author = session.get(Organisation, document.author_id) if document.author_id else None
    return {
        "document": document,
        "author": author,
        "via": session.get(SourceDocument, document.via_id) if document.via_id else None,
        "announced": announced,
        "evidenced": [{"entry": u, "measure": m, "status": s} for u, m, s in evidenced],
    }


# --- the programme as of a date -------------------------------------------------------------------


def overview(session: Session, as_of: date, known_at: datetime | None = None) -> dict:
    """Return the overview's counts (per status, for every theme of every scheme, and in total) for
    the programme as it stood on `as_of` (today: as of today); with `known_at`, as the register
    showed it at that moment."""
    from measures.register import states as projection

    # Measures per (status, themes, realised at announcement): a few hundred groups however large
    # the programme, each list of themes parsed once.
    if known_at is None:
        s = MeasureStateInterval
        realised = Measure.announcement == ALREADY_REALISED
        groups = session.exec(
            select(s.status_code, s.themes, realised, func.count())
            .select_from(Measure)
            .join(s, projection.holds_on(as_of))
            .group_by(s.status_code, s.themes, realised)
        ).all()
        groups = [(status, json.loads(themes), bool(already), n) for status, themes, already, n in groups]
    else:
        already = set(session.exec(select(Measure.id).where(Measure.announcement == ALREADY_REALISED)).all())
        groups = [
            (state.status_code, state.themes, state.id in already, 1)
            for state in projection.programme_on(session, as_of, full=False, known_at=known_at)
        ]
    statuses = session.exec(select(Status).order_by(Status.position)).all()
    totals: dict[str, int] = {}
    per_theme: dict[str, dict[str, int]] = {}
    per_scheme: dict[str, dict[str, int]] = {}
    realised_at_announcement = 0
    for status, themes, already, n in groups:
        totals[status] = totals.get(status, 0) + n
        realised_at_announcement += n if already and status == "gerealiseerd" else 0
        for key in themes:
            per_theme.setdefault(key, {})
            per_theme[key][status] = per_theme[key].get(status, 0) + n
            scheme = key.split(":")[0]
            per_scheme.setdefault(scheme, {})
            per_scheme[scheme][status] = per_scheme[scheme].get(status, 0) + n
    schemes = []
    for scheme in session.exec(select(ThemeScheme).order_by(ThemeScheme.position)).all():
        themes = session.exec(select(Theme).where(Theme.scheme_id == scheme.id).order_by(Theme.position)).all()
        rows = []
        for t in themes:
            counts = per_theme.get(f"{scheme.code}:{t.code}", {})
            rows.append({"theme": t, "counts": counts, "total": sum(counts.values())})
        without = {code: totals.get(code, 0) - per_scheme.get(scheme.code, {}).get(code, 0) for code in totals}
        schemes.append({"scheme": scheme, "rows": rows, "without": without, "without_total": sum(without.values())})
    return {
        "statuses": statuses,
        "schemes": schemes,
        "totals": totals,
        "total": sum(totals.values()),
        "realised_at_announcement": realised_at_announcement,
    }


def _as_it_stood(session: Session, data: dict, as_of: date, known_at: datetime | None) -> dict:
    """The measure's records narrowed to what held on `as_of` (and, with `known_at`, to what the
    register had recorded by then), its fields from its state then."""
    from measures.register import states as projection

    states = projection.programme_on(session, as_of, only=data["measure"].id, known_at=known_at)
    if not states:
        return {"measure": data["measure"], "not_yet": True}
    state = states[0]
    moment = clock.end_of_day(as_of) if known_at is None else min(clock.end_of_day(as_of), known_at)

    def known(recorded_at: datetime) -> bool:
        return known_at is None or recorded_at <= known_at

    organisations = {o.abbreviation: o for o in session.exec(select(Organisation)).all()}
    data["updates"] = [u for u in data["updates"] if u["entry"].as_of <= as_of and known(u["entry"].recorded_at)]
    data["deadlines"] = [d for d in data["deadlines"] if d.decided_on <= as_of and known(d.recorded_at)]
    data["postponements"] = sum(1 for d in data["deadlines"] if d.is_postponement)
    data["audit"] = [a for a in data["audit"] if a.changed_at <= moment]
    data["status"] = session.get(Status, state.status_code)
    data["lead"] = organisations.get(state.lead) if state.lead else None
    data["lead_joint"] = state.lead == JOINT_LEAD
    data["co_owners"] = [organisations[a] for a in state.co_owners if a in organisations]
    data["state"] = state
    data["budget"] = [SimpleNamespace(**{**line, "amount": Decimal(line["amount"])}) for line in state.budget]
    themes_now = {f"{t['scheme'].code}:{t['theme'].code}": t for t in data["themes"]}
    data["themes"] = [t for key, t in themes_now.items() if key in state.themes]  # in the schemes' order
    # The bases are the register's current ones: shown for a past state only where it still holds.
    now = measure_fields(session, data["measure"])
    bases = data["provenance"]
    if state.lead != now["lead"]:
        bases["lead"] = None
    if sorted(state.co_owners) != now["co_owners"]:
        bases["co_owners"] = None
    all_documents = session.exec(select(SourceDocument)).all()
    citations = {d.key: d.citation or d.reference for d in all_documents}
    data["indicators"] = state.indicators
    data["retired_indicators"] = [
        i
        for i in indicators_on(session, as_of, only=state.id, known_at=known_at, include_retired=True).get(state.id, ())
        if i.retired_on is not None and i.retired_on <= as_of
    ]
    data["documents_by_key"] = {d.key: d for d in all_documents}
    own = data["document"].key if data["document"] else None
    bases["budget"] = [
        {
            "quote": line["quote"],
            "document": line.get("document", own),
            "citation": citations.get(line.get("document", own)),
        }
        if line.get("quote")
        else None
        for line in state.budget
    ]
    return data
