"""`flask --app app ...` commands: thin wrappers over the services, each with its own session."""

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from measures import export as open_data
from measures.accounts import create_user
from measures.seed import seed as seed_catalogue
from measures.services import ServiceError, now_utc
from models.db import get_engine, session_scope
from models.user import ROLES

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def upgrade_database(app: Flask) -> None:
    """Apply every pending migration; safe to run again."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with get_engine(app).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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
            report = seed_catalogue(session=session, now=now_utc())
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Catalogus geladen: {report.summary()}.")


@click.command("export")
@with_appcontext
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="Het bestand om te schrijven.")
def export_command(fmt: str, out: str):
    """Write every measure with all its fields as JSON or CSV."""
    with session_scope() as session:
        records = open_data.measure_records(session)
    text = open_data.to_json(records, generated_on=now_utc().date()) if fmt == "json" else open_data.to_csv(records)
    Path(out).write_text(text, encoding="utf-8")
    click.echo(f"{len(records)} maatregelen geschreven naar {out}.")


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
            user = create_user(session=session, email=email, name=name, role=role, password=password, organisation=organisation)
            label = user.email
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Account aangemaakt: {label} ({ROLES[role]}).")


def init_app(app: Flask) -> None:
    for cmd in (init_db_command, seed_command, export_command, create_user_command):
        app.cli.add_command(cmd)
