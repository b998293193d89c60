"""What a new document says about each measure (issue #20, points 3 and 4): ranked passages with a
suggested status and the words they matched, on the command line as JSON, and a review page where a
coordinator takes a proposal over into the status form or rejects it."""

import io
import json
import re

import pytest
from sqlmodel import select

from measures.sources import proposals
from measures.sources.services import rejected_passages
from models import DocumentProposal, Measure, ProposalDecision, SourceDocument, StatusUpdate

LETTER = """Tweede Kamer der Staten-Generaal, 28 638, nr. 199

Den Haag, 3 maart 2021

De webcrawler van de politie is in 2020 volledig in gebruik genomen.

De training van alle eerstelijns politiemedewerkers in het herkennen van signalen van mensenhandel is vertraagd en nog niet afgerond.

Het Nationaal Verwijsmechanisme wordt in 2022 ingevoerd.
"""


@pytest.mark.parametrize(
    ("passage", "status", "problem"),
    [
        ("De training is vertraagd en nog niet afgerond.", "in_uitvoering", True),
        (
            "Tot op heden is echter geen van deze maatregelen volledig en/of duurzaam geimplementeerd.",
            "deels_gerealiseerd",
            True,
        ),
        ("Het project is deels gerealiseerd.", "deels_gerealiseerd", False),
        ("De pilot is afgerond.", "gerealiseerd", False),
        ("Het verwijsmechanisme wordt in 2022 ingevoerd.", "gepland", False),
        ("Het project is stopgezet.", "beeindigd", False),
        ("Mensenhandel is een ernstig delict.", None, False),
    ],
)
def test_the_status_a_passage_suggests_comes_from_its_wording(passage, status, problem):
    suggested, wording, reports = proposals.suggest_status(passage)
    assert (suggested, reports) == (status, problem)
    assert (wording is None) == (status is None) and (wording is None or wording.casefold() in passage.casefold())


@pytest.fixture
def letter(runner, seeded, tmp_path, session):
    path = tmp_path / "brief.txt"
    path.write_text(LETTER, encoding="utf-8")
    result = runner.invoke(args=["ingest", str(path), "--yes", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-199")).one()
    return {"document": document, "json": result.stdout}


def _proposal(session, document, code: str, rank: int = 1) -> DocumentProposal:
    measure = session.exec(select(Measure).where(Measure.code == code)).one()
    return session.exec(
        select(DocumentProposal).where(
            DocumentProposal.document_id == document.id,
            DocumentProposal.measure_id == measure.id,
            DocumentProposal.rank == rank,
        )
    ).one()


def test_the_command_line_prints_the_proposals_as_json_best_first_per_measure(letter, session):
    found = json.loads(letter["json"])  # stdout is the JSON alone
    assert found and all({"passage", "suggested_status", "score"} <= set(p) for p in found)
    assert all(("measure_code" in p) != ("recommendation_code" in p) for p in found)
    by_code: dict[str, list] = {}
    for p in found:
        by_code.setdefault(p.get("measure_code") or p["recommendation_code"], []).append(p["score"])
    assert all(scores == sorted(scores, reverse=True) for scores in by_code.values())
    webcrawler = [p for p in found if p.get("measure_code") == "CT-B-04"][0]
    assert webcrawler["passage"] == "De webcrawler van de politie is in 2020 volledig in gebruik genomen."
    assert webcrawler["suggested_status"] == "gerealiseerd" and "webcrawler" in webcrawler["terms"]
    training = [p for p in found if p.get("measure_code") == "CT-B-02"][0]
    assert "eerstelijns" in training["passage"] and training["suggested_status"] == "in_uitvoering"
    assert training["reports_problem"] is True
    # Stored as printed.
    stored = session.exec(select(DocumentProposal).where(DocumentProposal.document_id == letter["document"].id)).all()
    assert len(stored) == len(found)


def test_a_dry_run_prints_and_stores_nothing(runner, seeded, tmp_path, session):
    path = tmp_path / "brief.txt"
    path.write_text(LETTER, encoding="utf-8")
    result = runner.invoke(args=["ingest", str(path), "--dry-run", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert session.exec(select(DocumentProposal)).first() is None
    assert session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-199")).first() is None


def test_who_reviews_what(letter, client, auth, create_user):
    page = "/documenten/kst-28638-199/voorstellen"
    assert client.get(page).status_code == 302  # signed out: to the login page
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    html = client.get(page).get_data(as_text=True)
    assert 'id="voorstellen-CT-B-04"' in html and 'id="voorstellen-CT-C-07"' in html
    assert "<mark>webcrawler</mark>" in html
    auth.logout()
    auth.login(create_user("coordinator", "Politie", email="c@politie.nl").email)
    html = client.get(page).get_data(as_text=True)
    assert 'id="voorstellen-CT-B-04"' in html and 'id="voorstellen-CT-C-07"' not in html  # only Politie's
    auth.logout()
    auth.login(create_user("lezer", email="l@jenv.nl").email)
    html = client.get(page).get_data(as_text=True)
    assert "niet voor maatregelen waarvan u de status bijhoudt" in html and "Afwijzen" not in html


def test_accepting_a_proposal_records_a_status_update_with_the_sentence_as_quote(
    letter, client, auth, create_user, session
):
    auth.login(create_user("coordinator", "Politie", email="c@politie.nl").email)
    proposal = _proposal(session, letter["document"], "CT-B-04")
    form = client.get(f"/maatregelen/CT-B-04/status?voorstel={proposal.id}").get_data(as_text=True)
    # Filled in from the proposal, for the person to check: status, date, document, quote.
    assert re.search(r'<option selected value="gerealiseerd">|<option value="gerealiseerd" selected>', form)
    assert 'value="2021-03-03"' in form and proposal.passage in form
    assert f'name="proposal" type="hidden" value="{proposal.id}"' in form or f'value="{proposal.id}"' in form
    measure = session.exec(select(Measure).where(Measure.code == "CT-B-04")).one()
    data = {
        "status": "gerealiseerd",
        "as_of": "2021-03-03",
        "note": "Volgens de brief van maart 2021.",
        "evidence_document": "kst-28638-199",
        "evidence_quote": proposal.passage,
        "evidence_url": "",
        "proposal": str(proposal.id),
        "version": str(measure.version),
    }
    assert client.post("/maatregelen/CT-B-04/status", data=data).status_code == 302
    session.expire_all()
    update = session.exec(select(StatusUpdate).order_by(StatusUpdate.id.desc())).first()
    assert (update.status_code, update.evidence_quote) == ("gerealiseerd", proposal.passage)
    decision = session.exec(select(ProposalDecision).where(ProposalDecision.proposal_id == proposal.id)).one()
    assert (decision.decision, decision.status_update_id) == ("aanvaard", update.id)
    # The measure page checks the new quote against the stored letter.
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    assert "alinea 3 van Kamerstuk 28 638 nr. 199" in html
    # Decided: not open any more, and listed as taken over.
    review = client.get("/documenten/kst-28638-199/voorstellen").get_data(as_text=True)
    assert "Overgenomen door" in review and f"voorstel={proposal.id}" not in review


def test_an_edited_quote_must_be_in_the_text_and_a_stale_form_saves_nothing(letter, client, auth, create_user, session):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    proposal = _proposal(session, letter["document"], "CT-B-02")
    measure = session.exec(select(Measure).where(Measure.code == "CT-B-02")).one()
    data = {
        "status": "in_uitvoering",
        "as_of": "2021-03-03",
        "evidence_document": "kst-28638-199",
        "evidence_quote": "Een zin die niet in de brief staat.",
        "proposal": str(proposal.id),
        "version": str(measure.version),
    }
    before = len(session.exec(select(StatusUpdate)).all())
    response = client.post("/maatregelen/CT-B-02/status", data=data)
    assert response.status_code == 400
    assert "Dit citaat staat niet in de opgeslagen tekst van Kamerstuk 28 638 nr. 199." in response.get_data(
        as_text=True
    )
    stale = client.post(
        "/maatregelen/CT-B-02/status", data={**data, "evidence_quote": proposal.passage, "version": "0"}
    )
    assert stale.status_code == 409
    session.expire_all()
    assert len(session.exec(select(StatusUpdate)).all()) == before
    assert session.exec(select(ProposalDecision)).first() is None  # still open


def test_a_rejected_passage_is_kept_and_not_proposed_again(letter, client, auth, create_user, session):
    auth.login(create_user("coordinator", "Politie", email="c@politie.nl").email)
    proposal = _proposal(session, letter["document"], "CT-B-04")
    other = _proposal(session, letter["document"], "CT-C-07")
    # Another organisation's measure: refused.
    assert client.post(f"/documenten/kst-28638-199/voorstellen/{other.id}/afwijzen").status_code == 403
    response = client.post(f"/documenten/kst-28638-199/voorstellen/{proposal.id}/afwijzen")
    assert response.status_code == 302
    session.expire_all()
    decision = session.exec(select(ProposalDecision).where(ProposalDecision.proposal_id == proposal.id)).one()
    assert decision.decision == "afgewezen"
    assert ("CT-B-04", proposal.passage) in rejected_passages(session)
    again = proposals.propose(session, LETTER.split("\n\n"), rejected=rejected_passages(session))
    assert all(p.passage != proposal.passage for p in again if p.measure_code == "CT-B-04")
    # The status form no longer takes a decided proposal.
    form = client.get(f"/maatregelen/CT-B-04/status?voorstel={proposal.id}").get_data(as_text=True)
    assert proposal.passage not in form


def test_rejecting_needs_the_csrf_token(letter, app, client, auth, create_user, session):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    proposal = _proposal(session, letter["document"], "CT-B-04")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/documenten/kst-28638-199/voorstellen/{proposal.id}/afwijzen").status_code == 400
    assert session.exec(select(ProposalDecision)).first() is None


def test_search_finds_paragraphs_measures_and_recommendations_by_their_dutch_stems(seeded, client):
    html = client.get("/zoeken?q=trainingen+eerstelijns").get_data(as_text=True)
    # "trainingen" finds "training": the stem, not the letters.
    assert "<mark>training</mark>" in html and "<mark>eerstelijns</mark>" in html
    assert "/documenten/nr-2019-11#alinea-" in html and "/maatregelen/CT-B-02" in html
    assert client.get("/zoeken?q=" + "a" * 201).status_code == 400
    assert "Niets gevonden" in client.get("/zoeken?q=xyzzyplugh").get_data(as_text=True)
    body = client.get("/api/v1/search?q=webcrawler&pageSize=2").get_json()
    assert body["total"] >= 3 and len(body["items"]) == 2 and body["q"] == "webcrawler"
    kinds = {item["kind"] for item in client.get("/api/v1/search?q=webcrawler&pageSize=200").get_json()["items"]}
    assert {"document", "measure"} <= kinds
    first = body["items"][0]
    assert "webcrawler" in [t.casefold() for t in first["terms"]]
    assert first["kind"] != "document" or (first["document"] and first["paragraph"] >= 1)
    problem = client.get("/api/v1/search")
    assert problem.status_code == 400 and problem.get_json()["invalid-params"] == [{"name": "q", "reason": "ontbreekt"}]


def test_the_search_index_follows_the_register(seeded, client, runner, tmp_path):
    assert client.get("/api/v1/search?q=verwijsmechanisme+ingevoerd").get_json()["total"] >= 1
    before = client.get("/api/v1/search?q=zoekwoordonbekend").get_json()["total"]
    path = tmp_path / "brief.txt"
    path.write_text(LETTER + "\nHet zoekwoordonbekend staat hier.\n", encoding="utf-8")
    assert runner.invoke(args=["ingest", str(path), "--yes"]).exit_code == 0
    after = client.get("/api/v1/search?q=zoekwoordonbekend").get_json()
    assert (before, after["total"]) == (0, 1) and after["items"][0]["document"] == "kst-28638-199"


def test_reading_a_letter_in_on_a_page(seeded, client, auth, create_user, session, app, tmp_path):
    app.config["UPLOAD_DIR"] = tmp_path / "uploads"
    page = "/documenten/nieuw"
    auth.login(create_user("lezer", email="l@jenv.nl").email)
    assert client.get(page).status_code == 403
    auth.logout()
    auth.login(create_user("coordinator", "Politie", email="c@politie.nl").email)
    assert "Document inlezen" in client.get("/documenten").get_data(as_text=True)
    # A file that is not a document is refused in Dutch, and nothing waits.
    bad = client.post(page, data={"file": (io.BytesIO(b"%PDF-1.7 kapot"), "brief.pdf")})
    assert bad.status_code == 400 and "beschadigd of versleuteld" in bad.get_data(as_text=True)
    assert client.get("/documenten/nieuw/bevestigen").status_code == 302
    # The letter: the found number and date are shown to confirm, with where they were found.
    response = client.post(page, data={"file": (io.BytesIO(LETTER.encode()), "brief.txt")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/documenten/nieuw/bevestigen")
    html = client.get("/documenten/nieuw/bevestigen").get_data(as_text=True)
    assert 'value="Kamerstuk 28 638 nr. 199"' in html and 'value="2021-03-03"' in html and "3 maart 2021" in html
    waiting = list((tmp_path / "uploads").glob("*.upload"))
    assert len(waiting) == 1
    # Confirmed, with a date the person corrected: stored, proposals made, the file gone.
    confirmed = client.post(
        "/documenten/nieuw/bevestigen",
        data={"reference": "Kamerstuk 28 638 nr. 199", "date": "2021-03-04", "kind": "kamerstuk", "title": "Brief"},
    )
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(
        "/documenten/kst-28638-199/voorstellen"
    )
    document = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-199")).one()
    assert (document.date.isoformat(), document.title) == ("2021-03-04", "Brief")
    assert session.exec(select(DocumentProposal).where(DocumentProposal.document_id == document.id)).first()
    assert not waiting[0].exists()
    # The same number again is refused: a stored text never changes.
    client.post(page, data={"file": (io.BytesIO(LETTER.encode()), "brief.txt")})
    again = client.post(
        "/documenten/nieuw/bevestigen",
        data={"reference": "Kamerstuk 28 638 nr. 199", "date": "2021-03-04", "kind": "kamerstuk"},
    )
    assert again.status_code == 400 and "kent Kamerstuk 28 638 nr. 199 al" in again.get_data(as_text=True)
    assert len(list((tmp_path / "uploads").glob("*.upload"))) == 1  # still waiting, for another try
