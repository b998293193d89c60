"""Request and response models of API v1: what the API accepts, what it returns, and its OpenAPI schemas.

Every body the API reads is validated by a model here and every body it writes is built through one,
so a response that drifts from its schema fails where it is made, and `openapi.py` generates the
document's schemas from these same classes. Class docstrings and field descriptions become the
document's descriptions; like everything a client reads, they are in Dutch.
"""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from measures.checks.rules import LEVEL_LABELS, SILENCE_FACT_LABELS
from measures.core.text import DateError, parse_date
from measures.register.services import DATE_PRECISIONS
from models.flag import SILENCE, STALL
from models.measure import ANNOUNCEMENTS, BUDGET_KINDS, BUDGET_PER
from models.review import RECOMMENDATION_KINDS, TRAFFIC_LIGHTS

# The status vocabulary's codes (measures/register/catalogue/statuses.toml): stable, unlike its labels.
STATUS_CODES = ("gepland", "in_uitvoering", "deels_gerealiseerd", "gerealiseerd", "beeindigd", "onbekend")

Precision = Literal[DATE_PRECISIONS]
Level = Annotated[int, Field(ge=0, le=3)]
LevelLabel = Literal[tuple(LEVEL_LABELS.values())]
Kind = Literal[STALL, SILENCE]
# A stall rule's own level reads laag/middel/hoog; a silence rule has none and reads 'stilte'.
RuleLevel = Literal[("stilte", *(label for level, label in LEVEL_LABELS.items() if level))]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
# Timestamps keep the form they always had on the wire (2026-11-23T12:00:00+00:00), not pydantic's 'Z'.
Timestamp = Annotated[AwareDatetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]


class Body(BaseModel):
    """A response body: exactly the fields the API sends, nothing undeclared."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    def body(self) -> dict[str, Any]:
        """Return the body as JSON data, with exactly the keys it was given (an absent key stays absent)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


# --- errors -----------------------------------------------------------------------------------------


class InvalidParam(Body):
    """Een ongeldige parameter of een ongeldig veld, met de reden."""

    name: str
    reason: str


class Problem(Body):
    """Een fout volgens RFC 9457 (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int = Field(ge=100, le=599)
    detail: str = ""
    invalid_params: list[InvalidParam] = Field(default_factory=list, alias="invalid-params")


# --- measures ---------------------------------------------------------------------------------------


class MeasureSummary(Body):
    """Een maatregel zoals de lijst haar toont."""

    code: str
    title: str
    lead: str | None
    themes: list[str] = Field(description="schema:code, bijvoorbeeld contouren:b")
    status: str
    deadline: date | None
    deadline_precision: Precision | None
    stall_level: Level = Field(
        description="Hoe vastgelopen de maatregel is volgens de controles op as_of: 0 geen, 1 laag, 2 middel, 3 hoog."
    )
    stall_level_label: LevelLabel


class Paged(Body):
    """Eén pagina van een verzameling: hoeveel er in totaal zijn, welke pagina, hoe groot. De
    header Link noemt first, prev, next en last."""

    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=200)


class MeasurePage(Paged):
    """Eén pagina van de lijst van maatregelen, zoals die was op as_of."""

    as_of: date
    items: list[MeasureSummary]


class Basis(Body):
    """De grondslag van een veld: de zin, het document waaruit zij komt en hoe dat wordt aangehaald."""

    quote: str
    document: str | None
    citation: str | None


class ThemeBasis(Body):
    """De grondslag van een thema; by_register zegt dat het register het koos, niet een bron."""

    quote: str | None
    document: str | None = None
    citation: str | None = None
    by_register: bool


class Provenance(Body):
    """Waar elk vastgesteld veld vandaan komt, zoals het register het nu vastlegt: een grondslag, of null waar geen bron het zegt."""

    lead: Basis | None
    co_owners: Basis | None
    themes: dict[str, ThemeBasis] = Field(description="Per indeling (schema) de grondslag van het thema.")
    budget: list[Basis | None] = Field(description="Per budgetregel, in dezelfde volgorde als budget.")
    deadline: str | None = Field(description="De grondslag van de deadline; null zonder deadline.")


class BudgetLine(Body):
    """Een budgetregel van een maatregel."""

    amount: str = Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", description="Bedrag in euro, met twee decimalen.")
    kind: Literal[tuple(BUDGET_KINDS)]
    per: Literal[tuple(BUDGET_PER)]
    from_year: int
    to_year: int | None
    funding: str
    quote: str
    document: str | SkipJsonSchema[None] = Field(
        default=None, description="Het document waaruit de zin komt, als dat niet de bron van de maatregel is."
    )


class Source(Body):
    """Het document waarin de maatregel werd aangekondigd, en de passage."""

    document: str | None
    reference: str | None
    citation: str | None
    section: str
    quote: str


class IndicatorBaseline(Body):
    """De nulmeting van een indicator."""

    value: float
    on: date | None
    on_precision: Precision
    basis: str = Field(description="De zin die de nulmeting noemt, of onbekend.")
    basis_document: str | None
    basis_citation: str | None


class IndicatorMeasurement(Body):
    """Een gemeten waarde van een indicator, met het bewijs."""

    on: date = Field(description="De datum waarop de waarde gold; bij maand of jaar de laatste dag daarvan.")
    on_precision: Precision
    value: float
    note: str
    evidence_document: str | None
    evidence_citation: str | None
    evidence_quote: str | None
    evidence_url: str | None


class Indicator(Body):
    """Een meetbaar doel van een maatregel: van de nulmeting naar de streefwaarde, met de metingen."""

    code: str = Field(description="Vaste code: <maatregel>-I<n>.")
    name: str
    unit: str
    direction: Literal["stijgend", "dalend"] = Field(description="stijgend: hoger is beter; dalend: lager is beter.")
    stated_on: date = Field(description="Vanaf deze datum kent het register de indicator.")
    baseline: IndicatorBaseline | None
    target: float
    target_date: Annotated[date | None, WithJsonSchema({"type": ["string", "null"], "format": "date"})] = Field(
        description="Wanneer het doel gehaald moet zijn (bij maand of jaar de laatste dag daarvan); null als onbekend."
    )
    target_precision: Precision = Field(description="Hoeveel van target_date bekend is: dag, maand of jaar.")
    target_is_deadline: bool = Field(description="De indicator noemt geen eigen datum: het is de deadline.")
    basis: str = Field(description="De zin die het doel noemt, of onbekend.")
    basis_document: str | None
    basis_citation: str | None
    measurements: list[IndicatorMeasurement]


class Measure(Body):
    """Een maatregel zoals zij was op as_of."""

    code: str
    title: str
    description: str
    announcement: Literal[tuple(ANNOUNCEMENTS)]
    announced_on: date
    lead: str | None
    co_owners: list[str]
    themes: list[str]
    status: str
    deadline: date | None
    deadline_precision: Precision | None
    deadline_basis: str
    postponements: int = Field(ge=0)
    budget: list[BudgetLine]
    provenance: Provenance
    merged_codes: list[str] = Field(
        description="Codes die in deze maatregel zijn opgegaan; hun adressen verwijzen hierheen (301)."
    )
    source: Source
    indicators: list[Indicator] = Field(description="Meetbare doelen met hun metingen tot as_of.")
    version: int = Field(ge=1)
    as_of: date


# --- status updates ---------------------------------------------------------------------------------


class StatusUpdate(Body):
    """Een vastgelegde stand van een maatregel."""

    id: int
    status: str
    as_of: date
    as_of_precision: Precision = Field(
        description="Hoeveel van de datum bekend is; bij maand of jaar is as_of de laatste dag daarvan."
    )
    note: str
    evidence_document: str | None
    evidence_citation: str | None = Field(
        description="Hoe het bewijs wordt aangehaald; een document dat hier niet is geraadpleegd "
        "met het document waarlangs het bekend is, bv. 'Kamerstuk 28 638 nr. 184 (18-11-2020), via factsheet'."
    )
    evidence_quote: str | None
    evidence_url: str | None
    reports_problem: bool
    recorded_by: str
    recorded_at: Timestamp


class StatusValue(Body):
    """Een status: de code die de API gebruikt, de naam die de pagina's tonen, en of de maatregel
    dan nog open is (gerealiseerd en beëindigd sluiten haar)."""

    code: str
    label: str
    open: bool


class StatusList(Paged):
    """De statussen in hun vaste volgorde."""

    items: list[StatusValue]


class StatusUpdateList(Paged):
    """De standen van een maatregel, oudste eerst."""

    items: list[StatusUpdate]


def _request_date(value: object) -> date:
    try:
        return parse_date(value if isinstance(value, str) else None)
    except DateError as error:
        raise PydanticCustomError("invalid_date", "geen geldige datum: {error}", {"error": str(error)}) from error


def _web_link(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")):
        raise PydanticCustomError("invalid_link", "een link die begint met https://")
    return value


WebLink = Annotated[
    str,
    Strict(),
    Field(max_length=500),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": 500}),
    AfterValidator(_web_link),
]


def _known_document(cls, value: str | None, info: ValidationInfo) -> str | None:
    """An evidence document the register has (the request's context names them)."""
    documents = (info.context or {}).get("documents")
    if value is not None and documents is not None and value not in documents:
        raise PydanticCustomError("unknown_document", "onbekend brondocument")
    return value


class NewStatusUpdate(BaseModel):
    """Een nieuwe stand van een maatregel."""

    # Keys the API does not know are ignored, as they always were.
    model_config = ConfigDict(extra="ignore")

    # Declared in the order invalid-params lists them; each field's Dutch reason when it is refused.
    reasons: ClassVar[dict[str, str]] = {
        "status": "onbekende status",
        "as_of": "geen geldige datum: gebruik JJJJ-MM-DD.",
        "note": "tekst van hoogstens 5000 tekens",
        "evidence_document": "onbekend brondocument",
        "evidence_url": "een link die begint met https://",
        "reports_problem": "true of false",
        "version": "een geheel getal",
    }

    status: Literal[STATUS_CODES]
    as_of: Annotated[date, BeforeValidator(_request_date)]
    note: Annotated[str, Strict(), Field(max_length=5000)] = ""
    evidence_document: Annotated[str, Strict()] | SkipJsonSchema[None] = None
    evidence_url: WebLink | SkipJsonSchema[None] = None
    reports_problem: Annotated[bool, Strict()] = False
    version: Annotated[int, Strict(), Field(ge=0, le=2**31 - 1)] | SkipJsonSchema[None] = Field(
        default=None, description="De versie die u las; een andere versie geeft 409."
    )

    @field_validator("status")
    @classmethod
    def _in_vocabulary(cls, value: str, info: ValidationInfo) -> str:
        statuses = (info.context or {}).get("statuses")
        if statuses is not None and value not in statuses:
            raise PydanticCustomError("unknown_status", "onbekende status")
        return value

    _known_document = field_validator("evidence_document")(_known_document)


class NewMeasurement(BaseModel):
    """Een nieuwe meting van een indicator van de maatregel."""

    model_config = ConfigDict(extra="ignore")

    reasons: ClassVar[dict[str, str]] = {
        "indicator_code": "onbekende indicator van deze maatregel",
        "value": "een getal van 0 of meer, met hoogstens twee decimalen",
        "on": "geen geldige datum: gebruik JJJJ-MM-DD.",
        "on_precision": "dag, maand of jaar",
        "note": "tekst van hoogstens 2000 tekens",
        "evidence_document": "onbekend brondocument",
        "evidence_quote": "tekst van hoogstens 2000 tekens",
        "evidence_url": "een link die begint met https://",
        "version": "een geheel getal",
    }

    indicator_code: Annotated[str, Strict(), Field(max_length=60)] = Field(
        description="De code van de indicator, bijvoorbeeld CT-D-02-I1."
    )
    value: (
        Annotated[float, Strict(), Field(ge=0, le=999999999999.99, allow_inf_nan=False)]
        | Annotated[int, Strict(), Field(ge=0, le=999999999999)]
    )
    on: Annotated[date, BeforeValidator(_request_date)] = Field(
        description="De datum waarop de waarde gold; bij maand of jaar een dag in die periode."
    )
    on_precision: Precision = "dag"
    note: Annotated[str, Strict(), Field(max_length=2000)] = ""
    evidence_document: Annotated[str, Strict()] | SkipJsonSchema[None] = None
    evidence_quote: Annotated[str, Strict(), Field(max_length=2000)] | SkipJsonSchema[None] = None
    evidence_url: WebLink | SkipJsonSchema[None] = None
    version: Annotated[int, Strict(), Field(ge=0, le=2**31 - 1)] | SkipJsonSchema[None] = Field(
        default=None, description="De versie die u las; een andere versie geeft 409."
    )

    @field_validator("indicator_code")
    @classmethod
    def _own_indicator(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("indicators")
        if known is not None and value not in known:
            raise PydanticCustomError("unknown_indicator", "onbekende indicator van deze maatregel")
        return value

    _known_document = field_validator("evidence_document")(_known_document)


class Measurement(IndicatorMeasurement):
    """Een vastgelegde meting."""

    indicator_code: str
    recorded_by: str
    recorded_at: Timestamp


# Errors this module raises itself carry their own Dutch reason; pydantic's own get the field's.
_OWN_ERRORS = {"invalid_date", "invalid_link", "unknown_status", "unknown_document", "unknown_indicator"}


def invalid_params(error: ValidationError, reasons: dict[str, str]) -> list[dict[str, str]]:
    """Return a validation error as problem+json invalid-params: one {name, reason} per field, in field order."""
    found: dict[str, str] = {}
    for item in error.errors(include_url=False):
        name = str(item["loc"][0]) if item["loc"] else ""
        if name not in found:
            found[name] = item["msg"] if item["type"] in _OWN_ERRORS else reasons.get(name, "ongeldig")
    order = list(reasons)
    names = sorted(found, key=lambda name: order.index(name) if name in order else len(order))
    return [{"name": name, "reason": found[name]} for name in names]


# --- flags and flagged measures ---------------------------------------------------------------------


class Flag(Body):
    """Een signalering: wat één controle over één maatregel vond."""

    measure_code: str
    rule: str
    kind: Kind
    level: Level = Field(description="Het niveau van de signalering voor de maatregel: 0 geen … 3 hoog.")
    level_label: LevelLabel
    rule_level: Level = Field(description="Het eigen niveau van de controle; 0 bij een stilteregel.")
    rule_level_label: RuleLevel
    evidence_on: date | None
    explanation: str
    first_seen_on: date
    last_seen_on: date
    resolved_on: date | None


class FlagList(Paged):
    """Signaleringen, zwaarste eerst."""

    items: list[Flag]


class StallReason(Body):
    """Een controle die aanwijst dat de maatregel vastloopt, met haar eigen niveau."""

    rule: str
    label: str
    rule_level: Level
    rule_level_label: LevelLabel


class Explanation(Body):
    """De toelichting van één open signalering."""

    rule: str
    kind: Kind
    explanation: str


class FlaggedMeasure(Body):
    """Eén gesignaleerde maatregel: niveau, score, oudste bewijs, redenen en monitoringgat."""

    measure_code: str
    title: str
    stall_level: Level
    stall_level_label: LevelLabel
    score: int = Field(ge=0)
    oldest_evidence_on: date | None
    oldest_evidence_precision: Precision
    stall_reasons: list[StallReason]
    silence: list[Literal[tuple(SILENCE_FACT_LABELS)]]
    explanations: list[Explanation]


class FlaggedMeasureList(Paged):
    """Gesignaleerde maatregelen, in de ene volgorde van de controles: niveau, score, oudste bewijs."""

    items: list[FlaggedMeasure]


# --- recommendations and assessments ----------------------------------------------------------------


class Recommendation(Body):
    """Een aanbeveling of bevinding van de Nationaal Rapporteur, met de maatregelen die erop antwoorden."""

    code: str
    kind: Literal[tuple(RECOMMENDATION_KINDS)]
    title: str
    text: str
    addressee: str
    quote: str
    document: str
    issued_on: date
    measure_codes: list[str] = Field(description="De maatregelen die op de aanbeveling antwoorden.")
    gap: bool = Field(description="Geen maatregel antwoordt op deze aanbeveling.")


class RecommendationList(Paged):
    """Aanbevelingen en bevindingen, oudste eerst."""

    items: list[Recommendation]


class Assessment(Body):
    """Het oordeel van de Nationaal Rapporteur over een maatregel op een datum."""

    id: int
    measure_code: str
    light: Literal[tuple(TRAFFIC_LIGHTS)]
    text: str
    as_of: date
    recorded_by: str


class AssessmentList(Paged):
    """Oordelen, nieuwste eerst."""

    items: list[Assessment]


# --- comparisons ------------------------------------------------------------------------------------


class AddedMeasure(Body):
    """Een maatregel die tussen de twee datums bij het programma kwam."""

    measure_code: str
    title: str
    announced_on: date
    status: str


class StatusChange(Body):
    """Een maatregel waarvan de status tussen de twee datums veranderde."""

    measure_code: str
    title: str
    from_: str = Field(alias="from")
    to: str
    as_of: date | None
    evidence: str | None
    note: str


class DeadlineChange(Body):
    """Een gewijzigde deadline; postponement zegt of het uitstel was."""

    measure_code: str
    title: str
    decided_on: date
    from_: date | None = Field(alias="from")
    to: date | None
    postponement: bool
    reason: str


class BudgetChange(Body):
    """Een budget dat tussen de twee datums veranderde: de regels op de eerste en op de tweede datum."""

    measure_code: str
    title: str
    from_: list[BudgetLine] = Field(alias="from")
    to: list[BudgetLine]


class FlagChange(Body):
    """Een signalering die tussen de twee datums opkwam of verdween, en wanneer."""

    measure_code: str
    rule: str
    explanation: str
    on: date


class ComparedAssessment(Body):
    """Een oordeel van de Nationaal Rapporteur tussen de twee datums."""

    measure_code: str
    light: Literal[tuple(TRAFFIC_LIGHTS)]
    as_of: date
    text: str


class ComparedMeasurement(Body):
    """Een meting van een indicator, gedateerd tussen de twee datums."""

    measure_code: str
    indicator_code: str
    name: str
    unit: str
    on: date
    on_precision: Precision
    value: float
    target: float
    evidence: str | None


class Comparison(Body):
    """Wat veranderde tussen from (niet inbegrepen) en to (inbegrepen)."""

    from_: date = Field(alias="from")
    to: date
    added: list[AddedMeasure]
    status_changes: list[StatusChange]
    postponements: list[DeadlineChange]
    deadline_changes: list[DeadlineChange]
    budget_changes: list[BudgetChange]
    flags_opened: list[FlagChange]
    flags_closed: list[FlagChange]
    assessments: list[ComparedAssessment]
    measurements: list[ComparedMeasurement]


# --- report editions --------------------------------------------------------------------------------


class Edition(Body):
    """Een vastgelegde editie van de voortgangsrapportage: de PDF en de gegevens waaruit zij werd gemaakt."""

    number: int = Field(ge=1)
    as_of: date
    since: date | None
    generated_at: Timestamp
    generated_by: str
    pages: int = Field(ge=0)
    pdf_sha256: Sha256
    snapshot_sha256: Sha256
    pdf: str = Field(description="Het adres van de PDF.")


class EditionList(Paged):
    """Edities, nieuwste eerst."""

    items: list[Edition]


# --- search -----------------------------------------------------------------------------------------


class SearchHit(Body):
    """Een zoekresultaat: een alinea van een document, een maatregel of een aanbeveling."""

    kind: Literal["document", "measure", "recommendation"]
    title: str
    passage: str = Field(description="De alinea, of de titel en beschrijving van de maatregel of aanbeveling.")
    terms: list[str] = Field(description="De woorden uit de passage die met de zoekterm overeenkomen (op hun stam).")
    score: float
    document: str | None = Field(description="De sleutel van het document; null voor een maatregel of aanbeveling.")
    paragraph: int | None = Field(description="Het nummer van de alinea in het document, vanaf 1.")
    measure_code: str | None
    recommendation_code: str | None


class SearchPage(Paged):
    """Eén pagina zoekresultaten, beste eerst."""

    q: str
    items: list[SearchHit]
