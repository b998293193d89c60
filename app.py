"""Maatregelmonitor: the application factory."""

import os
from datetime import timedelta

import click
from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import models.db
from measures.core import errors, extensions, web
from measures.core import jinja as template_filters


class RowIdConverter(IntegerConverter):
    """A database id in a URL: 1 up to the largest 32-bit integer; anything else is a 404, not an overflow."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app. No I/O, no migrations, no scheduler here."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=DEVELOPMENT_KEY,
        ENV_NAME="production",
        DATABASE_URL="sqlite:///" + os.path.join(app.instance_path, "maatregelmonitor.db"),
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        WTF_I18N_ENABLED=True,
        PAGE_SIZE=25,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        # The register's pages are public documents' facts; a deployment may close them.
        PUBLIC_READ=True,
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host; 0 trusts none.
        TRUSTED_PROXIES=0,
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        MAX_IMPORT_BYTES=4 * 1024 * 1024,
        BASE_URL="http://127.0.0.1:5000",
        # Stalled-measure checks (see measures/checks/rules.py) and their schedule.
        CHECK_STALE_MONTHS=12,
        CHECK_MAX_POSTPONEMENTS=1,
        CHECK_LONG_RUNNING_YEARS=3,
        # An indicator is behind when its latest measurement trails the straight line from baseline
        # to target by more than this share of the way (changing it asks for `rebuild-states`).
        CHECK_INDICATOR_MARGIN="0.10",
        CHECK_TIME="06:30",
        CHECK_MISFIRE_GRACE_SECONDS=3600,
        # Mail: "outbox" writes .eml files to instance/outbox (development); "smtp" sends.
        MAIL_BACKEND="outbox",
        MAIL_SERVER="localhost",
        MAIL_PORT=25,
        MAIL_USE_TLS=False,
        MAIL_USERNAME="",
        MAIL_PASSWORD="",
        MAIL_FROM="Maatregelmonitor <noreply@maatregelmonitor.local>",
        API_CONTACT_EMAIL="",  # the API's contact in its OpenAPI document; empty: MAIL_FROM's address
        MAIL_OUTBOX="",
    )
    # Deployment settings come from MM_* environment variables (MM_SECRET_KEY, MM_ENV_NAME, ...) and DATABASE_URL.
    app.config.from_prefixed_env("MM")
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config is not None:
        app.config.from_mapping(test_config)

    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies > 0:
        # The client's address (login throttling, logs) and scheme (HSTS, secure cookies) come from
        # the headers of exactly this many proxies; a client cannot forge its way past them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.url_map.converters["id"] = RowIdConverter
    _require_secret_key(app)
    models.db.init_app(app)
    extensions.init_app(app)
    web.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale
    template_filters.init_app(app)

    from measures import cli
    from measures.accounts import views as auth
    from measures.api import http as api_http
    from measures.api import resources as api
    from measures.checks import views as check_views
    from measures.register import edit_views, views
    from measures.reports import views as report_views
    from measures.review import views as review_views
    from measures.sources import views as source_views

    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(edit_views.bp)
    app.register_blueprint(check_views.bp)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(source_views.bp)
    app.register_blueprint(api.bp)
    cli.init_app(app)
    errors.init_app(app)
    api_http.init_app(app)
    return app


DEVELOPMENT_KEY = "dev-only-not-secret"


def _require_secret_key(app: Flask) -> None:
    """Outside development and tests, refuse to start with the development key."""
    development = app.config.get("ENV_NAME") == "development" or app.debug or app.testing
    if not development and app.config["SECRET_KEY"] in (DEVELOPMENT_KEY, "", None):
        message = (
            "MM_SECRET_KEY ontbreekt: zet een lange, geheime sleutel (of MM_ENV_NAME=development voor ontwikkeling)."
        )
        if click.get_current_context(silent=True) is not None:
            raise click.ClickException(message)  # a `flask` command: one line, not a traceback
        raise RuntimeError(message)
