"""The parliament report: data -> snapshot (JSON) -> HTML -> PDF, and frozen editions.

An edition stores the snapshot it was built from; rendering is a pure function of the snapshot,
so rendering a stored snapshot again reproduces the same text years later.
"""

import codecs
import hashlib
import io
import json
import logging
import mimetypes
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pydyf
from flask import Flask, current_app, render_template
from pypdf import PdfReader
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from measures.checks import rules as checks
from measures.checks.rules import RULE_LABELS
from measures.core import clock
from measures.register import history, indicators
from measures.register.terms import is_overdue
from measures.reports import charts
from models import Measure, Organisation, ReportEdition, SourceDocument, Status, Theme, ThemeScheme
from models.db import session_scope
from models.document import shown_date
from models.flag import SILENCE, STALL
from models.review import TRAFFIC_LIGHTS

log = logging.getLogger(__name__)
TITLE = "Voortgangsrapportage Samen tegen mensenhandel"
SNAPSHOT_VERSION = 1
Progress = Callable[[int, str], None]


def _no_progress(_percent: int, _message: str) -> None:
    return None


# --- snapshot ---------------------------------------------------------------------------------


def build_snapshot(
    session: Session,
    *,
    as_of: date,
    since: date | None,
    scheme: str = "",
    edition: int,
    generated_at: datetime,
    generated_by: str,
) -> dict:
    """Collect everything the report shows, as plain JSON-able data."""
    states = history.programme_as_of(session, as_of)
    statuses = session.exec(select(Status).order_by(Status.position)).all()
    schemes = session.exec(select(ThemeScheme).order_by(ThemeScheme.position)).all()
    themes = session.exec(select(Theme).order_by(Theme.position)).all()
    organisations = {o.abbreviation: o.name for o in session.exec(select(Organisation)).all()}
    documents = session.exec(select(SourceDocument).order_by(SourceDocument.date)).all()
    announcements = dict(session.exec(select(Measure.id, Measure.announcement)).all())
    # The flags the rules raise on the peildatum itself: a past peildatum gets that date's flags,
    # whatever ran (or did not run) in between.
    evaluation = checks.evaluate(
        session, datetime.combine(as_of, time(12), tzinfo=UTC), checks.Thresholds.from_config(current_app.config)
    )
    flags: dict[int, list[dict]] = {}
    signals: dict[int, dict] = {}
    for signal in evaluation.signals:
        signals[signal.measure_id] = {
            "level": signal.level,
            "level_label": checks.LEVEL_LABELS[signal.level],
            "score": signal.score,
            "evidence_on": signal.evidence_on.isoformat() if signal.evidence_on else None,
            "evidence_precision": signal.evidence_precision,
            "silence": signal.silence_facts,
        }
        flags[signal.measure_id] = [
            {
                "rule": f.rule,
                "kind": f.kind,
                "label": RULE_LABELS.get(f.rule, f.rule),
                "severity": checks.rule_level_label(f.kind, f.rule_severity),
                "measure_severity": checks.LEVEL_LABELS[f.severity],
                "score": f.score,
                "explanation": f.explanation,
            }
            for f in (*signal.stall, *signal.silence)
        ]
    comparison = history.compare(session, since, as_of).as_dict() if since and since < as_of else None
    measures = []
    for s in states:
        measures.append(
            {
                "code": s.code,
                "announcement": announcements.get(s.id, ""),
                "title": s.title,
                "lead": s.lead,
                "lead_name": organisations.get(s.lead) if s.lead else None,
                "co_owners": s.co_owners,
                "themes": s.themes,
                "status": s.status_code,
                "deadline": s.deadline.isoformat() if s.deadline else None,
                "deadline_basis": s.deadline_basis,
                "deadline_precision": s.deadline_precision,
                "postponements": s.postponements,
                "budget": s.budget,
                "latest": {
                    "as_of": s.latest.as_of.isoformat(),
                    "as_of_precision": s.latest.as_of_precision,
                    "note": s.latest.note,
                    "evidence": s.latest.evidence,
                }
                if s.latest
                else None,
                "flags": flags.get(s.id, []),
                "signal": signals.get(s.id),
                "indicators": [i.as_dict(s.deadline, s.deadline_precision) for i in s.indicators],
                "assessment": (
                    {
                        "light": s.assessment.light,
                        "label": TRAFFIC_LIGHTS[s.assessment.light],
                        "as_of": s.assessment.as_of.isoformat(),
                        "text": s.assessment.text,
                    }
                    if s.assessment
                    else None
                ),
            }
        )
    chosen = [sc for sc in schemes if not scheme or sc.code == scheme]
    return {
        "version": SNAPSHOT_VERSION,
        "title": TITLE,
        "edition": edition,
        "as_of": as_of.isoformat(),
        "since": since.isoformat() if since else None,
        "generated_at": generated_at.astimezone(UTC).isoformat(),
        "generated_by": generated_by,
        "statuses": [{"code": st.code, "label": st.label, "open": st.is_open} for st in statuses],
        "schemes": [
            {
                "code": sc.code,
                "name": sc.name,
                "themes": [{"code": t.code, "name": t.name} for t in themes if t.scheme_id == sc.id],
            }
            for sc in chosen
        ],
        "measures": measures,
        # What the falling-behind rule counted as behind (a share of the way), for the readings.
        "indicator_margin": str(checks.Thresholds.from_config(current_app.config).indicator_margin),
        "comparison": comparison,
        "documents": [
            {
                "key": d.key,
                "reference": d.reference,
                "title": d.title,
                "date": d.date.isoformat(),
                "date_note": d.date_note,
                "date_shown": shown_date(d.date, d.date_precision),
                "consulted": d.consulted,
                "citation": d.citation,
                "address": d.address,
                "url": d.url,
            }
            for d in documents
        ],
    }


def snapshot_json(snapshot: dict) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, indent=1)


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


# --- HTML -----------------------------------------------------------------------------------------


def _chart_data(snapshot: dict) -> dict:
    """Derive the summary charts from the snapshot (and nothing else)."""
    series = [(st["code"], st["label"]) for st in snapshot["statuses"]]
    result = {"status_series": series, "by_scheme": [], "by_owner": None, "deadlines": None}
    for scheme in snapshot["schemes"]:
        rows = []
        for theme in scheme["themes"]:
            key = f"{scheme['code']}:{theme['code']}"
            counts: dict[str, int] = {}
            for m in snapshot["measures"]:
                if key in m["themes"]:
                    counts[m["status"]] = counts.get(m["status"], 0) + 1
            rows.append((f"{theme['code']}) {theme['name']}", counts))
        result["by_scheme"].append((scheme, rows))
    owners: dict[str, dict[str, int]] = {}
    for m in snapshot["measures"]:
        owner = m["lead"] or "onbekend"
        owners.setdefault(owner, {})
        owners[owner][m["status"]] = owners[owner].get(m["status"], 0) + 1
    result["by_owner"] = sorted(owners.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    open_codes = {st["code"] for st in snapshot["statuses"] if st["open"]}
    as_of = snapshot["as_of"]
    deadlines = {"op_tijd": 0, "verstreken": 0, "uitgesteld": 0, "geen": 0}
    for m in snapshot["measures"]:
        if m["deadline"] is None:
            deadlines["geen"] += 1
        elif is_overdue(m["deadline"], is_open=m["status"] in open_codes, on=as_of):
            deadlines["verstreken"] += 1
        elif m["postponements"]:
            deadlines["uitgesteld"] += 1
        else:
            deadlines["op_tijd"] += 1
    result["deadlines"] = deadlines
    return result


def chart_svgs(snapshot: dict) -> dict:
    data = _chart_data(snapshot)
    svgs = {"by_scheme": []}
    for scheme, rows in data["by_scheme"]:
        svgs["by_scheme"].append(
            (
                scheme,
                rows,
                charts.stacked_bars(
                    chart_id=f"grafiek-{scheme['code']}",
                    title=f"Status per thema: {scheme['name']}",
                    rows=rows,
                    series=data["status_series"],
                    colours=charts.STATUS_COLOURS,
                    numbers_in_title=True,
                ),
            )
        )
    svgs["by_owner_rows"] = [(owner, counts) for owner, counts in data["by_owner"]]
    svgs["by_owner"] = charts.stacked_bars(
        chart_id="grafiek-eigenaar",
        title="Status per trekker",
        rows=svgs["by_owner_rows"],
        series=data["status_series"],
        colours=charts.STATUS_COLOURS,
        numbers_in_title=True,
    )
    deadline_series = [
        ("op_tijd", "Binnen de deadline"),
        ("uitgesteld", "Uitgesteld, nog niet verstreken"),
        ("verstreken", "Verstreken"),
        ("geen", "Geen deadline"),
    ]
    svgs["deadline_counts"] = data["deadlines"]
    svgs["deadline_series"] = deadline_series
    svgs["deadlines"] = charts.stacked_bars(
        chart_id="grafiek-deadlines",
        title="Deadlines gehaald, verstreken en uitgesteld",
        rows=[("Alle maatregelen", data["deadlines"])],
        series=deadline_series,
        colours=charts.DEADLINE_COLOURS,
        numbers_in_title=True,
    )
    svgs["status_series"] = data["status_series"]
    return svgs


def render_html(snapshot: dict) -> str:
    """Render the report's HTML from a snapshot alone."""
    statuses = {st["code"]: st["label"] for st in snapshot["statuses"]}
    by_theme = []
    described: set[str] = set()  # a measure is written out in full once; later schemes refer back
    for scheme in snapshot["schemes"]:
        sections = []
        for theme in scheme["themes"]:
            key = f"{scheme['code']}:{theme['code']}"
            members = [m for m in snapshot["measures"] if key in m["themes"]]
            sections.append(
                {
                    "theme": theme,
                    "measures": [m for m in members if m["code"] not in described],
                    "described": [m for m in members if m["code"] in described],
                }
            )
            described.update(m["code"] for m in members)
        without = [m for m in snapshot["measures"] if not any(t.startswith(scheme["code"] + ":") for t in m["themes"])]
        by_theme.append({"scheme": scheme, "sections": sections, "without": without})
    chapter = stalled_chapter(snapshot)
    return render_template(
        "reports/report.html",
        s=snapshot,
        statuses=statuses,
        by_theme=by_theme,
        chapter=chapter,
        charts=chart_svgs(snapshot),
        indicator_sections=indicator_sections(snapshot, by_theme),
        as_of=date.fromisoformat(snapshot["as_of"]),
        generated_at=datetime.fromisoformat(snapshot["generated_at"]),
        money=_money,
    )


def indicator_sections(snapshot: dict, by_theme: list[dict]) -> list[dict]:
    """The report's indicators per theme, each measure once (where the themes chapter writes it
    out): per indicator its reading, its chart (the pages' chart code) and its rows of numbers."""
    as_of = date.fromisoformat(snapshot["as_of"])
    margin = Decimal(snapshot.get("indicator_margin", "0.10"))
    sections = []
    placed: set[str] = set()
    unplaced = {"scheme": {"code": "", "name": ""}, "theme": {"code": "", "name": "Niet bij een thema ingedeeld"}}
    for block in [*by_theme, {"scheme": unplaced["scheme"], "sections": [unplaced]}]:
        for section in block["sections"]:
            if section is unplaced:  # measures no scheme puts under a theme
                section = {**unplaced, "measures": [m for m in snapshot["measures"] if m["code"] not in placed]}
            entries = []
            for m in section["measures"]:
                placed.add(m["code"])
                for n, data in enumerate(m.get("indicators", [])):
                    fact, deadline, precision = indicators.from_dict(data)
                    entries.append(
                        {
                            "measure": m,
                            "indicator": fact,
                            "reading": indicators.reading(fact, deadline, precision, as_of, margin),
                            "chart": indicators.chart(
                                fact,
                                deadline=deadline,
                                deadline_precision=precision,
                                on=as_of,
                                on_label=f"peildatum {shown_date(as_of)}",
                                chart_id=f"indicator-{m['code']}-{n}",
                                pdf=True,
                            ),
                            "rows": indicators.rows(fact, deadline, precision),
                        }
                    )
            if entries:
                sections.append({"scheme": block["scheme"], "theme": section["theme"], "entries": entries})
    return sections


LEVELS = {label: level for level, label in checks.LEVEL_LABELS.items()}


def _signal(measure: dict) -> dict | None:
    """Return a measure's signal from its snapshot; editions made before signals existed carry only
    flags, and their recorded combined severity is kept as it was printed."""
    if "signal" in measure:
        return measure["signal"]
    if not measure.get("flags"):
        return None
    stall = [f for f in measure["flags"] if checks.RULE_KINDS.get(f["rule"]) == STALL]
    return {
        "level": LEVELS[measure["flags"][0]["measure_severity"]] if stall else 0,
        "level_label": measure["flags"][0]["measure_severity"] if stall else "geen",
        "score": measure["flags"][0]["score"],
        "evidence_on": None,
        "silence": [f["rule"] for f in measure["flags"] if checks.RULE_KINDS.get(f["rule"]) == SILENCE],
    }


def stalled_chapter(snapshot: dict) -> dict:
    """Return the chapter on stalled measures: one row per stalled measure in the one order, the full
    explanations for the highest level only, and silence as counts per kind and per owner."""
    stalled, silent = [], []
    for m in snapshot["measures"]:
        signal = _signal(m)
        if signal is None:
            continue
        row = {
            "measure": m,
            "signal": signal,
            "stall": [f for f in m["flags"] if checks.RULE_KINDS.get(f["rule"]) == STALL],
        }
        if checks.is_stalled(signal["level"]):
            stalled.append(row)
        if signal["silence"]:
            silent.append(row)
    stalled.sort(
        key=lambda r: (
            -r["signal"]["level"],
            -r["signal"]["score"],
            r["signal"]["evidence_on"] or "9999",
            r["measure"]["code"],
        )
    )
    top = stalled[0]["signal"]["level"] if stalled else 0
    owners = checks.silence_by_owner((row["measure"]["lead"], row["signal"]["silence"]) for row in silent)
    # Each measure counts once per fact within its owner's row, so the kinds are the rows' sums.
    kinds = {fact: sum(owner["facts"][fact] for owner in owners) for fact in checks.SILENCE_FACT_LABELS}
    return {
        "stalled": stalled,
        "top_level": top,
        "explained": [r for r in stalled if r["signal"]["level"] == top],
        "by_level": {level: sum(1 for r in stalled if r["signal"]["level"] == level) for level in (3, 2, 1)},
        "silent": len(silent),
        "silence_kinds": kinds,
        "silence_by_owner": owners,
    }


def _money(amount: str) -> str:
    value = Decimal(amount)
    whole = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return "€ " + whole.replace(",", "X").replace(".", ",").replace("X", ".")


# --- PDF --------------------------------------------------------------------------------------------


STATIC_PREFIX = "https://maatregelmonitor.invalid/static/"


class StaticOnlyFetcher(URLFetcher):
    """Serve the app's own static files to WeasyPrint, and nothing else: no file://, no network."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.root = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise URLFetchingError(f"Geweigerd: {url[:100]}")
        path = (self.root / url[len(STATIC_PREFIX) :].split("?")[0].split("#")[0]).resolve()
        if self.root not in path.parents or not path.is_file():
            raise URLFetchingError(f"Geweigerd: {url[:100]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def render_pdf(html: str, app: Flask | None = None) -> bytes:
    app = app or current_app
    document = HTML(
        string=html, base_url="https://maatregelmonitor.invalid/", url_fetcher=StaticOnlyFetcher(app.static_folder)
    )
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish_pdf_ua)


def _object(pdf: pydyf.PDF, reference: bytes):
    """The object a pydyf reference (b'12 0 R') points at: pydyf numbers objects by their place."""
    return pdf.objects[int(reference.split()[0])]


def _structure_elements(pdf: pydyf.PDF, root: pydyf.Dictionary) -> list[pydyf.Dictionary]:
    """Every structure element in the tree under the structure tree root, in document order."""
    elements, todo = [], list(reversed(root["K"]))
    while todo:
        element = _object(pdf, todo.pop())
        if element.get("Type") != "/StructElem":
            continue  # an annotation's object reference
        elements.append(element)
        todo.extend(reversed([kid for kid in element.get("K", ()) if isinstance(kid, bytes)]))
    return elements


def _id_key(identifier: str) -> bytes:
    """A name tree's key as the PDF string's bytes: name trees are sorted by those (ISO 32000-1, 7.9.6)."""
    try:
        return identifier.encode("ascii")
    except UnicodeEncodeError:
        return codecs.BOM_UTF16_BE + identifier.encode("utf-16-be")


def _marked_content(pdf: pydyf.PDF) -> dict[tuple[int, int], tuple[list, int, float]]:
    """Where each page's marked-content sequences with an MCID begin: (page, MCID) -> (the stream's
    operators, the index of the property list, the y of the first text matrix in it or -1).

    A page draws its content stream and the groups (opacity, transforms) WeasyPrint made for it, which
    share the page's MCIDs (and its `_tags`)."""

    def drawing(stream) -> int:
        tags = getattr(stream, "_tags", None)
        return id(stream if tags is None else tags)

    pages = {drawing(_object(pdf, _object(pdf, page)["Contents"])): n for n, page in enumerate(pdf.page_references)}
    found = {}
    for stream in pdf.objects:
        page_number = pages.get(drawing(stream)) if isinstance(stream, pydyf.Stream) else None
        if page_number is None:
            continue
        items = stream.stream
        for i, item in enumerate(items[1:-1], start=1):
            if isinstance(item, dict) and "MCID" in item and items[i + 1] == b"BDC":
                y = -1.0
                for following in items[i + 2 :]:
                    if following == b"EMC":
                        break
                    if isinstance(following, bytes) and following.endswith(b" Tm"):
                        y = float(following.split()[5])  # CSS px from the page's top edge
                        break
                found[(page_number, item["MCID"])] = (items, i, y)
    return found


def finish_pdf_ua(document, pdf: pydyf.PDF) -> None:
    """Finish the tagging where PDF/UA-1 asks more than WeasyPrint 70 writes (a WeasyPrint `finisher`).

    - Running headers and footers (the @page margin boxes): WeasyPrint gives their text MCIDs under
      structure elements that hang nowhere in the tree. They become /Pagination artifacts with a Header or
      Footer subtype, and leave the parent tree (Matterhorn 01-001, 18-001, 18-002).
    - /IDTree: the TH cells carry an /ID that the TD cells' /Headers name; ISO 32000-1 (14.7.2, Table 322)
      requires the structure tree root to map every /ID to its element.
    - /Scope on every TH: Row when the cells of its own row name it in /Headers, else Column (Matterhorn
      15-003; the tables also have /Headers, so a reader gets the same answer both ways).

    It only rewrites objects WeasyPrint made, in their order, so the same HTML gives the same PDF.
    """
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    elements = _structure_elements(pdf, root)
    in_tree = {element.number for element in elements}

    nums = _object(pdf, root["ParentTree"])["Nums"]
    marked = None
    for page_number, parents in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(parents, list):
            continue  # an annotation's parent, not a page's
        for mcid, reference in enumerate(parents):
            if not isinstance(reference, bytes) or int(reference.split()[0]) in in_tree:
                continue
            marked = _marked_content(pdf) if marked is None else marked
            if (page_number, mcid) not in marked or mcid not in _object(pdf, reference)["K"]:
                log.warning("Pagina %s: inhoud %s hangt niet in de structuurboom", page_number + 1, mcid)
                continue
            items, i, y = marked[(page_number, mcid)]
            properties = pydyf.Dictionary({"Type": "/Pagination"})
            if y >= 0:  # above the page's middle a header, below it a footer
                properties["Subtype"] = "/Header" if y < document.pages[page_number].height / 2 else "/Footer"
            items[i - 1], items[i] = "/Artifact", properties
            parents[mcid] = "null"

    identified = sorted(
        ((_id_key(element["ID"].string), element) for element in elements if "ID" in element), key=lambda p: p[0]
    )
    if identified:
        names = pydyf.Array()
        for _key, element in identified:
            names.extend([element["ID"], element.reference])
        root["IDTree"] = pydyf.Dictionary({"Names": names})

    named_in_own_row = {
        (element["P"], header.string)
        for element in elements
        if element["S"] == "/TD"
        for header in element.get("A", {}).get("Headers", ())
    }
    for element in elements:
        if element["S"] == "/TH":
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            row = "ID" in element and (element["P"], element["ID"].string) in named_in_own_row
            attributes["Scope"] = "/Row" if row else "/Column"


# --- editions ----------------------------------------------------------------------------------------


def next_edition_number(session: Session) -> int:
    return (session.exec(select(func.max(ReportEdition.number))).one() or 0) + 1


def previous_as_of(session: Session, as_of: date) -> date | None:
    """The peildatum of the latest earlier edition: the default 'since' of the change section."""
    return session.exec(select(func.max(ReportEdition.as_of)).where(ReportEdition.as_of < as_of)).one()


MAX_NUMBER_RETRIES = 3


def _store_edition(
    app: Flask, *, pdf: bytes, snapshot: dict, as_of, since, scheme
) -> tuple[bytes, dict, ReportEdition]:
    """Insert the edition, its number decided in the inserting transaction.

    The number printed in the PDF was the next free one when the data were read. If another
    edition took it meanwhile (a CLI run beside the web queue), the same snapshot is rendered again
    with the next number: the unique constraint decides, and no edition is lost or renumbered.
    """
    for _attempt in range(MAX_NUMBER_RETRIES):
        with session_scope(app) as session:
            number = next_edition_number(session)
        if number != snapshot["edition"]:
            snapshot = {**snapshot, "edition": number}
            pdf = render_pdf(render_html(snapshot), app)
        text = snapshot_json(snapshot)
        edition = ReportEdition(
            number=number,
            as_of=as_of,
            since=since,
            scheme=scheme,
            generated_at=datetime.fromisoformat(snapshot["generated_at"]),
            generated_by=snapshot["generated_by"],
            snapshot=text,
            snapshot_sha256=sha256(text),
            pdf=pdf,
            pdf_sha256=sha256(pdf),
            pages=len(PdfReader(io.BytesIO(pdf)).pages),
        )
        try:
            with session_scope(app) as session:
                session.add(edition)
                session.flush()
                session.expunge(edition)
            return pdf, snapshot, edition
        except IntegrityError:
            log.info("Editienummer %s al vergeven; opnieuw met het volgende", number)
    raise RuntimeError("Geen vrij editienummer gevonden")


def produce(
    app: Flask,
    *,
    as_of: date,
    since: date | None,
    scheme: str,
    generated_by: str,
    save: bool,
    progress: Progress = _no_progress,
) -> tuple[bytes, dict, ReportEdition | None]:
    """Build the snapshot, render HTML and PDF, and (with `save`) store a frozen edition.

    Reading and storing are separate, short transactions: the long rendering in between holds no
    lock, and the edition row (PDF and snapshot together) is inserted whole or not at all.
    """
    with app.app_context():
        progress(5, "Gegevens verzamelen")
        with session_scope(app) as session:
            number = next_edition_number(session) if save else 0
            since = since if since is not None else previous_as_of(session, as_of)
            snapshot = build_snapshot(
                session,
                as_of=as_of,
                since=since,
                scheme=scheme,
                edition=number,
                generated_at=clock.now(),
                generated_by=generated_by,
            )
        progress(30, "Opmaak voorbereiden")
        html = render_html(snapshot)
        progress(45, "PDF opmaken")
        pdf = render_pdf(html, app)
        edition = None
        if save:
            progress(90, "Editie opslaan")
            pdf, snapshot, edition = _store_edition(
                app, pdf=pdf, snapshot=snapshot, as_of=as_of, since=since, scheme=scheme
            )
        progress(100, "Klaar")
        return pdf, snapshot, edition
