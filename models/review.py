"""The rapporteur's recommendations and findings, and independent assessments of measures."""

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from models.base import timestamp_field

TRAFFIC_LIGHTS = {
    "op_schema": "Op schema",
    "vraagt_aandacht": "Vraagt aandacht",
    "ernstig_vertraagd": "Ernstig vertraagd",
}
RECOMMENDATION_KINDS = {"aanbeveling": "Aanbeveling", "bevinding": "Bevinding"}


class Recommendation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True, index=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    text: str = Field(default="", sa_type=Text)
    addressee: str = Field(default="onbekend", max_length=300)
    quote: str = Field(default="", sa_type=Text)
    document_id: int = Field(foreign_key="source_document.id", index=True)
    issued_on: date
    measures_basis: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp_field()


class RecommendationMeasure(SQLModel, table=True):
    """A measure that answers a recommendation."""

    __tablename__ = "recommendation_measure"

    recommendation_id: int = Field(foreign_key="recommendation.id", primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", primary_key=True, index=True)
    linked_by: str = Field(default="catalogus", max_length=200)
    linked_at: datetime = timestamp_field()


class Assessment(SQLModel, table=True):
    """The rapporteur's independent judgement of a measure on a date. Insert-only: a new one supersedes."""

    __table_args__ = (Index("ix_assessment_measure_as_of", "measure_id", "as_of", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    light: str = Field(max_length=30)
    text: str = Field(sa_type=Text)
    as_of: date
    evidence_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    evidence_url: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()


class AssessmentReply(SQLModel, table=True):
    """A coordinator's reply to an assessment, shown with it. Insert-only."""

    __tablename__ = "assessment_reply"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    text: str = Field(sa_type=Text)
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
