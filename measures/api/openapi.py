"""The OpenAPI 3 document of API v1, kept beside the code it describes."""

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _params(*names: str) -> list[dict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


LEVEL = {"type": "string", "enum": ["geen", "laag", "middel", "hoog"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _ok(schema_ref: str, description: str = "OK") -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def _errors(*codes: int) -> dict:
    return {str(code): PROBLEM for code in codes}


def document() -> dict:
    date = {"type": "string", "format": "date"}
    nullable_date = NULLABLE_DATE
    precision = {"type": ["string", "null"], "enum": ["dag", "maand", "jaar", None]}
    basis = {
        "type": ["object", "null"],
        "properties": {
            "quote": {"type": ["string", "null"]},
            "document": {"type": ["string", "null"]},
            "citation": {"type": ["string", "null"]},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Maatregelmonitor API",
            "version": "1.0.0",
            "description": "Maatregelen tegen mensenhandel: statussen, signaleringen, aanbevelingen, oordelen, vergelijkingen en rapportage-edities. "
            "Datums volgen ISO 8601; fouten zijn application/problem+json.",
            "contact": {"name": "Maatregelmonitor"},
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/measures": {
                "get": {
                    "operationId": "listMeasures",
                    "summary": "Maatregelen, gefilterd zoals in de lijst, eventueel per datum",
                    "parameters": _params(
                        "q",
                        "theme",
                        "owner",
                        "status",
                        "document",
                        "overdue",
                        "flagged",
                        "sort",
                        "page",
                        "page_size",
                        "as_of",
                    ),
                    "responses": {"200": _ok("MeasurePage"), **_errors(400, 401)},
                }
            },
            "/measures/{code}": {
                "get": {
                    "operationId": "getMeasure",
                    "parameters": _params("code", "as_of"),
                    "responses": {
                        "200": _ok("Measure"),
                        "301": {
                            "description": "Samengevoegd: de code verwijst naar de maatregel waarin zij opging",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {
                                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                            },
                        },
                        **_errors(400, 401, 404),
                    },
                }
            },
            "/measures/{code}/status-updates": {
                "get": {
                    "operationId": "listStatusUpdates",
                    "parameters": _params("code"),
                    "responses": {"200": _ok("StatusUpdateList"), **_errors(401, 404)},
                },
                "post": {
                    "operationId": "createStatusUpdate",
                    "summary": "Een status vastleggen (coördinatoren, binnen hun eigen organisatie)",
                    "parameters": _params("code"),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewStatusUpdate"}}},
                    },
                    "responses": {"201": _ok("StatusUpdate", "Vastgelegd"), **_errors(400, 401, 403, 404, 409)},
                },
            },
            "/flags": {
                "get": {
                    "operationId": "listFlags",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["open", "resolved", "all"]},
                        }
                    ],
                    "responses": {"200": _ok("FlagList"), **_errors(400, 401)},
                }
            },
            "/flagged-measures": {
                "get": {
                    "operationId": "listFlaggedMeasures",
                    "summary": "Eén regel per gesignaleerde maatregel: niveau, score, oudste bewijs, redenen en monitoringgat",
                    "responses": {"200": _ok("FlaggedMeasureList"), **_errors(401)},
                }
            },
            "/recommendations": {
                "get": {
                    "operationId": "listRecommendations",
                    "responses": {"200": _ok("RecommendationList"), **_errors(401)},
                }
            },
            "/assessments": {
                "get": {
                    "operationId": "listAssessments",
                    "parameters": [{"name": "measure", "in": "query", "schema": {"type": "string", "maxLength": 40}}],
                    "responses": {"200": _ok("AssessmentList"), **_errors(401)},
                }
            },
            "/comparisons": {
                "get": {
                    "operationId": "compareDates",
                    "summary": "Wat veranderde tussen twee datums",
                    "parameters": [
                        {"name": "from", "in": "query", "required": True, "schema": date},
                        {"name": "to", "in": "query", "schema": date},
                    ],
                    "responses": {"200": _ok("Comparison"), **_errors(400, 401)},
                }
            },
            "/report-editions": {
                "get": {"operationId": "listReportEditions", "responses": {"200": _ok("EditionList"), **_errors(401)}}
            },
            "/report-editions/{number}": {
                "get": {
                    "operationId": "getReportEdition",
                    "parameters": _params("number"),
                    "responses": {"200": _ok("Edition"), **_errors(401, 404)},
                }
            },
            "/report-editions/{number}/pdf": {
                "get": {
                    "operationId": "downloadReportEdition",
                    "parameters": _params("number"),
                    "responses": {
                        "200": {
                            "description": "De PDF",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors(401, 404),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Persoonlijk API-token, aan te maken op /profiel.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "parameters": {
                "code": {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}},
                "number": {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                },
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
                "flagged": {
                    "name": "flagged",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["", "1", "2", "3"]},
                },
                "sort": {"name": "sort", "in": "query", "schema": {"type": "string"}},
                "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                "page_size": {
                    "name": "page_size",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
                "as_of": {"name": "as_of", "in": "query", "schema": date},
            },
            "responses": {
                "Problem": {
                    "description": "Fout (RFC 9457)",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["title", "status"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "invalid-params": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "MeasureSummary": {
                    "type": "object",
                    "required": ["code", "title", "status"],
                    "properties": {
                        "code": {"type": "string"},
                        "title": {"type": "string"},
                        "lead": {"type": ["string", "null"]},
                        "themes": {"type": "array", "items": {"type": "string"}},
                        "status": {"type": "string"},
                        "deadline": nullable_date,
                        "deadline_precision": precision,
                        "flag_severity": {"type": ["integer", "null"]},
                    },
                },
                "MeasurePage": {
                    "type": "object",
                    "required": ["total", "page", "page_size", "items"],
                    "properties": {
                        "as_of": date,
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/MeasureSummary"}},
                    },
                },
                "Measure": {
                    "type": "object",
                    "required": ["code", "title", "status", "version"],
                    "properties": {
                        "code": {"type": "string"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "lead": {"type": ["string", "null"]},
                        "co_owners": {"type": "array", "items": {"type": "string"}},
                        "themes": {"type": "array", "items": {"type": "string"}},
                        "status": {"type": "string"},
                        "deadline": nullable_date,
                        "deadline_precision": precision,
                        "deadline_basis": {"type": "string"},
                        "postponements": {"type": "integer"},
                        "budget": {"type": "array", "items": {"type": "object"}},
                        "provenance": {
                            "description": "Where each asserted field comes from, as the register holds it now: "
                            "a basis (the sentence, the document and how to cite it), or null where no source says it.",
                            "type": "object",
                            "properties": {
                                "lead": basis,
                                "co_owners": basis,
                                "themes": {"type": "object", "additionalProperties": {"type": "object"}},
                                "budget": {"type": "array", "items": basis},
                                "deadline": {"type": ["string", "null"]},
                            },
                        },
                        "merged_codes": {
                            "description": "Codes merged into this measure; their addresses redirect here (301).",
                            "type": "array",
                            "items": {"type": "string"},
                        },
                        "source": {"type": "object"},
                        "version": {"type": "integer"},
                        "as_of": date,
                    },
                },
                "StatusUpdate": {
                    "type": "object",
                    "required": ["id", "status", "as_of"],
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": "string"},
                        "as_of": date,
                        "as_of_precision": {
                            "type": "string",
                            "enum": ["dag", "maand", "jaar"],
                            "description": "Hoeveel van de datum bekend is; bij maand of jaar is as_of de laatste dag daarvan.",
                        },
                        "note": {"type": "string"},
                        "evidence_document": {"type": ["string", "null"]},
                        "evidence_citation": {
                            "type": ["string", "null"],
                            "description": "Hoe het bewijs wordt aangehaald; een document dat hier niet is geraadpleegd "
                            "met het document waarlangs het bekend is, bv. 'Kamerstuk 28 638 nr. 184 (18-11-2020), via factsheet'.",
                        },
                        "evidence_quote": {"type": ["string", "null"]},
                        "evidence_url": {"type": ["string", "null"]},
                        "reports_problem": {"type": "boolean"},
                        "recorded_by": {"type": "string"},
                        "recorded_at": {"type": "string", "format": "date-time"},
                    },
                },
                "StatusUpdateList": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/StatusUpdate"}}},
                },
                "NewStatusUpdate": {
                    "type": "object",
                    "required": ["status", "as_of"],
                    "properties": {
                        "status": {
                            "type": "string",
                            "enum": [
                                "gepland",
                                "in_uitvoering",
                                "deels_gerealiseerd",
                                "gerealiseerd",
                                "beeindigd",
                                "onbekend",
                            ],
                        },
                        "as_of": date,
                        "note": {"type": "string", "maxLength": 5000},
                        "evidence_document": {"type": "string"},
                        "evidence_url": {"type": "string", "format": "uri"},
                        "reports_problem": {"type": "boolean"},
                        "version": {
                            "type": "integer",
                            "description": "De versie die u las; een andere versie geeft 409.",
                        },
                    },
                },
                "FlagList": {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "measure_code": {"type": "string"},
                                    "rule": {"type": "string"},
                                    "kind": {"type": "string", "enum": ["stall", "silence"]},
                                    "severity": {"type": "integer", "minimum": 0, "maximum": 3},
                                    "severity_label": LEVEL,
                                    "rule_severity": {"type": "integer", "minimum": 0, "maximum": 3},
                                    "rule_level": {"type": "string", "enum": ["stilte", "laag", "middel", "hoog"]},
                                    "evidence_on": NULLABLE_DATE,
                                    "explanation": {"type": "string"},
                                    "first_seen_on": NULLABLE_DATE,
                                    "last_seen_on": NULLABLE_DATE,
                                    "resolved_on": NULLABLE_DATE,
                                },
                            },
                        }
                    },
                },
                "FlaggedMeasureList": {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["measure_code", "stall_level", "stall_level_label", "score", "silence"],
                                "properties": {
                                    "measure_code": {"type": "string"},
                                    "title": {"type": "string"},
                                    "stall_level": {"type": "integer", "minimum": 0, "maximum": 3},
                                    "stall_level_label": LEVEL,
                                    "score": {"type": "integer", "minimum": 0},
                                    "oldest_evidence_on": NULLABLE_DATE,
                                    "oldest_evidence_precision": {"type": "string", "enum": ["dag", "maand", "jaar"]},
                                    "stall_reasons": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "rule": {"type": "string"},
                                                "label": {"type": "string"},
                                                "rule_level": LEVEL,
                                            },
                                        },
                                    },
                                    "silence": {
                                        "type": "array",
                                        "items": {
                                            "type": "string",
                                            "enum": ["geen_update", "lang_lopend", "geen_trekker", "geen_deadline"],
                                        },
                                    },
                                    "explanations": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "rule": {"type": "string"},
                                                "kind": {"type": "string", "enum": ["stall", "silence"]},
                                                "explanation": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    },
                },
                "RecommendationList": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
                },
                "AssessmentList": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
                },
                "Comparison": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {
                        "start": date,
                        "end": date,
                        "added": {"type": "array"},
                        "status_changes": {"type": "array"},
                        "postponements": {"type": "array"},
                        "deadline_changes": {"type": "array"},
                        "budget_changes": {"type": "array"},
                        "flags_opened": {"type": "array"},
                        "flags_closed": {"type": "array"},
                        "assessments": {"type": "array"},
                    },
                },
                "Edition": {
                    "type": "object",
                    "required": ["number", "as_of", "pdf_sha256"],
                    "properties": {
                        "number": {"type": "integer"},
                        "as_of": date,
                        "since": nullable_date,
                        "generated_at": {"type": "string", "format": "date-time"},
                        "generated_by": {"type": "string"},
                        "pages": {"type": "integer"},
                        "pdf_sha256": {"type": "string"},
                        "snapshot_sha256": {"type": "string"},
                        "pdf": {"type": "string"},
                    },
                },
                "EditionList": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Edition"}}},
                },
            },
        },
    }
