"""Who may do what. One table of roles to actions, and one ownership rule; nothing else decides."""

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlmodel import Session, select

from models import Measure, MeasureCoOwner, User


class Action(StrEnum):
    RECORD_STATUS = "record_status"
    CHANGE_DEADLINE = "change_deadline"
    EDIT_MEASURE = "edit_measure"
    CREATE_MEASURE = "create_measure"
    IMPORT_STATUSES = "import_statuses"
    MANAGE_USERS = "manage_users"
    ACKNOWLEDGE_FLAG = "acknowledge_flag"
    WRITE_ASSESSMENT = "write_assessment"
    REPLY_ASSESSMENT = "reply_assessment"
    WRITE_RECOMMENDATION = "write_recommendation"
    LINK_RECOMMENDATION = "link_recommendation"
    REVIEW_GAPS = "review_gaps"
    GENERATE_REPORT = "generate_report"
    READ_IN_DOCUMENT = "read_in_document"
    # Indicators: a measurement is recorded like a status; adding an indicator sets a target.
    RECORD_MEASUREMENT = "record_measurement"
    ADD_INDICATOR = "add_indicator"


# Actions a role may take on any measure, and actions it may take only on its own organisation's.
ANY_MEASURE = {
    "admin": {Action.MANAGE_USERS, Action.REVIEW_GAPS},
    "programmacoordinator": {
        Action.RECORD_STATUS,
        Action.CHANGE_DEADLINE,
        Action.EDIT_MEASURE,
        Action.CREATE_MEASURE,
        Action.IMPORT_STATUSES,
        Action.ACKNOWLEDGE_FLAG,
        Action.REPLY_ASSESSMENT,
        Action.LINK_RECOMMENDATION,
        Action.REVIEW_GAPS,
        Action.GENERATE_REPORT,
        Action.READ_IN_DOCUMENT,
        Action.RECORD_MEASUREMENT,
        Action.ADD_INDICATOR,
    },
    "coordinator": {Action.IMPORT_STATUSES, Action.REVIEW_GAPS, Action.READ_IN_DOCUMENT},
    # The rapporteur judges and recommends; the measure's own status, deadline and budget stay the owners'.
    "rapporteur": {
        Action.WRITE_ASSESSMENT,
        Action.WRITE_RECOMMENDATION,
        Action.LINK_RECOMMENDATION,
        Action.REVIEW_GAPS,
    },
    "lezer": {Action.REVIEW_GAPS},
}
OWN_MEASURE = {
    "coordinator": {
        Action.RECORD_STATUS,
        Action.CHANGE_DEADLINE,
        Action.ACKNOWLEDGE_FLAG,
        Action.REPLY_ASSESSMENT,
        Action.RECORD_MEASUREMENT,
        Action.ADD_INDICATOR,
    },
}


def owns(session: Session, user: User, measure: Measure) -> bool:
    """Return whether the user's organisation leads or co-owns the measure."""
    if user.organisation_id is None:
        return False
    if measure.lead_organisation_id == user.organisation_id:
        return True
    return (
        session.exec(
            select(MeasureCoOwner).where(
                MeasureCoOwner.measure_id == measure.id, MeasureCoOwner.organisation_id == user.organisation_id
            )
        ).first()
        is not None
    )


def can(session: Session, user, action: Action, measure: Measure | None = None) -> bool:
    """Return whether `user` may take `action` (on `measure`, where the action concerns one)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action in ANY_MEASURE.get(user.role, set()):
        return True
    if action in OWN_MEASURE.get(user.role, set()):
        return measure is not None and owns(session, user, measure)
    return False


def keeps_every_measure(user) -> bool:
    """Whether the user keeps every measure current (not only their organisation's)."""
    return Action.RECORD_STATUS in ANY_MEASURE.get(getattr(user, "role", None), set())


def acts_for_an_organisation(role: str) -> bool:
    """Whether a role's rights depend on an organisation (it may act on its own measures only)."""
    return bool(OWN_MEASURE.get(role))


def roles_that_may(action: Action) -> set[str]:
    """The roles that may take `action`, on any measure or on their own organisation's."""
    return {role for table in (ANY_MEASURE, OWN_MEASURE) for role, actions in table.items() if action in actions}


def measure_actions(session: Session, user, measure: Measure) -> set[Action]:
    """Return every per-measure action the user may take on this measure (for showing buttons)."""
    return {
        a
        for a in (
            Action.RECORD_STATUS,
            Action.CHANGE_DEADLINE,
            Action.EDIT_MEASURE,
            Action.ACKNOWLEDGE_FLAG,
            Action.WRITE_ASSESSMENT,
            Action.REPLY_ASSESSMENT,
            Action.RECORD_MEASUREMENT,
            Action.ADD_INDICATOR,
        )
        if can(session, user, a, measure)
    }


def authorise(action: Action, measure: Measure | None = None) -> None:
    """Stop the request with 403 unless the signed-in user may take `action` (on `measure`)."""
    from models.db import get_session

    if not can(get_session(), current_user, action, measure):
        abort(403)


def require(action: Action):
    """A view decorator: sign-in, and a role that may take `action` (measure-independent actions)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            authorise(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator
