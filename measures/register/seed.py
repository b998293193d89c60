"""Load the catalogue into the database: idempotent, and never overwriting anybody's work."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, select

from measures.core import clock
from measures.register import services
from measures.register.catalogue import CATALOGUE_DIR, Catalogue, basis_of, load_catalogue, parse_period, validate
from models import (
    CatalogueEntry,
    Measure,
    Organisation,
    Recommendation,
    RecommendationMeasure,
    SourceDocument,
    Status,
    Theme,
    ThemeScheme,
)
from models.document import citation_of

TEXTS_DIR = CATALOGUE_DIR / "texts"

CATALOGUE_AUTHOR = "catalogus"


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    updates_added: int = 0
    recommendations: int = 0
    indicators_added: int = 0
    measurements_added: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created)} maatregelen toegevoegd, {len(self.changed)} gewijzigd, "
            f"{len(self.merged)} samengevoegd, "
            f"{self.updates_added} statusupdates toegevoegd, {self.recommendations} aanbevelingen bijgewerkt, "
            f"{self.indicators_added} indicatoren en {self.measurements_added} metingen toegevoegd"
        )


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _upsert(session: Session, model, key_field: str, key, values: dict):
    row = session.exec(select(model).where(getattr(model, key_field) == key)).first()
    if row is None:
        row = model(**{key_field: key}, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    return row


def _seed_reference_data(session: Session, catalogue: Catalogue) -> dict[str, SourceDocument]:
    for position, s in enumerate(catalogue.statuses):
        _upsert(
            session,
            Status,
            "code",
            s["code"],
            {
                "label": s["label"],
                "description": s.get("description", ""),
                "rank": s["rank"],
                "is_open": s["open"],
                "position": position,
            },
        )
    for o in catalogue.organisations:
        _upsert(session, Organisation, "abbreviation", o["abbreviation"], {"name": o["name"], "kind": o["kind"]})
    session.flush()
    org_ids = dict(session.exec(select(Organisation.abbreviation, Organisation.id)).all())
    documents = {}
    for d in catalogue.documents:
        documents[d["key"]] = _upsert(
            session,
            SourceDocument,
            "key",
            d["key"],
            {
                "title": d["title"],
                "date": _as_date(d["date"]),
                "date_note": d.get("date_note"),
                "date_precision": d.get("date_precision", "dag"),
                "kind": d["kind"],
                "reference": d["reference"],
                "author_id": org_ids.get(d.get("author")),
                "url": d.get("url"),
                "file": d.get("file"),
                "consulted": d.get("consulted", True),
                "address": d.get("address"),
            },
        )
    session.flush()
    for d in catalogue.documents:  # the chain, once every document has its id
        document = documents[d["key"]]
        via = documents.get(d.get("via"))
        document.via_id = via.id if via else None
        document.citation = citation_of(
            reference=document.reference,
            day=document.date,
            precision=document.date_precision,
            consulted=document.consulted,
            via=via,
        )
        session.add(document)
    for position, s in enumerate(catalogue.schemes):
        _upsert(session, ThemeScheme, "code", s["code"], {"name": s["name"], "position": position})
    session.flush()
    scheme_ids = dict(session.exec(select(ThemeScheme.code, ThemeScheme.id)).all())
    for position, t in enumerate(catalogue.themes):
        scheme_id = scheme_ids[t["scheme"]]
        row = session.exec(select(Theme).where(Theme.scheme_id == scheme_id, Theme.code == t["code"])).first()
        if row is None:
            row = Theme(scheme_id=scheme_id, code=t["code"], name=t["name"], position=position)
        else:
            row.name, row.position = t["name"], position
        session.add(row)
    session.flush()
    return documents


def _content(entry: dict) -> services.MeasureInput:
    lead = entry.get("lead")
    return services.MeasureInput(
        title=entry["title"].strip(),
        description=entry.get("description", "").strip(),
        lead=None if lead in (None, "onbekend") else lead,
        co_owners=list(entry.get("co_owners", [])),
        themes=list(entry.get("themes", [])),
        budget=[
            services.BudgetInput(
                amount=Decimal(str(b["amount"])),
                kind=b["kind"],
                per=b["per"],
                from_year=b["from_year"],
                to_year=b.get("to_year"),
                funding=b.get("funding", "onbekend"),
                quote=b.get("quote", ""),
                document=b.get("document"),
            )
            for b in entry.get("budget", [])
        ],
        source_section=entry.get("section", ""),
        source_quote=entry.get("quote", ""),
    )


def _entry_data(entry: dict) -> dict:
    data = {k: v for k, v in entry.items() if not k.startswith("_")}
    data["fields"] = _content(entry).as_fields()
    data["deadline"] = str(entry["deadline"]) if "deadline" in entry else None
    return data


def _recorded(session: Session, kind: str, key: str) -> CatalogueEntry | None:
    return session.get(CatalogueEntry, (kind, key))


def _remember(session: Session, kind: str, key: str, data: dict, now: datetime) -> None:
    row = _recorded(session, kind, key) or CatalogueEntry(kind=kind, key=key, fingerprint="", data="")
    row.fingerprint = _fingerprint(data)
    row.data = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    row.applied_at = now
    session.add(row)


def _provenance(entry: dict, documents: dict, schemes: dict) -> dict:
    """The basis of each asserted field of an entry (see the catalogue README): owners and themes."""

    def owner(field: str, named: bool) -> services.Basis:
        if not named:
            return services.Basis()  # the sources are silent: nothing to point at
        key, sentence = basis_of(entry, field)
        return services.Basis(sentence, documents[key].id)

    themes = {}
    for theme in entry.get("themes", []):
        scheme = theme.partition(":")[0]
        chosen = entry.get("register_themes", {}).get(scheme)
        if chosen:
            themes[scheme] = services.Basis(chosen, None, by_register=True)
        elif schemes[scheme].get("source"):
            themes[scheme] = services.Basis(entry[f"{scheme}_basis"], documents[schemes[scheme]["source"]].id)
        else:  # the document's own heading puts the measure under the theme
            themes[scheme] = services.Basis(entry["section"], documents[entry["document"]].id)
    return {
        "lead": owner("lead", entry.get("lead", "onbekend") != "onbekend"),
        "co_owners": owner("co_owners", bool(entry.get("co_owners"))),
        "themes": themes,
    }


def _deadline(entry: dict) -> tuple[date | None, str]:
    return parse_period(entry["deadline"]) if entry.get("deadline") else (None, "dag")


def _seed_measure(
    session: Session, entry: dict, documents: dict, schemes: dict, now: datetime, report: SeedReport
) -> None:
    data = _entry_data(entry)
    code = entry["code"]
    document = documents[entry["document"]]
    previous = _recorded(session, "measure", code)
    measure = session.exec(select(Measure).where(Measure.code == code)).first()
    deadline, precision = _deadline(entry)
    if measure is None:
        measure = services.create_measure(
            session=session,
            code=code,
            content=_content(entry),
            announcement=entry["announcement"],
            announced_on=document.date,
            source_document_id=document.id,
            recorded_by=CATALOGUE_AUTHOR,
            now=now,
        )
        services.set_provenance(
            session=session,
            measure=measure,
            **_provenance(entry, documents, schemes),
            changed_by=CATALOGUE_AUTHOR,
            now=now,
            initial=True,
        )
        if deadline is not None:
            services.change_deadline(
                session=session,
                measure=measure,
                new_deadline=deadline,
                precision=precision,
                basis=entry["deadline_basis"],
                reason="Vastgelegd in de bron",
                decided_on=document.date,
                evidence_document_id=document.id,
                recorded_by=CATALOGUE_AUTHOR,
                now=now,
            )
        report.created.append(code)
    elif previous is not None and previous.fingerprint != _fingerprint(data):
        # Apply only what the catalogue itself changed, as a recorded change by "catalogus".
        old = json.loads(previous.data)
        changed_fields = {name for name in services.EDITABLE_FIELDS if old["fields"].get(name) != data["fields"][name]}
        if changed_fields:
            services.edit_measure(
                session=session,
                measure=measure,
                content=_content(entry),
                changed_by=CATALOGUE_AUTHOR,
                now=now,
                only=changed_fields,
            )
        services.set_provenance(
            session=session,
            measure=measure,
            **_provenance(entry, documents, schemes),
            changed_by=CATALOGUE_AUTHOR,
            now=now,
        )
        if old.get("deadline") != data["deadline"] or old.get("deadline_basis") != data.get("deadline_basis"):
            services.change_deadline(
                session=session,
                measure=measure,
                new_deadline=deadline,
                precision=precision,
                basis=entry.get("deadline_basis", "onbekend"),
                reason="Gewijzigd in de catalogus",
                decided_on=clock.day_of(now),
                evidence_document_id=document.id,
                recorded_by=CATALOGUE_AUTHOR,
                now=now,
            )
        report.changed.append(code)
    _remember(session, "measure", code, data, now)


def _seed_update(session: Session, entry: dict, documents: dict, now: datetime, report: SeedReport) -> None:
    # An update is identified by what it says, not by its wording: a reworded note adds nothing.
    key = "|".join([entry["measure"], entry["document"], str(entry["as_of"]), entry["status"]])
    if _recorded(session, "update", key) is not None:
        return
    measure = session.exec(select(Measure).where(Measure.code == entry["measure"])).one()
    as_of, precision = parse_period(entry["as_of"])
    services.record_status(
        session=session,
        measure=measure,
        status_code=entry["status"],
        as_of=as_of,
        as_of_precision=precision,
        note=entry["note"],
        recorded_by=CATALOGUE_AUTHOR,
        now=now,
        # The document that said it: the file's own, or the one the fact sheet names for this fact.
        evidence_document_id=documents[entry.get("evidence", entry["document"])].id,
        evidence_quote=entry["quote"],
        reports_problem=bool(entry.get("problem", False)),
    )
    _remember(session, "update", key, {k: v for k, v in entry.items() if not k.startswith("_")}, now)
    report.updates_added += 1


def _seed_indicator(session: Session, entry: dict, documents: dict, now: datetime, report: SeedReport) -> None:
    """Add an indicator the catalogue states (append-only: one already added is left as it is)."""
    from measures.register import indicators

    if _recorded(session, "indicator", entry["code"]) is not None:
        return
    measure = session.exec(select(Measure).where(Measure.code == entry["measure"])).one()
    baseline_on, baseline_precision = parse_period(entry["baseline_on"]) if "baseline_on" in entry else (None, "dag")
    target_on, target_precision = parse_period(entry["target_on"]) if "target_on" in entry else (None, "dag")
    indicators.add_indicator(
        session=session,
        measure=measure,
        code=entry["code"],
        name=entry["name"],
        unit=entry["unit"],
        direction=entry.get("direction", "stijgend"),
        target_value=Decimal(str(entry["target_value"])),
        target_on=target_on,
        target_precision=target_precision,
        basis=entry["quote"],
        basis_document_id=documents[entry.get("target_document", entry["document"])].id,
        baseline_value=Decimal(str(entry["baseline_value"])) if "baseline_value" in entry else None,
        baseline_on=baseline_on,
        baseline_precision=baseline_precision,
        baseline_basis=entry.get("baseline_quote", ""),
        baseline_document_id=documents[entry.get("baseline_document", entry["document"])].id
        if "baseline_value" in entry
        else None,
        # The target belongs to the measure as announced; its number may come from a later source.
        stated_on=_as_date(entry["stated_on"]) if "stated_on" in entry else measure.announced_on,
        recorded_by=CATALOGUE_AUTHOR,
        now=now,
    )
    _remember(session, "indicator", entry["code"], {k: v for k, v in entry.items() if not k.startswith("_")}, now)
    report.indicators_added += 1


def _seed_measurement(session: Session, entry: dict, documents: dict, now: datetime, report: SeedReport) -> None:
    from measures.register import indicators
    from models import Indicator

    key = "|".join([entry["indicator"], str(entry["on"]), str(entry["value"])])
    if _recorded(session, "measurement", key) is not None:
        return
    indicator = session.exec(select(Indicator).where(Indicator.code == entry["indicator"])).one()
    on, precision = parse_period(entry["on"])
    indicators.record_measurement(
        session=session,
        measure=session.get(Measure, indicator.measure_id),
        indicator=indicator,
        value=Decimal(str(entry["value"])),
        measured_on=on,
        measured_precision=precision,
        note=entry.get("note", ""),
        evidence_document_id=documents[entry.get("evidence", entry["document"])].id,
        evidence_quote=entry["quote"],
        recorded_by=CATALOGUE_AUTHOR,
        now=now,
    )
    _remember(session, "measurement", key, {k: v for k, v in entry.items() if not k.startswith("_")}, now)
    report.measurements_added += 1


def _seed_merge(session: Session, entry: dict, now: datetime, report: SeedReport) -> None:
    if _recorded(session, "merged", entry["code"]) is not None:
        return
    into = session.exec(select(Measure).where(Measure.code == entry["into"])).one()
    services.merge_measure(
        session=session, code=entry["code"], into=into, reason=entry["reason"], merged_by=CATALOGUE_AUTHOR, now=now
    )
    _remember(session, "merged", entry["code"], {k: v for k, v in entry.items() if not k.startswith("_")}, now)
    report.merged.append(entry["code"])


def _seed_recommendation(session: Session, entry: dict, documents: dict, now: datetime, report: SeedReport) -> None:
    """Create or update a recommendation; links are added, never removed (a link may be the rapporteur's own)."""
    document = documents[entry["document"]]
    values = {
        "kind": entry["kind"],
        "title": entry["title"].strip(),
        "text": entry["text"].strip(),
        "addressee": entry.get("addressee", "onbekend"),
        "quote": entry.get("quote", ""),
        "document_id": document.id,
        "issued_on": document.date,
        "measures_basis": entry.get("measures_basis", ""),
    }
    existing = session.exec(select(Recommendation).where(Recommendation.code == entry["code"])).first()
    changed = existing is None or any(getattr(existing, name) != value for name, value in values.items())
    recommendation = _upsert(session, Recommendation, "code", entry["code"], values)
    session.flush()
    linked = set(
        session.exec(
            select(RecommendationMeasure.measure_id).where(RecommendationMeasure.recommendation_id == recommendation.id)
        ).all()
    )
    for code in entry.get("measures", []):
        measure_id = session.exec(select(Measure.id).where(Measure.code == code)).one()
        if measure_id not in linked:
            session.add(
                RecommendationMeasure(
                    recommendation_id=recommendation.id,
                    measure_id=measure_id,
                    linked_by=CATALOGUE_AUTHOR,
                    linked_at=now,
                )
            )
            changed = True
    if changed:  # only what this run created or changed is reported
        report.recommendations += 1


def _seed_texts(session: Session, catalogue: Catalogue, documents: dict[str, SourceDocument], now: datetime) -> None:
    """Read the catalogue's own source documents in, as an upload would: their texts are packaged
    with the catalogue (measures/register/catalogue/texts, copies of ../shared/sources that a test
    keeps identical), so the register holds them and checks its quotes against them."""
    from measures.sources import extract
    from measures.sources import services as texts

    for d in catalogue.documents:
        path = TEXTS_DIR / d["file"] if d.get("file") else None
        if path is None or not path.exists():
            continue
        data = path.read_bytes()
        texts.store_text(
            session,
            document=documents[d["key"]],
            extracted=extract.extract(data, path.name),
            digest=texts.sha256(data),
            by="catalogus",
            now=now,
        )


def seed(*, session: Session, now: datetime, catalogue: Catalogue | None = None, check: bool = True) -> SeedReport:
    """Apply the catalogue to the database. The caller commits; a failure leaves nothing half-done."""
    catalogue = catalogue or load_catalogue()
    if check:
        # The structure only: the quotes are checked against ../shared/sources by the test suite,
        # so the app seeds (and `make run` works) without that folder.
        problems = validate(catalogue, sources_dir=None)
        if problems:
            raise services.ServiceError("De catalogus is niet in orde:\n" + "\n".join(problems))
    report = SeedReport()
    documents = _seed_reference_data(session, catalogue)
    _seed_texts(session, catalogue, documents, now)
    schemes = {scheme["code"]: scheme for scheme in catalogue.schemes}
    for entry in catalogue.measures:
        _seed_measure(session, entry, documents, schemes, now, report)
    for entry in catalogue.merged:
        _seed_merge(session, entry, now, report)
    for entry in sorted(catalogue.updates, key=lambda u: (parse_period(u["as_of"])[0], u["measure"])):
        _seed_update(session, entry, documents, now, report)
    for entry in catalogue.recommendations:
        _seed_recommendation(session, entry, documents, now, report)
    for entry in catalogue.indicators:
        _seed_indicator(session, entry, documents, now, report)
    for entry in sorted(catalogue.measurements, key=lambda m: (parse_period(m["on"])[0], m["indicator"])):
        _seed_measurement(session, entry, documents, now, report)
    session.flush()
    return report
