"""JSON API v1: authentication by session or token, problem+json errors, and the permission matrix."""

from datetime import date

import pytest
from sqlmodel import select

from models import ApiToken, StatusUpdate


@pytest.fixture
def api(session, create_organisation, create_measure, create_user, create_document):
    create_organisation("Politie")
    create_organisation("OM")
    create_document()
    create_measure(
        "CT-B-04",
        "Webcrawler",
        lead="Politie",
        themes=["contouren:b"],
        status="in_uitvoering",
        deadline=date(2020, 12, 31),
    )
    create_measure("CT-B-06", "Zaakscoördinator", lead="OM", status="gepland")
    return {
        "politie": create_user("coordinator", "Politie"),
        "om": create_user("coordinator", "OM"),
        "lezer": create_user("lezer", "Politie"),
    }


def token_for(client, auth, user, name="test") -> str:
    auth.login(user.email)
    html = client.post("/profiel", data={"name": name}).get_data(as_text=True)
    auth.logout()
    start = html.index('<code class="token">') + len('<code class="token">')
    return html[start : html.index("</code>", start)]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_is_public_and_valid_openapi_3(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/measures/{code}/status-updates" in doc["paths"]
    assert doc["components"]["responses"]["Problem"]["content"].keys() == {"application/problem+json"}


def test_reads_are_as_public_as_the_pages_and_writes_never_are(app, client, api):
    """With MM_PUBLIC_READ (the default) anyone may read what the pages show anyone; the report
    editions (signed-in on the pages too) and every write need a token or a session."""
    assert client.get("/api/v1/measures").status_code == 200
    assert client.get("/api/v1/measures/CT-B-04").get_json()["code"] == "CT-B-04"
    assert client.get("/api/v1/flagged-measures").status_code == 200
    for response in (
        client.get("/api/v1/report-editions"),
        client.post("/api/v1/measures/CT-B-04/status-updates", json={"status": "gepland", "as_of": "2021-01-01"}),
    ):
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
    app.config["PUBLIC_READ"] = False
    assert client.get("/api/v1/measures").status_code == 401
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {} in doc["paths"]["/measures"]["get"]["security"]
    assert {} not in doc["paths"]["/report-editions"]["get"].get("security", doc["security"])


@pytest.mark.parametrize(
    "headers", [{"Authorization": "Bearer mm_onzin"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}]
)
def test_missing_or_bad_token_gets_401_problem(client, api, headers):
    response = client.get("/api/v1/measures", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.postgres  # token lookup and revocation timestamps
def test_token_is_stored_hashed_and_revocable(client, auth, session, api):
    token = token_for(client, auth, api["lezer"])
    stored = session.exec(select(ApiToken)).one()
    assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert client.get("/api/v1/measures", headers=bearer(token)).status_code == 200
    auth.login(api["lezer"].email)
    assert client.post(f"/profiel/tokens/{stored.id}/intrekken").status_code == 302
    auth.logout()
    assert client.get("/api/v1/measures", headers=bearer(token)).status_code == 401


@pytest.mark.smoke
def test_every_signed_in_role_reads(client, auth, api):
    token = token_for(client, auth, api["lezer"])
    body = client.get("/api/v1/measures?theme=contouren:b", headers=bearer(token)).get_json()
    assert [m["code"] for m in body["items"]] == ["CT-B-04"] and body["items"][0]["deadline"] == "2020-12-31"
    assert client.get("/api/v1/measures/CT-B-04", headers=bearer(token)).get_json()["lead"] == "Politie"
    for path in (
        "/api/v1/measures/CT-B-04/status-updates",
        "/api/v1/flags",
        "/api/v1/recommendations",
        "/api/v1/assessments",
        "/api/v1/report-editions",
        "/api/v1/comparisons?from=2018-01-01",
    ):
        assert client.get(path, headers=bearer(token)).status_code == 200, path


def test_session_login_reads_too(client, auth, api):
    auth.login(api["lezer"].email)
    assert client.get("/api/v1/flags").status_code == 200


@pytest.mark.parametrize(
    "query, name",
    [
        ("asOf=2019-13-01", "asOf"),
        ("theme=contouren:z", "theme"),
        ("page=-1", "page"),
        ("pageSize=0", "pageSize"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_bad_filters_give_problem_with_invalid_params(client, auth, api, query, name):
    token = token_for(client, auth, api["lezer"])
    response = client.get(f"/api/v1/measures?{query}", headers=bearer(token))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert name in [p["name"] for p in response.get_json()["invalid-params"]]


@pytest.mark.postgres  # as-of queries on stored dates
def test_as_of_list(client, auth, api):
    token = token_for(client, auth, api["lezer"])
    body = client.get("/api/v1/measures?asOf=2018-01-01", headers=bearer(token)).get_json()
    assert body["total"] == 0 and body["as_of"] == "2018-01-01"  # announced 25 May 2018


def _post(client, token, code, **body):
    """Write a status as an integrating system does: building on the version it read (If-Match)."""
    payload = {"status": "deels_gerealiseerd", "as_of": "2021-01-01", "note": "Pilot loopt", **body}
    headers = bearer(token)
    if "version" not in body:
        etag = client.get(f"/api/v1/measures/{code}", headers=headers).headers.get("ETag")
        headers["If-Match"] = etag or '"0"'
    return client.post(f"/api/v1/measures/{code}/status-updates", json=payload, headers=headers)


@pytest.mark.smoke
def test_coordinator_writes_own_measure_and_gets_403_on_another(client, auth, session, api):
    token = token_for(client, auth, api["politie"])
    response = _post(client, token, "CT-B-04", evidence_document="kst-28638-161")
    assert response.status_code == 201 and response.get_json()["status"] == "deels_gerealiseerd"
    forbidden = _post(client, token, "CT-B-06")
    assert forbidden.status_code == 403 and forbidden.mimetype == "application/problem+json"
    assert len(session.exec(select(StatusUpdate)).all()) == 3


@pytest.mark.parametrize("role", ["lezer"])
def test_reader_token_cannot_write(client, auth, api, role):
    assert _post(client, token_for(client, auth, api[role]), "CT-B-04").status_code == 403


@pytest.mark.parametrize(
    "body, name",
    [
        ({"status": "klaar"}, "status"),
        ({"as_of": "gisteren"}, "as_of"),
        ({"evidence_document": "kst-0"}, "evidence_document"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"status": "gepland", "note": ""}, "note"),
        ({"reports_problem": "ja"}, "reports_problem"),
        ({"version": "1"}, "version"),
        ({"version": 2**70}, "version"),
        ({"status": {}}, "status"),
        ({"status": ["gepland"]}, "status"),
    ],
)
def test_write_validation(client, auth, api, body, name):
    response = _post(client, token_for(client, auth, api["politie"]), "CT-B-04", **body)
    assert response.status_code == 400 and name in [p["name"] for p in response.get_json()["invalid-params"]]


@pytest.mark.postgres  # optimistic locking on the version column
def test_stale_version_gets_409(client, auth, api):
    token = token_for(client, auth, api["politie"])
    assert _post(client, token, "CT-B-04", version=1).status_code == 409


def test_unknown_measure_404_and_non_json_400(client, auth, api):
    token = token_for(client, auth, api["politie"])
    assert client.get("/api/v1/measures/NOPE", headers=bearer(token)).status_code == 404
    response = client.post("/api/v1/measures/CT-B-04/status-updates", data="niet json", headers=bearer(token))
    assert response.status_code == 400


def test_session_write_without_csrf_token_is_refused(app, client, auth, session, api):
    auth.login(api["politie"].email)
    app.config["WTF_CSRF_ENABLED"] = True  # from here on, as in production
    response = client.post(
        "/api/v1/measures/CT-B-04/status-updates",
        json={"status": "deels_gerealiseerd", "as_of": "2021-01-01", "note": "x"},
    )
    assert response.status_code == 400
    assert len(session.exec(select(StatusUpdate)).all()) == 2  # nothing written
