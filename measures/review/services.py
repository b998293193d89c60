"""The rapporteur's view: assessments, replies, disagreements, recommendations and gaps."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, func, select

from measures.checks.rules import disagrees, is_stalled, level_counts, silence_by_owner
from measures.core import clock
from measures.core.text import clean_text
from measures.register import states
from measures.register.history import MeasureState, programme_as_of
from measures.register.services import ServiceError
from measures.register.terms import closed_status_codes, is_overdue
from models import (
    Assessment,
    AssessmentReply,
    Measure,
    Recommendation,
    RecommendationMeasure,
    SourceDocument,
)
from models.measure import JOINT_LEAD
from models.review import TRAFFIC_LIGHTS


def record_assessment(
    *,
    session: Session,
    measure: Measure,
    light: str,
    text: str,
    as_of: date,
    recorded_by: str,
    now: datetime,
    recorded_by_id: int | None = None,
    evidence_document_id: int | None = None,
    evidence_url: str | None = None,
) -> Assessment:
    """Append the rapporteur's judgement of a measure. It never touches the measure's own status."""
    if light not in TRAFFIC_LIGHTS:
        raise ServiceError(f"Onbekend oordeel: {light}")
    if not text.strip():
        raise ServiceError("Geef een toelichting bij het oordeel.")
    if as_of > clock.day_of(now):
        raise ServiceError("De datum van het oordeel mag niet in de toekomst liggen.")
    assessment = Assessment(
        measure_id=measure.id,
        light=light,
        text=text.strip(),
        as_of=as_of,
        evidence_document_id=evidence_document_id,
        evidence_url=evidence_url or None,
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
    )
    session.add(assessment)
    session.flush()
    states.refresh(session, [measure.id])
    return assessment


def reply_to_assessment(
    *,
    session: Session,
    assessment: Assessment,
    text: str,
    recorded_by: str,
    now: datetime,
    recorded_by_id: int | None = None,
) -> AssessmentReply:
    if not text.strip():
        raise ServiceError("Schrijf een reactie.")
    reply = AssessmentReply(
        assessment_id=assessment.id,
        text=text.strip(),
        recorded_by=recorded_by,
        recorded_by_id=recorded_by_id,
        recorded_at=now,
    )
    session.add(reply)
    session.flush()
    return reply


def create_recommendation(
    *,
    session: Session,
    code: str,
    kind: str,
    title: str,
    text: str,
    addressee: str,
    quote: str,
    document: SourceDocument,
    measures: list[Measure],
    linked_by: str,
    now: datetime,
) -> Recommendation:
    """Record a recommendation or finding from a document, linked to the measures that answer it."""
    code = clean_text(code).strip()
    if session.exec(select(Recommendation.id).where(Recommendation.code == code)).first() is not None:
        raise ServiceError(f"De code {code} is al in gebruik.")
    recommendation = Recommendation(
        code=code,
        kind=kind,
        title=clean_text(title).strip(),
        text=clean_text(text).strip(),
        addressee=clean_text(addressee).strip() or "onbekend",
        quote=clean_text(quote).strip(),
        document_id=document.id,
        issued_on=document.date,
        created_at=now,
    )
    session.add(recommendation)
    session.flush()
    for measure in measures:
        link_recommendation(
            session=session, recommendation=recommendation, measure=measure, linked_by=linked_by, now=now
        )
    return recommendation


def link_recommendation(
    *, session: Session, recommendation: Recommendation, measure: Measure, linked_by: str, now: datetime
) -> bool:
    """Link a measure to a recommendation it answers; False when it was linked already. Links stay."""
    if session.get(RecommendationMeasure, (recommendation.id, measure.id)) is not None:
        return False
    session.add(
        RecommendationMeasure(
            recommendation_id=recommendation.id, measure_id=measure.id, linked_by=linked_by, linked_at=now
        )
    )
    session.flush()
    return True


def disagreements(session: Session, as_of: date) -> list[MeasureState]:
    return [s for s in programme_as_of(session, as_of) if disagrees(s)]


@dataclass
class GapFilter:
    theme: str = ""  # contouren theme code
    actielijn: str = ""
    owner: str = ""

    def matches(self, state: MeasureState) -> bool:
        if self.theme and f"contouren:{self.theme}" not in state.themes:
            return False
        if self.actielijn and f"actielijn:{self.actielijn}" not in state.themes:
            return False
        if self.owner and self.owner != state.lead and self.owner not in state.co_owners:
            return False
        return True

    @property
    def active(self) -> bool:
        return bool(self.theme or self.actielijn or self.owner)


def recommendations(session: Session) -> list[dict]:
    """Return every recommendation with its document and the measures that answer it."""
    links: dict[int, list[Measure]] = {}
    for link, measure in session.exec(
        select(RecommendationMeasure, Measure)
        .join(Measure, Measure.id == RecommendationMeasure.measure_id)
        .order_by(Measure.code)
    ).all():
        links.setdefault(link.recommendation_id, []).append(measure)
    rows = session.exec(
        select(Recommendation, SourceDocument)
        .join(SourceDocument, SourceDocument.id == Recommendation.document_id)
        .order_by(Recommendation.issued_on, Recommendation.code)
    ).all()
    return [{"recommendation": r, "document": d, "measures": links.get(r.id, [])} for r, d in rows]


def gaps(session: Session, as_of: date, flt: GapFilter, signals: list) -> dict:
    """Return the rapporteur's gap review: everything that needs a question asked, as of a date.

    `signals` are the checks' signals on that date (today's persisted flags, or an evaluation of a
    past date); the review keeps those of the measures in view.
    """
    states = [s for s in programme_as_of(session, as_of) if flt.matches(s)]
    closed = closed_status_codes(session)
    open_states = [s for s in states if s.status_code not in closed]
    ids = {s.id for s in states}
    by_id = {s.id: s for s in states}
    in_view = [signal for signal in signals if signal.measure_id in ids]
    for signal in in_view:
        signal.measure = signal.measure or by_id[signal.measure_id]
    all_recommendations = recommendations(session)
    if flt.active:
        # A recommendation belongs in a filtered view when one of its measures does, or it has none.
        all_recommendations = [
            r for r in all_recommendations if not r["measures"] or any(m.id in ids for m in r["measures"])
        ]
    return {
        "recommendations_without_measures": [r for r in all_recommendations if not r["measures"]],
        "recommendations": all_recommendations,
        "without_owner": [s for s in open_states if s.lead is None or s.lead == JOINT_LEAD],
        "without_deadline": [s for s in open_states if s.deadline is None],
        "overdue": sorted(
            [s for s in open_states if is_overdue(s.deadline, is_open=True, on=as_of)], key=lambda s: s.deadline
        ),
        "stalled": [signal for signal in in_view if is_stalled(signal.level)],
        "signal_counts": level_counts(in_view),
        "silence_by_owner": silence_by_owner((by_id[s.measure_id].lead, s.silence_facts) for s in in_view if s.silence),
        "disagreements": [s for s in states if disagrees(s)],
        "count": len(states),
    }


def assessments_for(session: Session, measure_id: int, as_of: date | None = None) -> list[dict]:
    """Return a measure's assessments (up to `as_of`), newest first, each with its replies."""
    query = (
        select(Assessment, SourceDocument)
        .join(SourceDocument, SourceDocument.id == Assessment.evidence_document_id, isouter=True)
        .where(Assessment.measure_id == measure_id)
        .order_by(Assessment.as_of.desc(), Assessment.id.desc())
    )
    if as_of is not None:
        query = query.where(Assessment.as_of <= as_of)
    items = session.exec(query).all()
    replies: dict[int, list[AssessmentReply]] = {}
    if items:
        for reply in session.exec(
            select(AssessmentReply)
            .where(AssessmentReply.assessment_id.in_([a.id for a, _ in items]))
            .order_by(AssessmentReply.recorded_at)
        ).all():
            replies.setdefault(reply.assessment_id, []).append(reply)
    return [{"assessment": a, "document": d, "replies": replies.get(a.id, [])} for a, d in items]


def recommendation_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Recommendation)).one()


def recommendations_for_measure(session: Session, measure_id: int) -> list[Recommendation]:
    return list(
        session.exec(
            select(Recommendation)
            .join(RecommendationMeasure, RecommendationMeasure.recommendation_id == Recommendation.id)
            .where(RecommendationMeasure.measure_id == measure_id)
            .order_by(Recommendation.issued_on, Recommendation.code)
        ).all()
    )
