"""The OpenAPI document against the API itself: every route is in the table, every answer fits its schema."""

import re
import tomllib
from datetime import UTC, date, datetime
from decimal import Decimal

import jsonschema_rs
import pytest
from sqlmodel import select

from measures.accounts import tokens
from measures.api import openapi, schemas
from measures.api.resources import bp
from measures.register import services
from measures.register.catalogue import CATALOGUE_DIR
from measures.review import services as review
from models import BudgetLine, Measure
from tests.conftest import stored_edition

# The document does not describe itself.
UNDESCRIBED = {"api.openapi_document"}


def _openapi_path(rule: str) -> str:
    """Return a Flask rule below the blueprint as an OpenAPI path: /measures/<code> -> /measures/{code}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(bp.url_prefix))


def test_every_api_route_has_an_entry_in_the_openapi_table_and_back(app):
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{bp.name}.") and rule.endpoint not in UNDESCRIBED
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    table = [(operation.path, operation.method) for operation in openapi.OPERATIONS]
    assert len(table) == len(set(table)), "an operation is in the table twice"
    assert routes - set(table) == set(), "routes without an entry in openapi.OPERATIONS"
    assert set(table) - routes == set(), "entries in openapi.OPERATIONS without a route"


def test_the_document_is_openapi_3_1_with_every_reference_resolved(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert {op.operation_id for op in openapi.OPERATIONS} == {
        operation["operationId"] for path in doc["paths"].values() for operation in path.values()
    }
    refs = set(_references(doc))
    assert refs and all(name in doc["components"][kind] for kind, name in refs), refs
    # Every schema is itself valid JSON Schema 2020-12, the dialect of OpenAPI 3.1.
    for name, schema in doc["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_the_documented_statuses_are_the_catalogue_vocabulary():
    vocabulary = tomllib.loads((CATALOGUE_DIR / "statuses.toml").read_text(encoding="utf-8"))["statuses"]
    assert set(schemas.STATUS_CODES) == {status["code"] for status in vocabulary}


def _references(node):
    """Yield (kind, name) of every $ref in the document: #/components/<kind>/<name>."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield tuple(value.removeprefix("#/components/").split("/"))
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


@pytest.fixture
def world(app, runner, session, create_user):
    """The seeded catalogue, with today's flags, an assessment, a budget edit and a report edition."""
    assert runner.invoke(args=["seed"]).exit_code == 0
    now = datetime.now(UTC)
    # A measure with a budget that existed on 2019-12-05, so that the comparison below shows its edit.
    measure = session.exec(
        select(Measure)
        .where(Measure.id.in_(select(BudgetLine.measure_id)), Measure.announced_on <= date(2019, 12, 5))
        .order_by(Measure.code)
    ).first()
    fields = services.measure_fields(session, measure)
    budget = [
        services.BudgetInput(
            Decimal(b["amount"]),
            b["kind"],
            b["per"],
            b["from_year"],
            b["to_year"],
            b["funding"],
            b["quote"],
            b.get("document"),
        )
        for b in fields["budget"]
    ]
    budget.append(services.BudgetInput(Decimal("125000"), "eenmalig", "totaal", 2024, funding="test"))
    content = services.MeasureInput(**{**fields, "budget": budget})
    services.edit_measure(session=session, measure=measure, content=content, changed_by="test", now=now)
    review.record_assessment(
        session=session,
        measure=measure,
        light="vraagt_aandacht",
        text="Traag.",
        as_of=now.date(),
        recorded_by="NR",
        now=now,
    )
    session.add(stored_edition(1, date(2019, 12, 5), b"%PDF-1.7 test", since=date(2018, 5, 25)))
    session.commit()
    assert runner.invoke(args=["check-stalled"]).exit_code == 0
    user = create_user("programmacoordinator", email="p@jenv.nl")
    _token, plain = tokens.create_token(session=session, user=user, name="contract", now=now)
    session.commit()
    return {"measure": measure.code, "headers": {"Authorization": f"Bearer {plain}"}}


def _validator(doc: dict, schema: dict):
    """Return a validator of `schema`, with the document's components to resolve its references."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]}, validate_formats=True)


def _errors(doc: dict, schema: dict, body) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in _validator(doc, schema).iter_errors(body)]


def test_every_get_answers_with_the_schema_the_document_gives_it(client, world):
    code = world["measure"]
    # Several answers per operation where the code takes another path (a past date, a filter).
    examples = {
        "listMeasures": ["/measures?pageSize=200", "/measures?asOf=2019-12-05&pageSize=200", "/measures?flagged=1"],
        "getMeasure": [
            f"/measures/{code}",
            f"/measures/{code}?asOf=2019-12-05",
            "/measures/CT-B-02",
            "/measures/CT-D-02",
            "/measures/CT-D-02?asOf=2018-06-01",
        ],
        "listStatusUpdates": [f"/measures/{code}/status-updates", "/measures/CT-B-02/status-updates"],
        "listFlags": ["/flags", "/flags?state=all"],
        "listStatuses": ["/statuses"],
        "listFlaggedMeasures": ["/flagged-measures"],
        "listRecommendations": ["/recommendations"],
        "listAssessments": ["/assessments", f"/assessments?measure={code}"],
        "compareDates": ["/comparisons?from=2019-12-05", "/comparisons?from=2018-05-01&to=2021-06-01"],
        "listReportEditions": ["/report-editions"],
        "search": ["/search?q=webcrawler", "/search?q=trainingen%20eerstelijns&pageSize=5"],
        "getReportEdition": ["/report-editions/1"],
    }
    doc = client.get("/api/v1/openapi.json").get_json()
    json_gets = {
        operation["operationId"]: operation["responses"]["200"]["content"]["application/json"]["schema"]
        for path in doc["paths"].values()
        for method, operation in path.items()
        if method == "get" and "application/json" in operation["responses"]["200"].get("content", {})
    }
    assert set(examples) == set(json_gets), "each GET operation with a JSON answer needs an example here"
    failures = []
    for operation_id, urls in examples.items():
        for url in urls:
            response = client.get(f"/api/v1{url}", headers=world["headers"])
            assert response.status_code == 200, (url, response.get_json())
            failures += [f"{url} {error}" for error in _errors(doc, json_gets[operation_id], response.get_json())]
    assert failures == []
    # The examples reach the parts of the schemas that lists hide when empty.
    body = client.get("/api/v1/comparisons?from=2019-12-05", headers=world["headers"]).get_json()
    assert all(body[key] for key in ("added", "status_changes", "budget_changes", "flags_opened", "assessments"))
    assert client.get(f"/api/v1/measures/{code}", headers=world["headers"]).get_json()["budget"]
    for path in ("/flags", "/flagged-measures", "/recommendations", "/assessments", "/report-editions"):
        assert client.get(f"/api/v1{path}", headers=world["headers"]).get_json()["items"], path


def test_writes_redirects_and_problems_answer_with_their_schemas(client, world):
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = {op["operationId"]: op for path in doc["paths"].values() for op in path.values()}
    problem = {"$ref": "#/components/schemas/Problem"}
    created = client.post(
        "/api/v1/measures/CT-B-02/status-updates",
        json={
            "status": "in_uitvoering",
            "as_of": "2024-01-31",
            "note": "Loopt.",
            "evidence_document": "kst-28638-161",
            "evidence_url": "https://example.org/bewijs",
            "reports_problem": True,
        },
        headers={
            **world["headers"],
            "If-Match": client.get("/api/v1/measures/CT-B-02", headers=world["headers"]).headers["ETag"],
        },
    )
    assert created.status_code == 201, created.get_json()
    schema = operations["createStatusUpdate"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert _errors(doc, schema, created.get_json()) == []
    # The body keeps the wire form it always had: +00:00, not Z.
    assert created.get_json()["recorded_at"].endswith("+00:00")
    measured = client.post(
        "/api/v1/measures/CT-D-02/measurements",
        json={"indicator_code": "CT-D-02-I1", "value": 33, "on": "2021-06-01", "on_precision": "maand"},
        headers={
            **world["headers"],
            "If-Match": client.get("/api/v1/measures/CT-D-02", headers=world["headers"]).headers["ETag"],
        },
    )
    assert measured.status_code == 201, measured.get_json()
    schema = operations["createMeasurement"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert _errors(doc, schema, measured.get_json()) == []
    assert measured.get_json()["on"] == "2021-06-30"  # a month stands for its last day
    moved = client.get("/api/v1/measures/CT-K-03", headers=world["headers"])
    assert moved.status_code == 301 and _errors(doc, problem, moved.get_json()) == []
    for response in (
        client.post("/api/v1/measures/CT-B-02/status-updates", json={"status": 1}, headers=world["headers"]),
        client.post("/api/v1/measures/CT-D-02/measurements", json={"value": "veel"}, headers=world["headers"]),
        client.get("/api/v1/measures?pageSize=0", headers=world["headers"]),
        client.get("/api/v1/measures/NOPE", headers=world["headers"]),
        client.get("/api/v1/report-editions"),  # 401: the editions need signing in
    ):
        assert response.mimetype == "application/problem+json"
        assert _errors(doc, problem, response.get_json()) == [], response.get_json()


# The resources that own a code; every other resource names the measure it is about measure_code.
OWN_CODE = {"Indicator", "Measure", "MeasureSummary", "Recommendation", "StatusValue"}


def test_one_vocabulary_across_the_resources(client, world):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas_ = doc["components"]["schemas"]
    names = {name: set(schema.get("properties", {})) for name, schema in schemas_.items()}
    # One name for a measure: its own `code`, and `measure_code` (or `measure_codes`) wherever it is referred to.
    assert {name for name, props in names.items() if "code" in props} == OWN_CODE
    referring = {name for name, props in names.items() if props & {"measure_code", "measure_codes"}}
    assert {"Flag", "FlaggedMeasure", "Assessment", "Recommendation", "StatusChange", "FlagChange"} <= referring
    # One name for a level: an integer `…level` with its `…level_label` beside it, nowhere a bare severity.
    for name, props in names.items():
        assert not {p for p in props if "severity" in p}, name
        for prop in props:
            if prop == "level" or prop.endswith("_level"):
                assert schemas_[name]["properties"][prop]["type"] == "integer", (name, prop)
                assert f"{prop}_label" in props, (name, prop)
    # Every array says what it holds.
    arrays = [
        (name, prop, schema)
        for name, component in schemas_.items()
        for prop, schema in component.get("properties", {}).items()
        if schema.get("type") == "array"
    ]
    assert arrays and all("items" in schema for _name, _prop, schema in arrays)
    # The comparison answers with the names it was asked with.
    body = client.get("/api/v1/comparisons?from=2019-12-05&to=2021-06-01", headers=world["headers"]).get_json()
    assert (body["from"], body["to"]) == ("2019-12-05", "2021-06-01") and "start" not in body
    assert body["status_changes"][0]["measure_code"] and "code" not in body["status_changes"][0]
    # A level's label is the label of its number, in every resource that carries one.
    listed = client.get("/api/v1/measures?pageSize=200", headers=world["headers"]).get_json()["items"]
    flags = client.get("/api/v1/flags?pageSize=200", headers=world["headers"]).get_json()["items"]
    flagged = client.get("/api/v1/flagged-measures?pageSize=200", headers=world["headers"]).get_json()["items"]
    pairs = [(m["stall_level"], m["stall_level_label"]) for m in listed]
    pairs += [(f["level"], f["level_label"]) for f in flags]
    pairs += [(m["stall_level"], m["stall_level_label"]) for m in flagged]
    pairs += [(r["rule_level"], r["rule_level_label"]) for m in flagged for r in m["stall_reasons"]]
    labels = {0: "geen", 1: "laag", 2: "middel", 3: "hoog"}
    assert pairs and all(labels[level] == label for level, label in pairs)
    assert {level for level, _label in pairs} >= {0, 3}
    # The list's level of a measure is the level the flagged measures give it.
    listed_levels = {m["code"]: m["stall_level"] for m in listed}
    assert all(listed_levels[m["measure_code"]] == m["stall_level"] for m in flagged)
