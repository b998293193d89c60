"""History is append-only, in the services and in the database itself."""

from datetime import date

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from measures import services
from models import AuditRecord, DeadlineChange, StatusUpdate
from tests.conftest import NOW


@pytest.fixture
def history(session, create_measure):
    measure = create_measure(status="gepland", deadline=date(2020, 12, 31))
    services.edit_measure(
        session=session, measure=measure, content=services.MeasureInput(title="Nieuw"), changed_by="t", now=NOW
    )
    session.commit()
    return measure


@pytest.mark.parametrize("model", [StatusUpdate, DeadlineChange, AuditRecord])
def test_database_refuses_update_of_history(session, history, model):
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(update(model).values(measure_id=history.id))
        session.flush()
    session.rollback()


@pytest.mark.parametrize("model", [StatusUpdate, DeadlineChange, AuditRecord])
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
