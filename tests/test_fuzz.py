"""Hypothesis fuzzing of every form and filter and of the API: whatever comes in, no 500."""

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Hostile text, numbers and dates: PostgreSQL refuses NUL and out-of-range values that SQLite stores.
pytestmark = [pytest.mark.postgres, pytest.mark.slow]

anything = st.one_of(
    st.text(max_size=300),
    st.integers().map(str),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "2019-12-05",
            "2019-13-45",
            "contouren:b",
            "%00",
            "' OR 1=1 --",
            # Issue 13's cases: dates with trailing junk, impossible times, year 1 and the end of time,
            # control characters and formulas.
            "0001-01-01garbage",
            "2024-09-09T99:99",
            "0001-01-01",
            "9999-12-31",
            "a\x0bb\x00c",
            '=HYPERLINK("http://x")',
        ]
    ),
)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def world(session, create_organisation, create_measure, create_user, create_document):
    create_organisation("Politie")
    create_document()
    create_measure(
        "CT-B-04",
        "Webcrawler",
        lead="Politie",
        themes=["contouren:b"],
        status="in_uitvoering",
        deadline=date(2020, 12, 31),
    )
    return create_user("programmacoordinator", email="p@jenv.nl")


FILTER_PARAMS = [
    "q",
    "theme",
    "owner",
    "status",
    "document",
    "overdue",
    "flagged",
    "sort",
    "page",
    "asOf",
    "pageSize",
]


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(FILTER_PARAMS), anything, max_size=6))
def test_list_filters(client, world, params):
    for path in (
        "/maatregelen",
        "/",
        "/maatregelen/export.csv",
        "/rapporteur",
        "/vergelijken",
        "/open-data/maatregelen.json",
    ):
        assert client.get(path, query_string=params).status_code < 500


@SETTINGS
@given(
    data=st.dictionaries(
        st.sampled_from(["status", "as_of", "note", "evidence_document", "evidence_url", "reports_problem", "version"]),
        anything,
        max_size=7,
    )
)
def test_status_form(client, auth, world, data):
    auth.login(world.email)
    assert client.post("/maatregelen/CT-B-04/status", data=data).status_code < 500
    assert (
        client.post("/maatregelen/CT-B-04/deadline", data=data | {"new_deadline": data.get("as_of", "")}).status_code
        < 500
    )


@SETTINGS
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "description",
                "lead",
                "co_owners",
                "themes",
                "version",
                "budget-0-amount",
                "budget-0-kind",
                "budget-0-per",
                "budget-0-from_year",
                "budget-0-to_year",
                "budget-5-amount",
                "code",
            ]
        ),
        anything,
        max_size=10,
    )
)
def test_edit_and_new_measure_forms(client, auth, world, data):
    auth.login(world.email)
    assert client.post("/maatregelen/CT-B-04/bewerken", data=data).status_code < 500
    assert client.post("/maatregelen/nieuw", data=data).status_code < 500


@SETTINGS
@given(
    data=st.dictionaries(
        st.sampled_from(["email", "password", "next", "name", "role", "organisation"]), anything, max_size=6
    )
)
def test_login_and_user_forms(client, auth, world, data):
    assert client.post("/login", data=data).status_code < 500
    auth.login(world.email)
    assert client.post("/profiel", data=data).status_code < 500
    assert client.post("/rapportages", data=data).status_code < 500


@SETTINGS
@given(
    body=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50)),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    ["status", "as_of", "note", "version", "evidence_url", "evidence_document", "reports_problem"]
                ),
                inner,
                max_size=7,
            )
        ),
        max_leaves=12,
    )
)
def test_api_status_writes(client, auth, world, body):
    auth.login(world.email)
    response = client.post("/api/v1/measures/CT-B-04/status-updates", json=body)
    assert response.status_code < 500
    assert response.mimetype in ("application/json", "application/problem+json")


@SETTINGS
@given(
    code=st.text(min_size=1, max_size=60).filter(lambda s: "/" not in s and "?" not in s and "#" not in s),
    params=st.dictionaries(st.sampled_from(["as_of", "from", "to", "state", "measure"]), anything, max_size=3),
)
def test_api_reads(client, auth, world, code, params):
    auth.login(world.email)
    for path in (
        f"/api/v1/measures/{code}",
        f"/api/v1/measures/{code}/status-updates",
        "/api/v1/comparisons",
        "/api/v1/flags",
        "/api/v1/assessments",
    ):
        assert client.get(path, query_string=params).status_code < 500


@SETTINGS
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.lists(st.lists(anything, min_size=1, max_size=4), max_size=5).map(
            lambda rows: "code,status,stand_per,toelichting\r".join(",".join(r) for r in rows).encode()
        ),
    ),
    name=st.sampled_from(["a.csv", "a.xlsx", "a.txt"]),
)
def test_import_of_hostile_files(client, auth, world, content, name):
    auth.login(world.email)
    response = client.post(
        "/maatregelen/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    assert response.status_code < 500


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["current_password", "new_password", "confirm"]), anything, max_size=3))
def test_change_password_form(client, auth, world, data):
    auth.login(world.email)
    assert client.post("/profiel/wachtwoord", data=data).status_code < 500
