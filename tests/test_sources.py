"""Documents in, as text (issue #20, points 1 and 2): reading PDF, HTML, DOCX and text into numbered
paragraphs within bounds, proposing what a letter says about itself, storing the text append-only,
and checking the register's quotes against it."""

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import select, text

from measures.register.catalogue import SOURCES_DIR, load_catalogue
from measures.register.seed import TEXTS_DIR
from measures.sources import extract, metadata
from measures.sources.services import TextIndex
from models import DocumentParagraph, DocumentText, Measure, SourceDocument, StatusUpdate

LETTER = [
    "Tweede Kamer der Staten-Generaal, vergaderjaar 2020-2021, 28 638, nr. 170",
    "Den Haag, 14 oktober 2020. Ons kenmerk: 3071234",
    "De webcrawler van de politie is in 2020 volledig in gebruik genomen.",
    "De training van eerstelijns politiemedewerkers is nog niet afgerond.",
]


def _pdf(paragraphs: list[str]) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return HTML(string=f"<html lang='nl'><body>{body}</body></html>").write_pdf()


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Tabelcel met een zin."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


OFFICIELE_BEKENDMAKINGEN = """<!DOCTYPE html><html lang="nl"><head><title>Kamerstuk 28638, nr. 170</title>
<script>var x = 'geen tekst';</script></head><body>
<header><nav><a href="/">Home</a> Zoeken in officiële publicaties</nav></header>
<div id="broodtekst"><h1>Mensenhandel; Brief regering</h1>
<p>De webcrawler van de politie is in 2020
volledig in gebruik genomen.</p><ul><li>Eerste punt.</li><li>Tweede punt.</li></ul></div>
<footer>Over deze site</footer></body></html>"""


@pytest.mark.slow  # WeasyPrint renders the PDF
def test_a_pdf_is_read_into_paragraphs_with_its_pages_counted():
    result = extract.extract(_pdf(LETTER), "brief.pdf")
    assert result.format == "pdf" and result.pages == 1
    whole = " ".join(result.paragraphs)
    assert all(p in whole for p in LETTER[2:])
    with pytest.raises(extract.ExtractError, match="pagina's; het maximum is 0"):
        extract.extract(_pdf(LETTER), "brief.pdf", extract.Limits(max_pages=0))


def test_html_docx_text_and_markdown_are_read_into_paragraphs():
    html = extract.extract(OFFICIELE_BEKENDMAKINGEN.encode(), "kst-28638-170.html")
    # Only the Kamerstuk: not the site's navigation, footer or scripts; line breaks become spaces.
    assert html.format == "html"
    assert html.paragraphs == [
        "Mensenhandel; Brief regering",
        "De webcrawler van de politie is in 2020 volledig in gebruik genomen.",
        "Eerste punt.",
        "Tweede punt.",
    ]
    word = extract.extract(_docx(LETTER), "brief.docx")
    assert word.format == "docx" and word.paragraphs == [*LETTER, "Tabelcel met een zin."]
    plain = extract.extract(b"Eerste alinea,\nover twee regels.\n\nTweede alinea.\n", "brief.txt")
    assert plain.paragraphs == ["Eerste alinea, over twee regels.", "Tweede alinea."]
    markdown = extract.extract(b"# Kop\n- punt een\n- punt twee\nloopt door\n", "blad.md")
    assert markdown.paragraphs == ["Kop", "- punt een", "- punt twee loopt door"]
    # An OCR copy on one line is cut into paragraphs of whole sentences.
    ocr = extract.extract((". ".join(f"zin nummer {n} over de aanpak" for n in range(200)) + ".").encode(), "ocr.txt")
    assert len(ocr.paragraphs) > 5 and all(p.endswith(".") for p in ocr.paragraphs)
    assert all(len(p) <= extract.LONGEST_PARAGRAPH for p in ocr.paragraphs)


def test_bad_documents_are_refused_in_dutch_before_or_while_parsing():
    limits = extract.Limits(max_bytes=100)
    with pytest.raises(extract.ExtractError, match="groter dan"):
        extract.extract(b"x" * 101, "groot.txt", limits)
    with pytest.raises(extract.ExtractError, match="leeg"):
        extract.extract(b"  \n", "leeg.txt")
    with pytest.raises(extract.ExtractError, match="beschadigd of versleuteld"):
        extract.extract(b"%PDF-1.7 kapot", "kapot.pdf")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("iets.txt", "geen word")
    with pytest.raises(extract.ExtractError, match="geen Word-document"):
        extract.extract(archive.getvalue(), "nep.docx")
    # A Word file that unpacks to more than allowed is not opened.
    with pytest.raises(extract.ExtractError, match="pakt uit tot meer dan"):
        extract.extract(_docx(LETTER), "brief.docx", extract.Limits(max_unpacked_bytes=1000))
    with pytest.raises(extract.ExtractError, match="alinea's"):
        extract.extract(b"a\n\nb\n\nc\n", "veel.txt", extract.Limits(max_paragraphs=2))


def test_a_letters_number_date_and_kenmerk_are_proposed_with_where_they_were_found():
    found = metadata.propose(LETTER)
    assert found.reference == "Kamerstuk 28 638 nr. 170" and "28 638, nr. 170" in found.reference_found_in
    assert found.date == date(2020, 10, 14) and "14 oktober 2020" in found.date_found_in
    assert found.kenmerk == "3071234"
    assert metadata.propose(["Op 31 februari 2020 gebeurde niets."]).date is None
    assert metadata.propose(["Geen gegevens hier."]).as_dict()["reference"] is None


def test_the_packaged_texts_are_the_sources_and_the_seed_holds_them(seeded, session):
    """The app seeds without ../shared: it packages the same files, byte for byte."""
    for document in load_catalogue().documents:
        if document.get("file"):
            assert (TEXTS_DIR / document["file"]).read_bytes() == (SOURCES_DIR / document["file"]).read_bytes()
    texts = session.exec(select(DocumentText)).all()
    assert len(texts) == len([d for d in load_catalogue().documents if d.get("file")])
    assert all(t.paragraphs > 5 and t.ingested_by == "catalogus" for t in texts)


def test_every_catalogue_quote_is_found_in_its_stored_text(seeded, session):
    index = TextIndex(session)
    results = [index.check(m.source_quote, m.source_document_id) for m in session.exec(select(Measure)).all()]
    results += [index.check(u.evidence_quote, u.evidence_document_id) for u in session.exec(select(StatusUpdate))]
    checked = [r for r in results if r is not None]
    assert len(checked) > 150 and {r.state for r in checked} == {"checked"}
    # A quote that is not in the text, and a document without text, say so.
    contouren = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-161")).one()
    assert index.check("Deze zin staat nergens in de brief.", contouren).state == "not_found"
    found = index.check("  DE AANPAK   van mensenhandel ", contouren)
    assert found.state == "checked" and found.paragraph >= 1


def test_the_measure_page_says_where_its_quote_is_and_the_document_page_has_that_paragraph(seeded, client, session):
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    assert "citaat gecontroleerd" in html
    link = html.split("citaat gecontroleerd, <a", 1)[1].split('href="', 1)[1].split('"', 1)[0]
    path, anchor = link.split("#")
    document = client.get(path).get_data(as_text=True)
    assert f'id="{anchor}"' in document and "Citaten in het register worden tegen deze tekst gecontroleerd" in document


def test_a_quote_from_a_document_without_text_is_marked_unchecked(client, session, create_measure, create_document):
    document = create_document()
    measure = create_measure("CT-Z-01", "Zonder tekst")
    measure.source_document_id, measure.source_quote = document.id, "Een zin."
    session.add(measure)
    session.commit()
    html = client.get("/maatregelen/CT-Z-01").get_data(as_text=True)
    assert "tekst van het document niet beschikbaar: citaat niet gecontroleerd" in html


@pytest.mark.postgres  # the triggers, on both databases
def test_a_stored_text_is_append_only(seeded, session):
    for table in ("document_paragraph", "document_text"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.exec(text(f"UPDATE {table} SET id = id"))  # noqa: S608 - a fixed table name
        session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            session.exec(text(f"DELETE FROM {table}"))  # noqa: S608 - a fixed table name
        session.rollback()


def test_ingest_from_the_command_line(runner, session, tmp_path, seeded):
    letter = tmp_path / "brief.txt"
    letter.write_text("\n\n".join(LETTER), encoding="utf-8")
    dry = runner.invoke(args=["ingest", str(letter), "--dry-run"])
    assert dry.exit_code == 0 and "gevonden Kamerstuk: Kamerstuk 28 638 nr. 170" in dry.output
    assert session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-170")).first() is None
    result = runner.invoke(args=["ingest", str(letter), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Nieuw document Kamerstuk 28 638 nr. 170 (kst-28638-170)" in result.output
    document = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-170")).one()
    assert document.date == date(2020, 10, 14) and document.kind == "kamerstuk"
    numbers = session.exec(select(DocumentParagraph.number).where(DocumentParagraph.document_id == document.id)).all()
    assert sorted(numbers) == [1, 2, 3, 4]
    # The same file again changes nothing; another text for the same document is refused.
    again = runner.invoke(args=["ingest", str(letter), "--key", "kst-28638-170"])
    assert again.exit_code == 0 and "Tekst toegevoegd aan" in again.output
    other = tmp_path / "ander.txt"
    other.write_text("Een andere tekst.", encoding="utf-8")
    refused = runner.invoke(args=["ingest", str(other), "--key", "kst-28638-170"])
    assert refused.exit_code != 0 and "heeft al een tekst" in refused.output
    # Without --key, the key derived from the reference found in the text is the register's: refused, with the way on.
    derived = runner.invoke(args=["ingest", str(letter), "--yes"])
    assert derived.exit_code != 0 and "al een document met de sleutel kst-28638-170; geef --key" in derived.output
    # A new document needs a reference and a date: none found, none given.
    bare = runner.invoke(args=["ingest", str(other), "--yes"])
    assert bare.exit_code != 0 and "kenmerk (--reference) en een datum (--date)" in bare.output


def test_recommendation_quotes_are_checked_on_the_page_and_in_the_form(seeded, client, auth, create_user):
    html = client.get("/aanbevelingen").get_data(as_text=True)
    assert html.count("citaat gecontroleerd") >= 20 and "citaat niet gevonden" not in html
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    data = {
        "code": "NR-TEST-01",
        "kind": "aanbeveling",
        "title": "Een toets",
        "text": "Een aanbeveling.",
        "document": "nr-2019-11",
        "quote": "Deze zin staat niet in de brief van de rapporteur.",
    }
    refused = client.post("/aanbevelingen/nieuw", data=data)
    assert refused.status_code == 400
    assert "Dit citaat staat niet in de opgeslagen tekst van" in refused.get_data(as_text=True)
    accepted = client.post(
        "/aanbevelingen/nieuw", data={**data, "quote": "Tot op heden is echter geen van deze maatregelen volledig"}
    )
    assert accepted.status_code == 302
