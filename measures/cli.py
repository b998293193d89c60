"""`flask --app app ...` commands: thin wrappers over the services, each with its own session."""

import json
import os
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from measures.accounts.services import create_user
from measures.checks.notifications import send_digests
from measures.checks.rules import LEVEL_LABELS, RULE_LABELS, Thresholds, level_counts, rule_level_label, run_checks
from measures.checks.scheduler import build_scheduler
from measures.core import clock
from measures.register import open_data, states
from measures.register.seed import seed as seed_catalogue
from measures.register.services import ServiceError
from measures.reports import build as reports
from measures.sources.cli import ingest_command
from models.db import get_engine, session_scope
from models.user import ROLES

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def upgrade_database(app: Flask) -> None:
    """Apply every pending migration; safe to run again."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    migrate(app, "head")


def migrate(app: Flask, revision: str, direction: str = "upgrade") -> None:
    """Move the schema to `revision` (up or down) in one transaction.

    On SQLite a batch migration rebuilds a table by copying it and dropping the old one, which
    SQLite refuses while other rows refer to it. So foreign keys are off during the migration (the
    documented way), and checked in full before it commits.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with get_engine(app).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or it is ignored
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                getattr(command, direction)(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                    raise RuntimeError("De migratie laat verwijzingen naar ontbrekende rijen achter.")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Apply the database migrations (safe to run again)."""
    upgrade_database(current_app)
    click.echo("Database bijgewerkt tot de laatste migratie.")


@click.command("seed")
@with_appcontext
def seed_command():
    """Load the measure catalogue (idempotent; never overwrites recorded work)."""
    try:
        with session_scope() as session:
            report = seed_catalogue(session=session, now=clock.now())
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Catalogus geladen: {report.summary()}.")


@click.command("rebuild-states")
@with_appcontext
def rebuild_states_command():
    """Derive the programme-in-time projection again from the histories (one transaction)."""
    with session_scope() as session:
        intervals = states.rebuild(session)
    click.echo(f"Toestanden opnieuw afgeleid: {intervals} intervallen.")


@click.command("openapi")
@with_appcontext
def openapi_command():
    """Print the API's OpenAPI document, exactly as /api/v1/openapi.json serves it (for linters
    and client generators)."""
    response = current_app.test_client().get("/api/v1/openapi.json", base_url="http://localhost")
    click.echo(response.get_data(as_text=True))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="De stand per deze datum (JJJJ-MM-DD).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), required=True, help="Het bestand om te schrijven."
)
@with_appcontext
def export_command(fmt: str, as_of, out: str):
    """Write every measure with all its fields as JSON, CSV or XLSX (open data)."""
    day = as_of.date() if as_of else None
    target = Path(out)
    # Written as it is made, to a file beside the target that takes its name only when complete:
    # an export that fails halfway leaves no partial file (and an earlier export intact).
    partial = target.with_name(f".{target.name}.deels")
    try:
        with session_scope() as session, partial.open("wb") as file:
            records = open_data.measure_records(session, as_of=day)
            count = open_data.write(records, fmt, file, generated_on=clock.today(), as_of=day)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"{count} maatregelen geschreven naar {out}.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--organisation", default=None, help="Afkorting van de organisatie, bijvoorbeeld Politie.")
@click.option("--name", default="", help="Weergavenaam; standaard het e-mailadres.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer.")
@with_appcontext
def create_user_command(email: str, role: str, organisation: str | None, name: str, password_stdin: bool):
    """Create an account with a role (and organisation, for coordinators)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope() as session:
            user = create_user(
                session=session, email=email, name=name, role=role, password=password, organisation=organisation
            )
            label = user.email
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Account aangemaakt: {label} ({ROLES[role]}).")


@click.command("check-stalled")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Controleer de stand per deze datum (JJJJ-MM-DD), vandaag of eerder.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_appcontext
def check_stalled_command(as_of, fmt: str):
    """Run the stalled-measure checks and print the flags (today's run also persists them)."""
    now = clock.now()
    if as_of is not None and as_of.date() > clock.day_of(now):
        raise click.UsageError(
            f"--as-of {as_of.date():%Y-%m-%d} ligt in de toekomst; controleer vandaag of een eerdere datum."
        )
    persist = as_of is None or as_of.date() == clock.day_of(now)
    if as_of is not None and not persist:
        now = datetime.combine(as_of.date(), time(12, 0), tzinfo=UTC)
    with session_scope() as session:
        run, evaluation = run_checks(
            session,
            now=now,
            thresholds=Thresholds.from_config(current_app.config),
            trigger="cli",
            persist=persist,
            notify=(lambda s, flags: send_digests(current_app, s, flags)) if persist else None,
        )
    if evaluation is None:
        raise click.ClickException("Deze controle is al door een ander proces gestart; probeer het zo opnieuw.")
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in evaluation.findings], ensure_ascii=False, indent=2))
    else:
        click.echo(format_findings(evaluation))
        note = "" if persist else " (niet opgeslagen: controle voor een eerdere datum)"
        click.echo(summarise_signals(evaluation.signals, clock.day_of(now)) + note + ".")
    for rule, error in evaluation.failed_rules.items():
        click.echo(f"Controle {rule} mislukt: {error}", err=True)


def format_findings(evaluation) -> str:
    """Return one line per rule: the measure's level, the rule, the rule's own level, why."""
    lines = [f"{'maatregel':<12} {'niveau':<7} {'regel':<26} {'regelniveau':<11} toelichting"]
    for f in evaluation.findings:
        lines.append(
            f"{f.measure_code:<12} {LEVEL_LABELS[f.severity]:<7} {RULE_LABELS[f.rule]:<26} "
            f"{rule_level_label(f.kind, f.rule_severity):<11} {f.explanation}"
        )
    return "\n".join(lines)


def summarise_signals(signals, on) -> str:
    """Return the run in one line: measures per stall level, and the monitoring gaps apart."""
    counts = level_counts(signals)
    per_level = ", ".join(f"{LEVEL_LABELS[level]} {count}" for level, count in counts["by_level"].items())
    return (
        f"Per {on:%d-%m-%Y}: {counts['stalled']} maatregelen met aanwijzingen dat ze vastlopen ({per_level}); "
        f"{counts['silent']} maatregelen met een monitoringgat"
    )


@click.command("run-scheduler")
@with_appcontext
def run_scheduler_command():
    """Run the scheduler (daily checks) in this process, until stopped."""
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo(
        f"Planner gestart: dagelijkse controle om {current_app.config['CHECK_TIME']} ({current_app.config['BABEL_DEFAULT_TIMEZONE']})."
    )
    scheduler.start()


@click.command("report")
@click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="De peildatum (JJJJ-MM-DD)."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Wijzigingen sinds deze datum; standaard de vorige editie.",
)
@click.option(
    "--scheme",
    type=click.Choice(["", "contouren", "actielijn"]),
    default="",
    help="Alleen deze indeling (standaard beide).",
)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--save/--no-save", default=False, help="Ook als bevroren editie opslaan.")
@with_appcontext
def report_command(as_of, since, scheme: str, out: str, save: bool):
    """Render the parliament report as a PDF (optionally stored as a frozen edition)."""
    _check_writable(out)  # before a rendering of many seconds, not after
    app = current_app._get_current_object()
    with click.progressbar(length=100, label="Voortgangsrapportage", show_percent=True) as bar:
        done = {"at": 0}

        def progress(percent: int, message: str) -> None:
            bar.label = message
            bar.update(percent - done["at"])
            done["at"] = percent

        pdf, _snapshot, edition = reports.produce(
            app,
            as_of=as_of.date(),
            since=since.date() if since else None,
            scheme=scheme,
            generated_by="opdrachtregel",
            save=save,
            progress=progress,
        )
    Path(out).write_bytes(pdf)
    suffix = f" (editie {edition.number}, SHA-256 {edition.pdf_sha256})" if edition else ""
    click.echo(f"{len(pdf):,} bytes geschreven naar {out}{suffix}.")


def _check_writable(out: str, *, overwrite: bool = True) -> None:
    """Refuse an output path whose folder is missing or read-only (or that exists, without `overwrite`)."""
    path = Path(out)
    if not path.parent.is_dir():
        raise click.ClickException(f"De map {path.parent} bestaat niet; maak hem eerst aan.")
    if not os.access(path.parent, os.W_OK):
        raise click.ClickException(f"In de map {path.parent} mag niet worden geschreven.")
    if path.exists() and not overwrite:
        raise click.ClickException(f"{out} bestaat al; kies een andere naam of gebruik --overwrite.")


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--overwrite", is_flag=True, help="Een bestaand bestand overschrijven.")
@with_appcontext
def backup_command(out: str, overwrite: bool):
    """Copy a SQLite database with SQLite's online backup API (safe while the app runs)."""
    import sqlite3

    _check_writable(out, overwrite=overwrite)
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("Alleen voor SQLite; gebruik voor PostgreSQL pg_dump (zie de README).")
    # Written beside the target and moved into place: an existing backup is replaced whole or not at all.
    partial = Path(out).with_name(Path(out).name + ".deel")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(partial)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()
    os.replace(partial, out)
    click.echo(f"Back-up geschreven naar {out}.")


def init_app(app: Flask) -> None:
    for cmd in (
        backup_command,
        report_command,
        init_db_command,
        seed_command,
        rebuild_states_command,
        openapi_command,
        export_command,
        create_user_command,
        check_stalled_command,
        run_scheduler_command,
        ingest_command,
    ):
        app.cli.add_command(cmd)
