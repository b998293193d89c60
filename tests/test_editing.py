"""Coordinators keep measures current: forms, Dutch errors, conflicts, and bulk import/export."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from measures.register import states
from models import AuditRecord, DeadlineChange, Measure, StatusUpdate


@pytest.fixture
def politie(session, create_organisation, create_measure, create_user, create_document):
    create_organisation("Politie", "Nationale Politie")
    create_organisation("OM", "Openbaar Ministerie")
    create_document()
    measure = create_measure(
        "CT-B-04",
        "Ontwikkeling van een webcrawler",
        lead="Politie",
        themes=["contouren:b"],
        status="in_uitvoering",
        deadline=date(2020, 12, 31),
    )
    other = create_measure("CT-B-06", "Zaakscoördinator OM", lead="OM", status="gepland")
    user = create_user("coordinator", "Politie")
    return {"measure": measure, "other": other, "user": user}


def _status(client, code, **overrides):
    measure_version = overrides.pop("version")
    data = {
        "status": "deels_gerealiseerd",
        "as_of": "2021-03-01",
        "note": "",
        "evidence_document": "",
        "evidence_url": "",
        "version": str(measure_version),
    }
    data.update(overrides)
    return client.post(f"/maatregelen/{code}/status", data=data)


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.smoke
def test_new_user_finds_measure_records_status_with_evidence_and_sees_it(client, auth, session, politie):
    auth.login(politie["user"].email)
    landing = client.get("/mijn-maatregelen").get_data(as_text=True)
    assert "CT-B-04" in landing and "CT-B-06" not in landing
    form = client.get("/maatregelen/CT-B-04/status").get_data(as_text=True)
    assert 'name="version" type="hidden" value="' in form
    response = _status(
        client,
        "CT-B-04",
        version=politie["measure"].version,
        evidence_document="kst-28638-161",
        note="Webcrawler in pilot bij twee eenheden.",
    )
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De status is vastgelegd." in detail
    timeline = detail[detail.index('id="kop-tijdlijn"') :]
    assert "1 maart 2021" in timeline and "Webcrawler in pilot bij twee eenheden." in timeline
    assert "Kamerstuk 28 638 nr. 161" in timeline and "Coordinator Politie" in timeline


def test_note_is_required_when_status_goes_backwards(client, auth, session, politie):
    auth.login(politie["user"].email)
    response = _status(client, "CT-B-04", status="gepland", version=politie["measure"].version)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Leg uit waarom de status teruggaat" in html
    assert 'href="#note"' in html and "<title>Fout:" in html
    assert 'aria-describedby="note-beschrijving note-fout"' in html
    assert _count(session, StatusUpdate) == 2  # the two from the fixture


def test_note_is_required_when_ended(client, auth, session, politie):
    auth.login(politie["user"].email)
    assert _status(client, "CT-B-04", status="beeindigd", version=politie["measure"].version).status_code == 400
    assert (
        _status(
            client, "CT-B-04", status="beeindigd", note="Gestopt na evaluatie.", version=politie["measure"].version
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"status": ""}, "Kies een status."),
        ({"status": "klaar"}, "Ongeldige keuze"),
        ({"as_of": "31-02-2021"}, "Ongeldige datum"),
        ({"as_of": "2099-01-01"}, "toekomst"),
        ({"as_of": "2999-01-01"}, "kies een datum tussen 01-01-2000 en 31-12-2100"),
        ({"as_of": "0001-01-01"}, "kies een datum tussen 01-01-2000 en 31-12-2100"),
        ({"as_of": "0001-01-01garbage"}, "Ongeldige datum"),
        ({"as_of": "2024-09-09T99:99"}, "Ongeldige datum"),
        ({"evidence_url": "javascript:alert(1)"}, "https://"),
        ({"evidence_document": "kst-0"}, "Ongeldige keuze"),
        ({"note": "x" * 6000}, "hoogstens 5000 tekens"),
    ],
)
def test_status_form_errors_are_dutch(client, auth, session, politie, overrides, message):
    auth.login(politie["user"].email)
    response = _status(client, "CT-B-04", version=politie["measure"].version, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(session, StatusUpdate) == 2  # the two from the fixture


@pytest.mark.postgres  # optimistic locking on the version column
def test_second_save_on_a_stale_version_is_refused_and_shows_the_first_change(
    client, auth, session, politie, create_user
):
    programme = create_user("programmacoordinator", email="programma@jenv.nl")
    loaded_version = politie["measure"].version
    # The programme coordinator saves first...
    auth.login(programme.email)
    assert (
        _status(client, "CT-B-04", version=loaded_version, note="Eerste wijziging", as_of="2021-01-01").status_code
        == 302
    )
    auth.logout()
    # ...then the coordinator saves a form loaded before that.
    auth.login(politie["user"].email)
    response = _status(client, "CT-B-04", version=loaded_version, status="gerealiseerd", note="Tweede wijziging")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders was u voor" in html and "Eerste wijziging" in html and "programma@jenv.nl" in html
    assert _count(session, StatusUpdate) == 3
    # The form now carries the new version: sending it again saves on top of the first change.
    session.refresh(politie["measure"])
    assert f'value="{politie["measure"].version}"' in html
    assert (
        _status(
            client, "CT-B-04", version=politie["measure"].version, status="gerealiseerd", note="Tweede wijziging"
        ).status_code
        == 302
    )
    session.refresh(politie["measure"])
    assert politie["measure"].status_code == "gerealiseerd"


@pytest.mark.postgres  # optimistic locking, the audit trail since a version
def test_edit_conflict_lists_the_field_the_other_person_changed(client, auth, session, create_user, politie):
    programme = create_user("programmacoordinator", email="programma@jenv.nl")
    auth.login(programme.email)
    version = politie["measure"].version
    base = {
        "lead": "Politie",
        "themes": "contouren:b",
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
        "version": str(version),
    }
    assert (
        client.post("/maatregelen/CT-B-04/bewerken", data={**base, "title": "Webcrawler (eerste)"}).status_code == 302
    )
    response = client.post("/maatregelen/CT-B-04/bewerken", data={**base, "title": "Webcrawler (tweede)"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Webcrawler (eerste)" in html and "Titel" in html
    session.refresh(politie["measure"])
    assert politie["measure"].title == "Webcrawler (eerste)"


@pytest.mark.postgres  # postponements counted from stored dates
def test_deadline_change_needs_reason_and_counts_postponements(client, auth, session, politie):
    auth.login(politie["user"].email)
    url = "/maatregelen/CT-B-04/deadline"
    response = client.post(
        url, data={"new_deadline": "2021-12-31", "reason": "", "version": str(politie["measure"].version)}
    )
    assert response.status_code == 400 and "Geef de reden voor de wijziging." in response.get_data(as_text=True)
    for new in ("2021-12-31", "2022-12-31"):
        session.refresh(politie["measure"])
        assert (
            client.post(
                url,
                data={
                    "new_deadline": new,
                    "reason": "Vertraging in de aanbesteding",
                    "version": str(politie["measure"].version),
                },
            ).status_code
            == 302
        )
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    assert "2 keer uitgesteld" in html
    assert _count(session, DeadlineChange) == 3


@pytest.mark.postgres  # audit records of changed fields, decimals among them
def test_edit_writes_audit_shown_on_detail(client, auth, session, create_user, politie):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    data = {
        "title": "Webcrawler",
        "description": "Zoekt online advertenties.",
        "lead": "Politie",
        "co_owners": "OM",
        "themes": "contouren:b",
        "budget-0-amount": "2000000",
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
        "budget-0-from_year": "2018",
        "budget-0-funding": "Regeerakkoord",
        "version": str(politie["measure"].version),
    }
    assert client.post("/maatregelen/CT-B-04/bewerken", data=data).status_code == 302
    fields = {r.field for r in session.exec(select(AuditRecord)).all()}
    assert fields == {"title", "description", "co_owners", "budget"}
    html = client.get("/maatregelen/CT-B-04").get_data(as_text=True)
    audit = html[html.index('id="kop-audit"') :]
    assert "Mede-eigenaren" in audit and "OM" in audit and "€ 2.000.000 structureel" in audit and "p@jenv.nl" in audit


def test_edit_form_accepts_the_empty_theme_a_browser_sends_for_an_unused_scheme(client, auth, create_user, politie):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    data = {
        "title": "Zaakscoördinator OM",
        "lead": "OM",
        "themes": ["", ""],  # both selects left at "Geen", as CT-B-06's form is rendered
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
        "version": str(politie["other"].version),
    }
    response = client.post("/maatregelen/CT-B-06/bewerken", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_edit_form_errors(client, auth, create_user, politie):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    data = {
        "title": "",
        "lead": "Politie",
        "co_owners": "Politie",
        "themes": ["contouren:b", "contouren:c"],
        "budget-0-amount": "-5",
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
        "budget-0-from_year": "1800",
        "version": str(politie["measure"].version),
    }
    html = client.post("/maatregelen/CT-B-04/bewerken", data=data).get_data(as_text=True)
    for message in (
        "Vul een titel in.",
        "De trekker is niet ook mede-eigenaar.",
        "Kies per indeling hoogstens één thema.",
        "Geef een bedrag van 0 of meer.",
        "Geef een jaartal tussen 1990 en 2100.",
    ):
        assert message in html, message


@pytest.mark.smoke
def test_new_measure(client, auth, session, create_user, politie):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    data = {
        "code": "STM-1-99",
        "title": "Nieuwe maatregel",
        "lead": "OM",
        "themes": ["actielijn:1"],
        "source_document": "kst-28638-161",
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
    }
    assert client.post("/maatregelen/nieuw", data=data).status_code == 302
    measure = session.exec(select(Measure).where(Measure.code == "STM-1-99")).one()
    assert measure.status_code == "onbekend" and measure.announcement == "nieuw"
    again = client.post("/maatregelen/nieuw", data=data)
    assert again.status_code == 400 and "al in gebruik" in again.get_data(as_text=True)
    bad = client.post("/maatregelen/nieuw", data={**data, "code": "../x y"})
    assert bad.status_code == 400 and "Gebruik letters, cijfers" in bad.get_data(as_text=True)


@pytest.mark.postgres  # ordered by dates in SQL
def test_my_measures_puts_overdue_and_stale_first(client, auth, session, create_measure, politie):
    create_measure("CT-B-90", "Nooit bijgewerkt", lead="Politie")
    create_measure("CT-B-91", "Recent bijgewerkt", lead="Politie", status="in_uitvoering", status_on=date(2024, 1, 1))
    auth.login(politie["user"].email)
    html = client.get("/mijn-maatregelen").get_data(as_text=True)
    # CT-B-04 is overdue; then the never-updated one; then the recently updated one.
    assert html.index(">CT-B-04 ") < html.index(">CT-B-90 ") < html.index(">CT-B-91 ")


# --- bulk ---------------------------------------------------------------------------------


@pytest.mark.postgres  # dates and decimals read back for the export
def test_export_filtered_list_as_csv_and_xlsx(client, politie):
    response = client.get("/maatregelen/export.csv?owner=Politie")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (
        [r["code"] for r in rows] == ["CT-B-04"]
        and rows[0]["status"] == "in_uitvoering"
        and rows[0]["stand_per"] == "2018-05-25"
    )
    book = load_workbook(io.BytesIO(client.get("/maatregelen/export.xlsx").data))
    assert [c.value for c in book.active[1]][:3] == ["code", "titel", "trekker"]
    assert book.active.max_row == 3
    assert client.get("/maatregelen/export.csv?status=klaar").status_code == 400
    assert client.get("/maatregelen/export.pdf").status_code == 404


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "status", "stand_per", "toelichting", "bewijs_document", "bewijs_link"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _import(client, content, name="statussen.xlsx"):
    return client.post("/maatregelen/import", data={"file": (content, name)}, content_type="multipart/form-data")


@pytest.mark.postgres  # one transaction for the whole import
def test_import_records_all_rows(client, auth, session, politie, create_measure):
    create_measure("CT-B-05", "Tweede", lead="Politie", status="gepland")
    auth.login(politie["user"].email)
    response = _import(
        client,
        _xlsx(
            [
                ["CT-B-04", "deels_gerealiseerd", "2021-01-01", "Deels", "kst-28638-161", ""],
                ["CT-B-05", "In uitvoering", date(2021, 2, 1), "", "", "https://example.nl/brief"],
            ]
        ),
    )
    assert response.status_code == 302
    assert _count(session, StatusUpdate) == 5


@pytest.mark.postgres  # the rollback of a whole import
def test_import_with_one_bad_row_is_rolled_back(client, auth, session, politie):
    auth.login(politie["user"].email)
    before = _count(session, StatusUpdate)
    rows = [
        ["CT-B-04", "deels_gerealiseerd", "2021-01-01", "", "", ""],
        ["CT-B-06", "gerealiseerd", "2021-01-01", "", "", ""],  # another organisation's measure
        ["CT-X-99", "klaar", "gisteren", "", "kst-0", "ftp://x"],
    ]
    response = _import(client, _xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Niets geïmporteerd: 2 rij(en) met fouten" in html
    for message in (
        "U mag de status van CT-B-06 niet wijzigen.",
        "Onbekende maatregel: CT-X-99.",
        "Onbekende status: klaar.",
        "Ongeldige datum bij stand_per",
        "Onbekend brondocument: kst-0.",
        "https://",
    ):
        assert message in html, message
    assert _count(session, StatusUpdate) == before
    session.refresh(politie["measure"])
    assert politie["measure"].status_code == "in_uitvoering"


@pytest.mark.postgres  # stored values compared with the file's
def test_import_reads_back_its_own_export_without_duplicates(client, auth, session, politie):
    auth.login(politie["user"].email)
    exported = client.get("/maatregelen/export.csv?owner=Politie").data
    before = _count(session, StatusUpdate)
    response = _import(client, io.BytesIO(exported), "export.csv")
    assert response.status_code == 302
    assert _count(session, StatusUpdate) == before


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"code;status\nCT-B-04;gepland\n", "a.csv", "Verplichte kolommen ontbreken: stand_per."),
        (b"\xff\xfe\x00", "a.csv", "geen UTF-8"),
        (b"not a zip", "a.xlsx", "kan niet worden gelezen"),
        (b"code,status,stand_per\n", "a.txt", "Alleen .xlsx- of .csv-bestanden."),
    ],
)
def test_import_file_errors(client, auth, politie, content, name, message):
    auth.login(politie["user"].email)
    response = _import(client, io.BytesIO(content), name)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_export_neutralises_spreadsheet_formulas(client, session, politie):
    politie["measure"].title = '=HYPERLINK("http://evil")'
    session.add(politie["measure"])
    states.refresh(session, [politie["measure"].id])  # a write past the services: derive its state again
    session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/maatregelen/export.csv").get_data(as_text=True))))
    assert rows[0]["titel"].startswith("'=")


def _error_summary(html: str) -> list[tuple[str, str]]:
    """The error summary's entries as (link target, text)."""
    summary = html.split('id="foutoverzicht"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="utrecht-link" href="#([^"]+)">([^<]*)</a>', summary)


def _edit_budget(client, politie, amount: str):
    """Save CT-B-04's edit form with one budget line of `amount`, as typed."""
    data = {
        "title": "Webcrawler",
        "lead": "Politie",
        "budget-0-amount": amount,
        "budget-0-kind": "structureel",
        "budget-0-per": "jaar",
        "budget-0-from_year": "2019",
        "budget-0-funding": "Begroting",
        "version": str(politie["measure"].version),
    }
    return client.post("/maatregelen/CT-B-04/bewerken", data=data)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Geef een bedrag in euro, bijvoorbeeld 1.000.000 of 1.250,50."),
        ("-5", "Geef een bedrag van 0 of meer."),
        ("1,2,3", "Geef een bedrag in euro, bijvoorbeeld 1.000.000 of 1.250,50."),
        ("12,345", "Geef een bedrag met hoogstens twee cijfers achter de komma."),
        ("9999999999999", "Geef een bedrag van hoogstens 999.999.999.999 euro."),
    ],
)
def test_a_bad_budget_amount_is_one_dutch_message_linked_to_its_field(
    client, auth, create_user, politie, typed, message
):
    """The summary of a budget line's error names the line and the field, links to an id on the page,
    and says what the field says: never a dict, never English, never a contradiction."""
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    response = _edit_budget(client, politie, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _error_summary(html) == [("budget-0-amount", f"Budgetregel 1, Bedrag (€): {message}")]
    assert 'id="budget-0-amount"' in html and f'value="{typed}"' in html  # shown back as typed
    field_error = html.split('id="budget-0-amount-fout"', 1)[1].split("</div>", 1)[0]
    assert message in field_error and "{" not in html.split('id="foutoverzicht"', 1)[1].split("</div>", 1)[0]
    assert "Not a valid" not in html


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("1.000,50", "1000.50"),
        ("1.000.000", "1000000.00"),
        ("€ 2 500", "2500.00"),
        ("1250.5", "1250.50"),
        ("12,5", "12.50"),
    ],
)
def test_dutch_amounts_are_accepted(client, auth, session, create_user, politie, typed, saved):
    auth.login(create_user("programmacoordinator", email="p@jenv.nl").email)
    assert _edit_budget(client, politie, typed).status_code == 302
    session.expire_all()
    from measures.register import services

    assert [line["amount"] for line in services.measure_fields(session, politie["measure"])["budget"]] == [saved]
    # The form shows it back the Dutch way, and sending that back changes nothing.
    html = client.get("/maatregelen/CT-B-04/bewerken").get_data(as_text=True)
    shown = re.search(r'id="budget-0-amount"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*id="budget-0-amount"', html
    )
    from measures.core.forms import format_amount

    assert shown and shown[1] == format_amount(Decimal(saved))


@given(st.decimals(min_value=0, max_value=Decimal("999999999999"), places=2, allow_nan=False))
def test_an_amount_reads_back_as_it_is_shown(amount):
    from measures.core.forms import format_amount, parse_amount

    assert parse_amount(format_amount(amount)) == amount


def test_invalid_input_is_shown_back_in_a_text_box_not_a_date_or_link_field(client, auth, politie):
    """A date input cannot hold 31-02-2024 and a url input cannot hold 'geen link' (invalid HTML,
    and the browser would drop it): such input comes back in a text box, as typed."""
    auth.login(politie["user"].email)
    html = _status(
        client, "CT-B-04", version=politie["measure"].version, as_of="31-02-2024", evidence_url="geen link"
    ).get_data(as_text=True)

    def control(page: str, name: str) -> str:
        return re.search(rf'<input[^>]*\bid="{name}"[^>]*>', page)[0]

    assert 'type="text"' in control(html, "as_of") and 'value="31-02-2024"' in control(html, "as_of")
    assert 'type="text"' in control(html, "evidence_url") and 'value="geen link"' in control(html, "evidence_url")
    # Valid input, or none, keeps its own type.
    html = client.get("/maatregelen/CT-B-04/status").get_data(as_text=True)
    assert 'type="date"' in control(html, "as_of") and 'type="url"' in control(html, "evidence_url")
