"""Errors and the headers every response carries: one Dutch page or problem+json per failure."""

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

import models.db

SECURITY_HEADERS = {
    # No inline scripts or styles anywhere: the pages need none.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Problem(Exception):
    """An API error, answered as RFC 9457 problem+json with Dutch title and detail."""

    def __init__(self, status: int, title: str, detail: str = "", invalid: list[dict] | None = None):
        super().__init__(title)
        self.status, self.title, self.detail, self.invalid = status, title, detail, invalid or []


def problem_response(status: int, title: str, detail: str = "", invalid: list[dict] | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if invalid:
        body["invalid-params"] = invalid
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="maatregelmonitor"'
    return response


def security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database is down or unreachable: say so, and let the pool reconnect when it is back.
        app.logger.error("Database niet bereikbaar bij %s: %s", request.path, error)
        models.db.discard_session()
        if request.path.startswith("/api/"):
            response = problem_response(503, "Dienst niet beschikbaar", "De database is tijdelijk niet bereikbaar.")
        else:
            # A page of its own: the normal layout reads the database, which is just what is missing.
            # Rendered without the context processors, which would query the database again.
            response = app.make_response((app.jinja_env.get_template("unavailable.html").render(request=request), 503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        from measures.api.http import http_problem, is_api

        if is_api():  # a routing error under /api/ (no route, wrong method) is problem+json too
            return http_problem(error)
        return render_template("error.html", error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Onverwachte fout bij %s", request.path)
        return render_template("error.html", error=None), 500
