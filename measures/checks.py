"""Stalled-measure rules: pure functions of (session, now) that return flags, and the job that
persists them.

No rule names a measure. Each reads the programme as it stood on `now`'s date (measures.history)
and fires on what the catalogue and the coordinators recorded: deadlines, dates, statuses, and
evidence that reports a problem.
"""

import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from measures.history import MeasureState, UpdateFact, gc_paused, programme_as_of
from models import CheckRun, Flag, SourceDocument, Status, StatusUpdate
from models.flag import SEVERITY_LABELS
from models.review import TRAFFIC_LIGHTS

log = logging.getLogger(__name__)

LAAG, MIDDEL, HOOG = 1, 2, 3
RAPPORTEUR_KIND = "brief_rapporteur"


@dataclass(frozen=True)
class Thresholds:
    stale_months: int = 12
    max_postponements: int = 1
    long_running_years: int = 3

    @classmethod
    def from_config(cls, config) -> "Thresholds":
        return cls(
            stale_months=int(config.get("CHECK_STALE_MONTHS", cls.stale_months)),
            max_postponements=int(config.get("CHECK_MAX_POSTPONEMENTS", cls.max_postponements)),
            long_running_years=int(config.get("CHECK_LONG_RUNNING_YEARS", cls.long_running_years)),
        )


@dataclass
class FlagFinding:
    """What a rule found for one measure, before it is persisted."""

    measure_id: int
    measure_code: str
    rule: str
    rule_severity: int
    explanation: str
    facts: dict = field(default_factory=dict)
    severity: int = 0
    score: int = 0

    def as_dict(self) -> dict:
        return {
            "measure_code": self.measure_code,
            "rule": self.rule,
            "severity": self.severity,
            "severity_label": SEVERITY_LABELS[self.severity],
            "rule_severity": self.rule_severity,
            "score": self.score,
            "explanation": self.explanation,
            "facts": self.facts,
        }


def _d(day: date | None) -> str:
    # Not strftime: this runs tens of thousands of times per check.
    return f"{day.day:02d}-{day.month:02d}-{day.year}" if day else "onbekend"


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _years_before(day: date, years: int) -> date:
    return _months_before(day, 12 * years)


class Context:
    """What every rule needs, computed once per (session, date) and shared."""

    def __init__(self, session: Session, now: datetime):
        self.as_of = now.date()
        self.states = programme_as_of(session, self.as_of)
        statuses = session.exec(select(Status)).all()
        self.labels = {s.code: s.label for s in statuses}
        self.closed = {s.code for s in statuses if not s.is_open}

    def is_open(self, state: MeasureState) -> bool:
        return state.status_code not in self.closed

    def describe(self, update: UpdateFact | None) -> str:
        """Describe an update as '(28-11-2019, Brief …): Deels gerealiseerd — note'."""
        if update is None:
            return "geen status vastgelegd"
        source = f", {update.evidence}" if update.evidence else ""
        note = f" — {update.note}" if update.note else ""
        return f"({_d(update.as_of)}{source}): {self.labels.get(update.status_code, update.status_code)}{note}"


def context(session: Session, now: datetime) -> Context:
    cache = session.info.setdefault("check_context", {})
    if now.date() not in cache:
        cache[now.date()] = Context(session, now)
    return cache[now.date()]


def _evidenced_as_realised(state: MeasureState) -> bool:
    latest = state.latest_evidenced
    return latest is not None and latest.status_code == "gerealiseerd" and not latest.reports_problem


# --- the rules --------------------------------------------------------------------------------


def deadline_passed(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """The deadline has passed and the measure is neither gerealiseerd nor beëindigd."""
    ctx = context(session, now)
    return [
        FlagFinding(
            s.id,
            s.code,
            "deadline_verstreken",
            MIDDEL,
            f"deadline {_d(s.deadline)} verstreken; laatste status {ctx.describe(s.latest)}",
            {"deadline": s.deadline.isoformat(), "deadline_basis": s.deadline_basis},
        )
        for s in ctx.states
        if s.deadline is not None and s.deadline < ctx.as_of and ctx.is_open(s)
    ]


def stale(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """No status update for more than N months while the measure is open."""
    ctx = context(session, now)
    limit = _months_before(ctx.as_of, thresholds.stale_months)
    findings = []
    for s in ctx.states:
        last = s.last_update_on or s.announced_on
        if ctx.is_open(s) and last < limit and not _evidenced_as_realised(s):
            since = (
                f"laatste update {_d(s.last_update_on)}"
                if s.last_update_on
                else f"nooit bijgewerkt sinds aankondiging op {_d(s.announced_on)}"
            )
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "geen_update",
                    LAAG,
                    f"geen statusupdate in meer dan {thresholds.stale_months} maanden ({since}); laatste status {ctx.describe(s.latest)}",
                    {"last_update": last.isoformat(), "months": thresholds.stale_months},
                )
            )
    return findings


def postponed(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """The deadline was postponed more than N times."""
    ctx = context(session, now)
    return [
        FlagFinding(
            s.id,
            s.code,
            "vaak_uitgesteld",
            MIDDEL,
            f"deadline {s.postponements} keer uitgesteld (meer dan {thresholds.max_postponements}); nu {_d(s.deadline)}",
            {"postponements": s.postponements, "deadline": s.deadline.isoformat() if s.deadline else None},
        )
        for s in ctx.states
        if s.postponements > thresholds.max_postponements and ctx.is_open(s)
    ]


def negative_evidence(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """The latest evidenced update says the measure is not (fully) implemented or is stuck."""
    ctx = context(session, now)
    return [
        FlagFinding(
            s.id,
            s.code,
            "negatief_bewijs",
            HOOG,
            f"laatste onderbouwde status {ctx.describe(s.latest_evidenced)}",
            {
                "as_of": s.latest_evidenced.as_of.isoformat(),
                "evidence": s.latest_evidenced.evidence,
                "status": s.latest_evidenced.status_code,
            },
        )
        for s in ctx.states
        if s.latest_evidenced is not None and s.latest_evidenced.reports_problem
    ]


def long_running(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """Open for more than N years without reaching gerealiseerd."""
    ctx = context(session, now)
    limit = _years_before(ctx.as_of, thresholds.long_running_years)
    return [
        FlagFinding(
            s.id,
            s.code,
            "lang_lopend",
            MIDDEL,
            f"sinds {_d(s.announced_on)} open, langer dan {thresholds.long_running_years} jaar, zonder gerealiseerd te zijn; laatste status {ctx.describe(s.latest)}",
            {"announced_on": s.announced_on.isoformat(), "years": thresholds.long_running_years},
        )
        for s in ctx.states
        if ctx.is_open(s) and s.announced_on < limit and not _evidenced_as_realised(s)
    ]


def monitoring_gap(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """No owner, or no deadline: nobody can be held to it (the rapporteur's point of 2018)."""
    ctx = context(session, now)
    findings = []
    for s in ctx.states:
        missing = [what for what, absent in (("trekker", s.lead is None), ("deadline", s.deadline is None)) if absent]
        if missing and ctx.is_open(s):
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "monitoringgat",
                    LAAG,
                    f"geen {' en geen '.join(missing)} vastgelegd: niet te volgen wie wat wanneer oplevert",
                    {"missing": missing},
                )
            )
    return findings


def contested_completion(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """The owner reports the measure finished, but the rapporteur's latest finding says its goal was
    not met, and no later independent evidence shows it was."""
    ctx = context(session, now)
    realised = {s.id: s for s in ctx.states if s.status_code == "gerealiseerd"}
    if not realised:
        return []
    # The most recent rapporteur-evidenced update per measure, in one query.
    rows = session.exec(
        select(
            StatusUpdate.measure_id,
            StatusUpdate.as_of,
            StatusUpdate.note,
            StatusUpdate.evidence_quote,
            StatusUpdate.reports_problem,
            SourceDocument.reference,
        )
        .join(
            SourceDocument,
            and_(SourceDocument.id == StatusUpdate.evidence_document_id, SourceDocument.kind == RAPPORTEUR_KIND),
        )
        .where(StatusUpdate.as_of <= ctx.as_of)
        .order_by(StatusUpdate.measure_id, StatusUpdate.as_of, StatusUpdate.id)
    ).all()
    latest_finding: dict[int, tuple] = {}
    for row in rows:
        if row.measure_id in realised:
            latest_finding[row.measure_id] = (row, row.reference)
    findings = []
    for measure_id, (finding, reference) in latest_finding.items():
        if not finding.reports_problem:
            continue
        state = realised[measure_id]
        claim = state.latest
        findings.append(
            FlagFinding(
                state.id,
                state.code,
                "betwiste_afronding",
                HOOG,
                f"eigenaar meldt gerealiseerd {ctx.describe(claim)}; maar de Nationaal Rapporteur ({_d(finding.as_of)}, {reference}): "
                f"{finding.note}; geen later onafhankelijk bewijs dat het doel is bereikt",
                {
                    "owner_claim": {"as_of": claim.as_of.isoformat(), "evidence": claim.evidence, "note": claim.note},
                    "rapporteur": {
                        "as_of": finding.as_of.isoformat(),
                        "evidence": reference,
                        "note": finding.note,
                        "quote": finding.evidence_quote,
                    },
                },
            )
        )
    return findings


def disagreement(session: Session, now: datetime, thresholds: Thresholds) -> list[FlagFinding]:
    """The owner's latest claim and the rapporteur's latest assessment disagree."""
    from measures.review import disagrees  # review builds on the same history; imported late to avoid a cycle

    ctx = context(session, now)
    findings = []
    for s in ctx.states:
        if disagrees(s):
            a = s.assessment
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "oneens_met_rapporteur",
                    HOOG,
                    f"eigenaar meldt {ctx.describe(s.latest)}; de Nationaal Rapporteur oordeelt ({_d(a.as_of)}): "
                    f"{TRAFFIC_LIGHTS[a.light].lower()} — {a.text}",
                    {
                        "owner_claim": {
                            "as_of": s.latest.as_of.isoformat(),
                            "evidence": s.latest.evidence,
                            "note": s.latest.note,
                            "status": s.status_code,
                        },
                        "rapporteur": {
                            "as_of": a.as_of.isoformat(),
                            "light": a.light,
                            "note": a.text,
                            "evidence": None,
                            "quote": None,
                        },
                    },
                )
            )
    return findings


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    check: Callable[[Session, datetime, Thresholds], list[FlagFinding]]


RULES = (
    Rule("negatief_bewijs", "Negatief bewijs", negative_evidence),
    Rule("betwiste_afronding", "Betwiste afronding", contested_completion),
    Rule("oneens_met_rapporteur", "Oneens met de rapporteur", disagreement),
    Rule("deadline_verstreken", "Deadline verstreken", deadline_passed),
    Rule("vaak_uitgesteld", "Vaak uitgesteld", postponed),
    Rule("lang_lopend", "Lang lopend", long_running),
    Rule("geen_update", "Geen recente update", stale),
    Rule("monitoringgat", "Monitoringgat", monitoring_gap),
)
RULE_LABELS = {r.code: r.label for r in RULES}


def combine(findings: list[FlagFinding]) -> list[FlagFinding]:
    """Give every finding its measure's combined severity and score; strongest evidence first.

    A measure's severity is its strongest rule's, raised one step (up to hoog) when three or more
    rules fire on it at once. Within a severity, measures whose own strongest rule is stronger
    (direct evidence of being stuck) come before those raised by a pile of weaker signals; the
    score, the sum of the rules' weights, orders what remains.
    """
    by_measure: dict[int, list[FlagFinding]] = {}
    for f in findings:
        by_measure.setdefault(f.measure_id, []).append(f)
    for group in by_measure.values():
        severity = max(f.rule_severity for f in group)
        if len(group) >= 3:
            severity = min(HOOG, severity + 1)
        score = sum(f.rule_severity for f in group)
        for f in group:
            f.severity, f.score = severity, score
    strength = {measure_id: max(f.rule_severity for f in group) for measure_id, group in by_measure.items()}
    order = {r.code: i for i, r in enumerate(RULES)}
    return sorted(
        findings, key=lambda f: (-f.severity, -strength[f.measure_id], -f.score, f.measure_code, order[f.rule])
    )


@dataclass
class Evaluation:
    findings: list[FlagFinding]
    failed_rules: dict[str, str]


def evaluate(session: Session, now: datetime, thresholds: Thresholds, rules=RULES) -> Evaluation:
    """Run every rule; a failing rule is logged and the others still run."""
    findings, failed = [], {}
    with gc_paused():
        return _evaluate(session, now, thresholds, rules, findings, failed)


def _evaluate(session, now, thresholds, rules, findings, failed) -> Evaluation:
    for rule in rules:
        try:
            findings.extend(rule.check(session, now, thresholds))
        except Exception as error:  # one broken rule must not hide the others' flags
            log.exception("Controle %s mislukt", rule.code)
            session.rollback()
            failed[rule.code] = f"{type(error).__name__}: {error}"
    return Evaluation(combine(findings), failed)


# --- the job ------------------------------------------------------------------------------------


def start_run(
    session: Session, *, run_key: str, as_of: date, trigger: str, persisted: bool, now: datetime
) -> CheckRun | None:
    """Claim a run by inserting its unique key; None when another process already claimed it."""
    run = CheckRun(
        run_key=run_key,
        as_of=as_of,
        trigger=trigger,
        persisted=persisted,
        started_at=now,
        host=f"{socket.gethostname()}",
    )
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return run


def sync_flags(session: Session, run: CheckRun, evaluation: Evaluation) -> tuple[list[Flag], list[Flag]]:
    """Open new flags, refresh the ones still holding, resolve the ones that no longer hold."""
    open_flags = {(f.measure_id, f.rule): f for f in session.exec(select(Flag).where(Flag.resolved_on.is_(None))).all()}
    seen = set()
    opened = []
    for finding in evaluation.findings:
        key = (finding.measure_id, finding.rule)
        seen.add(key)
        flag = open_flags.get(key)
        if flag is None:
            flag = Flag(
                measure_id=finding.measure_id,
                rule=finding.rule,
                first_seen_on=run.as_of,
                first_run_id=run.id,
                rule_severity=finding.rule_severity,
                severity=finding.severity,
                score=finding.score,
                explanation=finding.explanation,
                facts="{}",
                last_seen_on=run.as_of,
            )
            opened.append(flag)
        flag.last_seen_on = run.as_of
        flag.rule_severity, flag.severity, flag.score = finding.rule_severity, finding.severity, finding.score
        flag.explanation = finding.explanation
        flag.facts = json.dumps(finding.facts, ensure_ascii=False, sort_keys=True, default=str)
        session.add(flag)
    resolved = []
    for key, flag in open_flags.items():
        # A rule that failed this run proves nothing: its flags stay open.
        if key not in seen and flag.rule not in evaluation.failed_rules:
            flag.resolved_on = run.as_of
            flag.resolved_run_id = run.id
            session.add(flag)
            resolved.append(flag)
    session.flush()
    return opened, resolved


def run_checks(
    session: Session,
    *,
    now: datetime,
    thresholds: Thresholds,
    trigger: str,
    persist: bool = True,
    run_key: str | None = None,
    notify=None,
) -> tuple[CheckRun | None, Evaluation | None]:
    """Run the checks as of `now` and record the run.

    With `persist`, flags are opened, refreshed and resolved. Without it (a run for a past date),
    the run reports what the rules would have said then, and leaves today's flags alone.
    """
    as_of = now.date()
    persisted = persist
    key = run_key or f"{trigger}:{now.isoformat()}"
    run = start_run(session, run_key=key, as_of=as_of, trigger=trigger, persisted=persisted, now=now)
    if run is None:
        log.info("Controle %s is al gedraaid; overgeslagen", key)
        return None, None
    try:
        evaluation = evaluate(session, now, thresholds)
        opened = resolved = []
        if persisted:
            opened, resolved = sync_flags(session, run, evaluation)
        run.flags_found = len(evaluation.findings)
        run.flags_opened = len(opened)
        run.flags_resolved = len(resolved)
        run.measures_flagged = len({f.measure_id for f in evaluation.findings})
        run.rule_errors = json.dumps(evaluation.failed_rules, ensure_ascii=False) if evaluation.failed_rules else ""
        run.status = "geslaagd" if not evaluation.failed_rules else "deels mislukt"
        run.finished_at = datetime.now(now.tzinfo)
        session.add(run)
        session.commit()
        if notify is not None and opened:
            run.notifications_sent = notify(session, opened)
            session.add(run)
            session.commit()
        return run, evaluation
    except Exception as error:
        session.rollback()
        log.exception("Controlerun %s mislukt", key)
        failed = session.get(CheckRun, run.id)
        failed.status = "mislukt"
        failed.error = f"{type(error).__name__}: {error}"
        failed.finished_at = datetime.now(now.tzinfo)
        session.add(failed)
        session.commit()
        raise
