"""Indicators: a measure's measurable targets and their measurements.

Three parts, used by the pages, the report, the API and the checks alike:

- the trajectory arithmetic, pure: the straight line from the baseline to the target, where a
  measurement stands against it, and whether the target is reached;
- what the register knew of the indicators on a date (`indicators_on`), as facts;
- the verbs that add an indicator or a measurement (append-only, with the measure's version
  claimed like every other write, so concurrent edits are detected).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from measures.core import clock
from measures.core.text import DateError, check_date_range, clean_text
from measures.register.catalogue import last_day
from measures.register.history import _only
from models import Indicator, IndicatorMeasurement, IndicatorRetirement, Measure, SourceDocument
from models.document import shown_date
from models.indicator import DIRECTIONS

DATE_PRECISIONS = ("dag", "maand", "jaar")
# Bounds on what one indicator holds, checked before anything is stored.
MAX_VALUE = Decimal("999999999999.99")
MAX_NAME, MAX_UNIT = 200, 60


# --- the arithmetic -------------------------------------------------------------------------------


def period_end(day: date | None, precision: str) -> date | None:
    """A date known to a month or a year stands for the last day of that period (the register never
    claims a value held before it is known to): the catalogue's own rule."""
    return None if day is None else last_day(day, precision)


def period_start(day: date, precision: str) -> date:
    """The first day of the period a date stands for (itself when known to the day)."""
    if precision == "jaar":
        return date(day.year, 1, 1)
    if precision == "maand":
        return date(day.year, day.month, 1)
    return day


def number(value: Decimal | None) -> str:
    """A value as Dutch text: 35, 33,5 or 1.250; None is 'onbekend'."""
    if value is None:
        return "onbekend"
    value = Decimal(value)
    if value == value.to_integral_value():
        whole = f"{int(value):,}".replace(",", ".")
        return whole
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}".rstrip("0")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def parse_number(raw) -> Decimal:
    """A value as people type it (30, 12,5, 1.250 or 1250.5), or ValueError with a Dutch reason."""
    from measures.core.forms import parse_amount

    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("geef een getal, bijvoorbeeld 30 of 12,5.")
    try:
        return parse_amount(raw)
    except ValueError as error:
        raise ValueError(
            "geef een getal van 0 of meer met hoogstens twee cijfers achter de komma, bijvoorbeeld 30 of 12,5."
        ) from error


def reached(value: Decimal, target: Decimal, direction: str) -> bool:
    """Whether `value` meets the target: at or above it when higher is better, at or below when lower is."""
    return value <= target if direction == "dalend" else value >= target


@dataclass(frozen=True)
class Trajectory:
    """The straight line from (baseline_on, baseline) to (target_on, target). Before the baseline
    date it holds the baseline, from the target date on the target; a target dated on or before
    its baseline is due at once (its line is a step at the target date)."""

    baseline: Decimal
    baseline_on: date
    target: Decimal
    target_on: date
    direction: str = "stijgend"

    def expected(self, on: date) -> Decimal:
        """Where the line is on `on`."""
        if on >= self.target_on:
            return self.target
        if on <= self.baseline_on:
            return self.baseline
        elapsed = Decimal((on - self.baseline_on).days) / Decimal((self.target_on - self.baseline_on).days)
        return self.baseline + (self.target - self.baseline) * elapsed

    @property
    def way(self) -> Decimal:
        """How far the target is from the baseline (zero: the target is to hold the baseline)."""
        return abs(self.target - self.baseline)

    def shortfall(self, value: Decimal, on: date) -> Decimal:
        """How far `value` on `on` is behind the line (negative: ahead of it)."""
        gap = self.expected(on) - value
        return -gap if self.direction == "dalend" else gap

    def behind(self, value: Decimal, on: date, margin: Decimal) -> bool:
        """Whether `value` on `on` is behind the line by more than `margin` (a share of the way).
        A value that meets the target is never behind."""
        if reached(value, self.target, self.direction):
            return False
        return self.shortfall(value, on) > margin * self.way


def share(value: Decimal, target: Decimal, direction: str, baseline: Decimal | None = None) -> int | None:
    """The compact percentage shown beside "30 / 35": the value as a share of the target when
    higher is better; the share of the way from the baseline when lower is. None when undefined."""
    if direction == "dalend":
        if baseline is None or baseline == target:
            return None
        part = (baseline - value) / (baseline - target)
    else:
        if target <= 0:
            return None
        part = value / target
    return int((part * 100).to_integral_value(rounding=ROUND_HALF_UP))


def compact_reading(value: Decimal | None, target: Decimal, direction: str, baseline: Decimal | None) -> str:
    """ "30 / 35 (86 %)": the latest value of the target, with its share; "– / 35" without a value."""
    if value is None:
        return f"– / {number(target)}"
    percent = share(value, target, direction, baseline)
    return f"{number(value)} / {number(target)}" + (f" ({percent} %)" if percent is not None else "")


# --- what the register knew on a date -------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementFact:
    id: int
    on: date
    precision: str
    value: Decimal
    note: str
    document_key: str | None
    document_reference: str | None  # how it is cited: "Kamerstuk … (datum), via …" when known via another
    evidence_url: str | None
    quote: str | None
    recorded_by: str

    @property
    def evidence(self) -> str | None:
        return self.document_reference or self.evidence_url

    @property
    def shown_on(self) -> str:
        return shown_date(self.on, self.precision)

    @property
    def from_on(self) -> date:
        """The first day the value may have held: a value known to a month or a year is stored on
        the period's last day, but may have been counted on its first. The rules give the owner that
        benefit of the doubt: the line is read there, and only a period wholly after a target date
        confirms the target unmet."""
        return period_start(self.on, self.precision)


@dataclass(frozen=True)
class IndicatorFact:
    id: int
    code: str
    name: str
    unit: str
    direction: str
    baseline_value: Decimal | None
    baseline_on: date | None
    baseline_precision: str
    baseline_basis: str
    baseline_document_key: str | None
    baseline_reference: str | None
    target_value: Decimal
    target_on: date | None  # None: the measure's deadline
    target_precision: str
    basis: str
    basis_document_key: str | None
    basis_reference: str | None
    stated_on: date
    measurements: tuple[MeasurementFact, ...] = ()
    # Withdrawn from this date on (None: in force), and why.
    retired_on: date | None = None
    retired_reason: str = ""

    @property
    def latest(self) -> MeasurementFact | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, self.direction)

    def target_date(self, deadline: date | None, deadline_precision: str = "dag") -> tuple[date | None, str, bool]:
        """(date, precision, defaulted): the indicator's own target date, or the measure's deadline."""
        if self.target_on is not None:
            return self.target_on, self.target_precision, False
        return deadline, deadline_precision, True

    def trajectory(self, deadline: date | None) -> Trajectory | None:
        """The line from baseline to target, when both ends are known."""
        target_on, _precision, _defaulted = self.target_date(deadline)
        if self.baseline_value is None or self.baseline_on is None or target_on is None or target_on == date.max:
            return None
        if target_on <= self.baseline_on:  # a deadline before the baseline: no line (the target date rule reads it)
            return None
        return Trajectory(self.baseline_value, self.baseline_on, self.target_value, target_on, self.direction)

    def compact(self) -> str:
        """The list's short reading: "30 / 35 (86 %)", or "– / 35" before any measurement."""
        latest = self.latest
        return compact_reading(latest.value if latest else None, self.target_value, self.direction, self.baseline_value)

    def as_dict(self, deadline: date | None, deadline_precision: str = "dag") -> dict:
        """The open-data and API shape (snake_case, as the export's other fields)."""
        target_on, precision, defaulted = self.target_date(deadline, deadline_precision)
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction,
            "stated_on": self.stated_on.isoformat(),
            "baseline": None
            if self.baseline_value is None
            else {
                "value": float(self.baseline_value),
                "on": self.baseline_on.isoformat() if self.baseline_on else None,
                "on_precision": self.baseline_precision,
                "basis": self.baseline_basis,
                "basis_document": self.baseline_document_key,
                "basis_citation": self.baseline_reference,
            },
            "target": float(self.target_value),
            "target_date": target_on.isoformat() if target_on and target_on != date.max else None,
            "target_precision": precision,
            "target_is_deadline": defaulted,
            "basis": self.basis,
            "basis_document": self.basis_document_key,
            "basis_citation": self.basis_reference,
            "measurements": [
                {
                    "on": m.on.isoformat(),
                    "on_precision": m.precision,
                    "value": float(m.value),
                    "note": m.note,
                    "evidence_document": m.document_key,
                    "evidence_citation": m.document_reference,
                    "evidence_quote": m.quote,
                    "evidence_url": m.evidence_url,
                }
                for m in self.measurements
            ],
        }


def indicators_on(
    session: Session,
    as_of: date,
    *,
    only=None,
    known_at: datetime | None = None,
    include_retired: bool = False,
) -> dict[int, tuple[IndicatorFact, ...]]:
    """Per measure id, its indicators known and in force on `as_of` with their measurements up to
    that date (ordered by date, then as recorded); with `known_at`, as the register had recorded
    them then. `only`: one measure id, ids, or a query of ids (None: all). `include_retired` keeps
    the withdrawn ones too, with the date they were withdrawn (the projection walks through it)."""
    basis_doc, baseline_doc = aliased(SourceDocument), aliased(SourceDocument)
    conditions = [Indicator.stated_on <= as_of, *_only(Indicator.measure_id, only)]
    retired = [IndicatorRetirement.indicator_id == Indicator.id]
    if known_at is not None:
        conditions.append(Indicator.recorded_at <= known_at)
        retired.append(IndicatorRetirement.recorded_at <= known_at)
    rows = session.exec(
        select(
            Indicator,
            basis_doc.key,
            basis_doc.citation,
            baseline_doc.key,
            baseline_doc.citation,
            IndicatorRetirement.retired_on,
            IndicatorRetirement.reason,
        )
        .join(basis_doc, basis_doc.id == Indicator.basis_document_id, isouter=True)
        .join(baseline_doc, baseline_doc.id == Indicator.baseline_document_id, isouter=True)
        .join(IndicatorRetirement, and_(*retired), isouter=True)
        .where(*conditions)
        .order_by(Indicator.measure_id, Indicator.id)
    ).all()
    if not include_retired:
        rows = [row for row in rows if row[5] is None or row[5] > as_of]
    if not rows:
        return {}
    measured: dict[int, list[MeasurementFact]] = {}
    wanted = [IndicatorMeasurement.measured_on <= as_of, *_only(IndicatorMeasurement.measure_id, only)]
    if known_at is not None:
        wanted.append(IndicatorMeasurement.recorded_at <= known_at)
    for m, key, citation in session.exec(
        select(IndicatorMeasurement, SourceDocument.key, SourceDocument.citation)
        .join(SourceDocument, SourceDocument.id == IndicatorMeasurement.evidence_document_id, isouter=True)
        .where(*wanted)
        .order_by(IndicatorMeasurement.measured_on, IndicatorMeasurement.id)
    ).all():
        measured.setdefault(m.indicator_id, []).append(
            MeasurementFact(
                m.id,
                m.measured_on,
                m.measured_precision,
                Decimal(m.value),
                m.note,
                key,
                citation,
                m.evidence_url,
                m.evidence_quote,
                m.recorded_by,
            )
        )
    result: dict[int, list[IndicatorFact]] = {}
    for i, basis_key, basis_citation, baseline_key, baseline_citation, retired_on, reason in rows:
        result.setdefault(i.measure_id, []).append(
            IndicatorFact(
                id=i.id,
                code=i.code,
                name=i.name,
                unit=i.unit,
                direction=i.direction,
                baseline_value=Decimal(i.baseline_value) if i.baseline_value is not None else None,
                baseline_on=i.baseline_on,
                baseline_precision=i.baseline_precision,
                baseline_basis=i.baseline_basis,
                baseline_document_key=baseline_key,
                baseline_reference=baseline_citation,
                target_value=Decimal(i.target_value),
                target_on=i.target_on,
                target_precision=i.target_precision,
                basis=i.basis,
                basis_document_key=basis_key,
                basis_reference=basis_citation,
                stated_on=i.stated_on,
                measurements=tuple(measured.get(i.id, ())),
                retired_on=retired_on,
                retired_reason=reason or "",
            )
        )
    return {mid: tuple(facts) for mid, facts in result.items()}


def measure_indicators(session: Session, measure_id: int, as_of: date | None = None) -> tuple[IndicatorFact, ...]:
    """One measure's indicators as of a date (today when None)."""
    return indicators_on(session, as_of or clock.today(), only=measure_id).get(measure_id, ())


# --- the verbs ------------------------------------------------------------------------------------


def _value(text, what: str) -> Decimal:
    from measures.register.services import ServiceError

    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip().replace(",", "."))
    except (ArithmeticError, ValueError) as error:
        raise ServiceError(f"{what}: geef een getal, zoals 30 of 12,5.") from error
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise ServiceError(f"{what}: geef een getal tot {number(MAX_VALUE)}.")
    if value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ServiceError(f"{what}: geef hoogstens twee decimalen.")
    return value.quantize(Decimal("0.01"))


def _day(day: date | None, precision: str, what: str, *, not_after: date | None = None) -> None:
    from measures.register.services import ServiceError

    if precision not in DATE_PRECISIONS:
        raise ServiceError(f"Onbekende precisie van de datum: {precision}")
    if day is None:
        return
    try:
        check_date_range(day)
    except DateError as error:
        raise ServiceError(f"Ongeldige {what}: {error}") from error
    if not_after is not None and day > not_after:
        raise ServiceError(f"De {what} mag niet in de toekomst liggen.")


def next_code(session: Session, measure: Measure) -> str:
    """The next free indicator code of a measure: <code>-I1, -I2, …"""
    count = session.exec(select(func.count()).where(Indicator.measure_id == measure.id)).one()
    n = count + 1
    while session.exec(select(Indicator.id).where(Indicator.code == f"{measure.code}-I{n}")).first() is not None:
        n += 1
    return f"{measure.code}-I{n}"


def add_indicator(
    *,
    session: Session,
    measure: Measure,
    name: str,
    unit: str,
    target_value,
    recorded_by: str,
    now: datetime,
    direction: str = "stijgend",
    baseline_value=None,
    baseline_on: date | None = None,
    baseline_precision: str = "dag",
    baseline_basis: str = "",
    baseline_document_id: int | None = None,
    target_on: date | None = None,
    target_precision: str = "dag",
    basis: str = "",
    basis_document_id: int | None = None,
    stated_on: date | None = None,
    code: str | None = None,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
) -> Indicator:
    """Add an indicator to a measure (append-only: a changed target is a new indicator)."""
    from measures.register import services

    name, unit = clean_text(name or "").strip(), clean_text(unit or "").strip()
    if not name:
        raise services.ServiceError("Een indicator heeft een naam nodig.")
    if not unit:
        raise services.ServiceError("Een indicator heeft een eenheid nodig, zoals regio's of procent.")
    if len(name) > MAX_NAME or len(unit) > MAX_UNIT:
        raise services.ServiceError(f"De naam mag hoogstens {MAX_NAME} en de eenheid {MAX_UNIT} tekens lang zijn.")
    if direction not in DIRECTIONS:
        raise services.ServiceError(f"Onbekende richting: {direction}")
    target = _value(target_value, "Streefwaarde")
    baseline = _value(baseline_value, "Nulmeting") if baseline_value not in (None, "") else None
    if (baseline is None) != (baseline_on is None):
        raise services.ServiceError("Een nulmeting heeft een waarde en een datum, of geen van beide.")
    _day(baseline_on, baseline_precision, "datum van de nulmeting", not_after=clock.day_of(now))
    _day(target_on, target_precision, "streefdatum")
    if baseline_on is not None and target_on is not None and target_on <= baseline_on:
        raise services.ServiceError("De streefdatum moet na de datum van de nulmeting liggen.")
    if baseline is not None and (target < baseline if direction == "stijgend" else target > baseline):
        raise services.ServiceError(
            "De streefwaarde ligt "
            + ("onder" if direction == "stijgend" else "boven")
            + " de nulmeting: kies de richting "
            + ("‘lager is beter’." if direction == "stijgend" else "‘hoger is beter’.")
        )
    if session.exec(select(Indicator.id).where(Indicator.measure_id == measure.id, Indicator.name == name)).first():
        raise services.ServiceError(f"Deze maatregel heeft al een indicator ‘{name}’.")
    if code is not None and session.exec(select(Indicator.id).where(Indicator.code == code)).first():
        raise services.ServiceError(f"De code {code} is al in gebruik.")
    indicator = Indicator(
        code=code or next_code(session, measure),
        measure_id=measure.id,
        name=name,
        unit=unit,
        direction=direction,
        baseline_value=baseline,
        baseline_on=baseline_on,
        baseline_precision=baseline_precision,
        baseline_basis=clean_text(baseline_basis or "").strip() or "onbekend",
        baseline_document_id=baseline_document_id,
        target_value=target,
        target_on=target_on,
        target_precision=target_precision,
        basis=clean_text(basis or "").strip() or "onbekend",
        basis_document_id=basis_document_id,
        stated_on=stated_on or clock.day_of(now),
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
    )
    return services.append_history(session, measure, indicator, expected_version=expected_version, now=now)


def record_measurement(
    *,
    session: Session,
    measure: Measure,
    indicator: Indicator,
    value,
    measured_on: date,
    recorded_by: str,
    now: datetime,
    measured_precision: str = "dag",
    note: str = "",
    evidence_document_id: int | None = None,
    evidence_url: str | None = None,
    evidence_quote: str | None = None,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
) -> IndicatorMeasurement:
    """Append a measurement of an indicator, claiming the measure's version like a status update."""
    from measures.register import services

    if indicator.measure_id != measure.id:
        raise services.ServiceError("Deze indicator hoort niet bij deze maatregel.")
    amount = _value(value, "Waarde")
    _day(measured_on, measured_precision, "datum van de meting", not_after=clock.day_of(now))
    entry = IndicatorMeasurement(
        indicator_id=indicator.id,
        measure_id=measure.id,
        value=amount,
        measured_on=measured_on,
        measured_precision=measured_precision,
        note=clean_text(note or "").strip(),
        evidence_document_id=evidence_document_id,
        evidence_url=evidence_url or None,
        evidence_quote=evidence_quote or None,
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
    )
    return services.append_history(session, measure, entry, expected_version=expected_version, now=now)


def retire_indicator(
    *,
    session: Session,
    measure: Measure,
    indicator: Indicator,
    reason: str,
    retired_on: date,
    recorded_by: str,
    now: datetime,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
) -> IndicatorRetirement:
    """Withdraw an indicator from `retired_on` on, with a reason: before that date it stays as it
    was, with its measurements; from it, no page, export or rule counts it."""
    from measures.register import services

    if indicator.measure_id != measure.id:
        raise services.ServiceError("Deze indicator hoort niet bij deze maatregel.")
    reason = clean_text(reason or "").strip()
    if not reason:
        raise services.ServiceError("Geef de reden waarom de indicator wordt ingetrokken.")
    _day(retired_on, "dag", "datum van intrekking")
    if retired_on <= indicator.stated_on:
        raise services.ServiceError(
            f"De indicator geldt vanaf {shown_date(indicator.stated_on)}: trek haar in op een latere datum."
        )
    if session.exec(select(IndicatorRetirement.id).where(IndicatorRetirement.indicator_id == indicator.id)).first():
        raise services.ServiceError(f"De indicator {indicator.code} is al ingetrokken.")
    entry = IndicatorRetirement(
        indicator_id=indicator.id,
        measure_id=measure.id,
        retired_on=retired_on,
        reason=reason,
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
    )
    return services.append_history(session, measure, entry, expected_version=expected_version, now=now)


# --- shown --------------------------------------------------------------------------------------


def chart(
    indicator: IndicatorFact,
    *,
    deadline: date | None,
    deadline_precision: str,
    on: date,
    on_label: str,
    chart_id: str,
    pdf: bool = False,
):
    """The indicator's line chart: for a page, drawn twice (wide, and 300 px for a phone; the CSS
    shows one); for the PDF once, with every number in its title."""
    from markupsafe import Markup

    from measures.reports import charts

    target_on, precision, defaulted = indicator.target_date(deadline, deadline_precision)
    if target_on == date.max:
        target_on = None
    line = indicator.trajectory(deadline)
    arguments = {
        "title": f"{indicator.name} ({indicator.unit})",
        "points": [(m.on, m.value, m.shown_on, number(m.value)) for m in indicator.measurements],
        "line": ((line.baseline_on, line.baseline), (line.target_on, line.target)) if line else None,
        "line_shown": (
            f"lijn van de nulmeting {number(line.baseline)} ({shown_date(indicator.baseline_on, indicator.baseline_precision)})"
            f" naar de streefwaarde"
            if line
            else ""
        ),
        "target": (
            indicator.target_value,
            number(indicator.target_value),
            target_on,
            (("deadline " if defaulted else "") + shown_date(target_on, precision)) if target_on else "",
        ),
        "today": (on, on_label),
        "unit": indicator.unit,
        # from when the indicator is known (or its baseline, if earlier)
        "start": min(d for d in (indicator.stated_on, indicator.baseline_on) if d is not None and d != date.min)
        if (indicator.stated_on != date.min or indicator.baseline_on)
        else None,
    }
    if pdf:
        return charts.trajectory_chart(chart_id=chart_id, numbers_in_title=True, **arguments)
    wide = charts.trajectory_chart(chart_id=chart_id, **arguments)
    narrow = charts.trajectory_chart(chart_id=f"{chart_id}-smal", width=300, **arguments)
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')  # noqa: S704


def rows(indicator: IndicatorFact, deadline: date | None, deadline_precision: str = "dag") -> list[dict]:
    """The chart's numbers as table rows, in date order: the baseline, each measurement (with where
    the line was that day), the target."""
    line = indicator.trajectory(deadline)
    target_on, precision, defaulted = indicator.target_date(deadline, deadline_precision)
    result = []
    if indicator.baseline_value is not None:
        result.append(
            {
                "kind": "nulmeting",
                "on": indicator.baseline_on,
                "shown_on": shown_date(indicator.baseline_on, indicator.baseline_precision),
                "value": number(indicator.baseline_value),
                "expected": None,
                "quote": indicator.baseline_basis,
                "document_key": indicator.baseline_document_key,
                "citation": indicator.baseline_reference,
            }
        )
    for m in indicator.measurements:
        expected = line.expected(m.from_on) if line else None
        result.append(
            {
                "kind": "meting",
                "on": m.on,
                "shown_on": m.shown_on,
                "value": number(m.value),
                "expected": number(expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
                if expected is not None
                else None,
                "behind": bool(line and line.behind(m.value, m.from_on, Decimal("0"))),
                "quote": m.quote,
                "note": m.note,
                "document_key": m.document_key,
                "citation": m.evidence,
                "recorded_by": m.recorded_by,
            }
        )
    result.append(
        {
            "kind": "streefwaarde",
            "on": target_on,
            "shown_on": (shown_date(target_on, precision) + (" (deadline)" if defaulted else ""))
            if target_on and target_on != date.max
            else "onbekend",
            "value": number(indicator.target_value),
            "expected": None,
            "quote": indicator.basis,
            "document_key": indicator.basis_document_key,
            "citation": indicator.basis_reference,
        }
    )
    return result


def reading(
    indicator: IndicatorFact, deadline: date | None, deadline_precision: str, on: date, margin: Decimal
) -> tuple[str, str]:
    """(state, Dutch sentence): where the indicator stands on `on`, by the rules' own arithmetic.
    States: geen_meting, gehaald, niet_gehaald, achter, op_schema, geen_lijn."""
    latest = indicator.latest
    target_on, precision, defaulted = indicator.target_date(deadline, deadline_precision)
    known_target = target_on is not None and target_on != date.max
    if latest is None:
        return "geen_meting", "Nog geen meting."
    if reached(latest.value, indicator.target_value, indicator.direction):
        return "gehaald", f"Streefwaarde gehaald per {latest.shown_on}."
    when = ("de deadline " if defaulted else "") + shown_date(target_on, precision) if known_target else ""
    if known_target and on > target_on:
        return "niet_gehaald", f"Streefdatum ({when}) verstreken zonder dat de streefwaarde is gehaald."
    line = indicator.trajectory(deadline)
    if line is None:
        missing = "de nulmeting" if indicator.baseline_value is None else "de streefdatum"
        return "geen_lijn", f"Geen lijn naar het doel te trekken: {missing} is onbekend."
    expected = number(line.expected(latest.from_on).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if line.behind(latest.value, latest.from_on, margin):
        return (
            "achter",
            f"Achter op schema: per {latest.shown_on} {number(latest.value)}, op schema zou {expected} zijn.",
        )
    return "op_schema", f"Op schema: per {latest.shown_on} {number(latest.value)}, de lijn stond op {expected}."


def from_dict(data: dict) -> tuple[IndicatorFact, date | None, str]:
    """An indicator back from its `as_dict` form (a report's snapshot), with the deadline its
    target date stands for when it is the measure's: (fact, deadline, deadline precision). The
    report draws its charts from the snapshot alone, with the same code as the pages."""
    baseline = data.get("baseline") or {}
    target_date = date.fromisoformat(data["target_date"]) if data.get("target_date") else None
    defaulted = bool(data.get("target_is_deadline"))
    fact = IndicatorFact(
        id=0,
        code=data["code"],
        name=data["name"],
        unit=data["unit"],
        direction=data["direction"],
        baseline_value=Decimal(str(baseline["value"])) if baseline else None,
        baseline_on=date.fromisoformat(baseline["on"]) if baseline.get("on") else None,
        baseline_precision=baseline.get("on_precision", "dag"),
        baseline_basis=baseline.get("basis", "onbekend"),
        baseline_document_key=baseline.get("basis_document"),
        baseline_reference=baseline.get("basis_citation", baseline.get("basis_document")),
        target_value=Decimal(str(data["target"])),
        target_on=None if defaulted else target_date,
        target_precision=data.get("target_precision", "dag"),
        basis=data.get("basis", "onbekend"),
        basis_document_key=data.get("basis_document"),
        basis_reference=data.get("basis_citation", data.get("basis_document")),
        stated_on=date.fromisoformat(data["stated_on"]) if data.get("stated_on") else date.min,
        measurements=tuple(
            MeasurementFact(
                0,
                date.fromisoformat(m["on"]),
                m.get("on_precision", "dag"),
                Decimal(str(m["value"])),
                m.get("note", ""),
                m.get("evidence_document"),
                m.get("evidence_citation"),
                m.get("evidence_url"),
                m.get("evidence_quote"),
                "",
            )
            for m in data.get("measurements", [])
        ),
    )
    return fact, target_date if defaulted else None, data.get("target_precision", "dag")
