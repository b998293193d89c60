"""The parliament report: a real WeasyPrint PDF, read back with pypdf and looked at with pdftoppm."""

import functools
import io
import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from app import create_app
from measures.checks.rules import Thresholds, run_checks
from measures.register import services
from measures.register.history import programme_as_of
from measures.reports import build as reports
from models import Measure, ReportEdition
from models.db import get_engine
from tests.conftest import NOW, TEST_DATABASE_URL

AS_OF, SINCE = date(2019, 12, 5), date(2018, 6, 1)
HOSTILE = 'Zie <img src="file:///etc/passwd"> en <img src="https://evil.example/x.png"> <script>alert(1)</script>'


@functools.cache
def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@functools.cache
def page_text(pdf: bytes, number: int) -> str:
    """One page's text (0-based), read back with pypdf once: a whole report takes seconds."""
    return _reader(pdf).pages[number].extract_text()


def page_texts(pdf: bytes) -> tuple[str, ...]:
    return tuple(page_text(pdf, n) for n in range(len(_reader(pdf).pages)))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def pdf_contains(pdf: bytes, needle: str) -> bool:
    """`needle in pdf_text(pdf)` for a needle without a line break, reading pages only until it is found."""
    assert "\n" not in needle
    return any(needle in page_text(pdf, n) for n in range(len(_reader(pdf).pages)))


def chapter_span(pdf: bytes, title: str) -> range:
    """The pages (0-based) of a chapter, from the PDF's outline (bookmarks): each chapter starts a page."""
    reader = _reader(pdf)
    starts = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline if not isinstance(o, list)]
    index = [t for t, _ in starts].index(title)
    end = starts[index + 1][1] if index + 1 < len(starts) else len(reader.pages)
    return range(starts[index][1], end)


def chapter_text(pdf: bytes, title: str) -> str:
    """The folded text of one chapter, read back only as far as that chapter."""
    return folded("\n".join(page_text(pdf, n) for n in chapter_span(pdf, title)))


def page_drawings(pdf: bytes) -> list[bytes]:
    """Each page's content stream, decompressed: what the page draws, without the file's metadata."""
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def folded(value: str) -> str:
    return re.sub(r"\s+", " ", value)


@pytest.fixture(scope="module")
def report_app(request, tmp_path_factory):
    """One seeded database, flags for 2019-12-05 and a hostile note, shared by this module's tests."""
    if TEST_DATABASE_URL:
        pytest.skip("the report renders the same on both databases; it runs once, on SQLite")
    path = tmp_path_factory.mktemp("report") / "report.db"
    shutil.copy(request.getfixturevalue("seeded_template"), path)  # migrated and seeded (`flask seed`)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "REPORT_SYNC": True,
        }
    )
    with Session(get_engine(app)) as session:
        measure = session.exec(select(Measure).where(Measure.code == "CT-B-06")).one()
        services.record_status(
            session=session,
            measure=measure,
            status_code="in_uitvoering",
            as_of=date(2019, 6, 1),
            note=HOSTILE,
            recorded_by="t",
            now=NOW,
        )
        session.commit()
        run_checks(session, now=NOW, thresholds=Thresholds(), trigger="test", persist=True)
    yield app
    get_engine(app).dispose()


@pytest.fixture(scope="module")
def rendered(report_app):
    pdf, snapshot, _edition = reports.produce(
        report_app, as_of=AS_OF, since=SINCE, scheme="", generated_by="test", save=False
    )
    return pdf, snapshot


@pytest.fixture(scope="module")
def rendered_today(report_app):
    """The whole report as of the fixed today, with the hostile note as CT-B-06's latest status."""
    pdf, snapshot, _edition = reports.produce(
        report_app, as_of=NOW.date(), since=None, scheme="", generated_by="test", save=False
    )
    return pdf, snapshot


@pytest.fixture
def small_app(app, create_measure):
    """A register of three measures, for the tests where the catalogue's size is not the point (the
    edition's number, the command): the whole catalogue takes about 13 s to render here."""
    if TEST_DATABASE_URL:
        pytest.skip("the report renders the same on both databases; it runs once, on SQLite")
    create_measure("CT-B-01", themes=["contouren:b"], status="in_uitvoering", deadline=date(2019, 1, 1))
    create_measure("CT-C-01", "Opvang slachtoffers", themes=["contouren:c"], status="gerealiseerd")
    create_measure("AL-1-01", "Basisaanpak", themes=["actielijn:1"], status="gepland")
    return app


@pytest.mark.slow  # renders a PDF, or reads one back
def test_pdf_metadata_is_pdf_ua_with_dutch_language_and_title(rendered):
    reader = PdfReader(io.BytesIO(rendered[0]))
    assert reader.metadata.title == "Voortgangsrapportage Samen tegen mensenhandel, stand per 5 december 2019"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and bool(root["/MarkInfo"]["/Marked"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert [item.title for item in reader.outline if not isinstance(item, list)][:3] == [
        "Inhoud",
        "Samenvatting",
        "Vastgelopen maatregelen",
    ]


@pytest.mark.slow  # renders a PDF, or reads one back
def test_page_count_cover_toc_and_theme_headings(rendered):
    pdf, snapshot = rendered
    reader = PdfReader(io.BytesIO(pdf))
    assert 20 <= len(reader.pages) <= 120
    cover, toc = folded(page_texts(pdf)[0]), folded(page_texts(pdf)[1])
    assert (
        "Voortgangsrapportage Samen tegen mensenhandel" in cover
        and "Stand per 5 december 2019" in cover
        and "Gegenereerd op" in cover
    )
    assert "Inhoud" in toc
    body = folded(pdf_text(pdf))
    for scheme in snapshot["schemes"]:
        for theme in scheme["themes"]:
            heading = f"{theme['code']}) {theme['name']}"
            assert heading in toc, heading  # the table of contents lists it...
            assert body.count(heading) >= 2, heading  # ...and the chapter has it as a heading
    # Real page numbers: the TOC entry for the summary points at the page that holds it.
    number = int(re.search(r"Samenvatting[ .]*?(\d+)", toc).group(1))
    assert "Samenvatting" in page_texts(pdf)[number - 1]
    assert "pagina 3 van" in folded(page_texts(pdf)[2])


@pytest.mark.slow  # renders a PDF, or reads one back
def test_stalled_measures_with_their_explanation(rendered):
    body = folded(pdf_text(rendered[0]))
    chapter = body[body.index("Vastgelopen maatregelen De controles") :]
    for code in ("CT-B-04", "CT-B-02", "CT-C-07"):
        assert code in chapter[:20000], code
    assert "niet volledig en/of duurzaam geïmplementeerd" in chapter
    assert "Betwiste afronding" in chapter


@pytest.mark.slow  # renders a PDF, or reads one back
def test_change_section_for_a_known_pair_of_dates(rendered, report_app):
    pdf, snapshot = rendered
    body = folded(pdf_text(pdf))
    section = body[body.rindex("Wijzigingen sinds de vorige rapportage") :]
    assert "Van 1 juni 2018 tot en met 5 december 2019" in section
    comparison = snapshot["comparison"]
    assert f"Statuswijzigingen ({len(comparison['status_changes'])})" in section
    assert "CT-C-01" in section and "Beëindigd" in section  # the pilot was stopped in November 2019
    for added in comparison["added"]:
        assert added["code"] in section


@pytest.mark.slow  # renders a PDF, or reads one back
def test_hostile_note_stays_inert_text(rendered_today):
    pdf, _snapshot = rendered_today
    # The note is CT-B-06's latest update, shown under its theme in the contouren chapter.
    body = chapter_text(pdf, "Thema's contourenbrief (2018)")
    assert '<img src="file:///etc/passwd">' in body and "<script>alert(1)</script>" in body
    for page in _reader(pdf).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    assert "root:" not in body  # /etc/passwd was never read


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://evil.example/x.png",
        "https://maatregelmonitor.invalid/static/../app.py",
        "https://maatregelmonitor.invalid/other/x",
    ],
)
def test_url_fetcher_serves_only_static_files(report_app, url):
    fetcher = reports.StaticOnlyFetcher(report_app.static_folder)
    with pytest.raises(Exception, match="Geweigerd"):
        fetcher.fetch(url)
    assert b"@page" in fetcher.fetch(reports.STATIC_PREFIX + "css/report.css").read()


@pytest.mark.slow  # renders a PDF and its pages
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is installed by .ci/run")
def test_no_page_renders_blank(rendered, tmp_path):
    (tmp_path / "r.pdf").write_bytes(rendered[0])
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(rendered[0])).pages)
    for page in pages:
        image = Image.open(page)
        width, height = image.size
        body = image.crop(
            (0, int(height * 0.076), width, int(height * 0.924))
        )  # inside the 22 mm page margins: no header, no footer
        dark = sum(body.histogram()[:160])  # pixels darker than light grey
        assert dark > 40, f"{page.name} is blank"


@pytest.mark.slow  # renders a PDF, or reads one back
def test_edition_is_frozen_hashed_listed_and_reproducible(report_app):
    client = report_app.test_client()
    from measures.accounts import services as accounts

    with Session(get_engine(report_app)) as session:
        accounts.create_user(
            session=session,
            email="p@jenv.nl",
            name="Programma",
            role="programmacoordinator",
            password="correct horse battery staple",
        )
        accounts.create_user(
            session=session, email="l@jenv.nl", name="Lezer", role="lezer", password="correct horse battery staple"
        )
        session.commit()
    client.post("/login", data={"email": "l@jenv.nl", "password": "correct horse battery staple"})
    assert client.post("/rapportages", data={"as_of": "2019-12-05"}).status_code == 403
    client.post("/logout")
    client.post("/login", data={"email": "p@jenv.nl", "password": "correct horse battery staple"})
    bad = client.post("/rapportages", data={"as_of": "2099-01-01"})
    assert bad.status_code == 400 and "niet in de toekomst" in bad.get_data(as_text=True)
    response = client.post("/rapportages", data={"as_of": "2019-12-05", "since": "2018-06-01", "scheme": ""})
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"])
    assert job_page.status_code == 302  # done already (REPORT_SYNC): on to the listing
    with Session(get_engine(report_app)) as session:
        edition = session.exec(select(ReportEdition)).one()
        assert edition.number == 1 and edition.as_of == AS_OF and edition.pages > 10
        assert (
            reports.sha256(edition.pdf) == edition.pdf_sha256
            and reports.sha256(edition.snapshot) == edition.snapshot_sha256
        )
        # Editions are immutable: the database refuses to change one.
        with pytest.raises(DatabaseError):
            session.execute(text("UPDATE report_edition SET as_of = '2020-01-01'"))
        session.rollback()
        stored_pdf, stored_snapshot = edition.pdf, edition.snapshot
        sha = edition.pdf_sha256
    listing = client.get("/rapportages").get_data(as_text=True)
    assert sha in listing and "/rapportages/1.pdf" in listing
    assert client.get("/rapportages/1.pdf").data == stored_pdf
    assert json.loads(client.get("/rapportages/1.json").data)["edition"] == 1
    # Rendering the stored snapshot again reproduces it: page for page the same drawing
    # instructions (text, positions, lines), so the same text; only the file's dates and ID differ.
    with report_app.app_context():
        again = reports.render_pdf(reports.render_html(json.loads(stored_snapshot)), report_app)
    assert page_drawings(again) == page_drawings(stored_pdf)
    # The next edition compares with this one's peildatum by default.
    with Session(get_engine(report_app)) as session:
        assert reports.previous_as_of(session, date(2020, 6, 1)) == AS_OF


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_command_writes_a_pdf(small_app, tmp_path):
    out = tmp_path / "rapport.pdf"
    result = small_app.test_cli_runner().invoke(
        args=["report", "--as-of", "2019-12-05", "--scheme", "actielijn", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "Klaar" in result.output


@pytest.mark.slow  # renders a PDF, or reads one back
def test_report_counts_match_the_programme(report_app, rendered):
    _pdf, snapshot = rendered
    with Session(get_engine(report_app)) as session:
        assert len(snapshot["measures"]) == len(programme_as_of(session, AS_OF))


@pytest.mark.slow  # renders a PDF, or reads one back
def test_stalled_chapter_today_is_one_table_row_per_measure_and_fits_in_four_pages(rendered_today):
    pdf, snapshot = rendered_today
    assert len(chapter_span(pdf, "Vastgelopen maatregelen")) <= 4
    body = chapter_text(pdf, "Vastgelopen maatregelen")
    chapter = body[body.index("Vastgelopen maatregelen De controles") : body.index("Monitoringgat Van")]
    stalled = [m for m in snapshot["measures"] if m["signal"] and m["signal"]["level"]]
    # Every stalled measure has its row; the explanations in full only for the highest level.
    for m in stalled:
        assert m["code"] in chapter, m["code"]
    top = max(m["signal"]["level"] for m in stalled)
    assert "Toelichting bij niveau hoog" in chapter
    for m in stalled:
        explained = f"{m['code']} {m['title']}".split(" ")[0] + " " in chapter.split("Toelichting bij niveau")[1]
        assert explained == (m["signal"]["level"] == top), m["code"]
    # The latest status text appears once per explained measure, not in every rule.
    assert chapter.count("Laatste status:") == sum(1 for m in stalled if m["signal"]["level"] == top)
    # Silence is a short summary, per owner and per kind.
    silence = body[body.index("Monitoringgat Van") :]
    assert re.search(r"Voor \d+ maatregelen is geen trekker bekend", silence)


@pytest.mark.slow  # renders a PDF, or reads one back
def test_edition_number_is_decided_when_the_edition_is_inserted(small_app):
    """A number taken by another edition while this one rendered goes to the next free number,
    and the PDF prints the number the edition was stored under."""
    from datetime import UTC, datetime

    taken = {}

    def meanwhile(percent, message):
        if percent == 45 and not taken:  # the data are read and numbered; the PDF is being made
            with Session(get_engine(small_app)) as session:
                number = reports.next_edition_number(session)
                session.add(
                    ReportEdition(
                        number=number,
                        as_of=AS_OF,
                        generated_at=datetime.now(UTC),
                        generated_by="cli",
                        snapshot="{}",
                        snapshot_sha256="0" * 64,
                        pdf=b"%PDF-",
                        pdf_sha256="0" * 64,
                        pages=1,
                    )
                )
                session.commit()
                taken["number"] = number

    pdf, snapshot, edition = reports.produce(
        small_app, as_of=AS_OF, since=SINCE, scheme="", generated_by="web", save=True, progress=meanwhile
    )
    assert edition.number == taken["number"] + 1 == snapshot["edition"]
    assert pdf_contains(pdf, f"Editie {edition.number}")
    assert json.loads(edition.snapshot)["edition"] == edition.number
