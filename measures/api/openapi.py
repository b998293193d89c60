"""The OpenAPI 3.1 document of API v1: its operations from the table below, its schemas from `schemas`.

The schemas are generated from the same pydantic models that validate request bodies and build
responses, so the document describes what the code does. A test holds the table and the API's routes
together: a route without an entry here fails it.
"""

from copy import deepcopy
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from measures.api import schemas
from measures.api.http import API_VERSION

REF = "#/components/schemas/{model}"
PROBLEM = {"$ref": "#/components/responses/Problem"}


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


@dataclass(frozen=True)
class Reply:
    """A JSON response whose body is one model."""

    model: type[BaseModel]
    description: str = "OK"
    headers: dict | None = None

    def document(self) -> dict:
        response = {"description": self.description, "content": {"application/json": {"schema": _ref(self.model)}}}
        if self.headers:
            response["headers"] = self.headers
        return response


@dataclass(frozen=True)
class Operation:
    """One operation: its path (below /api/v1) and method, what it takes and what it answers per status."""

    path: str
    method: str
    operation_id: str
    responses: dict[int, Reply | dict]  # a Reply, or a response object as it stands in the document
    errors: tuple[int, ...] = ()  # statuses answered with a problem+json body
    parameters: tuple[str, ...] = ()  # names in PARAMETERS
    request: type[BaseModel] | None = None
    summary: str = ""

    def document(self) -> dict:
        operation: dict = {"operationId": self.operation_id}
        if self.summary:
            operation["summary"] = self.summary
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
            **{str(status): PROBLEM for status in self.errors},
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
        "schema": {"type": "string"},
        "description": "schema:code, bijvoorbeeld contouren:b",
    },
    "owner": {"name": "owner", "in": "query", "schema": {"type": "string"}},
    "status": {"name": "status", "in": "query", "schema": {"type": "string"}},
    "document": {"name": "document", "in": "query", "schema": {"type": "string"}},
    "overdue": {"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["y", ""]}},
    "flagged": {"name": "flagged", "in": "query", "schema": {"type": "string", "enum": ["", "1", "2", "3"]}},
    "sort": {"name": "sort", "in": "query", "schema": {"type": "string"}},
    "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    "page_size": {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    "as_of": {"name": "as_of", "in": "query", "schema": DATE},
    "state": {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "resolved", "all"]}},
    "measure": {"name": "measure", "in": "query", "schema": {"type": "string", "maxLength": 40}},
    "from": {"name": "from", "in": "query", "required": True, "schema": DATE},
    "to": {"name": "to", "in": "query", "schema": DATE},
}

MOVED = {
    "description": "Samengevoegd: de code verwijst naar de maatregel waarin zij opging",
    "headers": {"Location": {"schema": {"type": "string"}}},
    "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
}
PDF = {"description": "De PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
LIST_FILTERS = ("q", "theme", "owner", "status", "document", "overdue", "flagged", "sort", "page", "page_size")

OPERATIONS = (
    Operation(
        "/measures",
        "get",
        "listMeasures",
        {200: Reply(schemas.MeasurePage)},
        errors=(400, 401),
        parameters=(*LIST_FILTERS, "as_of"),
        summary="Maatregelen, gefilterd zoals in de lijst, eventueel per datum",
    ),
    Operation(
        "/measures/{code}",
        "get",
        "getMeasure",
        {200: Reply(schemas.Measure), 301: MOVED},
        errors=(400, 401, 404),
        parameters=("code", "as_of"),
    ),
    Operation(
        "/measures/{code}/status-updates",
        "get",
        "listStatusUpdates",
        {200: Reply(schemas.StatusUpdateList)},
        errors=(401, 404),
        parameters=("code",),
    ),
    Operation(
        "/measures/{code}/status-updates",
        "post",
        "createStatusUpdate",
        {201: Reply(schemas.StatusUpdate, "Vastgelegd", {"Location": {"schema": {"type": "string"}}})},
        errors=(400, 401, 403, 404, 409),
        parameters=("code",),
        request=schemas.NewStatusUpdate,
        summary="Een status vastleggen (coördinatoren, binnen hun eigen organisatie)",
    ),
    Operation("/flags", "get", "listFlags", {200: Reply(schemas.FlagList)}, errors=(400, 401), parameters=("state",)),
    Operation(
        "/flagged-measures",
        "get",
        "listFlaggedMeasures",
        {200: Reply(schemas.FlaggedMeasureList)},
        errors=(401,),
        summary="Eén regel per gesignaleerde maatregel: niveau, score, oudste bewijs, redenen en monitoringgat",
    ),
    Operation(
        "/recommendations", "get", "listRecommendations", {200: Reply(schemas.RecommendationList)}, errors=(401,)
    ),
    Operation(
        "/assessments",
        "get",
        "listAssessments",
        {200: Reply(schemas.AssessmentList)},
        errors=(401,),
        parameters=("measure",),
    ),
    Operation(
        "/comparisons",
        "get",
        "compareDates",
        {200: Reply(schemas.Comparison)},
        errors=(400, 401),
        parameters=("from", "to"),
        summary="Wat veranderde tussen twee datums",
    ),
    Operation("/report-editions", "get", "listReportEditions", {200: Reply(schemas.EditionList)}, errors=(401,)),
    Operation(
        "/report-editions/{number}",
        "get",
        "getReportEdition",
        {200: Reply(schemas.Edition)},
        errors=(401, 404),
        parameters=("number",),
    ),
    Operation(
        "/report-editions/{number}/pdf",
        "get",
        "downloadReportEdition",
        {200: PDF},
        errors=(401, 404),
        parameters=("number",),
    ),
)


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
            "contact": {"name": "Maatregelmonitor"},
        },
        "servers": [{"url": "/api/v1"}],
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
            "responses": {
                "Problem": {
                    "description": "Fout (RFC 9457)",
                    "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
                }
            },
            "schemas": component_schemas(),
        },
    }


def document() -> dict:
    """Return the OpenAPI document (built once per process; the copy is the caller's to change)."""
    return deepcopy(_document())
