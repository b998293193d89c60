"""Report benchmark, one measurement per process, so that peak memory (max RSS) is the run's own.

    python -m benchmarks.report_bench app --database-url URL --as-of 2026-11-23
    python -m benchmarks.report_bench html --database-url URL --as-of 2026-11-23 --html FILE
    python -m benchmarks.report_bench weasyprint --html FILE

`app` times the whole report (snapshot, HTML, PDF), as the app makes it. `html` stores the finished
HTML of the same report (untimed). `weasyprint` is the floor: a fresh process that imports
WeasyPrint and nothing of the app, and renders the stored HTML with the same stylesheets and fonts.
Each prints one JSON line: wall seconds, peak RSS in MB (this process's own), PDF bytes, and for
`app` the seconds spent before WeasyPrint starts (the snapshot and the HTML).
"""

import argparse
import json
import mimetypes
import resource
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
STATIC_PREFIX = "https://maatregelmonitor.invalid/static/"  # as measures.reports.build serves them


def _peak_mb() -> float:
    """This process's own peak resident memory. Not ru_maxrss: Linux carries that over an exec,
    so a child of a large benchmark process would report its parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def weasyprint_alone(html_file: Path) -> dict:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcherResponse

    def fetch(url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(url)
        path = STATIC / url[len(STATIC_PREFIX) :].split("?")[0].split("#")[0]
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    html = html_file.read_text(encoding="utf-8")
    start = time.perf_counter()
    pdf = HTML(string=html, base_url="https://maatregelmonitor.invalid/", url_fetcher=fetch).write_pdf(
        pdf_variant="pdf/ua-1", uncompressed_pdf=False
    )
    return {"wall_s": time.perf_counter() - start, "peak_mb": _peak_mb(), "bytes": len(pdf)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["app", "html", "weasyprint"])
    parser.add_argument("--database-url")
    parser.add_argument("--as-of")
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()
    if args.mode == "weasyprint":
        print(json.dumps(weasyprint_alone(args.html)))
        return

    from app import create_app
    from measures.reports import build as reports

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "benchmark"})
    as_of = date.fromisoformat(args.as_of)
    marks: dict[int, float] = {}

    def progress(percent: int, _message: str) -> None:
        marks.setdefault(percent, time.perf_counter())

    start = time.perf_counter()
    pdf, snapshot, _edition = reports.produce(
        app, as_of=as_of, since=None, scheme="", generated_by="benchmark", save=False, progress=progress
    )
    wall = time.perf_counter() - start
    prepare = marks[45] - start  # the app's own work: the snapshot and the HTML, before WeasyPrint starts
    if args.mode == "html":
        with app.app_context():
            args.html.write_text(reports.render_html(snapshot), encoding="utf-8")
    print(json.dumps({"wall_s": wall, "prepare_s": prepare, "peak_mb": _peak_mb(), "bytes": len(pdf)}))


if __name__ == "__main__":
    main()
