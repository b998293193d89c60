"""Input normalisation and parsing shared by the forms, the API and the import: text and dates."""

import re
from datetime import date, datetime

# C0 control characters except tab and newline, plus DEL: they break XML (XLSX) and mean nothing in a note.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# No state of the programme, and no deadline, lies before this date; earlier dates are typing errors.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_text(value: str | None) -> str | None:
    """Return `value` with Windows and old Mac line endings as newlines and other control characters removed."""
    if value is None:
        return None
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class DateError(ValueError):
    """A date that is malformed or out of range; the message is a Dutch clause to follow a field name."""


def check_date_range(day: date) -> date:
    """Return `day` if it lies between EARLIEST_DATE and LATEST_DATE, else raise DateError."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DateError(
            f"kies een datum tussen {EARLIEST_DATE:%d-%m-%Y} en {LATEST_DATE:%d-%m-%Y} ({day.isoformat()} valt erbuiten)."
        )
    return day


def parse_date(value: str | date | datetime | None) -> date:
    """Return the date in `value` (exactly JJJJ-MM-DD, or a spreadsheet date) within range, else raise DateError."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise DateError("geef alleen een datum (JJJJ-MM-DD), zonder tijd.")
        return check_date_range(value.date())
    if isinstance(value, date):
        return check_date_range(value)
    raw = (value or "").strip() if isinstance(value, str) else ""
    if not _ISO_DATE.fullmatch(raw):
        raise DateError("gebruik JJJJ-MM-DD.")
    try:
        day = date.fromisoformat(raw)
    except ValueError as error:
        raise DateError(f"{raw} bestaat niet; gebruik JJJJ-MM-DD.") from error
    return check_date_range(day)
