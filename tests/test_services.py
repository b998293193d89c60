"""The services keep the register consistent: current status equals the latest update."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from measures.register import services
from models import AuditRecord, DeadlineChange, Measure, StatusUpdate
from tests.conftest import NOW

pytestmark = pytest.mark.postgres  # the core invariants: ordering of same-day updates, versions, decimals


def _record(session, measure, status, on, note=""):
    return services.record_status(
        session=session, measure=measure, status_code=status, as_of=on, note=note, recorded_by="t", now=NOW
    )


def test_new_measure_status_is_onbekend(create_measure):
    assert create_measure().status_code == "onbekend"


def test_current_status_is_latest_update_by_date(session, create_measure):
    measure = create_measure()
    _record(session, measure, "gepland", date(2018, 5, 25))
    _record(session, measure, "deels_gerealiseerd", date(2019, 11, 28))
    # A back-dated update is history, not the present: the current status stays.
    _record(session, measure, "in_uitvoering", date(2019, 1, 1), note="Een eerdere stand, later gemeld.")
    session.commit()
    assert measure.status_code == "deels_gerealiseerd"
    assert services.latest_status_code(session, measure.id) == "deels_gerealiseerd"


def test_same_day_updates_take_the_last_recorded(session, create_measure):
    measure = create_measure()
    _record(session, measure, "gepland", date(2020, 1, 1))
    _record(session, measure, "gerealiseerd", date(2020, 1, 1))
    assert measure.status_code == "gerealiseerd"


def test_invariant_holds_for_every_measure(session, create_measure):
    for i, statuses in enumerate([["gepland"], ["gepland", "in_uitvoering"], [], ["beeindigd", "gepland"]]):
        measure = create_measure(code=f"M-{i}")
        for day, status in enumerate(statuses):
            _record(session, measure, status, date(2019, 1, 1) + timedelta(days=day), note=f"Stap {day}.")
    session.commit()
    for measure in session.exec(select(Measure)).all():
        latest = session.exec(
            select(StatusUpdate.status_code)
            .where(StatusUpdate.measure_id == measure.id)
            .order_by(StatusUpdate.as_of.desc(), StatusUpdate.id.desc())
        ).first()
        assert measure.status_code == (latest or "onbekend")


def test_a_status_that_goes_back_or_ends_must_be_explained(session, create_measure):
    """The rule lives in the service: a form, the API and the import only ask it early."""
    measure = create_measure()
    _record(session, measure, "in_uitvoering", date(2019, 1, 1))
    for status in ("gepland", "beeindigd"):
        with pytest.raises(services.ServiceError, match="Leg uit waarom de status teruggaat"):
            _record(session, measure, status, date(2019, 2, 1))
    _record(session, measure, "in_uitvoering", date(2019, 2, 1))  # the same status again: nothing to explain
    _record(session, measure, "gerealiseerd", date(2019, 3, 1))  # forward: nothing to explain
    _record(session, measure, "beeindigd", date(2019, 4, 1), note="Niet voortgezet.")
    assert measure.status_code == "beeindigd"


def test_unknown_status_is_refused(session, create_measure):
    with pytest.raises(services.ServiceError, match="Onbekende status"):
        _record(session, create_measure(), "klaar", date(2020, 1, 1))


def test_future_status_date_is_refused(session, create_measure):
    with pytest.raises(services.ServiceError, match="toekomst"):
        _record(session, create_measure(), "gepland", NOW.date() + timedelta(days=1))


def test_deadline_changes_are_appended_and_count_postponements(session, create_measure):
    measure = create_measure(deadline=date(2020, 12, 31))
    for new in (date(2021, 12, 31), date(2022, 6, 30), date(2022, 1, 1)):
        services.change_deadline(
            session=session,
            measure=measure,
            new_deadline=new,
            basis="",
            reason="Vertraging",
            decided_on=NOW.date(),
            recorded_by="t",
            now=NOW,
        )
    session.commit()
    changes = session.exec(
        select(DeadlineChange).where(DeadlineChange.measure_id == measure.id).order_by(DeadlineChange.id)
    ).all()
    assert [c.new_deadline for c in changes] == [
        date(2020, 12, 31),
        date(2021, 12, 31),
        date(2022, 6, 30),
        date(2022, 1, 1),
    ]
    assert [c.is_postponement for c in changes] == [False, True, True, False]
    assert measure.deadline == date(2022, 1, 1)


def test_deadline_change_needs_a_reason(session, create_measure):
    with pytest.raises(services.ServiceError, match="reden"):
        services.change_deadline(
            session=session,
            measure=create_measure(),
            new_deadline=date(2030, 1, 1),
            basis="",
            reason=" ",
            decided_on=NOW.date(),
            recorded_by="t",
            now=NOW,
        )


def test_edit_writes_one_audit_record_per_changed_field(session, create_measure, create_organisation):
    create_organisation("Politie")
    create_organisation("OM")
    measure = create_measure(lead="Politie")
    content = services.MeasureInput(title="Nieuwe titel", lead="OM", co_owners=["Politie"], themes=["contouren:b"])
    records = services.edit_measure(session=session, measure=measure, content=content, changed_by="t", now=NOW)
    session.commit()
    assert {r.field for r in records} == {"title", "lead", "co_owners", "themes"}
    lead = next(r for r in records if r.field == "lead")
    assert (lead.old_value, lead.new_value) == ('"Politie"', '"OM"')
    assert services.measure_fields(session, measure)["co_owners"] == ["Politie"]
    assert session.exec(select(AuditRecord)).all() and measure.version == 2


def test_stale_version_is_refused(session, create_measure):
    measure = create_measure()
    services.edit_measure(
        session=session,
        measure=measure,
        content=services.MeasureInput(title="Eerste"),
        changed_by="a",
        now=NOW,
        expected_version=1,
    )
    session.commit()
    with pytest.raises(services.EditConflict) as conflict:
        services.edit_measure(
            session=session,
            measure=measure,
            content=services.MeasureInput(title="Tweede"),
            changed_by="b",
            now=NOW,
            expected_version=1,
        )
    assert [(c.what, c.by, c.new) for c in conflict.value.changes] == [("title", "a", '"Eerste"')]


def test_one_theme_per_scheme(session, create_measure):
    with pytest.raises(services.ServiceError, match="hoogstens één thema"):
        create_measure(themes=["contouren:b", "contouren:c"])


def test_budget_is_decimal_not_float(session, create_measure, budget_line):
    measure = create_measure(budget=[budget_line("1000000.10")])
    fields = services.measure_fields(session, measure)
    assert fields["budget"][0]["amount"] == "1000000.10"
