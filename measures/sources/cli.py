"""`flask --app app ingest FILE`: read a letter in as text, for a document the register has or a new one."""

import json
import os
from functools import partial
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import select

from measures.core import clock
from measures.core.text import DateError, parse_date
from measures.sources import extract, metadata, proposals, services
from models.db import session_scope
from models.document import SourceDocument


@click.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", help="Sleutel van een document dat het register al kent, of van het nieuwe document.")
@click.option("--date", "day", help="Datum van het document (JJJJ-MM-DD); anders de gevonden datum.")
@click.option("--kind", help="Soort document, bijvoorbeeld kamerstuk of brief_rapporteur.")
@click.option("--reference", help="Kenmerk, bijvoorbeeld 'Kamerstuk 28 638 nr. 170'; anders het gevonden kenmerk.")
@click.option("--title", help="Titel; anders de eerste alinea.")
@click.option("--yes", is_flag=True, help="Neem gevonden gegevens over zonder te vragen.")
@click.option("--dry-run", is_flag=True, help="Lees en toon, maar sla niets op.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: de voorstellen per maatregel als JSON op standaarduitvoer (de rest op standaardfout).",
)
@with_appcontext
def ingest_command(file: Path, key, day, kind, reference, title, yes: bool, dry_run: bool, fmt: str):
    """Read a document (PDF, HTML, DOCX or text) into the register, in numbered paragraphs, and
    propose what it says about each measure and recommendation."""
    say = partial(click.echo, err=fmt == "json")  # with --format json, stdout is the JSON alone
    limits = extract.Limits()
    if os.path.getsize(file) > limits.max_bytes:  # before reading it
        raise click.ClickException(f"Het bestand is groter dan {limits.max_bytes // (1024 * 1024)} MB.")
    data = file.read_bytes()
    try:
        extracted = extract.extract(data, file.name, limits)
    except extract.ExtractError as error:
        raise click.ClickException(str(error)) from error
    found = metadata.propose(extracted.paragraphs)
    say(
        f"{file.name}: {extracted.format}, {len(extracted.paragraphs)} alinea's"
        + (f", {extracted.pages} pagina's" if extracted.pages else "")
    )
    for label, value, where in (
        ("Kamerstuk", found.reference, found.reference_found_in),
        ("Datum", found.date, found.date_found_in),
        ("Kenmerk", found.kenmerk, found.kenmerk_found_in),
    ):
        if value:
            say(f"  gevonden {label}: {value}  („{where}”)")
    with session_scope() as session:
        known = key is not None and session.exec(select(SourceDocument.id).where(SourceDocument.key == key)).first()
    if known:
        yes = True  # the register has the document: its reference and date are not asked for
    if (
        reference is None
        and found.reference
        and (yes or dry_run or click.confirm(f"Kenmerk {found.reference} overnemen?", default=True))
    ):
        reference = found.reference
    try:
        parsed = parse_date(day) if day else None
    except DateError as error:
        raise click.ClickException(f"--date: {error}") from error
    if (
        parsed is None
        and found.date
        and (yes or dry_run or click.confirm(f"Datum {found.date:%d-%m-%Y} overnemen?", default=True))
    ):
        parsed = found.date
    if dry_run:
        with session_scope() as session:
            found_proposals = proposals.propose(
                session, extracted.paragraphs, rejected=services.rejected_passages(session)
            )
        _show(found_proposals, fmt, say)
        say("Niets opgeslagen (--dry-run).")
        return
    try:
        with session_scope() as session:
            result = services.ingest(
                session, data=data, extracted=extracted, by="cli", now=clock.now(), key=key,
                reference=reference, day=parsed, kind=kind, title=title,
            )  # fmt: skip
            document, created = result.document.reference, result.created
            document_key = result.document.key
            found_proposals = proposals.propose(
                session, extracted.paragraphs, rejected=services.rejected_passages(session)
            )
            services.store_proposals(session, result.document, found_proposals)
    except (ValueError, services.TextExists) as error:
        raise click.ClickException(str(error)) from error
    _show(found_proposals, fmt, say)
    say(f"{'Nieuw document' if created else 'Tekst toegevoegd aan'} {document} ({document_key}).")
    say(f"Voorstellen beoordelen: /documenten/{document_key}/voorstellen")


def _show(found: list, fmt: str, say) -> None:
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in found], ensure_ascii=False, indent=2))
        return
    for p in found:
        code = p.measure_code or p.recommendation_code
        status = f" → {p.suggested_status} ({p.status_wording})" if p.suggested_status else ""
        say(f"  {code} #{p.paragraph} {p.score:.1f}{status}: {p.passage[:120]}")
