"""One row per measure wherever flags are listed, one order everywhere, silence apart: the gap
page, the overview, Mijn maatregelen, the API and the rules page, on the seeded catalogue."""

import re
from datetime import UTC, datetime

import pytest

from measures.checks.rules import Thresholds, run_checks
from measures.core import clock

pytestmark = pytest.mark.postgres  # persisted flags and their one order, read back from the database

NAMED_STALLS = ("CT-B-04", "CT-B-02", "CT-C-07", "CT-A-03")


@pytest.fixture
def checked(seeded, session):
    """The seeded catalogue, checked today (persisted flags)."""
    session.info.clear()
    run_checks(session, now=clock.now(), thresholds=Thresholds(), trigger="test", persist=True)


def _stalled_rows(html: str) -> list[str]:
    """Return the measure codes of the stalled table's rows, in page order."""
    table = html.split('id="kop-vastgelopen"')[1].split("</table>")[0]
    return re.findall(r'<th class="utrecht-table__header-cell" scope="row"><a [^>]*>([A-Z0-9-]+)</a>', table)


def _every(client, url: str) -> list:
    """Every item of a paged API collection, page after page."""
    items = []
    while url:
        response = client.get(url)
        items += response.get_json()["items"]
        url = next(
            (p.split(";")[0].strip().strip("<>") for p in response.headers["Link"].split(",") if 'rel="next"' in p),
            None,
        )
    return items


def test_gap_page_lists_each_stalled_measure_once_in_the_one_order(client, auth, checked, create_user):
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    html = client.get("/rapporteur").get_data(as_text=True)
    rows = _stalled_rows(html)
    assert len(rows) == len(set(rows)) > 0
    api = client.get("/api/v1/flagged-measures?pageSize=200").get_json()["items"]
    assert rows == [item["measure_code"] for item in api if item["stall_level"]]
    highest = [item["measure_code"] for item in api if item["stall_level"] == 3]
    assert set(NAMED_STALLS) <= set(rows[: len(highest)]) == set(highest)
    # Silence has its own section, label and counts, and no stall badge.
    silence = html.split('id="kop-monitoringgat"')[1]
    assert "Monitoringgat per trekker" in silence and "geen trekker" in silence
    assert "severity-badge" not in silence.split("<details")[0]
    # The page no longer lists every flag as a row: one row per stalled measure, lists of silent
    # measures folded away.
    flags = _every(client, "/api/v1/flags?pageSize=200")
    assert len(rows) == len({f["measure_code"] for f in flags if f["kind"] == "stall"}) < len(flags) / 10
    assert silence.index("<details") < silence.index("Open maatregelen zonder trekker")


def test_gap_page_for_a_past_date_shows_that_dates_signals(client, auth, checked, create_user):
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    rows = _stalled_rows(client.get("/rapporteur?as_of=2019-12-05").get_data(as_text=True))
    assert set(NAMED_STALLS) <= set(rows[: len(NAMED_STALLS) + 1])
    assert "CT-D-01" not in rows  # its deadline (2022) had not passed on 5 December 2019


def test_gap_workbook_has_one_row_per_stalled_measure(client, auth, checked, create_user):
    import io

    from openpyxl import load_workbook

    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    book = load_workbook(io.BytesIO(client.get("/rapporteur/hiaten.xlsx").data))
    sheet = book["Vastgelopen"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(codes) == len(set(codes)) and set(NAMED_STALLS) <= set(codes)
    assert "Monitoringgat per trekker" in book.sheetnames


def test_my_measures_puts_the_police_stall_first(client, auth, checked, create_user):
    auth.login(create_user("coordinator", "Politie").email)
    html = client.get("/mijn-maatregelen").get_data(as_text=True)
    codes = re.findall(r'href="/maatregelen/([A-Z0-9-]+)">\1 ', html)
    assert codes and codes[0] in ("CT-B-02", "CT-B-04")
    assert codes.index("CT-B-04") < codes.index("CT-B-01")  # evidence of a stall before mere silence


def test_overview_counts_levels_and_silence_apart(client, auth, checked, create_user):
    auth.login(create_user("lezer").email)
    items = client.get("/api/v1/flagged-measures?pageSize=200").get_json()["items"]
    auth.logout()
    stalled = [i for i in items if i["stall_level"]]
    highest = {i["measure_code"] for i in stalled if i["stall_level"] == 3}
    html = client.get("/").get_data(as_text=True)
    assert f"{len(stalled)} maatregelen met aanwijzingen dat zij vastlopen." in html
    section = html.split('id="kop-signaleringen"')[1].split("</section>")[0]
    top = _stalled_rows('id="kop-vastgelopen"' + section)
    assert set(NAMED_STALLS) <= set(top) == highest
    assert "weet het register te weinig" in section and "silence-badge" in section


def test_overview_lists_the_first_of_the_highest_level_and_links_to_all(client, checked, session, monkeypatch):
    from measures.checks.rules import level_counts
    from measures.register import queries

    signals = queries.open_signals(session)
    highest = [s.measure_code for s in signals if s.level == 3]
    assert len(highest) > 2
    # The counts from plain columns are the counts of the signals read whole.
    counts = queries.flag_counts(session)
    assert {k: counts[k] for k in ("by_level", "stalled", "silent", "silence_facts")} == level_counts(signals)
    assert counts["measures"] == len(signals) and counts["highest"] == len(highest)
    monkeypatch.setattr(queries, "OVERVIEW_TOP", 2)
    section = client.get("/").get_data(as_text=True).split('id="kop-signaleringen"')[1].split("</section>")[0]
    assert _stalled_rows('id="kop-vastgelopen"' + section) == highest[:2]
    assert f"Alle {len(highest)} maatregelen met het hoogste niveau" in section
    assert "/maatregelen?flagged=3" in section


def test_api_flagged_measures_one_item_per_measure(client, auth, checked, create_user):
    auth.login(create_user("lezer").email)
    items = client.get("/api/v1/flagged-measures?pageSize=200").get_json()["items"]
    codes = [i["measure_code"] for i in items]
    assert len(codes) == len(set(codes))
    keys = [(-i["stall_level"], -i["score"], i["oldest_evidence_on"] or "9999") for i in items]
    assert keys == sorted(keys)
    webcrawler = next(i for i in items if i["measure_code"] == "CT-B-04")
    assert webcrawler["stall_level_label"] == "hoog"
    assert [r["rule"] for r in webcrawler["stall_reasons"]] == ["negatief_bewijs"]
    assert "geen_deadline" in webcrawler["silence"]
    flags = _every(client, "/api/v1/flags?pageSize=200")
    silent = [f for f in flags if f["kind"] == "silence"]
    assert silent and {(f["rule_level"], f["rule_level_label"]) for f in silent} == {(0, "stilte")}


def test_rules_page_explains_each_rule_for_a_rapporteur(client):
    html = client.get("/controles/regels").get_data(as_text=True)
    for rule in ("regel-negatief_bewijs", "regel-deadline_verstreken", "regel-geen_update", "regel-monitoringgat"):
        assert f'id="{rule}"' in html
    assert "Stilte is geen bewijs" in html and "onafhankelijke soorten" in html


def test_detail_page_shows_silence_as_a_monitoring_gap_not_a_severity(client, checked):
    html = client.get("/maatregelen/CT-B-01").get_data(as_text=True)
    section = html.split('id="kop-signaleringen"')[1].split("</section>")[0]
    assert "Geen aanwijzingen dat deze maatregel vastloopt." in section
    assert "silence-badge" in section and "Regelniveau" not in section


def test_check_run_page_counts_stalled_and_silent_measures(client, auth, checked, create_user, session):
    auth.login(create_user("programmacoordinator").email)
    html = client.get("/controles").get_data(as_text=True)
    assert "Monitoringgat" in html
    session.info.clear()
    run, evaluation = run_checks(
        session, now=datetime(2019, 12, 5, 12, tzinfo=UTC), thresholds=Thresholds(), trigger="test", persist=False
    )
    assert run.measures_stalled == sum(1 for s in evaluation.signals if s.level) >= len(NAMED_STALLS)
    assert run.measures_silent == sum(1 for s in evaluation.signals if s.silence) > run.measures_stalled
    # The page lists the run the fixture stored today, with its two counts.
    session.info.clear()
    today, _ = run_checks(session, now=clock.now(), thresholds=Thresholds(), trigger="test", persist=False)
    html = client.get("/controles").get_data(as_text=True)
    assert re.search(rf">{today.measures_stalled}</td>\s*<td[^>]*>{today.measures_silent}</td>", html)


def test_oldest_evidence_keeps_the_precision_of_its_date(client, auth, checked, create_user):
    auth.login(create_user("rapporteur", email="r@nrm.nl").email)
    html = client.get("/rapporteur").get_data(as_text=True)
    row = html.split(">CT-B-04</a>")[1].split("</tr>")[0]
    assert ">2023</td>" in row and "31-12-2023" not in row  # the webcrawler's 2023 is a year, not a day
    items = client.get("/api/v1/flagged-measures?pageSize=200").get_json()["items"]
    webcrawler = next(i for i in items if i["measure_code"] == "CT-B-04")
    assert (webcrawler["oldest_evidence_on"], webcrawler["oldest_evidence_precision"]) == ("2023-12-31", "jaar")
