"""History is append-only, in the services and in the database itself."""

from datetime import date

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from measures.register import services
from models import Assessment, AssessmentReply, AuditRecord, DeadlineChange, Flag, FlagAcknowledgement, StatusUpdate
from tests.conftest import NOW

pytestmark = pytest.mark.postgres  # append-only triggers, one set per database

HISTORY_MODELS = [StatusUpdate, DeadlineChange, AuditRecord, Assessment, AssessmentReply, FlagAcknowledgement]


@pytest.fixture
def history(session, create_measure):
    measure = create_measure(status="gepland", deadline=date(2020, 12, 31))
    services.edit_measure(
        session=session, measure=measure, content=services.MeasureInput(title="Nieuw"), changed_by="t", now=NOW
    )
    assessment = Assessment(
        measure_id=measure.id,
        light="ernstig_vertraagd",
        text="Niet uitgevoerd",
        as_of=date(2019, 11, 28),
        recorded_by="t",
    )
    flag = Flag(
        measure_id=measure.id,
        rule="monitoringgat",
        rule_severity=1,
        severity=1,
        explanation="x",
        first_seen_on=date(2020, 1, 1),
        last_seen_on=date(2020, 1, 1),
    )
    session.add_all([assessment, flag])
    session.flush()
    session.add_all(
        [
            AssessmentReply(assessment_id=assessment.id, text="Oneens", recorded_by="t"),
            FlagAcknowledgement(flag_id=flag.id, note="Gezien", acknowledged_by="t"),
        ]
    )
    session.commit()
    return measure


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_database_refuses_update_of_history(session, history, model):
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(update(model).values({model.id: model.id}))
        session.flush()
    session.rollback()


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_database_refuses_delete_of_history(session, history, model):
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(delete(model))
        session.flush()
    session.rollback()
    assert session.exec(select(model)).all()


def test_raw_sql_cannot_rewrite_a_status(session, history):
    with pytest.raises(DatabaseError):
        session.execute(text("UPDATE status_update SET status_code = 'gerealiseerd'"))
    session.rollback()
    assert session.exec(select(StatusUpdate.status_code)).all() == ["gepland"]


def test_recording_status_appends(session, history):
    services.record_status(
        session=session,
        measure=history,
        status_code="in_uitvoering",
        as_of=date(2019, 1, 1),
        note="",
        recorded_by="t",
        now=NOW,
    )
    session.commit()
    assert [u.status_code for u in session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()] == [
        "gepland",
        "in_uitvoering",
    ]


def test_app_has_no_route_that_deletes_history(app):
    for rule in app.url_map.iter_rules():
        assert "DELETE" not in rule.methods and "PUT" not in rule.methods, rule
