"""A live app on 127.0.0.1 with the catalogue and one account per role, driven by headless Chromium."""

import os
import shutil
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from app import create_app
from measures.accounts import services as accounts
from measures.checks.rules import Thresholds, run_checks
from models.db import get_engine
from tests.conftest import PASSWORD, TEST_DATABASE_URL

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROLES = {
    "admin": None,
    "programmacoordinator": None,
    "coordinator": "Politie",
    "rapporteur": None,
    "lezer": None,
}
SCREENSHOTS = Path(os.environ.get("MM_SCREENSHOTS", Path(tempfile.gettempdir()) / "maatregelmonitor-screenshots"))

pytestmark = pytest.mark.browser


def email_for(role: str) -> str:
    return f"{role}@browser.test"


# A letter read in, so that the review of its proposals is a page type the browser tests see.
LETTER = (
    "Tweede Kamer der Staten-Generaal, 28 638, nr. 199\n\nDen Haag, 3 maart 2021\n\n"
    "De webcrawler van de politie is in 2020 volledig in gebruik genomen.\n\n"
    "De training van alle eerstelijns politiemedewerkers in het herkennen van signalen van mensenhandel "
    "is vertraagd en nog niet afgerond.\n"
)


def _ingest_letter(session) -> None:
    from datetime import date

    from measures.sources import extract, proposals, services

    data = LETTER.encode()
    extracted = extract.extract(data, "brief.txt")
    result = services.ingest(
        session, data=data, extracted=extracted, by="test", now=datetime.now(UTC),
        reference="Kamerstuk 28 638 nr. 199", day=date(2021, 3, 3),
    )  # fmt: skip
    services.store_proposals(session, result.document, proposals.propose(session, extracted.paragraphs))
    session.commit()


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    if TEST_DATABASE_URL:
        pytest.skip("the browser tests run once, on SQLite")
    path = tmp_path_factory.mktemp("browser") / "browser.db"
    shutil.copy(request.getfixturevalue("seeded_template"), path)  # migrated and seeded (`flask seed`)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-tests", "PUBLIC_READ": True})
    with Session(get_engine(app)) as session:
        for role, organisation in ROLES.items():
            accounts.create_user(
                session=session,
                email=email_for(role),
                name=f"Test {role}",
                role=role,
                password=PASSWORD,
                organisation=organisation,
            )
        session.commit()
        run_checks(session, now=datetime.now(UTC), thresholds=Thresholds(), trigger="test", persist=True)
        _ingest_letter(session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    args = [
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


class Pages:
    """Opens fresh browser contexts, signed in as a role (or anonymous with None), and closes them."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server, self.contexts = browser, live_server, []

    def __call__(self, role: str | None, *, init_script: str | None = None, context_options: dict | None = None):
        """`init_script` runs in every page before the page's own scripts (e.g. axe-core, once per context);
        `context_options` go to the browser context (a viewport, a device scale factor)."""
        context = self.browser.new_context(
            base_url=self.live_server["url"], locale="nl-NL", accept_downloads=True, **(context_options or {})
        )
        if init_script:
            context.add_init_script(script=init_script)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        if role is not None:
            page.goto("/login")
            page.fill("#email", email_for(role))
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/mijn-maatregelen")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


@pytest.fixture
def page_for(browser, live_server):
    """Open a fresh browser context, signed in as a role (or anonymous with None)."""
    pages = Pages(browser, live_server)
    yield pages
    pages.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
