"""The temporal projection equals the rebuild from the histories, on every date that matters.

The rebuild (`history._build_programme`) is the oracle: a straightforward replay of the append-only
histories. The projection (`states`) must give the same state of every measure on every date,
after any mix of backdated status updates, deadline changes, edits, assessments and merges, as the
services write them.
"""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from measures.checks import rules
from measures.register import history, indicators, services, states
from measures.register.queries import Page
from measures.register.terms import closed_status_codes, is_overdue
from measures.review import services as review
from models import (
    DeadlineChange,
    Indicator,
    IndicatorMeasurement,
    IndicatorRetirement,
    Measure,
    MeasureStateInterval,
    SourceDocument,
    Status,
    ThemeScheme,
)

pytestmark = pytest.mark.postgres  # dates, JSON lists and the range query on both databases

START = date(2018, 1, 1)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
STATUS_CODES = ["gepland", "in_uitvoering", "deels_gerealiseerd", "gerealiseerd", "beeindigd"]
LEADS = [None, "Politie", "OM"]
THEMES = [[], ["contouren:b"], ["contouren:c", "actielijn:1"], ["actielijn:2"]]

day = st.integers(min_value=0, max_value=3000).map(lambda n: START + timedelta(days=n))
# Edits happen at a moment, any time of day: near midnight in Amsterdam is where a day ends.
moment = st.builds(
    lambda d, minutes: datetime.combine(d, time(0), tzinfo=UTC) + timedelta(minutes=minutes),
    day,
    st.sampled_from([0, 1, 22 * 60 + 59, 23 * 60, 23 * 60 + 1, 12 * 60, 21 * 60 + 59, 22 * 60, 22 * 60 + 1]),
)
operation = st.one_of(
    # evidence: none, a cabinet letter or a rapporteur's letter; and whether it reports a problem
    st.tuples(st.just("status"), day, st.sampled_from(STATUS_CODES), st.sampled_from([None, 0, 1]), st.booleans()),
    st.tuples(st.just("deadline"), day, st.one_of(st.none(), day)),
    st.tuples(
        st.just("edit"),
        moment,
        st.sampled_from(["Titel A", "Titel B", "Titel C"]),
        st.sampled_from(LEADS),
        st.sampled_from(THEMES),
        st.sampled_from([[], ["IND"], ["IND", "OM"]]),
        st.sampled_from(["", "1000000", "2500000.50"]),
    ),
    st.tuples(st.just("assessment"), day, st.sampled_from(["op_schema", "vraagt_aandacht", "ernstig_vertraagd"])),
    st.tuples(st.just("merge"), day),
    # an indicator: stated on, baseline (value, date) or none, target value, own target date or the
    # deadline's, direction; and measurements of the measure's latest indicator
    st.tuples(
        st.just("indicator"),
        day,
        st.one_of(st.none(), st.tuples(st.integers(0, 40), day)),
        st.integers(0, 40),
        st.one_of(st.none(), day),
        st.sampled_from(["stijgend", "dalend"]),
    ),
    st.tuples(st.just("measurement"), day, st.integers(0, 40)),
    st.tuples(st.just("retire"), day),
)
codes = itertools.count()


def _thresholds(session):
    """The thresholds the projection derives its stall levels with (the app's)."""
    return states._Rules.load(session).thresholds


@pytest.fixture
def organisations(create_organisation, create_document):
    """The organisations, and the documents an update may cite: a cabinet letter and a
    rapporteur's letter (whose findings the checks weigh apart)."""
    for abbreviation in ("Politie", "OM", "IND"):
        create_organisation(abbreviation)
    return [
        create_document(),
        create_document("nrm-brief", "Brief van de Nationaal Rapporteur", date(2019, 11, 28), "brief_rapporteur"),
    ]


def _apply(session, measure, op, documents, budget_line, now=NOW) -> None:
    kind = op[0]
    if kind == "status":
        _, on, status, evidence, problem = op
        services.record_status(
            session=session,
            measure=measure,
            status_code=status,
            as_of=on,
            note="Een stap.",
            evidence_document_id=documents[evidence].id if evidence is not None else None,
            evidence_quote="Zo staat het er." if evidence is not None else None,
            reports_problem=problem,
            recorded_by="test",
            now=now,
        )
    elif kind == "deadline":
        _, on, new = op
        services.change_deadline(
            session=session,
            measure=measure,
            new_deadline=new,
            basis="test",
            reason="Verschoven",
            decided_on=on,
            recorded_by="test",
            now=now,
        )
    elif kind == "edit":
        _, at, title, lead, themes, co_owners, amount = op
        services.edit_measure(
            session=session,
            measure=measure,
            content=services.MeasureInput(
                title=title,
                description="",
                lead=lead,
                co_owners=[c for c in co_owners if c != lead],
                themes=themes,
                budget=[budget_line(amount=amount)] if amount else [],
            ),
            changed_by="test",
            now=at,
        )
    elif kind == "assessment":
        _, on, light = op
        review.record_assessment(
            session=session, measure=measure, light=light, text="Oordeel.", as_of=on, recorded_by="r", now=now
        )
    elif kind == "indicator":
        _, stated_on, baseline, target, target_on, direction = op
        try:
            indicators.add_indicator(
                session=session,
                measure=measure,
                name=f"Indicator {next(codes)}",
                unit="stuks",
                direction=direction,
                baseline_value=baseline[0] if baseline else None,
                baseline_on=baseline[1] if baseline else None,
                target_value=target,
                target_on=target_on,
                stated_on=stated_on,
                recorded_by="test",
                now=now,
            )
        except services.ServiceError:
            pass  # a target dated on or before its baseline is refused: nothing was written
    elif kind == "measurement":
        _, on, value = op
        indicator = session.exec(
            select(Indicator).where(Indicator.measure_id == measure.id).order_by(Indicator.id.desc())
        ).first()
        if indicator is not None:
            indicators.record_measurement(
                session=session,
                measure=measure,
                indicator=indicator,
                value=value,
                measured_on=on,
                recorded_by="test",
                now=now,
            )
    elif kind == "retire":
        _, on = op
        indicator = session.exec(
            select(Indicator).where(Indicator.measure_id == measure.id).order_by(Indicator.id.desc())
        ).first()
        if indicator is not None:
            try:
                indicators.retire_indicator(
                    session=session, measure=measure, indicator=indicator, reason="Vervangen", retired_on=on,
                    recorded_by="test", now=now,
                )  # fmt: skip
            except services.ServiceError:
                pass  # already withdrawn, or on or before the day it was set: nothing was written
    else:
        survivor = services.create_measure(
            session=session,
            code=f"P-{next(codes)}",
            content=services.MeasureInput(title="Opvolger", description=""),
            announcement="reeds_in_gang_gezet",
            announced_on=START,
            source_document_id=None,
            recorded_by="test",
            now=now,
        )
        services.merge_measure(
            session=session, code=measure.code, into=survivor, reason="Dubbel", merged_by="test", now=now
        )


def _dates(session, ids) -> set[date]:
    """Every date on which, or just around which, something may change."""
    interval = MeasureStateInterval
    rows = session.exec(select(interval.valid_from, interval.valid_to).where(interval.measure_id.in_(ids))).all()
    days = {START - timedelta(days=1), date(2027, 1, 1)}
    for start, end in rows:
        for d in (start, end):
            if d is not None:
                days.update({d - timedelta(days=1), d, d + timedelta(days=1)})
    return days


def _assert_equal_on_every_date(session, ids, extra: set[date] = frozenset()) -> None:
    """The states, and the stall levels the checks give them, equal the rebuild's on every date
    around a change and around every deadline (where the level turns with the calendar)."""
    session.info.clear()
    deadlines = list(
        session.exec(
            select(DeadlineChange.new_deadline).where(
                DeadlineChange.measure_id.in_(ids), DeadlineChange.new_deadline.is_not(None)
            )
        ).all()
    )
    thresholds = _thresholds(session)
    # and around every indicator's own target date and every measurement (where its level may turn)
    deadlines += session.exec(
        select(Indicator.target_on).where(Indicator.measure_id.in_(ids), Indicator.target_on.is_not(None))
    ).all()
    deadlines += session.exec(select(Indicator.stated_on).where(Indicator.measure_id.in_(ids))).all()
    deadlines += session.exec(
        select(IndicatorRetirement.retired_on).where(IndicatorRetirement.measure_id.in_(ids))
    ).all()
    deadlines += session.exec(
        select(IndicatorMeasurement.measured_on).where(IndicatorMeasurement.measure_id.in_(ids))
    ).all()
    around = {d + timedelta(days=k) for d in deadlines for k in (-1, 0, 1, 2)}
    for on in sorted(_dates(session, ids) | set(extra) | around):
        expected = history._build_programme(session, on, True, only=ids)
        got = states.programme_on(session, on, only=ids)
        assert got == expected, on
        oracle = rules.evaluate_context(rules.Context.load(session, on, states=expected), thresholds)
        levels = dict(
            session.exec(
                select(MeasureStateInterval.measure_id, MeasureStateInterval.stall_level).where(
                    MeasureStateInterval.measure_id.in_(ids),
                    states.holds_on(on, measure_id=MeasureStateInterval.measure_id),
                    MeasureStateInterval.stall_level > 0,
                )
            ).all()
        )
        assert levels == {s.measure_id: s.level for s in oracle.signals if s.level > 0}, on


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    announced=day,
    operations=st.lists(operation, min_size=1, max_size=12),
)
def test_the_projection_equals_the_rebuild_on_every_date(
    session, vocabulary, organisations, budget_line, announced, operations
):
    measure = services.create_measure(
        session=session,
        code=f"H-{next(codes)}",
        content=services.MeasureInput(title="Begin", description="", lead="Politie", themes=["contouren:b"]),
        announcement="reeds_in_gang_gezet",
        announced_on=announced,
        source_document_id=None,
        recorded_by="test",
        now=NOW,
    )
    edits = set()
    for op in operations:
        if op[0] == "merge" and session.get(type(measure), measure.id).status_code == "beeindigd":
            continue
        _apply(session, measure, op, organisations, budget_line)
        if op[0] == "edit":
            edits.add(states.effective_day(op[1]))
        if op[0] == "merge":
            break  # a merged measure takes no more changes
    session.commit()
    ids = [measure.id]
    _assert_equal_on_every_date(session, ids, {d + timedelta(days=k) for d in edits for k in (-1, 0, 1)})
    # And the projection written write by write is the one derived again from scratch.
    written = states.derive(session, ids)
    stored = [
        {c: getattr(r, c) for c in ("measure_id", "valid_from", "valid_to", *states.STATE_COLUMNS)}
        for r in session.exec(
            select(MeasureStateInterval)
            .where(MeasureStateInterval.measure_id == measure.id)
            .order_by(MeasureStateInterval.valid_from)
        ).all()
    ]
    assert stored == written


def test_the_projection_equals_the_rebuild_on_the_catalogue(seeded, session):
    """The seeded catalogue (merges, edits, backdated findings), every week from 2015 and around
    every change, after a rebuild from scratch."""
    assert states.rebuild(session) > 0
    session.commit()
    ids = list(session.exec(select(MeasureStateInterval.measure_id).distinct()).all())
    weekly = {date(2015, 1, 1) + timedelta(weeks=n) for n in range(0, 52 * 12, 3)}
    _assert_equal_on_every_date(session, ids, weekly)


def test_an_edit_late_in_the_evening_counts_from_that_day_in_amsterdam():
    # 23:30 UTC in winter is 00:30 the next day in Amsterdam; in summer 22:30 UTC is 00:30 too.
    assert states.effective_day(datetime(2020, 1, 10, 23, 30, tzinfo=UTC)) == date(2020, 1, 11)
    assert states.effective_day(datetime(2020, 1, 10, 22, 59, tzinfo=UTC)) == date(2020, 1, 10)
    assert states.effective_day(datetime(2020, 7, 10, 22, 30, tzinfo=UTC)) == date(2020, 7, 11)
    assert states.effective_day(datetime(2020, 7, 10, 21, 59, tzinfo=UTC)) == date(2020, 7, 10)


def test_rebuild_states_command_derives_the_same_intervals(runner, seeded, session):
    before = [
        tuple(getattr(r, c) for c in ("measure_id", "valid_from", "valid_to", *states.STATE_COLUMNS))
        for r in session.exec(
            select(MeasureStateInterval).order_by(MeasureStateInterval.measure_id, MeasureStateInterval.valid_from)
        ).all()
    ]
    result = runner.invoke(args=["rebuild-states"])
    assert result.exit_code == 0 and f"{len(before)} intervallen" in result.output
    session.expire_all()
    after = [
        tuple(getattr(r, c) for c in ("measure_id", "valid_from", "valid_to", *states.STATE_COLUMNS))
        for r in session.exec(
            select(MeasureStateInterval).order_by(MeasureStateInterval.measure_id, MeasureStateInterval.valid_from)
        ).all()
    ]
    assert after == before and len(before) > 77  # the seed kept the projection as the rebuild derives it


def _list_as_of_rebuilt(session, flt, *, as_of: date, page_size: int):
    """The as-of list as it was written before the projection: the whole programme rebuilt from
    the histories, filtered and sorted in Python. The oracle for the list over the projection."""
    states = history._build_programme(session, as_of, False)
    closed = closed_status_codes(session)
    labels = dict(session.exec(select(Status.code, Status.label)).all())
    positions = dict(session.exec(select(ThemeScheme.code, ThemeScheme.position)).all())  # contouren first
    documents = dict(session.exec(select(SourceDocument.key, SourceDocument.id)).all())
    source_of = (
        dict(session.exec(select(Measure.id, Measure.source_document_id)).all()) if flt.document or flt.q else {}
    )
    text_of = {}
    if flt.q:
        text_of = {
            mid: f"{code} {desc} {quote}".lower()
            for mid, code, desc, quote in session.exec(
                select(Measure.id, Measure.code, Measure.description, Measure.source_quote)
            ).all()
        }
    # The level the checks would have given each measure on the date, from the rebuilt programme.
    evaluation = rules.evaluate_context(
        rules.Context.load(session, as_of, states=history._build_programme(session, as_of, True)),
        _thresholds(session),
    )
    flagged = {signal.measure_id: signal.level for signal in evaluation.signals}
    needle = flt.q.lower()

    def keep(s) -> bool:
        if needle and needle not in s.title.lower() and needle not in text_of.get(s.id, ""):
            return False
        if any(key not in s.themes for key in flt.themes):
            return False
        if flt.owner and flt.owner != s.lead and flt.owner not in s.co_owners:
            return False
        if flt.status and s.status_code != flt.status:
            return False
        if flt.document and source_of.get(s.id) != documents.get(flt.document):
            return False
        if flt.overdue and not is_overdue(s.deadline, is_open=s.status_code not in closed, on=as_of):
            return False
        if flt.flagged and flagged.get(s.id, 0) < flt.flagged:
            return False
        return True

    chosen = [s for s in states if keep(s)]
    keys = {
        "code": lambda s: s.code,
        "titel": lambda s: (s.title, s.code),
        "status": lambda s: (s.status_code, s.code),
        "deadline": lambda s: (s.deadline is None, s.deadline or date.max, s.code),
        "gewijzigd": lambda s: (s.last_update_on or date.min, s.code),
    }
    chosen.sort(key=keys[flt.sort], reverse=flt.descending)
    start = (flt.page - 1) * page_size
    items = [
        {
            "measure": s,
            "lead": s.lead,
            "status_label": labels.get(s.status_code, s.status_code),
            "themes": sorted(
                ({"scheme": k.split(":")[0], "code": k.split(":")[1]} for k in s.themes),
                key=lambda t: (positions[t["scheme"]], t["code"]),
            ),
            "overdue": is_overdue(s.deadline, is_open=s.status_code not in closed, on=as_of),
            "flag_severity": flagged.get(s.id, 0),
        }
        for s in chosen[start : start + page_size]
    ]
    return Page(items=items, total=len(chosen), page=flt.page, page_size=page_size)


LIST_FILTERS = [
    {},
    {"sort": "titel"},
    {"sort": "status", "descending": True},
    {"sort": "deadline"},
    {"sort": "deadline", "descending": True},
    {"sort": "gewijzigd"},
    {"sort": "gewijzigd", "descending": True},
    {"themes": ["contouren:b"]},
    {"themes": ["contouren:c", "actielijn:1"]},
    {"owner": "Politie"},
    {"owner": "OM", "sort": "titel"},
    {"status": "in_uitvoering"},
    {"overdue": True},
    {"flagged": 1},
    {"q": "politie"},
    {"q": "mensenhandel", "page": 2},
    {"document": "kst-28638-161"},
]


def test_the_list_over_the_projection_equals_the_rebuilt_one(seeded, session):
    """Every filter and sort, on dates across the programme and today, against the list as it was
    computed before: the whole programme rebuilt, filtered and sorted in Python, with the levels
    the checks give it on the date."""
    from measures.core import clock
    from measures.register.queries import MeasureFilter, list_measures

    for on in (date(2018, 6, 1), date(2019, 12, 5), date(2021, 3, 1), date(2024, 1, 1), clock.today()):
        for options in LIST_FILTERS:
            flt = MeasureFilter(**options)

            def rows(page):
                return page.total, [
                    (
                        i["measure"].code,
                        i["measure"].title,
                        i["lead"],
                        i["status_label"],
                        i["measure"].deadline,
                        [(t["scheme"], t["code"]) for t in i["themes"]],
                        i["overdue"],
                        i["flag_severity"],
                    )
                    for i in page.items
                ]

            expected = rows(_list_as_of_rebuilt(session, flt, as_of=on, page_size=10))
            assert rows(list_measures(session, flt, as_of=on, page_size=10)) == expected, (on, options)
            assert expected[0] or options.get("page") or "q" in options or "flagged" in options or on.year < 2019


def test_the_overview_counts_what_the_rebuilt_programme_holds(seeded, session):
    from measures.core import clock
    from measures.register.queries import overview
    from models.measure import ALREADY_REALISED

    already = set(session.exec(select(Measure.id).where(Measure.announcement == ALREADY_REALISED)).all())
    for on in (date(2018, 6, 1), date(2019, 12, 5), date(2021, 3, 1), date(2024, 1, 1), clock.today()):
        built = history._build_programme(session, on, False)
        data = overview(session, on)
        totals: dict[str, int] = {}
        for s in built:
            totals[s.status_code] = totals.get(s.status_code, 0) + 1
        assert data["totals"] == totals and data["total"] == len(built) > 0, on
        for scheme in data["schemes"]:
            for row in scheme["rows"]:
                key = f"{scheme['scheme'].code}:{row['theme'].code}"
                counts: dict[str, int] = {}
                for s in built:
                    if key in s.themes:
                        counts[s.status_code] = counts.get(s.status_code, 0) + 1
                assert row["counts"] == counts, (on, key)
            themed = [s for s in built if any(k.startswith(scheme["scheme"].code + ":") for k in s.themes)]
            assert scheme["without_total"] == len(built) - len(themed), on
        realised = sum(1 for s in built if s.id in already and s.status_code == "gerealiseerd")
        assert data["realised_at_announcement"] == realised, on


# --- transaction time: as the register showed it then ------------------------------------------------

gap = st.builds(
    lambda days, minutes: timedelta(days=days, minutes=minutes),
    st.integers(min_value=0, max_value=400),
    st.sampled_from([1, 60, 23 * 60 - 1]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    announced=day,
    operations=st.lists(st.tuples(operation, gap), min_size=1, max_size=8),
)
def test_as_the_register_showed_it_is_what_it_showed_then(
    session, vocabulary, organisations, budget_line, announced, operations
):
    """Write by write, at moments through the years (with updates backdated or not), note what the
    register showed for a set of dates; afterwards, asking for the register as it stood at each of
    those moments gives exactly that, with the stall levels the checks would have given then."""
    thresholds = _thresholds(session)
    recorded = datetime(2018, 1, 1, 9, tzinfo=UTC)
    measure = services.create_measure(
        session=session,
        code=f"T-{next(codes)}",
        content=services.MeasureInput(title="Begin", description="", lead="Politie", themes=["contouren:b"]),
        announcement="reeds_in_gang_gezet",
        announced_on=announced,
        source_document_id=None,
        recorded_by="test",
        now=recorded,
    )
    session.commit()
    ids = [measure.id]
    planned, at = [], recorded
    for op, step in operations:
        at += step
        if op[0] == "edit":
            op = (op[0], at, *op[2:])  # an edit takes effect when it is made
        elif op[0] != "merge":
            op = (op[0], min(op[1], at.date()), *op[2:])  # backdated, or of the day; never ahead
        planned.append((op, at))
    days = {announced, date(2019, 6, 1), date(2022, 1, 1), date(2026, 11, 1)}
    for op, at in planned:
        on = op[1].date() if isinstance(op[1], datetime) else at.date() if op[0] == "merge" else op[1]
        days |= {on, on + timedelta(days=1), at.date()}

    def showing() -> dict:
        session.info.clear()
        shown = {}
        for on in days:
            programme = history._build_programme(session, on, True, only=ids)
            signals = rules.evaluate_context(rules.Context.load(session, on, states=programme), thresholds).signals
            shown[on] = (programme, {s.measure_id: s.level for s in signals})
        return shown

    moments = [(recorded, showing())]
    for op, recorded in planned:
        if op[0] == "merge" and session.get(Measure, measure.id).status_code == "beeindigd":
            continue
        _apply(session, measure, op, organisations, budget_line, now=recorded)
        session.commit()
        moments.append((recorded, showing()))
        if op[0] == "merge":
            break
    for (moment, shown), later in zip(moments, [*moments[1:], (None, None)], strict=True):
        # At the moment of the write, and just before the next one, the register showed the same.
        for at in {moment, (later[0] - timedelta(seconds=1)) if later[0] else moment + timedelta(days=1)}:
            if at < moment:
                continue
            session.info.clear()
            for on, (programme, levels) in shown.items():
                assert states.programme_on(session, on, only=ids, known_at=at) == programme, (at, on)
                ctx = rules.Context.load(session, on, only=measure.id, known_at=at)
                got = {s.measure_id: s.level for s in rules.evaluate_context(ctx, thresholds).signals}
                assert got == levels, (at, on)
    # Before the measure was registered, the register showed nothing of it.
    assert states.programme_on(session, date(2026, 1, 1), only=ids, known_at=moments[0][0] - timedelta(seconds=1)) == []


def test_a_status_backdated_later_shows_as_we_now_know_it_not_as_the_register_showed_it(
    client, session, vocabulary, organisations
):
    """The issue's example: a status recorded in 2021, backdated to 2019, is part of the programme
    on 2019-12-31 as we now know it, and not of what the register showed on that day."""
    measure = services.create_measure(
        session=session,
        code="B-1",
        content=services.MeasureInput(title="Teruggedateerd", description="", lead="Politie", themes=["contouren:b"]),
        announcement="reeds_in_gang_gezet",
        announced_on=date(2018, 5, 25),
        source_document_id=None,
        recorded_by="test",
        now=datetime(2018, 6, 1, 10, tzinfo=UTC),
    )
    services.record_status(
        session=session,
        measure=measure,
        status_code="gepland",
        as_of=date(2018, 6, 1),
        note="Gepland.",
        recorded_by="test",
        now=datetime(2018, 6, 1, 10, tzinfo=UTC),
    )
    services.record_status(
        session=session,
        measure=measure,
        status_code="gerealiseerd",
        as_of=date(2019, 6, 1),
        note="Achteraf gemeld: al in 2019 klaar.",
        recorded_by="test",
        now=datetime(2021, 3, 1, 10, tzinfo=UTC),
    )
    session.commit()
    now_known = client.get("/maatregelen/B-1?as_of=2019-12-31").get_data(as_text=True)
    then_shown = client.get("/maatregelen/B-1?as_of=2019-12-31&weergave=register").get_data(as_text=True)
    assert "Achteraf gemeld" in now_known and "Achteraf gemeld" not in then_shown
    assert 'status-badge--gerealiseerd">Gerealiseerd' in now_known
    assert 'status-badge--gepland">Gepland' in then_shown and "status-badge--gerealiseerd" not in then_shown
    assert "zoals het register ze op die datum toonde" in then_shown
    # Both views are offered, each explained, the current one marked.
    assert 'aria-current="true">Zoals we nu weten dat het was' in now_known
    assert 'aria-current="true">Zoals het register het toen toonde' in then_shown
    # After the status was recorded, the register showed it too; before the measure was
    # registered, the register did not know it at all.
    assert "Achteraf gemeld" in client.get("/maatregelen/B-1?as_of=2021-03-02&weergave=register").get_data(as_text=True)
    assert client.get("/maatregelen/B-1?as_of=2018-05-30&weergave=register").status_code == 404
    # The overview counts the same way.
    from measures.register.queries import overview

    assert overview(session, date(2019, 12, 31))["totals"] == {"gerealiseerd": 1}
    assert overview(session, date(2019, 12, 31), datetime(2020, 1, 1, tzinfo=UTC))["totals"] == {"gepland": 1}
    page = client.get("/?as_of=2019-12-31&weergave=register").get_data(as_text=True)
    assert "Zoals het register het toen toonde" in page


def test_the_detail_page_and_the_list_show_the_same_flags_on_a_date(client, seeded, session):
    """On the catalogue, on dates across the programme: the level the list shows for each measure
    is the level of what the detail page says the checks would have found that day."""
    from measures.register.queries import MeasureFilter, findings_on, list_measures

    thresholds = _thresholds(session)
    for on in (date(2019, 12, 5), date(2021, 3, 1), date(2024, 1, 1)):
        page = list_measures(session, MeasureFilter(), as_of=on, page_size=500)
        levels = {item["measure"].code: item["flag_severity"] for item in page.items}
        assert any(levels.values()), on
        for item in page.items:
            found = findings_on(session, item["measure"].id, on, thresholds)["open"]
            level = max((f["flag"].severity for f in found), default=0)
            assert level == levels[item["measure"].code], (on, item["measure"].code)
    # The page itself says whose findings these are.
    late = next(code for code, level in levels.items() if level)
    html = client.get(f"/maatregelen/{late}?as_of=2024-01-01").get_data(as_text=True)
    assert (
        "wat de controles op 01-01-2024 zouden melden" in html and "Aanwijzingen dat deze maatregel vastloopt" in html
    )
