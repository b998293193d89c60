"""The read views: overview, filtered list, detail and document pages; bad input never gives a 500."""

from datetime import date

import pytest

from measures.register import services
from tests.conftest import NOW


@pytest.fixture
def register(session, create_organisation, create_document, create_measure, budget_line):
    """Three measures across two owners, two themes, two documents and three statuses."""
    create_organisation("Politie", "Nationale Politie")
    create_organisation("OM", "Openbaar Ministerie")
    create_organisation("ISZW", "Inspectie SZW")
    letter = create_document()
    report = create_document(
        "nr-2019-11", "Brief Nationaal Rapporteur, kenmerk 12084", date(2019, 11, 28), "brief_rapporteur"
    )
    crawler = create_measure(
        "CT-B-02",
        "Ontwikkeling van een webcrawler",
        lead="Politie",
        co_owners=["OM"],
        themes=["contouren:b", "actielijn:1"],
        status="in_uitvoering",
        deadline=date(2020, 12, 31),
        document=letter,
        budget=[budget_line("2000000")],
        description="Digitale zoekapplicatie voor online seksadvertenties.",
        quote="Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler.",
    )
    services.record_status(
        session=session,
        measure=crawler,
        status_code="deels_gerealiseerd",
        as_of=date(2019, 11, 28),
        note="niet volledig en/of duurzaam geïmplementeerd",
        recorded_by="catalogus",
        now=NOW,
        evidence_document_id=report.id,
        evidence_quote="Tot op heden is echter geen van deze maatregelen volledig",
    )
    create_measure(
        "CT-J-01",
        "Extra inspecteurs arbeidsuitbuiting",
        lead="ISZW",
        themes=["actielijn:2"],
        status="gerealiseerd",
        deadline=date(2019, 1, 1),
        document=letter,
    )
    create_measure("CT-C-01", "Nationaal Verwijsmechanisme", themes=["contouren:c"], status="gepland", document=report)
    session.commit()
    return {"crawler": crawler}


def _codes(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [code for code in ("CT-B-02", "CT-J-01", "CT-C-01") if f">{code}<" in html]


@pytest.mark.smoke
def test_overview_counts_per_theme_and_status(client, register):
    html = client.get("/").get_data(as_text=True)
    assert "3 maatregelen in het register" in html
    assert 'aria-label="1 Deels gerealiseerd, Versterking opsporing"' in html
    assert 'aria-label="1 Gepland, Versterking ondersteuning slachtoffers"' in html
    assert "Niet ingedeeld" in html  # CT-C-01 has no action line


@pytest.mark.smoke
def test_list_shows_everything_by_default(client, register):
    assert _codes(client.get("/maatregelen")) == ["CT-B-02", "CT-J-01", "CT-C-01"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("theme=contouren:b", ["CT-B-02"]),
        ("theme=actielijn:2", ["CT-J-01"]),
        ("theme=contouren:b&theme=actielijn:2", []),
        ("owner=OM", ["CT-B-02"]),  # a co-owner counts as owner
        ("owner=ISZW", ["CT-J-01"]),
        ("status=gepland", ["CT-C-01"]),
        ("document=nr-2019-11", ["CT-C-01"]),
        ("overdue=y", ["CT-B-02"]),  # CT-J-01's deadline passed but it is gerealiseerd
        ("q=WEBCRAWLER", ["CT-B-02"]),
        ("q=seksadvertenties", ["CT-B-02"]),
        ("q=100%", []),
        ("q=CT-J", ["CT-J-01"]),
    ],
)
@pytest.mark.postgres  # LIKE, case folding and % in the search differ per database
def test_list_filters_and_search(client, register, query, expected):
    response = client.get(f"/maatregelen?{query}")
    assert response.status_code == 200
    assert sorted(_codes(response)) == sorted(expected)


@pytest.mark.postgres  # ORDER BY: collation and where NULL deadlines go
def test_sorting(client, register):
    html = client.get("/maatregelen?sort=-code").get_data(as_text=True)
    assert html.index(">CT-J-01<") < html.index(">CT-C-01<") < html.index(">CT-B-02<")
    html = client.get("/maatregelen?sort=deadline").get_data(as_text=True)
    assert html.index(">CT-J-01<") < html.index(">CT-B-02<")


@pytest.mark.postgres  # LIMIT/OFFSET and ordering
def test_pagination_keeps_filters_in_links(app, client, register):
    app.config["PAGE_SIZE"] = 1
    html = client.get("/maatregelen?sort=code&page=2").get_data(as_text=True)
    assert _codes_in(html) == ["CT-C-01"]
    assert "Pagina 2 van 3" in html
    assert "sort=code" in html and "page=3" in html


def _codes_in(html):
    return [c for c in ("CT-B-02", "CT-J-01", "CT-C-01") if f">{c}<" in html]


@pytest.mark.parametrize(
    "query, message",
    [
        ("theme=contouren:z", "Onbekende keuze voor Thema"),
        ("theme=%00", "Onbekende keuze voor Thema"),
        ("owner=NIEMAND", "Onbekende keuze voor Eigenaar"),
        ("status=klaar", "Onbekende keuze voor Status"),
        ("sort=drop+table", "Onbekende keuze voor Sorteren op"),
        ("page=-1", "Kies een paginanummer"),
        ("page=abc", "Ongeldig getal"),
        ("page=99999999999999999999", "Kies een paginanummer"),
        ("q=" + "x" * 10000, "Zoektekst mag hoogstens 200 tekens lang zijn"),
    ],
)
@pytest.mark.postgres  # huge numbers: PostgreSQL refuses out-of-range integers
def test_bad_filter_input_gives_a_dutch_message_not_a_500(client, register, query, message):
    response = client.get(f"/maatregelen?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "<title>Fout:" in html
    assert 'href="#' in html  # the summary links to the field
    assert _codes(response) == []


@pytest.mark.postgres  # OFFSET beyond the end
def test_page_beyond_the_end_is_empty(client, register):
    response = client.get("/maatregelen?page=50")
    assert response.status_code == 200 and _codes(response) == []


@pytest.mark.postgres  # dates in queries
def test_malformed_date_in_query_is_harmless(client, register):
    assert client.get("/maatregelen?as_of=2019-13-45").status_code == 200


@pytest.mark.smoke
def test_detail_shows_every_field(client, register):
    html = client.get("/maatregelen/CT-B-02").get_data(as_text=True)
    for expected in (
        "Ontwikkeling van een webcrawler",
        "Digitale zoekapplicatie voor online seksadvertenties.",
        "Nationale Politie (Politie)",
        "Openbaar Ministerie (OM)",
        "b) Versterking opsporing",
        "1) Doorontwikkelen van de basisaanpak",
        "31 december 2020",
        "€ 2.000.000",
        "Structureel",
        "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler.",
        "Kamerstuk 28 638 nr. 161",
        "niet volledig en/of duurzaam geïmplementeerd",
        "Brief Nationaal Rapporteur, kenmerk 12084",
        "28 november 2019",
        "Deels gerealiseerd",
        "Deadlinegeschiedenis",
    ):
        assert expected in html, expected
    # The timeline is newest first.
    timeline = html[html.index('id="kop-tijdlijn"') : html.index('id="kop-deadlines"')]
    assert timeline.index("28 november 2019") < timeline.index("25 mei 2018")


def test_detail_of_unknown_measure_is_404(client, register):
    response = client.get("/maatregelen/BESTAAT-NIET")
    assert response.status_code == 404
    assert "bestaat niet" in response.get_data(as_text=True)


def test_document_page_lists_announced_and_evidenced(client, register):
    html = client.get("/documenten/nr-2019-11").get_data(as_text=True)
    assert "CT-C-01" in html  # announced
    assert "CT-B-02" in html and "niet volledig en/of duurzaam" in html  # evidenced
    assert client.get("/documenten/onbekend").status_code == 404


def test_pages_are_dutch_and_landmarked(client, register):
    html = client.get("/maatregelen").get_data(as_text=True)
    assert '<html lang="nl"' in html
    for landmark in ("<header", "<nav", "<main", "<footer", 'href="#inhoud"'):
        assert landmark in html
    assert '<label class="utrecht-form-label" for="q">' in html


def test_the_filter_form_as_the_browser_sends_it(client, register):
    # Each scheme has its own theme select; an unused one is sent empty.
    response = client.get("/maatregelen?q=&theme=&theme=actielijn:2&owner=&status=&document=&flagged=&sort=code")
    assert response.status_code == 200 and _codes(response) == ["CT-J-01"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/signaleringen/99999999999999999999999/bevestigen"),
        ("get", "/rapportages/99999999999999999999.pdf"),
        ("post", "/oordelen/0/reactie"),
        ("get", "/api/v1/report-editions/99999999999999999999"),
    ],
)
@pytest.mark.postgres  # PostgreSQL refuses ids beyond bigint; SQLite does not
def test_huge_or_zero_ids_are_404_not_500(client, method, path):
    assert getattr(client, method)(path).status_code in (302, 401, 404)
