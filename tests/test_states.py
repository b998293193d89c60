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
from measures.register.queries import Page
from measures.register.terms import closed_status_codes, is_overdue
from measures.review import services as review
from models import Flag, Measure, MeasureStateInterval, SourceDocument, Status

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


def _list_as_of_rebuilt(session, flt, *, as_of: date, page_size: int):
    """The as-of list as it was written before the projection: the whole programme rebuilt from
    the histories, filtered and sorted in Python. The oracle for the list over the projection."""
    states = history._build_programme(session, as_of, False)
    closed = closed_status_codes(session)
    labels = dict(session.exec(select(Status.code, Status.label)).all())
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
    flagged: dict[int, int] = {}
    if flt.flagged:
        for measure_id, severity in session.exec(
            select(Flag.measure_id, Flag.severity).where(
                Flag.first_seen_on <= as_of, (Flag.resolved_on.is_(None)) | (Flag.resolved_on > as_of)
            )
        ).all():
            flagged[measure_id] = max(flagged.get(measure_id, 0), severity)
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
            "themes": [{"scheme": k.split(":")[0], "code": k.split(":")[1]} for k in s.themes],
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


def test_the_as_of_list_over_the_projection_equals_the_rebuilt_one(seeded, session):
    """Every filter and sort, on dates across the programme, against the list as it was computed
    before: the whole programme rebuilt, filtered and sorted in Python."""
    from measures.checks.rules import Thresholds, run_checks
    from measures.register.queries import MeasureFilter, list_measures_as_of

    for day in (date(2019, 1, 2), date(2020, 6, 1)):  # flags to filter on, as of those dates
        run_checks(session, now=datetime.combine(day, time(12), tzinfo=UTC), thresholds=Thresholds(), trigger="test")
    for on in (date(2018, 6, 1), date(2019, 12, 5), date(2021, 3, 1), date(2024, 1, 1)):
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
            assert rows(list_measures_as_of(session, flt, as_of=on, page_size=10)) == expected, (on, options)
            assert expected[0] or options.get("page") or "q" in options or "flagged" in options or on.year < 2019


def test_the_as_of_overview_counts_what_the_rebuilt_programme_holds(seeded, session):
    from measures.register.queries import overview_as_of
    from models.measure import ALREADY_REALISED

    already = set(session.exec(select(Measure.id).where(Measure.announcement == ALREADY_REALISED)).all())
    for on in (date(2018, 6, 1), date(2019, 12, 5), date(2021, 3, 1), date(2024, 1, 1)):
        built = history._build_programme(session, on, False)
        data = overview_as_of(session, on)
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
