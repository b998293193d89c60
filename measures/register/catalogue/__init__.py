"""The measure catalogue: reviewed TOML data files, parsed and validated."""

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent
# The sources live beside the repository (../shared/sources); MM_SOURCES_DIR overrides that.
SOURCES_DIR = Path(os.environ.get("MM_SOURCES_DIR", CATALOGUE_DIR.parents[3] / "shared" / "sources"))

ANNOUNCEMENTS = ("reeds_in_gang_gezet", "besloten", "lopende_tekst", "programma", "rapporteur", "al_gerealiseerd")
BUDGET_KINDS = ("structureel", "eenmalig", "onbekend")
BUDGET_PER = ("jaar", "totaal")
ORGANISATION_KINDS = ("ministerie", "uitvoeringsorganisatie", "gemeente", "ngo", "overig")
DOCUMENT_KINDS = (
    "kabinetsbrief",
    "programma",
    "brief_rapporteur",
    "onderzoek",
    "overig",
    "factsheet",
    "kamerstuk",
    "bericht",
    "jaarverslag",
    "advies",
)
DATE_PRECISIONS = ("dag", "maand", "jaar", "onbekend")
DIRECTIONS = ("stijgend", "dalend")
RECOMMENDATION_KINDS = ("aanbeveling", "bevinding")
UNKNOWN = "onbekend"
JOINT = "gezamenlijk"  # organisations named jointly, none as lead: they are the co-owners
BASE_FILES = ("statuses.toml", "organisations.toml", "documents.toml", "themes.toml")


@dataclass
class Catalogue:
    """The parsed catalogue: plain dicts, as the TOML files hold them."""

    statuses: list[dict]
    organisations: list[dict]
    documents: list[dict]
    schemes: list[dict]
    themes: list[dict]
    measures: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    recommendations: list[dict] = field(default_factory=list)
    # Codes merged into another measure: {code, into, reason}; the code stays reachable.
    merged: list[dict] = field(default_factory=list)
    # Measurable targets of measures, and their dated measurements (see README.md).
    indicators: list[dict] = field(default_factory=list)
    measurements: list[dict] = field(default_factory=list)


def normalise(text: str) -> str:
    """Fold whitespace and case, and nothing more."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_catalogue(directory: Path = CATALOGUE_DIR) -> Catalogue:
    """Read every catalogue file in `directory`; document files add measures and updates."""
    base = {name: _read(directory / name) for name in BASE_FILES}
    catalogue = Catalogue(
        statuses=base["statuses.toml"]["statuses"],
        organisations=base["organisations.toml"]["organisations"],
        documents=base["documents.toml"]["documents"],
        schemes=base["themes.toml"]["schemes"],
        themes=base["themes.toml"]["themes"],
    )
    for path in sorted(directory.glob("*.toml")):
        if path.name in BASE_FILES:
            continue
        data = _read(path)
        document = data.get("document")
        for measure in data.get("measures", []):
            catalogue.measures.append({**measure, "document": document, "_file": path.name})
        for update in data.get("updates", []):
            catalogue.updates.append({**update, "document": document, "_file": path.name})
        for recommendation in data.get("recommendations", []):
            catalogue.recommendations.append({**recommendation, "document": document, "_file": path.name})
        for merged in data.get("merged", []):
            catalogue.merged.append({**merged, "document": document, "_file": path.name})
        for indicator in data.get("indicators", []):
            catalogue.indicators.append({**indicator, "document": document, "_file": path.name})
        for measurement in data.get("measurements", []):
            catalogue.measurements.append({**measurement, "document": document, "_file": path.name})
    return catalogue


def names_organisation(text: str, names: list[str]) -> bool:
    """Whether `text` names an organisation by one of its `names` (see organisations.toml).

    An all-capitals name is an acronym: a whole word, with its case ("OM", not "om"). Any other
    name matches case-insensitively at the start of a word ("politie" in "politiemedewerkers").
    """
    for name in names:
        if name.isupper():
            pattern = rf"(?<![\w]){re.escape(name)}(?![\w])"
            if re.search(pattern, text):
                return True
        elif re.search(rf"(?<![\w]){re.escape(name)}", text, flags=re.IGNORECASE):
            return True
    return False


def basis_of(entry: dict, field: str) -> tuple[str, str]:
    """Return (document key, sentence) that is the basis of a measure's `lead` or `co_owners`.

    The entry's `<field>_basis` is a sentence of the entry's own document, or a table
    {document, quote}; without one, the co-owners share the lead's basis (and a joint lead the
    co-owners'), and otherwise the basis is the entry's own quote.
    """
    basis = entry.get(f"{field}_basis")
    if not basis and field == "co_owners" and entry.get("lead_basis"):
        return basis_of(entry, "lead")
    if not basis and field == "lead" and entry.get("lead") == JOINT and entry.get("co_owners_basis"):
        return basis_of(entry, "co_owners")  # named jointly: one sentence names them all
    if isinstance(basis, dict):
        return basis.get("document", entry.get("document")), basis.get("quote", "")
    if basis:
        return entry.get("document"), basis
    return entry.get("document"), entry.get("quote", "")


THEME_QUOTE = re.compile(r"‘([^’]+)’")


def _is_date(value) -> bool:
    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def parse_period(value) -> tuple[date, str]:
    """Parse a state's date as precisely as the source gives it: "2023", "2019-04" or "2019-04-18".

    A year or a month is dated on its last day, with its precision: the register does not claim a
    state held before the source says it did (one conservative rule for as-of, comparison and checks).
    """
    if isinstance(value, date):
        return value, "dag"
    text = str(value)
    match = PERIOD.match(text)
    if match is None:
        return date.fromisoformat(text), "dag"
    year, month = int(match.group(1)), match.group(2)
    if month is None:
        return date(year, 12, 31), "jaar"
    return last_day(f"{year}-{month}-01", "maand"), "maand"


def _is_period(value) -> bool:
    try:
        parse_period(value)
    except ValueError:
        return False
    return True


def last_day(value, precision: str) -> date:
    """Return the last day a document's date can stand for, given how precisely it is known."""
    day = date.fromisoformat(str(value))
    if precision == "jaar":
        return date(day.year, 12, 31)
    if precision == "maand":
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    if precision == "onbekend":
        return date.max
    return day


def validate(catalogue: Catalogue, sources_dir: Path | None = SOURCES_DIR) -> list[str]:
    """Return every problem in the catalogue as a readable line; an empty list means valid.

    With `sources_dir` every quote is checked against its source file; that is the test suite's
    and CI's job, where the sources are. With None the structure alone is checked, which is all a
    running app needs: seeding never reads `../shared`. A missing folder is named in one line.
    """
    problems: list[str] = []
    if sources_dir is not None and not sources_dir.is_dir():
        return [f"bronnenmap ontbreekt: {sources_dir} (zet MM_SOURCES_DIR); de citaten zijn niet gecontroleerd"]
    org_keys = {o["abbreviation"] for o in catalogue.organisations}
    doc_by_key = {d["key"]: d for d in catalogue.documents}
    theme_keys = {f"{t['scheme']}:{t['code']}" for t in catalogue.themes}
    scheme_keys = {s["code"] for s in catalogue.schemes}
    status_keys = {s["code"] for s in catalogue.statuses}
    texts: dict[str, str] = {}

    def source_text(doc_key: str) -> str | None:
        doc = doc_by_key.get(doc_key)
        if doc is None:
            return None
        if not doc.get("consulted", True):
            # Not read here: what is quoted from it is the sentence of the document it is known via.
            return source_text(doc.get("via")) if doc.get("via") in doc_by_key else None
        if doc_key not in texts:
            path = sources_dir / doc["file"]
            texts[doc_key] = normalise(path.read_text(encoding="utf-8")) if path.exists() else ""
        return texts[doc_key]

    def check_quote(where: str, quote, doc_key) -> None:
        if not quote or not str(quote).strip():
            problems.append(f"{where}: geen citaat")
            return
        if sources_dir is None:
            if doc_key not in doc_by_key:
                problems.append(f"{where}: onbekend document {doc_key!r}")
            return
        text = source_text(doc_key)
        if text is None:
            problems.append(f"{where}: onbekend document {doc_key!r}")
        elif normalise(quote) not in text:
            doc = doc_by_key[doc_key]
            file = doc.get("file") or doc_by_key.get(doc.get("via"), {}).get("file")
            problems.append(f"{where}: citaat komt niet voor in {file}: {quote[:80]!r}")

    org_names = {o["abbreviation"]: o.get("names") or [o["abbreviation"]] for o in catalogue.organisations}
    scheme_by_code = {s["code"]: s for s in catalogue.schemes}

    def check_owner_basis(where: str, m: dict) -> None:
        """A named lead or co-owner is named in the sentence that is its basis."""
        lead = m.get("lead", UNKNOWN)
        named = {"lead": [lead] if lead in org_keys else [], "co_owners": list(m.get("co_owners", []))}
        if lead == JOINT:  # named jointly: the one sentence that names them together is the lead's basis
            named["lead"] = list(m.get("co_owners", []))
        for owner_field, orgs in named.items():
            if not orgs and m.get(f"{owner_field}_basis"):
                problems.append(f"{where}: {owner_field}_basis zonder organisatie")
                continue
            if not orgs:
                continue
            doc_key, sentence = basis_of(m, owner_field)
            if m.get(f"{owner_field}_basis"):  # the default (the entry's quote) is checked as that
                check_quote(f"{where} ({owner_field}_basis)", sentence, doc_key)
            for org in orgs:
                if org in org_names and not names_organisation(sentence, org_names[org]):
                    problems.append(
                        f"{where}: {org} ({owner_field}) wordt niet genoemd in de grondslag {sentence[:70]!r}; "
                        f"geef {owner_field}_basis, of 'onbekend'/geen wanneer de bron zwijgt"
                    )

    def check_theme_row(where: str, basis, doc_key) -> None:
        """A theme known from a row of another document: the basis quotes that row's words in ‘…’."""
        fragments = THEME_QUOTE.findall(str(basis or ""))
        if not fragments:
            problems.append(f"{where}: thema zonder grondslag (<schema>_basis met de woorden van de rij in ‘…’)")
            return
        for fragment in fragments:
            for part in fragment.split("…"):  # an ellipsis joins the row's words that are quoted
                if part.strip(" ;,"):
                    check_quote(f"{where} (thema-grondslag)", part.strip(" ;,"), doc_key)

    for org in catalogue.organisations:
        if org.get("kind") not in ORGANISATION_KINDS:
            problems.append(f"organisatie {org.get('abbreviation')}: onbekende soort {org.get('kind')!r}")
    for doc in catalogue.documents:
        dwhere = f"document {doc['key']}"
        if doc.get("kind") not in DOCUMENT_KINDS:
            problems.append(f"{dwhere}: onbekende soort {doc.get('kind')!r}")
        if doc.get("author") != UNKNOWN and doc.get("author") not in org_keys:
            problems.append(f"{dwhere}: onbekende auteur {doc.get('author')!r}")
        if not _is_date(doc.get("date")):
            problems.append(f"{dwhere}: ongeldige datum")
        if doc.get("date_precision", "dag") not in DATE_PRECISIONS:
            problems.append(f"{dwhere}: onbekende datumprecisie {doc.get('date_precision')!r}")
        if doc.get("consulted", True):
            if not doc.get("file"):
                problems.append(f"{dwhere}: geraadpleegd, maar zonder bestand")
            if doc.get("via"):
                problems.append(f"{dwhere}: een geraadpleegd document is niet 'via' een ander bekend")
        else:
            via = doc_by_key.get(doc.get("via"))
            if via is None or not via.get("consulted", True):
                problems.append(f"{dwhere}: niet geraadpleegd, dus 'via' een geraadpleegd document nodig")
            if doc.get("file"):
                problems.append(f"{dwhere}: niet geraadpleegd, maar met een bestand")
    for theme in catalogue.themes:
        if theme["scheme"] not in scheme_keys:
            problems.append(f"thema {theme['code']}: onbekend schema {theme['scheme']!r}")

    codes: set[str] = set()
    for m in catalogue.measures:
        code = m.get("code", "?")
        where = f"{m['_file']}: maatregel {code}"
        if code in codes:
            problems.append(f"{where}: code komt dubbel voor")
        codes.add(code)
        for required in ("title", "description", "section", "announcement"):
            if not str(m.get(required, "")).strip():
                problems.append(f"{where}: {required} ontbreekt")
        if m.get("announcement") not in ANNOUNCEMENTS:
            problems.append(f"{where}: onbekende aankondiging {m.get('announcement')!r}")
        if m.get("document") not in doc_by_key:
            problems.append(f"{where}: onbekend document {m.get('document')!r}")
        check_quote(where, m.get("quote"), m.get("document"))
        lead = m.get("lead", UNKNOWN)
        if lead not in (UNKNOWN, JOINT) and lead not in org_keys:
            problems.append(f"{where}: onbekende trekker {lead!r}")
        if lead == JOINT and len(m.get("co_owners", [])) < 2:
            problems.append(
                f"{where}: gezamenlijk vraagt om de (minstens twee) samen genoemde organisaties als mede-eigenaren"
            )
        for co in m.get("co_owners", []):
            if co not in org_keys:
                problems.append(f"{where}: onbekende mede-eigenaar {co!r}")
        check_owner_basis(where, m)
        seen_schemes = set()
        register_themes = m.get("register_themes", {})
        for theme in m.get("themes", []):
            if theme not in theme_keys:
                problems.append(f"{where}: onbekend thema {theme!r}")
            scheme, _, theme_code = theme.partition(":")
            if scheme in seen_schemes:
                problems.append(f"{where}: meer dan één thema in schema {scheme!r}")
            seen_schemes.add(scheme)
            if scheme in register_themes:
                if not str(register_themes[scheme]).strip():
                    problems.append(f"{where}: thema {theme} gekozen door het register, zonder reden")
            elif scheme_by_code.get(scheme, {}).get("source"):
                # Known from rows of another document (the fact sheet's action-line column).
                check_theme_row(where, m.get(f"{scheme}_basis"), scheme_by_code[scheme]["source"])
            elif scheme_by_code.get(scheme, {}).get("document") == m.get("document"):
                # The scheme is this document's own headings: the measure's section must be the theme's.
                if not str(m.get("section", "")).startswith(f"{theme_code})"):
                    problems.append(
                        f"{where}: thema {theme} staat niet in de sectie {m.get('section')!r}; "
                        "een eigen keuze van het register hoort in register_themes"
                    )
            else:
                problems.append(f"{where}: thema {theme}: de bron deelt het niet in; zet het in register_themes")
        for scheme in register_themes:
            if not any(t.startswith(f"{scheme}:") for t in m.get("themes", [])):
                problems.append(f"{where}: register_themes noemt {scheme!r}, maar de maatregel heeft daar geen thema")
        if "deadline" in m:
            if not _is_period(m["deadline"]):
                problems.append(f"{where}: ongeldige deadline {m['deadline']!r}")
            if not str(m.get("deadline_basis", "")).strip():
                problems.append(f"{where}: deadline zonder grondslag")
        for i, line in enumerate(m.get("budget", []), start=1):
            bwhere = f"{where} budgetregel {i}"
            try:
                amount = Decimal(str(line.get("amount")))
                if not amount.is_finite() or amount < 0:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(f"{bwhere}: ongeldig bedrag {line.get('amount')!r}")
            if isinstance(line.get("amount"), float):
                problems.append(f"{bwhere}: bedrag als tekst opgeven, geen float")
            if line.get("kind") not in BUDGET_KINDS:
                problems.append(f"{bwhere}: onbekende soort {line.get('kind')!r}")
            if line.get("per") not in BUDGET_PER:
                problems.append(f"{bwhere}: onbekende periode {line.get('per')!r}")
            if not isinstance(line.get("from_year"), int):
                problems.append(f"{bwhere}: from_year ontbreekt")
            if line.get("kind") == "structureel" and "structure" not in normalise(str(line.get("quote", ""))):
                problems.append(f"{bwhere}: structureel, maar het citaat zegt dat niet")
            check_quote(bwhere, line.get("quote"), line.get("document", m.get("document")))

    for merged in catalogue.merged:
        where = f"{merged['_file']}: samengevoegd {merged.get('code', '?')}"
        if merged.get("code") in codes or not merged.get("code"):
            problems.append(f"{where}: een samengevoegde code is geen maatregel meer (en niet leeg)")
        if merged.get("into") not in codes:
            problems.append(f"{where}: onbekende maatregel {merged.get('into')!r} om mee samen te voegen")
        if not str(merged.get("reason", "")).strip():
            problems.append(f"{where}: reden ontbreekt")
    merged_codes = {m.get("code") for m in catalogue.merged}

    recommendation_codes: set[str] = set()
    for r in catalogue.recommendations:
        where = f"{r['_file']}: aanbeveling {r.get('code', '?')}"
        if r.get("code") in recommendation_codes or not r.get("code"):
            problems.append(f"{where}: code ontbreekt of komt dubbel voor")
        recommendation_codes.add(r.get("code"))
        if r.get("kind") not in RECOMMENDATION_KINDS:
            problems.append(f"{where}: onbekende soort {r.get('kind')!r}")
        for required in ("title", "text"):
            if not str(r.get(required, "")).strip():
                problems.append(f"{where}: {required} ontbreekt")
        for code in r.get("measures", []):
            if code in merged_codes:
                problems.append(f"{where}: {code} is samengevoegd; koppel de maatregel waarin het opging")
            elif code not in codes:
                problems.append(f"{where}: onbekende maatregel {code!r}")
        check_quote(where, r.get("quote"), r.get("document"))

    for i, u in enumerate(catalogue.updates, start=1):
        where = f"{u['_file']}: update {i} ({u.get('measure')})"
        if u.get("measure") not in codes:
            problems.append(f"{where}: onbekende maatregel {u.get('measure')!r}")
        if u.get("status") not in status_keys:
            problems.append(f"{where}: onbekende status {u.get('status')!r}")
        if not _is_period(u.get("as_of")):
            problems.append(f"{where}: ongeldige datum {u.get('as_of')!r}")
        if not str(u.get("note", "")).strip():
            problems.append(f"{where}: toelichting ontbreekt")
        if not isinstance(u.get("problem", False), bool):
            problems.append(f"{where}: problem is true of false")
        evidence = u.get("evidence", u.get("document"))
        problems += _evidence_problems(where, evidence, u.get("as_of"), "stand", doc_by_key)
        check_quote(where, u.get("quote"), evidence)
    problems += _indicator_problems(catalogue, codes, merged_codes, doc_by_key, check_quote)
    return problems


def _evidence_problems(where: str, evidence, when, what: str, doc_by_key: dict) -> list[str]:
    """A known evidence document, dated no earlier than the state (or value) it reports."""
    if evidence not in doc_by_key:
        return [f"{where}: onbekend bewijsdocument {evidence!r}"]
    cited = doc_by_key[evidence]
    if _is_period(when) and _is_date(cited.get("date")):
        if parse_period(when)[0] > last_day(cited["date"], cited.get("date_precision", "dag")):
            return [f"{where}: {evidence} ({cited['date']}) kan geen {what} van {when} melden"]
    return []


def _is_number(value) -> bool:
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _indicator_problems(
    catalogue: Catalogue, codes: set, merged_codes: set, doc_by_key: dict, check_quote
) -> list[str]:
    """Indicators: a known measure, a number for a target, a quote for the target and for the
    baseline (from the document that states it), and measurements with their own quotes."""
    problems: list[str] = []
    indicator_codes: dict[str, dict] = {}
    for i, ind in enumerate(catalogue.indicators, start=1):
        where = f"{ind['_file']}: indicator {i} ({ind.get('code')})"
        code = ind.get("code", "")
        if not code or code in indicator_codes or not code.startswith(f"{ind.get('measure')}-I"):
            problems.append(f"{where}: code ontbreekt, komt dubbel voor of begint niet met <maatregel>-I")
        indicator_codes[code] = ind
        if ind.get("measure") in merged_codes or ind.get("measure") not in codes:
            problems.append(f"{where}: onbekende of samengevoegde maatregel {ind.get('measure')!r}")
        for required in ("name", "unit"):
            if not str(ind.get(required, "")).strip():
                problems.append(f"{where}: {required} ontbreekt")
        if ind.get("direction", "stijgend") not in DIRECTIONS:
            problems.append(f"{where}: onbekende richting {ind.get('direction')!r}")
        if not _is_number(ind.get("target_value")):
            problems.append(f"{where}: streefwaarde is geen getal")
        if "target_on" in ind and not _is_period(ind["target_on"]):
            problems.append(f"{where}: ongeldige streefdatum {ind['target_on']!r}")
        check_quote(f"{where} streefwaarde", ind.get("quote"), ind.get("target_document", ind.get("document")))
        has_baseline = [key in ind for key in ("baseline_value", "baseline_on")]
        if any(has_baseline):
            if (
                not all(has_baseline)
                or not _is_number(ind.get("baseline_value"))
                or not _is_period(ind.get("baseline_on"))
            ):
                problems.append(f"{where}: een nulmeting heeft een getal en een datum")
            check_quote(
                f"{where} nulmeting", ind.get("baseline_quote"), ind.get("baseline_document", ind.get("document"))
            )
            if (
                "target_on" in ind
                and _is_period(ind["target_on"])
                and _is_period(ind.get("baseline_on"))
                and parse_period(ind["target_on"])[0] <= parse_period(ind["baseline_on"])[0]
            ):
                problems.append(f"{where}: de streefdatum ligt niet na de nulmeting")
    for i, m in enumerate(catalogue.measurements, start=1):
        where = f"{m['_file']}: meting {i} ({m.get('indicator')})"
        if m.get("indicator") not in indicator_codes:
            problems.append(f"{where}: onbekende indicator {m.get('indicator')!r}")
        if not _is_number(m.get("value")):
            problems.append(f"{where}: waarde is geen getal")
        if not _is_period(m.get("on")):
            problems.append(f"{where}: ongeldige datum {m.get('on')!r}")
        evidence = m.get("evidence", m.get("document"))
        problems += _evidence_problems(where, evidence, m.get("on"), "meting", doc_by_key)
        check_quote(where, m.get("quote"), evidence)
    return problems
