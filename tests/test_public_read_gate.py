"""One gate for every route: with MM_PUBLIC_READ=false nothing but the login page is open to strangers."""

import pytest

from measures.core.web import ALWAYS_PUBLIC


def _url_for_rule(rule) -> str:
    """Return a concrete URL for a rule, with a plausible value for each variable."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if type(converter).__name__ in ("RowIdConverter", "IntegerConverter") else "csv"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def closed(app):
    app.config["PUBLIC_READ"] = False
    return app


def test_every_route_but_the_public_ones_needs_login_when_the_register_is_closed(closed, client, create_measure):
    create_measure("CT-B-01")
    checked = 0
    for rule in closed.url_map.iter_rules():
        if rule.endpoint in ALWAYS_PUBLIC:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].startswith("/login"), (method, url)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("path", ["/maatregelen/export.csv", "/maatregelen/export.xlsx", "/open-data/maatregelen.csv"])
@pytest.mark.smoke
def test_exports_follow_the_gate(closed, client, create_measure, path):
    create_measure("CT-B-01")
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_login_page_and_static_files_stay_open(closed, client):
    assert client.get("/login").status_code == 200
    assert client.get("/toegankelijkheid").status_code == 200
