"""Measures, their owners, themes, budget lines and deadline history."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp_field

ANNOUNCEMENTS = {
    "reeds_in_gang_gezet": "Reeds in gang gezet",
    "besloten": "Waartoe reeds is besloten",
    "lopende_tekst": "Toezegging in de lopende tekst",
    "programma": "Programmamaatregel",
    "rapporteur": "Toezegging genoemd door de Nationaal Rapporteur",
    "nieuw": "Nieuw vastgelegd in Maatregelmonitor",
    # The letter reports it as done already when it announced it: not an achievement of the programme.
    "al_gerealiseerd": "Al gerealiseerd bij aankondiging",
}
ALREADY_REALISED = "al_gerealiseerd"
# The lead field's value when the source names organisations jointly and none of them as lead
# (the co-owners are the ones it names). Distinct from unknown: the source did say who, jointly.
JOINT_LEAD = "gezamenlijk"
# "onbekend": the source gives an amount per year, but not whether it is structural or for how long.
BUDGET_KINDS = {"structureel": "Structureel", "eenmalig": "Eenmalig", "onbekend": "Onbekend"}
BUDGET_PER = {"jaar": "per jaar", "totaal": "totaal"}
UNKNOWN_BASIS = "onbekend"


class Measure(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    lead_organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    lead_joint: bool = False  # see JOINT_LEAD; never true together with a lead organisation
    source_document_id: int | None = Field(default=None, foreign_key="source_document.id", index=True)
    source_section: str = Field(default="", max_length=300)
    source_quote: str = Field(default="", sa_type=Text)
    announcement: str = Field(max_length=40)
    # The date the measure entered the programme: before it, time travel leaves it out.
    announced_on: date = Field(index=True)
    # Cached from the history tables, kept in step by the services in one transaction.
    status_code: str = Field(default="onbekend", foreign_key="status.code", max_length=40, index=True)
    deadline: date | None = Field(default=None, index=True)
    deadline_basis: str = Field(default=UNKNOWN_BASIS, sa_type=Text)
    # A deadline known only to a month or a year is stored on the period's last day, with this.
    deadline_precision: str = Field(default="dag", max_length=10)
    # Provenance of the owners: the sentence that names them and the document it is from. Empty
    # means: not from a source (unknown, or set in the register; the history says by whom).
    lead_basis: str = Field(default="", sa_type=Text)
    lead_basis_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    co_owners_basis: str = Field(default="", sa_type=Text)
    co_owners_basis_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # Optimistic locking: every write checks and bumps it.
    version: int = Field(default=1)


class MeasureCoOwner(SQLModel, table=True):
    __tablename__ = "measure_co_owner"

    measure_id: int = Field(foreign_key="measure.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)


class MeasureTheme(SQLModel, table=True):
    __tablename__ = "measure_theme"
    __table_args__ = (UniqueConstraint("measure_id", "scheme_id"),)

    measure_id: int = Field(foreign_key="measure.id", primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, index=True)
    # Denormalised so the database itself enforces one theme per scheme.
    scheme_id: int = Field(foreign_key="theme_scheme.id")
    basis: str = Field(default="", sa_type=Text)
    # The document whose heading or row puts the measure under this theme.
    basis_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    # The register chose this theme; the source does not put the measure under it (basis says why).
    by_register: bool = False


class BudgetLine(SQLModel, table=True):
    __tablename__ = "budget_line"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    amount: Decimal = Field(sa_type=Numeric(14, 2))
    kind: str = Field(max_length=20)
    per: str = Field(max_length=20)
    from_year: int
    to_year: int | None = None
    funding: str = Field(default="onbekend", max_length=300)
    quote: str = Field(default="", sa_type=Text)
    # The document the quote is from, when it is not the measure's own source document.
    document_id: int | None = Field(default=None, foreign_key="source_document.id")


class DeadlineChange(SQLModel, table=True):
    """A deadline set or moved, with its reason. Rows are only ever inserted."""

    __tablename__ = "deadline_change"
    __table_args__ = (Index("ix_deadline_change_measure_decided", "measure_id", "decided_on", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    old_deadline: date | None = None
    new_deadline: date | None = None
    new_deadline_precision: str = Field(default="dag", max_length=10)
    basis: str = Field(default="", sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    # The date the change took effect; time travel reads the deadline as of this date.
    decided_on: date
    evidence_document_id: int | None = Field(default=None, foreign_key="source_document.id")
    recorded_by: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = timestamp_field()
    measure_version: int | None = None

    @property
    def is_postponement(self) -> bool:
        return self.old_deadline is not None and self.new_deadline is not None and self.new_deadline > self.old_deadline


class AuditRecord(SQLModel, table=True):
    """One changed field of a measure: who, when, old and new value (JSON text). Insert-only."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_measure_changed", "measure_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    field: str = Field(max_length=60)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    changed_by: str = Field(max_length=200)
    changed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    changed_at: datetime = timestamp_field()
    # The measure's version after this change, so an edit conflict can list what changed since.
    measure_version: int | None = None


class MeasureAlias(SQLModel, table=True):
    """A code that no longer names a measure of its own: merged into another. Its address redirects."""

    __tablename__ = "measure_alias"

    code: str = Field(max_length=40, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    reason: str = Field(default="", sa_type=Text)
    recorded_at: datetime = timestamp_field()
