"""Organisations that own measures or author documents."""

from sqlmodel import Field, SQLModel

ORGANISATION_KINDS = {
    "ministerie": "Ministerie",
    "uitvoeringsorganisatie": "Uitvoeringsorganisatie",
    "gemeente": "Gemeente",
    "ngo": "Ngo",
    "overig": "Overig",
}


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    abbreviation: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
