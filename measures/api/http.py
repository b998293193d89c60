"""The API's rules at the HTTP level, for every response under /api/ (the ADR's runtime rules).

- `API-Version` on every response, the version of the OpenAPI document.
- CORS: the OpenAPI document is readable from any origin. The rest too, for requests that carry
  a token: the answer allows any origin but never credentials, so a browser on another site can
  use a token it holds but never a visitor's session cookie (ambient authority stays same-site).
  Preflights are answered without authentication.
- Errors are problem+json, routing errors included (a 404 for an unknown path, a 405 with
  `Allow`), not the HTML error page.
- `Cache-Control: no-store` on every answer that depends on who asks (all but the document).
- A request authenticated by a token gets no session cookie.
"""

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from measures.core.errors import problem_response

API_PREFIX = "/api/"
API_VERSION = "1.0.0"  # the OpenAPI document's info.version; a breaking change is a new /api/vN
OPEN_DOCUMENT = "/api/v1/openapi.json"
TITLES = {
    400: "Ongeldige aanvraag",
    401: "Niet geauthenticeerd",
    403: "Geen toestemming",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    412: "Voorwaarde niet vervuld",
    413: "Te groot",
    428: "Voorwaarde vereist",
    429: "Te veel aanvragen",
}
EXPOSED = ["API-Version", "Link", "ETag", "Location", "Retry-After"]


def is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def http_problem(error: HTTPException):
    """An HTTP error (routing, method, size) as problem+json, with its headers (`Allow`)."""
    response = problem_response(error.code or 500, TITLES.get(error.code, error.name), error.description or "")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


class TokenAwareSessions(SecureCookieSessionInterface):
    """The app's cookie sessions, except that a request authenticated by a token sets none."""

    def save_session(self, app, session, response) -> None:
        if g.get("token_request"):
            return
        super().save_session(app, session, response)


def _api_headers(response):
    if not is_api():
        return response
    response.headers["API-Version"] = API_VERSION
    if request.path != OPEN_DOCUMENT:
        response.headers["Cache-Control"] = "no-store"
        response.headers.add("Vary", "Authorization")
    return response


def init_app(app: Flask) -> None:
    app.session_interface = TokenAwareSessions()
    CORS(
        app,
        resources={r"/api/*": {"origins": "*"}},
        supports_credentials=False,
        send_wildcard=True,
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
        expose_headers=EXPOSED,
        methods=["GET", "HEAD", "POST", "OPTIONS"],
        max_age=600,
    )
    app.after_request(_api_headers)
