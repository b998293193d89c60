"""Evidence cites the document that said it: a fact the fact sheet attributes to a later letter
cites that letter, "via" the fact sheet, with its date as precisely as it is known."""

import json

import pytest
from sqlmodel import select

from models import SourceDocument
from models.document import citation_of, shown_date

CHAIN = "Kamerstuk 28 638 nr. 184 (18-11-2020), via factsheet"


@pytest.mark.parametrize(
    ("precision", "shown"),
    [("dag", "18-11-2020"), ("maand", "november 2020"), ("jaar", "2020"), ("onbekend", "datum onbekend")],
)
def test_a_date_is_shown_as_precisely_as_it_is_known(precision, shown):
    from datetime import date

    assert shown_date(date(2020, 11, 18), precision) == shown


def test_a_consulted_document_is_cited_by_its_reference_alone():
    from datetime import date

    assert citation_of(reference="R", day=date(2020, 1, 1), precision="dag", consulted=True, via=None) == "R"


@pytest.mark.postgres  # stored dates with their precision
def test_fact_sheet_facts_cite_the_document_the_fact_sheet_names(client, auth, seeded, session, create_user):
    cited = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-184")).one()
    assert (cited.consulted, cited.citation) == (False, CHAIN)
    # The programme letter itself was never read here either: it is known through the fact sheet.
    programme = session.exec(select(SourceDocument).where(SourceDocument.key == "kst-28638-164")).one()
    assert not programme.consulted and programme.file is None
    auth.login(create_user("lezer").email)
    items = client.get("/api/v1/measures/CT-B-02/status-updates").get_json()
    update = next(u for u in items["items"] if u["as_of"] == "2020-11-18")
    assert update["evidence_document"] == "kst-28638-184" and update["evidence_citation"] == CHAIN
    # No fact dated after 13 November 2018 cites the programme letter of that day.
    for u in client.get("/api/v1/measures/CT-B-04/status-updates").get_json()["items"]:
        if u["as_of"] > "2018-11-13":
            assert u["evidence_document"] != "kst-28638-164", u


@pytest.mark.smoke
def test_detail_page_and_checks_show_the_chain(client, runner, seeded):
    html = client.get("/maatregelen/CT-B-02").get_data(as_text=True)
    assert CHAIN in html
    result = runner.invoke(args=["check-stalled", "--format", "json"])
    negative = next(
        f for f in json.loads(result.output) if f["measure_code"] == "CT-B-02" and f["rule"] == "negatief_bewijs"
    )
    assert CHAIN in negative["explanation"] and "Kamerstuk 28 638 nr. 164" not in negative["explanation"]


@pytest.mark.postgres  # stored dates with their precision
def test_document_page_says_not_consulted_and_through_what(client, seeded):
    html = client.get("/documenten/parool-2023").get_data(as_text=True)
    assert "niet geraadpleegd" in html and 'href="/documenten/factsheet-stm"' in html
    assert "<dt>Datum</dt><dd>2023</dd>" in html  # a year stays a year, not 1 januari 2023
    assert "parool.nl" in html


@pytest.mark.postgres  # counted in SQL from stored dates
def test_measures_realised_when_announced_are_counted_apart(client, seeded, session):
    from models import Measure

    already = session.exec(select(Measure).where(Measure.announcement == "al_gerealiseerd")).all()
    assert {"CT-F-02", "CT-B-06"} <= {m.code for m in already}  # the Benelux seminar of 2017, the OM coordinator
    realised = session.exec(select(Measure).where(Measure.status_code == "gerealiseerd")).all()
    counted_apart = [m for m in already if m.status_code == "gerealiseerd"]
    html = client.get("/").get_data(as_text=True)
    assert (
        f"Van de {len(realised)} gerealiseerde maatregelen waren er {len(counted_apart)} al gerealiseerd "
        "toen de brief ze aankondigde" in html
    )
    assert f"door het programma gerealiseerd zijn er {len(realised) - len(counted_apart)}" in html
    past = client.get("/?as_of=2019-12-05").get_data(as_text=True)
    assert "al gerealiseerd toen de brief ze aankondigde" in past


@pytest.mark.parametrize(
    ("given", "held_from", "precision"),
    [("2023", "2023-12-31", "jaar"), ("2019-04", "2019-04-30", "maand"), ("2020-02", "2020-02-29", "maand"),
     ("2019-11-28", "2019-11-28", "dag")],
)  # fmt: skip
def test_a_state_known_to_a_month_or_year_holds_from_the_periods_last_day(given, held_from, precision):
    from datetime import date

    from measures.register.catalogue import parse_period

    assert parse_period(given) == (date.fromisoformat(held_from), precision)


@pytest.mark.postgres  # date precision stored beside the date
def test_dates_keep_their_precision_on_the_pages_and_in_time_travel(client, auth, seeded, create_user):
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    assert "<strong>2023</strong>" in html and "<strong>juni 2020</strong>" in html
    assert "1 januari 2023" not in html
    # As of mid-2023 the fact known only to "2023" is not yet claimed; by the end of the year it is.
    mid = client.get("/maatregelen/CT-B-04?as_of=2023-06-30").get_data(as_text=True)
    end = client.get("/maatregelen/CT-B-04?as_of=2023-12-31").get_data(as_text=True)
    assert "<strong>2023</strong>" not in mid and "<strong>2023</strong>" in end
    auth.login(create_user("lezer").email)
    items = client.get("/api/v1/measures/CT-B-04/status-updates").get_json()["items"]
    assert {(u["as_of"], u["as_of_precision"]) for u in items} >= {("2023-12-31", "jaar"), ("2020-06-30", "maand")}


@pytest.mark.postgres  # a refused write leaves nothing
def test_the_service_refuses_an_unknown_precision(session, create_measure):
    from datetime import date

    from measures.register import services
    from tests.conftest import NOW

    measure = create_measure("M")
    with pytest.raises(services.ServiceError, match="precisie"):
        services.record_status(
            session=session,
            measure=measure,
            status_code="in_uitvoering",
            as_of=date(2020, 1, 1),
            note="",
            recorded_by="t",
            now=NOW,
            as_of_precision="eeuw",
        )


@pytest.mark.postgres  # checks on the seeded database
def test_a_jointly_named_lead_is_its_own_value_and_still_a_monitoring_gap(client, runner, seeded, session):
    from models import Measure

    webcrawler = session.exec(select(Measure).where(Measure.code == "CT-B-04")).one()
    assert webcrawler.lead_joint and webcrawler.lead_organisation_id is None
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    assert "gezamenlijk: de bron noemt de mede-eigenaren samen" in html
    listing = client.get("/maatregelen?q=webcrawler").get_data(as_text=True)
    assert ">gezamenlijk<" in listing
    flags = json.loads(runner.invoke(args=["check-stalled", "--format", "json"]).output)
    gap = next(f for f in flags if f["measure_code"] == "CT-B-04" and f["rule"] == "monitoringgat")
    assert "trekker" in gap["facts"]["missing"] and gap["facts"]["joint"]
    assert "de bron noemt OM, Politie gezamenlijk" in gap["explanation"]


def test_the_edit_form_offers_joint_and_a_named_lead_clears_it(
    client, auth, session, create_measure, create_user, create_organisation
):
    from models import Measure

    create_organisation("Politie")
    create_organisation("OM")
    measure = create_measure("M", co_owners=["OM", "Politie"])
    auth.login(create_user("programmacoordinator").email)
    page = client.get("/maatregelen/M/bewerken").get_data(as_text=True)
    assert 'value="gezamenlijk"' in page
    from measures.register import services
    from tests.conftest import NOW

    def save(lead):
        fields = services.measure_fields(session, measure)
        services.edit_measure(
            session=session,
            measure=measure,
            content=services.MeasureInput(**{**fields, "lead": lead, "budget": []}),
            changed_by="t",
            now=NOW,
        )
        session.commit()
        session.refresh(measure)

    save("gezamenlijk")
    assert measure.lead_joint and measure.lead_organisation_id is None
    assert services.measure_fields(session, measure)["lead"] == "gezamenlijk"
    save("Politie")
    assert not measure.lead_joint and measure.lead_organisation_id is not None
    assert session.exec(select(Measure).where(Measure.lead_joint.is_(True))).all() == []
