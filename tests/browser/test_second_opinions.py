"""Second opinions on every page type, for every role, and on the pages with errors shown:

- the W3C Nu Html Checker (vnu.jar, pinned in tests/checkers, run with Debian's Java) on the HTML
  exactly as the server sent it: zero errors;
- HTML_CodeSniffer (the engine pa11y uses, pinned in tests/checkers), WCAG 2 AA, in the page: zero
  errors;
- reflow (WCAG 1.4.10) at 320 x 800 CSS px and at 1280 px zoomed to 400 % (and 200 %): the page never scrolls
  sideways; only a data table may, inside its own scrolling region that says so and can be reached
  by keyboard. A screenshot of each page type at 320 px is kept to look at.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, Pages
from tests.browser.test_accessibility import LAST_PAGES, PUBLIC_PAGES, ROLE_PAGES, SIGNED_IN_PAGES, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKERS = Path(__file__).resolve().parents[1] / "checkers" / "node_modules"
VNU = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMLCS = CHECKERS / "html_codesniffer" / "build" / "HTMLCS.js"
ROLES = [None, "admin", "programmacoordinator", "coordinator", "rapporteur", "lezer"]


def _require(path: Path, what: str) -> None:
    """Skip without a checker on a developer's machine; in CI (CI=true) a missing checker fails."""
    if path.exists() and (path != VNU or shutil.which("java")):
        return
    message = f"{what} is not installed (make checkers; .ci/run installs Java and npm)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _paths(role: str | None) -> list[str]:
    return PUBLIC_PAGES + ([] if role is None else SIGNED_IN_PAGES + ROLE_PAGES[role]) + LAST_PAGES


def _slug(role: str | None, path: str) -> str:
    return f"{role or 'anoniem'}{re.sub(r'[^a-z0-9]+', '-', path.lower())}".strip("-")


# --- pages with errors shown, submitted through the browser as a user would -------------------------


def _submit(page, button: str):
    """Click a form's submit button; return the response to the POST (its HTML as the server sent it)."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click(button)
    page.wait_for_load_state()
    return answer.value


# What a posted page's check needs: its HTML as sent (Nu), and the page itself, loaded (reflow).
Inspect = Callable[[str, object, str], None]

IMPORT_CSV = (
    "code,status,stand_per,toelichting,bewijs_document,bewijs_link\n"
    "CT-B-04,deels_gerealiseerd,2021-01-01,,,\n"
    "CT-X-99,klaar,gisteren,,kst-0,ftp://x\n"
)


UPLOADED_LETTER = (
    "Tweede Kamer der Staten-Generaal, 28 638, nr. 201\n\nDen Haag, 5 mei 2022\n\n"
    "Het Nationaal Verwijsmechanisme wordt in 2023 ingevoerd.\n"
)


def _posted_pages(page_for, inspect: Inspect, **page_options) -> None:
    """Submit, through the browser, the forms whose answer is a page of its own: the pages with
    errors shown (a budget amount that is no amount, a date and a link that are not, the conflict of
    two people on one form, an import with bad rows, an empty assessment) and the confirmation step of
    an uploaded letter.
    `inspect(name, page, html)` is called for each, with the HTML as the server sent it; `page_options`
    go to each page (a viewport, a script to load)."""
    coordinator = page_for("programmacoordinator", **page_options)
    coordinator.goto("/maatregelen/CT-B-04/bewerken")
    coordinator.locator("input[name$='-amount']").first.fill("abc")
    inspect("bewerken-fout", coordinator, _submit(coordinator, "main button[type=submit]").text())
    coordinator.goto("/maatregelen/CT-B-02/status")
    coordinator.fill("#note", "Fout in de link.")
    coordinator.evaluate("document.querySelector('#evidence_url').value = 'geen link'")
    coordinator.evaluate("document.querySelector('#as_of').type = 'text'")
    coordinator.fill("#as_of", "31-02-2024")
    inspect("status-fout", coordinator, _submit(coordinator, "main button[type=submit]").text())
    # Two people on one form: the second to save gets the conflict page.
    coordinator.goto("/maatregelen/CT-B-02/status")
    other = page_for("programmacoordinator", **page_options)
    for page, note in ((other, "Eerst."), (coordinator, "Tweede, op een oude versie.")):
        if page is other:
            other.goto("/maatregelen/CT-B-02/status")
        page.select_option("#status", "in_uitvoering")
        page.fill("#as_of", "2024-01-31")
        page.fill("#note", note)
        answer = _submit(page, "main button[type=submit]")
    assert answer.status == 409
    inspect("status-conflict", coordinator, answer.text())
    # An import with bad rows: nothing imported, the errors per row.
    coordinator.goto("/maatregelen/import")
    coordinator.set_input_files(
        "input[type=file]", {"name": "statussen.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}
    )
    answer = _submit(coordinator, "main button[type=submit]")
    assert answer.status == 400
    inspect("import-fout", coordinator, answer.text())
    # A letter uploaded: the step that shows what was found in it, to confirm.
    coordinator.goto("/documenten/nieuw")
    coordinator.set_input_files(
        "input[type=file]", {"name": "brief.txt", "mimeType": "text/plain", "buffer": UPLOADED_LETTER.encode()}
    )
    with coordinator.expect_navigation() as navigation:
        coordinator.click("main button[type=submit]")
    assert navigation.value.url.endswith("/documenten/nieuw/bevestigen")
    inspect("upload-bevestigen", coordinator, navigation.value.text())
    # The rapporteur's assessment without a light, a date or a text.
    rapporteur = page_for("rapporteur", **page_options)
    rapporteur.goto("/maatregelen/CT-B-04")
    rapporteur.click("summary:has-text('Oordeel vastleggen')")
    answer = _submit(rapporteur, "form:has(textarea) button:has-text('Oordeel vastleggen')")
    inspect("oordeel-fout", rapporteur, answer.text())


# --- one pass at 320 px: the HTML as sent, HTML_CodeSniffer and reflow ---------------------------------

HTMLCS_RUN = """() => new Promise(resolve => {
  HTMLCS.process('WCAG2AA', document, () => {
    resolve(HTMLCS.getMessages().filter(m => m.type === HTMLCS.ERROR).map(m => ({
      code: m.code, msg: m.msg,
      element: m.element.outerHTML ? m.element.outerHTML.slice(0, 160) : String(m.element)
    })));
  });
})"""
NARROW = {"viewport": {"width": 320, "height": 800}}


@pytest.fixture(scope="module")
def at_320(browser, live_server):
    """Every page type for every role and every posted page, visited once at 320 x 800 with
    HTML_CodeSniffer loaded: {name: (the HTML as the server sent it, the sniffer's errors, what
    scrolls sideways)}; a screenshot of each is kept. Three tests read it."""
    script = HTMLCS.read_text(encoding="utf-8") if HTMLCS.exists() else None
    pages = Pages(browser, live_server)
    seen: dict[str, tuple[str, list, dict]] = {}

    def record(name: str, page, html: str) -> None:
        errors = page.evaluate(HTMLCS_RUN) if script else []
        seen[name] = (html, errors, page.evaluate(OVERFLOW))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"320-{name}.png"), full_page=True)

    try:
        for role in ROLES:
            page = pages(role, init_script=script, context_options=NARROW)
            for path in _paths(role):
                record(_slug(role, path), page, visit(page, path).text())
        _posted_pages(pages, record, init_script=script, context_options=NARROW)
    finally:
        pages.close()
    return seen


def test_every_page_is_valid_html_by_the_nu_checker(at_320, tmp_path):
    _require(VNU, "The Nu Html Checker (vnu.jar)")
    documents = {f"{name}.html": html for name, (html, _errors, _overflow) in at_320.items()}
    for name, html in documents.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *sorted(documents)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()[:120]}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert len(documents) > 60
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors)


def test_every_page_has_no_html_codesniffer_errors(at_320):
    _require(HTMLCS, "HTML_CodeSniffer")
    found = [
        f"{name}: {m['code']}: {m['msg']} — {m['element']}"
        for name, (_html, errors, _o) in at_320.items()
        for m in errors
    ]
    assert len(at_320) > 60
    assert found == [], f"{len(found)} errors:\n" + "\n".join(found)


# --- reflow -------------------------------------------------------------------------------------------

# What scrolls sideways on a page, other than the page itself, and whether each such region is a
# data table's own scrolling region: keyboard-reachable (tabindex), named, with a visible cue.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const regions = [];
  for (const element of document.querySelectorAll('main *')) {
    const style = getComputedStyle(element);
    if (!['auto', 'scroll'].includes(style.overflowX) || element.scrollWidth <= element.clientWidth + 1) continue;
    const cue = element.getAttribute('aria-describedby') &&
      document.getElementById(element.getAttribute('aria-describedby'));
    regions.push({
      tag: element.tagName, cls: element.className,
      table: !!element.querySelector('table'),
      keyboard: element.tabIndex === 0,
      named: !!(element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')),
      cue: !!cue && cue.offsetParent !== null && cue.textContent.trim().length > 0,
    });
  }
  // What sticks out of the page: the widest element's right edge beyond the viewport.
  const outside = [];
  if (page > width) {
    for (const element of document.querySelectorAll('body *')) {
      const box = element.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) outside.push(
        `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}.${String(element.className).split(' ')[0]} ` +
        `(right ${Math.round(box.right)})`);
      if (outside.length > 4) break;
    }
  }
  return {width, page, regions, outside};
}"""


def _overflow_problems(name: str, result: dict) -> list[str]:
    found = []
    if result["page"] > result["width"]:
        found.append(f"{name}: page {result['page']} px wide at {result['width']}: {result['outside']}")
    for region in result["regions"]:
        if not (region["table"] and region["keyboard"] and region["named"] and region["cue"]):
            found.append(f"{name}: a region scrolls sideways without being a marked data table: {region}")
    return found


def test_no_page_scrolls_sideways_at_320_px(at_320):
    found = [
        problem for name, (_html, _e, overflow) in at_320.items() for problem in _overflow_problems(name, overflow)
    ]
    assert found == [], f"{len(found)} problems:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "size",
    [
        # 1280 x 1024 at 400 %: 320 x 256 CSS px, four device pixels each.
        pytest.param({"viewport": {"width": 320, "height": 256}, "device_scale_factor": 4}, id="1280-at-400"),
        # 1280 x 1024 at 200 %: 640 x 512 CSS px, where the wide layouts begin.
        pytest.param({"viewport": {"width": 640, "height": 512}, "device_scale_factor": 2}, id="1280-at-200"),
    ],
)
def test_no_page_scrolls_sideways_when_zoomed(page_for, size):
    found = []

    def check(name: str, page, _html: str = "") -> None:
        found.extend(_overflow_problems(name, page.evaluate(OVERFLOW)))

    for role in ROLES:
        page = page_for(role, context_options=size)
        for path in _paths(role):
            visit(page, path)
            check(_slug(role, path), page)
    _posted_pages(page_for, check, context_options=size)
    assert found == [], f"{len(found)} problems:\n" + "\n".join(found)


# Where each text of a visible line chart is drawn, and at what size, as the reader sees it.
CHART_TEXTS = """() => [...document.querySelectorAll('svg.chart--line')].filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect();
    return {
      width: box.width, left: box.left, right: box.right, viewBox: svg.viewBox.baseVal.width,
      font: parseFloat(getComputedStyle(svg.querySelector('text')).fontSize) * box.width / svg.viewBox.baseVal.width,
      texts: [...svg.querySelectorAll('text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
      }),
      outside: [...svg.querySelectorAll('text')].filter(t => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      }).map(t => t.textContent),
    };
  })"""


def _overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if (
                a["left"] < b["right"] - 1
                and b["left"] < a["right"] - 1
                and a["top"] < b["bottom"] - 1
                and b["top"] < a["bottom"] - 1
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.mark.parametrize("width", [320, 1280])
def test_an_indicator_chart_is_readable_at_320_px_and_wide(browser, live_server, width):
    """The line chart of an indicator (CT-D-02: two measurements, its target): at 320 px the narrow
    drawing is shown, within the screen, its text at least 10 px, none of it cut off or on top of
    other text; the same wide."""
    pages = Pages(browser, live_server)
    try:
        page = pages(None, context_options={"viewport": {"width": width, "height": 800}})
        visit(page, "/maatregelen/CT-D-02")
        charts = page.evaluate(CHART_TEXTS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("section.indicator").first.screenshot(path=str(SCREENSHOTS / f"indicator-{width}.png"))
    finally:
        pages.close()
    assert len(charts) == 1  # one drawing shown, the other hidden
    (chart,) = charts
    assert chart["viewBox"] == (300 if width == 320 else 640)
    assert chart["left"] >= 0 and chart["right"] <= width
    assert chart["font"] >= 10, chart["font"]
    assert chart["outside"] == []
    assert _overlapping(chart["texts"]) == []
    shown = {t["text"] for t in chart["texts"]}
    assert {"35", "0", "vandaag", "meting"} <= shown
