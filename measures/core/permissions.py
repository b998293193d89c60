"""Who may do what. One table of roles to actions, and one ownership rule; nothing else decides."""

from enum import StrEnum

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
    },
    "coordinator": {Action.IMPORT_STATUSES, Action.REVIEW_GAPS},
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
    "coordinator": {Action.RECORD_STATUS, Action.CHANGE_DEADLINE, Action.ACKNOWLEDGE_FLAG, Action.REPLY_ASSESSMENT},
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
        )
        if can(session, user, a, measure)
    }
