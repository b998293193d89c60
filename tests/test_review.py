"""The rapporteur's view: time travel, comparison, assessments, disagreements, recommendations, gaps."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from measures.register import history, services
from measures.register.catalogue import load_catalogue
from measures.review import services as review
from models import Assessment, AssessmentReply, Measure, Recommendation, RecommendationMeasure, StatusUpdate
from tests.conftest import NOW

# --- against the seeded catalogue -----------------------------------------------------------------


def _held_from(text: str) -> date:
    """A state known to a year ("2023") or a month ("2019-04") holds from the period's last day."""
    import calendar

    if len(text) == 4:
        return date(int(text), 12, 31)
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return date(year, month, calendar.monthrange(year, month)[1])
    return date.fromisoformat(text)


def expected_statuses(as_of: date) -> dict[str, str]:
    """The status of each measure on a date, computed from the catalogue files alone."""
    catalogue = load_catalogue()
    documents = {d["key"]: date.fromisoformat(str(d["date"])) for d in catalogue.documents}
    result = {m["code"]: "onbekend" for m in catalogue.measures if documents[m["document"]] <= as_of}
    for u in sorted(catalogue.updates, key=lambda u: (_held_from(str(u["as_of"])), u["measure"])):
        if _held_from(str(u["as_of"])) <= as_of and u["measure"] in result:
            result[u["measure"]] = u["status"]
    return result


@pytest.mark.parametrize("as_of", [date(2019, 12, 5), date(2018, 6, 1), NOW.date()])
@pytest.mark.postgres  # time travel: as-of queries on stored dates
def test_programme_as_of_matches_the_seeded_evidence(session, seeded, as_of):
    states = {s.code: s.status_code for s in history.programme_as_of(session, as_of)}
    assert states == expected_statuses(as_of)


@pytest.mark.postgres  # time travel
def test_overview_as_of_shows_that_dates_statuses(client, seeded):
    expected = expected_statuses(date(2019, 12, 5))
    html = client.get("/?as_of=2019-12-05").get_data(as_text=True)
    assert "Stand per 5 december 2019" in html
    assert f"{len(expected)} maatregelen in het register" in html
    today = client.get("/").get_data(as_text=True)
    assert "Stand per" not in today.split("<main")[1].split("</form>")[0] or "Stand per 5" not in today
    assert f"{len(expected_statuses(NOW.date()))} maatregelen in het register" in today


@pytest.mark.postgres  # time travel
def test_list_and_detail_as_of(client, seeded):
    expected = expected_statuses(date(2019, 12, 5))
    gerealiseerd = sorted(code for code, status in expected.items() if status == "gerealiseerd")
    html = client.get("/maatregelen?as_of=2019-12-05&status=gerealiseerd&page=1").get_data(as_text=True)
    assert f"{len(gerealiseerd)} maatregel" in html
    detail = client.get("/maatregelen/CT-B-04?as_of=2019-12-05").get_data(as_text=True)
    timeline = detail[detail.index('id="kop-tijdlijn"') :]
    assert "28 november 2019" in timeline and "2020" not in timeline.split('id="kop-deadlines"')[0]
    assert "Stand per 5 december 2019" in detail


@pytest.mark.postgres  # time travel
def test_a_measure_announced_later_is_absent_as_of_earlier(client, seeded, session):
    # NR-2019-01 entered the programme with the rapporteur's letter of 28 November 2019.
    assert "NR-2019-01" not in {s.code for s in history.programme_as_of(session, date(2019, 11, 27))}
    response = client.get("/maatregelen/NR-2019-01?as_of=2019-06-01")
    assert response.status_code == 404 and "bestond op 1 juni 2019 nog niet" in response.get_data(as_text=True)
    assert ">NR-2019-01<" not in client.get("/maatregelen?as_of=2019-06-01&q=NR-2019").get_data(as_text=True)


@pytest.mark.postgres  # comparison of two dates
def test_comparison_2018_06_01_to_2020_01_01_lists_exactly_the_implied_changes(session, seeded):
    start, end = date(2018, 6, 1), date(2020, 1, 1)
    before, after = expected_statuses(start), expected_statuses(end)
    comparison = history.compare(session, start, end)
    assert sorted(s.code for s in comparison.added) == sorted(set(after) - set(before))
    assert {c["code"]: (c["from"], c["to"]) for c in comparison.status_changes} == {
        code: (before[code], after[code]) for code in before if before[code] != after[code]
    }
    assert comparison.postponements == []  # no source reports a postponement in this period
    assert comparison.budget_changes == []


@pytest.mark.postgres  # comparison of two dates, as JSON
def test_comparison_page_and_json(client, seeded):
    html = client.get("/vergelijken?van=2018-06-01&tot=2020-01-01").get_data(as_text=True)
    # The plan sent to parliament in November 2018: in uitvoering → deels gerealiseerd.
    assert "Statuswijzigingen" in html and "CT-A-03" in html
    data = client.get("/vergelijken.json?van=2018-06-01&tot=2020-01-01").get_json()
    assert data["start"] == "2018-06-01" and any(
        c["code"] == "CT-C-01" and c["to"] == "beeindigd" for c in data["status_changes"]
    )


def test_a_bounded_comparison_counts_everything_and_lists_the_first_of_each_kind(client, session, seeded, app):
    """The page lists the first few changes of each kind and says how many there are; the lists
    are the beginning of the whole comparison (in its order), and `alles=1` shows all of them."""
    start, end = date(2018, 6, 1), date(2024, 1, 1)
    whole = history.compare(session, start, end)
    bounded = history.compare(session, start, end, shown=3)
    for name, count in whole.counts.items():
        assert count == len(getattr(whole, name)), name
        assert bounded.counts[name] == count, name
        assert getattr(bounded, name) == getattr(whole, name)[:3], name
    assert not whole.cut and bounded.cut and whole.counts["status_changes"] > 3
    from measures.review import views

    app.config["TESTING"] = True
    views.COMPARE_SHOWN, shown = 3, views.COMPARE_SHOWN
    try:
        page = client.get("/vergelijken?van=2018-06-01&tot=2024-01-01").get_data(as_text=True)
        everything = client.get("/vergelijken?van=2018-06-01&tot=2024-01-01&alles=1").get_data(as_text=True)
    finally:
        views.COMPARE_SHOWN = shown
    n = whole.counts["status_changes"]
    assert f"Statuswijzigingen ({n})" in page and f"De eerste 3 van {n}." in page
    assert "Alle wijzigingen tonen" in page and "alles=1" in page
    last = whole.status_changes[-1]["code"]
    assert f">{last}</a>" in everything and "De eerste 3 van" not in everything
    assert page.count("status-badge--") < everything.count("status-badge--")


@pytest.mark.parametrize(
    "query", ["van=2020-13-01", "van=2021-01-01&tot=2020-01-01", "van=1800-01-01", "van=" + "9" * 500, "van=2999-01-01"]
)
@pytest.mark.postgres  # dates outside what a database stores
def test_comparison_bad_dates_get_a_dutch_message(client, query):
    response = client.get(f"/vergelijken?{query}")
    assert response.status_code == 400 and "Er is een probleem" in response.get_data(as_text=True)
    assert client.get(f"/vergelijken.json?{query}").status_code == 400


@pytest.mark.parametrize("value", ["2019-13-45", "gisteren", "x" * 5000, "1700-01-01"])
@pytest.mark.postgres  # dates outside what a database stores
def test_bad_as_of_is_explained_and_shows_today(client, seeded, value):
    response = client.get(f"/?as_of={value}")
    assert response.status_code == 200 and "U ziet de stand van vandaag" in response.get_data(as_text=True)


# --- built fresh -----------------------------------------------------------------------------------


@pytest.fixture
def measure(session, create_organisation, create_measure):
    create_organisation("Politie")
    return create_measure("M-1", "Webcrawler", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))


@pytest.mark.postgres  # dated history
def test_a_deadline_changed_twice_shows_both_postponements(client, session, measure):
    for new, day in ((date(2021, 1, 1), date(2019, 12, 1)), (date(2022, 1, 1), date(2020, 12, 1))):
        services.change_deadline(
            session=session,
            measure=measure,
            new_deadline=new,
            basis="",
            reason=f"Uitstel {day.year}",
            decided_on=day,
            recorded_by="t",
            now=NOW,
        )
    session.commit()
    comparison = history.compare(session, date(2019, 1, 1), date(2021, 1, 1))
    assert [(p["from"], p["to"]) for p in comparison.postponements] == [
        ("2020-01-01", "2021-01-01"),
        ("2021-01-01", "2022-01-01"),
    ]
    state = next(s for s in history.programme_as_of(session, date(2021, 1, 1)) if s.code == "M-1")
    assert state.postponements == 2 and state.deadline == date(2022, 1, 1)
    assert next(s for s in history.programme_as_of(session, date(2020, 6, 1)) if s.code == "M-1").deadline == date(
        2021, 1, 1
    )
    assert "2 keer uitgesteld" in client.get("/maatregelen/M-1?as_of=2021-01-01").get_data(as_text=True)


@pytest.mark.postgres  # the audit trail read back by time
def test_owner_and_title_as_of_are_rolled_back_from_the_audit_trail(session, create_organisation, measure):
    create_organisation("OM")
    content = services.MeasureInput(
        **{**services.measure_fields(session, measure), "budget": [], "title": "Webcrawler 2.0", "lead": "OM"}
    )
    services.edit_measure(session=session, measure=measure, content=content, changed_by="t", now=NOW)
    session.commit()
    then = next(s for s in history.programme_as_of(session, date(2020, 1, 1)) if s.code == "M-1")
    now = next(s for s in history.programme_as_of(session, NOW.date()) if s.code == "M-1")
    assert (then.title, then.lead) == ("Webcrawler", "Politie") and (now.title, now.lead) == ("Webcrawler 2.0", "OM")


@pytest.mark.postgres  # dated assessments against dated statuses
def test_assessment_disagreement_is_listed_and_flagged(client, auth, session, measure, create_user):
    rapporteur = create_user("rapporteur", email="rapporteur@nrm.nl")
    auth.login(rapporteur.email)
    response = client.post(
        "/maatregelen/M-1/oordeel",
        data={
            "light": "ernstig_vertraagd",
            "text": "Niet geïmplementeerd.",
            "as_of": "2021-02-01",
            "evidence_document": "",
        },
    )
    assert response.status_code == 302
    detail = client.get("/maatregelen/M-1").get_data(as_text=True)
    beside = detail[detail.index("Status volgens de eigenaar") : detail.index('id="kop-oordelen"')]
    assert "In uitvoering" in beside and "Ernstig vertraagd" in beside and "Niet geïmplementeerd." in beside
    gaps = client.get("/rapporteur").get_data(as_text=True)
    assert "Eigenaar en rapporteur oneens (1)" in gaps and "M-1 Webcrawler" in gaps
    from measures.checks.rules import Thresholds, evaluate
    from tests.test_checks import at

    session.info.clear()
    rules = {f.rule for f in evaluate(session, at(date(2021, 3, 1)), Thresholds()).findings if f.measure_code == "M-1"}
    assert "oneens_met_rapporteur" in rules
    session.refresh(measure)
    assert measure.status_code == "in_uitvoering"  # the rapporteur's judgement never changes the status


@pytest.mark.parametrize(
    "owner_status, light, disagree",
    [
        ("gerealiseerd", "op_schema", False),
        ("gerealiseerd", "vraagt_aandacht", True),
        ("in_uitvoering", "ernstig_vertraagd", True),
        ("in_uitvoering", "vraagt_aandacht", False),
        ("beeindigd", "ernstig_vertraagd", False),
    ],
)
@pytest.mark.postgres  # dated assessments against dated statuses
def test_disagreement_rule(session, measure, owner_status, light, disagree):
    services.record_status(
        session=session,
        measure=measure,
        status_code=owner_status,
        as_of=date(2021, 1, 1),
        note="x",
        recorded_by="t",
        now=NOW,
    )
    review.record_assessment(
        session=session, measure=measure, light=light, text="Oordeel", as_of=date(2021, 2, 1), recorded_by="r", now=NOW
    )
    session.commit()
    session.info.clear()
    assert bool(review.disagreements(session, date(2021, 3, 1))) is disagree


@pytest.mark.smoke
def test_coordinator_replies_and_the_reply_is_shown(client, auth, session, measure, create_user):
    assessment = review.record_assessment(
        session=session,
        measure=measure,
        light="vraagt_aandacht",
        text="Traag.",
        as_of=date(2021, 2, 1),
        recorded_by="r",
        now=NOW,
    )
    session.commit()
    auth.login(create_user("coordinator", "Politie").email)
    assert (
        client.post(
            f"/oordelen/{assessment.id}/reactie", data={f"reply{assessment.id}-text": "De uitrol start in maart."}
        ).status_code
        == 302
    )
    assert session.exec(select(AssessmentReply)).one().text == "De uitrol start in maart."
    assert "De uitrol start in maart." in client.get("/maatregelen/M-1").get_data(as_text=True)


@pytest.mark.parametrize(
    "role, assess, reply, link",
    [
        ("admin", 403, 403, 403),
        ("programmacoordinator", 403, 302, 303),
        ("coordinator", 403, 302, 403),
        ("rapporteur", 302, 403, 303),
        ("lezer", 403, 403, 403),
    ],
)
def test_review_permission_matrix(
    client, auth, session, measure, create_user, create_document, role, assess, reply, link
):
    document = create_document("nr-2019-11", "Brief", date(2019, 11, 28), "brief_rapporteur")
    recommendation = Recommendation(
        code="R-1", kind="aanbeveling", title="Monitoring", document_id=document.id, issued_on=document.date
    )
    assessment = Assessment(
        measure_id=measure.id, light="op_schema", text="Goed", as_of=date(2020, 1, 1), recorded_by="r"
    )
    session.add_all([recommendation, assessment])
    session.commit()
    auth.login(create_user(role, "Politie").email)
    assert (
        client.post(
            "/maatregelen/M-1/oordeel", data={"light": "op_schema", "text": "x", "as_of": "2021-01-01"}
        ).status_code
        == assess
    )
    assert (
        client.post(f"/oordelen/{assessment.id}/reactie", data={f"reply{assessment.id}-text": "x"}).status_code == reply
    )
    assert client.post("/aanbevelingen/R-1/koppelen", data={"measure": "M-1"}).status_code == link
    linked = session.exec(select(RecommendationMeasure)).first() is not None
    assert linked == (link == 303)
    # Whatever the role, the status stays the owner's.
    assert (
        session.exec(select(StatusUpdate).where(StatusUpdate.measure_id == measure.id)).all()[-1].status_code
        == "in_uitvoering"
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/maatregelen/M-1/oordeel"),
        ("post", "/oordelen/1/reactie"),
        ("post", "/aanbevelingen/R-1/koppelen"),
        ("get", "/rapporteur"),
        ("get", "/aanbevelingen/nieuw"),
    ],
)
def test_anonymous_review_actions_go_to_login(client, measure, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_assessment_form_errors(client, auth, measure, create_user):
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    response = client.post("/maatregelen/M-1/oordeel", data={"light": "rood", "text": "", "as_of": "2999-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Onderbouw het oordeel." in html and "Ongeldige keuze" in html


@pytest.mark.smoke
def test_recommendations_register_and_gaps(client, auth, session, seeded, create_user):
    recommendations = session.exec(select(Recommendation)).all()
    catalogue = load_catalogue()
    assert len(recommendations) == len(catalogue.recommendations) > 0
    html = client.get("/aanbevelingen").get_data(as_text=True)
    without = [r for r in catalogue.recommendations if not r.get("measures")]
    for r in catalogue.recommendations:
        assert f'id="{r["code"]}"' in html
    assert html.count("Hiaat: geen maatregel beantwoordt deze aanbeveling") == len(without)
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    gaps = client.get("/rapporteur").get_data(as_text=True)
    assert f"Aanbevelingen zonder maatregel ({len(without)})" in gaps
    filtered = client.get("/rapporteur?theme=b&owner=Politie").get_data(as_text=True)
    assert "CT-B-04" in filtered and "CT-J-04" not in filtered.split('id="kop-zonder-trekker"')[0]
    bad = client.get("/rapporteur?theme=z&actielijn=9&owner=NIEMAND")
    assert bad.status_code == 200 and "Onbekend thema: z." in bad.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/rapporteur/hiaten.xlsx").data))
    assert book.sheetnames[0] == "Aanbevelingen zonder maatregel" and book.worksheets[0].max_row == len(without) + 1


def test_rapporteur_writes_a_recommendation_and_links_it(client, auth, session, seeded, create_user):
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    response = client.post(
        "/aanbevelingen/nieuw",
        data={
            "code": "R-2026-01",
            "kind": "aanbeveling",
            "title": "Wettelijke grondslag webcrawler",
            "text": "Regel de grondslag.",
            "document": "nr-2019-11",
            "measures": ["CT-B-04"],
        },
    )
    assert response.status_code == 302
    recommendation = session.exec(select(Recommendation).where(Recommendation.code == "R-2026-01")).one()
    measure = session.exec(select(Measure).where(Measure.code == "CT-B-04")).one()
    assert session.get(RecommendationMeasure, (recommendation.id, measure.id)) is not None
    assert "R-2026-01" in client.get("/maatregelen/CT-B-04").get_data(as_text=True)


@pytest.mark.postgres  # decimals and dates in the comparison
def test_comparison_lists_a_budget_change_made_between_the_dates(session, measure, budget_line):
    content = services.MeasureInput(**{**services.measure_fields(session, measure), "budget": [budget_line("2000000")]})
    services.edit_measure(session=session, measure=measure, content=content, changed_by="t", now=NOW)
    session.commit()
    changed = history.compare(session, date(2026, 1, 1), NOW.date()).budget_changes
    assert [(c["code"], c["from"], c["to"][0]["amount"]) for c in changed] == [("M-1", [], "2000000.00")]
    assert history.compare(session, date(2020, 1, 1), date(2021, 1, 1)).budget_changes == []


@pytest.mark.parametrize("as_of", [date(2019, 12, 5), NOW.date()])
@pytest.mark.postgres  # time travel, one measure and all
def test_one_measure_as_of_equals_its_state_in_the_whole_programme(session, seeded, as_of):
    for state in history.programme_as_of(session, as_of):
        assert history.measure_as_of(session, state.id, as_of) == state
    assert history.measure_as_of(session, history.programme_as_of(session, NOW.date())[-1].id, date(2000, 1, 1)) is None
