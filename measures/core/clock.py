"""The register's clock: one 'now' (UTC) and one 'today' (the day in Amsterdam).

Every request handler, command and job takes the time from here, so a test can set it and no
page disagrees with another about what day it is. A day in the register is Amsterdam's day:
between midnight and 01:00 (02:00 in summer) UTC the UTC date is still yesterday.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """Return the current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def day_of(moment: datetime) -> date:
    """Return the register's day (Amsterdam's) of a moment."""
    return moment.astimezone(AMSTERDAM).date()


def today() -> date:
    """Return the register's today: the current day in Amsterdam."""
    return day_of(now())


def end_of_day(day: date) -> datetime:
    """Return the last moment of `day` in Amsterdam, in UTC: 'as of a date' includes that whole day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=AMSTERDAM).astimezone(UTC)
