"""The rapporteur's pages: gap review, recommendations, assessments and replies, and the
comparison between two dates."""

from datetime import UTC, date, datetime, time

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from measures.checks.rules import LEVEL_LABELS, RULE_LABELS, SILENCE_FACT_LABELS, Thresholds, evaluate
from measures.core import clock, spreadsheets
from measures.core.permissions import Action, authorise, require
from measures.core.text import DateError
from measures.core.web import date_arg, requested_as_of
from measures.register import history, queries
from measures.register.services import ServiceError
from measures.register.views import status_labels
from measures.review import services as review
from measures.review.forms import AssessmentForm, LinkMeasureForm, RecommendationForm, ReplyForm
from measures.sources import services as source_services
from models import Assessment, Measure, Recommendation, SourceDocument
from models.db import get_session
from models.review import RECOMMENDATION_KINDS, TRAFFIC_LIGHTS

bp = Blueprint("review", __name__)


@bp.app_context_processor
def labels() -> dict:
    return {"recommendation_kinds": RECOMMENDATION_KINDS}


@bp.app_context_processor
def review_labels() -> dict:
    return {"traffic_lights": TRAFFIC_LIGHTS}


def _gap_filter() -> tuple[review.GapFilter, list[str]]:
    db = get_session()
    vocabulary = queries.vocabulary(db)
    valid = {s["code"]: {t["code"] for t in s["themes"]} for s in vocabulary["schemes"]}
    owners = {o.abbreviation for o in vocabulary["organisations"]}
    flt = review.GapFilter(
        theme=request.args.get("theme", ""),
        actielijn=request.args.get("actielijn", ""),
        owner=request.args.get("owner", ""),
    )
    errors = []
    if flt.theme and flt.theme not in valid.get("contouren", set()):
        errors.append(_("Onbekend thema: %(value)s.", value=flt.theme[:40]))
        flt.theme = ""
    if flt.actielijn and flt.actielijn not in valid.get("actielijn", set()):
        errors.append(_("Onbekende actielijn: %(value)s.", value=flt.actielijn[:40]))
        flt.actielijn = ""
    if flt.owner and flt.owner not in owners:
        errors.append(_("Onbekende eigenaar: %(value)s.", value=flt.owner[:40]))
        flt.owner = ""
    return flt, errors


def signals_on(db, day: date) -> list:
    """Return the checks' signals on `day`: today's persisted flags, or what the rules said then."""
    if day == clock.today():
        return queries.open_signals(db)
    moment = datetime.combine(day, time(12), tzinfo=UTC)
    return evaluate(db, moment, Thresholds.from_config(current_app.config)).signals


@bp.get("/rapporteur")
@require(Action.REVIEW_GAPS)
def gaps():
    db = get_session()
    flt, errors = _gap_filter()
    as_of, as_of_error = requested_as_of()
    if as_of_error:
        errors.append(str(as_of_error))
    day = as_of or clock.today()
    data = review.gaps(db, day, flt, signals_on(db, day))
    return render_template(
        "review/gaps.html", data=data, flt=flt, errors=errors, as_of=as_of, day=day, vocabulary=queries.vocabulary(db)
    )


@bp.get("/rapporteur/hiaten.xlsx")
@require(Action.REVIEW_GAPS)
def gaps_xlsx():
    db = get_session()
    flt, _errors = _gap_filter()
    as_of, _ = requested_as_of()
    day = as_of or clock.today()
    data = review.gaps(db, day, flt, signals_on(db, day))
    sheets = [
        (
            "Aanbevelingen zonder maatregel",
            ["code", "soort", "titel", "datum", "document", "gericht aan"],
            [
                [
                    r["recommendation"].code,
                    r["recommendation"].kind,
                    r["recommendation"].title,
                    r["recommendation"].issued_on.isoformat(),
                    r["document"].reference,
                    r["recommendation"].addressee,
                ]
                for r in data["recommendations_without_measures"]
            ],
        ),
        (
            "Zonder trekker",
            ["code", "titel", "status"],
            [[s.code, s.title, s.status_code] for s in data["without_owner"]],
        ),
        (
            "Zonder deadline",
            ["code", "titel", "status"],
            [[s.code, s.title, s.status_code] for s in data["without_deadline"]],
        ),
        (
            "Deadline verstreken",
            ["code", "titel", "status", "deadline"],
            [[s.code, s.title, s.status_code, s.deadline.isoformat()] for s in data["overdue"]],
        ),
        (
            "Vastgelopen",
            ["code", "titel", "niveau", "score", "oudste bewijs", "aanwijzingen", "monitoringgat", "toelichting"],
            [
                [
                    s.measure_code,
                    s.measure.title,
                    LEVEL_LABELS[s.level],
                    s.score,
                    s.evidence_on.isoformat() if s.evidence_on else "",
                    ", ".join(RULE_LABELS[f.rule] for f in s.stall),
                    ", ".join(SILENCE_FACT_LABELS[fact] for fact in s.silence_facts),
                    " | ".join(f.explanation for f in s.stall),
                ]
                for s in data["stalled"]
            ],
        ),
        (
            "Monitoringgat per trekker",
            ["trekker", "maatregelen", *SILENCE_FACT_LABELS.values()],
            [
                [row["owner"] or "geen trekker", row["measures"], *row["facts"].values()]
                for row in data["silence_by_owner"]
            ],
        ),
        (
            "Oneens",
            ["code", "titel", "status eigenaar", "oordeel rapporteur", "datum oordeel", "toelichting"],
            [
                [s.code, s.title, s.status_code, s.assessment.light, s.assessment.as_of.isoformat(), s.assessment.text]
                for s in data["disagreements"]
            ],
        ),
    ]
    return spreadsheets.xlsx_download(sheets, f"hiaten-{day:%Y%m%d}.xlsx")


@bp.get("/aanbevelingen")
def recommendation_list():
    return render_template("review/recommendations.html", items=review.recommendations(get_session()))


def _quote_refused(db, form, documents) -> bool:
    """A quote that is not in the stored text of the chosen document is refused, at the field."""
    document = next((d for d in documents if d.key == form.document.data), None)
    error = source_services.quote_error(db, form.quote.data, document)
    if error:
        form.quote.errors = [error]
    return bool(error)


@bp.route("/aanbevelingen/nieuw", methods=["GET", "POST"])
@require(Action.WRITE_RECOMMENDATION)
def new_recommendation():
    db = get_session()
    documents = db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all()
    measures = db.exec(select(Measure).order_by(Measure.code)).all()
    form = RecommendationForm(documents, measures)
    if form.validate_on_submit() and not _quote_refused(db, form, documents):
        by_code = {m.code: m for m in measures}
        try:
            recommendation = review.create_recommendation(
                session=db,
                code=form.code.data,
                kind=form.kind.data,
                title=form.title.data,
                text=form.text.data,
                addressee=form.addressee.data or "",
                quote=form.quote.data or "",
                document=next(d for d in documents if d.key == form.document.data),
                measures=[by_code[code] for code in form.measures.data or []],
                linked_by=current_user.label,
                now=clock.now(),
            )
        except ServiceError:
            db.rollback()
            form.code.errors = list(form.code.errors) + [_("De code %(code)s is al in gebruik.", code=form.code.data)]
        else:
            db.commit()
            flash(_("Aanbeveling %(code)s is vastgelegd.", code=recommendation.code), "success")
            return redirect(url_for("review.recommendation_list") + f"#{recommendation.code}")
    return render_template("review/new_recommendation.html", form=form), (400 if form.errors else 200)


@bp.post("/aanbevelingen/<code>/koppelen")
@require(Action.LINK_RECOMMENDATION)
def link_recommendation(code: str):
    db = get_session()
    recommendation = db.exec(select(Recommendation).where(Recommendation.code == code)).first()
    if recommendation is None:
        abort(404)
    measures = db.exec(select(Measure).order_by(Measure.code)).all()
    form = LinkMeasureForm(measures)
    if form.validate_on_submit():
        measure = next(m for m in measures if m.code == form.measure.data)
        review.link_recommendation(
            session=db, recommendation=recommendation, measure=measure, linked_by=current_user.label, now=clock.now()
        )
        db.commit()
        flash(_("%(measure)s is gekoppeld aan %(code)s.", measure=measure.code, code=recommendation.code), "success")
    else:
        flash(_("Kies een bestaande maatregel om te koppelen."), "error")
    return redirect(url_for("review.recommendation_list") + f"#{recommendation.code}", code=303)


@bp.post("/maatregelen/<code>/oordeel")
@login_required
def record_assessment(code: str):
    db = get_session()
    measure = db.exec(select(Measure).where(Measure.code == code)).first()
    if measure is None:
        abort(404)
    authorise(Action.WRITE_ASSESSMENT, measure)
    documents = db.exec(select(SourceDocument)).all()
    form = AssessmentForm(documents)
    if form.validate_on_submit():
        try:
            review.record_assessment(
                session=db,
                measure=measure,
                light=form.light.data,
                text=form.text.data,
                as_of=form.as_of.data,
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                evidence_document_id=next((d.id for d in documents if d.key == form.evidence_document.data), None),
                evidence_url=form.evidence_url.data or None,
            )
            db.commit()
            flash(_("Het oordeel is vastgelegd."), "success")
            return redirect(url_for("measures.measure_detail", code=code) + "#kop-oordeel")
        except ServiceError as error:
            db.rollback()
            form.as_of.errors = list(form.as_of.errors) + [str(error)]
    return render_template("review/assessment_form.html", form=form, measure=measure), 400


@bp.post("/oordelen/<id:assessment_id>/reactie")
@login_required
def reply(assessment_id: int):
    db = get_session()
    assessment = db.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    measure = db.get(Measure, assessment.measure_id)
    authorise(Action.REPLY_ASSESSMENT, measure)
    form = ReplyForm(prefix=f"reply{assessment.id}")
    if form.validate_on_submit():
        review.reply_to_assessment(
            session=db,
            assessment=assessment,
            text=form.text.data,
            recorded_by=current_user.label,
            recorded_by_id=current_user.id,
            now=clock.now(),
        )
        db.commit()
        flash(_("Uw reactie is geplaatst."), "success")
        return redirect(url_for("measures.measure_detail", code=measure.code) + f"#oordeel-{assessment.id}")
    flash(_("Schrijf een reactie."), "error")
    return redirect(url_for("measures.measure_detail", code=measure.code) + f"#oordeel-{assessment.id}", code=303)


def _comparison_dates() -> tuple[date | None, date | None, list[str]]:
    errors = []
    today = clock.today()

    def parse(name: str, default: date | None) -> date | None:
        try:
            value = date_arg(name, default)
        except DateError:
            errors.append(_("Ongeldige datum bij ‘%(name)s’: gebruik JJJJ-MM-DD.", name=name))
            return None
        if value is not None and (value > today or value < date(2000, 1, 1)):
            errors.append(_("Kies bij ‘%(name)s’ een datum tussen 1 januari 2000 en vandaag.", name=name))
            value = None
        return value

    start = parse("van", None)
    end = parse("tot", today)
    if start and end and start >= end:
        errors.append(_("De begindatum moet vóór de einddatum liggen."))
    return start, end, errors


# Of each kind of change the page lists this many (and says how many there are); `?alles=1`
# lists them all, and the JSON always holds them all.
COMPARE_SHOWN = 50


@bp.get("/vergelijken")
def compare():
    start, end, errors = _comparison_dates()
    comparison = None
    if start and end and not errors:
        whole = request.args.get("alles") == "1"
        comparison = history.compare(get_session(), start, end, shown=None if whole else COMPARE_SHOWN)
    page = render_template(
        "review/compare.html",
        comparison=comparison,
        start=start,
        end=end,
        errors=errors,
        status_labels=status_labels(),
        shown=COMPARE_SHOWN,
    )
    return page, (400 if errors else 200)


@bp.get("/vergelijken.json")
def compare_json():
    start, end, errors = _comparison_dates()
    if errors or not start:
        return jsonify({"fouten": [str(e) for e in errors] or [_("Geef ‘van’ (JJJJ-MM-DD).")]}), 400
    return jsonify(history.compare(get_session(), start, end).as_dict())
