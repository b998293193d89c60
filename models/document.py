"""Source documents: the letters and reports that announce measures and evidence their state."""

from datetime import date

from sqlmodel import Field, SQLModel

DOCUMENT_KINDS = {
    "kabinetsbrief": "Kabinetsbrief",
    "programma": "Programma",
    "brief_rapporteur": "Brief Nationaal Rapporteur",
    "onderzoek": "Onderzoek",
    "overig": "Overig",
}


class SourceDocument(SQLModel, table=True):
    __tablename__ = "source_document"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True, index=True)
    title: str = Field(max_length=300)
    date: date
    date_note: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=40)
    reference: str = Field(max_length=200)
    author_id: int | None = Field(default=None, foreign_key="organisation.id")
    url: str | None = Field(default=None, max_length=500)
    file: str | None = Field(default=None, max_length=200)
