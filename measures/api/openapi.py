"""The OpenAPI 3.1 document of API v1: its operations from the table below, its schemas from `schemas`.

The schemas are generated from the same pydantic models that validate request bodies and build
responses, so the document describes what the code does. A test holds the table and the API's routes
together: a route without an entry here fails it.
"""

import re
from copy import deepcopy
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from measures.api import schemas
from measures.api.http import API_VERSION

REF = "#/components/schemas/{model}"
PROBLEM = {"$ref": "#/components/responses/Problem"}
# Every answer carries the full version of the API (ADR: API-57).
VERSION_HEADER = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
# Every collection is paged alike: page and pageSize, a total, and links (RFC 8288).
LINK_HEADER = {
    "Link": {
        "description": "Links naar de eerste, vorige, volgende en laatste pagina (rel first, prev, next, last).",
        "schema": {"type": "string"},
    }
}
PAGING = ("page", "pageSize")


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


@dataclass(frozen=True)
class Reply:
    """A JSON response whose body is one model."""

    model: type[BaseModel]
    description: str = "OK"
    headers: dict | None = None
    # OpenAPI links: where a client (and schemathesis's stateful phase) can go next with this answer.
    links: dict | None = None

    def document(self) -> dict:
        paged = issubclass(self.model, schemas.Paged)
        response = {
            "description": self.description,
            "headers": {**VERSION_HEADER, **(LINK_HEADER if paged else {}), **(self.headers or {})},
            "content": {"application/json": {"schema": _ref(self.model)}},
        }
        if self.links:
            response["links"] = self.links
        return response


def _link(operation_id: str, description: str, parameters: dict[str, str]) -> dict:
    """An OpenAPI link to an operation, its parameters taken from the answer (runtime expressions);
    a parameter outside the path is named with its place: header.If-Match."""
    return {"operationId": operation_id, "description": description, "parameters": parameters}


def _measure_links(code: str) -> dict:
    return {
        "GetMeasure": _link("getMeasure", "De maatregel zelf.", {"code": code}),
        "ListStatusUpdates": _link("listStatusUpdates", "Haar statusgeschiedenis.", {"code": code}),
    }


@dataclass(frozen=True)
class Operation:
    """One operation: its path (below /api/v1) and method, what it takes and what it answers per status."""

    path: str
    method: str
    operation_id: str
    responses: dict[int, Reply | dict]  # a Reply, or a response object as it stands in the document
    errors: tuple[int, ...] = ()  # statuses answered with a problem+json body (400 and 401 always)
    parameters: tuple[str, ...] = ()  # names in PARAMETERS
    request: type[BaseModel] | None = None
    summary: str = ""
    description: str = ""
    tag: str = "maatregelen"
    # Readable without signing in when the register is public (MM_PUBLIC_READ), as its pages are.
    public: bool = True

    @property
    def query(self) -> set[str]:
        """The query parameters it takes: any other is answered with 400."""
        return {PARAMETERS[name]["name"] for name in self.parameters if PARAMETERS[name]["in"] == "query"}

    def document(self) -> dict:
        operation: dict = {
            "operationId": self.operation_id,
            "tags": [self.tag],
            "summary": self.summary,
            "description": self.description or self.summary,
        }
        if self.public:
            # No credentials needed where the register is public ({}); otherwise a token or session.
            operation["security"] = [{}, {"bearer": []}, {"session": []}]
        if self.parameters:
            operation["parameters"] = [{"$ref": f"#/components/parameters/{name}"} for name in self.parameters]
        if self.request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(self.request)}},
            }
        operation["responses"] = {
            **{
                str(status): response.document() if isinstance(response, Reply) else response
                for status, response in self.responses.items()
            },
            **{str(status): PROBLEM for status in sorted({400, 401, *self.errors})},
        }
        return operation


DATE = {"type": "string", "format": "date"}

PARAMETERS = {
    "code": {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}},
    "number": {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
    "q": {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
    "theme": {
        "name": "theme",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+:[a-z0-9]+$"}, "maxItems": 20},
        "description": "Schema en thema, bijvoorbeeld contouren:b of actielijn:2; herhaalbaar (alle moeten gelden).",
    },
    "owner": {
        "name": "owner",
        "in": "query",
        "schema": {"type": "string", "maxLength": 60},
        "description": "Afkorting van de organisatie (trekker of mede-eigenaar), bijvoorbeeld Politie.",
    },
    "status": {
        "name": "status",
        "in": "query",
        "schema": {"type": "string", "pattern": "^[a-z_]+$"},
        "description": "Een statuscode uit /statuses.",
    },
    "document": {
        "name": "document",
        "in": "query",
        "schema": {"type": "string", "maxLength": 80},
        "description": "De sleutel van het brondocument dat de maatregel aankondigde, bijvoorbeeld kst-28638-161.",
    },
    "overdue": {
        "name": "overdue",
        "in": "query",
        "schema": {"type": "boolean"},
        "description": "true: alleen open maatregelen waarvan de deadline verstreken is.",
    },
    "flagged": {
        "name": "flagged",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 3},
        "description": "Alleen maatregelen met ten minste dit niveau volgens de controles: 1 laag, 2 middel, 3 hoog.",
    },
    "sort": {
        "name": "sort",
        "in": "query",
        "schema": {"type": "string", "pattern": "^-?(code|titel|status|deadline|gewijzigd)$", "default": "code"},
        "description": "code, titel, status, deadline of gewijzigd (de laatste update); met een - ervoor aflopend.",
    },
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    "pageSize": {"name": "pageSize", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    "asOf": {
        "name": "asOf",
        "in": "query",
        "schema": DATE,
        "description": "De stand per deze datum (standaard vandaag).",
    },
    "state": {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "resolved", "all"]}},
    "measure": {"name": "measure", "in": "query", "schema": {"type": "string", "maxLength": 40}},
    "from": {"name": "from", "in": "query", "required": True, "schema": DATE},
    "If-Match": {
        "name": "If-Match",
        "in": "header",
        "schema": {"type": "string"},
        "description": "De ETag van de maatregel waarop de wijziging voortbouwt. Zonder If-Match en zonder "
        "`version` in de body: 428; verouderd: 412.",
    },
    "to": {"name": "to", "in": "query", "schema": DATE},
    "search": {
        "name": "q",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": "Zoekterm; gezocht wordt op de stam van Nederlandse woorden.",
    },
}

MOVED = {
    "description": "Samengevoegd: de code verwijst naar de maatregel waarin zij opging",
    "headers": {**VERSION_HEADER, "Location": {"schema": {"type": "string"}}},
    "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
}
PDF = {
    "description": "De PDF",
    "headers": VERSION_HEADER,
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}
# The headers of an answer that records something on a measure: where it is, and the new version.
CREATED = {
    "Location": {"schema": {"type": "string"}},
    "ETag": {"description": "De nieuwe versie van de maatregel.", "schema": {"type": "string"}},
}
LIST_FILTERS = ("q", "theme", "owner", "status", "document", "overdue", "flagged", "sort", "page", "pageSize")

OPERATIONS = (
    Operation(
        "/measures",
        "get",
        "listMeasures",
        {200: Reply(schemas.MeasurePage, links=_measure_links("$response.body#/items/0/code"))},
        parameters=(*LIST_FILTERS, "asOf"),
        summary="Maatregelen, gefilterd zoals in de lijst, eventueel per datum",
        description="Een pagina maatregelen met de filters en sorteringen van de lijst, zoals zij er vandaag of op `asOf` voor stonden.",
    ),
    Operation(
        "/measures/{code}",
        "get",
        "getMeasure",
        {
            200: Reply(
                schemas.Measure,
                headers={
                    "ETag": {
                        "description": "De versie van de maatregel (zonder asOf); voor If-Match bij een wijziging.",
                        "schema": {"type": "string"},
                    }
                },
                links={
                    "ListStatusUpdates": _link(
                        "listStatusUpdates", "Haar statusgeschiedenis.", {"code": "$response.body#/code"}
                    ),
                    "CreateStatusUpdate": _link(
                        "createStatusUpdate",
                        "Een status vastleggen die op deze versie voortbouwt.",
                        {"code": "$response.body#/code", "header.If-Match": "$response.header.ETag"},
                    ),
                    "CreateMeasurement": _link(
                        "createMeasurement",
                        "Een meting van een van haar indicatoren vastleggen, op deze versie.",
                        {"code": "$response.body#/code", "header.If-Match": "$response.header.ETag"},
                    ),
                },
            ),
            301: MOVED,
            304: {"description": "Ongewijzigd sinds de ETag in If-None-Match", "headers": VERSION_HEADER},
        },
        errors=(404,),
        parameters=("code", "asOf"),
        summary="Eén maatregel",
        description="Een maatregel met eigenaar, thema's, status, deadline, budget en de bron van elk gegeven, vandaag of op `asOf`. Een samengevoegde code verwijst door.",
    ),
    Operation(
        "/measures/{code}/status-updates",
        "get",
        "listStatusUpdates",
        {200: Reply(schemas.StatusUpdateList)},
        errors=(404,),
        parameters=("code", *PAGING),
        summary="De statusgeschiedenis van een maatregel",
        description="Elke vastgelegde status, nieuwste eerst, met datum, precisie en bewijs.",
    ),
    Operation(
        "/measures/{code}/status-updates",
        "post",
        "createStatusUpdate",
        {
            201: Reply(
                schemas.StatusUpdate,
                "Vastgelegd",
                CREATED,
                links=_measure_links("$request.path.code"),
            )
        },
        errors=(403, 404, 409, 412, 428),
        parameters=("code", "If-Match"),
        request=schemas.NewStatusUpdate,
        public=False,
        summary="Een status vastleggen",
        description="Legt een status vast (coördinatoren, binnen hun eigen organisatie). Noem de versie waarop u "
        "voortbouwt: If-Match met de ETag van de maatregel (verouderd: 412), of `version` in de body (verouderd: "
        "409); zonder een van beide: 428.",
    ),
    Operation(
        "/measures/{code}/measurements",
        "post",
        "createMeasurement",
        {
            201: Reply(
                schemas.Measurement,
                "Vastgelegd",
                CREATED,
                links=_measure_links("$request.path.code"),
            )
        },
        errors=(403, 404, 409, 412, 428),
        parameters=("code", "If-Match"),
        request=schemas.NewMeasurement,
        public=False,
        summary="Een meting van een indicator vastleggen",
        description="Legt een gemeten waarde van een indicator van de maatregel vast, met datum, precisie en bewijs "
        "(coördinatoren, binnen hun eigen organisatie). Een citaat moet in de opgeslagen tekst van het document staan. "
        "Noem de versie waarop u voortbouwt zoals bij een status: If-Match (verouderd: 412) of `version` (409); "
        "zonder een van beide: 428. De metingen staan bij de maatregel, onder `indicators`.",
    ),
    Operation(
        "/flags",
        "get",
        "listFlags",
        {200: Reply(schemas.FlagList)},
        parameters=("state", *PAGING),
        summary="Signaleringen van de controles",
        description="De signaleringen die de dagelijkse controles openden, open, opgelost of allemaal.",
        tag="signaleringen",
    ),
    Operation(
        "/flagged-measures",
        "get",
        "listFlaggedMeasures",
        {200: Reply(schemas.FlaggedMeasureList, links=_measure_links("$response.body#/items/0/measure_code"))},
        parameters=PAGING,
        summary="Gesignaleerde maatregelen",
        description="Eén regel per gesignaleerde maatregel: niveau, score, oudste bewijs, redenen en monitoringgat.",
        tag="signaleringen",
    ),
    Operation(
        "/recommendations",
        "get",
        "listRecommendations",
        {200: Reply(schemas.RecommendationList)},
        parameters=PAGING,
        summary="Aanbevelingen van de Nationaal Rapporteur",
        description="De aanbevelingen met de maatregelen waaraan zij gekoppeld zijn.",
        tag="rapporteur",
    ),
    Operation(
        "/assessments",
        "get",
        "listAssessments",
        {200: Reply(schemas.AssessmentList)},
        parameters=("measure", *PAGING),
        summary="Oordelen van de Nationaal Rapporteur",
        description="De onafhankelijke oordelen per maatregel, nieuwste eerst.",
        tag="rapporteur",
    ),
    Operation(
        "/comparisons",
        "get",
        "compareDates",
        {200: Reply(schemas.Comparison)},
        parameters=("from", "to"),
        summary="Wat veranderde tussen twee datums",
        description="Nieuwe maatregelen, statuswijzigingen, uitstel, budget, oordelen en signaleringen tussen `from` en `to`.",
    ),
    Operation(
        "/report-editions",
        "get",
        "listReportEditions",
        {
            200: Reply(
                schemas.EditionList,
                links={
                    "GetReportEdition": _link(
                        "getReportEdition",
                        "De eerste editie op de pagina.",
                        {"number": "$response.body#/items/0/number"},
                    )
                },
            )
        },
        parameters=PAGING,
        public=False,  # as on the pages: the editions need signing in
        summary="Edities van de voortgangsrapportage",
        description="Elke editie die naar de Kamer ging, met peildatum en controlesom.",
        tag="rapportages",
    ),
    Operation(
        "/report-editions/{number}",
        "get",
        "getReportEdition",
        {
            200: Reply(
                schemas.Edition,
                links={
                    "DownloadReportEdition": _link(
                        "downloadReportEdition", "Haar PDF.", {"number": "$response.body#/number"}
                    )
                },
            )
        },
        errors=(404,),
        parameters=("number",),
        public=False,
        summary="Eén editie van de voortgangsrapportage",
        description="De gegevens van een editie: peildatum, maker, controlesom.",
        tag="rapportages",
    ),
    Operation(
        "/report-editions/{number}/pdf",
        "get",
        "downloadReportEdition",
        {200: PDF},
        errors=(404,),
        parameters=("number",),
        public=False,
        summary="De PDF van een editie",
        description="De PDF zoals zij werd vastgelegd, byte voor byte.",
        tag="rapportages",
    ),
)
OPERATIONS += (
    Operation(
        "/search",
        "get",
        "search",
        {200: Reply(schemas.SearchPage)},
        parameters=("search", *PAGING),
        summary="Zoeken in de documenten en het register",
        description="Zoekt in de tekst van elk ingelezen document (per alinea), de maatregelen en de aanbevelingen, op de stam van Nederlandse woorden (BM25); beste eerst.",
        tag="maatregelen",
    ),
    Operation(
        "/statuses",
        "get",
        "listStatuses",
        {200: Reply(schemas.StatusList)},
        parameters=PAGING,
        summary="De statussen met hun namen",
        description="Elke status die een maatregel kan hebben: code, naam en of de maatregel dan nog open is.",
    ),
)
TAGS = [
    {"name": "maatregelen", "description": "Maatregelen, hun geschiedenis en vergelijkingen tussen datums"},
    {"name": "signaleringen", "description": "Wat de dagelijkse controles vinden"},
    {"name": "rapporteur", "description": "Aanbevelingen en oordelen van de Nationaal Rapporteur"},
    {"name": "rapportages", "description": "De voortgangsrapportages aan de Kamer"},
]


@cache  # asked twice on every API request (authentication, parameters): a handful of routes
def operation_for(rule: str, method: str) -> Operation | None:
    """The operation of a Flask route (`/api/v1/measures/<code>`) and method, or None."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))
    method = method.lower()
    return next((o for o in OPERATIONS if o.path == path and o.method == method), None)


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema, without a title on every field or a `default: null` on optional ones."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        if schema.get("default", ...) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def _models() -> list[type[BaseModel]]:
    """Return every model the operations name (the models they refer to come with them)."""
    named = [schemas.Problem]
    for operation in OPERATIONS:
        if operation.request is not None:
            named.append(operation.request)
        named += [reply.model for reply in operation.responses.values() if isinstance(reply, Reply)]
    return list(dict.fromkeys(named))


def component_schemas() -> dict:
    """Return components.schemas: every model the operations use, and the models those refer to."""
    _, top = models_json_schema(
        [(model, "validation") for model in _models()], ref_template=REF, schema_generator=_Generator
    )
    return top["$defs"]


@cache
def _document() -> dict:
    paths: dict[str, dict] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = operation.document()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Maatregelmonitor API",
            "version": API_VERSION,
            "description": "Maatregelen tegen mensenhandel: statussen, signaleringen, aanbevelingen, oordelen, vergelijkingen en rapportage-edities. "
            "Datums volgen ISO 8601; fouten zijn application/problem+json.",
            "contact": {"name": "Maatregelmonitor"},  # e-mail and url: the deployment's, see document()
        },
        "servers": [{"url": "/api/v1"}],
        "tags": TAGS,
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Persoonlijk API-token, aan te maken op /profiel.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "parameters": PARAMETERS,
            "headers": {
                "API-Version": {
                    "description": "De volledige versie van de API (semantisch versienummer).",
                    "schema": {"type": "string", "example": API_VERSION},
                }
            },
            "responses": {
                "Problem": {
                    "description": "Fout (RFC 9457)",
                    "headers": VERSION_HEADER,
                    "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
                }
            },
            "schemas": component_schemas(),
        },
    }


def document(contact_email: str = "", contact_url: str = "") -> dict:
    """Return the OpenAPI document (built once per process; the copy is the caller's to change),
    with the deployment's contact (API_CONTACT_EMAIL, and the URL of its page about the register)."""
    doc = deepcopy(_document())
    doc["info"]["contact"].update({"email": contact_email, "url": contact_url})
    return doc
