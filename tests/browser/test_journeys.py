"""End-to-end journeys in headless Chromium: what a coordinator, the rapporteur and the programme
team actually do."""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_login_filter_search_open_and_record_a_status(page_for):
    page = page_for("coordinator")
    assert page.locator("h1").inner_text() == "Mijn maatregelen"
    screenshot(page, "mijn-maatregelen")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Maatregelen", exact=True).click()
    page.select_option("#owner", "Politie")
    page.fill("#q", "webcrawler")
    page.click("text=Filter toepassen")
    assert "owner=Politie" in page.url and "q=webcrawler" in page.url
    rows = page.locator("table.measure-table tbody tr")
    assert 1 <= rows.count() < 10 and "CT-B-04" in page.locator("table.measure-table").inner_text()
    screenshot(page, "maatregelen-gefilterd")
    rows.filter(has_text="CT-B-04").locator("a").click()
    assert "CT-B-04" in page.locator("h1").inner_text()
    screenshot(page, "maatregel-detail")
    page.click("text=Status vastleggen")
    page.select_option("#status", "deels_gerealiseerd")
    page.fill("#note", "Webcrawler draait bij twee eenheden; browsertest.")
    page.select_option("#evidence_document", "kst-28638-164")
    screenshot(page, "status-formulier")
    page.click("button:has-text('Status vastleggen')")
    page.wait_for_url(re.compile(r".*/maatregelen/CT-B-04#kop-tijdlijn"))
    assert page.locator("text=De status is vastgelegd.").is_visible()
    timeline = page.locator("#kop-tijdlijn + ol")
    assert "Webcrawler draait bij twee eenheden; browsertest." in timeline.inner_text()
    assert "Kamerstuk 28 638 nr. 164" in timeline.inner_text()


def test_edit_conflict_is_shown_and_resolved(page_for):
    first, second = page_for("programmacoordinator"), page_for("coordinator")
    for page in (first, second):
        page.goto("/maatregelen/CT-B-01/deadline")
    first.fill("#new_deadline", "2027-12-31")
    first.fill("#reason", "Eerste planning")
    first.click("button:has-text('Deadline wijzigen')")
    first.wait_for_url(re.compile(r".*/maatregelen/CT-B-01#kop-deadlines"))
    second.fill("#new_deadline", "2028-06-30")
    second.fill("#reason", "Tweede planning")
    second.click("button:has-text('Deadline wijzigen')")
    assert second.locator("text=Iemand anders was u voor").is_visible()
    assert "Eerste planning" in second.locator(".conflict").inner_text()
    screenshot(second, "conflict")
    second.click("button:has-text('Deadline wijzigen')")  # send again, knowingly, on top of the first change
    second.wait_for_url(re.compile(r".*/maatregelen/CT-B-01#kop-deadlines"))
    history = second.locator("section[aria-labelledby=kop-deadlines] .table-scroll").inner_text()
    assert "Eerste planning" in history and "Tweede planning" in history


def test_acknowledge_a_flag(page_for):
    page = page_for("coordinator")
    page.goto("/maatregelen/CT-B-04")
    flag = page.locator(".flag").first
    flag.locator("summary").click()
    flag.locator("textarea").fill("Uitrol staat gepland; browsertest.")
    flag.locator("button:has-text('Bevestigen')").click()
    page.wait_for_load_state()
    assert page.locator("text=De signalering is bevestigd.").is_visible()
    assert "Uitrol staat gepland; browsertest." in page.locator("#kop-signaleringen").locator("..").inner_text()


def test_compare_two_dates(page_for):
    page = page_for("rapporteur")
    page.goto("/vergelijken")
    page.fill("#van", "2018-06-01")
    page.fill("#tot", "2020-01-01")
    page.click("button:has-text('Vergelijken')")
    assert "Statuswijzigingen (" in page.locator("#kop-status").inner_text()
    assert page.locator("text=CT-C-01").first.is_visible()
    screenshot(page, "vergelijken")


def test_generate_a_report_edition_and_download_it(page_for, tmp_path):
    page = page_for("programmacoordinator")
    page.goto("/rapportages")
    page.fill("#as_of", "2019-12-05")
    page.click("button:has-text('Editie maken')")
    # The job page refreshes itself until the edition is ready, then sends us to the list.
    page.wait_for_url(re.compile(r".*/rapportages#editie-\d+"), timeout=120000)
    screenshot(page, "rapportages")
    with page.expect_download() as download_info:
        page.locator("a:has-text('PDF')").first.click()
    target = tmp_path / "editie.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert re.search(r"[0-9a-f]{64}", page.locator("table").inner_text())
