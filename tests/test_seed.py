"""Seeding is idempotent, applies catalogue changes as recorded changes and never loses work."""

import json
import shutil
from datetime import date

import pytest
from sqlmodel import func, select

from measures.register import services
from measures.register.catalogue import CATALOGUE_DIR, load_catalogue, validate
from measures.register.seed import seed
from models import AuditRecord, DeadlineChange, Measure, StatusUpdate
from tests.conftest import NOW

pytestmark = pytest.mark.postgres  # seeding again over stored work compares stored values with the catalogue's

DOCUMENT = """
document = "kst-28638-161"

[[measures]]
code = "CT-B-99"
title = "{title}"
description = "Ontwikkeling van een webcrawler."
announcement = "reeds_in_gang_gezet"
section = "b) Versterking opsporing"
quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"
lead = "Politie"
co_owners = ["OM"]
lead_basis = "De politie en het OM hebben vanaf 2017 extra middelen ter beschikking gekregen."
themes = ["contouren:b"]
deadline = "{deadline}"
deadline_basis = "test"

[[measures.budget]]
amount = "2000000"
kind = "structureel"
per = "jaar"
from_year = 2018
funding = "Regeerakkoord"
quote = "structureel € 2 miljoen vanaf 2018"

[[updates]]
measure = "CT-B-99"
status = "in_uitvoering"
as_of = "2018-05-25"
note = "Reeds in gang gezet."
quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"
"""


@pytest.fixture
def catalogue_dir(tmp_path):
    for name in ("statuses.toml", "organisations.toml", "documents.toml", "themes.toml"):
        shutil.copy(CATALOGUE_DIR / name, tmp_path / name)

    def write(title="Webcrawler", deadline="2020-12-31"):
        (tmp_path / "kst-28638-161.toml").write_text(DOCUMENT.format(title=title, deadline=deadline), encoding="utf-8")
        return load_catalogue(tmp_path)

    return write


def _seed(session, catalogue):
    report = seed(session=session, now=NOW, catalogue=catalogue)
    session.commit()
    return report


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_creates_measure_with_everything(session, catalogue_dir):
    report = _seed(session, catalogue_dir())
    assert report.created == ["CT-B-99"] and report.updates_added == 1
    measure = session.exec(select(Measure).where(Measure.code == "CT-B-99")).one()
    fields = services.measure_fields(session, measure)
    assert fields["lead"] == "Politie" and fields["co_owners"] == ["OM"] and fields["themes"] == ["contouren:b"]
    assert fields["budget"][0]["amount"] == "2000000.00"
    assert measure.status_code == "in_uitvoering" and measure.deadline == date(2020, 12, 31)
    assert measure.announced_on == date(2018, 5, 25)


def test_seed_twice_changes_nothing(session, catalogue_dir):
    catalogue = catalogue_dir()
    _seed(session, catalogue)
    counts = [_count(session, m) for m in (Measure, StatusUpdate, DeadlineChange, AuditRecord)]
    report = _seed(session, catalogue)
    assert report.created == [] and report.changed == [] and report.updates_added == 0
    assert [_count(session, m) for m in (Measure, StatusUpdate, DeadlineChange, AuditRecord)] == counts


def test_seed_keeps_coordinator_work(session, catalogue_dir):
    catalogue = catalogue_dir()
    _seed(session, catalogue)
    measure = session.exec(select(Measure)).one()
    services.record_status(
        session=session,
        measure=measure,
        status_code="gerealiseerd",
        as_of=date(2022, 1, 1),
        note="Klaar",
        recorded_by="coordinator",
        now=NOW,
    )
    services.edit_measure(
        session=session,
        measure=measure,
        content=services.MeasureInput(
            **{**services.measure_fields(session, measure), "budget": [], "description": "Aangepast door coordinator"}
        ),
        changed_by="coordinator",
        now=NOW,
    )
    session.commit()
    _seed(session, catalogue)
    session.refresh(measure)
    assert measure.status_code == "gerealiseerd"
    assert measure.description == "Aangepast door coordinator"
    assert _count(session, StatusUpdate) == 2


def test_changed_entry_is_applied_as_a_recorded_change(session, catalogue_dir):
    _seed(session, catalogue_dir())
    measure = session.exec(select(Measure)).one()
    services.edit_measure(
        session=session,
        measure=measure,
        content=services.MeasureInput(
            **{**services.measure_fields(session, measure), "budget": [], "description": "Eigen tekst"}
        ),
        changed_by="coordinator",
        now=NOW,
    )
    session.commit()
    report = _seed(session, catalogue_dir(title="Webcrawler (digitale zoekapplicatie)", deadline="2021-12-31"))
    assert report.changed == ["CT-B-99"]
    session.refresh(measure)
    assert measure.title == "Webcrawler (digitale zoekapplicatie)"
    assert measure.description == "Eigen tekst"  # the catalogue did not change it
    record = session.exec(select(AuditRecord).where(AuditRecord.changed_by == "catalogus")).one()
    assert (record.field, json.loads(record.old_value), record.new_value) == (
        "title",
        "Webcrawler",
        '"Webcrawler (digitale zoekapplicatie)"',
    )
    change = session.exec(select(DeadlineChange).where(DeadlineChange.reason == "Gewijzigd in de catalogus")).one()
    assert (change.old_deadline, change.new_deadline, change.is_postponement) == (
        date(2020, 12, 31),
        date(2021, 12, 31),
        True,
    )


def test_seed_refuses_an_invalid_catalogue(session, catalogue_dir):
    catalogue = catalogue_dir()
    catalogue.measures[0]["lead"] = "NIEMAND"
    with pytest.raises(services.ServiceError, match="NIEMAND"):
        seed(session=session, now=NOW, catalogue=catalogue)


def test_seed_leaves_the_quotes_to_the_test_suite(session, catalogue_dir):
    """Seeding checks the structure only: the quotes are checked where the sources are (CI)."""
    catalogue = catalogue_dir()
    catalogue.measures[0]["quote"] = "Dit staat nergens."
    seed(session=session, now=NOW, catalogue=catalogue)
    assert validate(catalogue) and "citaat komt niet voor" in validate(catalogue)[0]


@pytest.mark.slow  # the whole catalogue, seeded and exported
def test_seed_and_export_commands(runner, tmp_path, session):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    first = tmp_path / "a.json"
    assert runner.invoke(args=["export", "--format", "json", "--out", str(first)]).exit_code == 0
    assert runner.invoke(args=["seed"]).exit_code == 0
    second = tmp_path / "b.json"
    runner.invoke(args=["export", "--format", "json", "--out", str(second)])
    assert json.loads(first.read_text())["measures"] == json.loads(second.read_text())["measures"]
    records = json.loads(first.read_text())["measures"]
    assert len(records) == len(load_catalogue().measures)
    for record in records:
        assert record["source"]["quote"], record["code"]
    csv_path = tmp_path / "m.csv"
    assert runner.invoke(args=["export", "--format", "csv", "--out", str(csv_path)]).exit_code == 0
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("code,title,description")
