"""Search over every stored document text and the register (issue #20, point 5): BM25 over Dutch
Snowball stems, the same as the proposals. What is searched: each paragraph of each stored text,
each measure (code, title, description) and each recommendation (title, text). A result shows the
passage with its document and paragraph, or the measure or recommendation.

The index is built from the database when something in it changed (the number and the last id of
paragraphs, measures and recommendations, and the measures' last version), and kept per process.
"""

import threading
from dataclasses import dataclass

import bm25s
from sqlalchemy import func
from sqlmodel import Session, select

from measures.sources.proposals import _STEMMER, _WORD, stems
from models import DocumentParagraph, Measure, Recommendation, SourceDocument

MAX_QUERY = 200
RESULTS = 200


@dataclass(frozen=True)
class Hit:
    kind: str  # document | measure | recommendation
    title: str
    passage: str
    score: float
    terms: tuple[str, ...]
    document_key: str | None = None
    document_reference: str | None = None
    paragraph: int | None = None
    measure_code: str | None = None
    recommendation_code: str | None = None


@dataclass
class _Index:
    key: tuple
    items: list[dict]
    tokens: list[list[str]]
    retriever: bm25s.BM25 | None


_lock = threading.Lock()
_cache: dict[str, _Index] = {}


def _stopwords() -> set[str]:
    return set(_STEMMER.stemWords(sorted(bm25s.stopwords.STOPWORDS_DUTCH)))


def _state(session: Session) -> tuple:
    """What the index was built from, in one round trip: read from the database (not a counter in
    this process), so a change made through another worker is seen too."""
    return tuple(
        session.exec(
            select(
                select(func.count(DocumentParagraph.id)).scalar_subquery(),
                select(func.max(DocumentParagraph.id)).scalar_subquery(),
                select(func.count(Measure.id)).scalar_subquery(),
                select(func.max(Measure.id)).scalar_subquery(),
                select(func.sum(Measure.version)).scalar_subquery(),
                select(func.count(Recommendation.id)).scalar_subquery(),
                select(func.max(Recommendation.id)).scalar_subquery(),
            )
        ).one()
    )


def _build(session: Session, key: tuple) -> _Index:
    items: list[dict] = []
    documents = {d.id: d for d in session.exec(select(SourceDocument)).all()}
    for paragraph in session.exec(
        select(DocumentParagraph).order_by(DocumentParagraph.document_id, DocumentParagraph.number)
    ):
        document = documents[paragraph.document_id]
        items.append(
            {"kind": "document", "title": document.title, "passage": paragraph.text, "document_key": document.key,
             "document_reference": document.reference, "paragraph": paragraph.number}
        )  # fmt: skip
    for measure in session.exec(select(Measure).order_by(Measure.code)):
        items.append(
            {"kind": "measure", "title": measure.title, "passage": f"{measure.title}. {measure.description}".strip(),
             "measure_code": measure.code, "search": f"{measure.code} {measure.title} {measure.description}"}
        )  # fmt: skip
    for recommendation in session.exec(select(Recommendation).order_by(Recommendation.code)):
        items.append(
            {"kind": "recommendation", "title": recommendation.title, "passage": recommendation.text or recommendation.title,
             "recommendation_code": recommendation.code,
             "search": f"{recommendation.code} {recommendation.title} {recommendation.text}"}
        )  # fmt: skip
    stop = _stopwords()
    tokens = [[s for s in stems(item.get("search", item["passage"])) if s not in stop] or ["_"] for item in items]
    retriever = None
    if items:
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
    return _Index(key, items, tokens, retriever)


def _index(session: Session) -> _Index:
    name = str(session.get_bind().url)
    key = _state(session)
    with _lock:
        index = _cache.get(name)
        if index is None or index.key != key:
            index = _cache[name] = _build(session, key)
        return index


def search(session: Session, query: str, limit: int = RESULTS) -> list[Hit]:
    """The best matches for `query`, best first; [] for a query without a searchable word."""
    query = (query or "")[:MAX_QUERY]
    wanted = [s for s in stems(query) if s not in _stopwords()]
    index = _index(session)
    if not wanted or index.retriever is None:
        return []
    found, scores = index.retriever.retrieve([wanted], k=min(limit, len(index.items)), show_progress=False)
    hits = []
    for position, score in zip(found[0], scores[0], strict=True):
        if score <= 0:
            continue
        item = index.items[int(position)]
        matched = set(wanted) & set(index.tokens[int(position)])
        words = tuple(
            sorted(
                {w for w in _WORD.findall(item["passage"]) if _STEMMER.stemWord(w.casefold()) in matched},
                key=str.casefold,
            )
        )
        fields = {k: v for k, v in item.items() if k != "search"}
        hits.append(Hit(score=float(score), terms=words, **fields))
    return hits
