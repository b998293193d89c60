"""Load test: gunicorn on loopback, 20 locust users for 60 s of mixed reads and writes.

    .venv/bin/python -m benchmarks.load [--database-url URL] [--seconds 60] [--users 20]

Reports throughput and error rate, and checks that every acknowledged write is in the database.
Appends the result to benchmarks/LOAD.md.
"""

import argparse
import csv
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from app import create_app
from measures.accounts import services as accounts
from measures.accounts import tokens
from measures.cli import upgrade_database
from measures.register.seed import seed
from models import Measure, Organisation, StatusUpdate
from models.db import get_engine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str, workdir: Path) -> Path:
    if url.startswith("postgresql"):
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load"})
        with get_engine(app).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load"})
    upgrade_database(app)
    users = []
    with Session(get_engine(app)) as session:
        seed(session=session, now=datetime.now(UTC))
        session.commit()
        for org in session.exec(
            select(Organisation).where(Organisation.abbreviation.in_(["Politie", "OM", "ISZW", "JenV", "VWS"]))
        ).all():
            codes = session.exec(select(Measure.code).where(Measure.lead_organisation_id == org.id)).all()
            if not codes:
                continue
            for n in range(4):
                user = accounts.create_user(
                    session=session,
                    email=f"load{n}@{org.abbreviation.lower()}.test",
                    name=f"Load {org.abbreviation} {n}",
                    role="coordinator",
                    password="load test password",
                    organisation=org.abbreviation,
                )
                _token, plain = tokens.create_token(session=session, user=user, name="load", now=datetime.now(UTC))
                users.append({"token": plain, "measures": list(codes)})
        session.commit()
    path = workdir / "users.json"
    path.write_text(json.dumps(users), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mm-load-"))
    url = args.database_url or f"sqlite:///{workdir}/load.db"
    users = prepare(url, workdir)
    ledger = workdir / "ledger.jsonl"
    ledger.touch()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MM_SECRET_KEY": "load-test-secret",
        "MM_LOAD_USERS": str(users),
        "MM_LOAD_LEDGER": str(ledger),
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "2",
            "--timeout",
            "60",
            "-c",
            "python:measures.core.gunicorn_conf",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"),
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(workdir / "stats"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            timeout=args.seconds + 120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with open(workdir / "stats_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    acknowledged = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip()]
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load"})
    with Session(get_engine(app)) as session:
        stored_ids = set(session.exec(select(StatusUpdate.id).where(StatusUpdate.note.like("Belastingtest %"))).all())
    lost = [a for a in acknowledged if a["id"] not in stored_ids]
    extra = len(stored_ids) - len({a["id"] for a in acknowledged})
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        f"## {backend}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"gunicorn {args.workers} workers × 2 threads on 127.0.0.1; locust, {args.users} users, {args.seconds} s; {platform.machine()}, {os.cpu_count()} cores.",
        "",
        f"- Requests: {requests:,}; throughput {float(total['Requests/s']):.1f}/s; failures {failures} ({100 * failures / max(requests, 1):.2f} %).",
        f"- Median {total['Median Response Time']} ms, p95 {total['95%']} ms, max {float(total['Max Response Time']):.0f} ms.",
        f"- Writes acknowledged (201): {len(acknowledged)}; found in the database: {len(acknowledged) - len(lost)}; lost: {len(lost)}; unacknowledged extras: {extra}.",
        # Each write carries the ETag its user just read; another user's write in between makes it 412.
        f"- Writes refused as stale (412, another user wrote first): {int(rows['POST status-updates']['Request Count']) - len(acknowledged)}.",
        "",
        "| request | count | failures | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        if name != "Aggregated":
            lines.append(
                f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | {row['Median Response Time']} | {row['95%']} |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "benchmarks" / "LOAD.md"
    if not results.exists():
        results.write_text(
            "# Load test results\n\nWritten by `make load` (`python -m benchmarks.load`).\n\n", encoding="utf-8"
        )
    with results.open("a", encoding="utf-8") as handle:
        handle.write(report + "\n")
    if lost or failures:
        raise SystemExit(f"{len(lost)} acknowledged writes lost, {failures} failed requests")


if __name__ == "__main__":
    main()
