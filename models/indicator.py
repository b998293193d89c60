"""Indicators: a measure's measurable targets, and their dated measurements.

An indicator says what is counted (name, unit), from where (a baseline: value and date) to where
(a target: value and date; no date means the measure's deadline, whatever it is on the day asked
about) and which way is better (direction). Its basis is the sentence that states the target,
with its document, or "onbekend". Both tables are append-only: a measurement is never corrected in
place, a later one is added.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp_field

DIRECTIONS = {"stijgend": "Hoger is beter", "dalend": "Lager is beter"}
VALUE_TYPE = Numeric(14, 2)


class Indicator(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("measure_id", "name", name="uq_indicator_measure_name"),)

    id: int | None = Field(default=None, primary_key=True)
    # Stable, never reused: <measure code>-I<n>.
    code: str = Field(max_length=60, unique=True, index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    name: str = Field(max_length=200)
    unit: str = Field(max_length=60)
    direction: str = Field(default="stijgend", max_length=10)
    baseline_value: Decimal | None = Field(default=None, sa_type=VALUE_TYPE)
    baseline_on: date | None = None
    baseline_precision: str = Field(default="dag", max_length=10)
    baseline_basis: str = Field(default="onbekend", sa_type=Text)
    baseline_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    target_value: Decimal = Field(sa_type=VALUE_TYPE)
    # None: the measure's deadline (as it stands on the day asked about).
    target_on: date | None = None
    target_precision: str = Field(default="dag", max_length=10)
    basis: str = Field(default="onbekend", sa_type=Text)
    basis_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    # From this date the register knows the indicator: time travel leaves it out before.
    stated_on: date
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
    measure_version: int | None = None


class IndicatorMeasurement(SQLModel, table=True):
    """One value of an indicator on a date, with its evidence. Rows are only ever inserted."""

    __tablename__ = "indicator_measurement"
    __table_args__ = (Index("ix_indicator_measurement_indicator_on", "indicator_id", "measured_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    value: Decimal = Field(sa_type=VALUE_TYPE)
    measured_on: date = Field(index=True)
    # A value known only to a month or a year is dated on the period's last day, with this.
    measured_precision: str = Field(default="dag", max_length=10)
    note: str = Field(default="", sa_type=Text)
    evidence_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    evidence_url: str | None = Field(default=None, max_length=500)
    evidence_quote: str | None = Field(default=None, sa_type=Text)
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
    measure_version: int | None = None


class IndicatorRetirement(SQLModel, table=True):
    """An indicator withdrawn from a date on, with the reason (a target stated wrongly, replaced by
    another indicator, no longer part of the measure). Appended, never changed: the indicator and
    its measurements stay, as they were, for every date before."""

    __tablename__ = "indicator_retirement"

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", unique=True, index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    retired_on: date
    reason: str = Field(sa_type=Text)
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
    measure_version: int | None = None
