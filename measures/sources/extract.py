"""Documents in, as text: a letter as PDF, HTML (the officielebekendmakingen.nl page of a Kamerstuk),
DOCX or plain text, read into numbered paragraphs, within bounds checked before and while parsing.

Each format is read by a library made for it: pypdf for PDF, tinyhtml5 (the HTML5 parser WeasyPrint
uses) for HTML, python-docx for Word. Paragraphs are kept as the document has them; inside one, line
breaks become spaces (the way quotes are compared), so a quote copied from the letter is found.
"""

import io
import re
import time
import zipfile
from dataclasses import dataclass

FORMATS = ("txt", "md", "html", "pdf", "docx")


@dataclass(frozen=True)
class Limits:
    """How much a document may be: checked on the bytes before parsing, and while parsing."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 500
    max_paragraphs: int = 20_000
    max_chars: int = 5_000_000
    max_seconds: float = 60.0
    # A DOCX is a zip: what it unpacks to is bounded too (a small file can unpack to gigabytes).
    max_unpacked_bytes: int = 100 * 1024 * 1024


class ExtractError(ValueError):
    """A document that cannot be read in; the message is Dutch and says why."""


@dataclass(frozen=True)
class Extracted:
    format: str
    paragraphs: list[str]
    pages: int | None = None

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


def detect_format(name: str, data: bytes) -> str:
    """The format of a file, from its first bytes (a name can lie), its extension deciding only
    between plain text and Markdown."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        raise ExtractError("Dit zip-bestand is geen Word-document (DOCX).")
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered:
        return "html"
    return "md" if name.lower().endswith(".md") else "txt"


LONGEST_PARAGRAPH = 1500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str, size: int = 600) -> list[str]:
    """Cut a long text into pieces of whole sentences of about `size` characters."""
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > size:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


class _Budget:
    """The limits as they are used up while a document is read."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.started = time.monotonic()
        self.paragraphs: list[str] = []
        self.chars = 0

    def tick(self) -> None:
        if time.monotonic() - self.started > self.limits.max_seconds:
            raise ExtractError(
                f"Het lezen duurde langer dan {self.limits.max_seconds:.0f} seconden; het bestand is niet opgeslagen."
            )

    def add(self, text: str) -> None:
        text = _clean(text)
        if not text:
            return
        # A text without paragraph breaks (an OCR copy on one line) is cut into paragraphs of whole
        # sentences, so that a paragraph stays something a person can be pointed to.
        pieces = [text] if len(text) <= LONGEST_PARAGRAPH else _sentences(text)
        for piece in pieces:
            self._append(piece)

    def _append(self, text: str) -> None:
        self.paragraphs.append(text)
        self.chars += len(text)
        if len(self.paragraphs) > self.limits.max_paragraphs:
            raise ExtractError(f"Het document heeft meer dan {self.limits.max_paragraphs} alinea's.")
        if self.chars > self.limits.max_chars:
            raise ExtractError(f"Het document heeft meer dan {self.limits.max_chars:,} tekens.".replace(",", "."))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError("De tekst is geen UTF-8 of Windows-1252.")  # pragma: no cover - cp1252 reads most bytes


# A new paragraph starts at a blank line, and in Markdown also at a heading or a list item.
_BLOCK_START = re.compile(r"^\s*(#{1,6}\s|[-*•]\s|\d+[.)]\s)")


def _plain(text: str, budget: _Budget, markdown: bool) -> None:
    lines: list[str] = []
    for line in text.splitlines():
        budget.tick()
        if not line.strip() or (markdown and _BLOCK_START.match(line) and lines):
            budget.add(" ".join(lines))
            lines = []
        if line.strip():
            lines.append(line.lstrip("#").strip() if markdown and line.lstrip().startswith("#") else line)
    budget.add(" ".join(lines))


_XHTML = "{http://www.w3.org/1999/xhtml}"
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote", "pre", "caption"}
# Page furniture of a government page: not the document.
_SKIP = {"script", "style", "nav", "header", "footer", "form", "noscript", "template", "aside", "button", "select"}


def _html(data: bytes, budget: _Budget) -> None:
    import tinyhtml5

    root = tinyhtml5.parse(data)
    body = root.find(f"{_XHTML}body")
    # officielebekendmakingen.nl puts the Kamerstuk in <div id="broodtekst"> (or <main>): read that
    # when it is there, the whole body when not.
    main = next(
        (e for e in root.iter() if e.get("id") in ("broodtekst", "main-content") or e.tag == f"{_XHTML}main"), body
    )

    def walk(element) -> None:
        budget.tick()
        tag = element.tag.removeprefix(_XHTML) if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in _BLOCKS:
            budget.add("".join(element.itertext()))
            return
        # Text directly in a div (not in a block inside it) is a paragraph of its own.
        if element.text and element.text.strip():
            budget.add(element.text)
        for child in element:
            walk(child)
            if child.tail and child.tail.strip():
                budget.add(child.tail)

    if main is not None:
        walk(main)


def _pdf(data: bytes, budget: _Budget) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise ExtractError("Dit PDF-bestand is beschadigd of versleuteld en kan niet worden gelezen.") from error
    if pages > budget.limits.max_pages:
        raise ExtractError(f"Het PDF-bestand heeft {pages} pagina's; het maximum is {budget.limits.max_pages}.")
    for page in reader.pages:
        budget.tick()
        # A paragraph ends at a blank line or at a line that ends a sentence and is clearly short.
        _plain(_pdf_paragraphs(page.extract_text() or ""), budget, markdown=False)
    return pages


def _pdf_paragraphs(text: str) -> str:
    """pypdf gives a page's lines without blank lines between paragraphs: a line that ends a sentence
    and is shorter than most lines of the page ends its paragraph."""
    lines = text.splitlines()
    widths = sorted(len(line) for line in lines if line.strip())
    if not widths:
        return ""
    typical = widths[len(widths) * 3 // 4]
    out = []
    for line in lines:
        out.append(line)
        if line.rstrip().endswith((".", ":", "?", "!")) and len(line) < typical * 0.8:
            out.append("")
    return "\n".join(out)


def _docx(data: bytes, budget: _Budget) -> None:
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > budget.limits.max_unpacked_bytes:
        raise ExtractError("Het Word-document pakt uit tot meer dan 100 MB en wordt niet gelezen.")
    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ExtractError("Dit Word-document is beschadigd en kan niet worden gelezen.") from error
    for paragraph in document.paragraphs:
        budget.tick()
        budget.add(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                budget.tick()
                budget.add(cell.text)


def extract(data: bytes, name: str = "", limits: Limits = Limits()) -> Extracted:
    """Read a document's bytes into numbered paragraphs; ExtractError (Dutch) when it cannot be."""
    if len(data) > limits.max_bytes:
        raise ExtractError(f"Het bestand is groter dan {limits.max_bytes // (1024 * 1024)} MB.")
    if not data.strip():
        raise ExtractError("Het bestand is leeg.")
    kind = detect_format(name, data)
    budget = _Budget(limits)
    pages = None
    if kind == "pdf":
        pages = _pdf(data, budget)
    elif kind == "docx":
        _docx(data, budget)
    elif kind == "html":
        _html(data, budget)
    else:
        _plain(_decode(data), budget, markdown=kind == "md")
    if not budget.paragraphs:
        raise ExtractError("Er staat geen leesbare tekst in het bestand (een scan zonder tekstlaag?).")
    return Extracted(format=kind, paragraphs=budget.paragraphs, pages=pages)
