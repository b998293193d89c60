"""The Jinja setup: filters for Dutch dates, money and times in Europe/Amsterdam, the globals
and the context every template shares."""

import json
import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, gettext
from wtforms import FieldList, FormField

from models.document import shown_date


def nl_date(value: date | None, fmt: str = "d MMMM y") -> str:
    """Format a date the Dutch way ('25 mei 2018'); 'onbekend' for none."""
    if value is None:
        return gettext("onbekend")
    return format_date(value, fmt)


def precise_date(value: date | None, precision: str = "dag") -> str:
    """Format a date only as precisely as it is known: '25 mei 2018', 'juni 2020', '2023'."""
    if value is None or precision == "onbekend":
        return gettext("onbekend")
    if precision == "jaar":
        return format_date(value, "y")
    if precision == "maand":
        return format_date(value, "MMMM y")
    return format_date(value, "d MMMM y")


def short_date(value: date | None, precision: str = "dag") -> str:
    """Format a date as dd-mm-jjjj, or only as precisely as it is known: 'juni 2020', '2023'."""
    if value is None or precision == "onbekend":
        return gettext("onbekend")
    if precision != "dag":
        return shown_date(value, precision)
    return value.strftime("%d-%m-%Y")


def nl_datetime(value: datetime | None) -> str:
    """Format a UTC timestamp in Europe/Amsterdam time."""
    if value is None:
        return ""
    return format_datetime(value, "d MMMM y, HH:mm")


def euro(amount: Decimal | int | None) -> str:
    """Format an amount in euros, Dutch style: € 2.000.000."""
    if amount is None:
        return gettext("onbekend")
    amount = Decimal(amount)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return "€ " + format_decimal(amount, format=pattern)


def audit_value(value: str | None) -> str:
    """Render an audit record's JSON value as readable text."""
    if value is None:
        return "—"
    data = json.loads(value)
    if isinstance(data, list):
        if data and isinstance(data[0], dict):
            return (
                "; ".join(
                    f"{euro(Decimal(line['amount']))} {line['kind']} ({line['per']}, vanaf {line['from_year']})"
                    for line in data
                )
                or "—"
            )
        return ", ".join(str(item) for item in data) or "—"
    return str(data) if data not in (None, "") else "—"


def date_from_iso(value: str | None) -> date | None:
    """Turn an ISO date string (as snapshots store them) back into a date."""
    return date.fromisoformat(value[:10]) if value else None


def form_errors(forms) -> list[tuple[str | None, str, str]]:
    """Every error of the forms, as (id of the control it is about, the control's label, the message).

    A list of forms (budget lines) and a form inside a form are walked down to their controls, so
    each error names a control that is on the page, under its own label ("Budgetregel 2, Bedrag"),
    and is one message: never the dict of messages a form inside a form collects. A hidden field
    (the version, the CSRF token) has nothing to go to: its id is None and the summary shows the
    message without a link.
    """
    found: list[tuple[str | None, str, str]] = []

    def walk(fields, prefix: str) -> None:
        for field in fields:
            if isinstance(field, FieldList):
                for number, entry in enumerate(field.entries, start=1):
                    walk([entry], f"{prefix}{field.label.text} {number}, ")
            elif isinstance(field, FormField):
                walk(field.form, prefix)
            else:
                label = f"{prefix}{field.label.text}"
                target = None if getattr(field.widget, "input_type", None) == "hidden" else field.id
                found.extend(
                    (target, label, str(error)) for error in field.errors if not isinstance(error, dict | list)
                )

    for form in forms:
        walk(form, "")
    return found


def _valid_for(kind: str, value: str) -> bool:
    if kind == "date":
        try:
            return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value) is not None
        except ValueError:
            return False
    if kind == "url":
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and " " not in value
    if kind == "number":
        return bool(re.fullmatch(r"-?\d+(\.\d+)?", value))
    return True


def input_type(field, kind: str) -> str:
    """The type to render a control with: its own, unless what the user typed is not a value of that
    type (a date 31-02-2024, a link without https://). Then a text box, so that the input is shown
    back as typed, to correct, and the page stays valid HTML (a date input cannot hold it)."""
    value = field._value() if hasattr(field, "_value") else ""
    return kind if not value or _valid_for(kind, str(value)) else "text"


def quote_check(quote, document):
    """What the stored text of a quote's document says about it (measures.sources.services.QuoteCheck),
    with the documents' texts loaded once per request."""
    from measures.sources.services import request_text_index
    from models.db import get_session

    return request_text_index(get_session()).check(quote, document)


def indicator_margin():
    """The falling-behind rule's margin, as the checks are configured (a share of the way)."""
    from flask import current_app

    from measures.checks.rules import Thresholds

    return Thresholds.from_config(current_app.config).indicator_margin


def unique_id(prefix: str) -> str:
    """An id not yet used on this page (per request): prefix-1, prefix-2, ... for parts a template
    repeats, such as the line that says a table scrolls."""
    from flask import g

    counters = g.setdefault("unique_ids", {})
    counters[prefix] = counters.get(prefix, 0) + 1
    return f"{prefix}-{counters[prefix]}"


def aria_attributes(field, describedby: str) -> dict:
    """Return the aria-* attributes a form control needs: only those that have a value."""
    attributes = {}
    if describedby.strip():
        attributes["aria-describedby"] = describedby.strip()
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def shared_context() -> dict:
    """What every template may use: the register's today, the actions and who may take them."""
    from flask_login import current_user

    from measures.core import clock
    from measures.core.permissions import Action, can
    from measures.core.web import current_url_without
    from models.db import get_session

    return {
        "today": clock.today(),
        "Action": Action,
        "current_url_without": current_url_without,
        "user_can": lambda action: can(get_session(), current_user, action),
    }


def init_app(app: Flask) -> None:
    """The one Jinja setup: filters, globals and the shared context."""
    app.add_template_global(aria_attributes, "aria")
    app.add_template_global(form_errors)
    app.add_template_global(input_type)
    app.add_template_global(unique_id)
    app.add_template_global(quote_check)
    from measures.register import indicators

    app.add_template_global(indicators.chart, "indicator_chart")
    app.add_template_filter(indicators.number, "indicator_number")
    app.add_template_global(indicators.rows, "indicator_rows")
    app.add_template_global(indicators.reading, "indicator_reading")
    app.add_template_global(indicator_margin)
    app.context_processor(shared_context)
    app.add_template_filter(date_from_iso)
    app.add_template_filter(audit_value)
    app.add_template_filter(nl_date)
    app.add_template_filter(precise_date)
    app.add_template_filter(shown_date)
    app.add_template_filter(short_date)
    app.add_template_filter(nl_datetime)
    app.add_template_filter(euro)
