"""Every measure form saves exactly as the browser renders it: no 400 for a default choice (issue 13, point 12)."""

import pytest
from sqlmodel import Session, select

from models import Measure
from models.db import get_engine

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _submit_as_rendered(page, path: str, button: str):
    """Open a form page, press its submit button without touching a field, and return the response
    to what the browser sent (once its headers arrive: the page it leads to is not the point)."""
    page.goto(path, wait_until="domcontentloaded")
    with page.expect_navigation(wait_until="commit") as navigation:
        page.click(f"main button[type=submit]:has-text('{button}')")
    return navigation.value


# The browser's own form submission algorithm, without the navigation: the entry list the browser
# builds for this form and this submit button (HTML's "constructing the entry list", which a click
# uses too), encoded as the form's enctype says, sent from the page with its cookies. The answer is
# read without following the redirect: a redirect means saved, anything else is the form again.
SEND_AS_SUBMITTED = """async (button) => {
  const submitter = document.querySelector(`main button[type=submit]`);
  const form = submitter.form;
  const entries = new FormData(form, submitter);
  const body = form.enctype === "multipart/form-data" ? entries : new URLSearchParams(entries);
  const answer = await fetch(form.action, {method: "POST", body, redirect: "manual"});
  if (answer.type === "opaqueredirect") return {saved: true, status: 302, errors: []};
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  const errors = [...page.querySelectorAll(".utrecht-form-field-error-message")].map(e => e.textContent.trim());
  return {saved: false, status: answer.status, errors};
}"""


def test_every_edit_form_saves_as_rendered(page_for, live_server):
    """Every measure's edit form, opened and sent untouched, saves. The first is clicked for real;
    the others are sent with the entry list the browser builds, which is what a click sends."""
    with Session(get_engine(live_server["app"])) as session:
        codes = session.exec(select(Measure.code).order_by(Measure.code)).all()
    assert len(codes) > 60
    page = page_for("programmacoordinator")
    first = _submit_as_rendered(page, f"/maatregelen/{codes[0]}/bewerken", "Opslaan")
    assert first.status < 400 and page.url.endswith(f"/maatregelen/{codes[0]}")
    refused = []
    for code in codes[1:]:
        page.goto(f"/maatregelen/{code}/bewerken", wait_until="domcontentloaded")
        outcome = page.evaluate(SEND_AS_SUBMITTED)
        if not outcome["saved"]:
            refused.append((code, outcome["status"], outcome["errors"]))
    assert refused == []


def test_new_measure_form_saves_with_only_the_required_fields(page_for):
    page = page_for("programmacoordinator")
    page.goto("/maatregelen/nieuw")
    page.fill("#code", "TEST-FORM-1")
    page.fill("#title", "Maatregel uit de browser, met de standaardkeuzes")
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]:has-text('Maatregel aanmaken')")
    assert navigation.value.status < 400
    assert page.url.endswith("/maatregelen/TEST-FORM-1")


def test_indicator_and_measurement_forms_save_as_rendered(page_for, live_server):
    """An indicator with only its name, unit and target (every select at its default, the optional
    dates and quotes empty); then a measurement of it with only a value (the date as rendered)."""
    page = page_for("programmacoordinator")
    page.goto("/maatregelen/CT-A-01/indicatoren/nieuw")
    page.fill("#name", "Regionale tafels")
    page.fill("#unit", "tafels")
    page.fill("#target_value", "10")
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]:has-text('Indicator toevoegen')")
    assert navigation.value.status < 400 and "/maatregelen/CT-A-01" in page.url
    page.goto("/maatregelen/CT-A-01/metingen/nieuw")
    page.fill("#value", "3")
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]:has-text('Meting vastleggen')")
    assert navigation.value.status < 400 and "/maatregelen/CT-A-01" in page.url
    with Session(get_engine(live_server["app"])) as session:
        from models import Indicator, IndicatorMeasurement

        indicator = session.exec(select(Indicator).where(Indicator.code == "CT-A-01-I1")).one()
        (measurement,) = session.exec(
            select(IndicatorMeasurement).where(IndicatorMeasurement.indicator_id == indicator.id)
        ).all()
    assert (indicator.basis, indicator.target_on, indicator.baseline_value) == ("onbekend", None, None)
    assert measurement.value == 3 and measurement.measured_precision == "dag"
    assert page.locator(".indicator-compact").first.inner_text() == "3 / 10 (30 %)"
