"""The API's rules at the HTTP level (the ADR's runtime rules), through the real WSGI app."""

import pytest

from tests.test_api import api, bearer, token_for  # noqa: F401 (fixtures and helpers)

OTHER_SITE = "https://ministerie.example"


def test_every_api_answer_carries_the_api_version(client, auth, api):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    answers = [
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/measures"),  # anonymous
        client.post("/api/v1/measures/CT-B-04/status-updates", json={}),  # 401
        client.get("/api/v1/measures", headers=bearer(token)),
        client.get("/api/v1/onbekend", headers=bearer(token)),  # routing 404
        client.delete("/api/v1/measures/CT-B-04", headers=bearer(token)),  # routing 405
    ]
    document = answers[0].get_json()
    for response in answers:
        assert response.headers["API-Version"] == document["info"]["version"] == "1.0.0"
    # Not on the pages: the header belongs to the API.
    assert "API-Version" not in client.get("/").headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/onbekend", 404),
        ("GET", "/api/v1/measures/", 404),
        ("GET", "/api/v1/report-editions/0", 404),
        ("DELETE", "/api/v1/measures/CT-B-04", 405),
        ("PUT", "/api/v1/measures/CT-B-04/status-updates", 405),
    ],
)
def test_routing_errors_under_the_api_are_problem_json(client, auth, api, method, path, status):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    response = client.open(path, method=method, headers=bearer(token))
    assert response.status_code == status and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] in ("Niet gevonden", "Methode niet toegestaan")
    assert "<html" not in response.get_data(as_text=True).lower()
    if status == 405:
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert "GET" in allowed and method not in allowed
    # The pages keep their HTML error page.
    assert client.get("/bestaat-niet").mimetype == "text/html"


def test_the_openapi_document_is_readable_from_any_origin(client):
    response = client.get("/api/v1/openapi.json", headers={"Origin": OTHER_SITE})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_another_site_may_use_a_token_but_never_a_session(client, auth, api):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    preflight = client.options(
        "/api/v1/measures/CT-B-04/status-updates",
        headers={
            "Origin": OTHER_SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.status_code == 200, preflight.get_data(as_text=True)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    read = client.get("/api/v1/measures", headers={"Origin": OTHER_SITE, **bearer(token)})
    assert read.status_code == 200 and read.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in read.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"api-version", "link", "etag", "location"} <= exposed
    # Without credentials allowed, a browser will not hand another site the answer to a request
    # that carried the visitor's session cookie.
    assert "Access-Control-Allow-Credentials" not in read.headers


def test_answers_that_depend_on_who_asks_are_not_stored(client, auth, api):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    for response in (
        client.get("/api/v1/measures", headers=bearer(token)),
        client.get("/api/v1/measures/CT-B-04", headers=bearer(token)),
        client.get("/api/v1/report-editions"),  # 401
    ):
        assert response.headers["Cache-Control"] == "no-store"
        assert "Authorization" in response.headers.get("Vary", "")


def test_a_token_request_gets_no_session_cookie(client, auth, api):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    # The client still carries a cookie from the pages (a browser would): a session the app
    # would otherwise refresh on every answer.
    auth.login(api["lezer"].email)
    assert client.get_cookie("session") is not None
    version = client.get("/api/v1/measures/CT-B-04", headers=bearer(token)).get_json()["version"]
    for response in (
        client.get("/api/v1/measures", headers=bearer(token)),
        client.post(
            "/api/v1/measures/CT-B-04/status-updates",
            json={"status": "deels_gerealiseerd", "as_of": "2021-01-01", "note": "Voortgang.", "version": version},
            headers=bearer(token),
        ),
    ):
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers
    # Without a token the same client is the signed-in visitor, and its session is kept.
    assert client.get("/api/v1/measures").status_code == 200


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/api/v1/measures?as_of=2020-01-01", "as_of"),  # the old name: now asOf
        ("/api/v1/measures?pageSize=5&limit=5", "limit"),
        ("/api/v1/flags?state=open&measure=CT-B-04", "measure"),
        ("/api/v1/measures/CT-B-04?page=2", "page"),
    ],
)
def test_a_parameter_the_operation_does_not_take_is_a_400(client, auth, api, path, unknown):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert [p["name"] for p in response.get_json()["invalid-params"]] == [unknown]
    # The documented names work.
    assert client.get("/api/v1/measures?asOf=2020-01-01&pageSize=5", headers=bearer(token)).status_code == 200


def test_the_document_describes_every_operation_as_the_rules_ask(client):
    """What the ADR ruleset checks in `make lint`, held here too: a tag, a summary and a
    description, 400 and 401, the API-Version header on every answer, camelCase query keys, and a
    contact with e-mail and url."""
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"email", "name", "url"} <= doc["info"]["contact"].keys() and "@" in doc["info"]["contact"]["email"]
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            where = f"{method} {path}"
            assert operation["tags"] and operation["summary"] and operation["description"], where
            assert {"400", "401"} <= operation["responses"].keys(), where
            for status, response in operation["responses"].items():
                response = doc["components"]["responses"]["Problem"] if "$ref" in response else response
                assert "API-Version" in response["headers"], (where, status)
    for parameter in doc["components"]["parameters"].values():
        assert "_" not in parameter["name"], parameter["name"]


def test_writes_are_conditional_on_the_version_they_build_on(client, auth, api):  # noqa: F811
    """ETag carries the measure's version; a write names the version it builds on in If-Match
    (412 when stale, 428 when neither it nor a body version is given); a body version still works."""
    token = token_for(client, auth, api["politie"])
    headers = bearer(token)
    read = client.get("/api/v1/measures/CT-B-04", headers=headers)
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'
    assert client.get("/api/v1/measures/CT-B-04", headers={**headers, "If-None-Match": etag}).status_code == 304
    url = "/api/v1/measures/CT-B-04/status-updates"
    body = {"status": "deels_gerealiseerd", "as_of": "2021-01-01", "note": "Voortgang."}
    missing = client.post(url, json=body, headers=headers)
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    written = client.post(url, json=body, headers={**headers, "If-Match": etag})
    assert written.status_code == 201 and written.headers["ETag"] != etag
    stale = client.post(url, json=body, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["status"] == 412
    assert client.get("/api/v1/measures/CT-B-04", headers=headers).headers["ETag"] == written.headers["ETag"]
    # The version in the body, as before: 409 when stale, 201 when current.
    version = client.get("/api/v1/measures/CT-B-04", headers=headers).get_json()["version"]
    assert client.post(url, json={**body, "version": version - 1}, headers=headers).status_code == 409
    assert client.post(url, json={**body, "version": version}, headers=headers).status_code == 201
    # The document says so.
    doc = client.get("/api/v1/openapi.json").get_json()
    write = doc["paths"]["/measures/{code}/status-updates"]["post"]
    assert {"412", "428", "409"} <= write["responses"].keys()
    assert any(p.get("$ref", "").endswith("/If-Match") for p in write["parameters"])
    assert "ETag" in doc["paths"]["/measures/{code}"]["get"]["responses"]["200"]["headers"]


def _links(response) -> dict[str, str]:
    links = {}
    for part in response.headers["Link"].split(","):
        url, _, rel = part.partition(";")
        links[rel.split("=")[1].strip('"')] = url.strip().strip("<>")
    return links


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/measures",
        "/api/v1/measures/CT-B-04/status-updates",
        "/api/v1/flags?state=all",
        "/api/v1/flagged-measures",
        "/api/v1/recommendations",
        "/api/v1/assessments",
        "/api/v1/report-editions",
        "/api/v1/statuses",
    ],
)
def test_every_collection_is_paged_alike_with_links(client, auth, api, path):  # noqa: F811
    """page and pageSize, a total, and Link first/prev/next/last; walking next visits every item once."""
    token = token_for(client, auth, api["politie"])
    headers = bearer(token)
    whole = client.get(path + ("&" if "?" in path else "?") + "pageSize=200", headers=headers)
    assert whole.status_code == 200, whole.get_json()
    body = whole.get_json()
    assert {"total", "page", "page_size", "items"} <= body.keys() and body["total"] == len(body["items"])
    links = _links(whole)
    assert links["first"].endswith("page=1") or "page=1" in links["first"]
    assert "prev" not in links and "next" not in links  # one page holds them all
    seen, url = [], path + ("&" if "?" in path else "?") + "pageSize=1"
    for _ in range(body["total"] + 1):
        response = client.get(url, headers=headers)
        page = response.get_json()
        assert page["total"] == body["total"] and page["page_size"] == 1
        seen += page["items"]
        following = _links(response)
        assert "last" in following and ("prev" in following) == (page["page"] > 1)
        if "next" not in following:
            break
        url = following["next"].removeprefix("http://localhost")
    assert seen == body["items"]
    bad = client.get(path + ("&" if "?" in path else "?") + "pageSize=0", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["invalid-params"][0]["name"] == "pageSize"


def test_a_date_in_the_future_is_refused_alike_on_the_list_and_on_a_measure(client, auth, api):  # noqa: F811
    token = token_for(client, auth, api["politie"])
    for path in ("/api/v1/measures?asOf=2099-01-01", "/api/v1/measures/CT-B-04?asOf=2099-01-01"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 400, path
        assert response.get_json()["invalid-params"] == [{"name": "asOf", "reason": "in de toekomst"}]


def test_the_statuses_and_their_names_are_a_resource(client, vocabulary):
    """Enum values come with their labels: the codes the API uses, the names the pages show."""
    body = client.get("/api/v1/statuses").get_json()
    codes = {item["code"]: item for item in body["items"]}
    assert codes["gerealiseerd"]["label"] == "Gerealiseerd" and codes["gerealiseerd"]["open"] is False
    assert codes["in_uitvoering"]["open"] is True and body["total"] == len(codes) >= 6


def test_list_parameters_are_documented_with_their_real_types(client):
    params = client.get("/api/v1/openapi.json").get_json()["components"]["parameters"]
    assert params["theme"]["schema"]["type"] == "array" and params["theme"]["explode"] is True
    assert params["flagged"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 3}
    assert params["overdue"]["schema"]["type"] == "boolean"
    assert "gewijzigd" in params["sort"]["schema"]["pattern"]
