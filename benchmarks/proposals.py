"""How well a document's proposals find what the catalogue recorded from it (issue #20, point 6).

    .venv/bin/python -m benchmarks.proposals [--no-write]

The catalogue is the labelled set: every status update whose evidence quote lies in a source
document's text. The register is seeded without those updates (so no measure asks with the very
sentence it should find); then each of those documents' stored text is proposed against, and for
each labelled update we ask whether a proposal for its measure, from its document, is the quoted
sentence (a proposed passage and the quote overlap: one holds the other, or they share most words).

Reported: recall@3 and recall@10 over the labelled updates, the precision of the suggested status
against the recorded one (where a status is suggested for a hit), and per measure of the labelled
set whether the document is in its top 3. Written to benchmarks/PROPOSALS.md.
"""

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from app import create_app
from measures.register.catalogue import load_catalogue
from measures.register.seed import seed
from measures.sources import proposals, services
from models import SourceDocument
from models.db import get_engine

RESULTS = Path(__file__).with_name("PROPOSALS.md")
_WORDS = re.compile(r"(?u)\b\w\w+\b")


def _overlap(passage: str, quote: str) -> bool:
    """Whether a proposed passage is the quoted sentence: one holds the other, or they share at
    least half of the quote's words."""
    a, b = services.fold(passage), services.fold(quote)
    if a in b or b in a:
        return True
    words_q, words_p = set(_WORDS.findall(b)), set(_WORDS.findall(a))
    return bool(words_q) and len(words_q & words_p) / len(words_q) >= 0.5


def labelled_updates(catalogue) -> list[dict]:
    """The catalogue's status updates whose evidence quote is in the (packaged) text of a document."""
    from measures.register.seed import TEXTS_DIR

    documents = {d["key"]: d for d in catalogue.documents}

    def text_of(key: str) -> tuple[str, str] | None:
        document = documents.get(key)
        if document and not document.get("consulted", True):
            document = documents.get(document.get("via"))
        if not document or not document.get("file") or not (TEXTS_DIR / document["file"]).exists():
            return None
        return document["key"], services.fold((TEXTS_DIR / document["file"]).read_text(encoding="utf-8"))

    labelled = []
    for update in catalogue.updates:
        quote = update.get("quote")
        key = update.get("evidence", update["document"])
        found = text_of(key) if quote and key else None
        if found and services.fold(quote) in found[1]:
            labelled.append({**update, "_quote": quote, "_text_document": found[0]})
    return labelled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    labelled = labelled_updates(catalogue)
    ids = {id(u) for u in labelled}
    catalogue.updates = [u for u in catalogue.updates if id(u) not in ids]
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"DATABASE_URL": f"sqlite:///{directory}/proposals.db", "SECRET_KEY": "bench"})
        with app.app_context():
            from measures.cli import upgrade_database

            upgrade_database(app)
        with Session(get_engine(app)) as session:
            seed(session=session, now=datetime.now(UTC), catalogue=catalogue)
            session.commit()
            by_document: dict[str, list] = {}
            for key in sorted({u["_text_document"] for u in labelled}):
                document = session.exec(select(SourceDocument).where(SourceDocument.key == key)).one()
                by_document[key] = proposals.propose(session, services.paragraphs(session, document.id), per_item=10)
    hits3 = hits10 = suggested = right = 0
    per_measure: dict[str, list[bool]] = defaultdict(list)
    lines_missed = []
    for update in labelled:
        mine = [p for p in by_document[update["_text_document"]] if p.measure_code == update["measure"]]
        ranks = [rank for rank, p in enumerate(mine, 1) if _overlap(p.passage, update["_quote"])]
        best = ranks[0] if ranks else None
        hits3 += bool(best and best <= 3)
        hits10 += bool(best and best <= 10)
        per_measure[f"{update['measure']} ← {update['_text_document']}"].append(bool(best and best <= 3))
        if best and best <= 3:
            proposal = mine[best - 1]
            if proposal.suggested_status:
                suggested += 1
                right += proposal.suggested_status == update["status"]
        else:
            lines_missed.append(
                f"| {update['measure']} | {update['_text_document']} | {best or '> 10'} | {update['_quote'][:90]}… |"
            )
    n = len(labelled)
    rapporteur_2019 = []
    for update in labelled:
        if update["_text_document"] == "nr-2019-11":
            mine = [p for p in by_document["nr-2019-11"] if p.measure_code == update["measure"]]
            rank = next((r for r, p in enumerate(mine, 1) if _overlap(p.passage, update["_quote"])), None)
            rapporteur_2019.append(
                f"| {update['measure']} | {rank or '> 10'} | {'yes' if rank and rank <= 3 else 'NO'} |"
            )
    report = [
        "# Proposals: what a document says about each measure",
        "",
        f"Written by `python -m benchmarks.proposals`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. The labelled set: "
        f"{n} status updates of the catalogue whose evidence quote is in a stored text, from "
        f"{len(by_document)} documents; the register seeded without them.",
        "",
        f"- recall@3: {hits3 / n:.2f} ({hits3} of {n}); target ≥ 0.80: {'met' if hits3 / n >= 0.8 else 'MISSED'}",
        f"- recall@10: {hits10 / n:.2f} ({hits10} of {n})",
        f"- suggested status right, among the hits in the top 3 that suggest one: "
        f"{right / suggested:.2f} ({right} of {suggested})"
        if suggested
        else "- no status suggested for any hit",
        "",
        "From the Nationaal Rapporteur's letter of 28 November 2019 (nr-2019-11), the rank of the quoted "
        "sentence among each labelled measure's proposals:",
        "",
        "| measure | rank | in the top 3 |",
        "|---|---:|---|",
        *rapporteur_2019,
        "",
        "Labelled updates whose quote is not among the top 3 of their measure:",
        "",
        "| measure | document | rank | quote |",
        "|---|---|---:|---|",
        *lines_missed,
        "",
    ]
    text = "\n".join(report)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
