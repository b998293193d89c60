"""The status vocabulary and the append-only status history."""

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from models.base import timestamp_field


class Status(SQLModel, table=True):
    """One status in the vocabulary; kept as data so labels can change without a migration."""

    code: str = Field(primary_key=True, max_length=40)
    label: str = Field(max_length=100)
    description: str = Field(default="", max_length=300)
    rank: int = 0
    is_open: bool = True
    position: int = 0


class StatusUpdate(SQLModel, table=True):
    """A recorded state of a measure on a date. Rows are only ever inserted."""

    __tablename__ = "status_update"
    __table_args__ = (Index("ix_status_update_measure_as_of", "measure_id", "as_of", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    status_code: str = Field(foreign_key="status.code", max_length=40)
    as_of: date = Field(index=True)
    # How much of the date is known (dag, maand, jaar). A state known only to a month or a year is
    # dated on the last day of that period: the register never claims it held before it is known to.
    as_of_precision: str = Field(default="dag", max_length=10)
    note: str = Field(default="", sa_type=Text)
    evidence_document_id: int | None = Field(default=None, foreign_key="source_document.id", index=True)
    evidence_url: str | None = Field(default=None, max_length=500)
    evidence_quote: str | None = Field(default=None, sa_type=Text)
    # The evidence says the measure is not (fully) implemented or is stuck: the checks read this.
    reports_problem: bool = False
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
    measure_version: int | None = None
