"""JSON API v1: thin over the same queries and services as the pages.

Follows the Dutch government's REST API Design Rules where they fit: plural nouns, versioned
paths, ISO 8601 dates, problem+json errors (RFC 9457), and an OpenAPI 3 document.
"""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from measures.accounts import tokens
from measures.api import openapi, schemas
from measures.api.http import http_problem
from measures.checks.rules import LEVEL_LABELS, RULE_LABELS, rule_level_label
from measures.core import clock
from measures.core.errors import Problem, problem_response
from measures.core.extensions import csrf
from measures.core.permissions import Action, can
from measures.core.text import DateError
from measures.core.web import date_arg
from measures.register import history, indicators, queries, services
from measures.register.forms import MeasureFilterForm
from measures.review import services as review
from measures.sources import search
from measures.sources import services as source_services
from models import Assessment, Flag, Indicator, Measure, ReportEdition, SourceDocument, Status
from models.db import get_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_PAGE_SIZE = 200


@bp.errorhandler(Problem)
def handle_problem(error: Problem):
    return problem_response(error.status, error.title, error.detail, error.invalid)


@bp.errorhandler(HTTPException)
def handle_http(error: HTTPException):
    return http_problem(error)


@bp.errorhandler(Exception)
def handle_unexpected(error: Exception):
    current_app.logger.exception("Onverwachte fout in de API bij %s", request.path)
    return problem_response(500, "Interne fout", "De fout is vastgelegd.")


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi_document" or request.method == "OPTIONS":
        return None  # the document is public; a CORS preflight carries no credentials
    header = request.headers.get("Authorization", "")
    if header:
        g.token_request = True  # no session cookie on the answer
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return problem_response(401, "Niet geauthenticeerd", "Gebruik 'Authorization: Bearer <token>'.")
        user = tokens.user_for_token(get_session(), value.strip(), clock.now())
        if user is None:
            return problem_response(401, "Niet geauthenticeerd", "Het token is onbekend of ingetrokken.")
        g.api_user = user
        return None
    if current_user.is_authenticated:
        g.api_user = current_user._get_current_object()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()  # a cookie session must prove it came from our own pages
        return None
    operation = openapi.operation_for(request.url_rule.rule, request.method) if request.url_rule else None
    if current_app.config["PUBLIC_READ"] and operation is not None and operation.public:
        g.api_user = None  # an anonymous read of what the pages show to anyone
        return None
    return problem_response(401, "Niet geauthenticeerd", "Log in of gebruik een persoonlijk API-token.")


@bp.before_request
def only_documented_parameters():
    """A query parameter the operation does not take is an error, not something to ignore."""
    if request.method == "OPTIONS" or request.url_rule is None:
        return None
    operation = openapi.operation_for(request.url_rule.rule, request.method)
    if operation is None:
        return None
    unknown = sorted(set(request.args) - operation.query)
    if unknown:
        return problem_response(
            400,
            "Ongeldige parameter",
            "Onbekende parameter(s): " + ", ".join(name[:40] for name in unknown[:10]),
            [{"name": name[:40], "reason": "onbekende parameter"} for name in unknown[:10]],
        )
    return None


def _as_of() -> date | None:
    """`asOf`: a date, today or before it (the register does not know the future): 400 otherwise."""
    as_of = _date_param("asOf")
    if as_of and as_of > clock.today():
        raise Problem(
            400,
            "Ongeldige parameter",
            "asOf mag niet in de toekomst liggen.",
            [{"name": "asOf", "reason": "in de toekomst"}],
        )
    return as_of


def _paging() -> tuple[int, int]:
    """The page asked for (`page`, from 1) and its size (`pageSize`, 1 to MAX_PAGE_SIZE, default 25)."""
    invalid = []
    values = {}
    for name, default, top in (("page", "1", 100_000), ("pageSize", "25", MAX_PAGE_SIZE)):
        raw = request.args.get(name, default)
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            invalid.append({"name": name, "reason": f"een geheel getal van 1 tot en met {top}"})
        else:
            values[name] = int(raw)
    if invalid:
        raise Problem(400, "Ongeldige parameter", "Een of meer parameters zijn ongeldig.", invalid)
    return values["page"], values["pageSize"]


def _page_links(total: int, page: int, size: int) -> str:
    """The Link header of a page (RFC 8288): first, prev, next and last, the query kept."""
    last = max(1, -(-total // size))

    def url(n: int) -> str:
        args = request.args.to_dict(flat=False)
        args["page"] = [str(n)]
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    links = [("first", 1), *([("prev", page - 1)] if page > 1 else []), *([("next", page + 1)] if page < last else [])]
    return ", ".join(f'<{url(n)}>; rel="{rel}"' for rel, n in [*links, ("last", last)])


def _paged(model, rows, total: int, page: int, size: int, **fields):
    """One page of a collection as `model`, with its Link header."""
    response = jsonify(model(total=total, page=page, page_size=size, items=rows, **fields).body())
    response.headers["Link"] = _page_links(total, page, size)
    return response


def _slice(items: list, page: int, size: int) -> list:
    return items[(page - 1) * size : page * size]


def _date_param(name: str, default: date | None = None) -> date | None:
    try:
        return date_arg(name, default)
    except DateError as error:
        raise Problem(
            400,
            "Ongeldige parameter",
            f"{name}: {error}",
            [{"name": name, "reason": str(error)}],
        ) from error


class Moved(Exception):
    """A merged code: its address leads to the measure it went into."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


@bp.errorhandler(Moved)
def handle_moved(error: Moved):
    response = problem_response(301, "Permanent verplaatst", f"Deze maatregel is samengevoegd; zie {error.location}.")
    response.headers["Location"] = error.location
    return response


def _measure(code: str) -> Measure:
    db = get_session()
    measure = db.exec(select(Measure).where(Measure.code == code)).first()
    if measure is None:
        survivor = queries.merged_into(db, code)
        if survivor is not None and request.method == "GET":
            raise Moved(
                request.path.replace(f"/measures/{code}", f"/measures/{survivor}", 1)
                + (f"?{request.query_string.decode()}" if request.query_string else "")
            )
        if survivor is not None:
            raise Problem(404, "Niet gevonden", f"{code[:60]} is samengevoegd met {survivor}; schrijf naar die code.")
        raise Problem(404, "Niet gevonden", f"Geen maatregel met code {code[:60]}.")
    return measure


# --- measures -------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document():
    sender = current_app.config["MAIL_FROM"].rpartition("<")[2].rstrip(">").strip()
    return jsonify(
        openapi.document(
            contact_email=current_app.config.get("API_CONTACT_EMAIL") or sender,
            contact_url=url_for("measures.accessibility", _external=True),
        )
    )


@bp.get("/measures")
def measures():
    db = get_session()
    form = MeasureFilterForm(queries.vocabulary(db), formdata=request.args, meta={"csrf": False})
    if not form.validate():
        invalid = [{"name": name, "reason": str(errors[0])} for name, errors in form.errors.items()]
        raise Problem(400, "Ongeldige parameter", "Een of meer filters zijn ongeldig.", invalid)
    _page, page_size = _paging()
    as_of = _as_of()
    flt = form.to_filter()
    page = queries.list_measures(db, flt, as_of=as_of or clock.today(), page_size=page_size)
    return _paged(
        schemas.MeasurePage,
        [_summary(item) for item in page.items],
        page.total,
        page.page,
        page.page_size,
        as_of=as_of or clock.today(),
    )


def _summary(item: dict) -> schemas.MeasureSummary:
    m = item["measure"]  # its MeasureState on the date asked for (today: as of today)
    return schemas.MeasureSummary(
        code=m.code,
        title=m.title,
        lead=item["lead"],
        themes=[f"{t['scheme']}:{t['code']}" for t in item["themes"]],
        status=m.status_code,
        deadline=m.deadline,
        deadline_precision=m.deadline_precision if m.deadline else None,
        stall_level=item["flag_severity"],
        stall_level_label=LEVEL_LABELS[item["flag_severity"]],
    )


@bp.get("/measures/<code>")
def measure(code: str):
    db = get_session()
    m = _measure(code)
    as_of = _as_of()
    state = history.measure_as_of(db, m.id, as_of or clock.today())
    if state is None:
        raise Problem(404, "Niet gevonden", f"De maatregel {m.code} bestond op {as_of} nog niet.")
    document = db.get(SourceDocument, m.source_document_id) if m.source_document_id else None
    if as_of is None and request.if_none_match.contains(str(m.version)):
        response = current_app.response_class(status=304)
        response.set_etag(str(m.version))
        return response
    response = jsonify(
        schemas.Measure(
            code=m.code,
            title=state.title,
            description=m.description,
            announcement=m.announcement,
            announced_on=m.announced_on,
            lead=state.lead,
            co_owners=state.co_owners,
            themes=state.themes,
            status=state.status_code,
            deadline=state.deadline,
            deadline_precision=state.deadline_precision if state.deadline else None,
            deadline_basis=state.deadline_basis,
            postponements=state.postponements,
            budget=state.budget,
            # Where lead, co-owners, themes and budget lines come from, as the register holds it now.
            provenance=queries.provenance(db, [m])[m.id],
            merged_codes=[alias.code for alias in queries.aliases_of(db, m.id)],
            source=schemas.Source(
                document=document.key if document else None,
                reference=document.reference if document else None,
                citation=document.citation if document else None,
                section=m.source_section,
                quote=m.source_quote,
            ),
            indicators=[i.as_dict(state.deadline, state.deadline_precision) for i in state.indicators],
            version=m.version,
            as_of=as_of or clock.today(),
        ).body()
    )
    if as_of is None:  # today's representation: its version is its ETag (If-Match on writes)
        response.set_etag(str(m.version))
    return response


def _status_update(u, document) -> schemas.StatusUpdate:
    return schemas.StatusUpdate(
        id=u.id,
        status=u.status_code,
        as_of=u.as_of,
        as_of_precision=u.as_of_precision,
        note=u.note,
        evidence_document=document.key if document else None,
        # How the evidence is cited: a document not read here with the one it is known through.
        evidence_citation=document.citation if document else None,
        evidence_quote=u.evidence_quote,
        evidence_url=u.evidence_url,
        reports_problem=u.reports_problem,
        recorded_by=u.recorded_by,
        recorded_at=u.recorded_at,
    )


@bp.get("/measures/<code>/status-updates")
def status_updates(code: str):
    page, size = _paging()
    data = queries.measure_detail(get_session(), _measure(code).code, clock.today())
    items = [_status_update(item["entry"], item["document"]) for item in _slice(data["updates"], page, size)]
    return _paged(schemas.StatusUpdateList, items, len(data["updates"]), page, size)


@bp.post("/measures/<code>/status-updates")
def create_status_update(code: str):
    db = get_session()
    m = _measure(code)
    user = g.api_user
    if not can(db, user, Action.RECORD_STATUS, m):
        raise Problem(403, "Geen toestemming", f"U mag de status van {m.code} niet wijzigen.")
    statuses = {s.code: s for s in db.exec(select(Status)).all()}
    documents = dict(db.exec(select(SourceDocument.key, SourceDocument.id)).all())
    new = _body(schemas.NewStatusUpdate, statuses=statuses, documents=documents)
    current, status = statuses[m.status_code], statuses[new.status]
    if services.needs_note(current, status) and not new.note.strip():
        invalid = [{"name": "note", "reason": "verplicht als de status teruggaat of de maatregel wordt beëindigd"}]
        raise Problem(400, "Ongeldige invoer", "Een of meer velden zijn ongeldig.", invalid)
    expected = _precondition(m, new.version)  # after the body is valid: what it builds on
    with _write(db, expected):
        entry = services.record_status(
            session=db,
            measure=m,
            status_code=new.status,
            as_of=new.as_of,
            note=new.note,
            recorded_by=user.label,
            recorded_by_id=user.id,
            now=clock.now(),
            evidence_document_id=documents[new.evidence_document] if new.evidence_document else None,
            evidence_url=new.evidence_url,
            reports_problem=new.reports_problem,
            expected_version=expected if expected is not None else new.version,
        )
    document = db.get(SourceDocument, documents[new.evidence_document]) if new.evidence_document else None
    response = jsonify(_status_update(entry, document).body())
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/measures/{m.code}/status-updates"
    response.set_etag(str(m.version))  # the measure's new version, for the next If-Match
    return response


@bp.post("/measures/<code>/measurements")
def create_measurement(code: str):
    """Record a measurement of one of the measure's indicators, like a status update: the right
    role for this measure, a valid body, and the version it builds on (If-Match or `version`)."""
    db = get_session()
    m = _measure(code)
    user = g.api_user
    if not can(db, user, Action.RECORD_MEASUREMENT, m):
        raise Problem(403, "Geen toestemming", f"U mag geen metingen van {m.code} vastleggen.")
    own = {i.code: i for i in db.exec(select(Indicator).where(Indicator.measure_id == m.id)).all()}
    documents = {d.key: d for d in db.exec(select(SourceDocument)).all()}
    new = _body(schemas.NewMeasurement, indicators=own, documents=documents)
    document = documents.get(new.evidence_document) if new.evidence_document else None
    if new.evidence_quote and document is None:
        invalid = [{"name": "evidence_document", "reason": "verplicht bij een citaat: het document waaruit het komt"}]
        raise Problem(400, "Ongeldige invoer", "Een of meer velden zijn ongeldig.", invalid)
    if quote_problem := source_services.quote_error(db, new.evidence_quote, document):
        raise Problem(
            400,
            "Ongeldige invoer",
            "Een of meer velden zijn ongeldig.",
            [{"name": "evidence_quote", "reason": quote_problem}],
        )
    expected = _precondition(m, new.version)
    with _write(db, expected):
        entry = indicators.record_measurement(
            session=db,
            measure=m,
            indicator=own[new.indicator_code],
            value=Decimal(str(new.value)),
            measured_on=indicators.period_end(new.on, new.on_precision),
            measured_precision=new.on_precision,
            note=new.note,
            evidence_document_id=document.id if document else None,
            evidence_url=new.evidence_url,
            evidence_quote=new.evidence_quote,
            recorded_by=user.label,
            recorded_by_id=user.id,
            now=clock.now(),
            expected_version=expected if expected is not None else new.version,
        )
    response = jsonify(
        schemas.Measurement(
            indicator_code=new.indicator_code,
            on=entry.measured_on,
            on_precision=entry.measured_precision,
            value=float(entry.value),
            note=entry.note,
            evidence_document=document.key if document else None,
            evidence_citation=document.citation if document else None,
            evidence_quote=entry.evidence_quote,
            evidence_url=entry.evidence_url,
            recorded_by=entry.recorded_by,
            recorded_at=entry.recorded_at,
        ).body()
    )
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/measures/{m.code}"
    response.set_etag(str(m.version))
    return response


def _body(model, **context):
    """The request's JSON object, validated as `model` (the context names what the validators check
    against): 400 with invalid-params, each field's Dutch reason, when it is not."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "Ongeldige aanvraag", "Stuur een JSON-object.")
    try:
        return model.model_validate(body, context=context)
    except ValidationError as error:
        invalid = schemas.invalid_params(error, model.reasons)
        raise Problem(400, "Ongeldige invoer", "Een of meer velden zijn ongeldig.", invalid) from None


@contextmanager
def _write(db, expected: int | None):
    """A versioned write, committed at the end of the block: a stale version is 412 when If-Match
    named it (it lost a race), 409 when the body did; a refusal is 400 with its Dutch reason."""
    try:
        yield
        db.commit()
    except services.EditConflict as error:
        db.rollback()
        if expected is not None:  # the If-Match lost a race: its precondition no longer holds
            raise Problem(412, "Voorwaarde niet vervuld", _changed(error.measure)) from error
        raise Problem(409, "Conflict", _changed(error.measure)) from error
    except services.ServiceError as error:
        db.rollback()
        raise Problem(400, "Ongeldige invoer", str(error)) from error


def _changed(measure: Measure) -> str:
    return f"De maatregel is intussen gewijzigd (versie {measure.version})."


def _precondition(measure: Measure, body_version) -> int | None:
    """The version an If-Match holds the write to (None without one). A write must name the version
    it builds on: in If-Match (the measure's ETag) or, as before, as `version` in the body; with
    neither it is refused (428), with a stale If-Match too (412)."""
    if not request.if_match:  # no header
        if body_version is None:
            raise Problem(
                428,
                "Voorwaarde vereist",
                "Noem de versie waarop u voortbouwt: If-Match met de ETag van de maatregel, of 'version'.",
            )
        return None
    if request.if_match.star_tag or request.if_match.contains(str(measure.version)):
        return measure.version
    raise Problem(412, "Voorwaarde niet vervuld", _changed(measure))


# --- flags, recommendations, assessments, comparisons, editions ---------------------------------------


@bp.get("/statuses")
def statuses():
    page, size = _paging()
    every = get_session().exec(select(Status).order_by(Status.position)).all()
    items = [schemas.StatusValue(code=s.code, label=s.label, open=s.is_open) for s in _slice(every, page, size)]
    return _paged(schemas.StatusList, items, len(every), page, size)


@bp.get("/flags")
def flags():
    db = get_session()
    state = request.args.get("state", "open")
    if state not in ("open", "resolved", "all"):
        raise Problem(
            400,
            "Ongeldige parameter",
            "state is open, resolved of all.",
            [{"name": "state", "reason": "onbekende waarde"}],
        )
    query = (
        select(Flag, Measure.code)
        .join(Measure, Measure.id == Flag.measure_id)
        .order_by(Flag.severity.desc(), Flag.score.desc(), Measure.code, Flag.rule_severity.desc(), Flag.rule)
    )
    if state == "open":
        query = query.where(Flag.resolved_on.is_(None))
    elif state == "resolved":
        query = query.where(Flag.resolved_on.is_not(None))
    page, size = _paging()
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.offset((page - 1) * size).limit(size)
    items = [
        schemas.Flag(
            measure_code=code,
            rule=f.rule,
            kind=f.kind,
            level=f.severity,
            level_label=LEVEL_LABELS[f.severity],
            rule_level=f.rule_severity,
            rule_level_label=rule_level_label(f.kind, f.rule_severity),
            evidence_on=f.evidence_on,
            explanation=f.explanation,
            first_seen_on=f.first_seen_on,
            last_seen_on=f.last_seen_on,
            resolved_on=f.resolved_on,
        )
        for f, code in db.exec(query).all()
    ]
    return _paged(schemas.FlagList, items, total, page, size)


@bp.get("/flagged-measures")
def flagged_measures():
    """One row per measure with open flags, in the checks' one order: stall level, score, oldest evidence."""
    page, size = _paging()
    signals = queries.open_signals(get_session())
    items = [
        schemas.FlaggedMeasure.model_validate(
            {
                **signal.as_dict(),
                "title": signal.measure.title,
                "stall_reasons": [
                    {
                        "rule": f.rule,
                        "label": RULE_LABELS.get(f.rule, f.rule),
                        "rule_level": f.rule_severity,
                        "rule_level_label": LEVEL_LABELS[f.rule_severity],
                    }
                    for f in signal.stall
                ],
                "explanations": [
                    {"rule": f.rule, "kind": f.kind, "explanation": f.explanation}
                    for f in (*signal.stall, *signal.silence)
                ],
            }
        )
        for signal in _slice(signals, page, size)
    ]
    return _paged(schemas.FlaggedMeasureList, items, len(signals), page, size)


@bp.get("/search")
def search_documents():
    query = request.args.get("q", "").strip()
    if not query or len(query) > search.MAX_QUERY:
        raise Problem(
            400,
            "Ongeldige parameter",
            f"q is verplicht, met hoogstens {search.MAX_QUERY} tekens.",
            [{"name": "q", "reason": "ontbreekt" if not query else "te lang"}],
        )
    page, size = _paging()
    hits = search.search(get_session(), query)
    items = [
        schemas.SearchHit(
            kind=h.kind,
            title=h.title,
            passage=h.passage,
            terms=list(h.terms),
            score=round(h.score, 3),
            document=h.document_key,
            paragraph=h.paragraph,
            measure_code=h.measure_code,
            recommendation_code=h.recommendation_code,
        )
        for h in _slice(hits, page, size)
    ]
    return _paged(schemas.SearchPage, items, len(hits), page, size, q=query)


@bp.get("/recommendations")
def recommendations():
    page, size = _paging()
    every = review.recommendations(get_session())
    items = [_recommendation(item) for item in _slice(every, page, size)]
    return _paged(schemas.RecommendationList, items, len(every), page, size)


def _recommendation(item: dict) -> schemas.Recommendation:
    r = item["recommendation"]
    return schemas.Recommendation(
        code=r.code,
        kind=r.kind,
        title=r.title,
        text=r.text,
        addressee=r.addressee,
        quote=r.quote,
        document=item["document"].key,
        issued_on=r.issued_on,
        measure_codes=[m.code for m in item["measures"]],
        gap=not item["measures"],
    )


@bp.get("/assessments")
def assessments():
    db = get_session()
    query = (
        select(Assessment, Measure.code)
        .join(Measure, Measure.id == Assessment.measure_id)
        .order_by(Assessment.as_of.desc(), Assessment.id.desc())
    )
    code = request.args.get("measure")
    if code:
        query = query.where(Measure.code == code)
    page, size = _paging()
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    items = [
        schemas.Assessment(
            id=a.id, measure_code=c, light=a.light, text=a.text, as_of=a.as_of, recorded_by=a.recorded_by
        )
        for a, c in db.exec(query.offset((page - 1) * size).limit(size)).all()
    ]
    return _paged(schemas.AssessmentList, items, total, page, size)


@bp.get("/comparisons")
def comparison():
    start, end = _date_param("from"), _date_param("to", clock.today())
    if start is None:
        raise Problem(
            400, "Ongeldige parameter", "from is verplicht (JJJJ-MM-DD).", [{"name": "from", "reason": "ontbreekt"}]
        )
    today = clock.today()
    if not (date(2000, 1, 1) <= start < end <= today):
        raise Problem(
            400,
            "Ongeldige parameter",
            "Kies 2000-01-01 ≤ from < to ≤ vandaag.",
            [{"name": "from", "reason": "buiten bereik"}],
        )
    return jsonify(_comparison(history.compare(get_session(), start, end).as_dict()).body())


def _comparison(changes: dict) -> schemas.Comparison:
    """The comparison in the API's vocabulary: the dates under the names the request used (from, to),
    and each change naming its measure measure_code, as every resource that refers to a measure does.
    (The page's JSON and the report's snapshot keep their own stored form.)"""

    def items(key: str) -> list[dict]:
        return [
            {"measure_code": item["code"], **{k: v for k, v in item.items() if k != "code"}} for item in changes[key]
        ]

    lists = ("added", "status_changes", "postponements", "deadline_changes", "budget_changes")
    lists += ("flags_opened", "flags_closed", "assessments", "measurements")
    return schemas.Comparison.model_validate(
        {"from": changes["start"], "to": changes["end"], **{key: items(key) for key in lists}}
    )


def _edition(e) -> schemas.Edition:
    return schemas.Edition(
        number=e.number,
        as_of=e.as_of,
        since=e.since,
        generated_at=e.generated_at,
        generated_by=e.generated_by,
        pages=e.pages,
        pdf_sha256=e.pdf_sha256,
        snapshot_sha256=e.snapshot_sha256,
        pdf=f"/api/v1/report-editions/{e.number}/pdf",
    )


_EDITION_COLUMNS = (
    ReportEdition.number,
    ReportEdition.as_of,
    ReportEdition.since,
    ReportEdition.generated_at,
    ReportEdition.generated_by,
    ReportEdition.pages,
    ReportEdition.pdf_sha256,
    ReportEdition.snapshot_sha256,
)


@bp.get("/report-editions")
def report_editions():
    page, size = _paging()
    db = get_session()
    total = db.exec(select(func.count()).select_from(ReportEdition)).one()
    rows = db.exec(
        select(*_EDITION_COLUMNS).order_by(ReportEdition.number.desc()).offset((page - 1) * size).limit(size)
    ).all()
    return _paged(schemas.EditionList, [_edition(r) for r in rows], total, page, size)


@bp.get("/report-editions/<id:number>")
def report_edition(number: int):
    row = get_session().exec(select(*_EDITION_COLUMNS).where(ReportEdition.number == number)).first()
    if row is None:
        raise Problem(404, "Niet gevonden", f"Geen editie {number}.")
    return jsonify(_edition(row).body())


@bp.get("/report-editions/<id:number>/pdf")
def report_edition_pdf(number: int):
    pdf = get_session().exec(select(ReportEdition.pdf).where(ReportEdition.number == number)).first()
    if pdf is None:
        raise Problem(404, "Niet gevonden", f"Geen editie {number}.")
    return current_app.response_class(pdf, mimetype="application/pdf")
