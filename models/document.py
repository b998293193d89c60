"""Source documents: the letters and reports that announce measures and evidence their state."""

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

DOCUMENT_KINDS = {
    "kabinetsbrief": "Kabinetsbrief",
    "programma": "Programma",
    "factsheet": "Factsheet",
    "kamerstuk": "Kamerstuk",
    "bericht": "Bericht of artikel",
    "jaarverslag": "Jaarverslag",
    "advies": "Advies",
    "brief_rapporteur": "Brief Nationaal Rapporteur",
    "onderzoek": "Onderzoek",
    "overig": "Overig",
}


# How much of a document's date is known: a day, a month ("juni 2020"), a year ("2023"), or nothing
# (the date is then a placeholder that is never shown).
DATE_PRECISIONS = ("dag", "maand", "jaar", "onbekend")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def shown_date(day: date, precision: str = "dag") -> str:
    """Return a date as precisely as it is known: 18-11-2020, juni 2020, 2023 or datum onbekend."""
    if precision == "onbekend":
        return "datum onbekend"
    if precision == "jaar":
        return f"{day.year}"
    if precision == "maand":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def citation_of(*, reference: str, day: date, precision: str, consulted: bool, via: "SourceDocument | None") -> str:
    """Return how evidence from a document is cited: a document not read here is cited with its date
    and the document it is known through, e.g. "Kamerstuk 28 638 nr. 184 (18-11-2020), via factsheet"."""
    if consulted or via is None:
        return reference
    return f"{reference} ({shown_date(day, precision)}), via {via.reference}"


class SourceDocument(SQLModel, table=True):
    """A document that announced a measure or evidenced its state.

    `consulted` says whether its text was read for this register. A document that was not (a letter
    cited by the fact sheet) is known `via` another document, and its quotes are that document's
    sentences. `citation` is how evidence from it is shown everywhere (see `citation_of`).
    """

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
    date_precision: str = Field(default="dag", max_length=10)
    consulted: bool = True
    via_id: int | None = Field(default=None, foreign_key="source_document.id")
    address: str | None = Field(default=None, max_length=300)  # as the citing document gives it
    citation: str = Field(default="", max_length=400)


class DocumentText(SQLModel, table=True):
    """The text of a source document as it was read in (`flask --app app ingest`, the upload page or
    the seed): which file format, its SHA-256, how many pages, when and by whom. Append-only: a
    document's text, once stored, is what its quotes are checked against, so it never changes."""

    __tablename__ = "document_text"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_document.id", unique=True, index=True)
    format: str = Field(max_length=10)  # txt, md, html, pdf, docx
    sha256: str = Field(max_length=64)
    pages: int | None = None
    paragraphs: int = 0
    chars: int = 0
    ingested_at: datetime
    ingested_by: str = Field(max_length=200)


class DocumentParagraph(SQLModel, table=True):
    """One numbered paragraph of a document's text (from 1, in reading order); append-only."""

    __tablename__ = "document_paragraph"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_paragraph_number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_document.id", index=True)
    number: int
    text: str = Field(sa_type=Text)


class DocumentProposal(SQLModel, table=True):
    """A passage of a document proposed for a measure or a recommendation when the document was read
    in (measures.sources.proposals): the sentence, its paragraph, its score, the words it matched,
    and the status its wording suggests. A suggestion, never a decision; append-only."""

    __tablename__ = "document_proposal"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="source_document.id", index=True)
    measure_id: int | None = Field(default=None, foreign_key="measure.id", index=True)
    recommendation_id: int | None = Field(default=None, foreign_key="recommendation.id")
    rank: int  # 1 = the best passage for this measure or recommendation in this document
    paragraph: int
    passage: str = Field(sa_type=Text)
    score: float
    terms: str = Field(default="[]", sa_type=Text)  # JSON list of the words it matched
    suggested_status: str | None = Field(default=None, max_length=40)
    status_wording: str | None = Field(default=None, sa_type=Text)
    reports_problem: bool = False


class ProposalDecision(SQLModel, table=True):
    """What a person decided about a proposal: accepted (with the status update it became) or
    rejected. One per proposal, append-only: a rejected passage is not proposed again."""

    __tablename__ = "proposal_decision"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="document_proposal.id", unique=True, index=True)
    decision: str = Field(max_length=10)  # aanvaard | afgewezen
    status_update_id: int | None = Field(default=None, foreign_key="status_update.id")
    decided_by: str = Field(max_length=200)
    decided_at: datetime
