"""HTTP views of the register: thin, they call the queries and services."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, stream_with_context, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import select

from measures.checks.forms import AcknowledgeFlagForm
from measures.checks.rules import Thresholds
from measures.core import clock, spreadsheets
from measures.core.permissions import Action, measure_actions
from measures.core.web import requested_as_of, requested_known_at
from measures.register import open_data, queries
from measures.register.forms import MeasureFilterForm
from measures.register.terms import is_overdue
from measures.reports import charts
from measures.review import services as review
from measures.review.forms import AssessmentForm, ReplyForm
from measures.sources import services as source_texts
from models import SourceDocument, Status
from models.db import get_session
from models.document import DOCUMENT_KINDS, DocumentText
from models.measure import ANNOUNCEMENTS, BUDGET_KINDS, BUDGET_PER

bp = Blueprint("measures", __name__)

FIELD_LABELS = {
    "title": _l("Titel"),
    "description": _l("Beschrijving"),
    "lead": _l("Trekker"),
    "co_owners": _l("Mede-eigenaren"),
    "themes": _l("Thema's"),
    "budget": _l("Budget"),
    "source_section": _l("Vindplaats in de bron"),
    "source_quote": _l("Citaat"),
    "lead_basis": _l("Grondslag trekker"),
    "co_owners_basis": _l("Grondslag mede-eigenaren"),
    "theme_basis": _l("Grondslag thema's"),
    "merged": _l("Samengevoegd"),
}


@bp.app_context_processor
def labels() -> dict:
    """What the register's templates name: budget and document vocabularies, field labels, charts."""
    return {
        "budget_per": BUDGET_PER,
        "budget_kinds": BUDGET_KINDS,
        "field_labels": FIELD_LABELS,
        "document_kinds": DOCUMENT_KINDS,
        "status_chart": status_chart,
    }


# The one definition of overdue, for the templates (registered once, not rebuilt per render).
bp.add_app_template_global(is_overdue)


def status_chart(block: dict, statuses: list):
    """The overview's chart per scheme: the same SVG code the parliament report uses, drawn twice,
    for a wide screen (labels beside the bars) and a narrow one (labels above them); the CSS shows
    one, and the other is display:none, so a screen reader meets one chart."""
    rows = [(f"{row['theme'].code}) {row['theme'].name}", row["counts"]) for row in block["rows"]]
    chart = {
        "title": str(_l("Status per thema: %(scheme)s", scheme=block["scheme"].name)),
        "rows": rows,
        "series": [(s.code, s.label) for s in statuses],
        "colours": charts.STATUS_COLOURS,
    }
    wide = charts.stacked_bars(chart_id=f"grafiek-{block['scheme'].code}", **chart)
    narrow = charts.stacked_bars(chart_id=f"grafiek-{block['scheme'].code}-smal", width=300, narrow=True, **chart)
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')  # noqa: S704 - both are Markup built from escaped text


def status_labels() -> dict[str, str]:
    return dict(get_session().exec(select(Status.code, Status.label)).all())


@bp.get("/")
def overview():
    session = get_session()
    as_of, as_of_error = requested_as_of()
    known_at = requested_known_at(as_of)
    data = queries.overview(session, as_of or clock.today(), known_at)
    flags = queries.flag_counts(session) if as_of is None else None
    return render_template(
        "measures/overview.html",
        data=data,
        flags=flags,
        as_of=as_of,
        as_of_error=as_of_error,
        known_at=known_at,
        register_view=True,
    )


@bp.get("/maatregelen")
def measure_list():
    session = get_session()
    vocabulary = queries.vocabulary(session)
    form = MeasureFilterForm(vocabulary, formdata=request.args)
    as_of, as_of_error = requested_as_of()
    page = None
    if form.validate():
        flt = form.to_filter()
        size = current_app.config["PAGE_SIZE"]
        page = queries.list_measures(session, flt, as_of=as_of or clock.today(), page_size=size)
    return render_template(
        "measures/list.html", form=form, page=page, vocabulary=vocabulary, as_of=as_of, as_of_error=as_of_error
    )


@bp.get("/maatregelen/<code>")
def measure_detail(code: str):
    as_of, as_of_error = requested_as_of()
    known_at = requested_known_at(as_of)
    data = queries.measure_detail(get_session(), code, as_of or clock.today(), known_at)
    if data is None:
        survivor = queries.merged_into(get_session(), code)
        if survivor is None:
            abort(404)
        # A merged code stays reachable: it leads to the measure it went into, on the same date.
        return redirect(url_for("measures.measure_detail", code=survivor, **request.args), 301)
    if data.get("not_yet"):
        return render_template("measures/not_yet.html", measure=data["measure"], as_of=as_of, known_at=known_at), 404
    announcement_label = ANNOUNCEMENTS.get(data["measure"].announcement, data["measure"].announcement)
    actions = measure_actions(get_session(), current_user, data["measure"])
    if as_of:
        actions = set()  # a past state is for reading; changes are made on today's page
    db = get_session()
    # Today the flags the checks raised; on an earlier date those they would have raised then.
    flags = (
        queries.flags_for_measure(db, data["measure"].id)
        if as_of is None
        else queries.findings_on(db, data["measure"].id, as_of, Thresholds.from_config(current_app.config), known_at)
    )
    ack_forms = {
        item["flag"].id: AcknowledgeFlagForm(prefix=f"flag{item['flag'].id}", formdata=None)
        for item in flags["open"]
        if as_of is None
    }
    assessments = review.assessments_for(db, data["measure"].id, as_of=as_of)
    assessment_form = None
    if Action.WRITE_ASSESSMENT in actions:
        assessment_form = AssessmentForm(
            db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all(), formdata=None
        )
    reply_forms = {}
    if Action.REPLY_ASSESSMENT in actions:
        reply_forms = {
            item["assessment"].id: ReplyForm(prefix=f"reply{item['assessment'].id}", formdata=None)
            for item in assessments
        }
    return render_template(
        "measures/detail.html",
        announcement_label=announcement_label,
        actions=actions,
        flags=flags,
        ack_forms=ack_forms,
        assessments=assessments,
        assessment_form=assessment_form,
        reply_forms=reply_forms,
        recommendations=review.recommendations_for_measure(db, data["measure"].id),
        as_of=as_of,
        as_of_error=as_of_error,
        known_at=known_at,
        register_view=True,
        **data,
    )


@bp.get("/documenten")
def document_list():
    documents = get_session().exec(select(SourceDocument).order_by(SourceDocument.date)).all()
    return render_template("measures/documents.html", documents=documents)


@bp.get("/documenten/<key>")
def document_detail(key: str):
    data = queries.document_detail(get_session(), key)
    if data is None:
        abort(404)
    document = data["document"]
    text = get_session().exec(select(DocumentText).where(DocumentText.document_id == document.id)).first()
    paragraphs = source_texts.paragraphs(get_session(), document.id) if text else []
    return render_template("measures/document.html", text=text, paragraphs=paragraphs, **data)


@bp.get("/open-data")
def open_data_page():
    as_of, as_of_error = requested_as_of()
    return render_template("measures/open_data.html", as_of=as_of, as_of_error=as_of_error)


@bp.get("/open-data/maatregelen.<fmt>")
def open_data_download(fmt: str):
    if fmt not in ("json", "csv", "xlsx"):
        abort(404)
    as_of, _error = requested_as_of()
    records = open_data.measure_records(get_session(), as_of=as_of)
    filename = f"maatregelen-{as_of or clock.today():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return spreadsheets.csv_download(open_data.CSV_COLUMNS, open_data.csv_rows(records), filename)
    if fmt == "xlsx":
        return spreadsheets.xlsx_download(open_data.xlsx_sheets(records), filename)
    body = stream_with_context(open_data.json_chunks(records, generated_on=clock.today(), as_of=as_of))
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("measures/accessibility.html")
