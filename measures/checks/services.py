"""The checks' writers: acknowledging a flag (runs and flags are written by `rules.run_checks`)."""

from datetime import datetime

from sqlmodel import Session

from measures.core.text import clean_text
from measures.register.services import ServiceError
from models import Flag, FlagAcknowledgement


def acknowledge_flag(
    *, session: Session, flag: Flag, note: str, acknowledged_by: str, acknowledged_by_id: int | None, now: datetime
) -> FlagAcknowledgement:
    """Record that someone responsible saw a flag, with what they say about it. Insert-only."""
    note = clean_text(note).strip()
    if not note:
        raise ServiceError("Geef een toelichting bij de bevestiging.")
    acknowledgement = FlagAcknowledgement(
        flag_id=flag.id,
        note=note,
        acknowledged_by=acknowledged_by,
        acknowledged_by_id=acknowledged_by_id,
        acknowledged_at=now,
    )
    session.add(acknowledgement)
    session.flush()
    return acknowledgement
