"""The Flask extensions every feature shares, created once and bound to the app in `create_app`.

Features import them from here, never from `app.py` (which imports the features).
"""

from flask import has_request_context, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

LANGUAGES = ("nl", "en")

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om verder te gaan."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


def select_locale() -> str:
    """Pick the language: an explicit ?lang= (remembered), then the remembered choice; Dutch first."""
    if not has_request_context():
        return "nl"  # CLI commands, jobs and reports: the report is Dutch
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    return remembered if remembered in LANGUAGES else "nl"


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
