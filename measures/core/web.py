"""Reading a request, in one place: dates in the query string, 'as of', the way back after login,
and the gate in front of every page (sign-in for a closed register, a new password first)."""

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from measures.core import clock
from measures.core.extensions import login_manager
from measures.core.text import DateError, parse_date

# Pages open to anyone even when the register is closed (MM_PUBLIC_READ=false). The API applies
# MM_PUBLIC_READ itself, per operation (a 401 problem+json, not a redirect); its OpenAPI
# description holds no data.
ALWAYS_PUBLIC = {"auth.login", "static", "measures.accessibility", "api.openapi_document"}


def date_arg(name: str, default: date | None = None) -> date | None:
    """Return the query parameter `name` as a date, `default` when absent or empty.

    Raises DateError with a Dutch reason for anything that is not a real date (2000–2100): the
    caller turns it into its own answer (a message on a page, a 400 problem in the API).
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    return parse_date(raw)


def requested_as_of() -> tuple[date | None, str | None]:
    """Read ?as_of=YYYY-MM-DD: (the date, or None for today) and a Dutch error for bad input."""
    try:
        day = date_arg("as_of")
    except DateError as error:
        return None, _l("Ongeldige datum bij ‘stand per’: %(reason)s U ziet de stand van vandaag.", reason=str(error))
    if day is None or day >= clock.today():
        return None, None
    return day, None


REGISTER_VIEW = "register"  # ?weergave=register: as the register showed it on the date


def requested_known_at(as_of: date | None) -> datetime | None:
    """With ?weergave=register on a past date: the moment whose knowledge to show (the end of that
    day, transaction time); else None: the date as we now know it was (valid time)."""
    if as_of is None or request.args.get("weergave") != REGISTER_VIEW:
        return None
    return clock.end_of_day(as_of)


def current_url_without(*names: str, **extra: str) -> str:
    """Return this page's URL with the given query parameters removed (and `extra` ones set)."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in names and k not in extra}
    return url_for(request.endpoint, **(request.view_args or {}), **args, **extra)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def gate():
    """The one gate: sign-in for a closed register, and a new password first after a reset."""
    endpoint = request.endpoint or ""
    if current_user.is_authenticated:
        if current_user.must_change_password and endpoint not in {"auth.change_password", "auth.logout", "static"}:
            if request.blueprint == "api":
                abort(403)
            return redirect(url_for("auth.change_password"))
        return None
    if current_app.config["PUBLIC_READ"] or endpoint in ALWAYS_PUBLIC or request.blueprint == "api":
        return None
    return login_manager.unauthorized()


def refuse_nul():
    """Refuse a NUL character in the path, or in the API's query string (400): no text column can
    hold one (PostgreSQL refuses it outright), so it can only be a probe or a broken client. The
    pages' forms and filters clean control characters or answer them with their own Dutch message."""
    fields = [request.path]
    if request.blueprint == "api":
        fields += [part for key, values in request.args.lists() for part in (key, *values)]
    if any("\x00" in field for field in fields):
        abort(400, description=_l("Het verzoek bevat een ongeldig teken (NUL)."))


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    app.before_request(gate)
