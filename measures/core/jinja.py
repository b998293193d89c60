"""The Jinja setup: filters for Dutch dates, money and times in Europe/Amsterdam, the globals
and the context every template shares."""

import json
from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, gettext

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
    app.context_processor(shared_context)
    app.add_template_filter(date_from_iso)
    app.add_template_filter(audit_value)
    app.add_template_filter(nl_date)
    app.add_template_filter(precise_date)
    app.add_template_filter(shown_date)
    app.add_template_filter(short_date)
    app.add_template_filter(nl_datetime)
    app.add_template_filter(euro)
