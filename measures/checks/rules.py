"""Stalled-measure rules: pure functions of (session, now) that return flags, and the job that
persists them.

No rule names a measure. Each reads the programme as it stood on `now`'s date (measures.register.history)
and fires on what the catalogue and the coordinators recorded: deadlines, dates, statuses, and
evidence that reports a problem.
"""

import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from measures.core import clock
from measures.register.history import MeasureState, UpdateFact, gc_paused, programme_as_of
from measures.register.indicators import IndicatorFact, number, reached
from measures.register.terms import is_overdue, open_status_codes
from models import CheckRun, Flag, SourceDocument, Status, StatusUpdate
from models.document import shown_date
from models.flag import SEVERITY_LABELS, SILENCE, STALL
from models.measure import JOINT_LEAD
from models.review import TRAFFIC_LIGHTS

log = logging.getLogger(__name__)

LAAG, MIDDEL, HOOG = 1, 2, 3
RAPPORTEUR_KIND = "brief_rapporteur"
# A rule's own level on the same scale; silence has none.
LEVEL_LABELS = {0: "geen", **SEVERITY_LABELS}


@dataclass(frozen=True)
class Thresholds:
    stale_months: int = 12
    max_postponements: int = 1
    long_running_years: int = 3
    # How far behind the straight line from baseline to target a measurement may be before it
    # counts, as a share of the way from baseline to target (0.10: a tenth of the way).
    indicator_margin: Decimal = Decimal("0.10")

    @classmethod
    def from_config(cls, config) -> "Thresholds":
        return cls(
            stale_months=int(config.get("CHECK_STALE_MONTHS", cls.stale_months)),
            max_postponements=int(config.get("CHECK_MAX_POSTPONEMENTS", cls.max_postponements)),
            long_running_years=int(config.get("CHECK_LONG_RUNNING_YEARS", cls.long_running_years)),
            indicator_margin=Decimal(str(config.get("CHECK_INDICATOR_MARGIN", cls.indicator_margin))),
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
    evidence_on: date | None = None
    kind: str = STALL
    severity: int = 0
    score: int = 0

    def as_dict(self) -> dict:
        return {
            "measure_code": self.measure_code,
            "rule": self.rule,
            "kind": self.kind,
            "rule_severity": self.rule_severity,
            "rule_level": rule_level_label(self.kind, self.rule_severity),
            "severity": self.severity,
            "severity_label": LEVEL_LABELS[self.severity],
            "score": self.score,
            "evidence_on": self.evidence_on.isoformat() if self.evidence_on else None,
            "explanation": self.explanation,
            "facts": self.facts,
        }


def rule_level_label(kind: str, rule_severity: int) -> str:
    """Return how a rule's own level reads: laag/middel/hoog for stall evidence, 'stilte' for silence."""
    return "stilte" if kind == SILENCE else LEVEL_LABELS[rule_severity]


def _d(day: date | None) -> str:
    # Not strftime: this runs tens of thousands of times per check.
    return f"{day.day:02d}-{day.month:02d}-{day.year}" if day else "onbekend"


def _precise(day: date, precision: str) -> str:
    """Return a date as precisely as it is known: 18-11-2020, juni 2020 or 2023."""
    return _d(day) if precision == "dag" else shown_date(day, precision)


def _when(update: UpdateFact) -> str:
    return _precise(update.as_of, update.as_of_precision)


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


@dataclass(frozen=True)
class RapporteurFinding:
    """The rapporteur's most recent evidenced word on a measure (for contested completions)."""

    as_of: date
    note: str
    quote: str | None
    reports_problem: bool
    reference: str
    precision: str = "dag"


@dataclass
class Context:
    """What every rule reads: the programme on one date. Rules are pure functions of it."""

    as_of: date
    states: list[MeasureState]
    labels: dict[str, str]
    closed: set[str]
    rapporteur: dict[int, RapporteurFinding] = field(default_factory=dict)
    # Per measure, the date of the latest update that reports it open (progress, not a closing claim).
    last_open_update: dict[int, date] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        session: Session,
        as_of: date,
        *,
        only: int | None = None,
        known_at: datetime | None = None,
        states: list[MeasureState] | None = None,
    ) -> "Context":
        """The programme on `as_of` (or the one measure `only`), as the register knows it now or,
        with `known_at`, as it had recorded it by then; or the given `states` (a test's oracle)."""
        from measures.register.states import programme_on

        statuses = session.exec(select(Status)).all()
        narrowed = [StatusUpdate.as_of <= as_of]
        if only is not None:
            narrowed.append(StatusUpdate.measure_id == only)
        if known_at is not None:
            narrowed.append(StatusUpdate.recorded_at <= known_at)
        if states is None:
            states = (
                programme_as_of(session, as_of)
                if only is None and known_at is None
                else programme_on(session, as_of, only=only, known_at=known_at)
            )
        return cls(
            as_of=as_of,
            states=states,
            labels={s.code: s.label for s in statuses},
            closed={s.code for s in statuses if not s.is_open},
            rapporteur=_rapporteur_findings(session, narrowed),
            last_open_update=dict(
                session.exec(
                    select(StatusUpdate.measure_id, func.max(StatusUpdate.as_of))
                    .where(*narrowed, StatusUpdate.status_code.in_(open_status_codes()))
                    .group_by(StatusUpdate.measure_id)
                ).all()
            ),
        )

    def is_open(self, state: MeasureState) -> bool:
        return state.status_code not in self.closed

    def describe(self, update: UpdateFact | None) -> str:
        """Describe an update as '(28-11-2019, Brief …): Deels gerealiseerd — note'."""
        if update is None:
            return "geen status vastgelegd"
        source = f", {update.evidence}" if update.evidence else ""
        note = f" — {update.note}" if update.note else ""
        return f"({_when(update)}{source}): {self.labels.get(update.status_code, update.status_code)}{note}"


def _rapporteur_findings(session: Session, narrowed: list) -> dict[int, RapporteurFinding]:
    """Return the most recent rapporteur-evidenced update per measure among the updates that
    `narrowed` selects (those up to a date), in one query."""
    rows = session.exec(
        select(
            StatusUpdate.measure_id,
            StatusUpdate.as_of,
            StatusUpdate.note,
            StatusUpdate.evidence_quote,
            StatusUpdate.reports_problem,
            SourceDocument.citation,
            StatusUpdate.as_of_precision,
        )
        .join(
            SourceDocument,
            and_(SourceDocument.id == StatusUpdate.evidence_document_id, SourceDocument.kind == RAPPORTEUR_KIND),
        )
        .where(*narrowed)
        .order_by(StatusUpdate.measure_id, StatusUpdate.as_of, StatusUpdate.id)
    ).all()
    return {
        row.measure_id: RapporteurFinding(
            row.as_of,
            row.note,
            row.evidence_quote,
            bool(row.reports_problem),
            row.citation,
            row.as_of_precision,
        )
        for row in rows  # ordered oldest first: the last one per measure wins
    }


def context(session: Session, now: datetime) -> Context:
    cache = session.info.setdefault("check_context", {})
    if clock.day_of(now) not in cache:
        cache[clock.day_of(now)] = Context.load(session, clock.day_of(now))
    return cache[clock.day_of(now)]


OWNER_ON_TRACK = {"gepland", "in_uitvoering", "deels_gerealiseerd"}
# An owner's claim that a measure is closed, and what makes it contested after a negative finding.
CLOSING_CLAIMS = {
    "gerealiseerd": "geen later onafhankelijk bewijs dat het doel is bereikt",
    "beeindigd": "afgesloten zonder dat een latere update meldt dat zij liep of het doel bereikte",
}


def disagrees(state: MeasureState) -> bool:
    """Return whether the owner's latest claim and the rapporteur's latest judgement disagree.

    They disagree when the owner reports the measure finished and the rapporteur does not see it on
    track, or when the owner reports it under way without a problem and the rapporteur judges it
    seriously delayed.
    """
    assessment = state.assessment
    if assessment is None or state.latest is None:
        return False
    if state.status_code == "gerealiseerd":
        return assessment.light != "op_schema"
    if state.status_code in OWNER_ON_TRACK and not state.latest.reports_problem:
        return assessment.light == "ernstig_vertraagd"
    return False


def _evidenced_as_realised(state: MeasureState) -> bool:
    latest = state.latest_evidenced
    return latest is not None and latest.status_code == "gerealiseerd" and not latest.reports_problem


# --- stall evidence: is it stuck? ------------------------------------------------------------------


def negative_evidence(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """The latest evidenced update says the measure is not (fully) implemented or is stuck."""
    return [
        FlagFinding(
            s.id,
            s.code,
            "negatief_bewijs",
            HOOG,
            f"laatste onderbouwde status {ctx.describe(s.latest_evidenced)}",
            {
                "as_of": s.latest_evidenced.as_of.isoformat(),
                "evidence_precision": s.latest_evidenced.as_of_precision,
                "evidence": s.latest_evidenced.evidence,
                "status": s.latest_evidenced.status_code,
            },
            evidence_on=s.latest_evidenced.as_of,
        )
        for s in ctx.states
        if s.latest_evidenced is not None and s.latest_evidenced.reports_problem
    ]


def contested_completion(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """The owner closes the measure although the rapporteur's latest finding says its goal was not met.

    Gerealiseerd: no later independent evidence shows the goal was met. Beëindigd: the measure was
    closed straight after that finding, with no update in between that reports it under way, so it
    ended on the rapporteur's negative word.
    """
    findings = []
    for state in ctx.states:
        finding = ctx.rapporteur.get(state.id)
        if state.status_code not in CLOSING_CLAIMS or finding is None or not finding.reports_problem:
            continue
        progress = ctx.last_open_update.get(state.id)
        if state.status_code == "beeindigd" and progress is not None and progress > finding.as_of:
            continue
        claim = state.latest
        label = ctx.labels.get(state.status_code, state.status_code).lower()
        findings.append(
            FlagFinding(
                state.id,
                state.code,
                "betwiste_afronding",
                HOOG,
                f"eigenaar meldt {label} {ctx.describe(claim)}; maar de Nationaal Rapporteur ({shown_date(finding.as_of, finding.precision)}, {finding.reference}): "
                f"{finding.note}; {CLOSING_CLAIMS[state.status_code]}",
                {
                    "owner_claim": {"as_of": claim.as_of.isoformat(), "evidence": claim.evidence, "note": claim.note},
                    "rapporteur": {
                        "as_of": finding.as_of.isoformat(),
                        "evidence": finding.reference,
                        "note": finding.note,
                        "quote": finding.quote,
                    },
                    "evidence_precision": finding.precision,
                },
                evidence_on=finding.as_of,
            )
        )
    return findings


def disagreement(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """The owner's latest claim and the rapporteur's latest assessment disagree."""
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
                    evidence_on=a.as_of,
                )
            )
    return findings


def deadline_passed(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """The deadline has passed and the measure is neither gerealiseerd nor beëindigd.

    Middel when an update after the deadline confirms the measure is still open; laag when nothing
    was recorded since the deadline, because then it may be done and not reported: the explanation
    says which of the two it is.
    """
    findings = []
    for s in ctx.states:
        if not is_overdue(s.deadline, is_open=ctx.is_open(s), on=ctx.as_of):
            continue
        last = s.last_update_on
        if last is not None and last > s.deadline:
            level = MIDDEL
            why = f"op {_when(s.latest)}, na de deadline, nog {ctx.labels.get(s.status_code, s.status_code).lower()}"
        else:
            level = LAAG
            since = f"laatste update {_when(s.latest)}" if last else "nooit bijgewerkt"
            why = f"sinds de deadline geen update ({since}): ook afronding is niet gemeld"
        findings.append(
            FlagFinding(
                s.id,
                s.code,
                "deadline_verstreken",
                level,
                f"deadline {_precise(s.deadline, s.deadline_precision)} verstreken; {why}",
                {
                    "deadline": s.deadline.isoformat(),
                    "deadline_precision": s.deadline_precision,
                    "deadline_basis": s.deadline_basis,
                    "confirmed_open_after_deadline": level == MIDDEL,
                },
                evidence_on=s.deadline,
            )
        )
    return findings


def postponed(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """The deadline was postponed more than N times."""
    return [
        FlagFinding(
            s.id,
            s.code,
            "vaak_uitgesteld",
            MIDDEL,
            f"deadline {s.postponements} keer uitgesteld (meer dan {thresholds.max_postponements}); nu {_precise(s.deadline, s.deadline_precision)}",
            {"postponements": s.postponements, "deadline": s.deadline.isoformat() if s.deadline else None},
            evidence_on=s.deadline,
        )
        for s in ctx.states
        if s.postponements > thresholds.max_postponements and ctx.is_open(s)
    ]


def _expected_shown(indicator: IndicatorFact, value: Decimal) -> str:
    """Where the line is, as precisely as the indicator's own numbers are given: whole numbers
    when they are whole (op schema zou 33 zijn), otherwise to two decimals."""
    whole = all(
        v is None or v == v.to_integral_value()
        for v in (indicator.baseline_value, indicator.target_value, *(m.value for m in indicator.measurements))
    )
    return number(value.quantize(Decimal("1") if whole else Decimal("0.01"), rounding=ROUND_HALF_UP))


def _of(indicator: IndicatorFact, value: Decimal) -> str:
    return f"{number(value)} van {number(indicator.target_value)} {indicator.unit}".rstrip()


def behind_trajectory(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """An indicator's latest measurement is behind the straight line from its baseline to its
    target by more than the margin (a share of the way), on the date it was measured."""
    findings = []
    for s in ctx.states:
        if not s.indicators or not ctx.is_open(s):
            continue
        behind = []
        for indicator in s.indicators:
            latest, line = indicator.latest, indicator.trajectory(s.deadline)
            if (
                latest is None
                or line is None
                or not line.behind(latest.value, latest.from_on, thresholds.indicator_margin)
            ):
                continue
            target_on, precision, defaulted = indicator.target_date(s.deadline, s.deadline_precision)
            expected = line.expected(latest.from_on)
            behind.append(
                (
                    f"{indicator.name}: {_of(indicator, latest.value)} per {latest.shown_on}"
                    f"{f' ({latest.evidence})' if latest.evidence else ''}; op schema zou {_expected_shown(indicator, expected)} zijn"
                    f" (lijn van {number(indicator.baseline_value)} in {shown_date(indicator.baseline_on, indicator.baseline_precision)}"
                    f" naar {number(indicator.target_value)} {'op de deadline ' if defaulted else 'in '}{shown_date(target_on, precision)})",
                    {
                        "indicator": indicator.code,
                        "value": float(latest.value),
                        "measured_on": latest.on.isoformat(),
                        "evidence_precision": latest.precision,
                        "expected": float(expected),
                        "target": float(indicator.target_value),
                        "target_date": target_on.isoformat(),
                        "evidence": latest.evidence,
                    },
                    latest.on,
                )
            )
        if behind:
            margin = int((thresholds.indicator_margin * 100).to_integral_value())
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "achter_op_schema",
                    LAAG,
                    "; ".join(text for text, _facts, _on in behind) + f" — meer dan {margin} % van de weg achter",
                    {"indicators": [facts for _text, facts, _on in behind], "margin": float(thresholds.indicator_margin),
                     "evidence_precision": behind[0][1]["evidence_precision"]},
                    evidence_on=min(on for _text, _facts, on in behind),
                )
            )  # fmt: skip
    return findings


def target_missed(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """An indicator's target date has passed and its latest measurement does not meet the target.

    Middel when that measurement was taken after the target date (confirmed unmet); laag when it
    predates it (not reported met since). Of the family of the deadline: when the target date is the
    measure's deadline, it says again that the deadline passed, with numbers.
    """
    findings = []
    for s in ctx.states:
        if not s.indicators or not ctx.is_open(s):
            continue
        missed = []
        for indicator in s.indicators:
            target_on, precision, defaulted = indicator.target_date(s.deadline, s.deadline_precision)
            latest = indicator.latest
            if target_on is None or target_on == date.max or ctx.as_of <= target_on or latest is None:
                continue
            if reached(latest.value, indicator.target_value, indicator.direction):
                continue
            confirmed = latest.from_on > target_on
            missed.append(
                (
                    MIDDEL if confirmed else LAAG,
                    f"{indicator.name}: streefwaarde {number(indicator.target_value)} "
                    f"{'op de deadline ' if defaulted else 'in '}{shown_date(target_on, precision)} niet gehaald; "
                    f"{'gemeten' if confirmed else 'laatste meting'} {_of(indicator, latest.value)} per {latest.shown_on}"
                    f"{f' ({latest.evidence})' if latest.evidence else ''}",
                    {"indicator": indicator.code, "value": float(latest.value), "measured_on": latest.on.isoformat(),
                     "target": float(indicator.target_value), "target_date": target_on.isoformat(),
                     "confirmed_after_target_date": confirmed},
                    target_on,
                )
            )  # fmt: skip
        if missed:
            missed.sort(key=lambda m: -m[0])
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "streefwaarde_niet_gehaald",
                    missed[0][0],
                    "; ".join(text for _level, text, _facts, _on in missed),
                    {"indicators": [facts for _level, _text, facts, _on in missed]},
                    evidence_on=min(on for *_rest, on in missed),
                )
            )
    return findings


# --- silence: do we know? -------------------------------------------------------------------------


def no_measurement(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """An indicator of an open measure that has not met its target has no measurement for more
    than N months (counted from its baseline, or from when it was set, before the first one)."""
    limit = _months_before(ctx.as_of, thresholds.stale_months)
    findings = []
    for s in ctx.states:
        if not s.indicators or not ctx.is_open(s):
            continue
        quiet = []
        for indicator in s.indicators:
            latest = indicator.latest
            if latest is not None and reached(latest.value, indicator.target_value, indicator.direction):
                continue
            since = latest.on if latest else max(indicator.baseline_on or indicator.stated_on, indicator.stated_on)
            if since < limit:
                quiet.append(
                    f"{indicator.name}: laatste meting {latest.shown_on}"
                    if latest
                    else f"{indicator.name}: nog nooit gemeten (vastgelegd {_d(indicator.stated_on)})"
                )
        if quiet:
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "geen_meting",
                    0,
                    f"geen meting in meer dan {thresholds.stale_months} maanden ({'; '.join(quiet)})",
                    {"months": thresholds.stale_months, "indicators": len(quiet)},
                )
            )
    return findings


def stale(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """No status update for more than N months while the measure is open."""
    limit = _months_before(ctx.as_of, thresholds.stale_months)
    findings = []
    for s in ctx.states:
        last = s.last_update_on or s.announced_on
        if ctx.is_open(s) and last < limit and not _evidenced_as_realised(s):
            since = (
                f"laatste update {_when(s.latest)}"
                if s.last_update_on
                else f"nooit bijgewerkt sinds aankondiging op {_d(s.announced_on)}"
            )
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "geen_update",
                    0,
                    f"geen statusupdate in meer dan {thresholds.stale_months} maanden ({since})",
                    {"last_update": last.isoformat(), "months": thresholds.stale_months},
                )
            )
    return findings


def long_running(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """Open for more than N years without reaching gerealiseerd."""
    limit = _years_before(ctx.as_of, thresholds.long_running_years)
    return [
        FlagFinding(
            s.id,
            s.code,
            "lang_lopend",
            0,
            f"sinds {_d(s.announced_on)} open, langer dan {thresholds.long_running_years} jaar, zonder gerealiseerd te zijn",
            {"announced_on": s.announced_on.isoformat(), "years": thresholds.long_running_years},
        )
        for s in ctx.states
        if ctx.is_open(s) and s.announced_on < limit and not _evidenced_as_realised(s)
    ]


def monitoring_gap(ctx: Context, thresholds: Thresholds) -> list[FlagFinding]:
    """No owner, or no deadline: nobody can be held to it (the rapporteur's point of 2018)."""
    findings = []
    for s in ctx.states:
        # Named jointly is not a lead either: nobody is the one to hold to it.
        no_lead = s.lead is None or s.lead == JOINT_LEAD
        missing = [what for what, absent in (("trekker", no_lead), ("deadline", s.deadline is None)) if absent]
        if missing and ctx.is_open(s):
            findings.append(
                FlagFinding(
                    s.id,
                    s.code,
                    "monitoringgat",
                    0,
                    f"geen {' en geen '.join(missing)} vastgelegd: niet te volgen wie wat wanneer oplevert"
                    + (
                        f" (de bron noemt {', '.join(s.co_owners)} gezamenlijk, geen van hen als trekker)"
                        if s.lead == JOINT_LEAD
                        else ""
                    ),
                    {"missing": missing, "joint": s.lead == JOINT_LEAD},
                )
            )
    return findings


@dataclass(frozen=True)
class Rule:
    """A generic rule. `family` is the kind of evidence: rules of one family say the same thing
    twice, so only evidence of different families escalates. Silence rules have no family."""

    code: str
    label: str
    check: Callable[[Context, Thresholds], list[FlagFinding]]
    kind: str = STALL
    family: str | None = None


RULES = (
    Rule("negatief_bewijs", "Negatief bewijs", negative_evidence, STALL, "bevinding"),
    Rule("betwiste_afronding", "Betwiste afronding", contested_completion, STALL, "bevinding"),
    Rule("oneens_met_rapporteur", "Oneens met de rapporteur", disagreement, STALL, "oordeel"),
    Rule("deadline_verstreken", "Deadline verstreken", deadline_passed, STALL, "termijn"),
    Rule("vaak_uitgesteld", "Vaak uitgesteld", postponed, STALL, "uitstel"),
    Rule("achter_op_schema", "Achter op schema", behind_trajectory, STALL, "voortgang"),
    # Of the deadline's family: a target dated on the deadline says again that it passed.
    Rule("streefwaarde_niet_gehaald", "Streefwaarde niet gehaald", target_missed, STALL, "termijn"),
    Rule("geen_update", "Geen recente update", stale, SILENCE),
    Rule("lang_lopend", "Lang lopend", long_running, SILENCE),
    Rule("monitoringgat", "Geen trekker of deadline", monitoring_gap, SILENCE),
    Rule("geen_meting", "Geen recente meting", no_measurement, SILENCE),
)
RULE_LABELS = {r.code: r.label for r in RULES}
RULE_KINDS = {r.code: r.kind for r in RULES}
RULE_FAMILIES = {r.code: r.family for r in RULES}
RULE_ORDER = {r.code: i for i, r in enumerate(RULES)}


# --- one row per measure, in one order ------------------------------------------------------------


def is_stalled(level: int) -> bool:
    """Return whether a measure whose signal has this stall level is stalled: laag or higher.
    Silence alone is a monitoring gap, not a stall."""
    return level >= LAAG


def stall_level(rule_levels: dict[str, int]) -> int:
    """Return a measure's stall level from its stall rules' own levels (rule code -> level).

    The strongest rule sets the level; evidence of two or more independent families raises it one
    step, up to hoog. Silence is not passed in: it never sets or raises a level.
    """
    if not rule_levels:
        return 0
    level = max(rule_levels.values())
    families = {RULE_FAMILIES.get(rule) or rule for rule in rule_levels}
    return min(HOOG, level + 1) if len(families) >= 2 else level


@dataclass
class MeasureSignal:
    """Everything the checks say about one measure: its stall level and score, and its silence."""

    measure_id: int
    measure_code: str
    level: int
    score: int
    evidence_on: date | None
    stall: list = field(default_factory=list)  # FlagFinding or Flag rows, strongest first
    silence: list = field(default_factory=list)
    measure: object = None  # what a page shows of the measure (set by the query that reads signals)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def evidence_precision(self) -> str:
        """Return how precisely the oldest evidence's date is known (dag, maand, jaar)."""
        for f in self.stall:
            if f.evidence_on == self.evidence_on:
                return _facts(f).get("evidence_precision", "dag")
        return "dag"

    @cached_property
    def silence_facts(self) -> list[str]:
        """Return the silence kinds as facts: geen_update, lang_lopend, geen_trekker, geen_deadline."""
        facts = []
        for f in self.silence:
            if f.rule == "monitoringgat":
                missing = _facts(f).get("missing", [])
                facts += [f"geen_{what}" for what in missing]
            else:
                facts.append(f.rule)
        return facts

    def as_dict(self) -> dict:
        return {
            "measure_code": self.measure_code,
            "stall_level": self.level,
            "stall_level_label": self.level_label,
            "score": self.score,
            "oldest_evidence_on": self.evidence_on.isoformat() if self.evidence_on else None,
            "oldest_evidence_precision": self.evidence_precision,
            "stall_reasons": [
                {"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule), "rule_level": LEVEL_LABELS[f.rule_severity]}
                for f in self.stall
            ],
            "silence": self.silence_facts,
        }


SILENCE_FACT_LABELS = {
    "geen_update": "geen recente update",
    "lang_lopend": "lang lopend",
    "geen_trekker": "geen trekker",
    "geen_deadline": "geen deadline",
    "geen_meting": "geen recente meting",
}


def _facts(flag) -> dict:
    facts = flag.facts
    return json.loads(facts or "{}") if isinstance(facts, str) else facts


def signal_order(signal: MeasureSignal) -> tuple:
    """The one order of flagged measures: stall level, then score, then the oldest evidence."""
    return (-signal.level, -signal.score, signal.evidence_on or date.max, signal.measure_code)


def measure_signals(flags, codes: dict[int, str] | None = None) -> list[MeasureSignal]:
    """Group findings (or persisted flags, with their measures' `codes`) into one signal per measure,
    in the one order."""
    by_measure: dict[int, MeasureSignal] = {}
    for f in flags:
        signal = by_measure.get(f.measure_id)
        if signal is None:
            code = codes[f.measure_id] if codes is not None else f.measure_code
            signal = by_measure[f.measure_id] = MeasureSignal(f.measure_id, code, 0, 0, None)
        (signal.silence if RULE_KINDS.get(f.rule, f.kind) == SILENCE else signal.stall).append(f)
    for signal in by_measure.values():  # most measures have one rule of each kind: keep that cheap
        stall = signal.stall
        if len(stall) == 1:
            only = stall[0]
            signal.level = signal.score = only.rule_severity
            signal.evidence_on = only.evidence_on
        elif stall:
            stall.sort(key=_stall_key)
            signal.level = stall_level({f.rule: f.rule_severity for f in stall})
            signal.score = sum(f.rule_severity for f in stall)
            dates = [f.evidence_on for f in stall if f.evidence_on is not None]
            signal.evidence_on = min(dates) if dates else None
        if len(signal.silence) > 1:
            signal.silence.sort(key=_silence_key)
    return sorted(by_measure.values(), key=signal_order)


def _stall_key(f) -> tuple:
    return (-f.rule_severity, RULE_ORDER.get(f.rule, 99))


def _silence_key(f) -> int:
    return RULE_ORDER.get(f.rule, 99)


def level_counts(signals: list[MeasureSignal]) -> dict:
    """Return measures per stall level (3, 2, 1), stalled and silent totals, and measures per silence fact."""
    facts: dict[str, int] = dict.fromkeys(SILENCE_FACT_LABELS, 0)
    for signal in signals:
        for fact in set(signal.silence_facts):
            facts[fact] += 1
    by_level = {level: sum(1 for s in signals if s.level == level) for level in (HOOG, MIDDEL, LAAG)}
    return {
        "by_level": by_level,
        "stalled": sum(by_level.values()),
        "silent": sum(1 for s in signals if s.silence),
        "silence_facts": facts,
    }


def silence_by_owner(gaps) -> list[dict]:
    """Return the monitoring gaps per owner, biggest first, from (owner, silence facts) per silent
    measure: how many of its measures lack what ("" is no owner)."""
    rows: dict[str, dict] = {}
    for owner, facts in gaps:
        row = rows.setdefault(
            owner or "", {"owner": owner or "", "measures": 0, "facts": dict.fromkeys(SILENCE_FACT_LABELS, 0)}
        )
        row["measures"] += 1
        for fact in set(facts) & SILENCE_FACT_LABELS.keys():
            row["facts"][fact] += 1
    return sorted(rows.values(), key=lambda r: (-r["measures"], r["owner"] == "", r["owner"]))


def combine(findings: list[FlagFinding]) -> tuple[list[FlagFinding], list[MeasureSignal]]:
    """Give every finding its measure's stall level and score; order as `signal_order`, rules within."""
    ordered = []
    signals = measure_signals(findings)
    for signal in signals:
        level, score = signal.level, signal.score
        for f in signal.stall:
            f.severity, f.score = level, score
            ordered.append(f)
        for f in signal.silence:
            f.severity, f.score = level, score
            ordered.append(f)
    return ordered, signals


@dataclass
class Evaluation:
    findings: list[FlagFinding]
    failed_rules: dict[str, str]
    signals: list[MeasureSignal] = field(default_factory=list)


def evaluate(session: Session, now: datetime, thresholds: Thresholds, rules=RULES) -> Evaluation:
    """Run every rule over the programme on `now`'s date; a failing rule is logged and the others still run."""
    with gc_paused():
        try:
            ctx = context(session, now)
        except Exception:
            session.rollback()
            raise
        return evaluate_context(ctx, thresholds, rules, on_error=session.rollback)


def evaluate_context(ctx: Context, thresholds: Thresholds, rules=RULES, on_error=None) -> Evaluation:
    """Run every rule over a loaded (or generated) programme."""
    findings, failed = [], {}
    for rule in rules:
        try:
            found = rule.check(ctx, thresholds)
        except Exception as error:  # one broken rule must not hide the others' flags
            log.exception("Controle %s mislukt", rule.code)
            if on_error is not None:
                on_error()
            failed[rule.code] = f"{type(error).__name__}: {error}"
            continue
        for f in found:
            f.kind = rule.kind
        findings.extend(found)
    ordered, signals = combine(findings)
    return Evaluation(ordered, failed, signals)


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
                explanation=finding.explanation,
                last_seen_on=run.as_of,
            )
            opened.append(flag)
        flag.kind = finding.kind
        flag.last_seen_on = run.as_of
        flag.rule_severity, flag.severity, flag.score = finding.rule_severity, finding.severity, finding.score
        flag.evidence_on = finding.evidence_on
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
    the run reports what the rules would have said then, and leaves today's flags alone. Returns
    (None, None) when another process already claimed `run_key`.
    """
    as_of = clock.day_of(now)
    persisted = persist
    # A run for a past date may be repeated: only an explicit key (the daily job's) claims a slot.
    key = run_key or f"{trigger}:{as_of.isoformat()}:{clock.now().isoformat()}"
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
        signals = evaluation.signals
        run.measures_flagged = len(signals)
        run.measures_stalled = sum(1 for signal in signals if is_stalled(signal.level))
        run.measures_silent = sum(1 for signal in signals if signal.silence)
        run.rule_errors = json.dumps(evaluation.failed_rules, ensure_ascii=False) if evaluation.failed_rules else ""
        run.status = "geslaagd" if not evaluation.failed_rules else "deels mislukt"
        run.finished_at = clock.now()
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
        failed.finished_at = clock.now()
        session.add(failed)
        session.commit()
        raise
