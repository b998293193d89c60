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


def test_every_edit_form_saves_as_rendered(page_for, live_server):
    with Session(get_engine(live_server["app"])) as session:
        codes = session.exec(select(Measure.code).order_by(Measure.code)).all()
    assert len(codes) > 60
    page = page_for("programmacoordinator")
    refused = []
    for code in codes:
        response = _submit_as_rendered(page, f"/maatregelen/{code}/bewerken", "Opslaan")
        if response.status >= 400 or "/bewerken" in page.url:
            page.wait_for_load_state()
            refused.append((code, response.status, page.locator(".utrecht-form-field-error-message").all_inner_texts()))
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
