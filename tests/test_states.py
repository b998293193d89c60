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

from measures.register import history, services, states
from measures.review import services as review
from models import MeasureStateInterval

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
    st.tuples(st.just("status"), day, st.sampled_from(STATUS_CODES), st.booleans()),
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
)
codes = itertools.count()


@pytest.fixture
def organisations(create_organisation, create_document):
    for abbreviation in ("Politie", "OM", "IND"):
        create_organisation(abbreviation)
    return create_document()


def _apply(session, measure, op, document, budget_line) -> None:
    kind = op[0]
    if kind == "status":
        _, on, status, evidenced = op
        services.record_status(
            session=session,
            measure=measure,
            status_code=status,
            as_of=on,
            note="Een stap.",
            evidence_document_id=document.id if evidenced else None,
            recorded_by="test",
            now=NOW,
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
            now=NOW,
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
            session=session, measure=measure, light=light, text="Oordeel.", as_of=on, recorded_by="r", now=NOW
        )
    else:
        survivor = services.create_measure(
            session=session,
            code=f"P-{next(codes)}",
            content=services.MeasureInput(title="Opvolger", description=""),
            announcement="reeds_in_gang_gezet",
            announced_on=START,
            source_document_id=None,
            recorded_by="test",
            now=NOW,
        )
        services.merge_measure(
            session=session, code=measure.code, into=survivor, reason="Dubbel", merged_by="test", now=NOW
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
    session.info.clear()
    for on in sorted(_dates(session, ids) | set(extra)):
        expected = history._build_programme(session, on, True, only=ids)
        got = states.programme_on(session, on, only=ids)
        assert got == expected, on


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
