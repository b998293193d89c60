"""Indicators (issue #21): the trajectory arithmetic at its edges, the rules that read it, the
catalogue's indicators, append-only storage, the role matrix, the import's all-or-nothing rule,
the API, the export, as-of and the comparison."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from measures.accounts import tokens
from measures.checks import rules
from measures.register import history, indicators, services, states
from measures.register.catalogue import SOURCES_DIR, load_catalogue, normalise
from measures.register.indicators import IndicatorFact, MeasurementFact, Trajectory
from models import Indicator, IndicatorMeasurement, IndicatorRetirement, Measure, MeasureStateInterval, StatusUpdate
from tests.conftest import NOW

D = Decimal
SCHEMA = Path(__file__).resolve().parent.parent / "static" / "open-data" / "maatregelen.schema.json"


def fact(
    *,
    target=35,
    baseline=19,
    baseline_on=date(2017, 11, 30),
    target_on=date(2020, 12, 31),
    direction="stijgend",
    measurements=(),
    name="Regio's met zorgcoördinatie",
    unit="regio's",
) -> IndicatorFact:
    return IndicatorFact(
        id=1,
        code="T-01-I1",
        name=name,
        unit=unit,
        direction=direction,
        baseline_value=D(baseline) if baseline is not None else None,
        baseline_on=baseline_on if baseline is not None else None,
        baseline_precision="maand",
        baseline_basis="onbekend",
        baseline_document_key=None,
        baseline_reference=None,
        target_value=D(target),
        target_on=target_on,
        target_precision="jaar",
        basis="onbekend",
        basis_document_key=None,
        basis_reference=None,
        stated_on=date(2017, 11, 30),
        measurements=tuple(
            MeasurementFact(n, on, "maand", D(value), "", "doc", "Brief X", None, None, "test")
            for n, (on, value) in enumerate(measurements, start=1)
        ),
    )


# --- the arithmetic at its edges --------------------------------------------------------------------


def test_the_line_runs_straight_from_baseline_to_target_and_holds_at_its_ends():
    line = Trajectory(D(19), date(2018, 1, 1), D(35), date(2022, 1, 1))
    assert line.expected(date(2017, 1, 1)) == 19  # before the baseline: the baseline
    assert line.expected(date(2018, 1, 1)) == 19
    assert line.expected(date(2030, 1, 1)) == 35  # after the target date: the target
    middle = line.expected(date(2020, 1, 1))
    assert abs(middle - 27) < D("0.02")  # half the days, half the way
    assert line.way == 16


def test_behind_means_more_than_the_margin_of_the_way_behind():
    line = Trajectory(D(0), date(2020, 1, 1), D(100), date(2021, 1, 1))
    on = date(2020, 7, 2)  # the line is at 50 (183 of 366 days)
    assert line.expected(on) == 50
    assert not line.behind(D(41), on, D("0.10"))  # 9 behind: within 10 of the way
    assert not line.behind(D(40), on, D("0.10"))  # exactly the margin: not more than it
    assert line.behind(D("39.99"), on, D("0.10"))
    assert not line.behind(D(80), on, D("0.10"))  # ahead


def test_a_target_reached_early_is_never_behind():
    line = Trajectory(D(19), date(2017, 11, 30), D(35), date(2030, 1, 1))
    assert not line.behind(D(35), date(2018, 1, 1), D(0))
    assert not line.behind(D(40), date(2018, 1, 1), D(0))
    f = fact(measurements=[(date(2018, 6, 30), 35)], target_on=date(2030, 1, 1))
    assert indicators.reading(f, None, "dag", date(2019, 1, 1), D("0.1"))[0] == "gehaald"


def test_a_baseline_equal_to_the_target_is_a_level_to_hold():
    line = Trajectory(D(10), date(2018, 1, 1), D(10), date(2020, 1, 1))
    assert line.way == 0
    assert line.expected(date(2019, 1, 1)) == 10
    assert not line.behind(D(10), date(2019, 1, 1), D("0.1"))
    assert line.behind(D("9.99"), date(2019, 1, 1), D("0.1"))  # any shortfall of a level to hold


def test_a_decreasing_indicator_is_behind_when_it_stays_too_high():
    line = Trajectory(D(100), date(2018, 1, 1), D(20), date(2022, 1, 1), "dalend")
    on = date(2020, 1, 1)  # the line is at 60 (730 of 1461 days: 60.0 to within a few hundredths)
    assert abs(line.expected(on) - 60) < D("0.1")
    assert not line.behind(D(50), on, D("0.1"))  # lower than the line: ahead
    assert not line.behind(D(67), on, D("0.1"))  # 7 above, margin 8
    assert line.behind(D(69), on, D("0.1"))
    assert not line.behind(D(20), on, D(0)) and not line.behind(D(5), on, D(0))  # reached
    assert indicators.share(D(60), D(20), "dalend", D(100)) == 50  # half the way down
    assert indicators.share(D(60), D(20), "dalend", None) is None


def test_a_target_date_in_the_past_is_due_at_once():
    # A target dated before its baseline: the line is a step at the target date.
    line = Trajectory(D(5), date(2020, 1, 1), D(13), date(2019, 1, 1))
    assert line.expected(date(2019, 6, 1)) == 13 and line.expected(date(2021, 1, 1)) == 13
    # The rule: the target date passed, the latest measurement below the target.
    f = fact(measurements=[(date(2019, 9, 30), 30)], target_on=date(2019, 6, 30))
    assert indicators.reading(f, None, "dag", date(2020, 1, 1), D("0.1"))[0] == "niet_gehaald"


def test_the_compact_reading_is_value_of_target_with_its_share():
    assert fact(measurements=[(date(2019, 9, 30), 30)]).compact() == "30 / 35 (86 %)"
    assert fact().compact() == "– / 35"
    assert fact(target=0, measurements=[(date(2019, 9, 30), 3)]).compact() == "3 / 0"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_every_shown_number_reads_back_unchanged(value):
    assert indicators.parse_number(indicators.number(value)) == value.quantize(D("0.01"))


def test_a_period_stands_for_its_last_day():
    assert indicators.period_end(date(2019, 9, 1), "maand") == date(2019, 9, 30)
    assert indicators.period_end(date(2020, 2, 3), "maand") == date(2020, 2, 29)
    assert indicators.period_end(date(2019, 12, 5), "maand") == date(2019, 12, 31)
    assert indicators.period_end(date(2022, 3, 3), "jaar") == date(2022, 12, 31)
    assert indicators.period_end(date(2022, 3, 3), "dag") == date(2022, 3, 3)


# --- the rules ----------------------------------------------------------------------------------------


def _context(f: IndicatorFact, on: date, *, status="in_uitvoering", deadline=None) -> rules.Context:
    state = history.MeasureState(
        id=1,
        code="T-01",
        title="Test",
        announced_on=date(2017, 1, 1),
        lead="Politie",
        co_owners=[],
        themes=[],
        budget=[],
        status_code=status,
        deadline=deadline,
        deadline_basis="test",
        postponements=0,
        latest=None,
        latest_evidenced=None,
        indicators=(f,),
    )
    return rules.Context(
        as_of=on, states=[state], labels={}, closed={"gerealiseerd", "beeindigd"}, rapporteur={}, last_open_update={}
    )


def _found(ctx, rule) -> list:
    return rule(ctx, rules.Thresholds())


def test_behind_the_line_is_stall_evidence_that_cites_the_numbers():
    # 19 in November 2017 to 35 at the end of 2019. A count of "September 2019" may be from the
    # 1st: the line is read there (32.45), the benefit of the doubt to the owner.
    f = fact(measurements=[(date(2017, 11, 30), 19), (date(2019, 9, 30), 30)], target_on=date(2019, 12, 31))
    found = _found(_context(f, date(2019, 10, 1)), rules.behind_trajectory)
    assert len(found) == 1
    finding = found[0]
    assert finding.rule == "achter_op_schema" and finding.rule_severity == rules.LAAG
    assert "30 van 35 regio's per september 2019" in finding.explanation
    assert "op schema zou 32 zijn" in finding.explanation
    assert finding.evidence_on == date(2019, 9, 30)
    assert finding.facts["indicators"][0]["expected"] == pytest.approx(32.45, abs=0.01)
    # Known only to the year, 2019 is read from 1 January (the line at 27.3): 26 is within the margin
    # (read on 31 December, where the line is at 35, it would be 9 behind).
    year = fact(measurements=[(date(2019, 12, 31), 25)], target_on=date(2019, 12, 31))
    year = year.__class__(**{**year.__dict__, "measurements": (year.measurements[0].__class__(
        1, date(2019, 12, 31), "jaar", D(26), "", None, None, None, None, "t"),)})  # fmt: skip
    assert _found(_context(year, date(2020, 1, 2)), rules.behind_trajectory) == []
    # On track, or without a line (no baseline, or no date at all), it says nothing.
    on_track = fact(measurements=[(date(2019, 9, 30), 32)], target_on=date(2019, 12, 31))
    assert _found(_context(on_track, date(2019, 10, 1)), rules.behind_trajectory) == []
    no_baseline = fact(baseline=None, measurements=[(date(2019, 9, 30), 1)], target_on=date(2019, 12, 31))
    assert _found(_context(no_baseline, date(2019, 10, 1)), rules.behind_trajectory) == []
    no_date = fact(measurements=[(date(2019, 9, 30), 1)], target_on=None)
    assert _found(_context(no_date, date(2019, 10, 1)), rules.behind_trajectory) == []
    # The target date defaults to the measure's deadline.
    found = _found(_context(no_date, date(2019, 10, 1), deadline=date(2019, 12, 31)), rules.behind_trajectory)
    assert found and "op de deadline" in found[0].explanation
    # A closed measure is not judged.
    assert _found(_context(f, date(2019, 10, 1), status="gerealiseerd"), rules.behind_trajectory) == []


def test_a_target_date_passed_unmet_is_middel_when_measured_after_it_and_laag_when_not():
    before = fact(measurements=[(date(2019, 9, 30), 30)], target_on=date(2020, 12, 31))
    assert _found(_context(before, date(2020, 12, 31)), rules.target_missed) == []  # on the day: not yet
    found = _found(_context(before, date(2021, 1, 1)), rules.target_missed)
    assert (
        found[0].rule_severity == rules.LAAG
        and "laatste meting 30 van 35 regio's per september 2019" in found[0].explanation
    )
    after = fact(measurements=[(date(2021, 3, 31), 33)], target_on=date(2020, 12, 31))
    found = _found(_context(after, date(2021, 4, 1)), rules.target_missed)
    assert found[0].rule_severity == rules.MIDDEL and "gemeten 33 van 35" in found[0].explanation
    # A count known only to the month of the target date may be from before it: not confirmed.
    same_month = fact(measurements=[(date(2020, 12, 31), 33)], target_on=date(2020, 12, 15))
    assert _found(_context(same_month, date(2021, 4, 1)), rules.target_missed)[0].rule_severity == rules.LAAG
    met = fact(measurements=[(date(2021, 3, 31), 35)], target_on=date(2020, 12, 31))
    assert _found(_context(met, date(2021, 4, 1)), rules.target_missed) == []
    never = fact(measurements=[], target_on=date(2020, 12, 31))
    assert _found(_context(never, date(2021, 4, 1)), rules.target_missed) == []  # unknown is silence


def test_no_measurement_for_long_is_silence_not_stall():
    f = fact(measurements=[(date(2019, 9, 30), 30)], target_on=None)
    assert _found(_context(f, date(2020, 9, 30)), rules.no_measurement) == []
    found = _found(_context(f, date(2020, 10, 1)), rules.no_measurement)
    assert found[0].rule == "geen_meting" and found[0].rule_severity == 0
    assert "laatste meting september 2019" in found[0].explanation
    evaluation = rules.evaluate_context(_context(f, date(2021, 1, 1)), rules.Thresholds())
    assert [s.level for s in evaluation.signals] == [0] and "geen_meting" in evaluation.signals[0].silence_facts
    reached = fact(measurements=[(date(2019, 9, 30), 35)], target_on=None)
    assert _found(_context(reached, date(2025, 1, 1)), rules.no_measurement) == []


def test_progress_and_the_deadline_are_different_families_but_a_missed_target_is_the_deadline_s():
    assert rules.stall_level({"achter_op_schema": 1, "deadline_verstreken": 1}) == rules.MIDDEL
    assert rules.stall_level({"streefwaarde_niet_gehaald": 2, "deadline_verstreken": 2}) == rules.MIDDEL
    assert rules.RULE_FAMILIES["streefwaarde_niet_gehaald"] == rules.RULE_FAMILIES["deadline_verstreken"]


def test_the_margin_is_configurable():
    assert rules.Thresholds.from_config({"CHECK_INDICATOR_MARGIN": "0.25"}).indicator_margin == D("0.25")
    f = fact(measurements=[(date(2019, 9, 30), 30)], target_on=date(2019, 12, 31))
    ctx = _context(f, date(2019, 10, 1))
    assert rules.behind_trajectory(ctx, rules.Thresholds(indicator_margin=D("0.25"))) == []


# --- the catalogue -------------------------------------------------------------------------------------


def test_the_catalogue_states_only_indicators_whose_quotes_are_in_the_sources():
    catalogue = load_catalogue()
    assert {i["code"] for i in catalogue.indicators} == {
        "CT-B-01-I1",
        "CT-B-02-I1",
        "CT-C-04-I1",
        "CT-D-01-I1",
        "CT-D-02-I1",
        "CT-L-01-I1",
    }
    documents = {d["key"]: d for d in catalogue.documents}
    for entry in [*catalogue.indicators, *catalogue.measurements]:
        quotes = [(entry["quote"], entry.get("target_document", entry.get("evidence", entry["document"])))]
        if "baseline_quote" in entry:
            quotes.append((entry["baseline_quote"], entry.get("baseline_document", entry["document"])))
        for quote, key in quotes:
            source = documents[key]
            while not source.get("consulted", True):
                source = documents[source["via"]]
            text = normalise((SOURCES_DIR / source["file"]).read_text(encoding="utf-8"))
            assert normalise(quote) in text, (entry.get("code") or entry.get("indicator"), quote)
    # and the numbers are in their quotes: the sources' numbers, not the register's
    for entry in catalogue.indicators:
        assert str(entry["target_value"]) in entry["quote"], entry["code"]
    for entry in catalogue.measurements:
        assert str(entry["value"]) in entry["quote"], entry["indicator"]


def test_the_seeded_catalogue_shows_the_care_coordinators_30_of_35(seeded, session, client):
    measure = session.exec(select(Measure).where(Measure.code == "CT-D-02")).one()
    (indicator,) = indicators.measure_indicators(session, measure.id, date(2026, 12, 1))
    assert [(m.on, m.precision, m.value) for m in indicator.measurements] == [
        (date(2017, 11, 30), "maand", 19),
        (date(2019, 9, 30), "maand", 30),
    ]
    assert indicator.baseline_value == 19 and indicator.target_value == 35 and indicator.target_on is None
    assert indicator.compact() == "30 / 35 (86 %)"
    page = client.get("/maatregelen/CT-D-02").get_data(as_text=True)
    assert "30 / 35 (86 %)" in page and "<svg" in page and "Regio&#39;s met zorgcoördinatie" in page
    assert "streefdatum is onbekend" in page  # no source dates the target, and the measure has no deadline
    assert page.count("citaat gecontroleerd") >= 4  # target, baseline and both measurements
    listing = client.get("/maatregelen?q=zorgco%C3%B6rdinatie").get_data(as_text=True)
    assert "30 / 35 (86 %)" in listing
    # As of a date before September 2019 the page shows only the November 2017 count.
    earlier = client.get("/maatregelen/CT-D-02?as_of=2019-06-01").get_data(as_text=True)
    assert "19 / 35 (54 %)" in earlier and "30 / 35" not in earlier


@pytest.mark.parametrize("on", [date(2019, 12, 5), date(2020, 11, 18), date(2023, 3, 22), date(2026, 12, 1)])
def test_on_the_seeded_catalogue_the_numbers_never_say_behind_and_silence_says_not_measured(seeded, session, on):
    """No source gives an indicator both a dated target and a later measurement, so no line can be
    drawn and no target date passes with a measurement: the stall rules stay silent on every date.
    What the sources do leave is silence: indicators nobody measured for over a year."""
    evaluation = rules.evaluate(session, datetime.combine(on, datetime.min.time(), tzinfo=UTC), rules.Thresholds())
    fired = {(f.measure_code, f.rule) for f in evaluation.findings}
    assert not {rule for _code, rule in fired} & {"achter_op_schema", "streefwaarde_niet_gehaald"}
    silent = {code for code, rule in fired if rule == "geen_meting"}
    assert {"CT-B-01", "CT-B-02", "CT-C-04", "CT-L-01"} <= silent
    assert ("CT-D-02" in silent) == (on > date(2020, 9, 30))  # measured September 2019
    # Why the stall rules cannot fire: every indicator lacks a line or a measurement after its target date.
    for state in history.programme_as_of(session, on):
        for indicator in state.indicators:
            target_on = indicator.target_date(state.deadline)[0]
            measured_after = [m for m in indicator.measurements if target_on and m.on > target_on]
            assert indicator.trajectory(state.deadline) is None or not indicator.measurements[1:]
            assert not measured_after


def test_the_rule_fires_on_the_seeded_catalogue_once_the_numbers_say_so(seeded, session):
    """The catalogue's CT-D-01 target (355 municipalities in 2022) with a measurement a coordinator
    records: 200 in March 2023 is the target date passed unmet, measured after it (middel)."""
    measure = session.exec(select(Measure).where(Measure.code == "CT-D-01")).one()
    indicator = session.exec(select(Indicator).where(Indicator.code == "CT-D-01-I1")).one()
    indicators.record_measurement(
        session=session,
        measure=measure,
        indicator=indicator,
        value=D(200),
        measured_on=date(2023, 3, 31),
        measured_precision="maand",
        recorded_by="test",
        now=NOW,
    )
    session.commit()
    evaluation = rules.evaluate(session, datetime(2023, 6, 1, tzinfo=UTC), rules.Thresholds())
    finding = next(
        f for f in evaluation.findings if f.measure_code == "CT-D-01" and f.rule == "streefwaarde_niet_gehaald"
    )
    assert finding.rule_severity == rules.MIDDEL
    assert "streefwaarde 355 in 2022 niet gehaald; gemeten 200 van 355 gemeenten per maart 2023" in finding.explanation
    # The projection gives the list's stall level from the same rules.
    level = session.exec(
        select(MeasureStateInterval.stall_level).where(
            MeasureStateInterval.measure_id == measure.id,
            states.holds_on(date(2023, 6, 1), measure_id=MeasureStateInterval.measure_id),
        )
    ).one()
    signal = next(s for s in evaluation.signals if s.measure_code == "CT-D-01")
    assert level == signal.level >= rules.MIDDEL


# --- storage: append-only, and the projection -------------------------------------------------------------


@pytest.fixture
def politie_measure(session, create_organisation, create_measure):
    create_organisation("Politie")
    create_organisation("OM")
    return create_measure(code="T-01", status="in_uitvoering", deadline=date(2020, 12, 31), lead="Politie")


def _indicator(session, measure, **kwargs) -> Indicator:
    values = {
        "name": "Getrainde agenten",
        "unit": "procent",
        "target_value": 100,
        "baseline_value": 0,
        "baseline_on": date(2018, 1, 1),
        "target_on": date(2021, 1, 1),
        "stated_on": date(2018, 1, 1),
    } | kwargs
    made = indicators.add_indicator(session=session, measure=measure, recorded_by="test", now=NOW, **values)
    session.commit()
    return made


@pytest.mark.postgres
def test_indicators_and_measurements_are_append_only_in_the_database(session, politie_measure):
    indicator = _indicator(session, politie_measure)
    indicators.record_measurement(
        session=session, measure=politie_measure, indicator=indicator, value=10, measured_on=date(2019, 1, 1),
        recorded_by="test", now=NOW,
    )  # fmt: skip
    session.commit()
    indicators.retire_indicator(
        session=session, measure=politie_measure, indicator=indicator, reason="Verkeerd doel", retired_on=date(2020, 1, 1),
        recorded_by="test", now=NOW,
    )  # fmt: skip
    session.commit()
    for model in (Indicator, IndicatorMeasurement, IndicatorRetirement):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(update(model).values({model.id: model.id}))
            session.flush()
        session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(delete(model))
            session.flush()
        session.rollback()
        assert session.exec(select(model)).all()
    with pytest.raises(DatabaseError, match="append-only"):
        session.exec(text("UPDATE indicator_measurement SET value = 99"))
    session.rollback()


@pytest.mark.postgres
def test_the_projection_turns_with_a_measurement_and_with_the_target_date(session, create_organisation, create_measure):
    """A measurement behind the line raises the list's stall level from its date; the target date
    passing unmet raises it again the day after (a second family of evidence: middel)."""
    create_organisation("Politie")
    measure = create_measure(code="T-02", status="in_uitvoering", lead="Politie")  # no deadline
    indicator = _indicator(session, measure, target_on=date(2022, 6, 30))
    # 2019-07-02: the line from 0 (2018-01-01) to 100 (2022-06-30) is at 33; 10 is far behind it.
    indicators.record_measurement(
        session=session, measure=measure, indicator=indicator, value=10, measured_on=date(2019, 7, 2),
        recorded_by="test", now=NOW,
    )  # fmt: skip
    session.commit()

    def level(on: date) -> int:
        return session.exec(
            select(MeasureStateInterval.stall_level).where(
                MeasureStateInterval.measure_id == measure.id,
                states.holds_on(on, measure_id=MeasureStateInterval.measure_id),
            )
        ).one()

    assert level(date(2019, 7, 1)) == 0
    assert level(date(2019, 7, 2)) == rules.LAAG  # achter op schema (voortgang)
    assert level(date(2022, 6, 30)) == rules.LAAG  # on the target date itself: not yet passed
    assert level(date(2022, 7, 1)) == rules.MIDDEL  # and unmet the day after (termijn): two families
    politie_measure = measure
    assert states.derive(session, [politie_measure.id]) == [
        {c: getattr(r, c) for c in ("measure_id", "valid_from", "valid_to", *states.STATE_COLUMNS)}
        for r in session.exec(
            select(MeasureStateInterval)
            .where(MeasureStateInterval.measure_id == politie_measure.id)
            .order_by(MeasureStateInterval.valid_from)
        ).all()
    ]


def test_the_services_refuse_what_does_not_add_up(session, politie_measure):
    with pytest.raises(services.ServiceError, match="nulmeting heeft een waarde en een datum"):
        indicators.add_indicator(
            session=session, measure=politie_measure, name="X", unit="st", target_value=1, baseline_value=0,
            recorded_by="t", now=NOW,
        )  # fmt: skip
    with pytest.raises(services.ServiceError, match="streefdatum moet na de datum van de nulmeting"):
        _indicator(session, politie_measure, target_on=date(2017, 1, 1))
    with pytest.raises(services.ServiceError, match="twee decimalen"):
        _indicator(session, politie_measure, target_value="1,234")
    # A target below its baseline when higher is better (or above it when lower is) is the wrong direction.
    with pytest.raises(services.ServiceError, match="onder de nulmeting: kies de richting ‘lager is beter’"):
        _indicator(session, politie_measure, name="Wachttijd", baseline_value=90, target_value=30)
    with pytest.raises(services.ServiceError, match="boven de nulmeting"):
        _indicator(session, politie_measure, name="Wachttijd", baseline_value=30, target_value=90, direction="dalend")
    made = _indicator(session, politie_measure)
    with pytest.raises(services.ServiceError, match="al een indicator"):
        _indicator(session, politie_measure)
    with pytest.raises(services.ServiceError, match="toekomst"):
        indicators.record_measurement(
            session=session, measure=politie_measure, indicator=made, value=1, measured_on=NOW.date() + timedelta(days=1),
            recorded_by="t", now=NOW,
        )  # fmt: skip
    assert made.code == "T-01-I1"


# --- the forms and the role matrix ---------------------------------------------------------------------------------


ROLES = [
    # role, organisation, may record on a Politie measure
    ("programmacoordinator", None, True),
    ("coordinator", "Politie", True),
    ("coordinator", "OM", False),
    ("rapporteur", None, False),
    ("lezer", None, False),
    ("admin", None, False),
]


@pytest.mark.parametrize(("role", "organisation", "allowed"), ROLES)
def test_who_may_add_indicators_and_record_measurements(
    client, auth, session, create_user, politie_measure, role, organisation, allowed
):
    indicator = _indicator(session, politie_measure)
    auth.login(create_user(role, organisation).email)
    session.refresh(politie_measure)
    for path in ("/maatregelen/T-01/metingen/nieuw", "/maatregelen/T-01/indicatoren/nieuw"):
        assert client.get(path).status_code == (200 if allowed else 403), path
    answer = client.post(
        "/maatregelen/T-01/metingen/nieuw",
        data={"version": politie_measure.version, "indicator": indicator.code, "value": "45,5", "measured_on": "2019-06-30",
              "precision": "dag", "note": "", "evidence_document": "", "evidence_quote": "", "evidence_url": ""},
    )  # fmt: skip
    assert answer.status_code == (302 if allowed else 403)
    stored = session.exec(select(IndicatorMeasurement.value)).all()
    assert stored == ([D("45.50")] if allowed else [])
    detail = client.get("/maatregelen/T-01").get_data(as_text=True)
    assert ("Meting vastleggen" in detail) == allowed


def test_signing_in_is_needed_and_csrf_is_checked(app, client, auth, session, create_user, politie_measure):
    indicator = _indicator(session, politie_measure)
    assert client.get("/maatregelen/T-01/metingen/nieuw").status_code == 302  # to the login page
    assert client.post("/maatregelen/T-01/metingen/nieuw", data={}).status_code == 302
    auth.login(create_user("programmacoordinator").email)
    app.config["WTF_CSRF_ENABLED"] = True
    session.refresh(politie_measure)
    data = {"version": politie_measure.version, "indicator": indicator.code, "value": "12", "measured_on": "2019-06-30",
            "precision": "dag"}  # fmt: skip
    refused = client.post("/maatregelen/T-01/metingen/nieuw", data=data)
    assert refused.status_code == 400
    assert session.exec(select(IndicatorMeasurement)).all() == []
    # The same body with the form's token is saved: the token was all that was missing.
    form = client.get("/maatregelen/T-01/metingen/nieuw").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    assert client.post("/maatregelen/T-01/metingen/nieuw", data={**data, "csrf_token": token}).status_code == 302
    assert len(session.exec(select(IndicatorMeasurement)).all()) == 1


def test_a_stale_version_is_refused_with_what_changed(client, auth, session, create_user, politie_measure):
    indicator = _indicator(session, politie_measure)
    auth.login(create_user("programmacoordinator").email)
    stale = politie_measure.version - 1
    answer = client.post(
        "/maatregelen/T-01/metingen/nieuw",
        data={
            "version": stale,
            "indicator": indicator.code,
            "value": "50",
            "measured_on": "2019-06-30",
            "precision": "dag",
        },
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Iemand anders was u voor" in page and "Getrainde agenten: streefwaarde 100 procent" in page
    assert session.exec(select(IndicatorMeasurement)).all() == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": "veel"}, "Geef een getal van 0 of meer"),
        ({"value": ""}, "Vul de gemeten waarde in."),
        ({"measured_on": "31-02-2019"}, ""),
        ({"indicator": ""}, "Kies een indicator."),
        (
            {"evidence_quote": "Deze zin staat nergens.", "evidence_document": "kst-28638-161"},
            "Dit citaat staat niet in de opgeslagen tekst",
        ),
        ({"evidence_quote": "Een zin zonder document."}, "Kies bij een citaat het brondocument"),
    ],
)
def test_measurement_form_errors_are_dutch_and_nothing_is_stored(
    client, auth, seeded, session, create_user, overrides, message
):
    auth.login(create_user("programmacoordinator").email)
    measure = session.exec(select(Measure).where(Measure.code == "CT-D-02")).one()
    data = {"version": measure.version, "indicator": "CT-D-02-I1", "value": "31", "measured_on": "2020-01-31", "precision": "maand",
            "note": "", "evidence_document": "", "evidence_quote": "", "evidence_url": ""} | overrides  # fmt: skip
    before = len(session.exec(select(IndicatorMeasurement)).all())
    answer = client.post("/maatregelen/CT-D-02/metingen/nieuw", data=data)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert len(session.exec(select(IndicatorMeasurement)).all()) == before


def test_a_measurement_known_to_the_month_is_stored_on_its_last_day_with_its_quote(
    client, auth, seeded, session, create_user
):
    auth.login(create_user("programmacoordinator").email)
    measure = session.exec(select(Measure).where(Measure.code == "CT-D-02")).one()
    answer = client.post(
        "/maatregelen/CT-D-02/metingen/nieuw",
        data={"version": measure.version, "indicator": "CT-D-02-I1", "value": "32", "measured_on": "2021-02-01",
              "precision": "maand", "evidence_document": "factsheet-stm", "evidence_quote": "30 of 35 (Sept 2019)"},
    )  # fmt: skip
    assert answer.status_code == 302
    stored = session.exec(select(IndicatorMeasurement).order_by(IndicatorMeasurement.id.desc())).first()
    assert (stored.measured_on, stored.measured_precision, stored.value) == (date(2021, 2, 28), "maand", 32)


def test_an_indicator_added_on_the_page_has_its_basis_or_says_onbekend(
    client, auth, session, create_user, politie_measure
):
    auth.login(create_user("coordinator", "Politie").email)
    answer = client.post(
        "/maatregelen/T-01/indicatoren/nieuw",
        data={"version": politie_measure.version, "name": "Getrainde agenten", "unit": "procent", "direction": "stijgend",
              "target_value": "100", "target_on": "", "target_precision": "dag", "basis_document": "", "basis": "",
              "baseline_value": "", "baseline_on": "", "baseline_precision": "dag", "baseline_document": "", "baseline_basis": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    made = session.exec(select(Indicator)).one()
    assert (made.basis, made.target_on, made.baseline_value, made.recorded_by_id is not None) == (
        "onbekend",
        None,
        None,
        True,
    )
    half = client.post(
        "/maatregelen/T-01/indicatoren/nieuw",
        data={
            "version": politie_measure.version + 1,
            "name": "Andere",
            "unit": "st",
            "target_value": "3",
            "baseline_value": "1",
        },
    )
    assert half.status_code == 400 and "Een nulmeting heeft een waarde en een datum" in half.get_data(as_text=True)


# --- the import ---------------------------------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


HEADER = [
    "code",
    "status",
    "stand_per",
    "toelichting",
    "bewijs_document",
    "indicator",
    "meting",
    "gemeten_per",
    "gemeten_precisie",
]


def test_the_import_records_measurements_all_or_nothing(client, auth, seeded, session, create_user):
    auth.login(create_user("programmacoordinator").email)
    count = len(session.exec(select(IndicatorMeasurement)).all())
    statuses = len(session.exec(select(StatusUpdate)).all())
    bad = _csv([
        HEADER,
        ["CT-D-02", "", "", "Telling", "factsheet-stm", "CT-D-02-I1", "33", "2021-06", "maand"],
        ["CT-B-04", "in_uitvoering", "2024-01-31", "Loopt", "", "", "", "", ""],
        ["CT-D-01", "", "", "", "", "CT-D-02-I1", "200", "2023-03-31", ""],  # another measure's indicator
        ["CT-D-01", "", "", "", "", "CT-D-01-I1", "veel", "2023-03-31", ""],
    ])  # fmt: skip
    answer = client.post("/maatregelen/import", data={"file": (io.BytesIO(bad), "import.csv")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Onbekende indicator van deze maatregel: CT-D-02-I1" in page and "Ongeldige waarde bij meting" in page
    assert len(session.exec(select(IndicatorMeasurement)).all()) == count
    assert len(session.exec(select(StatusUpdate)).all()) == statuses  # the good rows neither
    good = _csv([
        HEADER,
        ["CT-D-02", "", "", "Telling", "factsheet-stm", "CT-D-02-I1", "33", "2021-06-01", "maand"],
        ["CT-D-01", "in_uitvoering", "2023-03-31", "Loopt", "", "CT-D-01-I1", "200", "2023-03-31", "dag"],
    ])  # fmt: skip
    answer = client.post("/maatregelen/import", data={"file": (io.BytesIO(good), "import.csv")})
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)[:2000]
    rows = session.exec(
        select(Indicator.code, IndicatorMeasurement.measured_on, IndicatorMeasurement.value).join(
            Indicator, Indicator.id == IndicatorMeasurement.indicator_id
        )
    ).all()
    assert ("CT-D-02-I1", date(2021, 6, 30), D(33)) in rows and ("CT-D-01-I1", date(2023, 3, 31), D(200)) in rows
    assert len(session.exec(select(StatusUpdate)).all()) == statuses + 1
    # A measurement's evidence is checked like a status's: a known document, a web link, its length.
    evidence = _csv([
        HEADER + ["bewijs_link"],
        ["CT-D-02", "", "", "", "geen-document", "CT-D-02-I1", "34", "2022-01-01", "", "javascript:alert(1)"],
        ["CT-D-02", "", "", "", "", "CT-D-02-I1", "34", "2022-01-01", "", "https://example.org/" + "x" * 500],
    ])  # fmt: skip
    page = client.post("/maatregelen/import", data={"file": (io.BytesIO(evidence), "import.csv")}).get_data(
        as_text=True
    )
    assert "Onbekend brondocument: geen-document." in page and "moet beginnen met https://" in page
    assert "De bewijslink is langer dan 500 tekens." in page
    # The same file again records nothing new.
    client.post("/maatregelen/import", data={"file": (io.BytesIO(good), "import.csv")})
    assert len(session.exec(select(IndicatorMeasurement)).all()) == count + 2


# --- the API, the export, as-of and the comparison -----------------------------------------------------------


@pytest.fixture
def token(session, create_user):
    def make(role="programmacoordinator", organisation=None) -> dict:
        user = create_user(role, organisation, email=f"{role}-{organisation}@api.nl")
        _token, plain = tokens.create_token(session=session, user=user, name="test", now=NOW)
        session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


def test_the_api_carries_indicators_and_records_measurements_under_if_match(client, seeded, token):
    headers = token()
    measure = client.get("/api/v1/measures/CT-D-02", headers=headers)
    (indicator,) = measure.get_json()["indicators"]
    assert {"name", "unit", "baseline", "target", "target_date", "measurements"} <= indicator.keys()
    assert indicator["baseline"]["value"] == 19 and indicator["target"] == 35 and indicator["target_date"] is None
    assert [(m["on"], m["value"], m["evidence_citation"]) for m in indicator["measurements"]] == [
        ("2017-11-30", 19, "factsheet"),
        ("2019-09-30", 30, "factsheet"),
    ]
    body = {"indicator_code": "CT-D-02-I1", "value": 34, "on": "2022-01-15"}
    assert client.post("/api/v1/measures/CT-D-02/measurements", json=body, headers=headers).status_code == 428
    stale = client.post("/api/v1/measures/CT-D-02/measurements", json=body, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    wrong = client.post(
        "/api/v1/measures/CT-D-02/measurements",
        json={**body, "indicator_code": "CT-D-01-I1", "value": -1},
        headers={**headers, "If-Match": measure.headers["ETag"]},
    )
    assert wrong.status_code == 400
    assert {p["name"] for p in wrong.get_json()["invalid-params"]} == {"indicator_code", "value"}
    created = client.post(
        "/api/v1/measures/CT-D-02/measurements", json=body, headers={**headers, "If-Match": measure.headers["ETag"]}
    )
    assert created.status_code == 201 and created.headers["ETag"] != measure.headers["ETag"]
    after = client.get("/api/v1/measures/CT-D-02", headers=headers).get_json()["indicators"][0]["measurements"]
    assert after[-1]["value"] == 34
    # As of a date before any of it: the November 2017 count only.
    past = client.get("/api/v1/measures/CT-D-02?asOf=2018-06-01", headers=headers).get_json()["indicators"][0]
    assert [m["value"] for m in past["measurements"]] == [19]


@pytest.mark.parametrize(("role", "organisation"), [("rapporteur", None), ("coordinator", "Politie"), ("lezer", None)])
def test_the_api_refuses_measurements_from_those_who_may_not(client, seeded, token, role, organisation):
    headers = token(role, organisation)
    etag = client.get("/api/v1/measures/CT-D-02", headers=headers).headers["ETag"]
    answer = client.post(
        "/api/v1/measures/CT-D-02/measurements",
        json={"indicator_code": "CT-D-02-I1", "value": 31, "on": "2020-01-01"},
        headers={**headers, "If-Match": etag},
    )
    assert answer.status_code == 403


def test_the_export_carries_indicators_and_matches_its_schema(client, seeded):
    document = json.loads(client.get("/open-data/maatregelen.json").get_data())
    jsonschema_rs.Draft202012Validator(json.loads(SCHEMA.read_text()), validate_formats=True).validate(document)
    by_code = {m["code"]: m for m in document["measures"]}
    (care,) = by_code["CT-D-02"]["indicators"]
    assert care["name"] == "Regio's met zorgcoördinatie" and care["unit"] == "regio's"
    assert [(m["on"], m["value"], m["evidence_document"]) for m in care["measurements"]] == [
        ("2017-11-30", 19, "factsheet-stm"),
        ("2019-09-30", 30, "factsheet-stm"),
    ]
    assert by_code["CT-D-01"]["indicators"][0]["target_date"] == "2022-12-31"
    assert by_code["CT-B-02"]["indicators"][0]["target_is_deadline"] is True
    assert sum(len(m["indicators"]) for m in document["measures"]) == 6
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/maatregelen.csv").get_data(as_text=True))))
    assert json.loads(next(r for r in rows if r["code"] == "CT-D-02")["indicators"])[0]["target"] == 35


def test_the_comparison_lists_the_measurements_of_the_period(client, seeded, session):
    changes = history.compare(session, date(2019, 1, 1), date(2019, 12, 31))
    assert [(m["code"], m["value"], m["on"]) for m in changes.measurements] == [("CT-D-02", 30, "2019-09-30")]
    assert changes.counts["measurements"] == 1
    page = client.get("/vergelijken?van=2019-01-01&tot=2019-12-31").get_data(as_text=True)
    assert "Metingen van indicatoren (1)" in page and "30 van 35 regio" in page
    assert history.compare(session, date(2020, 1, 1), date(2020, 12, 31)).measurements == []


def test_the_report_places_an_indicator_of_a_measure_without_a_theme():
    from measures.reports.build import indicator_sections

    indicator = fact(measurements=[(date(2019, 9, 30), 30)]).as_dict(None)
    snapshot = {"as_of": "2020-01-01", "indicator_margin": "0.10",
                "measures": [{"code": "T-09", "title": "Zonder thema", "themes": [], "indicators": [indicator]}]}  # fmt: skip
    blocks = [{"scheme": {"code": "contouren", "name": "Contouren"}, "sections": [], "without": snapshot["measures"]}]
    (section,) = indicator_sections(snapshot, blocks)
    assert section["theme"]["name"] == "Niet bij een thema ingedeeld"
    assert [e["measure"]["code"] for e in section["entries"]] == ["T-09"]


# --- a wrong target is withdrawn, never changed --------------------------------------------------------------


@pytest.mark.postgres
def test_a_withdrawn_indicator_stops_counting_from_its_date_and_stays_before_it(
    session, create_organisation, create_measure
):
    create_organisation("Politie")
    measure = create_measure(code="T-03", status="in_uitvoering", lead="Politie")
    wrong = _indicator(session, measure, target_on=date(2022, 6, 30))
    indicators.record_measurement(
        session=session, measure=measure, indicator=wrong, value=10, measured_on=date(2019, 7, 2),
        recorded_by="test", now=NOW,
    )  # fmt: skip
    session.commit()
    before_withdrawal = datetime.now(UTC)
    for bad, message in (("", "Geef de reden"), ("Fout", "trek haar in op een latere datum")):
        with pytest.raises(services.ServiceError, match=message):
            indicators.retire_indicator(
                session=session, measure=measure, indicator=wrong, reason=bad,
                retired_on=date(2018, 1, 1) if bad else date(2020, 1, 1), recorded_by="t", now=NOW,
            )  # fmt: skip
    indicators.retire_indicator(
        session=session, measure=measure, indicator=wrong, reason="De streefwaarde was verkeerd overgenomen.",
        retired_on=date(2020, 1, 1), recorded_by="test", now=datetime.now(UTC),
    )  # fmt: skip
    session.commit()
    with pytest.raises(services.ServiceError, match="al ingetrokken"):
        indicators.retire_indicator(
            session=session, measure=measure, indicator=wrong, reason="Nog eens", retired_on=date(2021, 1, 1),
            recorded_by="t", now=NOW,
        )  # fmt: skip
    assert [i.code for i in indicators.measure_indicators(session, measure.id, date(2019, 12, 31))] == ["T-03-I1"]
    assert indicators.measure_indicators(session, measure.id, date(2020, 1, 1)) == ()
    # As the register showed it before the withdrawal was recorded, it still counted.
    shown = indicators.indicators_on(session, date(2021, 1, 1), only=measure.id, known_at=before_withdrawal)
    assert [i.code for i in shown[measure.id]] == ["T-03-I1"]

    def level(on: date) -> int:
        return session.exec(
            select(MeasureStateInterval.stall_level).where(
                MeasureStateInterval.measure_id == measure.id,
                states.holds_on(on, measure_id=MeasureStateInterval.measure_id),
            )
        ).one()

    assert level(date(2019, 12, 31)) == rules.LAAG  # behind its line, while it counted
    assert level(date(2020, 1, 1)) == 0  # withdrawn: no longer evidence
    assert level(date(2022, 7, 1)) == 0  # and its target date passes unnoticed
    evaluation = rules.evaluate(session, datetime(2022, 7, 2, tzinfo=UTC), rules.Thresholds())
    assert not [
        f for f in evaluation.findings if f.measure_code == "T-03" and f.rule in ("achter_op_schema", "geen_meting")
    ]


@pytest.mark.parametrize(("role", "organisation", "allowed"), ROLES)
def test_who_may_withdraw_an_indicator(
    client, auth, session, create_user, politie_measure, role, organisation, allowed
):
    indicator = _indicator(session, politie_measure)
    auth.login(create_user(role, organisation).email)
    session.refresh(politie_measure)
    path = f"/maatregelen/T-01/indicatoren/{indicator.code}/intrekken"
    assert client.get(path).status_code == (200 if allowed else 403)
    answer = client.post(
        path, data={"version": politie_measure.version, "retired_on": "2020-01-01", "reason": "Vervangen"}
    )
    assert answer.status_code == (302 if allowed else 403)
    assert len(session.exec(select(IndicatorRetirement)).all()) == (1 if allowed else 0)
    if allowed:
        page = client.get("/maatregelen/T-01").get_data(as_text=True)
        assert "Ingetrokken indicatoren" in page and "Vervangen" in page
        earlier = client.get("/maatregelen/T-01?as_of=2019-06-01").get_data(as_text=True)
        assert "Ingetrokken indicatoren" not in earlier and "Getrainde agenten" in earlier
        assert client.get("/maatregelen/T-01/indicatoren/T-01-I9/intrekken").status_code == 404
