"""Report benchmark, one measurement per process so peak memory (max RSS) is the run's own.

    python -m benchmarks.report_bench --database-url URL --as-of 2026-11-23 --mode app|weasyprint

`app` times the whole report (snapshot, HTML, PDF); `weasyprint` times WeasyPrint alone rendering
the same finished HTML (built first, outside the timing). Prints one JSON line.
"""

import argparse
import json
import resource
import time
from datetime import date

from app import create_app
from measures.reports import build as reports


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--mode", choices=["app", "weasyprint"], required=True)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "benchmark"})
    as_of = date.fromisoformat(args.as_of)
    if args.mode == "app":
        start = time.perf_counter()
        pdf, _snapshot, _edition = reports.produce(
            app, as_of=as_of, since=None, scheme="", generated_by="benchmark", save=False
        )
        wall = time.perf_counter() - start
    else:
        _pdf, snapshot, _edition = reports.produce(
            app, as_of=as_of, since=None, scheme="", generated_by="benchmark", save=False
        )
        with app.app_context():
            html = reports.render_html(snapshot)
        start = time.perf_counter()
        pdf = reports.render_pdf(html, app)
        wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_mb": peak_mb, "bytes": len(pdf)}))


if __name__ == "__main__":
    main()
