"""The report PDF checked as a PDF/UA-1 validator would: its structure tree and its content streams, read with pypdf.

Each check returns the problems it finds, each a short text, so a test can show that a check finds a
fault as well as that the report has none. The negative controls render small documents with one known
fault each straight through WeasyPrint (without the report's finisher); the report itself, built from
the seeded catalogue, must have no problem at all. The numbers are the Matterhorn Protocol 1.1's
failure conditions; ISO 32000-1 is PDF 1.7, on which PDF/UA-1 builds.
"""

import functools
import io
import math
import re
from dataclasses import dataclass, field

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, ContentStream, DictionaryObject, IndirectObject, NameObject
from weasyprint import HTML

from measures.register import indicators
from measures.reports import build as reports
from measures.reports import charts
from tests import test_reports
from tests.test_reports import AS_OF, SINCE

report_app = test_reports.report_app  # the seeded catalogue, a hostile note and the checks run: one database

HEADINGS = {f"/H{n}": n for n in range(1, 7)}
# The report's @page margins (static/css/report.css): running headers and footers stand in them.
MARGIN_PT = 22 / 25.4 * 72


# --- reading the PDF ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    """A structure element: its type, attributes, kids and the marked content (page, MCID) it holds itself."""

    type: str
    obj: DictionaryObject
    parent: "Element | None"
    kids: list["Element"] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)

    def attribute(self, name: str):
        """An attribute from /A (one attribute object or an array of them, revision numbers skipped)."""
        owners = self.obj.get("/A")
        owners = owners.get_object() if owners is not None else None
        for owner in owners if isinstance(owners, ArrayObject) else [owners] if owners is not None else []:
            owner = owner.get_object()
            if isinstance(owner, DictionaryObject) and name in owner:
                return owner[name]
        return None

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


@dataclass
class TextRun:
    """One text-showing operator: where it is, what marks it and how it is drawn."""

    page: int
    mcid: int | None  # the innermost marked-content sequence with an MCID, if any
    artifact: dict | None  # the properties of the /Artifact it is in, if any
    fill: tuple[float, ...]
    alpha: float
    render_mode: int
    size: float  # in pt on the page
    y: float  # the baseline, in pt from the page's bottom edge


@dataclass
class TaggedPdf:
    reader: PdfReader
    root: Element  # the structure tree root, as an element of type "StructTreeRoot"
    texts: dict[tuple[int, int], str]  # the text of each (page, MCID)
    runs: list[TextRun]
    page_heights: list[float]

    @functools.cached_property
    def elements(self) -> list[Element]:
        return list(self.root.walk())[1:]

    def text(self, element: Element) -> str:
        return re.sub(r"\s+", " ", " ".join(self.texts.get(c, "") for e in element.walk() for c in e.content)).strip()

    def marked_text(self, page: int, mcid: int | None) -> str:
        return re.sub(r"\s+", " ", self.texts.get((page, mcid), "")).strip()


def _structure(reader: PdfReader) -> Element:
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    tree_root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    root = Element("StructTreeRoot", tree_root, None)
    todo = [(tree_root, root, None)]
    while todo:
        obj, element, page = todo.pop()
        if "/Pg" in obj:
            page = pages[obj.raw_get("/Pg").idnum]
        kids = obj.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, int):
                element.content.append((page, int(kid)))
            elif kid.get("/Type") == "/MCR":
                kid_page = pages[kid.raw_get("/Pg").idnum] if "/Pg" in kid else page
                element.content.append((kid_page, int(kid["/MCID"])))
            elif "/S" in kid:
                child = Element(str(kid["/S"])[1:], kid, element)
                element.kids.append(child)
                todo.append((kid, child, page))
    return root


def _number(obj) -> int | None:
    """The object number of an indirect reference or of an object read through one."""
    if isinstance(obj, IndirectObject):
        return obj.idnum
    reference = getattr(obj, "indirect_reference", None)
    return reference.idnum if reference is not None else None


IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def _multiply(m, n) -> list[float]:
    """m × n for PDF matrices [a b c d e f]: m applied first."""
    a, b, c, d, e, f = (float(v) for v in m)
    a2, b2, c2, d2, e2, f2 = (float(v) for v in n)
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


def _numbers(operands) -> tuple[float, ...]:
    return tuple(float(v) for v in operands if isinstance(v, int | float))


class _Painter:
    """Follows a page's drawing as far as the checks need it: the CTM, the text matrices, the fill colour,
    the fill opacity (a transparency group's too), the text render mode, the font size and the marked-content
    sequences, into the forms the page draws. It records every operator that shows glyphs as a TextRun."""

    def __init__(self, reader: PdfReader, number: int, runs: list[TextRun]):
        self.reader, self.number, self.runs = reader, number, runs
        self.marks: list[tuple[str, int | None, dict]] = []  # (tag, MCID, properties) of the open sequences

    def paint(self, content, resources, state: dict) -> None:
        saved: list[dict] = []
        for operands, operator in ContentStream(content, self.reader).operations:
            if operator == b"q":
                saved.append(dict(state))
            elif operator == b"Q" and saved:
                state = saved.pop()
            elif operator == b"cm":
                state["ctm"] = _multiply(operands, state["ctm"])
            elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
                state["fill"] = _numbers(operands)
            elif operator == b"cs":
                state["fill"] = (0.0,)
            elif operator == b"gs":
                parameters = self._resource(resources, "/ExtGState", operands[0])
                state["ca"] = float(parameters.get("/ca", state["ca"])) if parameters else state["ca"]
            elif operator == b"Tr":
                state["mode"] = int(operands[0])
            elif operator == b"Tf":
                state["size"] = float(operands[1])
            elif operator == b"TL":
                state["leading"] = float(operands[0])
            elif operator == b"BT":
                state["tm"] = state["lm"] = IDENTITY
            elif operator == b"Tm":
                state["tm"] = state["lm"] = [float(v) for v in operands]
            elif operator in (b"Td", b"TD"):
                if operator == b"TD":
                    state["leading"] = -float(operands[1])
                state["tm"] = state["lm"] = _multiply([1, 0, 0, 1, *operands[:2]], state["lm"])
            elif operator in (b"T*", b"'", b'"'):
                state["tm"] = state["lm"] = _multiply([1, 0, 0, 1, 0, -state["leading"]], state["lm"])
            elif operator == b"BDC":
                properties = operands[1].get_object() if isinstance(operands[1], IndirectObject) else operands[1]
                properties = dict(properties) if isinstance(properties, dict) else {}
                mcid = properties.get("/MCID")
                self.marks.append((str(operands[0]), None if mcid is None else int(mcid), properties))
            elif operator == b"BMC":
                self.marks.append((str(operands[0]), None, {}))
            elif operator == b"EMC" and self.marks:
                self.marks.pop()
            elif operator == b"Do":
                form = self._resource(resources, "/XObject", operands[0])
                if form is not None and form.get("/Subtype") == "/Form":
                    inner = dict(state, ctm=_multiply(form.get("/Matrix", IDENTITY), state["ctm"]))
                    if "/Group" in form:  # a transparency group: composited with the opacity at Do
                        inner["group"], inner["ca"] = state["group"] * state["ca"], 1.0
                    form_resources = form.get("/Resources")
                    self.paint(form, form_resources.get_object() if form_resources else resources, inner)
            if operator in (b"Tj", b"TJ", b"'", b'"') and _shows_glyphs(operator, operands):
                self._show(state)

    def _resource(self, resources, kind: str, name):
        group = resources.get(kind) if resources else None
        group = group.get_object() if group is not None else {}
        found = group.get(name)
        return found.get_object() if found is not None else None

    def _show(self, state: dict) -> None:
        matrix = _multiply(state["tm"], state["ctm"])
        scale = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))
        mcid = next((m for _tag, m, _p in reversed(self.marks) if m is not None), None)
        artifact = next((p for tag, _m, p in reversed(self.marks) if tag == "/Artifact"), None)
        self.runs.append(
            TextRun(
                page=self.number,
                mcid=mcid,
                artifact=artifact,
                fill=state["fill"],
                alpha=state["group"] * state["ca"],
                render_mode=state["mode"],
                size=state["size"] * scale,
                y=matrix[5],
            )
        )


def _read_content(reader: PdfReader) -> tuple[dict[tuple[int, int], str], list[TextRun]]:
    """Walk every page's content: every text run as drawn, and (with pypdf's text extraction) each MCID's text."""
    texts: dict[tuple[int, int], str] = {}
    runs: list[TextRun] = []
    for number, page in enumerate(reader.pages):
        state = {
            "ctm": IDENTITY, "fill": (0.0,), "ca": 1.0, "group": 1.0, "mode": 0, "size": 0.0, "leading": 0.0,
            "tm": IDENTITY, "lm": IDENTITY,
        }  # fmt: skip
        resources = page.get("/Resources")
        _Painter(reader, number, runs).paint(page.get_contents(), resources.get_object() if resources else {}, state)

        marks: list[int | None] = []

        def before(operator, operands, cm, tm, marks=marks):
            if operator == b"BDC":
                properties = operands[1].get_object() if isinstance(operands[1], IndirectObject) else operands[1]
                mcid = properties.get("/MCID") if isinstance(properties, dict) else None
                marks.append(None if mcid is None else int(mcid))
            elif operator == b"BMC":
                marks.append(None)
            elif operator == b"EMC" and marks:
                marks.pop()

        def text(value, cm, tm, font, size, marks=marks, number=number):
            # pypdf hands text over when a text object ends (ET), inside the sequence that drew it.
            mcid = next((m for m in reversed(marks) if m is not None), None)
            if mcid is not None and value:
                texts[(number, mcid)] = texts.get((number, mcid), "") + value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts, runs


def _shows_glyphs(operator: bytes, operands) -> bool:
    strings = operands[0] if operator == b"TJ" else operands[-1:]
    return any(isinstance(s, str | bytes) and not isinstance(s, NameObject) and len(s) for s in strings)


def read(pdf: bytes) -> TaggedPdf:
    reader = PdfReader(io.BytesIO(pdf))
    texts, runs = _read_content(reader)
    heights = [float(page.mediabox.height) for page in reader.pages]
    return TaggedPdf(reader, _structure(reader), texts, runs, heights)


def name_tree(node) -> dict[str, object]:
    """A name tree's keys and values (ISO 32000-1, 7.9.6), with /Kids followed down."""
    node = node.get_object()
    found = {}
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        for key, value in zip(names[::2], names[1::2], strict=True):
            found[str(key)] = value
    for kid in node.get("/Kids", []):
        found.update(name_tree(kid))
    return found


def number_tree(node) -> dict[int, object]:
    node = node.get_object()
    found = {}
    nums = node.get("/Nums")
    if nums is not None:
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            found[int(key)] = value
    for kid in node.get("/Kids", []):
        found.update(number_tree(kid))
    return found


# --- the checks: each returns its problems ----------------------------------------------------------------


def heading_problems(pdf: TaggedPdf) -> list[str]:
    """Matterhorn 14-002 (the first numbered heading is H1) and 14-003 (no level skipped going down)."""
    problems, previous = [], 0
    for element in pdf.elements:
        level = HEADINGS.get("/" + element.type)
        if level is None:
            continue
        if previous == 0 and level != 1:
            problems.append(f"14-002: the first heading is H{level}: {pdf.text(element)!r}")
        elif level > previous + 1:
            problems.append(f"14-003: H{previous} then H{level}: {pdf.text(element)!r}")
        previous = level
    return problems


def id_problems(pdf: TaggedPdf) -> list[str]:
    """ISO 32000-1 14.7.2 (Table 322): the structure tree root's /IDTree maps every element's /ID to that
    element. Without it a TD's /Headers name nothing a reader can find, so Matterhorn 15-005 (a cell's
    header cannot be determined) fails as well."""
    problems = []
    tree_root = pdf.root.obj
    identified = {}
    for element in (e for e in pdf.elements if "/ID" in e.obj):
        identifier = str(element.obj["/ID"])
        if identifier in identified:
            problems.append(f"/ID {identifier} is not unique")
        identified[identifier] = element
    if identified and "/IDTree" not in tree_root:
        problems.append(f"no /IDTree, but {len(identified)} elements have an /ID")
    in_tree = name_tree(tree_root["/IDTree"]) if "/IDTree" in tree_root else {}
    for identifier, element in identified.items():
        target = in_tree.get(identifier)
        if target is None:
            problems.append(f"/ID {identifier} ({element.type}) is not in the /IDTree")
        elif _number(target) != _number(element.obj):
            problems.append(f"/IDTree maps {identifier} to another element")
    for element in pdf.elements:
        for header in element.attribute("/Headers") or []:
            if str(header) not in in_tree:
                problems.append(f"{element.type} names header {header}, which is not in the /IDTree")
    return problems


def figure_problems(pdf: TaggedPdf) -> list[str]:
    """Matterhorn 13-004: every Figure has alternative (/Alt) or replacement (/ActualText) text."""
    return [
        f"Figure {n} has no /Alt or /ActualText"
        for n, element in enumerate(e for e in pdf.elements if e.type == "Figure")
        if not str(element.obj.get("/Alt", "") or element.obj.get("/ActualText", "")).strip()
    ]


def figure_number_problems(
    pdf: TaggedPdf, expected: list[tuple[str, list[tuple[str, dict[str, int]]], dict]]
) -> list[str]:
    """The report's charts: each Figure's /Alt holds every number its chart shows, per bar its total and
    each non-zero segment, not only the chart's title (Matterhorn 13-004 asks for text that serves)."""
    alts = [str(e.obj.get("/Alt", "")) for e in pdf.elements if e.type == "Figure"]
    problems = []
    for title, rows, names in expected:
        alt = next((a for a in alts if a.startswith(title)), None)
        if alt is None:
            problems.append(f"no Figure whose /Alt starts with {title!r}")
            continue
        # The title, then per bar "label: totaal n (Series n, ...)", the bars apart by "; ".
        bars = alt[len(title) :].lstrip(". ").rstrip(".").split("; ")
        for label, counts in rows:
            segment = next((bar for bar in bars if bar.startswith(f"{label}: ")), "")
            wanted = [f"totaal {sum(counts.values())}"] + [f"{names[c]} {n}" for c, n in counts.items() if n]
            missing = [w for w in wanted if w not in segment]
            if missing:
                problems.append(f"{title}: {label}: the /Alt lacks {', '.join(missing)}")
    return problems


def invisible_tagged_text(pdf: TaggedPdf) -> list[str]:
    """Tagged text that nobody sees: white, fully transparent, render mode 3 (or 7) or under 2 pt. Text that
    is not real content has to be an artifact (Matterhorn 01-001) or not be there."""
    problems = []
    for run in pdf.runs:
        if run.mcid is None or run.artifact is not None:
            continue
        why = []
        if run.fill in ((1.0,), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0)):
            why.append("white")
        if run.alpha == 0:
            why.append("transparent")
        if run.render_mode in (3, 7):
            why.append(f"render mode {run.render_mode}")
        if run.size < 2:
            why.append(f"{run.size:.1f} pt")
        if why:
            text = pdf.marked_text(run.page, run.mcid)
            problems.append(f"page {run.page + 1}, MCID {run.mcid} {text!r}: {', '.join(why)}")
    return problems


def content_problems(pdf: TaggedPdf) -> list[str]:
    """Every text is real content in the tree or an artifact; running headers and footers are pagination
    artifacts. Matterhorn 01-005 (neither artifact nor tagged), 01-001 (page furniture tagged as content:
    here MCIDs whose parent hangs nowhere in the tree), 18-001 and 18-002 (pagination, Header/Footer)."""
    problems = []
    parent_tree = number_tree(pdf.root.obj["/ParentTree"])
    held = {_number(e.obj) for e in pdf.elements}
    in_tree = {content for e in pdf.elements for content in e.content}
    seen = set()
    for run in pdf.runs:
        where = f"page {run.page + 1}"
        if run.mcid is None and run.artifact is None:
            problems.append(f"01-005: {where}: text that is neither tagged nor an artifact")
            continue
        if run.artifact is None and (run.page, run.mcid) not in seen:
            seen.add((run.page, run.mcid))
            text = pdf.marked_text(run.page, run.mcid)
            struct_parents = pdf.reader.pages[run.page].get("/StructParents")
            parents = parent_tree.get(int(struct_parents)) if struct_parents is not None else None
            parents = parents.get_object() if parents is not None else []
            parent = _number(parents[run.mcid]) if run.mcid < len(parents) else None
            if (run.page, run.mcid) not in in_tree or parent not in held:
                problems.append(f"01-001: {where}: {text!r} is tagged (MCID {run.mcid}) but not in the structure tree")
        in_margin = run.y > pdf.page_heights[run.page] - MARGIN_PT or run.y < MARGIN_PT
        if in_margin:
            artifact = run.artifact or {}
            if artifact.get("/Type") != "/Pagination" or artifact.get("/Subtype") not in ("/Header", "/Footer"):
                text = pdf.marked_text(run.page, run.mcid)
                problems.append(
                    f"18-001: {where}: {text!r} in the page margin is not a Header/Footer pagination artifact"
                )
    return problems


def table_problems(pdf: TaggedPdf) -> list[str]:
    """Tables: every TH has a /Scope (Matterhorn 15-003); in a table with column headers each body row
    starts with the TH that labels it (15-001), and every TD of that row names it in /Headers (15-005)."""
    problems = []
    for table in (e for e in pdf.elements if e.type == "Table"):
        rows = [e for e in table.walk() if e.type == "TR"]
        has_column_headers = any(e.type == "THead" for e in table.kids) or any(
            all(c.type == "TH" for c in row.kids) for row in rows[:1]
        )
        caption = next((pdf.text(c) for c in table.kids if c.type == "Caption"), "")
        header_text = " | ".join(pdf.text(c) for c in rows[0].kids) if rows else ""
        name = caption or header_text
        for row in rows:
            cells = [c for c in row.kids if c.type in ("TH", "TD")]
            for cell in cells:
                if cell.type == "TH" and str(cell.attribute("/Scope") or "") not in ("/Row", "/Column", "/Both"):
                    problems.append(f"15-003: {name!r}: TH {pdf.text(cell)!r} has no /Scope")
            in_body = row.parent.type in ("TBody", "Table") and not all(c.type == "TH" for c in cells)
            if not (in_body and has_column_headers and len(cells) > 1):
                continue
            label = cells[0]
            if label.type != "TH":
                problems.append(f"15-001: {name!r}: the row {pdf.text(label)!r} starts with a TD, not a TH")
                continue
            identifier = str(label.obj.get("/ID", ""))
            for cell in cells[1:]:
                if cell.type == "TD" and identifier not in [str(h) for h in cell.attribute("/Headers") or []]:
                    problems.append(f"15-005: {name!r}: a cell of row {pdf.text(label)!r} does not name its row header")
    return problems


def _true(value) -> bool:
    """A PDF boolean that is true (pypdf's BooleanObject is not Python's True)."""
    return isinstance(value, BooleanObject) and bool(value)


def document_problems(pdf: TaggedPdf) -> list[str]:
    """The catalogue and metadata: /Lang (Matterhorn 11-001), /MarkInfo /Marked true and no /Suspects
    (01-007), DisplayDocTitle true (07-001, 07-002), an XMP stream with the PDF/UA identifier and a
    dc:title (06-001, 06-002, 06-003), and a /Title in the document information."""
    problems = []
    catalog = pdf.reader.trailer["/Root"]
    if not str(catalog.get("/Lang", "")).strip():
        problems.append("11-001: the catalogue has no /Lang")
    mark_info = catalog.get("/MarkInfo", {})
    if not _true(mark_info.get("/Marked")):
        problems.append("the catalogue's /MarkInfo is not /Marked true")
    if _true(mark_info.get("/Suspects")):
        problems.append("01-007: /MarkInfo /Suspects is true")
    if not _true(catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle")):
        problems.append("07-001/07-002: /ViewerPreferences /DisplayDocTitle is not true")
    metadata = catalog.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8") if metadata is not None else ""
    if not xmp:
        problems.append("06-001: no XMP metadata stream")
    if 'pdfuaid:part="1"' not in xmp and "<pdfuaid:part>1</pdfuaid:part>" not in xmp:
        problems.append("06-002: the XMP metadata has no PDF/UA identifier")
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>([^<]+)</rdf:li>", xmp, re.S)
    if not title or not title.group(1).strip():
        problems.append("06-003: the XMP metadata has no dc:title")
    if not (pdf.reader.metadata and (pdf.reader.metadata.title or "").strip()):
        problems.append("the document information has no /Title")
    return problems


# --- the report ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(report_app):
    """The report as of 5 December 2019 with changes since 1 June 2018, read back once."""
    pdf, snapshot, _edition = reports.produce(
        report_app, as_of=AS_OF, since=SINCE, scheme="", generated_by="test", save=False
    )
    return read(pdf), snapshot


def chart_numbers(snapshot: dict) -> list[tuple[str, list, dict]]:
    """The report's charts as they are drawn: (title, rows of (label, counts), series names)."""
    data = reports._chart_data(snapshot)
    statuses = dict(data["status_series"])
    expected = [(f"Status per thema: {scheme['name']}", rows, statuses) for scheme, rows in data["by_scheme"]]
    expected.append(("Status per trekker", data["by_owner"], statuses))
    deadlines = dict(reports.chart_svgs(snapshot)["deadline_series"])
    expected.append(
        ("Deadlines gehaald, verstreken en uitgesteld", [("Alle maatregelen", data["deadlines"])], deadlines)
    )
    return expected


def indicator_number_problems(pdf: TaggedPdf, snapshot: dict) -> list[str]:
    """Each indicator's line chart: its Figure's /Alt names the indicator and holds every number the
    chart shows: each measurement with its date, and the target."""
    alts = [str(e.obj.get("/Alt", "")) for e in pdf.elements if e.type == "Figure"]
    problems = []
    for measure in snapshot["measures"]:
        for data in measure.get("indicators", []):
            fact, _deadline, _precision = indicators.from_dict(data)
            title = f"{fact.name} ({fact.unit})"
            alt = next((a for a in alts if a.startswith(title)), None)
            if alt is None:
                problems.append(f"no Figure whose /Alt starts with {title!r}")
                continue
            wanted = [f"{m.shown_on}: {indicators.number(m.value)}" for m in fact.measurements]
            wanted.append(f"Streefwaarde {indicators.number(fact.target_value)}")
            problems += [f"{title}: the /Alt lacks {w!r}" for w in wanted if w not in alt]
    return problems


def indicator_count(snapshot: dict) -> int:
    return sum(len(m.get("indicators", [])) for m in snapshot["measures"])


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_headings_start_at_h1_and_skip_no_level(report):
    pdf, _snapshot = report
    headings = [e for e in pdf.elements if e.type in ("H1", "H2", "H3")]
    assert len(headings) > 20  # the checks below have something to check
    assert heading_problems(pdf) == []


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_ids_are_all_in_the_id_tree(report):
    pdf, _snapshot = report
    assert sum("/ID" in e.obj for e in pdf.elements) > 40  # every TH has one
    assert id_problems(pdf) == []


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_figures_carry_every_number_their_chart_shows(report):
    pdf, snapshot = report
    expected = chart_numbers(snapshot)
    assert indicator_count(snapshot) >= 5  # the seeded catalogue's indicators, each a line chart
    assert len([e for e in pdf.elements if e.type == "Figure"]) == len(expected) + indicator_count(snapshot)
    assert figure_problems(pdf) == []
    assert figure_number_problems(pdf, expected) == []
    assert indicator_number_problems(pdf, snapshot) == []


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_has_no_invisible_tagged_text_and_its_page_furniture_is_artifact(report):
    pdf, _snapshot = report
    assert invisible_tagged_text(pdf) == []
    assert content_problems(pdf) == []
    # The running header and footer are there, as artifacts: the texts the cover's lines give them.
    furniture = [r for r in pdf.runs if r.artifact and r.artifact.get("/Type") == "/Pagination"]
    assert {r.artifact.get("/Subtype") for r in furniture} == {"/Header", "/Footer"}
    assert len({r.page for r in furniture}) == len(pdf.reader.pages) - 1  # every page but the cover
    page = test_reports.folded(pdf.reader.pages[2].extract_text())
    assert "stand per 5 december 2019" in page and "concept" in page and "pagina 3 van" in page


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_tables_have_row_headers_and_scopes(report):
    pdf, _snapshot = report
    rows = [e for e in pdf.elements if e.type == "TR" and e.parent.type == "TBody"]
    assert len(rows) > 100
    assert table_problems(pdf) == []


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_declares_language_title_and_tagging(report):
    pdf, _snapshot = report
    assert document_problems(pdf) == []


# --- negative controls: each check finds the fault it is for ----------------------------------------------

PAGE = '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Proef</title>{style}</head><body>{body}</body></html>'
TABLE = (
    '<table><thead><tr><th scope="col">Status</th><th scope="col">Aantal</th></tr></thead>'
    "<tbody><tr>{label}<td>3</td></tr></tbody></table>"
)


def render(body: str, *, style: str = "", page: str = PAGE, finish: bool = False) -> TaggedPdf:
    html = page.format(style=f"<style>{style}</style>" if style else "", body=body)
    return read(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", finisher=reports.finish_pdf_ua if finish else None))


def test_heading_check_finds_a_skipped_level_and_a_first_heading_below_h1():
    assert heading_problems(render("<h1>Hoofdstuk</h1><h2>Paragraaf</h2><h3>Maatregel</h3>")) == []
    assert heading_problems(render("<h1>Vastgelopen maatregelen</h1><h3>CT-A-03</h3>")) == [
        "14-003: H1 then H3: 'CT-A-03'"
    ]
    assert heading_problems(render("<h2>Samenvatting</h2>")) == ["14-002: the first heading is H2: 'Samenvatting'"]


def test_id_check_finds_the_id_tree_weasyprint_leaves_out_and_the_finisher_adds_it():
    body = TABLE.format(label='<th scope="row">Gepland</th>')
    problems = id_problems(render(body))
    assert problems[0] == "no /IDTree, but 3 elements have an /ID" and len(problems) == 1 + 3 + 2
    assert id_problems(render(body, finish=True)) == []


def test_figure_checks_find_a_figure_without_text_and_one_with_only_its_title():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20"><rect width="50" height="20"/></svg>'
    assert figure_problems(render(svg)) == ["Figure 0 has no /Alt or /ActualText"]
    rows = [("a) Opsporing", {"gepland": 2, "in_uitvoering": 5})]
    series = [("gepland", "Gepland"), ("in_uitvoering", "In uitvoering")]
    chart = dict(chart_id="c", title="Status per thema", rows=rows, series=series, colours=charts.STATUS_COLOURS)
    expected = [("Status per thema", rows, dict(series))]
    title_only = render(str(charts.stacked_bars(**chart)))
    assert figure_problems(title_only) == []
    assert figure_number_problems(title_only, expected) == [
        "Status per thema: a) Opsporing: the /Alt lacks totaal 7, Gepland 2, In uitvoering 5"
    ]
    assert figure_number_problems(render(str(charts.stacked_bars(**chart, numbers_in_title=True))), expected) == []


def test_invisible_text_check_finds_white_tiny_and_transparent_tagged_text():
    assert invisible_tagged_text(render('<p>Gewone tekst</p><p style="opacity: 0.5">half doorzichtig</p>')) == []
    hidden = (
        '<p style="color: #fff">wit</p><p style="font-size: 1pt">klein</p><p style="opacity: 0">weg</p>'
        # what the report's cover held for its running header before: white 1 pt text, tagged
        '<span style="string-set: x content(); display: block; height: 0; font-size: 1pt; color: #fff">stand per</span>'
    )
    assert invisible_tagged_text(render(hidden)) == [
        "page 1, MCID 0 'wit': white",
        "page 1, MCID 1 'klein': 1.0 pt",
        "page 1, MCID 2 'stand per': white, 1.0 pt",
        "page 1, MCID 3 'weg': transparent",
    ]


def test_content_check_finds_running_headers_tagged_as_content_and_the_finisher_makes_them_artifacts():
    style = '@page { size: A5; margin: 22mm; @top-left { content: "Kop" } @bottom-right { content: "pagina " counter(page) } }'
    raw = content_problems(render("<p>Tekst</p>", style=style))
    assert any(p.startswith("01-001") and "'Kop'" in p for p in raw) and any(
        "18-001" in p and "pagina 1" in p for p in raw
    )
    finished = render("<p>Tekst</p>", style=style, finish=True)
    assert content_problems(finished) == []
    assert sorted(r.artifact["/Subtype"] for r in finished.runs if r.artifact) == ["/Footer", "/Header"]


def test_table_check_finds_a_row_label_in_a_td_a_row_header_unnamed_and_a_th_without_scope():
    problems = table_problems(render(TABLE.format(label="<td>Gepland</td>"), finish=True))
    assert problems == ["15-001: 'Status | Aantal': the row 'Gepland' starts with a TD, not a TH"]
    # A TH without scope="row" in a body row: WeasyPrint makes it the column's header, so its row's cells
    # do not name it.
    unscoped = table_problems(render(TABLE.format(label="<th>Gepland</th>"), finish=True))
    assert unscoped == ["15-005: 'Status | Aantal': a cell of row 'Gepland' does not name its row header"]
    raw = table_problems(render(TABLE.format(label='<th scope="row">Gepland</th>')))
    assert raw == [f"15-003: 'Status | Aantal': TH {t!r} has no /Scope" for t in ("Status", "Aantal", "Gepland")]
    finished = render(TABLE.format(label='<th scope="row">Gepland</th>'), finish=True)
    assert table_problems(finished) == []
    scopes = {finished.text(e): str(e.attribute("/Scope")) for e in finished.elements if e.type == "TH"}
    assert scopes == {"Status": "/Column", "Aantal": "/Column", "Gepland": "/Row"}


def test_document_check_finds_a_missing_language_and_title():
    assert document_problems(render("<p>Tekst</p>")) == []
    bare = '<!DOCTYPE html><html><head><meta charset="utf-8">{style}</head><body>{body}</body></html>'
    problems = document_problems(render("<p>Tekst</p>", page=bare))
    assert problems == [
        "11-001: the catalogue has no /Lang",
        "06-003: the XMP metadata has no dc:title",
        "the document information has no /Title",
    ]


def test_finisher_output_is_the_same_for_the_same_html():
    """The report is reproducible: the finisher adds nothing that differs from one run to the next."""
    style = '@page { @top-left { content: "Kop" } }'
    html = PAGE.format(style=f"<style>{style}</style>", body=TABLE.format(label='<th scope="row">Gepland</th>'))
    first, second = (HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", finisher=reports.finish_pdf_ua) for _ in "ab")
    assert first == second
    assert "/IDTree" in PdfReader(io.BytesIO(first)).trailer["/Root"]["/StructTreeRoot"]
