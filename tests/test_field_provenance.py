"""Every asserted field has its basis: owners named in the sentence they come from, themes from the
document's own headings or labelled as the register's choice, budget lines with their document,
deadlines as precise as the source, and a merged duplicate that stays reachable."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from measures.checks import rules as checks
from measures.register import services
from measures.register.catalogue import load_catalogue, names_organisation, validate
from measures.register.seed import seed
from models import AuditRecord, Measure, MeasureAlias, MeasureTheme, StatusUpdate
from tests.conftest import NOW

ENTRY = """
document = "kst-28638-161"

[[measures]]
code = "CT-B-99"
title = "Webcrawler"
description = "Ontwikkeling van een webcrawler."
announcement = "reeds_in_gang_gezet"
section = "b) Versterking opsporing – Maatregelen die reeds in gang zijn gezet"
quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"
{owners}
themes = [{themes}]
{extra}
"""


def _problems(directory, owners='lead = "onbekend"\nco_owners = []', themes='"contouren:b"', extra="") -> list[str]:
    (directory / "kst-28638-161.toml").write_text(
        ENTRY.format(owners=owners, themes=themes, extra=extra), encoding="utf-8"
    )
    return validate(load_catalogue(directory))


@pytest.mark.parametrize(
    ("text", "names", "named"),
    [
        ("alle eerstelijns politiemedewerkers", ["politie"], True),  # at the start of a word
        ("De politie en het OM", ["OM", "Openbaar Ministerie"], True),
        ("om de aanpak te versterken", ["OM", "Openbaar Ministerie"], False),  # an acronym keeps its case
        ("bij het openbaar ministerie", ["OM", "Openbaar Ministerie"], True),
        ("de Nederlandse Arbeidsinspectie", ["Inspectie SZW", "Arbeidsinspectie"], True),
        ("de staatspolitie", ["politie"], False),  # not inside a word
    ],
)
def test_an_organisation_is_named_by_one_of_its_names(text, names, named):
    assert names_organisation(text, names) is named


def test_a_lead_must_be_named_in_its_basis(small_catalogue):
    problems = _problems(small_catalogue, owners='lead = "Politie"\nco_owners = ["OM"]')
    assert any("Politie (lead) wordt niet genoemd" in p for p in problems)
    assert any("OM (co_owners) wordt niet genoemd" in p for p in problems)
    basis = 'lead_basis = "De politie en het OM hebben vanaf 2017 extra middelen ter beschikking gekregen."'
    assert _problems(small_catalogue, owners=f'lead = "Politie"\nco_owners = ["OM"]\n{basis}') == []


def test_a_joint_lead_needs_one_sentence_that_names_every_co_owner(small_catalogue):
    basis = 'lead_basis = "Tot slot is bij het openbaar ministerie een zaakscoördinator aangesteld."'
    problems = _problems(small_catalogue, owners=f'lead = "gezamenlijk"\nco_owners = ["OM", "Politie"]\n{basis}')
    assert any("Politie (lead) wordt niet genoemd" in p for p in problems)


def test_a_basis_from_another_document_is_quoted_from_that_document(small_catalogue):
    row = 'Train all first-line (\\"eerstelijns\\") police officers in recognising trafficking'
    good = f'lead = "Politie"\nco_owners = []\nlead_basis = {{ document = "factsheet-stm", quote = "{row}" }}'
    assert _problems(small_catalogue, owners=good) == []
    wrong = good.replace("factsheet-stm", "kst-28638-161")
    assert any("citaat komt niet voor" in p for p in _problems(small_catalogue, owners=wrong))


def test_a_theme_outside_the_documents_heading_is_the_registers_choice(small_catalogue):
    problems = _problems(small_catalogue, themes='"contouren:c"')
    assert any("thema contouren:c staat niet in de sectie" in p for p in problems)
    chosen = 'register_themes = { contouren = "Past inhoudelijk bij c)." }'
    assert _problems(small_catalogue, themes='"contouren:c"', extra=chosen) == []
    empty = 'register_themes = { contouren = " " }'
    assert any("zonder reden" in p for p in _problems(small_catalogue, themes='"contouren:c"', extra=empty))


def test_an_action_line_quotes_the_fact_sheet_row(small_catalogue):
    themes = '"contouren:b", "actielijn:1"'
    assert any("thema zonder grondslag" in p for p in _problems(small_catalogue, themes=themes))
    invented = 'actielijn_basis = "Factsheet: rij ‘Police search robot’ onder actielijn 1."'
    assert any("citaat komt niet voor" in p for p in _problems(small_catalogue, themes=themes, extra=invented))
    row = 'actielijn_basis = "Factsheet: rij ‘Police webcrawler (digital search application for online sex advertisements)’."'
    assert _problems(small_catalogue, themes=themes, extra=row) == []


def test_a_deadline_may_be_known_only_to_the_year_and_a_merged_code_is_not_a_measure(small_catalogue):
    year = 'deadline = "2022"\ndeadline_basis = "alleen het jaar"'
    assert _problems(small_catalogue, extra=year) == []
    merged = '[[merged]]\ncode = "CT-B-99"\ninto = "CT-X-00"\nreason = ""'
    problems = _problems(small_catalogue, extra=merged)
    assert any("een samengevoegde code is geen maatregel meer" in p for p in problems)
    assert any("onbekende maatregel 'CT-X-00'" in p for p in problems)
    assert any("reden ontbreekt" in p for p in problems)


@pytest.mark.smoke
def test_the_detail_page_shows_the_basis_of_every_asserted_field(client, seeded):
    html = client.get("/maatregelen/CT-A-03").get_data(as_text=True)
    # Named jointly by the five senders of the letter, in the heading that names them.
    assert "Grondslag: “BRIEF VAN DE STAATSSECRETARIS VAN JUSTITIE EN VEILIGHEID" in html
    assert "Indeling door het register</strong>, niet door de bron" in html
    html = client.get("/maatregelen/CT-B-01").get_data(as_text=True)
    assert (
        "Grondslag: “b) Versterking opsporing – Maatregelen die reeds in gang zijn gezet” (Kamerstuk 28 638 nr. 161)"
        in html
    )
    assert "“Het gaat om € 1 miljoen vanaf 2017 en structureel € 2 miljoen vanaf 2018.”" in html
    # Where no source names a lead, the page says so rather than pointing at a sentence.
    html = client.get("/maatregelen/CT-G-06").get_data(as_text=True)
    assert "Grondslag: onbekend; geen bron noemt een trekker" in html


@pytest.mark.postgres  # stored provenance, as JSON
def test_the_api_and_the_open_data_carry_the_provenance(client, auth, session, seeded, create_user):
    from measures.register import open_data as export
    from tests.test_api import bearer, token_for

    records = {r["code"]: r for r in export.measure_records(session)}
    crawler = records["CT-B-04"]["provenance"]
    assert crawler["lead"]["quote"].startswith("De politie en het OM hebben vanaf 2017")
    assert crawler["lead"]["citation"] == "Kamerstuk 28 638 nr. 161"
    assert crawler["themes"]["contouren"]["by_register"] is False
    assert records["CT-A-03"]["provenance"]["themes"]["contouren"]["by_register"] is True
    assert records["CT-G-06"]["provenance"]["lead"] is None
    assert records["CT-B-02"]["deadline_precision"] == "jaar"
    row = next(
        line for line in export.to_csv(list(records.values())).decode().splitlines() if line.startswith("CT-B-04")
    )
    assert (
        "De politie en het OM hebben vanaf 2017 extra middelen ter beschikking gekregen. (Kamerstuk 28 638 nr. 161)"
        in row
    )

    headers = bearer(token_for(client, auth, create_user("rapporteur")))
    body = client.get("/api/v1/measures/CT-B-02", headers=headers).get_json()
    assert body["deadline"] == "2020-12-31" and body["deadline_precision"] == "jaar"
    assert body["provenance"]["themes"]["actielijn"]["citation"] == "factsheet"
    assert "CT-K-03" in body["merged_codes"]
    moved = client.get("/api/v1/measures/CT-K-03?asOf=2019-12-05", headers=headers)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/api/v1/measures/CT-B-02?asOf=2019-12-05")
    refused = client.post("/api/v1/measures/CT-K-03/status-updates", headers=headers, json={})
    assert refused.status_code == 404 and "samengevoegd met CT-B-02" in refused.get_json()["detail"]


@pytest.mark.postgres  # alias lookup
def test_a_merged_code_redirects_to_the_measure_it_went_into(client, seeded, session):
    response = client.get("/maatregelen/CT-B-13?peildatum=2019-12-05")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/maatregelen/CT-J-04?peildatum=2019-12-05")
    html = client.get("/maatregelen/CT-J-04").get_data(as_text=True)
    assert "Ook bekend als CT-B-13" in html
    # The duplicate is gone from the register: one measure, counted once.
    assert session.exec(select(Measure).where(Measure.code == "CT-B-13")).first() is None
    assert {a.code for a in session.exec(select(MeasureAlias)).all()} == {"CT-B-13", "CT-G-14", "CT-K-03"}


@pytest.mark.postgres  # seeding again over stored work
@pytest.mark.slow  # seeds the whole catalogue three times
def test_a_database_seeded_before_the_merge_keeps_the_duplicate_closed_and_pointing_on(session, tmp_path):
    """Nothing is lost: the measure that was seeded before the merge keeps its history, is closed
    with a status update that names the survivor, and its page says where it went."""
    catalogue = load_catalogue()
    before = load_catalogue()
    duplicate = dict(next(m for m in catalogue.measures if m["code"] == "CT-J-04"), code="CT-B-13")
    before.measures.append(duplicate)
    before.merged = []
    seed(session=session, now=NOW, catalogue=before)
    session.commit()
    old = session.exec(select(Measure).where(Measure.code == "CT-B-13")).one()

    later = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    report = seed(session=session, now=later, catalogue=catalogue)
    session.commit()
    assert report.merged == ["CT-B-13", "CT-G-14", "CT-K-03"]
    closing = session.exec(select(StatusUpdate).where(StatusUpdate.measure_id == old.id)).all()[-1]
    assert closing.status_code == "beeindigd" and closing.note.startswith("Samengevoegd met CT-J-04: ")
    assert session.exec(
        select(AuditRecord).where(AuditRecord.measure_id == old.id, AuditRecord.field == "merged")
    ).one()
    again = seed(session=session, now=later, catalogue=catalogue)
    assert again.merged == [] and not again.created and not again.changed


@pytest.mark.postgres  # seeding again over stored work
def test_a_changed_owner_loses_its_basis_and_a_catalogue_change_of_basis_is_recorded(session, seeded):
    measure = session.exec(select(Measure).where(Measure.code == "CT-B-07")).one()
    assert measure.lead_basis.startswith("Tot slot is bij het openbaar ministerie")
    assert not session.exec(select(AuditRecord).where(AuditRecord.measure_id == measure.id)).all()
    fields = services.measure_fields(session, measure)
    services.edit_measure(
        session=session,
        measure=measure,
        content=services.MeasureInput(**{**fields, "lead": "JenV", "budget": []}),
        changed_by="coordinator@example.org",
        now=NOW,
    )
    assert measure.lead_basis == "" and measure.lead_basis_document_id is None
    services.set_provenance(
        session=session,
        measure=measure,
        lead=services.Basis("Een zin die JenV noemt.", None),
        co_owners=services.Basis(),
        themes={"contouren": services.Basis("b)", None)},
        changed_by="catalogus",
        now=NOW,
    )
    fields = {a.field for a in session.exec(select(AuditRecord).where(AuditRecord.measure_id == measure.id)).all()}
    assert {"lead", "lead_basis", "theme_basis"} <= fields


@pytest.mark.postgres  # a stored flag per theme link
def test_themes_remember_whether_the_register_chose_them(session, seeded):
    chosen = session.exec(
        select(Measure.code)
        .join(MeasureTheme, MeasureTheme.measure_id == Measure.id)
        .where(MeasureTheme.by_register.is_(True))
    ).all()
    assert set(chosen) == {m["code"] for m in load_catalogue().measures if m.get("register_themes")}


@pytest.mark.postgres  # date precision stored beside the date
def test_a_deadline_known_to_the_year_is_shown_and_checked_as_that_year(client, session, seeded):
    html = client.get("/maatregelen/CT-B-02").get_data(as_text=True)
    assert "<dt>Deadline</dt><dd>2020<br>" in html
    evaluation = checks.evaluate(session, datetime(2021, 1, 1, 12, tzinfo=UTC), checks.Thresholds())
    passed = next(f for f in evaluation.findings if f.measure_code == "CT-B-02" and f.rule == "deadline_verstreken")
    assert passed.explanation.startswith("deadline 2020 verstreken")
    # Conservative: on the last day of the year the deadline has not passed yet.
    evaluation = checks.evaluate(session, datetime(2020, 12, 31, 12, tzinfo=UTC), checks.Thresholds())
    assert not any(f.measure_code == "CT-B-02" and f.rule == "deadline_verstreken" for f in evaluation.findings)


@pytest.mark.postgres  # dated history
def test_closing_a_measure_on_the_rapporteurs_negative_word_is_contested(session, create_measure, create_document):
    """'Traject afgerond' straight after a finding that the goal was not met is contested; a
    measure closed after updates that report it under way (a pilot that ran) is not."""
    rapporteur = create_document(key="nr", kind="brief_rapporteur")
    letter = create_document(key="brief", kind="kabinetsbrief")

    def history(code, *steps):
        measure = create_measure(code)
        for status, day, document, problem in steps:
            services.record_status(
                session=session,
                measure=measure,
                status_code=status,
                as_of=day,
                note="n",
                recorded_by="t",
                now=NOW,
                evidence_document_id=document.id,
                reports_problem=problem,
            )

    history(
        "NVM", ("in_uitvoering", date(2017, 2, 28), rapporteur, True), ("beeindigd", date(2018, 5, 25), letter, False)
    )
    history(
        "PILOT",
        ("gepland", date(2017, 2, 28), rapporteur, True),
        ("in_uitvoering", date(2019, 10, 31), letter, False),
        ("beeindigd", date(2019, 11, 13), letter, False),
    )
    session.commit()
    found = {
        f.measure_code
        for f in checks.evaluate(session, NOW, checks.Thresholds()).findings
        if f.rule == "betwiste_afronding"
    }
    assert found == {"NVM"}
