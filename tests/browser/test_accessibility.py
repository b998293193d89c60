"""WCAG 2.1 AA: axe-core on every page type, signed in as every role (each distinct rendering once);
and one form by keyboard only."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC_PAGES = [
    "/",
    "/?as_of=2019-12-05",
    "/maatregelen",
    "/maatregelen?theme=contouren:b&status=klaar",  # a form with errors
    "/maatregelen/CT-B-04",
    "/maatregelen/CT-D-02",  # indicators: the line chart and its table
    "/maatregelen/CT-C-07?as_of=2019-12-05",
    "/maatregelen/CT-C-07?as_of=2019-12-05&weergave=register",  # as the register showed it then: not yet
    "/maatregelen/CT-B-04?as_of=2001-01-01",  # not yet registered on that date
    "/vergelijken",
    "/zoeken?q=trainingen+eerstelijns",
    "/documenten",
    "/documenten/nr-2019-11",
    "/aanbevelingen",
    "/vergelijken?van=2018-06-01&tot=2020-01-01",
    "/open-data",
    "/toegankelijkheid",
    "/controles/regels",
    "/login",
    "/bestaat-niet",
]
# The English pages, with their own longer words. Visited last: the choice of language stays for the
# rest of the session, and the pages before it are checked in Dutch.
LAST_PAGES = ["/toegankelijkheid?lang=en"]
SIGNED_IN_PAGES = ["/mijn-maatregelen", "/controles", "/rapportages", "/profiel", "/profiel/wachtwoord", "/rapporteur"]
ROLE_PAGES = {
    "admin": ["/beheer/gebruikers"],
    "programmacoordinator": [
        "/maatregelen/CT-B-04/status",
        "/maatregelen/CT-B-04/deadline",
        "/maatregelen/CT-B-04/bewerken",
        "/maatregelen/nieuw",
        "/maatregelen/import",
        "/documenten/kst-28638-199/voorstellen",
        "/documenten/kst-28638-199",
        "/documenten/nieuw",
        "/maatregelen/CT-D-02/metingen/nieuw",
        "/maatregelen/CT-D-02/indicatoren/nieuw",
        "/maatregelen/CT-D-02/indicatoren/CT-D-02-I1/intrekken",
    ],
    "coordinator": [
        "/maatregelen/CT-B-04/status",
        "/maatregelen/import",
        "/documenten/kst-28638-199/voorstellen",
        "/maatregelen/CT-B-02/metingen/nieuw",
    ],
    "rapporteur": ["/aanbevelingen/nieuw"],
    "lezer": [],
}


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def _axe_script() -> str:
    """axe-core as axe-playwright-python ships it, to load into every page of a context once."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


# What a page's main content was when axe last checked it, per path. A role changes the header of
# every page and the main content of some (forms, actions). Each role's header is checked on one
# page in full (HEADER_PAGE); after that, a page whose main content is the same as a rendering
# already checked is not checked again.
HEADER_PAGE = {None: "/toegankelijkheid"}  # signed in: /profiel
SCANNED: set[tuple[str, int]] = set()
MAIN_WITHOUT_TOKENS = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('input[name=csrf_token]').forEach(input => input.removeAttribute('value'));
  return main.outerHTML;
}"""


# The page types that answer with an error page on purpose; every other one must answer 200, so that
# no checker passes an error page in its place.
EXPECTED_STATUS = {
    "/bestaat-niet": 404,
    "/maatregelen/CT-B-04?as_of=2001-01-01": 404,
    # The register learnt of the catalogue when it was seeded (today): on 2019-12-05 it did not know it.
    "/maatregelen/CT-C-07?as_of=2019-12-05&weergave=register": 404,
}


def visit(page, path: str):
    """Open a page type and return the response, after checking its status."""
    response = page.goto(path)
    assert response.status == EXPECTED_STATUS.get(path, 200), (path, response.status)
    return response


def _scan(page, path: str, *, once: bool = False) -> list[str]:
    """Run axe on a page; with `once`, not when its main content was checked already."""
    visit(page, path)
    if once:
        rendering = (path, hash(page.evaluate(MAIN_WITHOUT_TOKENS)))
        if rendering in SCANNED:
            return []
        SCANNED.add(rendering)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


@pytest.mark.parametrize("role", [None, "admin", "programmacoordinator", "coordinator", "rapporteur", "lezer"])
def test_every_page_type_has_no_axe_violations(page_for, role):
    page = page_for(role, init_script=_axe_script())
    paths = PUBLIC_PAGES + ([] if role is None else SIGNED_IN_PAGES + ROLE_PAGES[role]) + LAST_PAGES
    header_page = HEADER_PAGE.get(role, "/profiel")
    assert header_page in paths
    violations = []
    for path in paths:
        violations += _scan(page, path, once=path != header_page)
    assert violations == [], "\n".join(violations)


def test_status_form_by_keyboard_only(page_for):
    page = page_for("coordinator")
    page.goto("/maatregelen/CT-B-02/status")
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.textContent.trim()")
    assert first == "Direct naar de inhoud"  # the skip link comes first
    page.keyboard.press("Enter")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        element = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {id: e.id, tag: e.tagName, text: e.textContent.trim().slice(0, 40), outline: s.outlineStyle, width: s.outlineWidth}; })()"
        )
        order.append(element)
        # Every focused element shows it: a visible outline.
        assert element["outline"] != "none" and element["width"] != "0px", element
        if element["tag"] == "BUTTON" and element["text"] == "Status vastleggen":
            break
    ids = [
        e["id"]
        for e in order
        if e["id"] in ("status", "as_of", "note", "evidence_document", "evidence_url", "reports_problem")
    ]
    fields = [field for i, field in enumerate(ids) if i == 0 or ids[i - 1] != field]  # a date input has a stop per part
    assert fields == ["status", "as_of", "note", "evidence_document", "evidence_url", "reports_problem"]
    assert order[-1]["text"] == "Status vastleggen"
    # Fill it in by keyboard and submit with Enter.
    page.focus("#status")
    page.keyboard.press("ArrowDown")
    page.focus("#note")
    page.keyboard.type("Met het toetsenbord vastgelegd.")
    page.focus("button:has-text('Status vastleggen')")
    screenshot(page, "toetsenbord-focus")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Met het toetsenbord vastgelegd." in page.locator("main").inner_text()
