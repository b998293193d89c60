"""Run the benchmarks on a synthetic programme and write benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.run [--database-url URL] [--repeat N] [--measures N] [--updates N]

Every figure is printed with its floor, measured in the same run, and the ratio between them.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from app import create_app
from benchmarks.generate import NOW, generate
from benchmarks.harness import Figure, measure
from measures.checks.rules import Thresholds, evaluate
from measures.cli import upgrade_database
from measures.register.seed import seed
from models.db import get_engine

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

# The bare SQL the checks cannot do without: the latest and latest evidenced update per measure,
# the deadline as of the date, and the measures themselves. This is the floor for the check.
CHECK_FLOOR_SQL = [
    "SELECT id, code, title, announced_on, lead_organisation_id FROM measure WHERE announced_on <= :d",
    """SELECT s.* FROM status_update s JOIN (SELECT id, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
       FROM status_update WHERE as_of <= :d) k ON k.id = s.id AND k.r = 1""",
    """SELECT s.* FROM status_update s JOIN (SELECT id, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
       FROM status_update WHERE as_of <= :d AND (evidence_document_id IS NOT NULL OR evidence_url IS NOT NULL)) k ON k.id = s.id AND k.r = 1""",
    """SELECT d.measure_id, d.new_deadline FROM deadline_change d JOIN (SELECT id, row_number() OVER (PARTITION BY measure_id ORDER BY decided_on DESC, id DESC) AS r
       FROM deadline_change WHERE decided_on <= :d) k ON k.id = d.id AND k.r = 1""",
]


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
        with get_engine(app).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        get_engine(app).dispose()


def bench_check(app, repeat: int) -> Figure:
    engine = get_engine(app)
    thresholds = Thresholds.from_config(app.config)

    def check():
        with Session(engine) as session:
            return evaluate(session, NOW, thresholds)

    def floor():
        with engine.connect() as conn:
            for sql in CHECK_FLOOR_SQL:
                conn.execute(text(sql), {"d": NOW.date()}).fetchall()

    samples = measure(check, repeat)
    figure = Figure("Stalled check (all rules, 10,000 measures)", samples, measure(floor, repeat), target="≤ 1 s")
    figure.target_ok = figure.p95 <= 1000
    with Session(engine) as session:
        result = evaluate(session, NOW, thresholds)
    figure.note = f"{len(result.findings)} flags on {len({f.measure_id for f in result.findings})} measures"
    return figure


def _floor_sql(engine, statements: list[str], params: dict):
    def run():
        with engine.connect() as conn:
            for sql in statements:
                conn.execute(text(sql), params).fetchall()

    return run


PAGE_FLOORS = {
    # The bare SQL each page cannot do without, run in the same process: the floor for its ratio.
    "overview": [
        "SELECT mt.theme_id, m.status_code, count(*) FROM measure_theme mt JOIN measure m ON m.id = mt.measure_id GROUP BY mt.theme_id, m.status_code",
        "SELECT status_code, count(*) FROM measure GROUP BY status_code",
        "SELECT severity, count(DISTINCT measure_id) FROM flag WHERE resolved_on IS NULL GROUP BY severity",
    ],
    "list": [
        "SELECT count(*) FROM measure WHERE status_code = 'in_uitvoering' AND id IN (SELECT mt.measure_id FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id WHERE t.code = 'b')",
        "SELECT m.*, o.abbreviation FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id WHERE m.status_code = 'in_uitvoering' "
        "AND m.id IN (SELECT mt.measure_id FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id WHERE t.code = 'b') ORDER BY m.code LIMIT 25",
    ],
    "detail": [
        "SELECT * FROM measure WHERE code = :code",
        "SELECT * FROM status_update WHERE measure_id = (SELECT id FROM measure WHERE code = :code) ORDER BY as_of DESC, id DESC",
        "SELECT * FROM deadline_change WHERE measure_id = (SELECT id FROM measure WHERE code = :code)",
        "SELECT * FROM flag WHERE measure_id = (SELECT id FROM measure WHERE code = :code)",
    ],
}


def _long_history_measure(app) -> str:
    with get_engine(app).connect() as conn:
        return conn.execute(
            text(
                "SELECT m.code FROM measure m JOIN status_update s ON s.measure_id = m.id GROUP BY m.code ORDER BY count(*) DESC, m.code LIMIT 1"
            )
        ).scalar_one()


def bench_pages(app, repeat: int) -> list[Figure]:
    engine = get_engine(app)
    client = app.test_client()
    code = _long_history_measure(app)
    as_of = "2020-01-01"
    check_floor = _floor_sql(engine, CHECK_FLOOR_SQL, {"d": date(2020, 1, 1)})
    # The comparison needs the programme's state at both dates: the same SQL, twice.
    first, second = _floor_sql(engine, CHECK_FLOOR_SQL, {"d": date(2019, 1, 1)}), check_floor

    def compare_floor():
        first()
        second()

    pages = [
        ("Overview", "/", _floor_sql(engine, PAGE_FLOORS["overview"], {}), 100),
        (
            "Filtered list (theme b, in uitvoering, page 1)",
            "/maatregelen?theme=contouren:b&status=in_uitvoering",
            _floor_sql(engine, PAGE_FLOORS["list"], {}),
            100,
        ),
        (
            f"Detail with a long history ({code})",
            f"/maatregelen/{code}",
            _floor_sql(engine, PAGE_FLOORS["detail"], {"code": code}),
            100,
        ),
        ("As-of list (stand per 2020-01-01, page 1)", f"/maatregelen?as_of={as_of}", check_floor, 300),
        ("Comparison 2019-01-01 → 2020-01-01", "/vergelijken?van=2019-01-01&tot=2020-01-01", compare_floor, 100),
    ]
    figures = []
    for name, path, floor, target_ms in pages:

        def request(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        figure = Figure(
            name,
            measure(request, repeat),
            measure(floor, repeat),
            target=f"p95 ≤ {target_ms} ms" + (" and ≤ 3× floor" if target_ms == 100 else ""),
        )
        figure.target_ok = figure.p95 <= target_ms and (target_ms != 100 or figure.ratio <= 3)
        figures.append(figure)
    return figures


def _report_run(url: str, as_of: str, mode: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.report_bench", "--database-url", url, "--as-of", as_of, "--mode", mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_reports(catalogue_url: str, synthetic_url: str, repeat: int) -> list[Figure]:
    """The catalogue report and a 1,000-measure report, against WeasyPrint alone on the same HTML."""
    figures = []
    for name, url, target in (
        ("Report: the real catalogue", catalogue_url, "< 5 s; overhead < 15 %"),
        ("Report: 1,000 synthetic measures", synthetic_url, "overhead < 15 %; peak < 1 GB"),
    ):
        app_runs = [_report_run(url, "2026-11-23", "app") for _ in range(repeat)]
        weasy_runs = [_report_run(url, "2026-11-23", "weasyprint") for _ in range(repeat)]
        figure = Figure(
            name, [r["wall_s"] * 1000 for r in app_runs], [r["wall_s"] * 1000 for r in weasy_runs], target=target
        )
        peak = max(r["peak_mb"] for r in app_runs)
        overhead = figure.ratio - 1
        ok = overhead < 0.15 and (figure.p95 < 5000 if "catalogue" in name else peak < 1024)
        figure.target_ok = ok
        figure.note = f"peak RSS {peak:.0f} MB (WeasyPrint alone {max(r['peak_mb'] for r in weasy_runs):.0f} MB); overhead {overhead * 100:.1f} %; {app_runs[0]['bytes']:,} bytes"
        figures.append(figure)
    return figures


def write_results(figures: list[Figure], counts: dict, url: str, repeat: int) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}.",
        f"Data: {counts['measures']:,} synthetic measures across {counts['organisations']} organisations, "
        f"{counts['status_updates']:,} status updates, {counts['deadline_changes']:,} deadline changes (plus the real catalogue).",
        f"Each figure: {repeat} timed runs after a warm-up; the floor is measured in the same run.",
        "",
        "| figure | p50 ms | p95 ms | floor p50 ms | ratio to floor | target | met | note |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for f in figures:
        floor = f"{f.floor_p50:.1f}" if f.floor_p50 is not None else "—"
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        met = "ja" if f.target_ok else ("nee" if f.target_ok is not None else "—")
        lines.append(f"| {f.name} | {f.p50:.1f} | {f.p95:.1f} | {floor} | {ratio} | {f.target} | {met} | {f.note} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--skip-reports", action="store_true", help="leave out the (slow) report benchmarks")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="mm-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    _reset(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    upgrade_database(app)
    with Session(get_engine(app)) as session:
        counts = generate(session, measures=args.measures, updates=args.updates)
    print(f"Generated: {counts}")
    figures = [bench_check(app, args.repeat), *bench_pages(app, args.repeat)]
    if not args.skip_reports:
        catalogue_url = f"sqlite:///{workdir}/catalogue.db"
        catalogue_app = create_app({"DATABASE_URL": catalogue_url, "SECRET_KEY": "benchmark"})
        upgrade_database(catalogue_app)
        with Session(get_engine(catalogue_app)) as session:
            seed(session=session, now=NOW)
            session.commit()
        synthetic_url = f"sqlite:///{workdir}/thousand.db"
        synthetic_app = create_app({"DATABASE_URL": synthetic_url, "SECRET_KEY": "benchmark"})
        upgrade_database(synthetic_app)
        with Session(get_engine(synthetic_app)) as session:
            generate(session, measures=1_000, updates=10_000)
        figures += bench_reports(catalogue_url, synthetic_url, max(1, min(args.repeat, 3)))
    report = write_results(figures, counts, url, args.repeat)
    print(report)
    if not args.no_write:
        # The hand-written analysis below the table (profiles, reasons) survives a new run.
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        analysis = previous[previous.index("## Analysis") :] if "## Analysis" in previous else ""
        RESULTS.write_text(report + ("\n" + analysis if analysis else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
