"""A document's text in the register: storing it once, and checking a quote against it.

A quote is checked where the register shows it: against the stored text of the document it is
cited from or, for a document not read here (known via the fact sheet), of the document it is known
through. The comparison folds whitespace and case, as the catalogue's own check does.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from measures.sources.extract import Extracted
from models.document import DocumentParagraph, DocumentProposal, DocumentText, ProposalDecision, SourceDocument


class TextExists(ValueError):
    """The document already has a different text; a stored text never changes."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_text(
    session: Session, *, document: SourceDocument, extracted: Extracted, digest: str, by: str, now: datetime
) -> DocumentText:
    """Store a document's text and numbered paragraphs (not committed). The same file again is a
    no-op; another text for a document that has one is refused (TextExists, Dutch)."""
    existing = session.exec(select(DocumentText).where(DocumentText.document_id == document.id)).first()
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise TextExists(
            f"{document.reference} heeft al een tekst (ingelezen {existing.ingested_at:%d-%m-%Y}); "
            "een opgeslagen tekst verandert niet. Lees een nieuwe versie in als een nieuw document."
        )
    text = DocumentText(
        document_id=document.id,
        format=extracted.format,
        sha256=digest,
        pages=extracted.pages,
        paragraphs=len(extracted.paragraphs),
        chars=extracted.chars,
        ingested_at=now,
        ingested_by=by,
    )
    session.add(text)
    session.add_all(
        DocumentParagraph(document_id=document.id, number=n, text=p) for n, p in enumerate(extracted.paragraphs, 1)
    )
    session.flush()
    return text


def paragraphs(session: Session, document_id: int) -> list[str]:
    return list(
        session.exec(
            select(DocumentParagraph.text)
            .where(DocumentParagraph.document_id == document_id)
            .order_by(DocumentParagraph.number)
        ).all()
    )


def fold(text: str) -> str:
    """Whitespace and case folded, and nothing more (as the catalogue's quotes are checked)."""
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class QuoteCheck:
    """What the stored text says about a quote: `checked` (found, in `paragraph` of `document`),
    `not_found` (the text is there, the quote is not), or `no_text` (nothing to check against)."""

    state: str
    document: SourceDocument | None = None
    paragraph: int | None = None


def request_text_index(session: Session) -> "TextIndex":
    """The request's TextIndex (documents' texts loaded once per request), or a fresh one outside
    a request (the command line, the check run)."""
    from flask import g, has_app_context

    if not has_app_context():
        return TextIndex(session)
    index = g.get("text_index")
    if index is None or index.session is not session:
        index = g.text_index = TextIndex(session)
    return index


class TextIndex:
    """The folded texts of documents, loaded once (per request or per check run) and searched for
    quotes: where each paragraph starts in the folded whole, so a quote across paragraphs is found
    too, at the paragraph where it begins."""

    def __init__(self, session: Session):
        self.session = session
        self._texts: dict[int, tuple[str, list[int]] | None] = {}
        self._documents: dict[int, SourceDocument | None] = {}

    def _document(self, document_id: int) -> SourceDocument | None:
        if document_id not in self._documents:
            self._documents[document_id] = self.session.get(SourceDocument, document_id)
        return self._documents[document_id]

    def _text(self, document_id: int) -> tuple[str, list[int]] | None:
        if document_id not in self._texts:
            folded, starts, position = [], [], 0
            for paragraph in paragraphs(self.session, document_id):
                starts.append(position)
                piece = fold(paragraph)
                folded.append(piece)
                position += len(piece) + 1
            self._texts[document_id] = (" ".join(folded), starts) if folded else None
        return self._texts[document_id]

    def check(self, quote: str | None, document: SourceDocument | int | str | None) -> QuoteCheck | None:
        """Check a quote against the stored text of its document (or the one it is known via); the
        document as itself, its id or its key."""
        if not quote or not str(quote).strip() or document is None:
            return None
        if isinstance(document, str):
            document = self.session.exec(select(SourceDocument.id).where(SourceDocument.key == document)).first()
            if document is None:
                return None
        doc = self._document(document) if isinstance(document, int) else document
        if doc is None:
            return None
        if not doc.consulted and doc.via_id is not None:
            doc = self._document(doc.via_id)
        text = self._text(doc.id) if doc else None
        if text is None:
            return QuoteCheck("no_text", doc)
        whole, starts = text
        at = whole.find(fold(str(quote)))
        if at < 0:
            return QuoteCheck("not_found", doc)
        number = next(n for n in range(len(starts), 0, -1) if starts[n - 1] <= at)
        return QuoteCheck("checked", doc, number)


@dataclass(frozen=True)
class Ingested:
    document: SourceDocument
    text: DocumentText
    created: bool  # a new document, not a text for one the register already had


def document_key(reference: str) -> str:
    """A key for a new document from its reference: Kamerstuk 28 638 nr. 170 -> kst-28638-170."""
    if m := re.fullmatch(r"Kamerstuk (\d{2}) ?(\d{3}) nr\. (\d+)", reference.strip()):
        return f"kst-{m[1]}{m[2]}-{m[3]}"
    return re.sub(r"[^a-z0-9]+", "-", reference.casefold()).strip("-")[:60] or "document"


def ingest(
    session: Session,
    *,
    data: bytes,
    extracted: Extracted,
    by: str,
    now: datetime,
    key: str | None = None,
    reference: str | None = None,
    day=None,
    kind: str | None = None,
    title: str | None = None,
) -> Ingested:
    """Store a document's text: for the document `key` if the register has it, otherwise as a new
    document (which needs a reference and a date). Not committed; ServiceError-like ValueErrors in Dutch."""
    from models.document import DOCUMENT_KINDS, citation_of

    document = session.exec(select(SourceDocument).where(SourceDocument.key == key)).first() if key else None
    created = document is None
    if created:
        if not reference or day is None:
            raise ValueError("Een nieuw document heeft een kenmerk (--reference) en een datum (--date) nodig.")
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise ValueError(f"Onbekende soort {kind!r}; kies uit: {', '.join(DOCUMENT_KINDS)}.")
        key = key or document_key(reference)
        if session.exec(select(SourceDocument.id).where(SourceDocument.key == key)).first() is not None:
            # the key derived from the reference is one the register has: say so rather than guess
            raise ValueError(
                f"Er is al een document met de sleutel {key}; geef --key {key} om de tekst daarbij op te slaan."
            )
        document = SourceDocument(
            key=key,
            title=(title or extracted.paragraphs[0])[:300],
            date=day,
            kind=kind or ("kamerstuk" if reference.startswith("Kamerstuk") else "overig"),
            reference=reference,
            citation=citation_of(reference=reference, day=day, precision="dag", consulted=True, via=None),
        )
        session.add(document)
        session.flush()
    text = store_text(session, document=document, extracted=extracted, digest=sha256(data), by=by, now=now)
    return Ingested(document, text, created)


def rejected_passages(session: Session) -> set[tuple[str, str]]:
    """(measure or recommendation code, passage) pairs a person rejected: never proposed again."""
    from models import Measure, Recommendation

    rows = session.exec(
        select(Measure.code, Recommendation.code, DocumentProposal.passage)
        .select_from(ProposalDecision)
        .join(DocumentProposal, DocumentProposal.id == ProposalDecision.proposal_id)
        .outerjoin(Measure, Measure.id == DocumentProposal.measure_id)
        .outerjoin(Recommendation, Recommendation.id == DocumentProposal.recommendation_id)
        .where(ProposalDecision.decision == "afgewezen")
    ).all()
    return {(measure or recommendation, passage) for measure, recommendation, passage in rows}


def store_proposals(session: Session, document: SourceDocument, found: list) -> int:
    """Store a document's proposals (measures.sources.proposals.Proposal), ranked per measure or
    recommendation; not committed. Returns how many."""
    import json

    from models import Measure, Recommendation

    measures = dict(session.exec(select(Measure.code, Measure.id)).all())
    recommendations = dict(session.exec(select(Recommendation.code, Recommendation.id)).all())
    ranks: dict[str, int] = {}
    for proposal in found:
        code = proposal.measure_code or proposal.recommendation_code
        ranks[code] = ranks.get(code, 0) + 1
        session.add(
            DocumentProposal(
                document_id=document.id,
                measure_id=measures.get(proposal.measure_code) if proposal.measure_code else None,
                recommendation_id=recommendations.get(proposal.recommendation_code)
                if proposal.recommendation_code
                else None,
                rank=ranks[code],
                paragraph=proposal.paragraph,
                passage=proposal.passage,
                score=proposal.score,
                terms=json.dumps(proposal.terms, ensure_ascii=False),
                suggested_status=proposal.suggested_status,
                status_wording=proposal.status_wording,
                reports_problem=proposal.reports_problem,
            )
        )
    session.flush()
    return len(found)


def open_proposal(session: Session, proposal_id, measure) -> DocumentProposal | None:
    """The proposal `proposal_id` for this measure, if it is still open (no decision yet); None for
    anything else (another measure's, decided, not a number)."""
    try:
        number = int(proposal_id)
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2**31:
        return None
    proposal = session.get(DocumentProposal, number)
    if proposal is None or proposal.measure_id != measure.id:
        return None
    decided = session.exec(select(ProposalDecision.id).where(ProposalDecision.proposal_id == number)).first()
    return None if decided else proposal


def fill_from_proposal(session: Session, form, proposal, today) -> None:
    """Fill the status form from a proposal: the suggested status, the document's date, the document
    as evidence with the passage as its quote; the person checks and edits before saving."""
    document = session.get(SourceDocument, proposal.document_id)
    if proposal.suggested_status:
        form.status.data = proposal.suggested_status
    if document is not None:
        form.as_of.data = min(document.date, today)
        form.evidence_document.data = document.key
    form.evidence_quote.data = proposal.passage
    form.reports_problem.data = proposal.reports_problem
    form.proposal.data = str(proposal.id)


def decide(session: Session, proposal, decision: str, *, by: str, now: datetime, update=None) -> None:
    """Record a decision on a proposal (not committed): aanvaard with its status update, or afgewezen."""
    if decision not in ("aanvaard", "afgewezen"):
        raise ValueError(decision)
    session.add(
        ProposalDecision(
            proposal_id=proposal.id,
            decision=decision,
            status_update_id=update.id if update is not None else None,
            decided_by=by,
            decided_at=now,
        )
    )
    session.flush()


def quote_error(session: Session, quote: str | None, document: SourceDocument | None) -> str | None:
    """The Dutch reason a quote cannot be recorded against a document, or None: a quote that is not
    in the document's stored text (where the register has it) is refused."""
    from flask_babel import gettext as _

    if not quote or not quote.strip() or document is None:
        return None
    check = request_text_index(session).check(quote, document)
    if check is not None and check.state == "not_found":
        return _("Dit citaat staat niet in de opgeslagen tekst van %(document)s.", document=check.document.reference)
    return None
