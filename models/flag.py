"""Flags raised by the stalled-measure checks, their acknowledgements, and the check runs."""

from datetime import date, datetime

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, timestamp_field

SEVERITY_LABELS = {1: "laag", 2: "middel", 3: "hoog"}
# What a flag answers: "is it stuck?" (stall) or "do we know?" (silence, a monitoring gap).
STALL, SILENCE = "stall", "silence"


class Flag(SQLModel, table=True):
    """One rule firing on one measure, from the day it was first seen until it no longer holds.

    At most one open flag per (measure, rule); a resolved flag stays, and a later firing opens a
    new one. Flags are never deleted.
    """

    __table_args__ = (
        Index(
            "uq_flag_open_measure_rule",
            "measure_id",
            "rule",
            unique=True,
            sqlite_where=text("resolved_on IS NULL"),
            postgresql_where=text("resolved_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    rule: str = Field(max_length=40, index=True)
    kind: str = Field(default=STALL, max_length=10, index=True)
    # The rule's own level (1 laag, 2 middel, 3 hoog; 0 for silence, which has no level) and the
    # measure's stall level and score, the same on every open flag of the measure.
    rule_severity: int
    severity: int = Field(index=True)
    score: int = 0
    # The date of the evidence behind a stall flag (the finding, the passed deadline): the oldest
    # evidence orders measures of equal level and score.
    evidence_on: date | None = None
    explanation: str = Field(sa_type=Text)
    facts: str = Field(default="{}", sa_type=Text)
    first_seen_on: date = Field(index=True)
    last_seen_on: date
    resolved_on: date | None = Field(default=None, index=True)
    first_run_id: int | None = Field(default=None, foreign_key="check_run.id")
    resolved_run_id: int | None = Field(default=None, foreign_key="check_run.id")
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FlagAcknowledgement(SQLModel, table=True):
    """A coordinator's note on a flag: seen, and what is being done. Insert-only."""

    __tablename__ = "flag_acknowledgement"

    id: int | None = Field(default=None, primary_key=True)
    flag_id: int = Field(foreign_key="flag.id", index=True)
    note: str = Field(sa_type=Text)
    acknowledged_by: str = Field(max_length=200)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    acknowledged_at: datetime = timestamp_field()


class CheckRun(SQLModel, table=True):
    """One run of the checks. `run_key` is unique, so a scheduled run happens once per day."""

    __tablename__ = "check_run"

    id: int | None = Field(default=None, primary_key=True)
    run_key: str = Field(max_length=100, unique=True)
    as_of: date
    trigger: str = Field(max_length=20)  # scheduler | cli | web
    persisted: bool = True
    started_at: datetime = timestamp_field()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="bezig", max_length=20)  # bezig | geslaagd | mislukt
    flags_found: int = 0
    flags_opened: int = 0
    flags_resolved: int = 0
    measures_flagged: int = 0
    measures_stalled: int = 0
    measures_silent: int = 0
    rule_errors: str = Field(default="", sa_type=Text)
    error: str = Field(default="", sa_type=Text)
    notifications_sent: int = 0
    host: str = Field(default="", max_length=200)
