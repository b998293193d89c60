"""Run the benchmarks on a synthetic programme and write benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.run [--database-url URL] [--rounds N] [--measures N] [--updates N]
                                       [--skip-reports] [--no-write] [--check]

Every figure is timed against its floor: the fastest of several hand-written SQL queries that
return the same rows as the app (asserted), timed interleaved with the app, round by round. With
`--check` the command exits with status 1 when a target is missed (for a weekly job, not CI).
"""

import argparse
import csv
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import text
from sqlmodel import Session

from app import create_app
from benchmarks import floors as fl
from benchmarks.generate import NOW, generate
from benchmarks.harness import Figure, fastest, interleaved
from measures.checks.rules import Thresholds, run_checks
from measures.cli import upgrade_database
from measures.core import clock
from measures.register.queries import MeasureFilter
from measures.register.seed import seed
from measures.review.views import COMPARE_SHOWN
from models import Measure
from models.db import get_engine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
REDMINE_CSV_S = 4.4  # Redmine 5.0.4's CSV export of 10,000 issues, measured by the issue's reviewer


@dataclass
class Bench:
    app: object
    url: str
    rounds: int
    trials: int
    measures: int = 10_000

    @property
    def engine(self):
        return get_engine(self.app)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return Session(self.engine)


class RowsDiffer(AssertionError):
    pass


def _assert_same(name: str, floor: str, expected, got) -> None:
    if expected == got:
        return
    detail = ""
    if isinstance(expected, dict):
        for key in expected:
            if expected[key] != got.get(key):
                a, b = expected[key], got.get(key)
                if isinstance(a, list) and isinstance(b, list):
                    pairs = [(x, y) for x, y in zip(a, b, strict=False) if x != y][:1]
                    missing = [x for x in a if x not in b][:2]
                    detail = (
                        f"{key}: {len(a)} rows from the app, {len(b)} from the floor; "
                        f"first difference: {pairs}; missing from the floor: {missing}"
                    )
                else:
                    detail = f"{key}: app {a!r}, floor {b!r}"
                break
    raise RowsDiffer(f"{name}: floor '{floor}' does not return the app's rows. {detail}"[:2000])


def choose_floor(b: Bench, name: str, expected, floors: list[fl.Floor], params: dict) -> tuple[fl.Floor, list]:
    """Check every floor against the app's rows, time them, and return the fastest."""
    runs = {}
    for floor in floors:
        with b.engine.connect() as conn:
            _assert_same(name, floor.name, expected, floor.run(conn, params))

        def run(floor=floor):
            with b.engine.connect() as conn:
                floor.run(conn, params)

        runs[floor.name] = run
    best, ranked = fastest(runs, b.trials)
    return next(f for f in floors if f.name == best), ranked


def _floor_call(b: Bench, floor: fl.Floor, params: dict) -> Callable:
    def run():
        with b.engine.connect() as conn:
            floor.run(conn, params)

    return run


def page_figure(b: Bench, name: str, path: str, expected, floors, params, target_ms: int, ratio_bound: float | None):
    floor, ranked = choose_floor(b, name, expected, floors, params)
    client = b.app.test_client()

    def request():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    app_ms, floor_ms = interleaved(request, _floor_call(b, floor, params), b.rounds)
    target = f"p95 ≤ {target_ms} ms" + (f" and ≤ {ratio_bound:g}× floor" if ratio_bound else "")
    figure = Figure(name, app_ms, floor_ms, floor.name, floor.sql, ranked, target=target)
    figure.target_ok = figure.p95 <= target_ms and (ratio_bound is None or figure.ratio <= ratio_bound)
    return figure


def bench_writes(b: Bench) -> list[Figure]:
    """What keeping the projection costs a write: a status update as the services make it (the
    history row, the measure's cached columns, and its intervals derived again with the checks'
    levels), against the same update without the projection, timed interleaved, each rolled back.
    For a measure with a median history and for the one with the longest."""
    from measures.register import services, states

    with b.session() as s:
        sizes = s.exec(
            text(
                "SELECT m.id, count(u.id) AS n FROM measure m JOIN status_update u ON u.measure_id = m.id "
                "GROUP BY m.id ORDER BY n, m.id"
            )
        ).all()
    picks = [("median", sizes[len(sizes) // 2]), ("longest", sizes[-1])]
    figures = []
    for label, (measure_id, updates) in picks:
        session = b.session()

        def write(refresh: bool, session=session, measure_id=measure_id) -> None:
            measure = session.get(Measure, measure_id)
            kept = states.refresh
            if not refresh:
                states.refresh = lambda *_args, **_kwargs: None
            try:
                with b.app.app_context():
                    services.record_status(
                        session=session,
                        measure=measure,
                        status_code="in_uitvoering",
                        # backdated: the intervals after it are rewritten
                        as_of=max(measure.announced_on, date(2020, 6, 1)),
                        note="Benchmark.",
                        recorded_by="benchmark",
                        now=NOW,
                    )
                    session.flush()
            finally:
                states.refresh = kept
                session.rollback()

        app_ms, floor_ms = interleaved(lambda: write(True), lambda: write(False), b.rounds)
        session.close()
        figures.append(
            Figure(
                f"Write: a backdated status update, {label} history ({updates} updates)",
                app_ms,
                floor_ms,
                floor_name="the same write without the projection",
                note="Reported as a ratio: the projection's cost on every write. No target.",
            )
        )
    return figures


def bench_pages(b: Bench) -> list[Figure]:
    size = b.app.config["PAGE_SIZE"]
    with b.session() as s:
        code = s.exec(
            text(
                "SELECT m.code FROM measure m JOIN status_update u ON u.measure_id = m.id GROUP BY m.code "
                "ORDER BY count(*) DESC, m.code LIMIT 1"
            )
        ).scalar_one()
        longest = s.exec(
            text("SELECT count(*) FROM status_update u JOIN measure m ON m.id = u.measure_id WHERE m.code = :c"),
            params={"c": code},
        ).scalar_one()
        theme = MeasureFilter(themes=["contouren:b"], status="in_uitvoering")
        flagged = MeasureFilter(flagged=1)
        start, end, as_of = date(2019, 1, 1), date(2020, 1, 1), date(2020, 1, 1)
        expected = {
            "overview": fl.overview_app(s),
            "theme": fl.list_app(s, theme, size),
            "flagged": fl.list_app(s, flagged, size),
            "detail": fl.detail_app(s, code),
            "as_of": fl.as_of_list_app(s, as_of, size),
            "compare": fl.compare_app(s, start, end),
        }
    today = clock.today()
    pages = [
        ("Overview (with the open flags)", "/", expected["overview"], fl.overview_floors(b.dialect), {}, 100, 3),
        (
            "Filtered list (theme b, in uitvoering, page 1)",
            "/maatregelen?theme=contouren:b&status=in_uitvoering",
            expected["theme"],
            fl.list_floors("theme"),
            {"params": {"status": "in_uitvoering", "scheme": "contouren", "theme": "b"}, "size": size, "today": today},
            100,
            3,
        ),
        (
            "Flagged list (any open flag, page 1)",
            "/maatregelen?flagged=1",
            expected["flagged"],
            fl.list_floors("flagged"),
            {"params": {"level": 1}, "size": size, "today": today},
            100,
            3,
        ),
        (
            f"Detail with the longest history ({code}, {longest} updates)",
            f"/maatregelen/{code}",
            expected["detail"],
            fl.detail_floors(),
            {"code": code},
            100,
            3,
        ),
        (
            "As-of list (stand per 2020-01-01, page 1)",
            f"/maatregelen?as_of={as_of}",
            expected["as_of"],
            fl.as_of_list_floors(),
            {"as_of": as_of, "size": size},
            300,
            None,
        ),
        (
            f"Comparison 2019-01-01 → 2020-01-01 (every change counted, the first {COMPARE_SHOWN} of each kind)",
            f"/vergelijken?van={start}&tot={end}",
            expected["compare"],
            fl.compare_floors(),
            {"start": start, "end": end, "shown": COMPARE_SHOWN},
            100,
            3,
        ),
    ]
    figures = []
    for name, path, rows, floors, params, target_ms, bound in pages:
        print(f"  {name}", flush=True)
        figures.append(page_figure(b, name, path, rows, floors, params, target_ms, bound))
    return figures


# --- the daily check, with its writes ----------------------------------------------------------


class Snapshots:
    """Copies of the SQLite file, to put the database back before every timed run of a writer."""

    def __init__(self, b: Bench, workdir: Path):
        self.b = b
        self.path = Path(b.engine.url.database)
        self.workdir = workdir

    def save(self, name: str) -> Path:
        self.b.engine.dispose()
        target = self.workdir / f"{name}.db"
        shutil.copyfile(self.path, target)
        return target

    def restore(self, source: Path) -> None:
        self.b.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, self.path)


FLAG_INSERT = (
    "INSERT INTO flag (measure_id, rule, kind, rule_severity, severity, score, evidence_on, explanation, facts, "
    "first_seen_on, last_seen_on, resolved_on, first_run_id) VALUES (:measure_id, :rule, :kind, :rule_severity, "
    ":severity, :score, :evidence_on, :explanation, :facts, :first_seen_on, :last_seen_on, :resolved_on, :run)"
)
RUN_INSERT = (
    "INSERT INTO check_run (run_key, as_of, trigger, persisted, started_at, finished_at, status, flags_found, "
    "flags_opened, flags_resolved, measures_flagged, measures_stalled, measures_silent, rule_errors, error, "
    "notifications_sent, host) VALUES (:key, :d, 'benchmark', :t, :now, :now, 'geslaagd', :n, :n, 0, 0, 0, 0, '', '', 0, '')"
)


def _flag_dicts(rows: list[tuple]) -> list[dict]:
    return [dict(zip(fl.FLAG_COLUMNS, r, strict=True)) for r in rows]


def bench_check(b: Bench, workdir: Path) -> list[Figure]:
    """The daily job at 10,000 measures: on its first run (no flags yet) and on a steady run (the
    day after the last one). Floor: the fastest SQL for what the rules read, plus writing exactly
    the flag rows that the app's run left, in as few statements as they allow."""
    if b.dialect != "sqlite":
        print("  the check's write figures restore a database file before each run: SQLite only")
        return []
    thresholds = Thresholds.from_config(b.app.config)
    day = NOW.date()
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    with b.session() as s:
        expected = fl.check_inputs_app(s, day)
    read, ranked = choose_floor(b, "check inputs", expected, fl.check_floors(), {"day": day})
    counter = iter(range(10**6))

    def job():
        with b.session() as s:
            run_checks(
                s, now=now, thresholds=thresholds, trigger="benchmark", persist=True, run_key=f"bench:{next(counter)}"
            )

    snaps = Snapshots(b, workdir)
    steady = snaps.save("steady")  # the flags the generator's daily runs left, the day before
    with b.engine.begin() as conn:
        conn.execute(text("DELETE FROM flag_acknowledgement"))
        conn.execute(text("DELETE FROM flag"))
    first = snaps.save("first")

    figures = []
    for label, source in (("first run, no flags yet", first), ("steady run, the day after", steady)):
        snaps.restore(source)
        with b.engine.connect() as conn:
            before = {(r[0], r[1], r[9]): r for r in fl.flag_rows(conn)}
        job()
        with b.engine.connect() as conn:
            after_rows = fl.flag_rows(conn)
        after = {(r[0], r[1], r[9]): r for r in after_rows}
        opened = [r for k, r in after.items() if k not in before]
        changed = [r for k, r in after.items() if k in before and before[k][:10] + before[k][11:] != r[:10] + r[11:]]
        resolved_keys = [k for k, r in after.items() if k in before and before[k][11] is None and r[11] is not None]
        refreshed = any(k in before and before[k][11] is None and r[11] is None for k, r in after.items())

        found = len(after)

        def floor(opened=opened, changed=changed, refreshed=refreshed, found=found):
            with b.engine.connect() as conn:
                read.run(conn, {"day": day})
            with b.engine.begin() as conn:
                key = f"floor:{next(counter)}"
                conn.execute(text(RUN_INSERT), {"key": key, "d": day, "t": True, "now": now, "n": found})
                run_id = conn.execute(text("SELECT id FROM check_run WHERE run_key = :k"), {"k": key}).scalar_one()
                if refreshed:
                    conn.execute(text("UPDATE flag SET last_seen_on = :d WHERE resolved_on IS NULL"), {"d": day})
                if changed:
                    conn.execute(
                        text(
                            "UPDATE flag SET kind = :kind, rule_severity = :rule_severity, severity = :severity, "
                            "score = :score, evidence_on = :evidence_on, explanation = :explanation, facts = :facts, "
                            "last_seen_on = :last_seen_on, resolved_on = :resolved_on "
                            "WHERE measure_id = :measure_id AND rule = :rule AND first_seen_on = :first_seen_on"
                        ),
                        _flag_dicts(changed),
                    )
                if opened:
                    conn.execute(text(FLAG_INSERT), [{**d, "run": run_id} for d in _flag_dicts(opened)])

        snaps.restore(source)
        floor()
        with b.engine.connect() as conn:
            _assert_same("check writes", label, {"flags": after_rows}, {"flags": fl.flag_rows(conn)})
        app_ms, floor_ms = interleaved(
            job, floor, max(3, b.rounds // 3), before=lambda source=source: snaps.restore(source)
        )
        figure = Figure(
            f"Daily check with its writes ({label})",
            app_ms,
            floor_ms,
            f"{read.name}; then the same flag rows written",
            read.sql
            + [
                "-- then: one INSERT per new flag (executemany), one UPDATE of last_seen_on, one UPDATE per changed flag"
            ],
            ranked,
            target="≤ 1 s",
        )
        figure.target_ok = figure.p95 <= 1000
        figure.note = (
            f"{len(after_rows):,} flag rows after the run; {len(opened):,} opened, {len(changed):,} changed, "
            f"{len(resolved_keys):,} resolved"
        )
        figures.append(figure)
    snaps.restore(steady)
    return figures


# --- exports ------------------------------------------------------------------------------------


def _csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(header, rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Maatregelen")
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def _xlsx_rows(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _get(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data()


def export_memory(app, path: str) -> float:
    """Peak Python memory (MB, tracemalloc) while the app writes and sends one export."""
    client = app.test_client()
    client.get(path).get_data()  # warm: imports and caches are not the export's
    tracemalloc.start()
    response = client.get(path)
    for _chunk in response.response:
        pass
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def bench_exports(b: Bench, small_app) -> list[Figure]:
    today = clock.today()
    client = b.app.test_client()
    list_sql = {"index seeks per measure": fl.LIST_EXPORT_SEEK, "window functions": fl.LIST_EXPORT_WINDOW}
    exports = [
        ("List export, CSV (all measures)", "/maatregelen/export.csv", "csv", "list"),
        ("List export, XLSX (all measures)", "/maatregelen/export.xlsx", "xlsx", "list"),
        ("Open data, CSV", "/open-data/maatregelen.csv", "csv", "open"),
        ("Open data, XLSX", "/open-data/maatregelen.xlsx", "xlsx", "open"),
        ("Open data, JSON", "/open-data/maatregelen.json", "json", "open"),
    ]
    figures = []
    for name, path, fmt, kind in exports:
        print(f"  {name}", flush=True)
        body = _get(client, path)
        if kind == "list":
            header = fl.LIST_EXPORT_HEADER
            floors = {n: (lambda conn, sql=sql: fl.list_export_rows(conn, sql), [sql]) for n, sql in list_sql.items()}
        else:
            header = fl.OPEN_DATA_HEADER
            floors = {
                "index seeks per measure": (
                    lambda conn: fl.open_data_rows(conn, today),
                    [fl.OPEN_DATA_SEEK, *fl.OPEN_DATA_SIDE],
                )
            }
        candidates, ranked, chosen = {}, [], None
        if fmt != "json":
            writer = _csv_bytes if fmt == "csv" else _xlsx_bytes
            reader = _csv_rows if fmt == "csv" else _xlsx_rows
            app_rows = reader(body)
            for floor_name, (rows_of, _sql) in floors.items():
                with b.engine.connect() as conn:
                    got = reader(writer(header, rows_of(conn)))
                if fmt == "csv":
                    got = [[str(v) for v in row] for row in got]
                _assert_same(name, floor_name, {"rows": app_rows}, {"rows": got})

                def run(rows_of=rows_of, writer=writer, header=header):
                    with b.engine.connect() as conn:
                        writer(header, rows_of(conn))

                candidates[floor_name] = run
            best, ranked = fastest(candidates, max(1, b.trials // 2))
            chosen = candidates[best]
        app_ms, floor_ms = interleaved(lambda path=path: _get(client, path), chosen, max(3, b.rounds // 3))
        mb_small, mb_large = export_memory(small_app, path), export_memory(b.app, path)
        target = (
            "p95 ≤ 4.4 s (Redmine's CSV export); memory flat" if path == "/maatregelen/export.csv" else "memory flat"
        )
        figure = Figure(
            name,
            app_ms,
            floor_ms,
            f"{best} + {'the csv module' if fmt == 'csv' else 'openpyxl write-only'}" if chosen else "",
            floors[best][1] if chosen else [],
            ranked,
            target=target,
        )
        flat = mb_large <= 2 * mb_small + 5
        figure.target_ok = flat and (figure.p95 <= REDMINE_CSV_S * 1000 if "Redmine" in target else True)
        figure.note = (
            f"{len(body):,} bytes; peak Python memory {mb_small:.1f} MB at 1,000 measures, {mb_large:.1f} MB at "
            f"{b.measures:,}"
            + (f"; {figure.p50 / 1000 / REDMINE_CSV_S:.2f}× Redmine's 4.4 s" if "Redmine" in target else "")
        )
        if fmt == "json":
            figure.note += "; no floor written for the nested JSON (time only)"
        figures.append(figure)
    return figures


# --- reports ------------------------------------------------------------------------------------


def _report_run(*args: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.report_bench", *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_reports(catalogue_url: str, synthetic_url: str, rounds: int, workdir: Path) -> list[Figure]:
    """The catalogue report and a 1,000-measure report, each a fresh process, against WeasyPrint
    alone on the stored HTML of the same report, in a fresh process too, interleaved."""
    figures = []
    as_of = NOW.date().isoformat()
    for name, url, target in (
        ("Report: the real catalogue", catalogue_url, "< 5 s; overhead < 15 %"),
        ("Report: 1,000 synthetic measures", synthetic_url, "overhead < 15 %; peak < 1 GB"),
    ):
        print(f"  {name}", flush=True)
        html = workdir / f"{abs(hash(url))}.html"
        _report_run("html", "--database-url", url, "--as-of", as_of, "--html", str(html))
        app_runs, weasy_runs = [], []
        for n in range(rounds):
            pair = [("app", app_runs), ("weasyprint", weasy_runs)]
            for mode, out in pair if n % 2 == 0 else reversed(pair):
                args = (
                    ["weasyprint", "--html", str(html)]
                    if mode == "weasyprint"
                    else ["app", "--database-url", url, "--as-of", as_of]
                )
                out.append(_report_run(*args))
        figure = Figure(
            name,
            [r["wall_s"] * 1000 for r in app_runs],
            [r["wall_s"] * 1000 for r in weasy_runs],
            "WeasyPrint alone on the stored HTML, in a fresh process",
            target=target,
        )
        peak, alone = max(r["peak_mb"] for r in app_runs), max(r["peak_mb"] for r in weasy_runs)
        overhead = figure.ratio - 1
        figure.target_ok = overhead < 0.15 and (figure.p95 < 5000 if "catalogue" in name else peak < 1024)
        prepare = statistics.median(r["prepare_s"] for r in app_runs) * 1000
        figure.note = (
            f"peak RSS {peak:.0f} MB (WeasyPrint alone {alone:.0f} MB); overhead {overhead * 100:.1f} % against the "
            f"floor; inside the app's run the snapshot and HTML take {prepare:,.0f} ms "
            f"({prepare / figure.p50 * 100:.1f} %); {app_runs[0]['bytes']:,} bytes"
        )
        figures.append(figure)
    return figures


# --- results ------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 10_000 else f"{value:,.0f}"


def write_results(figures: list[Figure], counts: dict, url: str, rounds: int, load: tuple, started: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; "
        f"{(time.perf_counter() - started) / 60:.0f} minutes.",
        f"Load average (1, 5, 15 min) at the start {load[0][0]:.2f} {load[0][1]:.2f} {load[0][2]:.2f}, at the end "
        f"{load[1][0]:.2f} {load[1][1]:.2f} {load[1][2]:.2f}.",
        f"Data: {counts['measures']:,} synthetic measures across {counts['organisations']} organisations, "
        f"{counts['status_updates']:,} status updates (median {counts['median_history']} a measure, longest "
        f"{counts['longest_history']}), {counts['deadline_changes']:,} deadline changes, {counts['indicators']:,} "
        f"indicators (one on every tenth measure) with {counts['measurements']:,} measurements, and "
        f"{counts['open_flags']:,} open flags left by the daily check (run on 2 January of each year from 2019 and on "
        "the day before), plus the real catalogue.",
        f"Timing: after a warm-up, the app and its floor alternate, {rounds} rounds each for the pages (a third of that "
        "for the exports and the check, 3 for the reports); which one goes first alternates too. The floor is the "
        "fastest of the candidates below that return the same rows as the app (asserted). Ratio = app p50 / floor p50; "
        "spread = the 5th to 95th percentile of the ratio per round.",
        "",
        "| figure | min ms | p50 ms | p95 ms | floor p50 ms | ratio | spread | target | met | note |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for f in figures:
        floor = _ms(f.floor_p50) if f.floor_p50 is not None else "—"
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        spread = f"{f.spread[0]:.2f}–{f.spread[1]:.2f}×" if f.spread else "—"
        met = "ja" if f.target_ok else ("**nee**" if f.target_ok is not None else "—")
        lines.append(
            f"| {f.name} | {_ms(f.min)} | {_ms(f.p50)} | {_ms(f.p95)} | {floor} | {ratio} | {spread} | {f.target} | {met} | {f.note} |"
        )
    lines += ["", "## The floors", ""]
    for f in figures:
        if not f.floor_name:
            continue
        lines += [f"### {f.name}", "", f"Kept: **{f.floor_name}**."]
        if f.candidates:
            lines.append(
                "Candidates (best time of each): " + "; ".join(f"{n} {ms:.1f} ms" for n, ms in f.candidates) + "."
            )
        if f.floor_sql:
            lines += ["", "```sql", *(s + ";" for s in f.floor_sql), "```"]
        lines.append("")
    return "\n".join(lines)


def _app(url: str):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    upgrade_database(app)
    return app


def _reset(url: str) -> None:
    if url.startswith("postgresql"):
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
        with get_engine(app).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        get_engine(app).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds of app and floor for the pages")
    parser.add_argument("--trials", type=int, default=5, help="timed runs of each floor candidate")
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--skip-reports", action="store_true", help="leave out the (slow) report benchmarks")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args()
    started = time.perf_counter()
    load_start = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="mm-bench-"))
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    _reset(url)
    app = _app(url)
    thresholds = Thresholds.from_config(app.config)
    with Session(get_engine(app)) as session:
        counts = generate(session, measures=args.measures, updates=args.updates, thresholds=thresholds)
    print(f"Generated: {counts}", flush=True)
    small_url = f"sqlite:///{workdir}/thousand.db"
    small = _app(small_url)
    with Session(get_engine(small)) as session:
        generate(session, measures=1_000, updates=args.updates // 10, thresholds=thresholds)
    bench = Bench(app, url, args.rounds, args.trials, args.measures)
    gc.freeze()  # as a gunicorn worker does once it has loaded the app (measures/core/gunicorn_conf.py)
    figures = []
    print("Check", flush=True)
    figures += bench_check(bench, workdir)
    print("Pages", flush=True)
    figures += bench_pages(bench)
    print("Writes", flush=True)
    figures += bench_writes(bench)
    print("Exports", flush=True)
    figures += bench_exports(bench, small)
    if not args.skip_reports:
        print("Reports", flush=True)
        catalogue_url = f"sqlite:///{workdir}/catalogue.db"
        catalogue = _app(catalogue_url)
        with Session(get_engine(catalogue)) as session:
            seed(session=session, now=NOW)
            session.commit()
        figures += bench_reports(catalogue_url, small_url, 3, workdir)
    report = write_results(figures, counts, url, args.rounds, (load_start, os.getloadavg()), started)
    print(report)
    if not args.no_write:
        # The hand-written analysis below the generated part survives a new run.
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        analysis = previous[previous.index("## Analysis") :] if "## Analysis" in previous else ""
        RESULTS.write_text(report + ("\n" + analysis if analysis else ""), encoding="utf-8")
    missed = [f.name for f in figures if f.target_ok is False]
    if args.check and missed:
        print(f"Missed {len(missed)} target(s): {', '.join(missed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
