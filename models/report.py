"""Parliament report editions (immutable) and the jobs that render them."""

from datetime import date, datetime

from sqlalchemy import LargeBinary, Text
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, timestamp_field


class ReportEdition(SQLModel, table=True):
    """A frozen edition: the PDF and the data snapshot it was built from, each with its SHA-256.

    Inserted once, in one transaction, after the PDF is complete; the database refuses updates
    and deletes.
    """

    __tablename__ = "report_edition"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    as_of: date
    since: date | None = None
    scheme: str = Field(default="", max_length=40)
    generated_at: datetime = timestamp_field()
    generated_by: str = Field(max_length=200)
    snapshot: str = Field(sa_type=Text)
    snapshot_sha256: str = Field(max_length=64)
    pdf: bytes = Field(sa_type=LargeBinary)
    pdf_sha256: str = Field(max_length=64)
    pages: int = 0


class ReportJob(SQLModel, table=True):
    """A request to render an edition in the background, with its progress."""

    __tablename__ = "report_job"

    id: int | None = Field(default=None, primary_key=True)
    as_of: date
    since: date | None = None
    scheme: str = Field(default="", max_length=40)
    requested_by: str = Field(max_length=200)
    status: str = Field(default="wachtend", max_length=20)  # wachtend | bezig | klaar | mislukt
    progress: int = 0
    message: str = Field(default="", sa_type=Text)
    edition_id: int | None = Field(default=None, foreign_key="report_edition.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # True while this job renders, NULL otherwise: the unique constraint lets one job at a time hold
    # the queue across all workers (NULLs never collide).
    running: bool | None = Field(default=None, unique=True)
