"""The register's terms, each defined once, for Python and for SQL.

*Open.* A measure is open while its status is open: `Status.is_open`, a column of the status
table (gepland, in uitvoering, deels gerealiseerd and onbekend are open; gerealiseerd and
beëindigd close a measure). Code asks the table, never a list of codes.

*Overdue on day D.* An open measure whose deadline lies before D. A deadline known only to the
month or the year is stored as that period's last day, so it is overdue only once the whole
period has passed.

*Stalled.* What the checks find: a stall level of laag or higher
(`measures.checks.rules.is_stalled`). Silence alone is a monitoring gap, not a stall.
"""

from datetime import date

from sqlalchemy import and_, select
from sqlmodel import Session

from models import Measure, Status


def is_overdue(deadline, *, is_open: bool, on) -> bool:
    """Return whether a measure with this deadline and an open (or closed) status is overdue on
    day `on`. Dates may be `date`s or ISO strings (the report's snapshot), as long as both are alike."""
    return bool(is_open) and deadline is not None and deadline < on


def open_status_codes():
    """Return the SQL subquery of the open status codes."""
    return select(Status.code).where(Status.is_open.is_(True))


def overdue_clause(on: date, deadline=Measure.deadline, status_code=Measure.status_code):
    """Return the SQL condition that is `is_overdue` on day `on`: on `Measure` today, or on the
    columns of another row that holds a deadline and a status (a state in the projection)."""
    return and_(deadline.is_not(None), deadline < on, status_code.in_(open_status_codes()))


def closed_status_codes(session: Session) -> set[str]:
    """Return the codes of the statuses that close a measure."""
    return set(session.exec(select(Status.code).where(Status.is_open.is_(False))).scalars().all())
