"""The programme in time: a projection of each measure's state over the intervals it held."""

from datetime import date

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class MeasureStateInterval(SQLModel, table=True):
    """One measure's state over one interval in which nothing that a page shows changed.

    SQL:2011 application time: `valid_from` is inclusive, `valid_to` exclusive, and None means
    "until further notice". The rows are derived from the append-only histories (status updates,
    deadline changes, assessments and the audit trail of edited fields), written in the same
    transaction as them, and can always be rebuilt from them (`flask --app app rebuild-states`).
    Lists are JSON, sorted, as `history.MeasureState` holds them. The stall level is derived with
    the configured thresholds: changing CHECK_MAX_POSTPONEMENTS asks for a rebuild.
    """

    __tablename__ = "measure_state"
    __table_args__ = (
        UniqueConstraint("measure_id", "valid_from", name="uq_measure_state_from"),
        Index("ix_measure_state_valid", "valid_from", "valid_to"),
    )

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    valid_from: date
    valid_to: date | None = None
    title: str = Field(sa_type=Text)
    lead: str | None = Field(default=None, max_length=60)
    co_owners: str = Field(default="[]", sa_type=Text)
    themes: str = Field(default="[]", sa_type=Text)
    budget: str = Field(default="[]", sa_type=Text)
    status_code: str = Field(default="onbekend", max_length=40)
    latest_update_id: int | None = Field(default=None, foreign_key="status_update.id")
    latest_evidenced_id: int | None = Field(default=None, foreign_key="status_update.id")
    deadline: date | None = None
    deadline_basis: str = Field(default="onbekend", sa_type=Text)
    deadline_precision: str = Field(default="dag", max_length=10)
    postponements: int = 0
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    # The stall level the checks would have given the measure on these days (0 none, 1 laag to
    # 3 hoog): their own rules run over this state, so the list as of any date filters on it.
    stall_level: int = 0
