"""What a document says about each measure: its passages ranked for every measure and every
recommendation (BM25 over Dutch-stemmed words, bm25s and Snowball), with a status suggested from
the passage's wording. A proposal is a suggestion for a person to accept, edit or reject; it never
changes the register by itself.

The passages are the document's sentences (a very short one goes with the next). A measure asks with
its title, description, source quote and the notes and quotes of its status updates; a
recommendation with its title, text and quote. Each proposal says why: the words it matched and the
sentence, and for the status the wording that suggested it.
"""

import re
from dataclasses import asdict, dataclass, field

import bm25s
import snowballstemmer
from sqlmodel import Session, select

from models import Measure, Recommendation, StatusUpdate

_STEMMER = snowballstemmer.stemmer("dutch")
_WORD = re.compile(r"(?u)\b\w\w+\b")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=\S)")
SHORTEST_PASSAGE = 40
# A passage scoring under this share of the best passage for the same measure is not proposed.
RELATIVE_FLOOR = 0.2
# A proposed passage shares at least this many different words (stems) with the measure.
MINIMUM_TERMS = 2

# A status suggested by the passage's wording, the first rule that matches deciding: what says
# "not (yet, fully)" comes before what says "done", so "nog niet afgerond" is not "gerealiseerd".
STATUS_WORDING: tuple[tuple[str, str, bool], ...] = (
    # (pattern, status, reports a problem)
    (
        r"\b(?:niet|geen)\b[^.]*\b(?:volledig|duurzaam|geheel)\b[^.]*\b(?:ge[iï]mplementeerd|ingevoerd|uitgevoerd|gerealiseerd)",
        "deels_gerealiseerd",
        True,
    ),
    (r"\b(?:deels|gedeeltelijk) (?:gerealiseerd|ge[iï]mplementeerd|uitgevoerd)\b", "deels_gerealiseerd", False),
    (r"\b(?:vertraagd|vertraging|loopt achter|stagneert|gestagneerd|nog niet)\b", "in_uitvoering", True),
    (r"\b(?:stopgezet|beëindigd|gestopt)\b", "beeindigd", False),
    # Something that "will be" introduced is planned, not done: before the words for done.
    (
        r"\b(?:zal|zullen|wordt|worden)\b[^.]*\b(?:ingevoerd|ontwikkeld|opgezet|gestart|opgeleverd|ingericht)\b",
        "gepland",
        False,
    ),
    (r"\b(?:afgerond|gerealiseerd|voltooid|opgeleverd|in gebruik genomen|ingevoerd)\b", "gerealiseerd", False),
    (r"\b(?:gestart|in uitvoering|wordt uitgevoerd|is begonnen|loopt)\b", "in_uitvoering", False),
    (r"\b(?:zal|zullen|wordt ontwikkeld|gaat|voornemen|plan)\b", "gepland", False),
)


def suggest_status(passage: str) -> tuple[str | None, str | None, bool]:
    """The status a passage's wording suggests: (status code or None, the words that said so,
    whether it reports a problem)."""
    lowered = passage.casefold()
    for pattern, status, problem in STATUS_WORDING:
        if m := re.search(pattern, lowered):
            return status, passage[m.start() : m.end()], problem
    return None, None, False


def stems(text: str) -> list[str]:
    """The text's words, folded and stemmed; numbers (years, counts) say little about which measure
    a sentence is about and are left out."""
    return _STEMMER.stemWords([w.casefold() for w in _WORD.findall(text) if not w.isdigit()])


def passages(paragraphs: list[str]) -> list[tuple[int, str]]:
    """The document's sentences, each with its paragraph number; a very short one joins the next."""
    found: list[tuple[int, str]] = []
    for number, paragraph in enumerate(paragraphs, 1):
        carry = ""
        for sentence in _SENTENCE.split(paragraph):
            sentence = f"{carry} {sentence}".strip()
            if len(sentence) < SHORTEST_PASSAGE:
                carry = sentence
                continue
            found.append((number, sentence))
            carry = ""
        if carry:
            found.append((number, carry))
    return found


@dataclass
class Proposal:
    passage: str
    paragraph: int
    score: float
    suggested_status: str | None
    status_wording: str | None
    reports_problem: bool
    terms: list[str] = field(default_factory=list)
    measure_code: str | None = None
    recommendation_code: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["score"] = round(self.score, 3)
        return {k: v for k, v in data.items() if not (k.endswith("_code") and v is None)}


def _queries(session: Session) -> list[tuple[str, str, str]]:
    """(kind, code, text) for every measure and recommendation."""
    notes: dict[int, list[str]] = {}
    for measure_id, note, quote in session.exec(
        select(StatusUpdate.measure_id, StatusUpdate.note, StatusUpdate.evidence_quote)
    ).all():
        notes.setdefault(measure_id, []).extend(t for t in (note, quote) if t)
    queries = [
        ("measure", m.code, " ".join([m.title, m.description or "", m.source_quote or "", *notes.get(m.id, [])]))
        for m in session.exec(select(Measure).order_by(Measure.code)).all()
    ]
    queries += [
        ("recommendation", r.code, " ".join([r.title, r.text or "", r.quote or ""]))
        for r in session.exec(select(Recommendation).order_by(Recommendation.code)).all()
    ]
    return queries


def propose(
    session: Session, paragraphs: list[str], per_item: int = 3, rejected: set[tuple[str, str]] = frozenset()
) -> list[Proposal]:
    """Rank the document's passages for every measure and recommendation; the best `per_item` of each
    that share a word with it, best first per item. `rejected` holds (code, passage) pairs a person
    rejected before: they are not proposed again."""
    units = passages(paragraphs)
    if not units:
        return []
    corpus = [stems(text) for _number, text in units]
    stopwords = set(_STEMMER.stemWords(sorted(bm25s.stopwords.STOPWORDS_DUTCH)))
    corpus = [[s for s in tokens if s not in stopwords] or ["_"] for tokens in corpus]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    proposals: list[Proposal] = []
    k = min(len(units), per_item + 10)
    for kind, code, text in _queries(session):
        query = [s for s in stems(text) if s not in stopwords]
        if not query:
            continue
        documents, scores = retriever.retrieve([query], k=k, show_progress=False)
        kept = 0
        best = float(scores[0][0]) if len(scores[0]) else 0.0
        for index, score in zip(documents[0], scores[0], strict=True):
            number, passage = units[int(index)]
            # A passage far below the best one for this item shares a stray word with it, no more.
            if score <= 0 or score < best * RELATIVE_FLOOR or (code, passage) in rejected:
                continue
            matched = sorted(set(query) & set(corpus[int(index)]))
            if len(matched) < MINIMUM_TERMS:
                continue  # one shared word ("politie") is not a passage about the measure
            words = sorted(
                {w for w in _WORD.findall(passage) if _STEMMER.stemWord(w.casefold()) in matched}, key=str.casefold
            )
            status, wording, problem = suggest_status(passage)
            proposal = Proposal(passage, number, float(score), status, wording, problem, words)
            setattr(proposal, f"{kind}_code", code)
            proposals.append(proposal)
            kept += 1
            if kept == per_item:
                break
    return proposals
